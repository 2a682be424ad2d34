// Platform administration: platform admins create entes (tenants) and their administrators.
// Pages for people, and a JSON API for provisioning scripts authenticated with an API key.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { checkFormCsrf, formCsrfToken, redirectTo } from '../../core/auth/sessions.ts';
import { verifyApiKey } from '../../core/auth/api-keys.ts';
import { HttpProblem, forbidden, unauthorized } from '../../core/problem.ts';
import { LOCALES, type Locale } from '../../core/i18n.ts';
import { actorOf, staffLogin, type ComuneContext, type StaffLogin } from '../context.ts';
import { may } from '../policies.ts';
import { t, type ComuneT } from '../messages.ts';
import { alert, csrfField, errorSummary, problemFieldErrors, runFormCommand, textField, type FieldErrors } from '../../core/forms.ts';
import { renderPage } from '../website/layout.ts';
import { sendPage } from '../website/routes.ts';
import { registerStaffLogin } from '../staff/login-routes.ts';
import { createStaffUser, createTenant } from '../commands.ts';
import { TenantContactFields, type Tenant } from '../tenants/tenants.ts';

export const PLATFORM_API_KEY_OWNER = 'platform';

const TenantBody = Type.Object(
  {
    slug: Type.String({ maxLength: 60, examples: ['comune-di-bugliano'] }),
    name: Type.String({ maxLength: 200 }),
    ipaCode: Type.String({ maxLength: 20, description: 'code of the ente in the IPA index' }),
    fiscalCode: Type.String({ maxLength: 11, description: "the ente's 11-digit codice fiscale" }),
    istatCode: Type.String({ maxLength: 6, description: 'ISTAT code of the municipality' }),
    primaryColor: Type.Optional(Type.String({ maxLength: 7 })),
    languages: Type.Optional(Type.Array(Type.Union(LOCALES.map((l) => Type.Literal(l))), { maxItems: 3, uniqueItems: true })),
    ...TenantContactFields,
  },
  { additionalProperties: false },
);

const TenantOut = Type.Object({
  id: Type.String({ format: 'uuid' }),
  slug: Type.String(),
  name: Type.String(),
  ipaCode: Type.String(),
  fiscalCode: Type.String(),
  istatCode: Type.String(),
  languages: Type.Array(Type.String()),
  url: Type.String(),
});

function tenantOut(comune: ComuneContext, tenant: Tenant): Static<typeof TenantOut> {
  return {
    id: tenant.id,
    slug: tenant.slug,
    name: tenant.name,
    ipaCode: tenant.ipaCode,
    fiscalCode: tenant.fiscalCode,
    istatCode: tenant.istatCode,
    languages: tenant.languages,
    url: `${comune.app.config.urls.comune}/${tenant.slug}/`,
  };
}

function requirePlatformAdmin(request: FastifyRequest, reply: FastifyReply): StaffLogin | undefined {
  const staff = staffLogin(request);
  if (!staff) {
    void redirectTo(reply, '/admin/accedi');
    return undefined;
  }
  if (!may(actorOf(request), { type: 'platform.manageTenants' })) throw forbidden();
  return staff;
}

const invalidFieldErrors = (problem: HttpProblem, tr: ComuneT): FieldErrors => problemFieldErrors(problem, (_field, detail) => tr('admin.invalidField', { detail }));

export function registerAdmin(app: App, comune: ComuneContext): void {
  registerStaffLogin(app, comune, { loginPath: '/admin/accedi', homePath: () => '/admin', scope: () => null, title: 'staff.adminLoginTitle' });

  async function adminPage(request: FastifyRequest, extra: { tenantErrors?: FieldErrors; adminErrors?: FieldErrors; values?: Record<string, string>; message?: SafeHtml } = {}) {
    const tr = t(request.locale);
    const token = formCsrfToken(request, comune.app.secret);
    const tenants = await comune.tenants.list();
    const v = extra.values ?? {};
    const te = extra.tenantErrors ?? {};
    const ae = extra.adminErrors ?? {};
    const body = html`<div class="d-flex justify-content-between"><h1>${tr('admin.title')}</h1>
<form method="post" action="/admin/esci">${csrfField(token)}<button class="btn btn-sm btn-outline-secondary" type="submit">${tr('staff.signOut')}</button></form></div>
${extra.message ?? ''}
<h2 class="h4">${tr('admin.tenants')}</h2>
<div class="table-responsive"><table class="table">
  <thead><tr><th scope="col">${tr('admin.tenantName')}</th><th scope="col">${tr('admin.slug')}</th><th scope="col">${tr('admin.ipaCode')}</th><th scope="col">${tr('admin.istatCode')}</th></tr></thead>
  <tbody>${tenants.map((x) => html`<tr><td><a href="/${x.slug}/">${x.name}</a></td><td>${x.slug}</td><td>${x.ipaCode}</td><td>${x.istatCode}</td></tr>`)}</tbody>
</table></div>
<div class="row mt-4">
<section class="col-lg-6" aria-labelledby="new-tenant"><h2 id="new-tenant" class="h4">${tr('admin.newTenant')}</h2>
${errorSummary(te, tr('area.errorSummary', { count: Object.keys(te).length }))}
<form method="post" action="/admin/enti" novalidate>${csrfField(token)}
  ${textField({ name: 'name', label: tr('admin.tenantName'), value: v.name, error: te.name, required: true })}
  ${textField({ name: 'slug', label: tr('admin.slug'), value: v.slug, error: te.slug, required: true })}
  ${textField({ name: 'ipaCode', label: tr('admin.ipaCode'), value: v.ipaCode, error: te.ipaCode, required: true })}
  ${textField({ name: 'fiscalCode', label: tr('admin.fiscalCode'), value: v.fiscalCode, error: te.fiscalCode, required: true, inputmode: 'numeric' })}
  ${textField({ name: 'istatCode', label: tr('admin.istatCode'), value: v.istatCode, error: te.istatCode, required: true, inputmode: 'numeric' })}
  ${textField({ name: 'pec', label: 'PEC', type: 'email', value: v.pec, error: te.pec })}
  <button class="btn btn-primary" type="submit">${tr('backoffice.create')}</button>
</form></section>
<section class="col-lg-6" aria-labelledby="new-admin"><h2 id="new-admin" class="h4">${tr('admin.newTenantAdmin')}</h2>
${errorSummary(ae, tr('area.errorSummary', { count: Object.keys(ae).length }))}
<form method="post" action="/admin/amministratori" novalidate>${csrfField(token)}
  <div class="select-wrapper mb-3"><label for="field-tenantId">${tr('admin.tenant')}</label>
    <select id="field-tenantId" name="tenantId">${tenants.map((x) => html`<option value="${x.id}">${x.name}</option>`)}</select></div>
  ${textField({ name: 'givenName', label: tr('backoffice.givenName'), value: v.givenName, error: ae.givenName, required: true })}
  ${textField({ name: 'familyName', label: tr('backoffice.familyName'), value: v.familyName, error: ae.familyName, required: true })}
  ${textField({ name: 'email', label: tr('staff.email'), type: 'email', value: v.email, error: ae.email, required: true })}
  ${textField({ name: 'password', label: tr('staff.password'), type: 'password', autocomplete: 'new-password', error: ae.password, help: tr('backoffice.passwordRule'), required: true })}
  <button class="btn btn-primary" type="submit">${tr('backoffice.create')}</button>
</form></section></div>`;
    return renderPage({ request, title: tr('admin.title'), body });
  }

  app.get('/admin', { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
    if (!requirePlatformAdmin(request, reply)) return reply;
    return sendPage(reply, await adminPage(request));
  });

  const FormBody = Type.Record(Type.String(), Type.String({ maxLength: 300 }));

  app.post('/admin/enti', { config: { html: true }, schema: { hide: true, body: FormBody } }, async (request, reply) => {
    checkFormCsrf(request, comune.app.secret);
    const staff = requirePlatformAdmin(request, reply);
    if (!staff) return reply;
    const tr = t(request.locale);
    const b = request.body;
    const outcome = await runFormCommand(
      () =>
        createTenant(
          comune.db,
          { slug: b.slug ?? '', name: b.name ?? '', ipaCode: b.ipaCode ?? '', fiscalCode: b.fiscalCode ?? '', istatCode: b.istatCode ?? '', pec: b.pec || null },
          { type: 'platform_admin', id: staff.id, requestId: request.id },
        ),
      (problem) => (problem.status === 409 ? { slug: tr('admin.tenantTaken') } : invalidFieldErrors(problem, tr)),
    );
    if (!outcome.ok) return sendPage(reply, await adminPage(request, { tenantErrors: outcome.errors, values: b }), outcome.status);
    return sendPage(reply, await adminPage(request, { message: alert('success', tr('admin.tenantCreated', { name: outcome.value.name })) }), 201);
  });

  app.post('/admin/amministratori', { config: { html: true }, schema: { hide: true, body: FormBody } }, async (request, reply) => {
    checkFormCsrf(request, comune.app.secret);
    const staff = requirePlatformAdmin(request, reply);
    if (!staff) return reply;
    const tr = t(request.locale);
    const b = request.body;
    const tenant = await comune.tenants.byId(b.tenantId ?? '');
    const outcome = await runFormCommand(
      () =>
        createStaffUser(
          comune.db,
          { tenantId: tenant?.id ?? '', role: 'tenant_admin', email: b.email ?? '', givenName: b.givenName ?? '', familyName: b.familyName ?? '', password: b.password ?? '' },
          { type: 'platform_admin', id: staff.id, requestId: request.id },
        ),
      (problem) => (problem.status === 409 ? { email: tr('backoffice.emailTaken') } : invalidFieldErrors(problem, tr)),
    );
    if (!outcome.ok) return sendPage(reply, await adminPage(request, { adminErrors: outcome.errors, values: { ...b, password: '' } }), outcome.status);
    return sendPage(reply, await adminPage(request, { message: alert('success', tr('backoffice.created', { email: outcome.value.email })) }), 201);
  });

  // Provisioning API: list is public (the directory of entes); creating needs a platform API key.
  app.get('/api/v1/tenants', { config: { rateLimit: { max: 300, timeWindow: '1 minute' } }, schema: { tags: ['tenants'], summary: 'The entes on this platform', response: { 200: Type.Array(TenantOut) } } }, async () =>
    (await comune.tenants.list()).filter((x) => x.active).map((x) => tenantOut(comune, x)),
  );

  app.post(
    '/api/v1/tenants',
    {
      config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: {
        tags: ['tenants'],
        summary: 'Creates an ente (platform API key with scope tenants:write)',
        security: [{ bearerAuth: [] }],
        headers: Type.Object({ authorization: Type.Optional(Type.String()) }),
        body: TenantBody,
        response: { 201: TenantOut, 400: { $ref: 'Problem#' }, 401: { $ref: 'Problem#' }, 403: { $ref: 'Problem#' }, 409: { $ref: 'Problem#' } },
      },
    },
    async (request, reply) => {
      const header = request.headers.authorization ?? '';
      const key = header.startsWith('Bearer ') ? await verifyApiKey(comune.db, 'comune', header.slice(7)) : undefined;
      if (!key) throw unauthorized('A valid platform API key is required (Authorization: Bearer <key>).');
      if (key.ownerType !== PLATFORM_API_KEY_OWNER || !key.scopes.includes('tenants:write')) throw forbidden('This API key may not create tenants.');
      const tenant = await createTenant(comune.db, { ...request.body, languages: request.body.languages as Locale[] | undefined }, { type: 'api_key', id: key.id, requestId: request.id });
      return reply.status(201).header('location', `/api/v1/tenants/${tenant.slug}`).send(tenantOut(comune, tenant));
    },
  );

  app.get(
    '/api/v1/tenants/:slug',
    { schema: { tags: ['tenants'], summary: 'One ente', params: Type.Object({ slug: Type.String() }), response: { 200: TenantOut, 404: { $ref: 'Problem#' } } } },
    async (request) => {
      const tenant = await comune.tenants.bySlug(request.params.slug);
      if (!tenant) throw new HttpProblem(404, { detail: `No tenant ${request.params.slug}` });
      return tenantOut(comune, tenant);
    },
  );
}
