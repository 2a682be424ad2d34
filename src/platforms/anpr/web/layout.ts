// The frame of every ANPR page: the header, the navigation of whoever is signed in (citizen area under
// /cittadino, registry office under /ufficio), the page, the footer.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../../../core/html.ts';
import { framedPage, pageCsrf, sendHtml, type NavLink } from '../../../core/ui.ts';
import type { ErrorPageInput } from '../../../core/http.ts';
import { webT, type WebKey } from './messages.ts';
import { citizenOf, officerOf } from './session.ts';

export const CITIZEN = '/cittadino';
export const OFFICE = '/ufficio';

const CITIZEN_NAV: readonly [WebKey, string][] = [
  ['navMyData', CITIZEN],
  ['navCertificates', `${CITIZEN}/certificati`],
  ['navSelfDeclaration', `${CITIZEN}/autocertificazione`],
  ['navResidence', `${CITIZEN}/residenza`],
  ['navRectification', `${CITIZEN}/rettifica`],
  ['navContacts', `${CITIZEN}/contatti`],
  ['navAccessLog', `${CITIZEN}/consultazioni`],
];

const OFFICE_NAV: readonly [WebKey, string][] = [
  ['navSearch', OFFICE],
  ['navDeclarations', `${OFFICE}/dichiarazioni`],
  ['navRectifications', `${OFFICE}/rettifiche`],
  ['navBirth', `${OFFICE}/nascita`],
];

/** The hidden CSRF field of a form on an ANPR page (the route registered inside registerAnprPages). */
export const csrf = pageCsrf;

export interface AnprPageInput {
  title: string;
  main: SafeHtml;
  breadcrumb?: readonly { label: string; href?: string }[];
}

export function anprPage(request: FastifyRequest, input: AnprPageInput): string {
  const tr = webT(request.locale);
  const citizen = citizenOf(request);
  const officer = officerOf(request);
  const [items, signedIn] = citizen
    ? [CITIZEN_NAV, { name: `${citizen.givenName} ${citizen.familyName}`, signOut: `${CITIZEN}/esci` }]
    : officer
      ? [OFFICE_NAV, { name: `${officer.name} — ${officer.comuneName}`, signOut: `${OFFICE}/esci` }]
      : [undefined, undefined];
  const nav: NavLink[] | undefined = items?.map(([key, href]) => ({ label: tr(key), href }));
  return framedPage(request, tr, { ...input, nav, signedIn });
}

export function sendPage(reply: FastifyReply, request: FastifyRequest, input: AnprPageInput, status = 200): FastifyReply {
  return sendHtml(reply, anprPage(request, input), status);
}

export function anprErrorPage(request: FastifyRequest, error: ErrorPageInput): string {
  const tr = webT(request.locale);
  const title = tr('errorTitle', { status: error.status });
  return anprPage(request, {
    title,
    main: html`<h1>${title}</h1><p class="lead">${error.status >= 500 ? error.title : (error.detail ?? error.title)}</p><p class="small text-muted">${tr('errorRequestId', { id: error.requestId })}</p><p><a class="btn btn-primary" href="/">${tr('backHome')}</a></p>`,
  });
}
