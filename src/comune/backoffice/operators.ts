// Back-office › Operatori, for the ente's administrators: the accounts of the ente with their role,
// offices and state; a new account; one account's role, login permission and offices.
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { attr, html, type SafeHtml } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { checkFormCsrf, formCsrfToken, redirectTo } from '../../core/auth/sessions.ts';
import { generateTotpSecret } from '../../core/auth/totp.ts';
import { notFound } from '../../core/problem.ts';
import { alert, csrfField, errorSummary, problemFieldErrors, runFormCommand, selectField, textField, type FieldErrors } from '../../core/forms.ts';
import { requireTenant, type ComuneContext, type StaffLogin } from '../context.ts';
import { createStaffUser } from '../commands.ts';
import { OfficeRepository } from '../catalog/offices.ts';
import { ServiceRepository } from '../catalog/services.ts';
import { localizedContent } from '../catalog/model.ts';
import { TENANT_ROLES, updateStaffAccess, type TenantRole } from '../staff/commands.ts';
import type { StaffUser } from '../staff/staff.ts';
import { sendPage } from '../website/routes.ts';
import { consoleT, type ConsoleT } from './messages.ts';
import { desk, guard } from './routes.ts';

export const OPERATORS_PATH = '/backoffice/operatori';

const TenantParams = Type.Object({ tenant: Type.String() });
const IdParams = Type.Object({ tenant: Type.String(), id: Type.String({ format: 'uuid' }) });
const SavedQuery = Type.Object({ salvato: Type.Optional(Type.String({ maxLength: 1 })) }, { additionalProperties: true });
const RoleField = Type.Union(TENANT_ROLES.map((r) => Type.Literal(r)));
const NewOperatorBody = Type.Object(
  {
    givenName: Type.String({ maxLength: 100 }),
    familyName: Type.String({ maxLength: 100 }),
    email: Type.String({ maxLength: 254 }),
    password: Type.String({ maxLength: 200 }),
    role: RoleField,
    totp: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
const AccessBody = Type.Object(
  {
    role: Type.Optional(RoleField),
    active: Type.Optional(Type.String({ maxLength: 1 })),
    // The empty hidden field makes an all-unchecked list arrive as a list.
    offices: Type.Optional(Type.Union([Type.String({ maxLength: 36 }), Type.Array(Type.String({ maxLength: 36 }), { maxItems: 200 })])),
  },
  { additionalProperties: true },
);

const roleOptions = (tr: ConsoleT) => TENANT_ROLES.map((r) => ({ value: r, label: tr(`backoffice.role.${r}`) }));

function checkbox(name: string, value: string, label: string, checked: boolean, disabled = false): SafeHtml {
  const id = `field-${name}-${value}`;
  return html`<div class="form-check"><input id="${id}" type="checkbox" name="${name}" value="${value}"${attr('checked', checked)}${attr('disabled', disabled)}><label for="${id}">${label}</label></div>`;
}

export function registerOperators(app: App, comune: ComuneContext): void {
  const offices = new OfficeRepository(comune.db);
  const services = new ServiceRepository(comune.db);

  async function listPage(request: FastifyRequest, staff: StaffLogin, extra: { errors?: FieldErrors; values?: Record<string, string>; message?: SafeHtml } = {}) {
    const tenant = requireTenant(request);
    const tr = consoleT(request.locale);
    const people = await comune.staff.listByTenant(tenant.id);
    const officesOf = await Promise.all(people.map((p) => offices.officesOf(tenant.id, p.id)));
    const errors = extra.errors ?? {};
    const base = `/${tenant.slug}${OPERATORS_PATH}`;
    const content = html`${extra.message ?? ''}
<div class="table-responsive"><table class="table">
  <caption class="visually-hidden">${tr('backoffice.operators')}</caption>
  <thead><tr><th scope="col">${tr('backoffice.familyName')}</th><th scope="col">${tr('backoffice.givenName')}</th><th scope="col">${tr('staff.email')}</th><th scope="col">${tr('backoffice.role')}</th><th scope="col">${tr('console.offices')}</th><th scope="col">${tr('console.status')}</th><th scope="col">TOTP</th><th scope="col"><span class="visually-hidden">${tr('console.edit')}</span></th></tr></thead>
  <tbody>${people.map(
    (p, i) => html`<tr><td>${p.familyName}</td><td>${p.givenName}</td><td>${p.email}</td><td>${tr(`backoffice.role.${p.role}`)}</td>
<td>${officesOf[i]!.map((o) => o.name).join(', ') || '—'}</td><td>${p.active ? tr('console.active') : tr('console.disabled')}</td><td>${p.hasTotp ? '✓' : '—'}</td>
<td><a href="${base}/${p.id}">${tr('console.edit')}<span class="visually-hidden"> ${p.givenName} ${p.familyName}</span></a></td></tr>`,
  )}</tbody>
</table></div>
<h2 class="h4 mt-4">${tr('backoffice.newOperator')}</h2>
${errorSummary(errors, tr('area.errorSummary', { count: Object.keys(errors).length }))}
<form method="post" action="${base}" novalidate>
  ${csrfField(formCsrfToken(request, comune.app.secret))}
  ${textField({ name: 'givenName', label: tr('backoffice.givenName'), value: extra.values?.givenName, error: errors.givenName, required: true })}
  ${textField({ name: 'familyName', label: tr('backoffice.familyName'), value: extra.values?.familyName, error: errors.familyName, required: true })}
  ${textField({ name: 'email', label: tr('staff.email'), type: 'email', value: extra.values?.email, error: errors.email, required: true })}
  ${textField({ name: 'password', label: tr('staff.password'), type: 'password', autocomplete: 'new-password', error: errors.password, help: tr('backoffice.passwordRule'), required: true })}
  ${selectField({ name: 'role', label: tr('backoffice.role'), value: extra.values?.role ?? 'operator', options: roleOptions(tr) })}
  <div class="form-check mb-3"><input id="field-totp" type="checkbox" name="totp" value="1"><label for="field-totp">${tr('backoffice.withTotp')}</label></div>
  <button type="submit" class="btn btn-primary">${tr('backoffice.create')}</button>
</form>`;
    return desk(request, staff, tr('backoffice.operators'), content, comune);
  }

  async function accountPage(request: FastifyRequest, staff: StaffLogin, person: StaffUser, extra: { errors?: FieldErrors; values?: { role: TenantRole; active: boolean; offices: string[] } } = {}) {
    const tenant = requireTenant(request);
    const tr = consoleT(request.locale);
    const [all, mine, allServices] = await Promise.all([offices.list(tenant.id), offices.officesOf(tenant.id, person.id), services.list(tenant.id, { locale: request.locale })]);
    const own = person.id === staff.id;
    const v = extra.values ?? { role: person.role as TenantRole, active: person.active, offices: mine.map((o) => o.id) };
    const errors = extra.errors ?? {};
    const handled = allServices.filter((s) => s.officeId !== null && v.offices.includes(s.officeId));
    const name = `${person.givenName} ${person.familyName}`;
    const saved = (request.query as { salvato?: string }).salvato;
    const content = html`${saved ? alert('success', tr(saved === 's' ? 'console.savedSessions' : 'console.saved')) : ''}
<p><a href="/${tenant.slug}${OPERATORS_PATH}">${tr('console.back')}</a></p>
<p>${person.email} — ${person.active ? tr('console.active') : tr('console.disabled')}</p>
${own ? alert('info', tr('console.ownAccount')) : ''}
${errorSummary(errors, tr('area.errorSummary', { count: Object.keys(errors).length }))}
<form method="post" action="/${tenant.slug}${OPERATORS_PATH}/${person.id}" novalidate>
  ${csrfField(formCsrfToken(request, comune.app.secret))}
  ${own ? html`<input type="hidden" name="role" value="${person.role}"><input type="hidden" name="active" value="1">` : ''}
  <div class="select-wrapper mb-3"><label for="field-role">${tr('backoffice.role')}</label>
    <select id="field-role" name="role"${attr('disabled', own)}${errors.role ? html` aria-invalid="true" aria-describedby="field-role-error"` : ''}>${roleOptions(tr).map(
      (o) => html`<option value="${o.value}"${attr('selected', o.value === v.role)}>${o.label}</option>`,
    )}</select>
    ${errors.role ? html`<div id="field-role-error" class="invalid-feedback d-block">${errors.role}</div>` : ''}</div>
  <div class="form-check mb-1"><input id="field-active" type="checkbox" name="active" value="1" aria-describedby="field-active-help${errors.active ? ' field-active-error' : ''}"${attr('checked', v.active)}${attr('disabled', own)}><label for="field-active">${tr('console.accountActive')}</label></div>
  <p id="field-active-help" class="small mb-3">${tr('console.accountActiveHelp')}</p>
  ${errors.active ? html`<div id="field-active-error" class="invalid-feedback d-block">${errors.active}</div>` : ''}
  <fieldset class="mb-3"><legend class="h6" id="field-offices">${tr('console.officesLegend')}</legend>
    <p class="small">${tr('console.officesHelp')}</p>
    <input type="hidden" name="offices" value="">
    ${all.length ? all.map((o) => checkbox('offices', o.id, o.name, v.offices.includes(o.id))) : html`<p>${tr('console.noOffices')}</p>`}
    ${errors.offices ? html`<div id="field-offices-error" class="invalid-feedback d-block">${errors.offices}</div>` : ''}
  </fieldset>
  <button type="submit" class="btn btn-primary">${tr('console.save')}</button>
</form>
<h2 class="h4 mt-5">${tr('console.services')}</h2>
${v.role === 'tenant_admin'
  ? html`<p>${tr('console.servicesAll')}</p>`
  : handled.length
    ? html`<ul>${handled.map((s) => html`<li>${localizedContent(s.content, request.locale).name}</li>`)}</ul>`
    : html`<p>${tr('console.servicesNone')}</p>`}`;
    return desk(request, staff, tr('console.editOperator', { name }), content, comune);
  }

  app.get(OPERATORS_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const tenant = requireTenant(request);
    const staff = guard(request, reply, { type: 'tenant.manageOperators', tenantId: tenant.id });
    if (!staff) return reply;
    return sendPage(reply, await listPage(request, staff));
  });

  app.post(OPERATORS_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams, body: NewOperatorBody } }, async (request, reply) => {
    const tenant = requireTenant(request);
    checkFormCsrf(request, comune.app.secret);
    const staff = guard(request, reply, { type: 'tenant.manageOperators', tenantId: tenant.id });
    if (!staff) return reply;
    const tr = consoleT(request.locale);
    const { givenName, familyName, email, password, role } = request.body;
    const totpSecret = request.body.totp ? generateTotpSecret() : null;
    const input = { tenantId: tenant.id, role, email, givenName, familyName, password, totpSecret };
    const outcome = await runFormCommand(
      () => createStaffUser(comune.db, input, { type: staff.role, id: staff.id, requestId: request.id }),
      (problem) =>
        problem.status === 409
          ? { email: tr('backoffice.emailTaken') }
          : problemFieldErrors(problem, (field) => tr(field === 'password' ? 'backoffice.passwordRule' : field === 'email' ? 'error.email' : 'error.required')),
    );
    if (!outcome.ok) return sendPage(reply, await listPage(request, staff, { errors: outcome.errors, values: { givenName, familyName, email, role } }), outcome.status);
    const message = html`${alert('success', tr('backoffice.created', { email: outcome.value.email }))}${totpSecret ? alert('info', tr('backoffice.totpSecret', { secret: totpSecret })) : ''}`;
    return sendPage(reply, await listPage(request, staff, { message }), 201);
  });

  async function person(tenantId: string, id: string): Promise<StaffUser> {
    const found = await comune.staff.inTenant(tenantId, id);
    if (!found || found.role === 'platform_admin') throw notFound('No such account in this ente.');
    return found;
  }

  app.get(`${OPERATORS_PATH}/:id`, { config: { html: true }, schema: { hide: true, params: IdParams, querystring: SavedQuery } }, async (request, reply) => {
    const tenant = requireTenant(request);
    const staff = guard(request, reply, { type: 'tenant.manageOperators', tenantId: tenant.id });
    if (!staff) return reply;
    return sendPage(reply, await accountPage(request, staff, await person(tenant.id, request.params.id)));
  });

  app.post(`${OPERATORS_PATH}/:id`, { config: { html: true }, schema: { hide: true, params: IdParams, body: AccessBody } }, async (request, reply) => {
    const tenant = requireTenant(request);
    checkFormCsrf(request, comune.app.secret);
    const staff = guard(request, reply, { type: 'tenant.manageOperators', tenantId: tenant.id });
    if (!staff) return reply;
    const tr = consoleT(request.locale);
    const target = await person(tenant.id, request.params.id);
    const input = {
      role: request.body.role ?? (target.role as TenantRole),
      active: request.body.active === '1',
      officeIds: ([] as string[]).concat(request.body.offices ?? []).filter(Boolean),
    };
    const outcome = await runFormCommand(
      () => updateStaffAccess(comune.db, tenant.id, target.id, input, { type: staff.role, id: staff.id, requestId: request.id }),
      (problem) => Object.fromEntries((problem.errors ?? []).map((e) => [e.pointer.split('/').pop()!, e.code === 'self' ? tr('console.ownAccount') : tr('console.invalid', { detail: e.detail })])),
    );
    if (!outcome.ok) return sendPage(reply, await accountPage(request, staff, target, { errors: outcome.errors, values: { role: input.role, active: input.active, offices: input.officeIds } }), outcome.status);
    const sessionsEnded = target.role !== input.role || target.active !== input.active;
    return redirectTo(reply, `/${tenant.slug}${OPERATORS_PATH}/${target.id}?salvato=${sessionsEnded ? 's' : '1'}`);
  });
}
