// The frame of every pagoPA console page: who is signed in (a citizen under /pagamenti, an institution's staff
// under /backoffice), their navigation and sign-out, the page; and the small formatting both areas share.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CitizenSession } from '../../../clients/identity/citizen-routes.ts';
import { html, type SafeHtml } from '../../../core/html.ts';
import type { ErrorPageInput } from '../../../core/http.ts';
import { formatEuroCents, formatItalianTime } from '../../../core/i18n.ts';
import { HttpProblem } from '../../../core/problem.ts';
import { framedPage, pageCsrf, sendHtml, type NavLink } from '../../../core/ui.ts';
import { consoleT, type ConsoleKey, type ConsoleT } from './messages.ts';
import type { DebtPosition } from '../positions.ts';
import type { Institution } from '../institutions.ts';
import type { Receipt } from '../../../clients/pagopa/nodo-wire.ts';
import { noticeOfPosition } from '../notice/api.ts';
import { renderNoticePdf } from '../notice/pdf.ts';
import { receiptPdf } from '../nodo/receipt-pdf.ts';

export const BACKOFFICE = '/backoffice';
export const CITIZEN = '/pagamenti';

export interface StaffSession {
  accountId: string;
  name: string;
  /** An institution's fiscal code, or OPERATOR_TENANT for the platform's operators. */
  tenant: string;
  /** Shown beside the name: the institution's name, or "platform operator". */
  tenantName: string;
}

export const citizenOf = (request: FastifyRequest) => request.session?.data.pagopaCitizen as CitizenSession | undefined;
export const staffOf = (request: FastifyRequest) => request.session?.data.pagopaStaff as StaffSession | undefined;

/** The hidden CSRF field of a form on a console page (the route registered inside registerConsoles). */
export const csrf = pageCsrf;

export interface ConsolePageInput {
  title: string;
  main: SafeHtml;
  breadcrumb?: readonly { label: string; href?: string }[];
  /** The staff's navigation links (they depend on the institution shown). */
  nav?: readonly NavLink[];
}

export function consolePage(request: FastifyRequest, input: ConsolePageInput): string {
  const tr = consoleT(request.locale);
  const citizen = citizenOf(request);
  const staff = staffOf(request);
  const signedIn = citizen
    ? { name: `${citizen.givenName} ${citizen.familyName}`, signOut: `${CITIZEN}/esci` }
    : staff
      ? { name: `${staff.name} — ${staff.tenantName}`, signOut: `${BACKOFFICE}/esci` }
      : undefined;
  return framedPage(request, tr, { ...input, nav: input.nav ?? (citizen ? [{ label: tr('areaTitle'), href: CITIZEN }] : undefined), signedIn });
}

export function sendPage(reply: FastifyReply, request: FastifyRequest, input: ConsolePageInput, status = 200): FastifyReply {
  return sendHtml(reply, consolePage(request, input), status);
}

export function consoleErrorPage(request: FastifyRequest, error: ErrorPageInput): string {
  const tr = consoleT(request.locale);
  const title = tr('errorTitle', { status: error.status });
  return consolePage(request, {
    title,
    main: html`<h1>${title}</h1><p class="lead">${error.status === 404 ? tr('notFoundText') : error.status >= 500 ? error.title : (error.detail ?? error.title)}</p><p class="small text-muted">${tr('errorRequestId', { id: error.requestId })}</p><p><a class="btn btn-primary" href="/">${tr('backHome')}</a></p>`,
  });
}

/** Euro cents in the locale's words, as everywhere (core formatEuroCents), locale first like the helpers below. */
export const euro = (locale: string, cents: number): string => formatEuroCents(cents, locale);

/** A day as people in Italy read it; due dates are instants at the end of an Italian day. */
export const day = (locale: string, at: Date | null | undefined): string => (at ? formatItalianTime(locale, at, 'medium') : '—');
export const dayTime = (locale: string, at: Date | null | undefined): string => (at ? formatItalianTime(locale, at, 'medium', 'short') : '—');

/** A state of GPD (position, option, transfer) in the page's words, its code kept for whoever needs it. */
export function statusBadge(tr: ConsoleT, status: string): SafeHtml {
  const key = `st_${status}` as ConsoleKey;
  return html`<span class="badge bg-light text-dark border" title="${status}">${tr(key)}</span>`;
}

/** A definition row. */
export const dataRow = (label: string, value: SafeHtml | string) => html`<div class="row border-bottom py-2"><dt class="col-sm-4">${label}</dt><dd class="col-sm-8 mb-0">${value}</dd></div>`;

const fileName = (text: string) => text.replace(/[^\w.-]/g, '_');

/** What a read finds, or undefined where it answers 404; any other failure propagates. */
export function unlessNotFound<T>(read: Promise<T>): Promise<T | undefined> {
  return read.catch((err: unknown) => {
    if (err instanceof HttpProblem && err.status === 404) return undefined;
    throw err;
  });
}

/** Whether the position has a printed notice: the notice service's own rule (something left to pay). */
export function hasNotice(institution: Institution, position: DebtPosition): boolean {
  try {
    noticeOfPosition(institution, position);
    return true;
  } catch {
    return false;
  }
}

/** The printed notice of a payable position (the notice service's own document; 409 when nothing is payable). */
export async function sendNoticePdf(reply: FastifyReply, institution: Institution, position: DebtPosition): Promise<FastifyReply> {
  const pdf = await renderNoticePdf(noticeOfPosition(institution, position));
  return reply.type('application/pdf').header('cache-control', 'no-store').header('content-disposition', `inline; filename="avviso-${fileName(position.iupd)}.pdf"`).send(pdf);
}

/** The receipt as the Nodo issues it. */
export async function sendReceiptPdf(reply: FastifyReply, receipt: Receipt): Promise<FastifyReply> {
  const pdf = await receiptPdf(receipt);
  return reply.type('application/pdf').header('cache-control', 'no-store').header('content-disposition', `inline; filename="ricevuta-${fileName(receipt.receiptId)}.pdf"`).send(pdf);
}
