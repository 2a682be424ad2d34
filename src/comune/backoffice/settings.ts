// The ente's own settings, managed by its administrators: name, colour, languages, contacts,
// address, accessibility statement and logo.
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { LOCALES, LOCALE_NAMES, type Locale } from '../../core/i18n.ts';
import { assertCsrf } from '../../core/auth/csrf.ts';
import { checkFormCsrf, formCsrfToken } from '../../core/auth/sessions.ts';
import { invalid } from '../../core/problem.ts';
import { requireTenant, type ComuneContext, type StaffLogin } from '../context.ts';
import { updateTenantLogo, updateTenantSettings } from '../commands.ts';
import { MAX_LOGO_BYTES, TenantContactFields, type Tenant, type TenantSettings } from '../tenants/tenants.ts';
import { t } from '../messages.ts';
import { alert, csrfField, errorSummary, problemFieldErrors, runFormCommand, textField, type FieldErrors } from '../../core/forms.ts';
import { tenantLogo } from '../website/layout.ts';
import { sendPage } from '../website/routes.ts';
import { desk, guard } from './routes.ts';

const TenantParams = Type.Object({ tenant: Type.String() });
const SettingsBody = Type.Object(
  {
    name: Type.String({ maxLength: 200 }),
    primaryColor: Type.String({ maxLength: 7 }),
    languages: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String(), { maxItems: 3 })])),
    ...TenantContactFields,
  },
  { additionalProperties: true },
);
type SettingsForm = Record<string, string | string[] | undefined>;

/** Form values → settings: empty text means "none"; Italian is always among the languages. */
export function settingsFromForm(body: SettingsForm): TenantSettings {
  const text = (name: string) => {
    const value = body[name];
    return typeof value === 'string' && value.trim() ? value.trim() : null;
  };
  const chosen = ([] as string[]).concat(body.languages ?? []);
  return {
    name: text('name') ?? '',
    primaryColor: text('primaryColor') ?? '',
    languages: LOCALES.filter((l) => l === 'it' || chosen.includes(l)),
    email: text('email'),
    pec: text('pec'),
    phone: text('phone'),
    website: text('website'),
    street: text('street'),
    postcode: text('postcode'),
    accessibilityUrl: text('accessibilityUrl'),
    parentEntity: text('parentEntity'),
  };
}

export function registerTenantSettings(app: App, comune: ComuneContext): void {
  function page(request: FastifyRequest, staff: StaffLogin, tenant: Tenant, extra: { errors?: FieldErrors; values?: SettingsForm; message?: SafeHtml } = {}) {
    const tr = t(request.locale);
    const token = formCsrfToken(request, comune.app.secret);
    const errors = extra.errors ?? {};
    const value = (name: keyof TenantSettings) => {
      const given = extra.values?.[name];
      return typeof given === 'string' ? given : (tenant[name] as string | null);
    };
    const field = (name: keyof TenantSettings, label: string, type: 'text' | 'email' | 'url' | 'tel' = 'text', help?: string) =>
      textField({ name, label, type, value: value(name), error: errors[name], help });
    const content = html`${extra.message ?? ''}
${errorSummary(errors, tr('area.errorSummary', { count: Object.keys(errors).length }))}
<form method="post" action="/${tenant.slug}/backoffice/ente" novalidate>
  ${csrfField(token)}
  ${field('name', tr('admin.tenantName'))}
  ${field('parentEntity', tr('settings.parentEntity'))}
  ${field('primaryColor', tr('settings.primaryColor'), 'text', tr('settings.primaryColorHelp'))}
  <fieldset class="mb-4"><legend class="h6">${tr('settings.languages')}</legend>
    ${LOCALES.map(
      (l: Locale) => html`<div class="form-check form-check-inline"><input id="field-lang-${l}" type="checkbox" name="languages" value="${l}"
        ${tenant.languages.includes(l) ? html`checked` : ''} ${l === 'it' ? html`disabled` : ''}><label for="field-lang-${l}" lang="${l}">${LOCALE_NAMES[l]}</label></div>`,
    )}
  </fieldset>
  ${field('email', tr('footer.email'), 'email')}
  ${field('pec', 'PEC', 'email')}
  ${field('phone', tr('footer.phone'), 'tel')}
  ${field('website', tr('settings.website'), 'url')}
  ${field('street', tr('settings.street'))}
  ${field('postcode', tr('settings.postcode'))}
  ${field('accessibilityUrl', tr('footer.accessibility'), 'url', tr('settings.accessibilityHelp'))}
  <button type="submit" class="btn btn-primary">${tr('area.save')}</button>
</form>
<h2 class="h4 mt-5">${tr('settings.logo')}</h2>
<p>${tenantLogo(tenant)}</p>
<form method="post" action="/${tenant.slug}/backoffice/ente/logo" enctype="multipart/form-data">
  ${csrfField(token)}
  <div class="mb-3"><label for="field-logo" class="form-label">${tr('settings.logoUpload')}</label>
    <input id="field-logo" class="form-control${errors.logo ? ' is-invalid' : ''}" type="file" name="logo" accept="image/svg+xml,.svg" aria-describedby="field-logo-help${errors.logo ? ' field-logo-error' : ''}">
    <small id="field-logo-help" class="form-text">${tr('settings.logoHelp', { kb: MAX_LOGO_BYTES / 1024 })}</small>
    ${errors.logo ? html`<div id="field-logo-error" class="invalid-feedback d-block">${errors.logo}</div>` : ''}
  </div>
  <button type="submit" class="btn btn-outline-primary">${tr('settings.logoSave')}</button>
</form>`;
    return desk(request, staff, tr('settings.title'), content, comune);
  }

  app.get('/backoffice/ente', { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const tenant = requireTenant(request);
    const staff = guard(request, reply, { type: 'tenant.manageSettings', tenantId: tenant.id });
    if (!staff) return reply;
    return sendPage(reply, page(request, staff, tenant));
  });

  app.post('/backoffice/ente', { config: { html: true }, schema: { hide: true, params: TenantParams, body: SettingsBody } }, async (request, reply) => {
    const tenant = requireTenant(request);
    checkFormCsrf(request, comune.app.secret);
    const staff = guard(request, reply, { type: 'tenant.manageSettings', tenantId: tenant.id });
    if (!staff) return reply;
    const tr = t(request.locale);
    const outcome = await runFormCommand(
      () => updateTenantSettings(comune.db, tenant, settingsFromForm(request.body), { type: staff.role, id: staff.id, requestId: request.id }),
      (problem) => problemFieldErrors(problem, (_field, detail) => tr('admin.invalidField', { detail })),
    );
    if (!outcome.ok) return sendPage(reply, page(request, staff, tenant, { errors: outcome.errors, values: request.body }), outcome.status);
    request.tenant = outcome.value;
    return sendPage(reply, page(request, staff, outcome.value, { message: alert('success', tr('area.saved')) }));
  });

  app.post('/backoffice/ente/logo', { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const tenant = requireTenant(request);
    const staff = guard(request, reply, { type: 'tenant.manageSettings', tenantId: tenant.id });
    if (!staff) return reply;
    const tr = t(request.locale);
    if (!request.isMultipart()) throw invalid([{ pointer: '/body/logo', code: 'multipart', detail: 'send the logo as multipart/form-data' }]);
    const file = await request.file();
    // The CSRF field precedes the file in the form, so it has arrived by now.
    const csrf = file?.fields._csrf;
    assertCsrf(comune.app.secret, request.session.data.csrfSeed, csrf && 'value' in csrf ? csrf.value : undefined);
    const svg = file ? (await file.toBuffer()).toString('utf8') : '';
    const outcome = await runFormCommand(
      () => updateTenantLogo(comune.db, tenant, svg, { type: staff.role, id: staff.id, requestId: request.id }),
      () => ({ logo: tr('settings.logoInvalid', { kb: MAX_LOGO_BYTES / 1024 }) }),
    );
    if (!outcome.ok) return sendPage(reply, page(request, staff, tenant, { errors: outcome.errors }), outcome.status);
    return sendPage(reply, page(request, staff, tenant, { message: alert('success', tr('area.saved')) }));
  });
}
