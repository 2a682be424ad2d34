// Back-office › Servizi and Uffici, for the ente's administrators: the catalog's services (CPSV-AP_IT
// content per language, status and dates, access level, office, deadline, protocol, category, topics),
// their categories, and the offices with their operators. Post/redirect/get; every write audited.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { attr, html, type SafeHtml } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { LOCALES, LOCALE_NAMES, type Locale } from '../../core/i18n.ts';
import { checkFormCsrf, formCsrfToken, redirectTo } from '../../core/auth/sessions.ts';
import { notFound, type HttpProblem } from '../../core/problem.ts';
import { alert, csrfField, errorSummary, runFormCommand, selectField, textareaField, textField, type FieldErrors } from '../../core/forms.ts';
import { requireTenant, type ComuneContext, type StaffLogin } from '../context.ts';
import type { CommandActor } from '../commands.ts';
import type { Action } from '../policies.ts';
import { desk, guard } from '../backoffice/routes.ts';
import { pendingIntegrations } from '../backoffice/workflow.ts';
import { sendPage } from '../website/routes.ts';
import {
  ACCESS_LEVELS,
  CHANNELS,
  CONTENT_FIELDS,
  SERVICE_STATUSES,
  localizedContent,
  localizedText,
  type AccessLevel,
  type CategoryInput,
  type Channel,
  type OfficeInput,
  type ServiceContent,
  type ServiceInput,
  type ServiceStatus,
} from './model.ts';
import { ServiceRepository } from './services.ts';
import { CategoryRepository } from './categories.ts';
import { OfficeRepository } from './offices.ts';
import { FormRepository } from '../forms/forms.ts';
import { createCategory, createOffice, createService, setOfficeMembers, updateCategory, updateOffice, updateService } from './commands.ts';
import { servicePath } from './pages.ts';
import { servicePaymentPath } from '../payments/paths.ts';
import { paymentsT } from '../payments/messages.ts';
import { catalogT, type CatalogT } from './messages.ts';

export const SERVICES_ADMIN_PATH = '/backoffice/servizi';
export const CATEGORIES_ADMIN_PATH = '/backoffice/servizi/categorie';
export const OFFICES_ADMIN_PATH = '/backoffice/uffici';

type Form = Record<string, string | string[] | undefined>;
const FormBody = Type.Record(Type.String(), Type.Union([Type.String({ maxLength: 5000 }), Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50 })]));
const TenantParams = Type.Object({ tenant: Type.String() });
const IdParams = Type.Object({ tenant: Type.String(), id: Type.String({ format: 'uuid' }) });
const SavedQuery = Type.Object({ salvato: Type.Optional(Type.String({ maxLength: 1 })) }, { additionalProperties: true });

const one = (form: Form, name: string): string => {
  const value = form[name];
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
};
const many = (form: Form, name: string): string[] => ([] as string[]).concat(form[name] ?? []);
const orNull = (value: string) => value || null;
const list = (value: string) => value.split(',').map((x) => x.trim()).filter(Boolean);

/** The service form → input; the attached form as posted, or `formId` (kept as it was) when the post has no such field. */
export function serviceFromForm(form: Form, formId: string | null): ServiceInput {
  const contentOf = (locale: Locale) => Object.fromEntries(CONTENT_FIELDS.map((f) => [f, one(form, `content.${locale}.${f}`)])) as ServiceContent;
  const translations = Object.fromEntries(
    LOCALES.filter((l) => l !== 'it')
      .map((l) => [l, Object.fromEntries(Object.entries(contentOf(l)).filter(([, v]) => v))] as const)
      .filter(([, c]) => Object.keys(c).length),
  );
  return {
    slug: one(form, 'slug'),
    categoryId: orNull(one(form, 'categoryId')),
    status: one(form, 'status') as ServiceStatus,
    activeFrom: orNull(one(form, 'activeFrom')),
    activeTo: orNull(one(form, 'activeTo')),
    accessLevel: one(form, 'accessLevel') as AccessLevel,
    officeId: orNull(one(form, 'officeId')),
    deadlineDays: one(form, 'deadlineDays') ? Number(one(form, 'deadlineDays')) : NaN,
    protocolRequired: one(form, 'protocolRequired') === '1',
    formId: form.formId === undefined ? formId : orNull(one(form, 'formId')),
    content: { it: contentOf('it'), ...translations },
    topics: list(one(form, 'topics')),
    lifeEvents: list(one(form, 'lifeEvents')),
    channels: many(form, 'channels') as Channel[],
  };
}

function categoryFromForm(form: Form): CategoryInput {
  const perLocale = (prefix: string) => Object.fromEntries(LOCALES.map((l) => [l, one(form, `${prefix}.${l}`)]).filter(([, v]) => v));
  return { slug: one(form, 'slug'), names: { it: '', ...perLocale('names') }, descriptions: perLocale('descriptions'), position: Number(one(form, 'position') || '0') };
}

function officeFromForm(form: Form): OfficeInput {
  return { name: one(form, 'name'), email: orNull(one(form, 'email')), phone: orNull(one(form, 'phone')), address: orNull(one(form, 'address')), openingHours: orNull(one(form, 'openingHours')) };
}

/** A refusal as errors per form field: "/body/content/en/name" → "content.en.name". */
function fieldErrors(problem: HttpProblem, tr: CatalogT): FieldErrors {
  if (problem.status === 409) return { slug: tr('catalog.admin.slugTaken') };
  return Object.fromEntries(
    (problem.errors ?? []).map((e) => [e.pointer.replace(/^\/body\//, '').replaceAll('/', '.'), e.code === 'required' ? tr('error.required') : tr('catalog.admin.invalid', { detail: e.detail })]),
  );
}

const actorOf = (staff: StaffLogin, request: FastifyRequest): CommandActor => ({ type: staff.role, id: staff.id, requestId: request.id });

function checkbox(name: string, value: string, label: string, checked: boolean): SafeHtml {
  const id = `field-${name}-${value}`;
  return html`<div class="form-check"><input id="${id}" type="checkbox" name="${name}" value="${value}"${attr('checked', checked)}><label for="${id}">${label}</label></div>`;
}

function textValues(values: Form): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v ?? '']));
}

interface Editor {
  errors?: FieldErrors;
  values?: Form;
}

export function registerCatalogAdmin(app: App, comune: ComuneContext): void {
  const services = new ServiceRepository(comune.db);
  const categories = new CategoryRepository(comune.db);
  const offices = new OfficeRepository(comune.db);
  const forms = new FormRepository(comune.db);

  /** The page's staff member under the policy, with what every admin page needs. */
  function entry(request: FastifyRequest, reply: FastifyReply, type: Extract<Action['type'], 'tenant.manageServices' | 'tenant.manageOffices'>) {
    const tenant = requireTenant(request);
    const staff = guard(request, reply, { type, tenantId: tenant.id });
    return staff && { tenant, staff, tr: catalogT(request.locale), base: `/${tenant.slug}` };
  }

  const savedAlert = (request: FastifyRequest, tr: CatalogT) => ((request.query as { salvato?: string }).salvato ? alert('success', tr('catalog.admin.saved')) : '');

  function localeFieldset(locale: Locale, tr: CatalogT, body: SafeHtml): SafeHtml {
    return html`<fieldset class="mb-4"><legend class="h5">${tr('catalog.admin.contentIn', { language: LOCALE_NAMES[locale] })}</legend>
${locale === 'it' ? '' : html`<p class="small">${tr('catalog.admin.contentOptional')}</p>`}${body}</fieldset>`;
  }

  // ---- services ----

  async function serviceForm(request: FastifyRequest, staff: StaffLogin, id: string | null, editor: Editor): Promise<string> {
    const tenant = requireTenant(request);
    const tr = catalogT(request.locale);
    const v = textValues(editor.values ?? {});
    const e = editor.errors ?? {};
    const channels = many(editor.values ?? {}, 'channels');
    const [allCategories, allOffices, allForms] = await Promise.all([categories.list(tenant.id), offices.list(tenant.id), forms.list(tenant.id)]);
    const none = { value: '', label: tr('catalog.admin.none') };
    const text = (name: string, label: string, extra: { type?: 'date' | 'number'; help?: string; required?: boolean } = {}) =>
      textField({ name, label, value: v[name], error: e[name], ...extra });
    const action = id ? `/${tenant.slug}${SERVICES_ADMIN_PATH}/${id}` : `/${tenant.slug}${SERVICES_ADMIN_PATH}`;
    const content = html`${savedAlert(request, tr)}
${errorSummary(e, tr('area.errorSummary', { count: Object.keys(e).length }))}
${id && v.slug ? html`<p><a href="${servicePath(tenant, { slug: v.slug })}">${tr('catalog.admin.viewPublic')}</a></p>` : ''}
${id ? html`<p><a href="${servicePaymentPath(tenant, id)}">${paymentsT(request.locale)('payments.service.link')}</a></p>` : ''}
<form method="post" action="${action}" novalidate>
  ${csrfField(formCsrfToken(request, comune.app.secret))}
  <fieldset class="mb-4"><legend class="h5">${tr('catalog.admin.settings')}</legend>
  ${text('slug', tr('catalog.admin.slug'), { help: tr('catalog.admin.slugHelp'), required: true })}
  ${selectField({ name: 'status', label: tr('catalog.admin.status'), value: v.status, error: e.status, options: SERVICE_STATUSES.map((s) => ({ value: s, label: tr(`catalog.admin.status.${s}`) })) })}
  ${text('activeFrom', tr('catalog.admin.activeFrom'), { type: 'date' })}
  ${text('activeTo', tr('catalog.admin.activeTo'), { type: 'date' })}
  ${selectField({ name: 'accessLevel', label: tr('catalog.admin.accessLevel'), value: v.accessLevel, error: e.accessLevel, options: ACCESS_LEVELS.map((l) => ({ value: l, label: tr(`access.${l}`) })) })}
  ${selectField({ name: 'categoryId', label: tr('catalog.category'), value: v.categoryId, error: e.categoryId, options: [none, ...allCategories.map((c) => ({ value: c.id, label: localizedText(c.names, request.locale) }))] })}
  ${selectField({ name: 'officeId', label: tr('service.office'), value: v.officeId, error: e.officeId, options: [none, ...allOffices.map((o) => ({ value: o.id, label: o.name }))] })}
  ${selectField({ name: 'formId', label: tr('catalog.admin.form'), value: v.formId, error: e.formId, help: tr('catalog.admin.formHelp'), options: [none, ...allForms.map((f) => ({ value: f.id, label: `${f.name} (v${f.version})` }))] })}
  ${text('deadlineDays', tr('catalog.admin.deadlineDays'), { type: 'number', help: tr('catalog.admin.deadlineHelp'), required: true })}
  ${checkbox('protocolRequired', '1', tr('catalog.admin.protocol'), v.protocolRequired === '1')}
  ${text('topics', tr('catalog.admin.topics'), { help: tr('catalog.admin.topicsHelp') })}
  ${text('lifeEvents', tr('catalog.admin.lifeEvents'))}
  <fieldset class="mb-3" ${e.channels ? html`aria-describedby="field-channels-error"` : ''}><legend class="h6" id="field-channels">${tr('catalog.admin.channels')}</legend>
    ${CHANNELS.map((c) => checkbox('channels', c, tr(`channel.${c}`), channels.includes(c)))}
    ${e.channels ? html`<div id="field-channels-error" class="invalid-feedback d-block">${e.channels}</div>` : ''}
  </fieldset>
  </fieldset>
  ${pendingIntegrations(request.locale)}
  ${LOCALES.map((locale) =>
    localeFieldset(
      locale,
      tr,
      html`${CONTENT_FIELDS.map((f) => {
        const name = `content.${locale}.${f}`;
        const label = tr(`catalog.admin.field.${f}`);
        const required = locale === 'it' && (f === 'name' || f === 'description');
        return f === 'name' ? textField({ name, label, value: v[name], error: e[name], required }) : textareaField({ name, label, value: v[name], error: e[name], required, rows: f === 'description' ? 2 : 4 });
      })}`,
    ),
  )}
  <button type="submit" class="btn btn-primary">${tr('area.save')}</button>
</form>`;
    return desk(request, staff, id ? tr('catalog.admin.editService') : tr('catalog.admin.newService'), content, comune);
  }

  /** A stored service as form values. */
  function serviceValues(service: ServiceInput): Form {
    const values: Form = {
      slug: service.slug,
      status: service.status,
      activeFrom: service.activeFrom ?? '',
      activeTo: service.activeTo ?? '',
      accessLevel: service.accessLevel,
      categoryId: service.categoryId ?? '',
      officeId: service.officeId ?? '',
      formId: service.formId ?? '',
      deadlineDays: String(service.deadlineDays),
      protocolRequired: service.protocolRequired ? '1' : '',
      topics: service.topics.join(', '),
      lifeEvents: service.lifeEvents.join(', '),
      channels: service.channels,
    };
    for (const locale of LOCALES) for (const f of CONTENT_FIELDS) values[`content.${locale}.${f}`] = service.content[locale]?.[f] ?? '';
    return values;
  }

  app.get(SERVICES_ADMIN_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const ok = entry(request, reply, 'tenant.manageServices');
    if (!ok) return reply;
    const { tenant, staff, tr, base } = ok;
    const [all, allCategories, allOffices] = await Promise.all([services.list(tenant.id, { locale: request.locale }), categories.list(tenant.id), offices.list(tenant.id)]);
    const nameOf = <T extends { id: string }>(items: T[], id: string | null, label: (item: T) => string) => {
      const item = items.find((x) => x.id === id);
      return item ? label(item) : '—';
    };
    const content = html`<p>${tr('catalog.admin.servicesIntro')}</p>
<p><a class="btn btn-primary" href="${base}${SERVICES_ADMIN_PATH}/nuovo">${tr('catalog.admin.newService')}</a>
  <a class="btn btn-outline-primary" href="${base}${CATEGORIES_ADMIN_PATH}">${tr('catalog.admin.categories')}</a>
  <a class="btn btn-outline-primary" href="${base}${OFFICES_ADMIN_PATH}">${tr('catalog.admin.offices')}</a></p>
<div class="table-responsive"><table class="table">
  <caption class="visually-hidden">${tr('catalog.admin.services')}</caption>
  <thead><tr><th scope="col">${tr('catalog.admin.name')}</th><th scope="col">${tr('catalog.admin.status')}</th><th scope="col">${tr('catalog.category')}</th><th scope="col">${tr('service.office')}</th><th scope="col">${tr('catalog.admin.deadlineDays')}</th></tr></thead>
  <tbody>${all.map(
    (s) => html`<tr><td><a href="${base}${SERVICES_ADMIN_PATH}/${s.id}">${localizedContent(s.content, request.locale).name}</a></td><td>${tr(`catalog.admin.status.${s.status}`)}</td>
<td>${nameOf(allCategories, s.categoryId, (c) => localizedText(c.names, request.locale))}</td><td>${nameOf(allOffices, s.officeId, (o) => o.name)}</td><td>${s.deadlineDays}</td></tr>`,
  )}</tbody>
</table></div>
${all.length ? '' : html`<p>${tr('catalog.admin.empty')}</p>`}`;
    return sendPage(reply, desk(request, staff, tr('catalog.admin.services'), content, comune));
  });

  app.get(`${SERVICES_ADMIN_PATH}/nuovo`, { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const ok = entry(request, reply, 'tenant.manageServices');
    if (!ok) return reply;
    return sendPage(reply, await serviceForm(request, ok.staff, null, { values: { status: 'draft', accessLevel: 'spid-l2', deadlineDays: '30', protocolRequired: '1', channels: ['online'] } }));
  });

  app.post(SERVICES_ADMIN_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams, body: FormBody } }, async (request, reply) => {
    checkFormCsrf(request, comune.app.secret);
    const ok = entry(request, reply, 'tenant.manageServices');
    if (!ok) return reply;
    const outcome = await runFormCommand(() => createService(comune.db, ok.tenant.id, serviceFromForm(request.body, null), actorOf(ok.staff, request)), (p) => fieldErrors(p, ok.tr));
    if (!outcome.ok) return sendPage(reply, await serviceForm(request, ok.staff, null, { errors: outcome.errors, values: request.body }), outcome.status);
    return redirectTo(reply, `${ok.base}${SERVICES_ADMIN_PATH}/${outcome.value.id}?salvato=1`);
  });

  app.get(`${SERVICES_ADMIN_PATH}/:id`, { config: { html: true }, schema: { hide: true, params: IdParams, querystring: SavedQuery } }, async (request, reply) => {
    const ok = entry(request, reply, 'tenant.manageServices');
    if (!ok) return reply;
    const service = await services.byId(ok.tenant.id, request.params.id);
    if (!service) throw notFound('No such service.');
    return sendPage(reply, await serviceForm(request, ok.staff, service.id, { values: serviceValues(service) }));
  });

  app.post(`${SERVICES_ADMIN_PATH}/:id`, { config: { html: true }, schema: { hide: true, params: IdParams, body: FormBody } }, async (request, reply) => {
    checkFormCsrf(request, comune.app.secret);
    const ok = entry(request, reply, 'tenant.manageServices');
    if (!ok) return reply;
    const existing = await services.byId(ok.tenant.id, request.params.id);
    if (!existing) throw notFound('No such service.');
    const input = serviceFromForm(request.body, existing.formId);
    const outcome = await runFormCommand(() => updateService(comune.db, ok.tenant.id, existing.id, input, actorOf(ok.staff, request)), (p) => fieldErrors(p, ok.tr));
    if (!outcome.ok) return sendPage(reply, await serviceForm(request, ok.staff, existing.id, { errors: outcome.errors, values: request.body }), outcome.status);
    return redirectTo(reply, `${ok.base}${SERVICES_ADMIN_PATH}/${existing.id}?salvato=1`);
  });

  // ---- categories ----

  async function categoriesPage(request: FastifyRequest, staff: StaffLogin, id: string | null, editor: Editor): Promise<string> {
    const tenant = requireTenant(request);
    const tr = catalogT(request.locale);
    const base = `/${tenant.slug}${CATEGORIES_ADMIN_PATH}`;
    const v = textValues(editor.values ?? {});
    const e = editor.errors ?? {};
    const all = await categories.list(tenant.id);
    const content = html`${savedAlert(request, tr)}
<ul>${all.map((c) => html`<li><a href="${base}/${c.id}">${localizedText(c.names, request.locale)}</a> <code>${c.slug}</code></li>`)}</ul>
${all.length ? '' : html`<p>${tr('catalog.admin.empty')}</p>`}
<h2 class="h4 mt-4">${id ? tr('catalog.admin.editCategory') : tr('catalog.admin.newCategory')}</h2>
${errorSummary(e, tr('area.errorSummary', { count: Object.keys(e).length }))}
<form method="post" action="${id ? `${base}/${id}` : base}" novalidate>
  ${csrfField(formCsrfToken(request, comune.app.secret))}
  ${textField({ name: 'slug', label: tr('catalog.admin.slug'), value: v.slug, error: e.slug, help: tr('catalog.admin.slugHelp'), required: true })}
  ${LOCALES.map((l) => textField({ name: `names.${l}`, label: tr('catalog.admin.categoryName', { language: LOCALE_NAMES[l] }), value: v[`names.${l}`], error: e[`names.${l}`], required: l === 'it' }))}
  ${LOCALES.map((l) => textareaField({ name: `descriptions.${l}`, label: tr('catalog.admin.categoryDescription', { language: LOCALE_NAMES[l] }), value: v[`descriptions.${l}`], error: e[`descriptions.${l}`], rows: 2 }))}
  ${textField({ name: 'position', label: tr('catalog.admin.position'), type: 'number', value: v.position ?? '0', error: e.position })}
  <button type="submit" class="btn btn-primary">${tr('area.save')}</button>
</form>`;
    return desk(request, staff, tr('catalog.admin.categories'), content, comune);
  }

  app.get(CATEGORIES_ADMIN_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams, querystring: SavedQuery } }, async (request, reply) => {
    const ok = entry(request, reply, 'tenant.manageServices');
    if (!ok) return reply;
    return sendPage(reply, await categoriesPage(request, ok.staff, null, {}));
  });

  app.get(`${CATEGORIES_ADMIN_PATH}/:id`, { config: { html: true }, schema: { hide: true, params: IdParams, querystring: SavedQuery } }, async (request, reply) => {
    const ok = entry(request, reply, 'tenant.manageServices');
    if (!ok) return reply;
    const category = await categories.byId(ok.tenant.id, request.params.id);
    if (!category) throw notFound('No such category.');
    const values: Form = { slug: category.slug, position: String(category.position) };
    for (const l of LOCALES) {
      values[`names.${l}`] = category.names[l] ?? '';
      values[`descriptions.${l}`] = category.descriptions[l] ?? '';
    }
    return sendPage(reply, await categoriesPage(request, ok.staff, category.id, { values }));
  });

  for (const withId of [false, true]) {
    app.post(withId ? `${CATEGORIES_ADMIN_PATH}/:id` : CATEGORIES_ADMIN_PATH, { config: { html: true }, schema: { hide: true, params: withId ? IdParams : TenantParams, body: FormBody } }, async (request, reply) => {
      checkFormCsrf(request, comune.app.secret);
      const ok = entry(request, reply, 'tenant.manageServices');
      if (!ok) return reply;
      const id = (request.params as { id?: string }).id ?? null;
      const input = categoryFromForm(request.body);
      const actor = actorOf(ok.staff, request);
      const outcome = await runFormCommand(() => (id ? updateCategory(comune.db, ok.tenant.id, id, input, actor) : createCategory(comune.db, ok.tenant.id, input, actor)), (p) => fieldErrors(p, ok.tr));
      if (!outcome.ok) return sendPage(reply, await categoriesPage(request, ok.staff, id, { errors: outcome.errors, values: request.body }), outcome.status);
      return redirectTo(reply, `${ok.base}${CATEGORIES_ADMIN_PATH}/${outcome.value.id}?salvato=1`);
    });
  }

  // ---- offices ----

  async function officesPage(request: FastifyRequest, staff: StaffLogin, id: string | null, editor: Editor): Promise<string> {
    const tenant = requireTenant(request);
    const tr = catalogT(request.locale);
    const base = `/${tenant.slug}${OFFICES_ADMIN_PATH}`;
    const v = textValues(editor.values ?? {});
    const e = editor.errors ?? {};
    const [all, people, members] = await Promise.all([offices.list(tenant.id), comune.staff.listByTenant(tenant.id), id ? offices.memberIds(id) : Promise.resolve([])]);
    const chosen = editor.values?.members !== undefined ? many(editor.values, 'members') : members;
    const content = html`${savedAlert(request, tr)}
<ul>${all.map((o) => html`<li><a href="${base}/${o.id}">${o.name}</a></li>`)}</ul>
${all.length ? '' : html`<p>${tr('catalog.admin.empty')}</p>`}
<h2 class="h4 mt-4">${id ? tr('catalog.admin.editOffice') : tr('catalog.admin.newOffice')}</h2>
${errorSummary(e, tr('area.errorSummary', { count: Object.keys(e).length }))}
<form method="post" action="${id ? `${base}/${id}` : base}" novalidate>
  ${csrfField(formCsrfToken(request, comune.app.secret))}
  ${textField({ name: 'name', label: tr('catalog.admin.name'), value: v.name, error: e.name, required: true })}
  ${textField({ name: 'email', label: tr('catalog.admin.email'), type: 'email', value: v.email, error: e.email })}
  ${textField({ name: 'phone', label: tr('catalog.admin.phone'), type: 'tel', value: v.phone, error: e.phone })}
  ${textField({ name: 'address', label: tr('catalog.admin.address'), value: v.address, error: e.address })}
  ${textareaField({ name: 'openingHours', label: tr('catalog.admin.openingHours'), value: v.openingHours, error: e.openingHours, rows: 2 })}
  ${id
    ? html`<fieldset class="mb-3"><legend class="h6" id="field-members">${tr('catalog.admin.members')}</legend><p class="small">${tr('catalog.admin.membersHelp')}</p>
    <input type="hidden" name="members" value="">
    ${people.map((p) => checkbox('members', p.id, `${p.familyName} ${p.givenName} (${p.email})`, chosen.includes(p.id)))}
    ${e.members ? html`<div class="invalid-feedback d-block">${e.members}</div>` : ''}</fieldset>`
    : ''}
  <button type="submit" class="btn btn-primary">${tr('area.save')}</button>
</form>`;
    return desk(request, staff, tr('catalog.admin.offices'), content, comune);
  }

  app.get(OFFICES_ADMIN_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams, querystring: SavedQuery } }, async (request, reply) => {
    const ok = entry(request, reply, 'tenant.manageOffices');
    if (!ok) return reply;
    return sendPage(reply, await officesPage(request, ok.staff, null, {}));
  });

  app.get(`${OFFICES_ADMIN_PATH}/:id`, { config: { html: true }, schema: { hide: true, params: IdParams, querystring: SavedQuery } }, async (request, reply) => {
    const ok = entry(request, reply, 'tenant.manageOffices');
    if (!ok) return reply;
    const office = await offices.byId(ok.tenant.id, request.params.id);
    if (!office) throw notFound('No such office.');
    const values: Form = { name: office.name, email: office.email ?? '', phone: office.phone ?? '', address: office.address ?? '', openingHours: office.openingHours ?? '' };
    return sendPage(reply, await officesPage(request, ok.staff, office.id, { values }));
  });

  for (const withId of [false, true]) {
    app.post(withId ? `${OFFICES_ADMIN_PATH}/:id` : OFFICES_ADMIN_PATH, { config: { html: true }, schema: { hide: true, params: withId ? IdParams : TenantParams, body: FormBody } }, async (request, reply) => {
      checkFormCsrf(request, comune.app.secret);
      const ok = entry(request, reply, 'tenant.manageOffices');
      if (!ok) return reply;
      const id = (request.params as { id?: string }).id ?? null;
      const input = officeFromForm(request.body);
      const actor = actorOf(ok.staff, request);
      // The empty hidden "members" field makes an all-unchecked list arrive as a list.
      const members = many(request.body, 'members').filter(Boolean);
      const outcome = await runFormCommand(async () => {
        const office = id ? await updateOffice(comune.db, ok.tenant.id, id, input, actor) : await createOffice(comune.db, ok.tenant.id, input, actor);
        if (id) await setOfficeMembers(comune.db, ok.tenant.id, office.id, members, actor);
        return office;
      }, (p) => fieldErrors(p, ok.tr));
      if (!outcome.ok) return sendPage(reply, await officesPage(request, ok.staff, id, { errors: outcome.errors, values: request.body }), outcome.status);
      return redirectTo(reply, `${ok.base}${OFFICES_ADMIN_PATH}/${outcome.value.id}?salvato=1`);
    });
  }
}
