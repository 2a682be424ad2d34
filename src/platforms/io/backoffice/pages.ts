// The bodies and their services: the operators' list of bodies and the onboarding of a new one (with IO's four
// onboarding steps, reference io.md §7), a body's services, a service's settings (create, edit), its go-live
// checklist (the "valid service" rule, §2.1) and its state (test mode or production, enabled or disabled).
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Executor } from '../../../core/db.ts';
import { redirectTo } from '../../../core/auth/sessions.ts';
import { alert, errorSummary, selectField, textareaField, textField, type FieldErrors } from '../../../core/forms.ts';
import { attr, html, type SafeHtml } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import { formatEuroCents } from '../../../core/i18n.ts';
import { HttpProblem, notFound } from '../../../core/problem.ts';
import { dataTable } from '../../../core/ui.ts';
import { hasValidPartitaIvaCheckDigit } from '../../../domain/partita-iva.ts';
import { MAX_PAYMENT_AMOUNT } from '../../../clients/io/wire.ts';
import { createOrganization, createService, listOrganizations, listServices, updateService, type Organization, type Service } from '../services/store.ts';
import { CONTACT_FIELDS, isValidService, SERVICE_CATEGORIES, SERVICE_SCOPES, type ServiceMetadata, type ServiceSettings } from '../services/validation.ts';
import { formAlert, hidden, IdParams, isOperator, organizationFor, organizationPath, problemErrors, send, serviceFor, servicePath, text } from './area.ts';
import { BACKOFFICE, csrf, dataRow, staffOf } from './layout.ts';
import { backofficeT, type BackofficeKey, type BackofficeT } from './messages.ts';

const CfParams = Type.Object({ cf: Type.String({ maxLength: 16 }) });

const OrganizationForm = Type.Object({ fiscal_code: text(20), name: text(200), department_name: text(200) }, { additionalProperties: true });

const SERVICE_TEXT_FIELDS = ['description', 'privacy_url', 'web_url', 'tos_url', 'address', 'email', 'pec', 'phone', 'support_url'] as const;
const ServiceForm = Type.Object(
  {
    service_name: text(200),
    department_name: text(200),
    scope: text(20),
    category: text(20),
    description: text(10_000),
    privacy_url: text(500),
    web_url: text(500),
    tos_url: text(500),
    address: text(500),
    email: text(254),
    pec: text(254),
    phone: text(50),
    support_url: text(500),
    authorized_cidrs: text(4000),
    max_allowed_payment_amount: text(20),
    rate_limit_per_second: text(10),
    require_secure_channels: text(5),
    is_visible: text(5),
    allow_advanced: text(5),
  },
  { additionalProperties: true },
);
/** The form's fields by name, as typed. */
type ServiceFormBody = Record<string, string | undefined>;

const StateForm = Type.Object({ azione: Type.Union([Type.Literal('produzione'), Type.Literal('test'), Type.Literal('disabilita'), Type.Literal('abilita')]) }, { additionalProperties: true });

/** An amount in euro as people type it ("1.500,00", "1500.5", "1500") → cents; undefined when it is not one. */
export function euroToCents(input: string): number | undefined {
  const compact = input.trim().replace(/\s|€/g, '');
  const normalized = /,\d{1,2}$/.test(compact) ? compact.replace(/\./g, '').replace(',', '.') : compact.replace(/,/g, '');
  if (!/^\d+(\.\d{1,2})?$/.test(normalized)) return undefined;
  return Math.round(Number(normalized) * 100);
}

const centsToEuroInput = (cents: number) => (cents / 100).toFixed(2).replace('.', ',');

/** The lines or commas of a list field, trimmed, without empties. */
export const listOf = (value: string | undefined) => (value ?? '').split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);

/** The form's settings, or the errors of the fields the store cannot judge (amounts and numbers as typed). */
function settingsOf(tr: BackofficeT, body: ServiceFormBody): { settings: ServiceSettings & { serviceName: string; departmentName: string }; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const cents = euroToCents(body.max_allowed_payment_amount || '0');
  if (cents === undefined || cents > MAX_PAYMENT_AMOUNT) errors.max_allowed_payment_amount = tr('errAmount');
  const rate = Number(body.rate_limit_per_second || '5000');
  if (!Number.isInteger(rate) || rate < 1 || rate > 100_000) errors.rate_limit_per_second = tr('errRate');
  const scope = (SERVICE_SCOPES as readonly string[]).includes(body.scope ?? '') ? (body.scope as ServiceMetadata['scope']) : 'LOCAL';
  const category = (SERVICE_CATEGORIES as readonly string[]).includes(body.category ?? '') ? (body.category as ServiceMetadata['category']) : 'STANDARD';
  const metadata: ServiceMetadata = { scope, category };
  for (const field of SERVICE_TEXT_FIELDS) if (body[field]?.trim()) metadata[field] = body[field]!.trim();
  return {
    settings: {
      serviceName: body.service_name?.trim() ?? '',
      departmentName: body.department_name?.trim() ?? '',
      metadata,
      authorizedCidrs: listOf(body.authorized_cidrs),
      maxAllowedPaymentAmount: cents ?? 0,
      rateLimitPerSecond: rate,
      requireSecureChannels: body.require_secure_channels === 'on',
      isVisible: body.is_visible === 'on',
    },
    errors,
  };
}

/**
 * Saves the service form with `save`, which answers where to go next; or the errors to show the form again with:
 * those of the fields the store cannot judge, else the store's 400.
 */
async function submitServiceForm(
  tr: BackofficeT,
  body: ServiceFormBody,
  save: (settings: ReturnType<typeof settingsOf>['settings']) => Promise<string>,
): Promise<{ next: string } | { errors: FieldErrors }> {
  const { settings, errors } = settingsOf(tr, body);
  if (Object.keys(errors).length) return { errors };
  try {
    return { next: await save(settings) };
  } catch (err) {
    if (!(err instanceof HttpProblem) || err.status !== 400) throw err;
    return { errors: problemErrors(tr, err) };
  }
}

/** The form's values as shown again: what was typed, or the service's own. */
function formValuesOf(service: Service): ServiceFormBody {
  return {
    service_name: service.serviceName,
    department_name: service.departmentName,
    scope: service.metadata.scope,
    category: service.metadata.category ?? 'STANDARD',
    ...Object.fromEntries(SERVICE_TEXT_FIELDS.map((f) => [f, service.metadata[f] ?? ''])),
    authorized_cidrs: service.authorizedCidrs.join('\n'),
    max_allowed_payment_amount: centsToEuroInput(service.maxAllowedPaymentAmount),
    rate_limit_per_second: String(service.rateLimitPerSecond),
    require_secure_channels: service.requireSecureChannels ? 'on' : undefined,
    is_visible: service.isVisible ? 'on' : undefined,
    allow_advanced: service.allowAdvanced ? 'on' : undefined,
  };
}

/** ADVANCED messages are a contract with IO (ApiMessageWriteAdvanced): the operator's to grant, ignored from a body's staff. */
const advancedOf = (request: FastifyRequest, body: ServiceFormBody) => (isOperator(staffOf(request)!) ? { allowAdvanced: body.allow_advanced === 'on' } : {});

function checkbox(name: string, label: string, checked: boolean, help?: string): SafeHtml {
  return html`<div class="form-check mb-3"><input id="field-${name}" name="${name}" type="checkbox" value="on"${attr('checked', checked)}${attr('aria-describedby', help ? `field-${name}-help` : undefined)}>
<label for="field-${name}">${label}</label>${help ? html`<small id="field-${name}-help" class="form-text d-block">${help}</small>` : ''}</div>`;
}

function serviceForm(request: FastifyRequest, action: string, values: ServiceFormBody, errors: FieldErrors, submit: string): SafeHtml {
  const tr = backofficeT(request.locale);
  const field = (name: string, label: BackofficeKey, extra: { type?: 'url' | 'email' | 'tel'; help?: string; required?: boolean } = {}) =>
    textField({ name, label: tr(label), value: values[name], error: errors[name], ...extra });
  return html`${errorSummary(Object.fromEntries(Object.entries(errors).filter(([k]) => k !== '_form')), tr('errorSummary'))}${formAlert(errors)}
<form method="post" action="${action}" novalidate>${csrf(request)}
<fieldset class="mb-4"><legend class="h5">${tr('legendService')}</legend>
  ${field('service_name', 'serviceName', { required: true })}
  ${field('department_name', 'departmentName', { required: true })}
  ${selectField({ name: 'scope', label: tr('scope'), value: values.scope, options: SERVICE_SCOPES.map((s) => ({ value: s, label: tr(`scope_${s}`) })), help: tr('scopeHelp'), required: true })}
  ${selectField({ name: 'category', label: tr('category'), value: values.category, options: SERVICE_CATEGORIES.map((c) => ({ value: c, label: tr(`category_${c}`) })) })}
  ${textareaField({ name: 'description', label: tr('description'), value: values.description, error: errors.description, help: tr('descriptionHelp'), rows: 5 })}
</fieldset>
<fieldset class="mb-4"><legend class="h5">${tr('legendLinks')}</legend>
  ${field('privacy_url', 'privacyUrl', { type: 'url', help: tr('privacyUrlHelp') })}
  ${field('web_url', 'webUrl', { type: 'url' })}
  ${field('tos_url', 'tosUrl', { type: 'url' })}
  ${field('address', 'address')}
</fieldset>
<fieldset class="mb-4"><legend class="h5">${tr('legendContacts')}</legend><p class="small">${tr('contactsHelp')}</p>
  ${field('email', 'contactEmail', { type: 'email' })}
  ${field('pec', 'contactPec', { type: 'email' })}
  ${field('phone', 'contactPhone', { type: 'tel' })}
  ${field('support_url', 'supportUrl', { type: 'url' })}
</fieldset>
<fieldset class="mb-4"><legend class="h5">${tr('legendDelivery')}</legend>
  ${checkbox('require_secure_channels', tr('requireSecureChannels'), values.require_secure_channels === 'on', tr('requireSecureChannelsHelp'))}
  ${checkbox('is_visible', tr('isVisible'), values.is_visible === 'on', tr('isVisibleHelp'))}
  ${isOperator(staffOf(request)!) ? checkbox('allow_advanced', tr('allowAdvanced'), values.allow_advanced === 'on', tr('allowAdvancedHelp')) : ''}
  ${field('max_allowed_payment_amount', 'maxAmount', { help: tr('maxAmountHelp') })}
  ${field('rate_limit_per_second', 'rateLimit', { help: tr('rateLimitHelp') })}
  ${textareaField({ name: 'authorized_cidrs', label: tr('authorizedCidrs'), value: values.authorized_cidrs, error: errors.authorized_cidrs, help: tr('authorizedCidrsHelp'), rows: 3 })}
</fieldset>
<button type="submit" class="btn btn-primary">${submit}</button>
</form>`;
}

/** The go-live requirements (reference §2.1 "valid service", §7 checklist), each met or not. */
export function goLiveChecklist(service: Service): { key: BackofficeKey; met: boolean }[] {
  const m = service.metadata;
  return [
    { key: 'reqCidrs', met: service.authorizedCidrs.length > 0 },
    { key: 'reqDescription', met: !!m.description },
    { key: 'reqPrivacy', met: !!m.privacy_url },
    { key: 'reqContact', met: CONTACT_FIELDS.some((f) => !!m[f]) },
  ];
}

const checkItem = (tr: BackofficeT, label: string, met: boolean) =>
  html`<li class="mb-1"><span class="badge ${met ? 'bg-success' : 'bg-secondary'} me-2">${met ? tr('met') : tr('notMet')}</span>${label}</li>`;

export function stateBadges(tr: BackofficeT, service: Service): SafeHtml {
  const badge = (cls: string, label: string) => html`<span class="badge ${cls} me-1">${label}</span>`;
  return html`${service.isTestMode ? badge('bg-warning text-dark', tr('stateTest')) : badge('bg-success', tr('stateProduction'))}${service.isVisible ? badge('bg-info text-dark', tr('stateVisible')) : badge('bg-light text-dark border', tr('stateHidden'))}${service.isDisabled ? badge('bg-danger', tr('stateDisabled')) : ''}`;
}

/** The four onboarding steps of reference §7, each with what shows it done on this platform. */
function onboardingSteps(tr: BackofficeT, services: Service[]): SafeHtml {
  const steps: { key: 'step1' | 'step2' | 'step3' | 'step4'; met: boolean }[] = [
    { key: 'step1', met: services.length > 0 },
    { key: 'step2', met: services.some((s) => s.authorizedRecipients.length > 0 || !s.isTestMode) },
    { key: 'step3', met: services.length > 0 && services.every((s) => !!s.metadata.privacy_url) },
    { key: 'step4', met: services.some((s) => !s.isTestMode && s.isVisible) },
  ];
  return html`<ol class="list-unstyled">${steps.map((s, i) => html`<li class="mb-3"><span class="badge ${s.met ? 'bg-success' : 'bg-secondary'} me-2">${s.met ? tr('met') : tr('notMet')}</span><strong>${i + 1}. ${tr(`${s.key}Title`)}</strong><br><span class="small">${tr(`${s.key}Text`)}</span></li>`)}</ol>`;
}

export function registerServicePages(area: App, db: Executor, secret: string): void {
  const operatorOnly = (request: FastifyRequest) => {
    if (!isOperator(staffOf(request)!)) throw notFound();
  };

  area.get(BACKOFFICE, { config: { html: true }, schema: hidden }, async (request, reply) => {
    const tr = backofficeT(request.locale);
    const staff = staffOf(request)!;
    if (!isOperator(staff)) return redirectTo(reply, organizationPath(staff.tenant));
    const counts = new Map<string, number>();
    for (const s of await listServices(db)) counts.set(s.organizationFiscalCode, (counts.get(s.organizationFiscalCode) ?? 0) + 1);
    const rows = (await listOrganizations(db)).map((o) => [html`<a href="${organizationPath(o.fiscalCode)}">${o.name}</a>`, o.fiscalCode, o.departmentName, counts.get(o.fiscalCode) ?? 0]);
    const main = html`<h1>${tr('organizationsTitle')}</h1>
<p><a class="btn btn-primary" href="${BACKOFFICE}/enti/nuovo">${tr('onboardTitle')}</a></p>
${dataTable(tr('organizationsTitle'), [tr('colOrganization'), tr('colFiscalCode'), tr('colDepartment'), tr('colServices')], rows, tr('noOrganizations'))}`;
    return send(request, reply, { title: tr('organizationsTitle'), main });
  });

  function organizationFormPage(request: FastifyRequest, values: Static<typeof OrganizationForm>, errors: FieldErrors) {
    const tr = backofficeT(request.locale);
    return html`<h1>${tr('onboardTitle')}</h1><div class="row"><div class="col-lg-7">
<p>${tr('onboardIntro')}</p>
${errorSummary(Object.fromEntries(Object.entries(errors).filter(([k]) => k !== '_form')), tr('errorSummary'))}${formAlert(errors)}
<form method="post" action="${BACKOFFICE}/enti" novalidate>${csrf(request)}
  ${textField({ name: 'fiscal_code', label: tr('orgFiscalCode'), value: values.fiscal_code, error: errors.fiscal_code, help: tr('orgFiscalCodeHelp'), inputmode: 'numeric', required: true })}
  ${textField({ name: 'name', label: tr('orgName'), value: values.name, error: errors.name, required: true })}
  ${textField({ name: 'department_name', label: tr('departmentName'), value: values.department_name, error: errors.department_name })}
  <button type="submit" class="btn btn-primary">${tr('onboardSubmit')}</button>
</form></div>
<aside class="col-lg-5"><h2 class="h4">${tr('stepsTitle')}</h2>${onboardingSteps(tr, [])}</aside></div>`;
  }

  area.get(`${BACKOFFICE}/enti/nuovo`, { config: { html: true }, schema: hidden }, async (request, reply) => {
    operatorOnly(request);
    return send(request, reply, { title: backofficeT(request.locale)('onboardTitle'), main: organizationFormPage(request, {}, {}) });
  });

  area.post(`${BACKOFFICE}/enti`, { config: { html: true }, schema: { ...hidden, body: OrganizationForm } }, async (request, reply) => {
    operatorOnly(request);
    const tr = backofficeT(request.locale);
    const body = request.body;
    const fiscalCode = (body.fiscal_code ?? '').replace(/\s/g, '');
    const errors: FieldErrors = {};
    // Bodies' fiscal codes are 11 digits with the partita IVA's check digit (DM 23/12/1976).
    if (!/^\d{11}$/.test(fiscalCode)) errors.fiscal_code = tr('errOrgFiscalCode');
    else if (!hasValidPartitaIvaCheckDigit(fiscalCode)) errors.fiscal_code = tr('errOrgCheckDigit');
    if (!body.name?.trim()) errors.name = tr('err_required');
    if (!Object.keys(errors).length) {
      try {
        const organization = await createOrganization(db, { fiscalCode, name: body.name!.trim(), departmentName: body.department_name?.trim() });
        return redirectTo(reply, `${organizationPath(organization.fiscalCode)}?creato=1`);
      } catch (err) {
        if (!(err instanceof HttpProblem) || (err.status !== 400 && err.status !== 409)) throw err;
        Object.assign(errors, err.status === 409 ? { fiscal_code: tr('errOrgExists') } : problemErrors(tr, err));
      }
    }
    return send(request, reply, { title: tr('onboardTitle'), main: organizationFormPage(request, body, errors) }, 400);
  });

  area.get(`${BACKOFFICE}/enti/:cf`, { config: { html: true }, schema: { ...hidden, params: CfParams, querystring: Type.Object({ creato: text(1) }) } }, async (request, reply) => {
    const tr = backofficeT(request.locale);
    const organization = await organizationFor(db, request, request.params.cf);
    const services = await listServices(db, { organizationFiscalCode: organization.fiscalCode });
    const rows = services.map((s) => [html`<a href="${servicePath(s.serviceId)}">${s.serviceName}</a>`, html`<code>${s.serviceId}</code>`, stateBadges(tr, s)]);
    const main = html`<h1>${organization.name}</h1>
${request.query.creato ? alert('success', tr('organizationCreated')) : ''}
<dl>${dataRow(tr('colFiscalCode'), organization.fiscalCode)}${organization.departmentName ? dataRow(tr('colDepartment'), organization.departmentName) : ''}</dl>
<div class="row mt-4">
<section class="col-lg-8" aria-labelledby="services-title"><h2 id="services-title" class="h4">${tr('servicesTitle')}</h2>
<p><a class="btn btn-primary" href="${organizationPath(organization.fiscalCode)}/servizi/nuovo">${tr('newService')}</a></p>
${dataTable(tr('servicesTitle'), [tr('colService'), tr('colServiceId'), tr('colState')], rows, tr('noServices'))}
</section>
<aside class="col-lg-4" aria-labelledby="steps-title"><h2 id="steps-title" class="h4">${tr('stepsTitle')}</h2>${onboardingSteps(tr, services)}</aside>
</div>`;
    return send(request, reply, { title: organization.name, main, organization });
  });

  const newServiceDefaults = (organization: Organization): ServiceFormBody => ({ department_name: organization.departmentName, scope: 'LOCAL', category: 'STANDARD', max_allowed_payment_amount: '0,00', rate_limit_per_second: '5000' });

  area.get(`${BACKOFFICE}/enti/:cf/servizi/nuovo`, { config: { html: true }, schema: { ...hidden, params: CfParams } }, async (request, reply) => {
    const tr = backofficeT(request.locale);
    const organization = await organizationFor(db, request, request.params.cf);
    const main = html`<h1>${tr('newService')}</h1><p>${tr('newServiceIntro')}</p>${serviceForm(request, `${organizationPath(organization.fiscalCode)}/servizi`, newServiceDefaults(organization), {}, tr('createService'))}`;
    return send(request, reply, { title: tr('newService'), main, organization });
  });

  area.post(`${BACKOFFICE}/enti/:cf/servizi`, { config: { html: true }, schema: { ...hidden, params: CfParams, body: ServiceForm } }, async (request, reply) => {
    const tr = backofficeT(request.locale);
    const organization = await organizationFor(db, request, request.params.cf);
    const body: ServiceFormBody = request.body;
    const outcome = await submitServiceForm(tr, body, async (settings) => {
      const service = await createService(db, secret, { ...settings, ...advancedOf(request, body), organizationFiscalCode: organization.fiscalCode });
      return `${servicePath(service.serviceId)}?esito=creato`;
    });
    if ('next' in outcome) return redirectTo(reply, outcome.next);
    const main = html`<h1>${tr('newService')}</h1>${serviceForm(request, `${organizationPath(organization.fiscalCode)}/servizi`, body, outcome.errors, tr('createService'))}`;
    return send(request, reply, { title: tr('newService'), main, organization }, 400);
  });

  const OUTCOMES = ['creato', 'salvato', 'produzione', 'test', 'disabilita', 'abilita'] as const;

  area.get(`${servicePath(':id')}`, { config: { html: true }, schema: { ...hidden, params: IdParams, querystring: Type.Object({ esito: text(20) }) } }, async (request, reply) => {
    const tr = backofficeT(request.locale);
    const service = await serviceFor(db, request, request.params.id);
    const m = service.metadata;
    const outcome = OUTCOMES.find((o) => o === request.query.esito);
    const checklist = goLiveChecklist(service);
    const action = (azione: string, label: string, cls = 'btn-outline-primary', disabled = false) =>
      html`<form method="post" action="${servicePath(service.serviceId)}/stato" class="d-inline-block me-2 mb-2">${csrf(request)}<input type="hidden" name="azione" value="${azione}"><button type="submit" class="btn ${cls}"${attr('disabled', disabled)}>${label}</button></form>`;
    const contacts = CONTACT_FIELDS.filter((f) => m[f]).map((f) => `${m[f]}`).join(' · ');
    const main = html`<h1>${service.serviceName}</h1>
${outcome ? alert('success', tr(`outcome_${outcome}`)) : ''}
<p>${stateBadges(tr, service)}</p>
<div class="row">
<section class="col-lg-7" aria-labelledby="data-title"><h2 id="data-title" class="h4">${tr('serviceData')}</h2><dl>
  ${dataRow(tr('colServiceId'), html`<code>${service.serviceId}</code>`)}
  ${dataRow(tr('colOrganization'), `${service.organizationName} (${service.organizationFiscalCode})`)}
  ${dataRow(tr('departmentName'), service.departmentName)}
  ${dataRow(tr('scope'), tr(`scope_${m.scope}`))}${dataRow(tr('category'), tr(`category_${m.category ?? 'STANDARD'}`))}
  ${dataRow(tr('description'), m.description ?? '—')}
  ${dataRow(tr('privacyUrl'), m.privacy_url ?? '—')}
  ${dataRow(tr('legendContacts'), contacts || '—')}
  ${dataRow(tr('requireSecureChannels'), service.requireSecureChannels ? tr('yes') : tr('no'))}
  ${dataRow(tr('maxAmount'), formatEuroCents(service.maxAllowedPaymentAmount, request.locale))}
  ${dataRow(tr('allowAdvanced'), service.allowAdvanced ? tr('yes') : tr('no'))}
  ${dataRow(tr('rateLimit'), String(service.rateLimitPerSecond))}
  ${dataRow(tr('authorizedCidrs'), service.authorizedCidrs.join(', ') || '—')}
  ${dataRow(tr('navRecipients'), service.authorizedRecipients.join(', ') || '—')}
  ${dataRow(tr('version'), String(service.version))}
</dl>
<p><a class="btn btn-primary" href="${servicePath(service.serviceId)}/modifica">${tr('editService')}</a></p></section>
<section class="col-lg-5" aria-labelledby="golive-title"><h2 id="golive-title" class="h4">${tr('goLiveTitle')}</h2>
<p class="small">${tr('goLiveIntro')}</p>
<ul class="list-unstyled">${checklist.map((c) => checkItem(tr, tr(c.key), c.met))}</ul>
<p class="small">${tr('goLivePayment')}</p>
<h3 class="h5 mt-4">${tr('stateTitle')}</h3>
${service.isTestMode ? html`${action('produzione', tr('toProduction'), 'btn-primary', !isValidService(service))}${isValidService(service) ? '' : html`<p class="small">${tr('toProductionBlocked')}</p>`}` : action('test', tr('toTest'))}
${service.isDisabled ? action('abilita', tr('enable')) : action('disabilita', tr('disable'), 'btn-outline-danger')}
</section></div>`;
    return send(request, reply, { title: service.serviceName, main, service });
  });

  area.get(`${servicePath(':id')}/modifica`, { config: { html: true }, schema: { ...hidden, params: IdParams } }, async (request, reply) => {
    const tr = backofficeT(request.locale);
    const service = await serviceFor(db, request, request.params.id);
    const main = html`<h1>${tr('editService')}</h1>${serviceForm(request, `${servicePath(service.serviceId)}/modifica`, formValuesOf(service), {}, tr('save'))}`;
    return send(request, reply, { title: tr('editService'), main, service });
  });

  area.post(`${servicePath(':id')}/modifica`, { config: { html: true }, schema: { ...hidden, params: IdParams, body: ServiceForm } }, async (request, reply) => {
    const tr = backofficeT(request.locale);
    const service = await serviceFor(db, request, request.params.id);
    const body: ServiceFormBody = request.body;
    const outcome = await submitServiceForm(tr, body, async (settings) => {
      await updateService(db, service.serviceId, { ...settings, ...advancedOf(request, body) });
      return `${servicePath(service.serviceId)}?esito=salvato`;
    });
    if ('next' in outcome) return redirectTo(reply, outcome.next);
    const main = html`<h1>${tr('editService')}</h1>${serviceForm(request, `${servicePath(service.serviceId)}/modifica`, body, outcome.errors, tr('save'))}`;
    return send(request, reply, { title: tr('editService'), main, service }, 400);
  });

  area.post(`${servicePath(':id')}/stato`, { config: { html: true }, schema: { ...hidden, params: IdParams, body: StateForm } }, async (request, reply) => {
    const service = await serviceFor(db, request, request.params.id);
    const azione = request.body.azione;
    // Production only for a valid service (reference §2.1): the button is disabled, and a forged post refused.
    if (azione === 'produzione' && !isValidService(service)) {
      const tr = backofficeT(request.locale);
      return send(request, reply, { title: tr('goLiveTitle'), main: html`<h1>${tr('goLiveTitle')}</h1>${alert('danger', tr('toProductionBlocked'))}<ul class="list-unstyled">${goLiveChecklist(service).map((c) => checkItem(tr, tr(c.key), c.met))}</ul><p><a href="${servicePath(service.serviceId)}/modifica">${tr('editService')}</a></p>`, service }, 409);
    }
    const patch = { produzione: { isTestMode: false }, test: { isTestMode: true }, disabilita: { isDisabled: true }, abilita: { isDisabled: false } }[azione];
    await updateService(db, service.serviceId, patch);
    return redirectTo(reply, `${servicePath(service.serviceId)}?esito=${azione}`);
  });
}
