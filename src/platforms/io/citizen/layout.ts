// The frame of the IO app's pages, mobile first: a slim header (brand, language, sign-out), the page, and the
// bottom navigation Messaggi / Pagamenti / Servizi / Profilo; the web manifest and the service worker (registered by
// an external script: the CSP allows no inline scripts, src/core/http.ts). One-shot notices survive the redirect of
// a POST (flash, kept in the session).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { alert } from '../../../core/forms.ts';
import { attr, html, type SafeHtml } from '../../../core/html.ts';
import type { ErrorPageInput } from '../../../core/http.ts';
import { formatItalianTime } from '../../../core/i18n.ts';
import { languageLinks, pageCsrf, sendHtml } from '../../../core/ui.ts';
import { documentShell, spriteIcon } from '../../../core/web.ts';
import { appT, type AppT } from './messages.ts';
import { appCitizen } from './session.ts';

export type AppSection = 'messages' | 'payments' | 'services' | 'profile';

export interface AppPageInput {
  title: string;
  body: SafeHtml;
  /** The bottom navigation's current section. */
  active?: AppSection;
  status?: number;
  /** Nobody's page (the offline page the service worker keeps): no name, no navigation. */
  anonymous?: boolean;
}

/** The app's own static files (web/io): the script registering the service worker and the push button, icons, CSS. */
export const APP_ASSETS = '/assets/sportello/io';

const SECTIONS: readonly { section: AppSection; href: string; icon: string; label: Parameters<AppT>[0] }[] = [
  { section: 'messages', href: '/app/messaggi', icon: 'it-mail', label: 'navMessages' },
  { section: 'payments', href: '/app/pagamenti', icon: 'it-card', label: 'navPayments' },
  { section: 'services', href: '/app/servizi', icon: 'it-pa', label: 'navServices' },
  { section: 'profile', href: '/app/profilo', icon: 'it-user', label: 'navProfile' },
];

export type FlashKind = 'success' | 'danger' | 'info' | 'warning';

/** A notice shown once on the next page (after a POST's redirect). */
export function setFlash(request: FastifyRequest, kind: FlashKind, message: string): void {
  request.session.set('ioFlash', { kind, message });
}

function takeFlash(request: FastifyRequest): SafeHtml | '' {
  const flash = request.session?.data.ioFlash as { kind: FlashKind; message: string } | undefined;
  if (!flash) return '';
  request.session.unset('ioFlash');
  return html`<div role="status">${alert(flash.kind, flash.message)}</div>`;
}

export function appDocument(request: FastifyRequest, input: AppPageInput): string {
  const tr = appT(request.locale);
  const citizen = input.anonymous ? undefined : appCitizen(request);
  const bottomNav = citizen
    ? html`<nav class="io-bottom-nav fixed-bottom bg-white border-top" aria-label="${tr('mainNav')}"><ul class="nav nav-fill">${SECTIONS.map(
        (s) =>
          html`<li class="nav-item"><a class="nav-link py-2${s.section === input.active ? ' active fw-bold' : ''}" href="${s.href}"${attr('aria-current', s.section === input.active ? 'page' : null)}>${spriteIcon(s.icon, 'icon icon-sm d-block mx-auto')}<span class="small">${tr(s.label)}</span></a></li>`,
      )}</ul></nav>`
    : '';
  const signOut =
    citizen && request.pageCsrf
      ? html`<form method="post" action="/app/esci" class="d-inline">${pageCsrf(request)}<button type="submit" class="btn btn-link btn-sm text-white p-0" title="${tr('signedInAs', { name: `${citizen.givenName} ${citizen.familyName}` })}">${tr('signOut')}</button></form>`
      : '';
  return documentShell({
    locale: request.locale,
    title: `${input.title} — ${tr('brand')}`,
    head: html`<link rel="manifest" href="/app/manifest.webmanifest">
<meta name="theme-color" content="#0066cc">
<link rel="apple-touch-icon" href="${APP_ASSETS}/icon.svg">
<link rel="stylesheet" href="${APP_ASSETS}/app.css">
<script src="${APP_ASSETS}/app.js" defer></script>`,
    body: html`<div class="skiplinks"><a class="visually-hidden-focusable" href="#main">${tr('skipToContent')}</a></div>
<header class="it-header-slim-wrapper io-header"><div class="container"><div class="it-header-slim-wrapper-content">
  <a class="navbar-brand text-white fw-bold" href="/app/messaggi">${tr('brand')}<span class="visually-hidden"> — ${tr('tagline')}</span></a>
  <div class="it-header-slim-right-zone gap-3">${languageLinks(request, tr('languages'))}${signOut}</div>
</div></div></header>
<main id="main" class="container io-main my-3">
${takeFlash(request)}
${input.body}
</main>
${bottomNav}`,
  });
}

/** Sends an app page (never cached by the browser's HTTP cache: the service worker keeps what it may). */
export function appPage(request: FastifyRequest, reply: FastifyReply, input: AppPageInput): FastifyReply {
  return sendHtml(reply, appDocument(request, input), input.status ?? 200);
}

/** The error page of the app's HTML routes. */
export function appErrorPage(request: FastifyRequest, error: ErrorPageInput): string {
  const tr = appT(request.locale);
  const title = tr('errorTitle', { status: error.status });
  return appDocument(request, {
    title,
    body: html`<h1 class="h3">${title}</h1><p class="lead">${error.status === 404 ? tr('notFoundText') : error.status >= 500 ? error.title : (error.detail ?? error.title)}</p><p class="small text-muted">${tr('errorRequestId', { id: error.requestId })}</p><p><a class="btn btn-primary" href="/app/messaggi">${tr('backHome')}</a></p>`,
  });
}

/** A day and time as people in Italy read it. */
export const appDateTime = (locale: string, at: Date): string => formatItalianTime(locale, at, 'medium', 'short');
export const appDate = (locale: string, at: Date): string => formatItalianTime(locale, at, 'medium');
