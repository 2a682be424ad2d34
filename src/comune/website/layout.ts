// The page frame of a comune site after the Designers Italia "Comuni" model: slim header with the
// parent entity, languages and personal-area access; centre header with the ente; the navigation bar;
// the page rating on content pages; footer with its data, FAQ, inefficiency report and legal links.
import type { FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../../core/html.ts';
import { LOCALES, LOCALE_NAMES, type Locale } from '../../core/i18n.ts';
import { documentShell } from '../../core/web.ts';
import type { Tenant } from '../tenants/tenants.ts';
import { websiteT, type WebsiteT } from './messages.ts';
import { ratedPage } from '../ratings/model.ts';
import { FEEDBACK_ASSETS, ratingWidget } from '../ratings/widget.ts';

export interface PageInput {
  request: FastifyRequest;
  tenant?: Tenant;
  title: string;
  body: SafeHtml;
  description?: string;
  /** Breadcrumb trail after the home page. */
  breadcrumb?: { label: string; href?: string }[];
  /** The signed-in person's name for the header, if any. */
  signedInAs?: string;
  /** A page's own scripts (same-origin files: the CSP forbids inline ones). */
  scripts?: readonly string[];
  /** Whether the page ends with the page rating (the validator wants it on every content page). */
  feedback?: boolean;
}

/** URL of the current page in another language (keeps the path, sets ?lang=). */
function languageHref(request: FastifyRequest, locale: Locale): string {
  const url = new URL(request.url, 'http://x');
  url.searchParams.set('lang', locale);
  return `${url.pathname}?${url.searchParams.toString()}`;
}

function languageSwitch(request: FastifyRequest, languages: readonly Locale[], tr: WebsiteT): SafeHtml {
  return html`<nav class="nav-item" aria-label="${tr('layout.languages')}">
  <ul class="list-inline mb-0 language-switch">
    ${languages.map(
      (locale) => html`<li class="list-inline-item"><a class="nav-link text-white px-1" lang="${locale}" hreflang="${locale}" href="${languageHref(request, locale)}"
        ${request.locale === locale ? html`aria-current="true"` : ''}><abbr title="${LOCALE_NAMES[locale]}">${locale.toUpperCase()}</abbr><span class="visually-hidden"> – ${LOCALE_NAMES[locale]}</span></a></li>`,
    )}
  </ul>
</nav>`;
}

export function tenantLogo(tenant: Tenant): SafeHtml {
  return html`<img class="icon tenant-logo" src="/${tenant.slug}/logo.svg" alt="" width="82" height="82">`;
}

function header(input: PageInput, tr: WebsiteT): SafeHtml {
  const tenant = input.tenant;
  const languages = tenant?.languages ?? LOCALES;
  const home = tenant ? `/${tenant.slug}/` : '/';
  const access = tenant
    ? input.signedInAs
      ? html`<a class="btn btn-primary btn-icon btn-full" href="/${tenant.slug}/area-personale" data-element="personal-area-login">
          <span class="rounded-icon"><svg class="icon icon-primary" aria-hidden="true"><use href="/assets/bootstrap-italia/svg/sprites.svg#it-user"></use></svg></span>
          <span class="d-none d-lg-block">${input.signedInAs}</span></a>`
      : html`<a class="btn btn-primary btn-icon btn-full" href="/${tenant.slug}/accedi" data-element="personal-area-login">
          <span class="rounded-icon"><svg class="icon icon-primary" aria-hidden="true"><use href="/assets/bootstrap-italia/svg/sprites.svg#it-user"></use></svg></span>
          <span class="d-none d-lg-block">${tr('layout.personalAreaLogin')}</span></a>`
    : '';
  return html`<header class="it-header-wrapper">
  <div class="it-header-slim-wrapper">
    <div class="container"><div class="row"><div class="col-12">
      <div class="it-header-slim-wrapper-content">
        <span class="d-lg-block navbar-brand">${tenant?.parentEntity ?? tr('layout.platformName')}</span>
        <div class="it-header-slim-right-zone">
          ${languageSwitch(input.request, languages, tr)}
          <div class="it-access-top-wrapper">${access}</div>
        </div>
      </div>
    </div></div></div>
  </div>
  <div class="it-nav-wrapper">
    <div class="it-header-center-wrapper">
      <div class="container"><div class="row"><div class="col-12">
        <div class="it-header-center-content-wrapper">
          <div class="it-brand-wrapper">
            <a href="${home}" title="${tr('layout.goHome')}">
              ${tenant ? tenantLogo(tenant) : html`<img class="icon tenant-logo" src="/assets/sportello/stemma.svg" alt="" width="82" height="82">`}
              <div class="it-brand-text">
                <div class="it-brand-title">${tenant?.name ?? tr('layout.platformName')}</div>
                <div class="it-brand-tagline d-none d-md-block">${tenant ? tr('layout.tagline') : tr('layout.platformTagline')}</div>
              </div>
            </a>
          </div>
        </div>
      </div></div></div>
    </div>
    ${tenant ? navigation(tenant, tr) : ''}
  </div>
</header>`;
}

/** The main menu: only the sections this platform publishes (the model's other ones stay out until they exist). */
function navigation(tenant: Tenant, tr: WebsiteT): SafeHtml {
  return html`<div class="it-header-navbar-wrapper"><div class="container">
    <nav class="d-flex flex-wrap justify-content-between align-items-center py-1" aria-label="${tr('nav.main')}">
      <ul class="nav" data-element="main-navigation">
        <li class="nav-item"><a class="nav-link text-white fw-semibold" href="/${tenant.slug}/servizi" data-element="all-services">${tr('nav.services')}</a></li>
      </ul>
      <ul class="nav">
        <li class="nav-item"><a class="nav-link text-white" href="/${tenant.slug}/argomenti" data-element="all-topics">${tr('nav.topics')}</a></li>
      </ul>
    </nav>
  </div></div>`;
}

function breadcrumb(input: PageInput, tr: WebsiteT): SafeHtml {
  if (!input.tenant || !input.breadcrumb?.length) return html``;
  return html`<div class="container"><nav class="breadcrumb-container" aria-label="${tr('layout.breadcrumb')}" data-element="breadcrumb">
  <ol class="breadcrumb p-0">
    <li class="breadcrumb-item"><a href="/${input.tenant.slug}/">${tr('layout.home')}</a><span class="separator">/</span></li>
    ${input.breadcrumb.map((item, i, all) =>
      i === all.length - 1
        ? html`<li class="breadcrumb-item active" aria-current="page">${item.label}</li>`
        : html`<li class="breadcrumb-item"><a href="${item.href ?? '#'}">${item.label}</a><span class="separator">/</span></li>`,
    )}
  </ol>
</nav></div>`;
}

function footer(input: PageInput, tr: WebsiteT): SafeHtml {
  const tenant = input.tenant;
  if (!tenant) {
    return html`<footer class="it-footer" id="footer"><div class="it-footer-small-prints clearfix"><div class="container">
  <p class="text-white py-3 mb-0">${tr('layout.platformFooter')}</p></div></div></footer>`;
  }
  const base = `/${tenant.slug}`;
  return html`<footer class="it-footer" id="footer">
  <div class="it-footer-main"><div class="container">
    <div class="row"><div class="col-12 footer-items-wrapper logo-wrapper">
      <div class="it-brand-wrapper"><a href="${base}/">${tenantLogo(tenant)}<div class="it-brand-text"><div class="it-brand-title">${tenant.name}</div></div></a></div>
    </div></div>
    <div class="row">
      <div class="col-md-4 footer-items-wrapper">
        <h2 class="footer-heading-title h5">${tr('footer.contacts')}</h2>
        <address class="footer-info">
          ${tenant.name}<br>
          ${tenant.street ? html`${tenant.street}<br>` : ''}${tenant.postcode ?? ''}<br>
          ${tr('footer.fiscalCode')}: ${tenant.fiscalCode}<br>
          ${tenant.pec ? html`PEC: <a href="mailto:${tenant.pec}">${tenant.pec}</a><br>` : ''}
          ${tenant.email ? html`${tr('footer.email')}: <a href="mailto:${tenant.email}">${tenant.email}</a><br>` : ''}
          ${tenant.phone ? html`${tr('footer.phone')}: ${tenant.phone}` : ''}
        </address>
      </div>
      <div class="col-md-4 footer-items-wrapper">
        <h2 class="footer-heading-title h5">${tr('footer.services')}</h2>
        <ul class="footer-list">
          <li><a href="${base}/servizi">${tr('footer.allServices')}</a></li>
          <li><a href="${base}/accedi">${tr('layout.personalAreaLogin')}</a></li>
        </ul>
      </div>
      <div class="col-md-4 footer-items-wrapper">
        <h2 class="footer-heading-title h5">${tr('footer.help')}</h2>
        <ul class="footer-list">
          <li><a href="${base}/faq" data-element="faq">${tr('footer.faq')}</a></li>
          <li><a href="${base}/segnala-disservizio" data-element="report-inefficiency">${tr('footer.report')}</a></li>
        </ul>
      </div>
    </div>
  </div></div>
  <div class="it-footer-small-prints clearfix"><div class="container">
    <h2 class="visually-hidden">${tr('footer.legalLinks')}</h2>
    <ul class="it-footer-small-prints-list list-inline mb-0 d-flex flex-column flex-md-row">
      <li class="list-inline-item"><a href="${base}/privacy" data-element="privacy-policy-link">${tr('footer.privacy')}</a></li>
      <li class="list-inline-item"><a href="${base}/note-legali" data-element="legal-notes">${tr('footer.legalNotes')}</a></li>
      <li class="list-inline-item"><a href="${base}/cookie">${tr('footer.cookies')}</a></li>
      <li class="list-inline-item"><a href="${tenant.accessibilityUrl ?? `${base}/dichiarazione-accessibilita`}" data-element="accessibility-link">${tr('footer.accessibility')}</a></li>
    </ul>
  </div></div>
</footer>`;
}

/** The rating at the foot of a rated page; after a plain-form rating the page comes back with the thanks. */
function feedback(input: PageInput): SafeHtml | undefined {
  const tenant = input.tenant;
  const rated = tenant && input.feedback ? ratedPage(tenant.slug, new URL(input.request.url, 'http://x').pathname) : undefined;
  if (!tenant || !rated) return undefined;
  const thanked = (input.request.query as Record<string, unknown> | undefined)?.valutazione === 'grazie';
  return ratingWidget({ locale: input.request.locale, tenantSlug: tenant.slug, page: rated.page, thanked });
}

export function renderPage(input: PageInput): string {
  const tr = websiteT(input.request.locale);
  const rating = feedback(input);
  const scripts = [...(input.scripts ?? []), ...(rating ? [FEEDBACK_ASSETS.script] : [])];
  const siteName = input.tenant?.name ?? tr('layout.platformName');
  return documentShell({
    locale: input.request.locale,
    title: `${input.title} - ${siteName}`,
    description: input.description,
    head: html`${input.tenant ? html`<link rel="stylesheet" href="/${input.tenant.slug}/theme.css"><link rel="stylesheet" href="${FEEDBACK_ASSETS.style}">` : ''}${scripts.map((src) => html`<script src="${src}" defer></script>`)}`,
    body: html`<div class="skiplinks"><a class="visually-hidden-focusable" href="#main-container">${tr('layout.skipToContent')}</a>
<a class="visually-hidden-focusable" href="#footer">${tr('layout.skipToFooter')}</a></div>
${header(input, tr)}
${breadcrumb(input, tr)}
<main id="main-container" class="container my-4">
${input.body}
${rating ?? ''}
</main>
${footer(input, tr)}`,
  });
}
