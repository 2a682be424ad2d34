// The pages of the messages to citizens. Back-office, for the ente's administrators: "App IO" (the IO service,
// its sealed key, the reminder days, per-service overrides, a connection test) and the undelivered messages with
// filters. The desk: the "Messaggi al cittadino" section of an application and its "Riprova" (the desk's access
// rules: DeskStore.detail). The personal area: the citizen's messages, newest first, and each one as plain text.
import path from 'node:path';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { attr, html, type SafeHtml } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { formatCalendarDate, formatEuroCents, formatItalianTime, type Locale } from '../../core/i18n.ts';
import { audit } from '../../core/audit.ts';
import { transaction } from '../../core/db.ts';
import { checkFormCsrf, formCsrfToken, redirectTo } from '../../core/auth/sessions.ts';
import { alert, csrfField, errorSummary, selectField, textField, type FieldErrors } from '../../core/forms.ts';
import { dataTable } from '../../core/ui.ts';
import { notFound } from '../../core/problem.ts';
import { IoError } from '../../clients/io/index.ts';
import { FISCAL_CODE_PATTERN, SANDBOX_FISCAL_CODE } from '../../clients/io/wire.ts';
import { dateInItaly } from '../../domain/dates.ts';
import { requireTenant, type ComuneContext, type StaffLogin } from '../context.ts';
import { desk, guard } from '../backoffice/routes.ts';
import { sendPage } from '../website/routes.ts';
import { areaPage, signedIn } from '../area/page.ts';
import { receiptPath } from '../journey/area.ts';
import { ServiceRepository } from '../catalog/services.ts';
import { localizedContent } from '../catalog/model.ts';
import { DESK_PATH, type DeskUser } from '../desk/model.ts';
import { deskUser, DeskStore } from '../desk/store.ts';
import { diskDocumentStore } from '../protocol/files.ts';
import { plainParagraphs } from './compose.ts';
import { MESSAGE_KINDS } from './migrations.ts';
import { messagingT, type MessagingT } from './messages.ts';
import { checkIoSettings, DEFAULT_REMINDER_DAYS, ioClientFor, ioSettingsFor, ioSettingsList, removeIoOverride, saveIoSettings, type IoSettingsInput } from './settings.ts';
import { IO_SETTINGS_PATH, MESSAGES_AREA_PATH, UNDELIVERED_PATH } from './paths.ts';
import {
  messageById,
  messagesOfApplication,
  messagesOfCitizen,
  readOwnMessage,
  retryMessage,
  TROUBLE_STATES,
  troubleMessages,
  type CitizenMessage,
  type MessageState,
} from './store.ts';


const UUID = '^[0-9a-fA-F-]{36}$';
const TenantParams = Type.Object({ tenant: Type.String() });
const IdParams = Type.Object({ tenant: Type.String(), id: Type.String({ pattern: UUID }) });
const DeskRetryParams = Type.Object({ tenant: Type.String(), id: Type.String({ pattern: UUID }), messageId: Type.String({ pattern: UUID }) });
const SettingsBody = Type.Object(
  {
    ioServiceId: Type.String({ maxLength: 64 }),
    ioUrl: Type.String({ maxLength: 500 }),
    apiKey: Type.Optional(Type.String({ maxLength: 200 })),
    reminderDays: Type.String({ maxLength: 3 }),
    enabled: Type.Optional(Type.String({ maxLength: 5 })),
    serviceId: Type.Optional(Type.String({ pattern: `^$|${UUID}` })),
  },
  { additionalProperties: true },
);
type SettingsForm = typeof SettingsBody.static;
const TestBody = Type.Object({ fiscalCode: Type.String({ maxLength: 16 }) }, { additionalProperties: true });
const FormBody = Type.Object({}, { additionalProperties: true });
const UndeliveredQuery = Type.Object({
  stato: Type.Optional(Type.Union([Type.Literal(''), ...TROUBLE_STATES.map((s) => Type.Literal(s))])),
  tipo: Type.Optional(Type.Union([Type.Literal(''), ...MESSAGE_KINDS.map((k) => Type.Literal(k))])),
  dal: Type.Optional(Type.String({ pattern: '^$|^\\d{4}-\\d{2}-\\d{2}$' })),
  al: Type.Optional(Type.String({ pattern: '^$|^\\d{4}-\\d{2}-\\d{2}$' })),
});

const STATE_BADGE: Record<MessageState, string> = {
  pending: 'bg-secondary',
  submitted: 'bg-info',
  processed: 'bg-success',
  emailed: 'bg-success',
  rejected: 'bg-warning text-dark',
  failed: 'bg-danger',
  not_configured: 'bg-light text-dark',
};

const when = (locale: Locale, at: Date) => formatItalianTime(locale, at, 'medium', 'short');
export const messagePath = (tenant: { slug: string }, id: string) => `/${tenant.slug}${MESSAGES_AREA_PATH}/${id}`;

/** A message's state as a badge the browser tests find by data-state. */
export const stateBadge = (tr: MessagingT, state: MessageState): SafeHtml =>
  html`<span class="badge ${STATE_BADGE[state]}" data-state="${state}">${tr(`messaging.state.${state}`)}</span>`;

/** The form's values → the settings, or the fields in error (codes of messaging.error.*). */
function settingsInput(form: SettingsForm): { input: IoSettingsInput; errors: Record<string, string> } {
  const days = form.reminderDays.trim();
  const input: IoSettingsInput = {
    ioServiceId: form.ioServiceId.trim(),
    ioUrl: form.ioUrl.trim().replace(/\/+$/, ''),
    apiKey: form.apiKey?.trim() || undefined,
    reminderDays: /^\d{1,2}$/.test(days) ? Number(days) : -1,
    enabled: form.enabled === '1',
  };
  return { input, errors: checkIoSettings(input) };
}

const explain = (tr: MessagingT, errors: Record<string, string>): FieldErrors =>
  Object.fromEntries(Object.entries(errors).map(([field, code]) => [field, tr(`messaging.error.${code}` as Parameters<MessagingT>[0])]));

/** The section of the desk's application detail: every message of the application, a retry for the failed ones. */
export async function deskMessagesSection(comune: ComuneContext, request: FastifyRequest, applicationId: string): Promise<SafeHtml> {
  const tenant = requireTenant(request);
  const tr = messagingT(request.locale);
  const messages = await messagesOfApplication(comune.db, applicationId);
  const token = csrfField(formCsrfToken(request, comune.app.secret));
  const retry = (m: CitizenMessage) =>
    m.state === 'failed'
      ? html`<form method="post" action="/${tenant.slug}${DESK_PATH}/${applicationId}/messaggi/${m.id}/riprova" class="retry-message">${token}<button type="submit" class="btn btn-outline-primary btn-sm" aria-label="${tr('messaging.desk.retryLabel', { date: when(request.locale, m.createdAt) })}">${tr('messaging.desk.retry')}</button></form>`
      : '';
  const rows = messages.map((m) => [
    html`<span data-message-id="${m.id}">${tr(`messaging.kind.${m.kind}`)}</span>`,
    when(request.locale, m.createdAt),
    stateBadge(tr, m.state),
    m.ioStatus ?? '—',
    m.emailStatus ?? '—',
    m.rejectionReason ?? '—',
    m.lastError ? html`<small>${m.lastError}</small>` : '—',
    retry(m),
  ]);
  return html`<section aria-labelledby="citizen-messages-title" id="messaggi" class="mb-4"><h2 id="citizen-messages-title" class="h4">${tr('messaging.desk.title')}</h2>
${dataTable(tr('messaging.desk.title'), [tr('messaging.desk.kind'), tr('messaging.desk.date'), tr('messaging.desk.state'), tr('messaging.desk.ioStatus'), tr('messaging.desk.email'), tr('messaging.desk.rejection'), tr('messaging.desk.lastError'), tr('messaging.desk.actions')], rows, tr('messaging.desk.none'))}
</section>`;
}

export function registerMessaging(app: App, comune: ComuneContext): void {
  const secret = comune.app.secret;
  const services = new ServiceRepository(comune.db);
  const deskStore = new DeskStore(comune.db, diskDocumentStore(path.join(comune.app.config.dataDir, 'documents')));
  const manage = (request: FastifyRequest) => ({ type: 'tenant.manageMessaging' as const, tenantId: requireTenant(request).id });

  async function settingsPage(request: FastifyRequest, staff: StaffLogin, extra: { errors?: FieldErrors; values?: SettingsForm; message?: SafeHtml; overrideErrors?: FieldErrors; override?: SettingsForm } = {}) {
    const tenant = requireTenant(request);
    const tr = messagingT(request.locale);
    const [all, catalog] = await Promise.all([ioSettingsList(comune.db, tenant.id), services.list(tenant.id)]);
    const saved = all.find((s) => s.serviceId === null);
    const overrides = all.filter((s) => s.serviceId !== null);
    const nameOf = (id: string | null) => {
      const service = catalog.find((s) => s.id === id);
      return service ? localizedContent(service.content, request.locale).name : (id ?? '');
    };
    const v = extra.values ?? {
      ioServiceId: saved?.ioServiceId ?? '',
      ioUrl: saved?.ioUrl ?? comune.app.config.urls.io,
      reminderDays: String(saved?.reminderDays ?? DEFAULT_REMINDER_DAYS),
      enabled: !saved || saved.enabled ? '1' : '',
    };
    const errors = extra.errors ?? {};
    const oe = extra.overrideErrors ?? {};
    const o = extra.override;
    const token = csrfField(formCsrfToken(request, secret));
    const base = `/${tenant.slug}${IO_SETTINGS_PATH}`;
    const enabledBox = (id: string, checked: boolean) =>
      html`<div class="form-check mb-3"><input id="${id}" type="checkbox" name="enabled" value="1"${attr('checked', checked)}><label for="${id}">${tr('messaging.settings.enabled')}</label></div>`;
    const content = html`${extra.message ?? ''}
<p>${tr('messaging.settings.intro')}</p>
<p><a href="/${tenant.slug}${UNDELIVERED_PATH}">${tr('messaging.admin.title')}</a></p>
${errorSummary(errors, tr('area.errorSummary', { count: Object.keys(errors).length }))}
<form method="post" action="${base}" novalidate class="mb-5" id="io-settings">
  ${token}
  ${textField({ name: 'ioServiceId', label: tr('messaging.settings.serviceId'), value: v.ioServiceId, error: errors.ioServiceId, required: true })}
  ${textField({ name: 'ioUrl', label: tr('messaging.settings.ioUrl'), type: 'url', value: v.ioUrl, error: errors.ioUrl, required: true })}
  ${textField({ name: 'apiKey', label: tr('messaging.settings.apiKey'), type: 'password', autocomplete: 'off', error: errors.apiKey, help: saved ? tr('messaging.settings.keySaved') : tr('messaging.settings.keyMissing') })}
  ${textField({ name: 'reminderDays', label: tr('messaging.settings.reminderDays'), value: v.reminderDays, error: errors.reminderDays, help: tr('messaging.settings.reminderDaysHelp'), inputmode: 'numeric', required: true })}
  ${enabledBox('field-enabled', v.enabled === '1')}
  <button type="submit" class="btn btn-primary">${tr('messaging.settings.save')}</button>
</form>
<form method="post" action="${base}/prova" novalidate class="mb-5" id="io-test">
  <fieldset><legend class="h5">${tr('messaging.settings.test')}</legend>${token}
  ${textField({ name: 'fiscalCode', label: tr('messaging.settings.testFiscalCode'), value: SANDBOX_FISCAL_CODE, required: true })}
  <button type="submit" class="btn btn-outline-primary">${tr('messaging.settings.test')}</button></fieldset>
</form>
<h2 class="h4">${tr('messaging.settings.overrides')}</h2>
<p>${tr('messaging.settings.overridesIntro')}</p>
${dataTable(tr('messaging.settings.overrides'), [tr('messaging.settings.overrideService'), tr('messaging.settings.serviceId'), tr('messaging.settings.reminderDays'), tr('messaging.settings.enabled'), tr('messaging.desk.actions')],
  overrides.map((s) => [nameOf(s.serviceId), html`<code>${s.ioServiceId}</code>`, s.reminderDays, s.enabled ? '✓' : '—',
    html`<form method="post" action="${base}/servizi/${s.serviceId!}/rimuovi">${token}<button type="submit" class="btn btn-sm btn-outline-danger">${tr('messaging.settings.remove')}</button></form>`]),
  tr('messaging.settings.overridesEmpty'))}
${errorSummary(oe, tr('area.errorSummary', { count: Object.keys(oe).length }))}
<form method="post" action="${base}/servizi" novalidate id="io-override">
  <fieldset><legend class="h5">${tr('messaging.settings.overrideNew')}</legend>${token}
  ${selectField({ name: 'serviceId', label: tr('messaging.settings.overrideService'), value: o?.serviceId, error: oe.serviceId, options: catalog.map((s) => ({ value: s.id, label: localizedContent(s.content, request.locale).name })) })}
  <input type="hidden" name="ioUrl" value="${saved?.ioUrl ?? comune.app.config.urls.io}">
  ${textField({ name: 'ioServiceId', label: tr('messaging.settings.serviceId'), value: o?.ioServiceId, error: oe.ioServiceId, required: true })}
  ${textField({ name: 'apiKey', label: tr('messaging.settings.apiKey'), type: 'password', autocomplete: 'off', error: oe.apiKey })}
  ${textField({ name: 'reminderDays', label: tr('messaging.settings.reminderDays'), value: o?.reminderDays ?? String(DEFAULT_REMINDER_DAYS), error: oe.reminderDays, inputmode: 'numeric' })}
  ${enabledBox('field-override-enabled', !o || o.enabled === '1')}
  <button type="submit" class="btn btn-primary">${tr('messaging.settings.save')}</button></fieldset>
</form>`;
    return desk(request, staff, tr('messaging.settings.title'), content, comune);
  }

  async function saveSettings(request: FastifyRequest, staff: StaffLogin, serviceId: string | null, form: SettingsForm): Promise<Record<string, string>> {
    const tenant = requireTenant(request);
    const { input, errors } = settingsInput(form);
    if (serviceId !== null && !(await services.byId(tenant.id, serviceId))) errors.serviceId = 'service';
    const before = await ioSettingsFor(comune.db, tenant.id, serviceId);
    if ((!before || before.serviceId !== serviceId) && !input.apiKey) errors.apiKey = 'required';
    if (Object.keys(errors).length) return errors;
    await transaction(comune.db, async (tx) => {
      await saveIoSettings(tx, secret, tenant.id, serviceId, input);
      await audit(tx, 'comune', {
        actorType: staff.role,
        actorId: staff.id,
        tenantId: tenant.id,
        action: 'messaging.settings.update',
        targetType: serviceId ? 'service' : 'tenant',
        targetId: serviceId ?? tenant.id,
        details: { ioServiceId: input.ioServiceId, ioUrl: input.ioUrl, reminderDays: input.reminderDays, enabled: input.enabled, keyChanged: Boolean(input.apiKey) },
        requestId: request.id,
      });
    });
    return {};
  }

  app.get(IO_SETTINGS_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const staff = guard(request, reply, manage(request));
    if (!staff) return reply;
    return sendPage(reply, await settingsPage(request, staff));
  });

  app.post(IO_SETTINGS_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams, body: SettingsBody } }, async (request, reply) => {
    checkFormCsrf(request, secret);
    const staff = guard(request, reply, manage(request));
    if (!staff) return reply;
    const tr = messagingT(request.locale);
    const errors = await saveSettings(request, staff, null, request.body);
    // Never echoed: the key typed is not put back in the page, even when something else is wrong.
    if (Object.keys(errors).length) return sendPage(reply, await settingsPage(request, staff, { errors: explain(tr, errors), values: { ...request.body, apiKey: undefined } }), 422);
    return sendPage(reply, await settingsPage(request, staff, { message: alert('success', tr('messaging.settings.saved')) }));
  });

  app.post(`${IO_SETTINGS_PATH}/servizi`, { config: { html: true }, schema: { hide: true, params: TenantParams, body: SettingsBody } }, async (request, reply) => {
    checkFormCsrf(request, secret);
    const staff = guard(request, reply, manage(request));
    if (!staff) return reply;
    const tr = messagingT(request.locale);
    const serviceId = request.body.serviceId || '';
    const errors = serviceId ? await saveSettings(request, staff, serviceId, request.body) : { serviceId: 'service' };
    if (Object.keys(errors).length) return sendPage(reply, await settingsPage(request, staff, { overrideErrors: explain(tr, errors), override: { ...request.body, apiKey: undefined } }), 422);
    return sendPage(reply, await settingsPage(request, staff, { message: alert('success', tr('messaging.settings.saved')) }));
  });

  app.post(`${IO_SETTINGS_PATH}/servizi/:id/rimuovi`, { config: { html: true }, schema: { hide: true, params: IdParams, body: FormBody } }, async (request, reply) => {
    checkFormCsrf(request, secret);
    const staff = guard(request, reply, manage(request));
    if (!staff) return reply;
    const tenant = requireTenant(request);
    await transaction(comune.db, async (tx) => {
      await removeIoOverride(tx, tenant.id, request.params.id);
      await audit(tx, 'comune', { actorType: staff.role, actorId: staff.id, tenantId: tenant.id, action: 'messaging.settings.remove', targetType: 'service', targetId: request.params.id, requestId: request.id });
    });
    return sendPage(reply, await settingsPage(request, staff, { message: alert('success', messagingT(request.locale)('messaging.settings.removed')) }));
  });

  // The connection test: IO's profile of a fiscal code. 200 and 404 both prove the key works; 401 is a bad key.
  app.post(`${IO_SETTINGS_PATH}/prova`, { config: { html: true }, schema: { hide: true, params: TenantParams, body: TestBody } }, async (request, reply) => {
    checkFormCsrf(request, secret);
    const staff = guard(request, reply, manage(request));
    if (!staff) return reply;
    const tr = messagingT(request.locale);
    const result = (outcome: string, kind: 'success' | 'danger' | 'warning', text: string) =>
      html`<div id="io-test-result" data-outcome="${outcome}">${alert(kind, text)}</div>`;
    const fiscalCode = request.body.fiscalCode.trim().toUpperCase();
    if (!new RegExp(FISCAL_CODE_PATTERN).test(fiscalCode)) return sendPage(reply, await settingsPage(request, staff, { message: result('invalid', 'danger', tr('messaging.error.fiscalCode')) }), 422);
    const settings = await ioSettingsFor(comune.db, requireTenant(request).id);
    if (!settings) return sendPage(reply, await settingsPage(request, staff, { message: result('not-saved', 'warning', tr('messaging.settings.notSaved')) }), 409);
    let message: SafeHtml;
    try {
      const profile = await ioClientFor(comune.app, settings, 5_000).getProfile(fiscalCode);
      message = result('ok', 'success', tr('messaging.settings.testOk', { outcome: tr(profile ? 'messaging.settings.testProfile' : 'messaging.settings.testNoProfile') }));
    } catch (err) {
      if (!(err instanceof IoError)) message = result('unreachable', 'danger', tr('messaging.settings.testUnreachable'));
      else if (err.status === 401) message = result('invalid-key', 'danger', tr('messaging.settings.testInvalidKey'));
      else message = result('refused', 'warning', tr('messaging.settings.testRefused', { detail: err.problem.detail ?? err.problem.title }));
    }
    return sendPage(reply, await settingsPage(request, staff, { message }));
  });

  app.get(UNDELIVERED_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams, querystring: UndeliveredQuery } }, async (request, reply) => {
    const staff = guard(request, reply, manage(request));
    if (!staff) return reply;
    const tenant = requireTenant(request);
    const tr = messagingT(request.locale);
    const q = request.query;
    const list = await troubleMessages(comune.db, tenant.id, { state: q.stato || undefined, kind: q.tipo || undefined, from: q.dal || undefined, to: q.al || undefined });
    const token = csrfField(formCsrfToken(request, secret));
    const any = { value: '', label: tr('messaging.admin.any') };
    const content = html`<p>${tr('messaging.admin.intro')}</p>
<form method="get" action="/${tenant.slug}${UNDELIVERED_PATH}" class="mb-4" aria-label="${tr('messaging.admin.apply')}">
  <div class="row">
    <div class="col-md-3">${selectField({ name: 'stato', label: tr('messaging.admin.state'), value: q.stato ?? '', options: [any, ...TROUBLE_STATES.map((s) => ({ value: s, label: tr(`messaging.state.${s}`) }))] })}</div>
    <div class="col-md-3">${selectField({ name: 'tipo', label: tr('messaging.admin.kind'), value: q.tipo ?? '', options: [any, ...MESSAGE_KINDS.map((k) => ({ value: k, label: tr(`messaging.kind.${k}`) }))] })}</div>
    <div class="col-md-3">${textField({ name: 'dal', label: tr('messaging.admin.from'), type: 'date', value: q.dal })}</div>
    <div class="col-md-3">${textField({ name: 'al', label: tr('messaging.admin.to'), type: 'date', value: q.al })}</div>
  </div>
  <button type="submit" class="btn btn-primary">${tr('messaging.admin.apply')}</button>
</form>
<div id="undelivered-messages">
${dataTable(tr('messaging.admin.title'), [tr('messaging.desk.date'), tr('messaging.admin.kind'), tr('messaging.admin.citizen'), tr('messaging.admin.subject'), tr('messaging.admin.state'), tr('messaging.desk.rejection'), tr('messaging.desk.lastError'), tr('messaging.admin.application'), tr('messaging.desk.actions')],
  list.map((m) => [
    when(request.locale, m.createdAt),
    tr(`messaging.kind.${m.kind}`),
    m.fiscalCode,
    m.subject,
    stateBadge(tr, m.state),
    m.rejectionReason ?? '—',
    m.lastError ? html`<small>${m.lastError}</small>` : '—',
    m.applicationId ? html`<a href="/${tenant.slug}${DESK_PATH}/${m.applicationId}#messaggi">${m.applicationId.slice(0, 8)}</a>` : '—',
    m.state === 'failed' ? html`<form method="post" action="/${tenant.slug}${UNDELIVERED_PATH}/${m.id}/riprova" class="retry-message">${token}<button type="submit" class="btn btn-outline-primary btn-sm">${tr('messaging.desk.retry')}</button></form>` : '',
  ]),
  tr('messaging.admin.empty'))}
</div>`;
    return sendPage(reply, desk(request, staff, tr('messaging.admin.title'), content, comune));
  });

  app.post(`${UNDELIVERED_PATH}/:id/riprova`, { config: { html: true }, schema: { hide: true, params: IdParams, body: FormBody } }, async (request, reply) => {
    checkFormCsrf(request, secret);
    const staff = guard(request, reply, manage(request));
    if (!staff) return reply;
    const tenant = requireTenant(request);
    const message = await messageById(comune.db, request.params.id);
    if (!message || message.tenantId !== tenant.id) throw notFound('No such message.');
    await retry(request, staff, message);
    return redirectTo(reply, `/${tenant.slug}${UNDELIVERED_PATH}`);
  });

  async function retry(request: FastifyRequest, staff: StaffLogin, message: CitizenMessage): Promise<void> {
    await retryMessage(comune.db, message);
    await audit(comune.db, 'comune', { actorType: staff.role, actorId: staff.id, tenantId: message.tenantId, action: 'messaging.retry', targetType: 'citizen_message', targetId: message.id, requestId: request.id });
  }

  /** The desk user behind the request, or undefined after a redirect to login (403 for other roles). */
  async function deskUserOf(request: FastifyRequest, reply: FastifyReply): Promise<{ staff: StaffLogin; user: DeskUser } | undefined> {
    const tenant = requireTenant(request);
    const staff = guard(request, reply, { type: 'backoffice.enter', tenantId: tenant.id });
    if (!staff) return undefined;
    return { staff, user: await deskUser(comune.db, { id: staff.id, role: staff.role as DeskUser['role'], tenantId: tenant.id, name: staff.name }) };
  }

  app.post(`${DESK_PATH}/:id/messaggi/:messageId/riprova`, { config: { html: true }, schema: { hide: true, params: DeskRetryParams, body: FormBody } }, async (request, reply) => {
    checkFormCsrf(request, secret);
    const who = await deskUserOf(request, reply);
    if (!who) return reply;
    // The desk's rules: the ente's admin, or an operator of the office in charge of the application's service.
    const { application } = await deskStore.detail(who.user, request.params.id, 'act');
    const message = await messageById(comune.db, request.params.messageId);
    if (!message || message.applicationId !== application.id) throw notFound('No such message.');
    await retry(request, who.staff, message);
    return redirectTo(reply, `/${requireTenant(request).slug}${DESK_PATH}/${application.id}#messaggi`);
  });

  app.get(MESSAGES_AREA_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const login = signedIn(request, reply);
    if (!login) return reply;
    const tenant = requireTenant(request);
    const tr = messagingT(request.locale);
    const messages = await messagesOfCitizen(comune.db, tenant.id, login.fiscalCode);
    const body = html`<h1>${tr('messaging.area.title')}</h1>
<p>${tr('messaging.area.intro')}</p>
${messages.length
  ? html`<ul class="list-group mb-4" id="citizen-messages">${messages.map(
      (m) => html`<li class="list-group-item" data-message-id="${m.id}"${attr('data-unread', m.readAt === null)}>
  <a href="${messagePath(tenant, m.id)}"${m.readAt === null ? html` class="fw-bold"` : ''}>${m.subject}</a>
  ${m.readAt === null ? html`<span class="badge bg-primary ms-2">${tr('messaging.area.unread')}</span>` : ''}
  <br><small>${tr('messaging.area.received', { date: when(request.locale, m.createdAt) })} · ${tr(`messaging.kind.${m.kind}`)}</small>
</li>`,
    )}</ul>`
  : html`<p id="citizen-messages-empty">${tr('messaging.area.empty')}</p>`}`;
    return sendPage(reply, areaPage(request, login, tr('messaging.area.title'), body));
  });

  app.get(`${MESSAGES_AREA_PATH}/:id`, { config: { html: true }, schema: { hide: true, params: IdParams } }, async (request, reply) => {
    const login = signedIn(request, reply);
    if (!login) return reply;
    const tenant = requireTenant(request);
    const tr = messagingT(request.locale);
    // Only the citizen's own message of this ente: anyone else's is not found.
    const m = await readOwnMessage(comune.db, tenant.id, login.fiscalCode, request.params.id);
    const application = m.applicationId ? receiptPath(tenant, m.applicationId) : undefined;
    const details = [
      ...(m.dueDate ? [tr('messaging.area.due', { date: formatCalendarDate(request.locale, dateInItaly(m.dueDate), 'long') })] : []),
      ...(m.payment ? [tr('messaging.area.amount', { amount: formatEuroCents(m.payment.amount, request.locale) })] : []),
    ];
    const body = html`<article id="message" data-message-id="${m.id}" data-kind="${m.kind}">
<h1>${m.subject}</h1>
<p class="small">${tr('messaging.area.received', { date: when(request.locale, m.createdAt) })} · ${tr(`messaging.kind.${m.kind}`)}</p>
${details.length ? html`<p class="fw-semibold">${details.join(' · ')}</p>` : ''}
${plainParagraphs(m.markdown).map((p) => html`<p>${p}</p>`)}
${application ? html`<p><a class="btn btn-outline-primary" href="${application}">${tr('messaging.area.application')}</a>${m.kind === 'outcome' ? html` <a class="btn btn-outline-primary" href="${application}/lettera.pdf" download>${tr('messaging.area.letter')}</a>` : ''}</p>` : ''}
</article>
<p><a href="/${tenant.slug}${MESSAGES_AREA_PATH}">${tr('messaging.area.back')}</a></p>`;
    return sendPage(reply, areaPage(request, login, m.subject, body, [{ label: tr('messaging.area.title'), href: `/${tenant.slug}${MESSAGES_AREA_PATH}` }]));
  });
}
