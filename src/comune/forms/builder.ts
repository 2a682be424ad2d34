// Back-office › Moduli: the ente's forms with their versions, a new blank form attached to a service,
// and the builder. Without JavaScript the administrator edits the schema JSON; web/form-builder.js adds a
// palette (drag and drop and buttons), pages and repeating groups, an inspector with the translations and a
// live preview rendered here. Every save is a new version (FormRepository); a refused schema is a 422
// listing its errors by JSON pointer.
import { formatItalianTime, isLocale, LOCALE_NAMES, LOCALES, type Locale } from '../../core/i18n.ts';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { checkFormCsrf, formCsrfToken, redirectTo } from '../../core/auth/sessions.ts';
import { alert, csrfField, errorSummary, selectField, textareaField, textField, type FieldErrors } from '../../core/forms.ts';
import { transaction } from '../../core/db.ts';
import { HttpProblem, notFound } from '../../core/problem.ts';
import { requireTenant, type ComuneContext, type StaffLogin } from '../context.ts';
import { desk, guard } from '../backoffice/routes.ts';
import { sendPage } from '../website/routes.ts';
import { builderMessages, builderT, type BuilderT } from './builder-messages.ts';
import { FormRepository, type FormRecord } from './forms.ts';
import { PREFILL_SOURCES, prefillFits } from './prefill.ts';
import { renderForm } from './render.ts';
import { dateInItaly } from '../../domain/dates.ts';
import { ServiceRepository } from '../catalog/services.ts';
import { updateService } from '../catalog/commands.ts';
import { localizedContent, type Service } from '../catalog/model.ts';
import { checkSchema, FIELD_TYPES, GRID_TYPES, type FormSchema, type LocalizedText, type SchemaCheck, type SchemaError } from './schema.ts';

export const FORMS_ADMIN_PATH = '/backoffice/moduli';
export const BUILDER_SCRIPT = '/assets/sportello/form-builder.js';

const TenantParams = Type.Object({ tenant: Type.String() });
const IdParams = Type.Object({ tenant: Type.String(), id: Type.String({ format: 'uuid' }) });
const BuilderBody = Type.Object(
  { formName: Type.Optional(Type.String({ maxLength: 200 })), formSchema: Type.Optional(Type.String({ maxLength: 500_000 })), previewLocale: Type.Optional(Type.String({ maxLength: 5 })) },
  { additionalProperties: true },
);
const NewFormBody = Type.Object(
  { formName: Type.Optional(Type.String({ maxLength: 200 })), display: Type.Optional(Type.String({ maxLength: 10 })), serviceId: Type.Optional(Type.String({ maxLength: 40 })) },
  { additionalProperties: true },
);
const FLASH = 'builderSaved';
const ATTACHED = 'builderAttached';
const DISPLAYS = ['wizard', 'form'] as const;

const manage = (tenantId: string) => ({ type: 'tenant.manageServices' as const, tenantId });

/** The schema as posted, checked; JSON that does not parse is one error at the root. */
export function checkSchemaText(text: string): SchemaCheck {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: [{ pointer: '', code: 'json', detail: (err as Error).message }] };
  }
  return checkSchema(value);
}

/** The strings web/form-builder.js shows (it has no catalog of its own). */
function scriptStrings(tr: BuilderT): Record<string, string> {
  const keys = (Object.keys(builderMessages.it) as (keyof typeof builderMessages.it)[]).filter((k) => k.startsWith('builder.js.') || k.startsWith('builder.type.'));
  return Object.fromEntries(keys.map((k) => [k, tr(k)]));
}

/** The prefill sources each field type can take, for the inspector's list. */
const prefillByType = Object.fromEntries(FIELD_TYPES.map((type) => [type, Object.keys(PREFILL_SOURCES).filter((source) => prefillFits(source, type))]));

/** A text of the builder's catalog in every language: the blank form's labels are translated from the start. */
const everyLanguage = (text: (tr: BuilderT) => string): LocalizedText => Object.fromEntries(LOCALES.map((l) => [l, text(builderT(l))])) as LocalizedText;

/** A blank form: the applicant's fiscal code from the login (every application has one), on a page when a wizard. */
export function blankSchema(display: FormSchema['display'], title: string): FormSchema {
  const fiscalCode = { type: 'codicefiscale' as const, key: 'applicantFiscalCode', label: everyLanguage((tr) => tr('builder.starterFiscalCode')), validate: { required: true }, properties: { prefill: 'login.fiscalCode' } };
  const components = display === 'wizard' ? [{ type: 'panel' as const, key: 'richiedente', label: everyLanguage((tr) => tr('builder.starterPage')), components: [fiscalCode] }] : [fiscalCode];
  return { display, title, components };
}

/** A schema error in the administrator's language; the checker's own detail (English, precise) follows it. */
function schemaErrorText(tr: BuilderT, e: SchemaError): string {
  const key = `builder.schemaError.${e.code}` as Parameters<BuilderT>[0];
  const text = tr(key);
  return text === key ? tr('builder.schemaError.type') : text;
}

interface BuilderView {
  name: string;
  schemaText: string;
  errors?: readonly SchemaError[];
  nameError?: string;
  preview?: SafeHtml;
  previewLocale?: Locale;
}

export function registerFormBuilder(app: App, comune: ComuneContext): void {
  const forms = new FormRepository(comune.db);
  const date = (request: FastifyRequest, iso: string) => formatItalianTime(request.locale, new Date(iso), 'medium', 'short');

  function builderPage(request: FastifyRequest, staff: StaffLogin, form: FormRecord, view: BuilderView): string {
    const tenant = requireTenant(request);
    const tr = builderT(request.locale);
    const token = formCsrfToken(request, comune.app.secret);
    const action = `/${tenant.slug}${FORMS_ADMIN_PATH}/${form.id}`;
    const saved = request.session.data[FLASH] as number | undefined;
    if (saved) request.session.unset(FLASH);
    const attached = request.session.data[ATTACHED] as string | undefined;
    if (attached) request.session.unset(ATTACHED);
    const errors = view.errors ?? [];
    const content = html`<p><a href="/${tenant.slug}${FORMS_ADMIN_PATH}">${tr('builder.back')}</a></p>
<p>${tr('builder.version')}: <strong id="form-version">${form.version}</strong></p>
${saved ? alert('success', tr('builder.saved', { version: saved })) : ''}
${attached ? alert('success', tr('builder.attached', { service: attached })) : ''}
${errors.length
  ? html`<div class="alert alert-danger" role="alert" id="schema-errors" tabindex="-1"><p>${tr('builder.errors', { count: errors.length })}</p>
  <ul class="mb-0">${errors.map((e) => html`<li><code>${e.pointer || '/'}</code> ${schemaErrorText(tr, e)} <small lang="en">(${e.detail})</small></li>`)}</ul></div>`
  : ''}
<form method="post" action="${action}" id="builder-form" novalidate>
  ${csrfField(token)}
  ${textField({ name: 'formName', label: tr('builder.name'), value: view.name, error: view.nameError, required: true, autocomplete: 'off' })}
  <div id="form-builder" class="form-builder" hidden data-i18n="${JSON.stringify(scriptStrings(tr))}" data-types="${JSON.stringify([...FIELD_TYPES, ...GRID_TYPES])}" data-grids="${JSON.stringify(GRID_TYPES)}" data-languages="${JSON.stringify(LOCALE_NAMES)}" data-prefill="${JSON.stringify(prefillByType)}" data-choices="${JSON.stringify(Object.keys(PREFILL_SOURCES).filter((k) => PREFILL_SOURCES[k]!.fits === 'choice'))}" data-preview="${action}/anteprima"></div>
  ${textareaField({ name: 'formSchema', label: tr('builder.schema'), value: view.schemaText, help: tr('builder.schemaHelp'), error: errors.length ? tr('builder.errors', { count: errors.length }) : undefined, rows: 16 })}
  <div class="d-flex gap-2 flex-wrap">
    <button type="submit" class="btn btn-primary">${tr('builder.save')}</button>
    <button type="submit" class="btn btn-outline-primary" formaction="${action}/anteprima" id="preview-button">${tr('builder.previewButton')}</button>
  </div>
  ${selectField({ name: 'previewLocale', label: tr('builder.previewLocale'), value: view.previewLocale ?? request.locale, options: LOCALES.map((l) => ({ value: l, label: LOCALE_NAMES[l] })) })}
</form>
<section class="mt-5" aria-labelledby="preview-title">
  <h2 class="h4" id="preview-title">${tr('builder.preview')}</h2>
  <div id="form-preview" class="form-preview" aria-live="polite">${view.preview ?? html`<p>${tr('builder.previewEmpty')}</p>`}</div>
</section>`;
    return desk(request, staff, tr('builder.editTitle', { name: form.name }), content, comune, [BUILDER_SCRIPT]);
  }

  async function formOf(request: FastifyRequest & { params: { id: string } }): Promise<FormRecord> {
    const form = await forms.latest(requireTenant(request).id, request.params.id);
    if (!form) throw notFound();
    return form;
  }

  app.get(FORMS_ADMIN_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const tenant = requireTenant(request);
    const staff = guard(request, reply, manage(tenant.id));
    if (!staff) return reply;
    const tr = builderT(request.locale);
    const [list, services] = await Promise.all([forms.list(tenant.id), new ServiceRepository(comune.db).list(tenant.id)]);
    const usedBy = (formId: string) => services.filter((sv) => sv.formId === formId).map((sv) => serviceName(request, sv)).join(', ');
    const content = html`<p>${tr('builder.intro')}</p>
<p><a class="btn btn-primary" href="/${tenant.slug}${FORMS_ADMIN_PATH}/nuovo">${tr('builder.new')}</a></p>
${list.length
  ? html`<div class="table-responsive"><table class="table" id="forms">
  <caption class="visually-hidden">${tr('builder.title')}</caption>
  <thead><tr><th scope="col">${tr('builder.name')}</th><th scope="col">${tr('builder.usedBy')}</th><th scope="col">${tr('builder.version')}</th><th scope="col">${tr('builder.updated')}</th></tr></thead>
  <tbody>${list.map((f) => html`<tr><td><a href="/${tenant.slug}${FORMS_ADMIN_PATH}/${f.id}">${f.name}</a></td><td>${usedBy(f.id)}</td><td>${f.version}</td><td>${date(request, f.createdAt)}</td></tr>`)}</tbody>
</table></div>`
  : html`<p>${tr('builder.none')}</p>`}`;
    return sendPage(reply, desk(request, staff, tr('builder.title'), content, comune));
  });

  const serviceName = (request: FastifyRequest, service: Service) => localizedContent(service.content, request.locale).name;

  function newFormPage(request: FastifyRequest, staff: StaffLogin, services: Service[], view: { name: string; display: string; serviceId: string; errors?: FieldErrors }): string {
    const tenant = requireTenant(request);
    const tr = builderT(request.locale);
    const errors = view.errors ?? {};
    const content = html`<p><a href="/${tenant.slug}${FORMS_ADMIN_PATH}">${tr('builder.back')}</a></p>
<p>${tr('builder.newIntro')}</p>
${errorSummary(errors, tr('area.errorSummary', { count: Object.keys(errors).length }))}
<form method="post" action="/${tenant.slug}${FORMS_ADMIN_PATH}/nuovo" novalidate>
  ${csrfField(formCsrfToken(request, comune.app.secret))}
  ${textField({ name: 'formName', label: tr('builder.name'), value: view.name, error: errors.formName, required: true, autocomplete: 'off' })}
  <fieldset class="mb-4">
    <legend class="h6">${tr('builder.display')}</legend>
    ${DISPLAYS.map((d) => html`<div class="form-check"><input class="form-check-input" type="radio" name="display" id="display-${d}" value="${d}"${view.display === d ? html` checked` : ''}><label class="form-check-label" for="display-${d}">${tr(`builder.display.${d}`)}</label></div>`)}
  </fieldset>
  ${selectField({ name: 'serviceId', label: tr('builder.service'), value: view.serviceId, error: errors.serviceId, help: tr('builder.serviceHelp'), options: [{ value: '', label: tr('builder.serviceNone') }, ...services.map((sv) => ({ value: sv.id, label: serviceName(request, sv) }))] })}
  <button type="submit" class="btn btn-primary">${tr('builder.create')}</button>
</form>`;
    return desk(request, staff, tr('builder.new'), content, comune);
  }

  app.get(`${FORMS_ADMIN_PATH}/nuovo`, { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const tenant = requireTenant(request);
    const staff = guard(request, reply, manage(tenant.id));
    if (!staff) return reply;
    const services = await new ServiceRepository(comune.db).list(tenant.id);
    return sendPage(reply, newFormPage(request, staff, services, { name: '', display: 'wizard', serviceId: '' }));
  });

  // A blank form, version 1, and (in the same transaction) the service that will use it.
  app.post(`${FORMS_ADMIN_PATH}/nuovo`, { config: { html: true }, schema: { hide: true, params: TenantParams, body: NewFormBody } }, async (request, reply) => {
    const tenant = requireTenant(request);
    checkFormCsrf(request, comune.app.secret);
    const staff = guard(request, reply, manage(tenant.id));
    if (!staff) return reply;
    const tr = builderT(request.locale);
    const services = await new ServiceRepository(comune.db).list(tenant.id);
    const view = { name: request.body.formName?.trim() ?? '', display: request.body.display ?? 'wizard', serviceId: request.body.serviceId ?? '' };
    const service = services.find((sv) => sv.id === view.serviceId);
    const errors: FieldErrors = {};
    if (!view.name) errors.formName = tr('builder.nameRequired');
    if (view.serviceId && !service) errors.serviceId = tr('builder.serviceUnknown');
    const display = DISPLAYS.find((d) => d === view.display);
    if (!display) view.display = 'wizard';
    if (Object.keys(errors).length || !display) return sendPage(reply, newFormPage(request, staff, services, { ...view, errors }), 422);
    const actor = { type: 'tenant_admin' as const, id: staff.id, requestId: request.id };
    const form = await transaction(comune.db, async (tx) => {
      const created = await new FormRepository(tx).save(tenant.id, { name: view.name, schema: blankSchema(display, view.name) }, actor);
      if (service) {
        const { id, tenantId, updatedAt, ...input } = service;
        await updateService(tx, tenant.id, id, { ...input, formId: created.id }, actor);
      }
      return created;
    });
    request.session.set(FLASH, form.version);
    if (service) request.session.set(ATTACHED, serviceName(request, service));
    return redirectTo(reply, `/${tenant.slug}${FORMS_ADMIN_PATH}/${form.id}`);
  });

  app.get(`${FORMS_ADMIN_PATH}/:id`, { config: { html: true }, schema: { hide: true, params: IdParams } }, async (request, reply) => {
    const staff = guard(request, reply, manage(requireTenant(request).id));
    if (!staff) return reply;
    const form = await formOf(request);
    return sendPage(reply, builderPage(request, staff, form, { name: form.name, schemaText: JSON.stringify(form.schema, null, 2) }));
  });

  app.post(`${FORMS_ADMIN_PATH}/:id`, { config: { html: true }, schema: { hide: true, params: IdParams, body: BuilderBody } }, async (request, reply) => {
    const tenant = requireTenant(request);
    checkFormCsrf(request, comune.app.secret);
    const staff = guard(request, reply, manage(tenant.id));
    if (!staff) return reply;
    const form = await formOf(request);
    const tr = builderT(request.locale);
    const view: BuilderView = { name: request.body.formName?.trim() ?? '', schemaText: request.body.formSchema ?? '' };
    const checked = checkSchemaText(view.schemaText);
    if (!checked.ok || !view.name) {
      const refused = { ...view, errors: checked.ok ? [] : checked.errors, nameError: view.name ? undefined : tr('builder.nameRequired') };
      return sendPage(reply, builderPage(request, staff, form, refused), 422);
    }
    try {
      const saved = await forms.save(tenant.id, { id: form.id, name: view.name, schema: checked.schema }, { type: 'tenant_admin', id: staff.id, requestId: request.id });
      request.session.set(FLASH, saved.version);
    } catch (err) {
      if (!(err instanceof HttpProblem) || err.status !== 400) throw err;
      return sendPage(reply, builderPage(request, staff, form, { ...view, errors: (err.errors ?? []).map((e) => ({ code: e.code ?? 'invalid', pointer: e.pointer.replace(/^\/body\/schema/, ''), detail: e.detail })) }), 422);
    }
    return redirectTo(reply, `/${tenant.slug}${FORMS_ADMIN_PATH}/${form.id}`);
  });

  // The preview: the posted schema rendered as the citizen will see it (nothing saved); the script fetches #form-preview.
  app.post(`${FORMS_ADMIN_PATH}/:id/anteprima`, { config: { html: true }, schema: { hide: true, params: IdParams, body: BuilderBody } }, async (request, reply) => {
    const tenant = requireTenant(request);
    checkFormCsrf(request, comune.app.secret);
    const staff = guard(request, reply, manage(tenant.id));
    if (!staff) return reply;
    const form = await formOf(request);
    const view: BuilderView = { name: request.body.formName ?? form.name, schemaText: request.body.formSchema ?? '' };
    const checked = checkSchemaText(view.schemaText);
    if (!checked.ok) return sendPage(reply, builderPage(request, staff, form, { ...view, errors: checked.errors }), 422);
    // In the language the administrator chose, to check the translations.
    const previewLocale = isLocale(request.body.previewLocale) ? request.body.previewLocale : request.locale;
    const preview = html`<div class="form-preview-frame" inert lang="${previewLocale}">${renderForm({ schema: checked.schema, locale: previewLocale, action: '#', csrfToken: '', data: {}, ctx: { today: dateInItaly(new Date()) } })}</div>`;
    return sendPage(reply, builderPage(request, staff, form, { ...view, preview, previewLocale }));
  });
}
