// The back-office of one ente: staff login, the page frame with its navigation, the citizens' list; the
// tenant admin's pages (operators, protocol, activity log) are registered from here.
import { formatItalianTime } from '../../core/i18n.ts';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { formCsrfToken, redirectTo } from '../../core/auth/sessions.ts';
import { forbidden } from '../../core/problem.ts';
import { actorOf, requireTenant, staffLogin, type ComuneContext, type StaffLogin } from '../context.ts';
import { may, type Action } from '../policies.ts';
import { t } from '../messages.ts';
import { csrfField } from '../../core/forms.ts';
import { renderPage } from '../website/layout.ts';
import { sendPage } from '../website/routes.ts';
import { registerStaffLogin } from '../staff/login-routes.ts';
import { AUDIT_LOG_PATH } from '../audit-log/model.ts';
import { registerAuditLog } from '../audit-log/routes.ts';
import { consoleT } from './messages.ts';
import { OPERATORS_PATH, registerOperators } from './operators.ts';
import { PROTOCOL_SETTINGS_PATH, registerProtocolSettings } from './protocol.ts';
import { REGISTER_PATH } from './register.ts';
import { registerT } from './register-messages.ts';
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
import { PAYMENT_SETTINGS_PATH } from '../payments/paths.ts';
import { paymentsT } from '../payments/messages.ts';
import { DUES_PATH } from '../payments/dues/routes.ts';
import { duesT } from '../payments/dues/messages.ts';
import { RECONCILIATION_PATH } from '../payments/reconciliation/routes.ts';
import { reconciliationT } from '../payments/reconciliation/messages.ts';
import { IO_SETTINGS_PATH } from '../messaging/paths.ts';
import { messagingT } from '../messaging/messages.ts';

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
      [`/${tenant.slug}${OPERATORS_PATH}`, tr('backoffice.operators')],
      [`/${tenant.slug}${SERVICES_ADMIN_PATH}`, catalogT(request.locale)('catalog.admin.services')],
      [`/${tenant.slug}${OFFICES_ADMIN_PATH}`, catalogT(request.locale)('catalog.admin.offices')],
      [`/${tenant.slug}/backoffice/ente`, tr('settings.title')],
      [`/${tenant.slug}${PROTOCOL_SETTINGS_PATH}`, consoleT(request.locale)('protocol.title')],
      [`/${tenant.slug}${REGISTER_PATH}`, registerT(request.locale)('register.title')],
      [`/${tenant.slug}${INTEROP_PATH}`, interopT(request.locale)('interop.title')],
      [`/${tenant.slug}${PAYMENT_SETTINGS_PATH}`, paymentsT(request.locale)('payments.settings.title')],
      [`/${tenant.slug}${FORMS_ADMIN_PATH}`, builderT(request.locale)('builder.title')],
      [`/${tenant.slug}${INTEGRATIONS_PATH}`, integrationsT(request.locale)('integrations.title')],
      [`/${tenant.slug}${RATINGS_ADMIN_PATH}`, ratingT(request.locale)('rating.admin.title')],
      [`/${tenant.slug}${DUES_PATH}`, duesT(request.locale)('dues.title')],
      [`/${tenant.slug}${RECONCILIATION_PATH}`, reconciliationT(request.locale)('reconciliation.title')],
      [`/${tenant.slug}${IO_SETTINGS_PATH}`, messagingT(request.locale)('messaging.settings.title')],
      [`/${tenant.slug}${AUDIT_LOG_PATH}`, tr('backoffice.auditLog')],
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

  registerOperators(app, comune);
  registerProtocolSettings(app, comune);
  registerAuditLog(app, comune);
}
