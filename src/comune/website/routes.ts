// Public pages: the list of comuni, each comune's home, FAQ, inefficiency report and legal pages, logo and theme.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { html, type SafeHtml } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { WEB_DIR } from '../../core/web.ts';
import { citizenLogin, requireTenant, type ComuneContext } from '../context.ts';
import { t } from '../messages.ts';
import { renderPage } from './layout.ts';
import { themeCss } from './theme.ts';
import { catalogT } from '../catalog/messages.ts';
import { websiteT, type WebsiteT } from './messages.ts';
import type { Tenant } from '../tenants/tenants.ts';

const DEFAULT_LOGO = fs.readFileSync(path.join(WEB_DIR, 'stemma.svg'), 'utf8');

export function sendPage(reply: FastifyReply, page: string, status = 200) {
  return reply.status(status).type('text/html; charset=utf-8').send(page);
}

export function signedInName(request: FastifyRequest): string | undefined {
  const login = citizenLogin(request);
  return login && `${login.givenName} ${login.familyName}`;
}

const TenantParams = Type.Object({ tenant: Type.String() });

export function registerPlatformPages(app: App, comune: ComuneContext): void {
  app.get('/', { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
    const tr = t(request.locale);
    const tenants = (await comune.tenants.list()).filter((tenant) => tenant.active);
    const body = html`<h1>${tr('platform.title')}</h1>
<p class="lead">${tr('platform.intro')}</p>
<div class="row">
${tenants.map(
  (tenant) => html`<div class="col-12 col-md-6 col-lg-4 mb-3"><div class="card card-bg shadow-sm"><div class="card-body">
  <h2 class="card-title h4">${tenant.name}</h2>
  <p class="card-text">${tenant.parentEntity ?? ''}</p>
  <a class="btn btn-primary" href="/${tenant.slug}/">${tr('platform.visit', { name: tenant.name })}</a>
</div></div></div>`,
)}
</div>
<p><a href="/admin/accedi">${tr('platform.staff')}</a></p>`;
    return sendPage(reply, renderPage({ request, title: tr('platform.title'), body }));
  });
}

/** The ente's general contacts as a list; an e-mail subject, if given, prefills the message. */
function contacts(tenant: Tenant, tr: WebsiteT, subject?: string): SafeHtml {
  const mailto = (address: string) => `mailto:${address}${subject ? `?subject=${encodeURIComponent(subject)}` : ''}`;
  const items = [
    tenant.email ? html`<li>${tr('footer.email')}: <a href="${mailto(tenant.email)}">${tenant.email}</a></li>` : '',
    tenant.pec ? html`<li>PEC: <a href="${mailto(tenant.pec)}">${tenant.pec}</a></li>` : '',
    tenant.phone ? html`<li>${tr('footer.phone')}: <a href="tel:${tenant.phone.replace(/[^+\d]/g, '')}">${tenant.phone}</a></li>` : '',
    tenant.street ? html`<li>${tenant.street}${tenant.postcode ? ` ${tenant.postcode}` : ''}</li>` : '',
  ].filter((item) => item !== '');
  return items.length ? html`<ul>${items}</ul>` : html`<p>${tr('report.noContacts')}</p>`;
}

export function registerTenantPages(app: App, comune: ComuneContext): void {
  app.get('/', { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const tenant = requireTenant(request);
    const tr = t(request.locale);
    const body = html`<div class="row">
  <div class="col-lg-8">
    <h1>${tr('home.title', { name: tenant.name })}</h1>
    <p class="lead">${tr('home.intro')}</p>
  </div>
</div>
<div class="row mt-4">
  <div class="col-12 mb-3"><div class="card card-bg shadow-sm h-100"><div class="card-body">
    <h2 class="card-title h4">${catalogT(request.locale)('catalog.title')}</h2>
    <p class="card-text">${catalogT(request.locale)('catalog.intro')}</p>
    <a class="btn btn-primary" href="/${tenant.slug}/servizi">${catalogT(request.locale)('catalog.title')}</a>
  </div></div></div>
  <div class="col-12 col-md-6 mb-3"><div class="card card-bg shadow-sm h-100"><div class="card-body">
    <h2 class="card-title h4">${websiteT(request.locale)('home.topicsTitle')}</h2>
    <p class="card-text">${websiteT(request.locale)('home.topicsText')}</p>
    <a class="btn btn-primary" href="/${tenant.slug}/argomenti">${websiteT(request.locale)('home.topicsTitle')}</a>
  </div></div></div>
  <div class="col-12 col-md-6 mb-3"><div class="card card-bg shadow-sm h-100"><div class="card-body">
    <h2 class="card-title h4">${tr('home.personalArea')}</h2>
    <p class="card-text">${tr('home.personalAreaText')}</p>
    <a class="btn btn-primary" href="/${tenant.slug}/${citizenLogin(request) ? 'area-personale' : 'accedi'}">${tr('layout.personalAreaLogin')}</a>
  </div></div></div>
  <div class="col-12 col-md-6 mb-3"><div class="card card-bg shadow-sm h-100"><div class="card-body">
    <h2 class="card-title h4">${tr('home.contactsTitle')}</h2>
    <p class="card-text">${tenant.street ?? ''} ${tenant.postcode ?? ''}</p>
    ${tenant.pec ? html`<p class="card-text">PEC: <a href="mailto:${tenant.pec}">${tenant.pec}</a></p>` : ''}
    ${tenant.phone ? html`<p class="card-text">${tr('footer.phone')}: ${tenant.phone}</p>` : ''}
  </div></div></div>
</div>
<p class="mt-4"><a href="/${tenant.slug}/backoffice/accedi">${tr('home.staff')}</a></p>`;
    return sendPage(reply, renderPage({ request, tenant, title: tenant.name, body, signedInAs: signedInName(request), feedback: true }));
  });

  app.get('/faq', { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const tenant = requireTenant(request);
    const tr = websiteT(request.locale);
    const questions = ['access', 'area', 'times', 'language'] as const;
    const body = html`<h1>${tr('faq.title')}</h1>
<p class="lead">${tr('faq.intro', { name: tenant.name })}</p>
${questions.map((q) => html`<section class="mb-4" aria-labelledby="faq-${q}"><h2 class="h5" id="faq-${q}">${tr(`faq.q.${q}`)}</h2><p>${tr(`faq.a.${q}`)}</p></section>`)}
<section class="mb-4" aria-labelledby="faq-contact"><h2 class="h5" id="faq-contact">${tr('faq.q.contact')}</h2><p>${tr('faq.a.contact')}</p>${contacts(tenant, tr)}</section>`;
    return sendPage(reply, renderPage({ request, tenant, title: tr('faq.title'), body, breadcrumb: [{ label: tr('faq.title') }], signedInAs: signedInName(request), feedback: true }));
  });

  // Until the reports room exists, this page says so and gives the ente's own channels (validator C.SI.2.4).
  app.get('/segnala-disservizio', { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const tenant = requireTenant(request);
    const tr = websiteT(request.locale);
    const body = html`<h1>${tr('report.title')}</h1>
<p class="lead">${tr('report.intro')}</p>
<div class="alert alert-info" role="status">${tr('report.notYet')}</div>
<p>${tr('report.meanwhile')}</p>
${contacts(tenant, tr, tr('report.mailSubject'))}
<p>${tr('report.emergency')}</p>`;
    return sendPage(reply, renderPage({ request, tenant, title: tr('report.title'), body, breadcrumb: [{ label: tr('report.title') }], signedInAs: signedInName(request), feedback: true }));
  });

  app.get('/logo.svg', { schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const tenant = requireTenant(request);
    // Uploaded SVGs may carry scripts: serve them sandboxed, and they are only ever used through <img>.
    return reply
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
      .type('image/svg+xml')
      .send(tenant.logoSvg ?? DEFAULT_LOGO);
  });

  app.get('/theme.css', { schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const tenant = requireTenant(request);
    return reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(themeCss(tenant.primaryColor));
  });

  const legalPages = [
    { path: 'privacy', title: 'legal.privacyTitle', text: 'legal.privacyText' },
    // The legal notes carry the model's licence section instead (see below).
    { path: 'note-legali', title: 'legal.notesTitle', text: undefined },
    { path: 'cookie', title: 'legal.cookieTitle', text: 'legal.cookieText' },
    { path: 'dichiarazione-accessibilita', title: 'legal.accessibilityTitle', text: 'legal.accessibilityText' },
  ] as const;
  for (const page of legalPages) {
    app.get(`/${page.path}`, { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
      const tenant = requireTenant(request);
      const tr = t(request.locale);
      const licence = websiteT(request.locale);
      const body = page.text
        ? html`<h1>${tr(page.title)}</h1>
<p>${tr(page.text, { name: tenant.name, contact: tenant.pec ?? tenant.email ?? '' })}</p>`
        : html`<h1>${tr(page.title)}</h1>
<section aria-labelledby="licence-title"><h2 class="h4" id="licence-title" data-element="legal-notes-section">${licence('legal.licenceTitle')}</h2>
  <p data-element="legal-notes-body">${licence('legal.licenceText')}</p></section>`;
      return sendPage(
        reply,
        renderPage({ request, tenant, title: tr(page.title), body, breadcrumb: [{ label: tr(page.title) }], signedInAs: signedInName(request) }),
      );
    });
  }
}
