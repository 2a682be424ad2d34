// The page frame of the national platforms' web pages (ANPR, PDND console, …): Bootstrap Italia header
// with language switch, an optional navigation bar with the signed-in user, main, footer; and small
// pieces every such page uses. The comune sites have their own, richer layout (src/comune/website).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formCsrfToken, registerSessions, type SessionOptions } from './auth/sessions.ts';
import { csrfField } from './forms.ts';
import { attr, html, type SafeHtml } from './html.ts';
import type { App } from './http.ts';
import { LOCALE_NAMES, LOCALES, type Translate } from './i18n.ts';
import { documentShell, registerAssets } from './web.ts';

/** Sends a rendered page; pages carry personal data, so they are never cached. */
export function sendHtml(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
}

/** it · en · de links to the same page, the current one marked. */
export function languageLinks(request: FastifyRequest, label: string, linkClass = 'text-white'): SafeHtml {
  const path = request.url.split('?')[0]!;
  return html`<nav aria-label="${label}"><ul class="list-inline mb-0">${LOCALES.map(
    (locale) =>
      html`<li class="list-inline-item"><a class="${linkClass}" href="${path}?lang=${locale}" lang="${locale}" hreflang="${locale}"${attr('aria-current', locale === request.locale ? 'true' : null)}>${LOCALE_NAMES[locale]}</a></li>`,
  )}</ul></nav>`;
}

export interface NavLink {
  label: string;
  href: string;
}

export interface PlatformPageInput {
  request: FastifyRequest;
  /** The document title (the brand is appended). */
  title: string;
  main: SafeHtml;
  chrome: {
    brand: string;
    tagline: string;
    homeHref: string;
    footer: string;
    skipToContent: string;
    languages: string;
    mainNav: string;
  };
  /** Shown when someone is signed in. */
  nav?: readonly NavLink[];
  /** Right side of the navigation bar, e.g. the user's name and a sign-out form. */
  user?: SafeHtml;
  breadcrumb?: readonly { label: string; href?: string }[];
  breadcrumbLabel?: string;
}

export function platformPage(input: PlatformPageInput): string {
  const { request, chrome } = input;
  const path = request.url.split('?')[0]!;
  const within = (href: string) => path === href || (href !== input.chrome.homeHref && path.startsWith(`${href}/`));
  // One current link: the most specific one (a section's home is a prefix of its other pages).
  const currentHref = (input.nav ?? []).map((l) => l.href).filter(within).sort((a, b) => b.length - a.length)[0];
  const current = (href: string) => href === currentHref;
  const nav =
    input.nav?.length || input.user
      ? html`<nav class="navbar navbar-expand-lg bg-light mb-4" aria-label="${chrome.mainNav}"><div class="container"><ul class="navbar-nav flex-row flex-wrap">
        ${(input.nav ?? []).map((link) => html`<li class="nav-item me-3"><a class="nav-link${current(link.href) ? ' active' : ''}" href="${link.href}"${attr('aria-current', current(link.href) ? 'page' : null)}>${link.label}</a></li>`)}
      </ul>${input.user ? html`<div class="ms-auto d-flex align-items-center gap-2">${input.user}</div>` : ''}</div></nav>`
      : '';
  const breadcrumb = input.breadcrumb?.length
    ? html`<nav class="breadcrumb-container" aria-label="${input.breadcrumbLabel ?? 'Breadcrumb'}"><ol class="breadcrumb">
        <li class="breadcrumb-item"><a href="${chrome.homeHref}">${chrome.brand}</a><span class="separator">/</span></li>
        ${input.breadcrumb.map((b, i) =>
          i === input.breadcrumb!.length - 1
            ? html`<li class="breadcrumb-item active" aria-current="page">${b.label}</li>`
            : html`<li class="breadcrumb-item">${b.href ? html`<a href="${b.href}">${b.label}</a>` : b.label}<span class="separator">/</span></li>`,
        )}
      </ol></nav>`
    : '';
  return documentShell({
    locale: request.locale,
    title: `${input.title} — ${chrome.brand}`,
    body: html`<div class="skiplinks"><a class="visually-hidden-focusable" href="#main">${chrome.skipToContent}</a></div>
<header class="it-header-wrapper">
  <div class="it-header-slim-wrapper"><div class="container"><div class="it-header-slim-wrapper-content">
    <span class="navbar-brand">${chrome.brand}</span>
    <div class="it-header-slim-right-zone">${languageLinks(request, chrome.languages)}</div>
  </div></div></div>
  <div class="it-header-center-wrapper"><div class="container"><div class="it-header-center-content-wrapper">
    <div class="it-brand-wrapper"><a href="${chrome.homeHref}"><div class="it-brand-text"><div class="it-brand-title text-white">${chrome.brand}</div><div class="it-brand-tagline text-white d-none d-md-block">${chrome.tagline}</div></div></a></div>
  </div></div></div>
</header>
${nav}
<main id="main" class="container my-4">
${breadcrumb}
${input.main}
</main>
<footer class="it-footer"><div class="it-footer-small-prints py-3"><div class="container"><p class="text-white mb-0">${chrome.footer}</p></div></div></footer>`,
  });
}

/** A table with a caption for screen readers; `empty` when there are no rows. */
export function dataTable(caption: string, headings: readonly string[], rows: readonly (readonly (SafeHtml | string | number)[])[], empty: string): SafeHtml {
  if (!rows.length) return html`<p>${empty}</p>`;
  return html`<div class="table-responsive"><table class="table"><caption class="visually-hidden">${caption}</caption>
<thead><tr>${headings.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows.map((cells) => html`<tr>${cells.map((c) => html`<td>${c}</td>`)}</tr>`)}</tbody></table></div>`;
}

export interface PaginationLabels {
  /** The navigation landmark's name. */
  nav: string;
  previous: string;
  next: string;
  /** "Page n of pages", for assistive technology. */
  page: (page: number, pages: number) => string;
}

/** The page asked for, kept within the pages that `total` rows make, and where it starts. */
export function pageOf(total: number, page: number, size: number): { page: number; pages: number; offset: number } {
  const pages = Math.max(1, Math.ceil(total / size));
  const current = Math.min(Math.max(1, Math.trunc(page) || 1), pages);
  return { page: current, pages, offset: (current - 1) * size };
}

/** Bootstrap Italia pagination: previous, the first, last and nearby pages, next; the current one marked for assistive technology. */
export function pagination(labels: PaginationLabels, page: number, pages: number, href: (n: number) => string): SafeHtml | '' {
  if (pages <= 1) return '';
  const shown = [...new Set([1, page - 1, page, page + 1, pages])].filter((n) => n >= 1 && n <= pages).sort((x, y) => x - y);
  const items = shown.flatMap((n, i) => {
    const gap = i > 0 && n - shown[i - 1]! > 1 ? [html`<li class="page-item"><span class="page-link" aria-hidden="true">…</span></li>`] : [];
    const item =
      n === page
        ? html`<li class="page-item active"><a class="page-link" href="${href(n)}" aria-current="page"><span class="visually-hidden">${labels.page(n, pages)}</span><span aria-hidden="true">${n}</span></a></li>`
        : html`<li class="page-item"><a class="page-link" href="${href(n)}" aria-label="${labels.page(n, pages)}">${n}</a></li>`;
    return [...gap, item];
  });
  const step = (n: number, label: string, rel: string) =>
    n >= 1 && n <= pages
      ? html`<li class="page-item"><a class="page-link" href="${href(n)}" rel="${rel}">${label}</a></li>`
      : html`<li class="page-item disabled"><span class="page-link">${label}</span></li>`;
  return html`<nav class="pagination-wrapper" aria-label="${labels.nav}"><ul class="pagination">${step(page - 1, labels.previous, 'prev')}${items}${step(page + 1, labels.next, 'next')}</ul></nav>`;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The CSRF token of the page's forms (set by registerPageCsrf on page routes, which have a session). */
    pageCsrf?: () => string;
  }
}

/** Gives the page routes registered after it (inside the plugin with the session) their forms' CSRF token. */
export function registerPageCsrf(pages: App, secret: string): void {
  pages.addHook('onRequest', async (request) => {
    request.pageCsrf = () => formCsrfToken(request, secret);
  });
}

/**
 * An app's HTML pages: Bootstrap Italia's assets (unless another area of the app registered them) and an
 * encapsulated scope with the app's session cookie and CSRF token, in which `routes` registers the pages.
 */
export async function registerPageScope(app: App, session: SessionOptions, routes: (pages: App) => Promise<void>): Promise<void> {
  if (!app.hasRoute({ method: 'GET', url: '/assets/bootstrap-italia/*' })) await registerAssets(app);
  await app.register(async (instance: FastifyInstance) => {
    const pages = instance as App;
    registerSessions(pages, session);
    registerPageCsrf(pages, session.secret);
    await routes(pages);
  });
}

/** The hidden CSRF field of a form on a page. */
export function pageCsrf(request: FastifyRequest): SafeHtml {
  if (!request.pageCsrf) throw new Error('forms need the page session (register the route after registerPageCsrf)');
  return csrfField(request.pageCsrf());
}

/** The keys of the frame's strings, which the catalog of every platform framed by `framedPage` has. */
export type FrameKey = 'brand' | 'tagline' | 'footer' | 'skipToContent' | 'languages' | 'mainNav' | 'breadcrumb' | 'signedInAs' | 'signOut';

export interface FramedPageInput {
  title: string;
  main: SafeHtml;
  breadcrumb?: readonly { label: string; href?: string }[];
  nav?: readonly NavLink[];
  /** Who is signed in (shown with a sign-out button posting to `signOut`). */
  signedIn?: { name: string; signOut: string };
}

/** A platform's page in its catalog's words, the brand leading home to /, the signed-in person's sign-out where the page has a session. */
export function framedPage(request: FastifyRequest, tr: Translate<FrameKey>, input: FramedPageInput): string {
  const { signedIn } = input;
  return platformPage({
    request,
    title: input.title,
    main: input.main,
    breadcrumb: input.breadcrumb,
    breadcrumbLabel: tr('breadcrumb'),
    chrome: { brand: tr('brand'), tagline: tr('tagline'), homeHref: '/', footer: tr('footer'), skipToContent: tr('skipToContent'), languages: tr('languages'), mainNav: tr('mainNav') },
    nav: input.nav,
    user:
      signedIn && request.pageCsrf
        ? html`<span>${tr('signedInAs', { name: signedIn.name })}</span><form method="post" action="${signedIn.signOut}">${pageCsrf(request)}<button type="submit" class="btn btn-outline-primary btn-sm">${tr('signOut')}</button></form>`
        : undefined,
  });
}
