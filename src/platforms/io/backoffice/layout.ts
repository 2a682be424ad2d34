// The frame of every back-office page: who is signed in (a body's developer or a platform operator), the
// navigation, the page; the error page of the IO app's HTML routes; and the small pieces the pages share.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TenantStaff } from '../../../core/auth/staff-login.ts';
import { html, type SafeHtml } from '../../../core/html.ts';
import type { ErrorPageInput } from '../../../core/http.ts';
import { formatItalianTime } from '../../../core/i18n.ts';
import { framedPage, pageCsrf, sendHtml, type NavLink } from '../../../core/ui.ts';
import { backofficeT } from './messages.ts';

export const BACKOFFICE = '/backoffice';

/** Who is signed in: a body's staff member (tenant: its fiscal code) or a platform operator (OPERATOR_TENANT). */
export type StaffSession = TenantStaff;

export const staffOf = (request: FastifyRequest) => request.session?.data.ioStaff as StaffSession | undefined;

/** The hidden CSRF field of a back-office form (the routes are registered after registerPageCsrf). */
export const csrf = pageCsrf;

export interface BackofficePageInput {
  title: string;
  main: SafeHtml;
  breadcrumb?: readonly { label: string; href?: string }[];
  nav?: readonly NavLink[];
}

export function backofficePage(request: FastifyRequest, input: BackofficePageInput): string {
  const staff = staffOf(request);
  const signedIn = staff && request.session ? { name: `${staff.name} — ${staff.tenantName}`, signOut: `${BACKOFFICE}/esci` } : undefined;
  return framedPage(request, backofficeT(request.locale), { ...input, signedIn });
}

export function sendPage(reply: FastifyReply, request: FastifyRequest, input: BackofficePageInput, status = 200): FastifyReply {
  return sendHtml(reply, backofficePage(request, input), status);
}

export function backofficeErrorPage(request: FastifyRequest, error: ErrorPageInput): string {
  const tr = backofficeT(request.locale);
  const title = tr('errorTitle', { status: error.status });
  return backofficePage(request, {
    title,
    main: html`<h1>${title}</h1><p class="lead">${error.status === 404 ? tr('notFoundText') : error.status >= 500 ? error.title : (error.detail ?? error.title)}</p><p class="small text-muted">${tr('errorRequestId', { id: error.requestId })}</p><p><a class="btn btn-primary" href="${BACKOFFICE}">${tr('backHome')}</a></p>`,
  });
}

export const dayTime = (locale: string, at: Date | string | null | undefined): string => (at ? formatItalianTime(locale, new Date(at), 'medium', 'short') : '—');

/** A definition row. */
export const dataRow = (label: string, value: SafeHtml | string) => html`<div class="row border-bottom py-2"><dt class="col-sm-4">${label}</dt><dd class="col-sm-8 mb-0">${value}</dd></div>`;
