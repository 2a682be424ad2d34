// The operators' desk of one ente, and the tenant admin's pages for operators and the activity log.
import { formatItalianTime } from '../../core/i18n.ts';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { listAudit } from '../../core/audit.ts';
import { checkFormCsrf, formCsrfToken, redirectTo } from '../../core/auth/sessions.ts';
import { generateTotpSecret } from '../../core/auth/totp.ts';
import { forbidden } from '../../core/problem.ts';
import { actorOf, requireTenant, staffLogin, type ComuneContext, type StaffLogin } from '../context.ts';
import { may, type Action } from '../policies.ts';
import { t, type ComuneT } from '../messages.ts';
import { alert, csrfField, errorSummary, problemFieldErrors, runFormCommand, textField, type FieldErrors } from '../../core/forms.ts';
import { renderPage } from '../website/layout.ts';
import { sendPage } from '../website/routes.ts';
import { registerStaffLogin } from '../staff/login-routes.ts';
import { createStaffUser } from '../commands.ts';
import { INTEROP_PATH } from '../interop/routes.ts';
import { interopT } from '../interop/messages.ts';
import { OFFICES_ADMIN_PATH, SERVICES_ADMIN_PATH } from '../catalog/admin.ts';
import { catalogT } from '../catalog/messages.ts';
import { DESK_PATH } from '../desk/model.ts';
import { deskT } from '../desk/messages.ts';
import { INTEGRATIONS_PATH } from '../webhooks/admin.ts';
import { FORMS_ADMIN_PATH } from '../forms/builder.ts';
import { builderT } from '../forms/builder-messages.ts';
import { integrationsT } from '../webhooks/messages.ts';
import { RATINGS_ADMIN_PATH } from '../ratings/routes.ts';
import { ratingT } from '../ratings/messages.ts';

const TenantParams = Type.Object({ tenant: Type.String() });

/** The staff member if the policy allows the action; otherwise a redirect to login or a 403. */
export function guard(request: FastifyRequest, reply: FastifyReply, action: Action): StaffLogin | undefined {
  const staff = staffLogin(request);
  if (!staff) {
    void redirectTo(reply, `/${requireTenant(request).slug}/backoffice/accedi`);
    return undefined;
  }
  if (!may(actorOf(request), action)) throw forbidden();
  return staff;
}

export function desk(request: FastifyRequest, staff: StaffLogin, title: string, content: SafeHtml, comune: ComuneContext, scripts?: readonly string[]): string {
  const tenant = requireTenant(request);
  const tr = t(request.locale);
  const token = formCsrfToken(request, comune.app.secret);
  const links: [string, string][] = [
    [`/${tenant.slug}/backoffice`, tr('backoffice.title')],
    [`/${tenant.slug}${DESK_PATH}`, deskT(request.locale)('desk.title')],
  ];
  if (staff.role === 'tenant_admin') {
    links.push(
      [`/${tenant.slug}/backoffice/operatori`, tr('backoffice.operators')],
      [`/${tenant.slug}${SERVICES_ADMIN_PATH}`, catalogT(request.locale)('catalog.admin.services')],
      [`/${tenant.slug}${OFFICES_ADMIN_PATH}`, catalogT(request.locale)('catalog.admin.offices')],
      [`/${tenant.slug}/backoffice/ente`, tr('settings.title')],
      [`/${tenant.slug}${INTEROP_PATH}`, interopT(request.locale)('interop.title')],
      [`/${tenant.slug}${FORMS_ADMIN_PATH}`, builderT(request.locale)('builder.title')],
      [`/${tenant.slug}${INTEGRATIONS_PATH}`, integrationsT(request.locale)('integrations.title')],
      [`/${tenant.slug}${RATINGS_ADMIN_PATH}`, ratingT(request.locale)('rating.admin.title')],
      [`/${tenant.slug}/backoffice/registro-attivita`, tr('backoffice.auditLog')],
    );
  }
  const body = html`<div class="d-flex justify-content-between align-items-center flex-wrap">
  <p class="mb-2">${tr('backoffice.welcome', { name: staff.name, role: tr(`backoffice.role.${staff.role}`), tenant: tenant.name })}</p>
  <form method="post" action="/${tenant.slug}/backoffice/esci">${csrfField(token)}<button class="btn btn-sm btn-outline-secondary" type="submit">${tr('staff.signOut')}</button></form>
</div>
<nav class="nav nav-tabs mb-4" aria-label="${tr('backoffice.title')}">
  ${links.map(([href, label]) => html`<a class="nav-link${request.url.split('?')[0] === href ? ' active' : ''}" href="${href}"${request.url.split('?')[0] === href ? html` aria-current="page"` : ''}>${label}</a>`)}
</nav>
<h1>${title}</h1>
${content}`;
  return renderPage({ request, tenant, title, body, scripts });
}

function dateTime(locale: string, date: Date): string {
  return formatItalianTime(locale, date, 'medium', 'short');
}

export function registerBackoffice(app: App, comune: ComuneContext): void {
  registerStaffLogin(app, comune, {
    loginPath: '/backoffice/accedi',
    homePath: (request) => `/${requireTenant(request).slug}/backoffice`,
    scope: (request) => requireTenant(request),
    title: 'staff.loginTitle',
  });

  app.get('/backoffice', { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const tenant = requireTenant(request);
    const staff = guard(request, reply, { type: 'tenant.readCitizens', tenantId: tenant.id });
    if (!staff) return reply;
    const tr = t(request.locale);
    const citizens = await comune.citizens.listByTenant(tenant.id);
    const content = html`<h2 class="h4">${tr('backoffice.citizens')}</h2>
${citizens.length === 0
  ? html`<p>${tr('backoffice.citizensEmpty')}</p>`
  : html`<div class="table-responsive"><table class="table">
  <thead><tr><th scope="col">${tr('area.fiscalCode')}</th><th scope="col">${tr('area.familyName')}</th><th scope="col">${tr('area.givenName')}</th><th scope="col">${tr('area.email')}</th><th scope="col">${tr('backoffice.lastLogin')}</th></tr></thead>
  <tbody>${citizens.map((c) => html`<tr><td>${c.fiscalCode}</td><td>${c.familyName}</td><td>${c.givenName}</td><td>${c.email ?? '—'}</td><td>${dateTime(request.locale, c.lastLoginAt)}</td></tr>`)}</tbody>
</table></div>`}`;
    return sendPage(reply, desk(request, staff, tr('backoffice.title'), content, comune));
  });

  function operatorsPage(request: FastifyRequest, staff: StaffLogin, tr: ComuneT, extra: { errors?: FieldErrors; values?: Record<string, string>; message?: SafeHtml } = {}) {
    const tenant = requireTenant(request);
    return comune.staff.listByTenant(tenant.id).then((people) => {
      const errors = extra.errors ?? {};
      const content = html`${extra.message ?? ''}
<div class="table-responsive"><table class="table">
  <thead><tr><th scope="col">${tr('backoffice.familyName')}</th><th scope="col">${tr('backoffice.givenName')}</th><th scope="col">${tr('staff.email')}</th><th scope="col">${tr('backoffice.role')}</th><th scope="col">TOTP</th></tr></thead>
  <tbody>${people.map((p) => html`<tr><td>${p.familyName}</td><td>${p.givenName}</td><td>${p.email}</td><td>${tr(`backoffice.role.${p.role}`)}</td><td>${p.hasTotp ? '✓' : '—'}</td></tr>`)}</tbody>
</table></div>
<h2 class="h4 mt-4">${tr('backoffice.newOperator')}</h2>
${errorSummary(errors, tr('area.errorSummary', { count: Object.keys(errors).length }))}
<form method="post" action="/${tenant.slug}/backoffice/operatori" novalidate>
  ${csrfField(formCsrfToken(request, comune.app.secret))}
  ${textField({ name: 'givenName', label: tr('backoffice.givenName'), value: extra.values?.givenName, error: errors.givenName, required: true })}
  ${textField({ name: 'familyName', label: tr('backoffice.familyName'), value: extra.values?.familyName, error: errors.familyName, required: true })}
  ${textField({ name: 'email', label: tr('staff.email'), type: 'email', value: extra.values?.email, error: errors.email, required: true })}
  ${textField({ name: 'password', label: tr('staff.password'), type: 'password', autocomplete: 'new-password', error: errors.password, help: tr('backoffice.passwordRule'), required: true })}
  <div class="select-wrapper mb-3"><label for="field-role">${tr('backoffice.role')}</label>
    <select id="field-role" name="role"><option value="operator">${tr('backoffice.role.operator')}</option><option value="tenant_admin">${tr('backoffice.role.tenant_admin')}</option></select></div>
  <div class="form-check mb-3"><input id="field-totp" type="checkbox" name="totp" value="1"><label for="field-totp">${tr('backoffice.withTotp')}</label></div>
  <button type="submit" class="btn btn-primary">${tr('backoffice.create')}</button>
</form>`;
      return desk(request, staff, tr('backoffice.operators'), content, comune);
    });
  }

  app.get('/backoffice/operatori', { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const tenant = requireTenant(request);
    const staff = guard(request, reply, { type: 'tenant.manageOperators', tenantId: tenant.id });
    if (!staff) return reply;
    return sendPage(reply, await operatorsPage(request, staff, t(request.locale)));
  });

  app.post(
    '/backoffice/operatori',
    {
      config: { html: true },
      schema: {
        hide: true,
        params: TenantParams,
        body: Type.Object(
          {
            givenName: Type.String({ maxLength: 100 }),
            familyName: Type.String({ maxLength: 100 }),
            email: Type.String({ maxLength: 254 }),
            password: Type.String({ maxLength: 200 }),
            role: Type.Union([Type.Literal('operator'), Type.Literal('tenant_admin')]),
            totp: Type.Optional(Type.String()),
          },
          { additionalProperties: true },
        ),
      },
    },
    async (request, reply) => {
      const tenant = requireTenant(request);
      checkFormCsrf(request, comune.app.secret);
      const staff = guard(request, reply, { type: 'tenant.manageOperators', tenantId: tenant.id });
      if (!staff) return reply;
      const tr = t(request.locale);
      const { givenName, familyName, email, password, role } = request.body;
      const totpSecret = request.body.totp ? generateTotpSecret() : null;
      const input = { tenantId: tenant.id, role, email, givenName, familyName, password, totpSecret };
      const values = { givenName, familyName, email };
      const outcome = await runFormCommand(
        () => createStaffUser(comune.db, input, { type: staff.role, id: staff.id, requestId: request.id }),
        (problem) =>
          problem.status === 409
            ? { email: tr('backoffice.emailTaken') }
            : problemFieldErrors(problem, (field) => tr(field === 'password' ? 'backoffice.passwordRule' : field === 'email' ? 'error.email' : 'error.required')),
      );
      if (!outcome.ok) return sendPage(reply, await operatorsPage(request, staff, tr, { errors: outcome.errors, values }), outcome.status);
      const created = outcome.value;
      const message = html`${alert('success', tr('backoffice.created', { email: created.email }))}${totpSecret ? alert('info', tr('backoffice.totpSecret', { secret: totpSecret })) : ''}`;
      return sendPage(reply, await operatorsPage(request, staff, tr, { message }), 201);
    },
  );

  app.get('/backoffice/registro-attivita', { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const tenant = requireTenant(request);
    const staff = guard(request, reply, { type: 'tenant.readAudit', tenantId: tenant.id });
    if (!staff) return reply;
    const tr = t(request.locale);
    const entries = await listAudit(comune.db, 'comune', { tenantId: tenant.id, limit: 200 });
    const content = html`<div class="table-responsive"><table class="table table-sm">
  <thead><tr><th scope="col">${tr('backoffice.when')}</th><th scope="col">${tr('backoffice.who')}</th><th scope="col">${tr('backoffice.action')}</th><th scope="col">${tr('backoffice.target')}</th></tr></thead>
  <tbody>${entries.map((e) => html`<tr><td>${dateTime(request.locale, e.at)}</td><td>${e.actorType} ${e.actorId ?? ''}</td><td><code>${e.action}</code></td><td>${e.targetType ?? ''} ${e.targetId ?? ''}</td></tr>`)}</tbody>
</table></div>`;
    return sendPage(reply, desk(request, staff, tr('backoffice.auditLog'), content, comune));
  });
}
