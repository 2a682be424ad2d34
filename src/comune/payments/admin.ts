// Back-office › Pagamenti, for the ente's administrators: the pagoPA settings (keys sealed, never shown back),
// the budget chapters, and the payment of each service (/backoffice/servizi/{id}/pagamento).
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { attr, html, type SafeHtml } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { formatEuroCents } from '../../core/i18n.ts';
import { audit } from '../../core/audit.ts';
import { transaction } from '../../core/db.ts';
import { checkFormCsrf, formCsrfToken } from '../../core/auth/sessions.ts';
import { alert, csrfField, errorSummary, selectField, textareaField, textField, type FieldErrors } from '../../core/forms.ts';
import { dataTable } from '../../core/ui.ts';
import { notFound } from '../../core/problem.ts';
import { dateInItaly } from '../../domain/dates.ts';
import { normalizeIban } from '../../domain/iban.ts';
import { requireTenant, type ComuneContext, type StaffLogin } from '../context.ts';
import { desk, guard } from '../backoffice/routes.ts';
import { sendPage } from '../website/routes.ts';
import { ServiceRepository } from '../catalog/services.ts';
import { localizedContent } from '../catalog/model.ts';
import { paymentsT, type PaymentsT } from './messages.ts';
import { PAYMENT_SETTINGS_PATH, servicePaymentPath } from './paths.ts';
import { parseEuroCents, PAYMENT_MODES, type AmountRule, type PaymentMode, type PlanFailure, type ServicePayment, type SplitPart } from './rules.ts';
import { checkServicePayment, saveServicePayment, servicePaymentOf } from './service-payments.ts';
import { checkBudgetChapter, checkPaymentSettings, paymentSettingsOf, saveBudgetChapter, savePaymentSettings, type BudgetChapter, type PaymentSettingsInput } from './settings.ts';

const TenantParams = Type.Object({ tenant: Type.String() });
const IdParams = Type.Object({ tenant: Type.String(), id: Type.String({ pattern: '^[0-9a-fA-F-]{36}$' }) });
const Text = (max: number) => Type.Optional(Type.String({ maxLength: max }));
const SettingsBody = Type.Object(
  {
    creditorFiscalCode: Type.String({ maxLength: 20 }),
    pagopaUrl: Type.String({ maxLength: 500 }),
    gpdKey: Text(500),
    connection: Type.Union([Type.Literal('direct'), Type.Literal('intermediary')]),
    intermediaryName: Text(140),
    intermediaryStation: Text(100),
    treasuryIban: Text(50),
    postalIban: Text(50),
    cbill: Text(10),
    treasuryKey: Text(500),
  },
  { additionalProperties: true },
);
const ChapterBody = Type.Object(
  { code: Type.String({ maxLength: 40 }), description: Type.String({ maxLength: 200 }), taxonomy: Type.String({ maxLength: 40 }), iban: Type.String({ maxLength: 50 }), active: Type.Optional(Type.String({ maxLength: 5 })) },
  { additionalProperties: true },
);
const ServicePaymentBody = Type.Object(
  {
    mode: Type.Union(PAYMENT_MODES.map((m) => Type.Literal(m))),
    amountKind: Type.Union([Type.Literal('fixed'), Type.Literal('field'), Type.Literal('priceList')]),
    amountFixed: Text(20),
    amountKey: Text(100),
    prices: Text(4000),
    split: Text(2000),
    installments: Text(400),
    reason: Text(200),
    dueDays: Text(5),
  },
  { additionalProperties: true },
);
type ServicePaymentForm = typeof ServicePaymentBody.static;

const empty = (value: string | undefined) => (value?.trim() ? value.trim() : null);

/** "key = value" lines → pairs; undefined when a line is not of that shape. */
function pairs(text: string | undefined): [string, string][] | undefined {
  const lines = (text ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const out: [string, string][] = [];
  for (const line of lines) {
    const at = line.indexOf('=');
    if (at < 1) return undefined;
    out.push([line.slice(0, at).trim(), line.slice(at + 1).trim()]);
  }
  return out;
}

/** The service payment form → the rule, or the fields in error (codes of payments.error.*). */
export function servicePaymentInput(form: ServicePaymentForm): { payment?: ServicePayment; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  let amount: AmountRule;
  if (form.amountKind === 'fixed') amount = { kind: 'fixed', cents: parseEuroCents(form.amountFixed ?? '') ?? -1 };
  else if (form.amountKind === 'field') amount = { kind: 'field', key: form.amountKey?.trim() ?? '' };
  else {
    const list = pairs(form.prices);
    const prices: Record<string, number> = {};
    for (const [value, euros] of list ?? []) prices[value] = parseEuroCents(euros) ?? -1;
    if (!list) errors.prices = 'prices';
    amount = { kind: 'priceList', key: form.amountKey?.trim() ?? '', prices };
  }
  const split: SplitPart[] = [];
  const parts = pairs(form.split);
  if (!parts) errors.split = 'splitFormat';
  for (const [chapter, share] of parts ?? []) {
    const percent = /^(\d{1,3}(?:[.,]\d{1,4})?)\s*%$/.exec(share);
    const cents = parseEuroCents(share);
    if (percent) split.push({ chapter, percent: Number(percent[1]!.replace(',', '.')) });
    else if (cents !== undefined) split.push({ chapter, cents });
    else errors.split = 'splitFormat';
  }
  const dates = (form.installments ?? '').split(/[\s,;]+/).filter(Boolean);
  const dueDays = /^\d{1,3}$/.test(form.dueDays?.trim() ?? '') ? Number(form.dueDays!.trim()) : -1;
  const payment: ServicePayment = { mode: form.mode, amount, split, installments: dates.length ? { dueDates: dates } : null, reason: form.reason?.trim() ?? '', dueDays };
  return { payment: Object.keys(errors).length ? undefined : payment, errors };
}

function settingsInput(form: typeof SettingsBody.static): PaymentSettingsInput {
  return {
    creditorFiscalCode: form.creditorFiscalCode.trim(),
    pagopaUrl: form.pagopaUrl.trim().replace(/\/+$/, ''),
    gpdKey: empty(form.gpdKey) ?? undefined,
    intermediary: form.connection === 'intermediary' ? { kind: 'intermediary', name: form.intermediaryName?.trim() ?? '', station: form.intermediaryStation?.trim() ?? '' } : { kind: 'direct' },
    treasuryIban: empty(form.treasuryIban) && normalizeIban(form.treasuryIban!),
    postalIban: empty(form.postalIban) && normalizeIban(form.postalIban!),
    cbill: empty(form.cbill)?.toUpperCase() ?? null,
    treasuryKey: empty(form.treasuryKey) ?? undefined,
  };
}

const explain = (tr: PaymentsT, errors: Record<string, string>): FieldErrors =>
  Object.fromEntries(Object.entries(errors).map(([field, code]) => [field, field === 'split' && code !== 'splitFormat' ? tr('payments.error.split', { reason: tr(`payments.split.${code as PlanFailure}`) }) : tr(`payments.error.${code}` as Parameters<PaymentsT>[0])]));

export function registerPaymentAdmin(app: App, comune: ComuneContext): void {
  const secret = comune.app.secret;
  const services = new ServiceRepository(comune.db);

  async function settingsPage(request: FastifyRequest, staff: StaffLogin, extra: { errors?: FieldErrors; values?: typeof SettingsBody.static; message?: SafeHtml; chapterErrors?: FieldErrors; chapter?: typeof ChapterBody.static } = {}) {
    const tenant = requireTenant(request);
    const tr = paymentsT(request.locale);
    const saved = await paymentSettingsOf(comune.db, tenant.id);
    const via = saved?.intermediary.kind === 'intermediary' ? saved.intermediary : undefined;
    const v = extra.values ?? {
      creditorFiscalCode: saved?.creditorFiscalCode ?? tenant.fiscalCode,
      pagopaUrl: saved?.pagopaUrl ?? comune.app.config.urls.pagopa,
      connection: via ? 'intermediary' : 'direct',
      intermediaryName: via?.name ?? '',
      intermediaryStation: via?.station ?? '',
      treasuryIban: saved?.treasuryIban ?? '',
      postalIban: saved?.postalIban ?? '',
      cbill: saved?.cbill ?? '',
    };
    const errors = extra.errors ?? {};
    const token = csrfField(formCsrfToken(request, secret));
    const radio = (value: 'direct' | 'intermediary') =>
      html`<div class="form-check"><input id="field-connection-${value}" type="radio" name="connection" value="${value}"${attr('checked', v.connection === value)}><label for="field-connection-${value}">${tr(`payments.settings.${value}`)}</label></div>`;
    const keyHelp = (has: boolean | undefined) => (has ? tr('payments.settings.keySaved') : tr('payments.settings.keyMissing'));
    const ce = extra.chapterErrors ?? {};
    const c = extra.chapter;
    const content = html`${extra.message ?? ''}
<p>${tr('payments.settings.intro')}</p>
${errorSummary(errors, tr('area.errorSummary', { count: Object.keys(errors).length }))}
<form method="post" action="/${tenant.slug}${PAYMENT_SETTINGS_PATH}" novalidate class="mb-5">
  ${token}
  ${textField({ name: 'creditorFiscalCode', label: tr('payments.settings.creditor'), value: v.creditorFiscalCode, error: errors.creditorFiscalCode, help: tr('payments.settings.creditorHelp'), required: true, inputmode: 'numeric' })}
  ${textField({ name: 'pagopaUrl', label: tr('payments.settings.pagopaUrl'), type: 'url', value: v.pagopaUrl, error: errors.pagopaUrl, required: true })}
  ${textField({ name: 'gpdKey', label: tr('payments.settings.gpdKey'), type: 'password', autocomplete: 'off', error: errors.gpdKey, help: keyHelp(saved?.hasGpdKey) })}
  <fieldset class="mb-3"><legend class="h6">${tr('payments.settings.connection')}</legend>${radio('direct')}${radio('intermediary')}</fieldset>
  ${textField({ name: 'intermediaryName', label: tr('payments.settings.intermediaryName'), value: v.intermediaryName, error: errors.intermediaryName })}
  ${textField({ name: 'intermediaryStation', label: tr('payments.settings.intermediaryStation'), value: v.intermediaryStation, error: errors.intermediaryStation })}
  ${textField({ name: 'treasuryIban', label: tr('payments.settings.treasuryIban'), value: v.treasuryIban, error: errors.treasuryIban })}
  ${textField({ name: 'postalIban', label: tr('payments.settings.postalIban'), value: v.postalIban, error: errors.postalIban })}
  ${textField({ name: 'cbill', label: tr('payments.settings.cbill'), value: v.cbill, error: errors.cbill })}
  ${textField({ name: 'treasuryKey', label: tr('payments.settings.treasuryKey'), type: 'password', autocomplete: 'off', help: keyHelp(saved?.hasTreasuryKey) })}
  <button type="submit" class="btn btn-primary">${tr('payments.settings.save')}</button>
</form>
<h2 class="h4">${tr('payments.settings.chapters')}</h2>
<p>${tr('payments.settings.chaptersIntro')}</p>
${dataTable(tr('payments.settings.chapters'), [tr('payments.settings.chapterCode'), tr('payments.settings.chapterDescription'), tr('payments.settings.chapterTaxonomy'), tr('payments.settings.chapterIban'), tr('payments.settings.chapterActive')],
  (saved?.chapters ?? []).map((ch: BudgetChapter) => [ch.code, ch.description, ch.taxonomy, ch.iban, ch.active ? '✓' : '—']), tr('payments.settings.chaptersEmpty'))}
${saved
  ? html`${errorSummary(ce, tr('area.errorSummary', { count: Object.keys(ce).length }))}
<form method="post" action="/${tenant.slug}${PAYMENT_SETTINGS_PATH}/capitoli" novalidate>
  <fieldset><legend class="h5">${tr('payments.settings.chapterNew')}</legend>${token}
  ${textField({ name: 'code', label: tr('payments.settings.chapterCode'), value: c?.code, error: ce.code, required: true })}
  ${textField({ name: 'description', label: tr('payments.settings.chapterDescription'), value: c?.description, error: ce.description, required: true })}
  ${textField({ name: 'taxonomy', label: tr('payments.settings.chapterTaxonomy'), value: c?.taxonomy, error: ce.taxonomy, help: tr('payments.settings.chapterTaxonomyHelp'), required: true })}
  ${textField({ name: 'iban', label: tr('payments.settings.chapterIban'), value: c?.iban ?? saved.treasuryIban, error: ce.iban, required: true })}
  <div class="form-check mb-3"><input id="field-active" type="checkbox" name="active" value="1"${attr('checked', !c || c.active === '1')}><label for="field-active">${tr('payments.settings.chapterActive')}</label></div>
  <button type="submit" class="btn btn-primary">${tr('payments.settings.chapterSave')}</button></fieldset>
</form>`
  : ''}`;
    return desk(request, staff, tr('payments.settings.title'), content, comune);
  }

  app.get(PAYMENT_SETTINGS_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const staff = guard(request, reply, { type: 'tenant.managePayments', tenantId: requireTenant(request).id });
    if (!staff) return reply;
    return sendPage(reply, await settingsPage(request, staff));
  });

  app.post(PAYMENT_SETTINGS_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams, body: SettingsBody } }, async (request, reply) => {
    const tenant = requireTenant(request);
    checkFormCsrf(request, secret);
    const staff = guard(request, reply, { type: 'tenant.managePayments', tenantId: tenant.id });
    if (!staff) return reply;
    const tr = paymentsT(request.locale);
    const input = settingsInput(request.body);
    const errors = checkPaymentSettings(input);
    const before = await paymentSettingsOf(comune.db, tenant.id);
    if (!before?.hasGpdKey && !input.gpdKey) errors.gpdKey = 'required';
    // Never echoed: the keys typed are not put back in the page, even when something else is wrong.
    const values = { ...request.body, gpdKey: undefined, treasuryKey: undefined };
    if (Object.keys(errors).length) return sendPage(reply, await settingsPage(request, staff, { errors: explain(tr, errors), values }), 422);
    await transaction(comune.db, async (tx) => {
      await savePaymentSettings(tx, secret, tenant.id, input);
      await audit(tx, 'comune', {
        actorType: staff.role,
        actorId: staff.id,
        tenantId: tenant.id,
        action: 'payments.settings.update',
        targetType: 'tenant',
        targetId: tenant.id,
        details: { creditorFiscalCode: input.creditorFiscalCode, pagopaUrl: input.pagopaUrl, intermediary: input.intermediary, gpdKeyChanged: Boolean(input.gpdKey), treasuryKeyChanged: Boolean(input.treasuryKey) },
        requestId: request.id,
      });
    });
    return sendPage(reply, await settingsPage(request, staff, { message: alert('success', tr('payments.settings.saved')) }));
  });

  app.post(`${PAYMENT_SETTINGS_PATH}/capitoli`, { config: { html: true }, schema: { hide: true, params: TenantParams, body: ChapterBody } }, async (request, reply) => {
    const tenant = requireTenant(request);
    checkFormCsrf(request, secret);
    const staff = guard(request, reply, { type: 'tenant.managePayments', tenantId: tenant.id });
    if (!staff) return reply;
    const tr = paymentsT(request.locale);
    const b = request.body;
    const chapter: BudgetChapter = { code: b.code.trim(), description: b.description.trim(), taxonomy: b.taxonomy.trim(), iban: normalizeIban(b.iban), active: b.active === '1' };
    const errors = checkBudgetChapter(chapter);
    if (!(await paymentSettingsOf(comune.db, tenant.id))) throw notFound('Save the payment settings first.');
    if (Object.keys(errors).length) return sendPage(reply, await settingsPage(request, staff, { chapterErrors: explain(tr, errors), chapter: b }), 422);
    await transaction(comune.db, async (tx) => {
      await saveBudgetChapter(tx, tenant.id, chapter);
      await audit(tx, 'comune', { actorType: staff.role, actorId: staff.id, tenantId: tenant.id, action: 'payments.chapter.save', targetType: 'tenant', targetId: tenant.id, details: { ...chapter }, requestId: request.id });
    });
    return sendPage(reply, await settingsPage(request, staff, { message: alert('success', tr('payments.settings.chapterSaved')) }));
  });

  async function servicePage(request: FastifyRequest, staff: StaffLogin, serviceId: string, extra: { errors?: FieldErrors; values?: ServicePaymentForm; message?: SafeHtml } = {}) {
    const tenant = requireTenant(request);
    const tr = paymentsT(request.locale);
    const service = await services.byId(tenant.id, serviceId);
    if (!service) throw notFound('No such service.');
    const [saved, settings] = await Promise.all([servicePaymentOf(comune.db, service.id), paymentSettingsOf(comune.db, tenant.id)]);
    const euros = (cents: number) => (cents / 100).toFixed(2).replace('.', ',');
    const v: ServicePaymentForm = extra.values ?? {
      mode: saved?.mode ?? 'none',
      amountKind: saved?.amount.kind ?? 'fixed',
      amountFixed: saved?.amount.kind === 'fixed' ? euros(saved.amount.cents) : '',
      amountKey: saved && saved.amount.kind !== 'fixed' ? saved.amount.key : '',
      prices: saved?.amount.kind === 'priceList' ? Object.entries(saved.amount.prices).map(([k, c]) => `${k} = ${euros(c)}`).join('\n') : '',
      split: (saved?.split ?? []).map((p) => `${p.chapter} = ${'cents' in p ? euros(p.cents) : `${p.percent}%`}`).join('\n'),
      installments: saved?.installments?.dueDates.join('\n') ?? '',
      reason: saved?.reason ?? '',
      dueDays: String(saved?.dueDays ?? 30),
    };
    const errors = extra.errors ?? {};
    const name = localizedContent(service.content, request.locale).name;
    const chapters = settings?.chapters.filter((c) => c.active) ?? [];
    const content = html`${extra.message ?? ''}
${settings ? '' : alert('warning', tr('payments.service.noSettings'))}
${errorSummary(errors, tr('area.errorSummary', { count: Object.keys(errors).length }))}
<form method="post" action="${servicePaymentPath(tenant, service.id)}" novalidate>
  ${csrfField(formCsrfToken(request, secret))}
  ${selectField({ name: 'mode', label: tr('payments.service.mode'), value: v.mode, error: errors.mode, options: PAYMENT_MODES.map((m: PaymentMode) => ({ value: m, label: tr(`payments.service.mode.${m}`) })) })}
  ${selectField({ name: 'amountKind', label: tr('payments.service.amountKind'), value: v.amountKind, options: (['fixed', 'field', 'priceList'] as const).map((k) => ({ value: k, label: tr(`payments.service.amount.${k}`) })) })}
  ${textField({ name: 'amountFixed', label: tr('payments.service.amountFixed'), value: v.amountFixed, error: errors.amount, inputmode: 'decimal' })}
  ${textField({ name: 'amountKey', label: tr('payments.service.amountKey'), value: v.amountKey, error: errors.amountKey })}
  ${textareaField({ name: 'prices', label: tr('payments.service.prices'), value: v.prices, error: errors.prices, help: tr('payments.service.pricesHelp'), rows: 3 })}
  ${textareaField({ name: 'split', label: tr('payments.service.split'), value: v.split, error: errors.split, help: `${tr('payments.service.splitHelp')} ${chapters.map((c) => `${c.code} (${c.description})`).join(', ')}`, rows: 3 })}
  ${textareaField({ name: 'installments', label: tr('payments.service.installments'), value: v.installments, error: errors.installments, help: tr('payments.service.installmentsHelp'), rows: 3 })}
  ${textField({ name: 'reason', label: tr('payments.service.reason'), value: v.reason, error: errors.reason })}
  ${textField({ name: 'dueDays', label: tr('payments.service.dueDays'), value: v.dueDays, error: errors.dueDays, inputmode: 'numeric' })}
  <button type="submit" class="btn btn-primary">${tr('payments.settings.save')}</button>
</form>
${saved && saved.mode !== 'none' && saved.amount.kind === 'fixed' ? html`<p class="mt-3">${tr('payments.service.amountFixed')}: ${formatEuroCents(saved.amount.cents, request.locale)}</p>` : ''}`;
    return desk(request, staff, tr('payments.service.title', { service: name }), content, comune);
  }

  app.get('/backoffice/servizi/:id/pagamento', { config: { html: true }, schema: { hide: true, params: IdParams } }, async (request, reply) => {
    const staff = guard(request, reply, { type: 'tenant.managePayments', tenantId: requireTenant(request).id });
    if (!staff) return reply;
    return sendPage(reply, await servicePage(request, staff, request.params.id));
  });

  app.post('/backoffice/servizi/:id/pagamento', { config: { html: true }, schema: { hide: true, params: IdParams, body: ServicePaymentBody } }, async (request, reply) => {
    const tenant = requireTenant(request);
    checkFormCsrf(request, secret);
    const staff = guard(request, reply, { type: 'tenant.managePayments', tenantId: tenant.id });
    if (!staff) return reply;
    const tr = paymentsT(request.locale);
    const service = await services.byId(tenant.id, request.params.id);
    if (!service) throw notFound('No such service.');
    const settings = await paymentSettingsOf(comune.db, tenant.id);
    const { payment, errors } = servicePaymentInput(request.body);
    const all = payment ? checkServicePayment(payment, settings?.chapters ?? [], dateInItaly(new Date())) : errors;
    if (payment && payment.mode !== 'none' && !settings) all.mode = 'invalid';
    if (!payment || Object.keys(all).length) return sendPage(reply, await servicePage(request, staff, service.id, { errors: explain(tr, all), values: request.body }), 422);
    await transaction(comune.db, async (tx) => {
      await saveServicePayment(tx, tenant.id, service.id, payment);
      await audit(tx, 'comune', { actorType: staff.role, actorId: staff.id, tenantId: tenant.id, action: 'payments.service.save', targetType: 'service', targetId: service.id, details: { ...payment }, requestId: request.id });
    });
    return sendPage(reply, await servicePage(request, staff, service.id, { message: alert('success', tr('payments.service.saved')) }));
  });
}
