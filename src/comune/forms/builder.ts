// Back-office › Moduli: the ente's forms with their versions, and the builder. Without JavaScript the
// administrator edits the schema JSON; web/form-builder.js adds a palette (drag and drop and buttons),
// pages, an inspector and a live preview rendered here. Every save is a new version (FormRepository).
import { formatItalianTime } from '../../core/i18n.ts';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { checkFormCsrf, formCsrfToken, redirectTo } from '../../core/auth/sessions.ts';
import { alert, csrfField, textareaField, textField } from '../../core/forms.ts';
import { HttpProblem, notFound } from '../../core/problem.ts';
import { requireTenant, type ComuneContext, type StaffLogin } from '../context.ts';
import { desk, guard } from '../backoffice/routes.ts';
import { sendPage } from '../website/routes.ts';
import { builderMessages, builderT, type BuilderT } from './builder-messages.ts';
import { FormRepository, type FormRecord } from './forms.ts';
import { PREFILL_SOURCES } from './prefill.ts';
import { renderForm } from './render.ts';
import { dateInItaly } from '../../domain/dates.ts';
import { checkSchema, FIELD_TYPES, type SchemaCheck, type SchemaError } from './schema.ts';

export const FORMS_ADMIN_PATH = '/backoffice/moduli';
export const BUILDER_SCRIPT = '/assets/sportello/form-builder.js';

const TenantParams = Type.Object({ tenant: Type.String() });
const IdParams = Type.Object({ tenant: Type.String(), id: Type.String({ format: 'uuid' }) });
const BuilderBody = Type.Object({ formName: Type.Optional(Type.String({ maxLength: 200 })), formSchema: Type.Optional(Type.String({ maxLength: 500_000 })) }, { additionalProperties: true });
const FLASH = 'builderSaved';

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

interface BuilderView {
  name: string;
  schemaText: string;
  errors?: readonly SchemaError[];
  nameError?: string;
  preview?: SafeHtml;
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
    const errors = view.errors ?? [];
    const content = html`<p><a href="/${tenant.slug}${FORMS_ADMIN_PATH}">${tr('builder.back')}</a></p>
<p>${tr('builder.version')}: <strong id="form-version">${form.version}</strong></p>
${saved ? alert('success', tr('builder.saved', { version: saved })) : ''}
${errors.length
  ? html`<div class="alert alert-danger" role="alert" id="schema-errors" tabindex="-1"><p>${tr('builder.errors', { count: errors.length })}</p>
  <ul class="mb-0">${errors.map((e) => html`<li><code>${e.pointer || '/'}</code> ${e.detail}</li>`)}</ul></div>`
  : ''}
<form method="post" action="${action}" id="builder-form" novalidate>
  ${csrfField(token)}
  ${textField({ name: 'formName', label: tr('builder.name'), value: view.name, error: view.nameError, required: true, autocomplete: 'off' })}
  <div id="form-builder" class="form-builder" hidden data-i18n="${JSON.stringify(scriptStrings(tr))}" data-types="${JSON.stringify(FIELD_TYPES)}" data-prefill="${JSON.stringify(Object.keys(PREFILL_SOURCES))}" data-preview="${action}/anteprima"></div>
  ${textareaField({ name: 'formSchema', label: tr('builder.schema'), value: view.schemaText, help: tr('builder.schemaHelp'), error: errors.length ? tr('builder.errors', { count: errors.length }) : undefined, rows: 16 })}
  <div class="d-flex gap-2 flex-wrap">
    <button type="submit" class="btn btn-primary">${tr('builder.save')}</button>
    <button type="submit" class="btn btn-outline-primary" formaction="${action}/anteprima" id="preview-button">${tr('builder.previewButton')}</button>
  </div>
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
    const list = await forms.list(tenant.id);
    const content = html`<p>${tr('builder.intro')}</p>
${list.length
  ? html`<div class="table-responsive"><table class="table" id="forms">
  <caption class="visually-hidden">${tr('builder.title')}</caption>
  <thead><tr><th scope="col">${tr('builder.name')}</th><th scope="col">${tr('builder.version')}</th><th scope="col">${tr('builder.updated')}</th></tr></thead>
  <tbody>${list.map((f) => html`<tr><td><a href="/${tenant.slug}${FORMS_ADMIN_PATH}/${f.id}">${f.name}</a></td><td>${f.version}</td><td>${date(request, f.createdAt)}</td></tr>`)}</tbody>
</table></div>`
  : html`<p>${tr('builder.none')}</p>`}`;
    return sendPage(reply, desk(request, staff, tr('builder.title'), content, comune));
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
      return sendPage(reply, builderPage(request, staff, form, refused), 400);
    }
    try {
      const saved = await forms.save(tenant.id, { id: form.id, name: view.name, schema: checked.schema }, { type: 'tenant_admin', id: staff.id, requestId: request.id });
      request.session.set(FLASH, saved.version);
    } catch (err) {
      if (!(err instanceof HttpProblem) || err.status !== 400) throw err;
      return sendPage(reply, builderPage(request, staff, form, { ...view, errors: (err.errors ?? []).map((e) => ({ code: e.code ?? 'invalid', pointer: e.pointer.replace(/^\/body\/schema/, ''), detail: e.detail })) }), 400);
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
    if (!checked.ok) return sendPage(reply, builderPage(request, staff, form, { ...view, errors: checked.errors }), 400);
    const preview = html`<div class="form-preview-frame" inert>${renderForm({ schema: checked.schema, locale: request.locale, action: '#', csrfToken: '', data: {}, ctx: { today: dateInItaly(new Date()) } })}</div>`;
    return sendPage(reply, builderPage(request, staff, form, { ...view, preview }));
  });
}
