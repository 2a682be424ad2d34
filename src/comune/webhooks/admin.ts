// Back-office › Integrazioni, for the ente's administrators: API keys (created with scopes, the key
// shown once, revoked), the webhooks, and each webhook's delivery log with replay and switch-off.
import { formatItalianTime } from '../../core/i18n.ts';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { createApiKey, listApiKeys, revokeApiKey } from '../../core/auth/api-keys.ts';
import { audit } from '../../core/audit.ts';
import { transaction } from '../../core/db.ts';
import { html } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { checkFormCsrf, formCsrfToken, redirectTo } from '../../core/auth/sessions.ts';
import { alert, csrfField, errorSummary, selectField, textField, type FieldErrors } from '../../core/forms.ts';
import { notFound } from '../../core/problem.ts';
import { requireTenant, type ComuneContext, type StaffLogin } from '../context.ts';
import { desk, guard } from '../backoffice/routes.ts';
import { sendPage } from '../website/routes.ts';
import { API_SCOPES, isApiScope, TENANT_API_KEY_OWNER } from '../api/v1/auth.ts';
import { STATUS, STATUS_CODES, statusName } from '../applications/states.ts';
import { journeyT } from '../journey/messages.ts';
import { checkEndpoint } from './endpoint.ts';
import { integrationsT } from './messages.ts';
import { isWebhookTrigger, MESSAGE_TRIGGER } from './outbox.ts';
import { WebhookRepository, type WebhookActor } from './store.ts';

export const INTEGRATIONS_PATH = '/backoffice/integrazioni';

const TenantParams = Type.Object({ tenant: Type.String() });
const IdParams = Type.Object({ tenant: Type.String(), id: Type.String({ format: 'uuid' }) });
const EventParams = Type.Object({ tenant: Type.String(), id: Type.String({ format: 'uuid' }), event: Type.String({ format: 'uuid' }) });
const KeyBody = Type.Object({ label: Type.Optional(Type.String({ maxLength: 100 })), scopes: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String(), { maxItems: 10 })])) }, { additionalProperties: true });
const FormBody = Type.Object({}, { additionalProperties: true });
const HookBody = Type.Object({ title: Type.Optional(Type.String({ maxLength: 200 })), endpoint: Type.Optional(Type.String({ maxLength: 2000 })), trigger: Type.Optional(Type.String({ maxLength: 20 })) }, { additionalProperties: true });

/** What the last POST did, shown once after the redirect; a new key travels only in the session, once. */
type Flash = { kind: 'created' | 'webhookCreated'; key: string } | { kind: 'revoked' | 'replayed' | 'disabled' };
const FLASH = 'integrationsFlash';

const manage = (tenantId: string) => ({ type: 'tenant.manageSettings' as const, tenantId });
const actorOf = (staff: StaffLogin, request: FastifyRequest): WebhookActor => ({ type: 'tenant_admin', id: staff.id, requestId: request.id });

export function registerIntegrations(app: App, comune: ComuneContext): void {
  const db = comune.db;
  const webhooks = new WebhookRepository(db, comune.app.secret);
  const when = (request: FastifyRequest, d: Date) => formatItalianTime(request.locale, d, 'short', 'medium');

  function flashOf(request: FastifyRequest) {
    const tr = integrationsT(request.locale);
    const flash = request.session.data[FLASH] as Flash | undefined;
    if (!flash) return '';
    request.session.unset(FLASH);
    if (flash.kind === 'created') return html`<div class="alert alert-success" role="status"><p>${tr('integrations.created')}</p><p class="mb-0"><code id="new-api-key">${flash.key}</code></p></div>`;
    if (flash.kind === 'webhookCreated') return html`<div class="alert alert-success" role="status"><p>${tr('integrations.webhookCreated')}</p><p class="mb-0"><code id="new-webhook-secret">${flash.key}</code></p></div>`;
    return alert('success', tr(`integrations.${flash.kind}`));
  }

  async function overview(request: FastifyRequest, staff: StaffLogin, errors: FieldErrors = {}, values: { label?: string; scopes?: string[]; title?: string; endpoint?: string; trigger?: string } = {}) {
    const tenant = requireTenant(request);
    const tr = integrationsT(request.locale);
    const status = journeyT(request.locale);
    const token = formCsrfToken(request, comune.app.secret);
    const base = `/${tenant.slug}${INTEGRATIONS_PATH}`;
    const keys = await listApiKeys(db, 'comune', { ownerType: TENANT_API_KEY_OWNER, ownerId: tenant.id });
    const hooks = await webhooks.list(tenant.id);
    const content = html`${flashOf(request)}
${errorSummary(errors, tr('area.errorSummary', { count: Object.keys(errors).length }))}
<p>${tr('integrations.intro')}</p>
<p><a href="/docs">${tr('integrations.docs')}</a></p>
<h2 class="h4 mt-4">${tr('integrations.keys')}</h2>
${keys.length
  ? html`<div class="table-responsive"><table class="table" id="api-keys">
  <caption class="visually-hidden">${tr('integrations.keys')}</caption>
  <thead><tr><th scope="col">${tr('integrations.label')}</th><th scope="col">${tr('integrations.prefix')}</th><th scope="col">${tr('integrations.scopes')}</th><th scope="col">${tr('integrations.createdAt')}</th><th scope="col">${tr('integrations.lastUsed')}</th><th scope="col">${tr('integrations.actions')}</th></tr></thead>
  <tbody>${keys.map(
    (k) => html`<tr><td>${k.label}</td><td><code>${k.prefix}</code></td><td>${k.scopes.join(', ')}</td><td>${when(request, k.createdAt)}</td><td>${k.lastUsedAt ? when(request, k.lastUsedAt) : tr('integrations.never')}</td>
    <td><form method="post" action="${base}/chiavi/${k.id}/revoca">${csrfField(token)}<button type="submit" class="btn btn-sm btn-outline-danger" aria-label="${tr('integrations.revokeLabel', { label: k.label })}">${tr('integrations.revoke')}</button></form></td></tr>`,
  )}</tbody></table></div>`
  : html`<p>${tr('integrations.noKeys')}</p>`}
<h3 class="h5 mt-4">${tr('integrations.newKey')}</h3>
<form method="post" action="${base}/chiavi" novalidate>
  ${csrfField(token)}
  ${textField({ name: 'label', label: tr('integrations.label'), value: values.label, help: tr('integrations.labelHelp'), error: errors.label, required: true, autocomplete: 'off' })}
  <fieldset class="mb-4" id="field-scopes" ${errors.scopes ? html`aria-describedby="scopes-error"` : ''}><legend class="h6">${tr('integrations.scopes')}</legend>
    ${errors.scopes ? html`<p class="text-danger small" id="scopes-error">${errors.scopes}</p>` : ''}
    ${API_SCOPES.map(
      (scope) => html`<div class="form-check"><input class="form-check-input" type="checkbox" name="scopes" value="${scope}" id="scope-${scope.replace(':', '-')}" ${values.scopes?.includes(scope) ? 'checked' : ''}>
      <label class="form-check-label" for="scope-${scope.replace(':', '-')}">${tr(`integrations.scope.${scope}`)} (<code>${scope}</code>)</label></div>`,
    )}
  </fieldset>
  <button type="submit" class="btn btn-primary">${tr('integrations.create')}</button>
</form>
<h2 class="h4 mt-5">${tr('integrations.webhooks')}</h2>
<p>${tr('integrations.webhooksHelp', { slug: tenant.slug })}</p>
${hooks.length
  ? html`<div class="table-responsive"><table class="table" id="webhooks">
  <caption class="visually-hidden">${tr('integrations.webhooks')}</caption>
  <thead><tr><th scope="col">${tr('integrations.label')}</th><th scope="col">${tr('integrations.endpoint')}</th><th scope="col">${tr('integrations.trigger')}</th><th scope="col">${tr('integrations.state')}</th><th scope="col">${tr('integrations.log')}</th></tr></thead>
  <tbody>${hooks.map(
    (w) => html`<tr><td>${w.title}</td><td><code>${w.endpoint}</code></td><td>${w.trigger}</td><td>${w.active ? tr('integrations.active') : tr('integrations.inactive')}</td><td><a href="${base}/webhook/${w.id}">${tr('integrations.log')}</a></td></tr>`,
  )}</tbody></table></div>`
  : html`<p>${tr('integrations.noWebhooks')}</p>`}
<h3 class="h5 mt-4">${tr('integrations.newWebhook')}</h3>
<form method="post" action="${base}/webhook" novalidate>
  ${csrfField(token)}
  ${textField({ name: 'title', label: tr('integrations.label'), value: values.title, error: errors.title, required: true, autocomplete: 'off' })}
  ${textField({ name: 'endpoint', label: tr('integrations.endpoint'), type: 'url', value: values.endpoint, help: tr('integrations.endpointHelp'), error: errors.endpoint, required: true, autocomplete: 'off' })}
  ${selectField({
    name: 'trigger',
    label: tr('integrations.trigger'),
    value: values.trigger ?? 'all',
    error: errors.trigger,
    options: [
      { value: 'all', label: tr('integrations.trigger.all') },
      { value: MESSAGE_TRIGGER, label: tr('integrations.trigger.message') },
      ...STATUS_CODES.filter((code) => code !== STATUS.draft).map((code) => ({ value: String(code), label: tr('integrations.trigger.status', { code, name: status(`status.${statusName(code)}`) }) })),
    ],
  })}
  <button type="submit" class="btn btn-primary">${tr('integrations.createWebhook')}</button>
</form>`;
    return desk(request, staff, tr('integrations.title'), content, comune);
  }

  app.get(INTEGRATIONS_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const staff = guard(request, reply, manage(requireTenant(request).id));
    if (!staff) return reply;
    return sendPage(reply, await overview(request, staff));
  });

  app.post(`${INTEGRATIONS_PATH}/chiavi`, { config: { html: true }, schema: { hide: true, params: TenantParams, body: KeyBody } }, async (request, reply) => {
    const tenant = requireTenant(request);
    checkFormCsrf(request, comune.app.secret);
    const staff = guard(request, reply, manage(tenant.id));
    if (!staff) return reply;
    const tr = integrationsT(request.locale);
    const label = request.body.label?.trim() ?? '';
    const scopes = ([] as string[]).concat(request.body.scopes ?? []).filter(isApiScope);
    const errors: FieldErrors = {};
    if (!label) errors.label = tr('integrations.labelRequired');
    if (!scopes.length) errors.scopes = tr('integrations.scopesRequired');
    if (Object.keys(errors).length) return sendPage(reply, await overview(request, staff, errors, { label, scopes }), 400);
    const key = await transaction(db, async (tx) => {
      const created = await createApiKey(tx, 'comune', { ownerType: TENANT_API_KEY_OWNER, ownerId: tenant.id, label, scopes });
      await audit(tx, 'comune', { actorType: 'tenant_admin', actorId: staff.id, tenantId: tenant.id, action: 'api_key.create', targetType: 'api_key', targetId: created.record.id, details: { label, scopes }, requestId: request.id });
      return created.key;
    });
    request.session.set(FLASH, { kind: 'created', key } satisfies Flash);
    return redirectTo(reply, `/${tenant.slug}${INTEGRATIONS_PATH}`);
  });

  app.post(`${INTEGRATIONS_PATH}/webhook`, { config: { html: true }, schema: { hide: true, params: TenantParams, body: HookBody } }, async (request, reply) => {
    const tenant = requireTenant(request);
    checkFormCsrf(request, comune.app.secret);
    const staff = guard(request, reply, manage(tenant.id));
    if (!staff) return reply;
    const tr = integrationsT(request.locale);
    const values = { title: request.body.title?.trim() ?? '', endpoint: request.body.endpoint?.trim() ?? '', trigger: request.body.trigger?.trim() ?? '' };
    const errors: FieldErrors = {};
    if (!values.title) errors.title = tr('integrations.labelRequired');
    if (!isWebhookTrigger(values.trigger)) errors.trigger = tr('integrations.triggerInvalid');
    // The same SSRF guard as the API's registration.
    if (!(await checkEndpoint(values.endpoint, { allowPrivateNetworks: comune.app.config.webhooksAllowPrivateNetworks })).ok) errors.endpoint = tr('integrations.endpointInvalid');
    if (Object.keys(errors).length) return sendPage(reply, await overview(request, staff, errors, values), 400);
    const { secret } = await webhooks.create(tenant.id, values, actorOf(staff, request));
    request.session.set(FLASH, { kind: 'webhookCreated', key: secret } satisfies Flash);
    return redirectTo(reply, `/${tenant.slug}${INTEGRATIONS_PATH}`);
  });

  app.post(`${INTEGRATIONS_PATH}/chiavi/:id/revoca`, { config: { html: true }, schema: { hide: true, params: IdParams, body: FormBody } }, async (request, reply) => {
    const tenant = requireTenant(request);
    checkFormCsrf(request, comune.app.secret);
    const staff = guard(request, reply, manage(tenant.id));
    if (!staff) return reply;
    // Only this ente's keys: another id is not found.
    const keys = await listApiKeys(db, 'comune', { ownerType: TENANT_API_KEY_OWNER, ownerId: tenant.id });
    if (!keys.some((k) => k.id === request.params.id)) throw notFound();
    await transaction(db, async (tx) => {
      await revokeApiKey(tx, 'comune', request.params.id);
      await audit(tx, 'comune', { actorType: 'tenant_admin', actorId: staff.id, tenantId: tenant.id, action: 'api_key.revoke', targetType: 'api_key', targetId: request.params.id, requestId: request.id });
    });
    request.session.set(FLASH, { kind: 'revoked' } satisfies Flash);
    return redirectTo(reply, `/${tenant.slug}${INTEGRATIONS_PATH}`);
  });

  app.get(`${INTEGRATIONS_PATH}/webhook/:id`, { config: { html: true }, schema: { hide: true, params: IdParams } }, async (request, reply) => {
    const tenant = requireTenant(request);
    const staff = guard(request, reply, manage(tenant.id));
    if (!staff) return reply;
    const webhook = await webhooks.byId(tenant.id, request.params.id);
    if (!webhook) throw notFound();
    const tr = integrationsT(request.locale);
    const token = formCsrfToken(request, comune.app.secret);
    const base = `/${tenant.slug}${INTEGRATIONS_PATH}`;
    const events = await webhooks.log(tenant.id, webhook.id);
    const content = html`${flashOf(request)}
<p><a href="${base}">${tr('integrations.back')}</a></p>
<p><code>${webhook.endpoint}</code> — ${tr('integrations.trigger')}: ${webhook.trigger} — ${webhook.active ? tr('integrations.active') : tr('integrations.inactive')}</p>
${webhook.active ? html`<form method="post" action="${base}/webhook/${webhook.id}/disattiva">${csrfField(token)}<button type="submit" class="btn btn-outline-danger btn-sm">${tr('integrations.disable')}</button></form>` : ''}
${events.length
  ? html`<div class="table-responsive mt-4"><table class="table" id="deliveries">
  <caption class="visually-hidden">${tr('integrations.log')}</caption>
  <thead><tr><th scope="col">${tr('integrations.event')}</th><th scope="col">${tr('integrations.application')}</th><th scope="col">${tr('integrations.status')}</th><th scope="col">${tr('integrations.state')}</th><th scope="col">${tr('integrations.attempts')}</th><th scope="col">${tr('integrations.nextAttempt')}</th><th scope="col">${tr('integrations.actions')}</th></tr></thead>
  <tbody>${events.map(
    (e) => html`<tr data-event="${e.id}"><td>${when(request, e.createdAt)}</td><td><code>${e.applicationId.slice(0, 8)}</code></td><td>${e.status}</td><td>${tr(`integrations.delivery.${e.state}`)}</td>
    <td><ul class="list-unstyled mb-0 small">${e.attempts.map((a) => html`<li>${tr('integrations.attempt', { n: a.attempt, outcome: tr(a.outcome === 'delivered' ? 'integrations.delivery.delivered' : 'integrations.delivery.failed'), code: a.responseCode === null ? (a.error ?? '—') : `HTTP ${a.responseCode}`, ms: a.durationMs })}</li>`)}</ul></td>
    <td>${e.nextAttemptAt ? when(request, e.nextAttemptAt) : '—'}</td>
    <td><form method="post" action="${base}/webhook/${webhook.id}/eventi/${e.id}/reinvia">${csrfField(token)}<button type="submit" class="btn btn-sm btn-outline-primary" aria-label="${tr('integrations.replayLabel', { when: when(request, e.createdAt) })}">${tr('integrations.replay')}</button></form></td></tr>`,
  )}</tbody></table></div>`
  : html`<p class="mt-4">${tr('integrations.noEvents')}</p>`}`;
    return sendPage(reply, desk(request, staff, tr('integrations.logOf', { title: webhook.title }), content, comune));
  });

  app.post(`${INTEGRATIONS_PATH}/webhook/:id/eventi/:event/reinvia`, { config: { html: true }, schema: { hide: true, params: EventParams, body: FormBody } }, async (request, reply) => {
    const tenant = requireTenant(request);
    checkFormCsrf(request, comune.app.secret);
    const staff = guard(request, reply, manage(tenant.id));
    if (!staff) return reply;
    if (!(await webhooks.replay(tenant.id, request.params.event, actorOf(staff, request)))) throw notFound();
    request.session.set(FLASH, { kind: 'replayed' } satisfies Flash);
    return redirectTo(reply, `/${tenant.slug}${INTEGRATIONS_PATH}/webhook/${request.params.id}`);
  });

  app.post(`${INTEGRATIONS_PATH}/webhook/:id/disattiva`, { config: { html: true }, schema: { hide: true, params: IdParams, body: FormBody } }, async (request, reply) => {
    const tenant = requireTenant(request);
    checkFormCsrf(request, comune.app.secret);
    const staff = guard(request, reply, manage(tenant.id));
    if (!staff) return reply;
    if (!(await webhooks.byId(tenant.id, request.params.id))) throw notFound();
    await webhooks.deactivate(tenant.id, request.params.id, actorOf(staff, request));
    request.session.set(FLASH, { kind: 'disabled' } satisfies Flash);
    return redirectTo(reply, `/${tenant.slug}${INTEGRATIONS_PATH}/webhook/${request.params.id}`);
  });
}
