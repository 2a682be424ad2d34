// Public pages: the list of comuni, each comune's home, login choice and legal pages, logo and theme.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { html } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { WEB_DIR } from '../../core/web.ts';
import { citizenLogin, requireTenant, type ComuneContext } from '../context.ts';
import { t } from '../messages.ts';
import { renderPage } from './layout.ts';
import { themeCss } from './theme.ts';
import { catalogT } from '../catalog/messages.ts';

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
    <a class="btn btn-primary" href="/${tenant.slug}/servizi" data-element="all-services">${catalogT(request.locale)('catalog.title')}</a>
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
    return sendPage(reply, renderPage({ request, tenant, title: tenant.name, body, signedInAs: signedInName(request) }));
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
    { path: 'note-legali', title: 'legal.notesTitle', text: 'legal.notesText' },
    { path: 'cookie', title: 'legal.cookieTitle', text: 'legal.cookieText' },
    { path: 'dichiarazione-accessibilita', title: 'legal.accessibilityTitle', text: 'legal.accessibilityText' },
  ] as const;
  for (const page of legalPages) {
    app.get(`/${page.path}`, { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
      const tenant = requireTenant(request);
      const tr = t(request.locale);
      const text = tr(page.text, { name: tenant.name, contact: tenant.pec ?? tenant.email ?? '' });
      const body = html`<h1>${tr(page.title)}</h1>
<div ${page.path === 'note-legali' ? html`data-element="legal-notes-section"` : ''}>
  <p ${page.path === 'note-legali' ? html`data-element="legal-notes-body"` : ''}>${text}</p>
</div>`;
      return sendPage(
        reply,
        renderPage({ request, tenant, title: tr(page.title), body, breadcrumb: [{ label: tr(page.title) }], signedInAs: signedInName(request) }),
      );
    });
  }
}
