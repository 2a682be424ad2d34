// What every page of the citizen's personal area shares (applications, payments): the signed-in citizen, or the
// way to the login page that brings them back; the frame with the area in the breadcrumb.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { redirectTo } from '../../core/auth/sessions.ts';
import type { SafeHtml } from '../../core/html.ts';
import { citizenLogin, requireTenant, type CitizenLogin } from '../context.ts';
import { t } from '../messages.ts';
import { renderPage } from '../website/layout.ts';

/** The signed-in citizen, or the reply (to the login page, which returns here) already sent. */
export function signedIn(request: FastifyRequest, reply: FastifyReply): CitizenLogin | undefined {
  const login = citizenLogin(request);
  if (login) return login;
  request.session.set('returnTo', request.url);
  redirectTo(reply, `/${requireTenant(request).slug}/accedi`);
  return undefined;
}

/** A page of the personal area, under it in the breadcrumb. */
export function areaPage(request: FastifyRequest, login: CitizenLogin, title: string, body: SafeHtml, trail: { label: string; href?: string }[] = [], scripts?: string[]): string {
  const tenant = requireTenant(request);
  return renderPage({
    request,
    tenant,
    title,
    body,
    breadcrumb: [{ label: t(request.locale)('area.title'), href: `/${tenant.slug}/area-personale` }, ...trail, { label: title }],
    signedInAs: `${login.givenName} ${login.familyName}`,
    scripts,
  });
}
