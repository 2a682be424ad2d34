// Webhooks over the ente's REST API (/:tenant/api/v1/webhooks): register (secret shown once), list,
// switch off, the delivery log with each attempt, and replay of an event.
import { Type } from '@sinclair/typebox';
import type { App } from '../../core/http.ts';
import { invalid, notFound } from '../../core/problem.ts';
import { requireTenant, type ComuneContext } from '../context.ts';
import { ServiceRepository } from '../catalog/services.ts';
import { bearerSecurity, requireApiKey } from '../api/v1/auth.ts';
import { checkEndpoint } from './endpoint.ts';
import { isWebhookTrigger } from './outbox.ts';
import { SIGNATURE_HEADER } from './signature.ts';
import { WebhookRepository, type Webhook, type WebhookEventLog } from './store.ts';

const Problem = { $ref: 'Problem#' };
const errors = { 401: Problem, 403: Problem, 404: Problem };
const RATE = { rateLimit: { max: 120, timeWindow: '1 minute' } };
const TenantParams = Type.Object({ tenant: Type.String() });
const WebhookParams = Type.Object({ tenant: Type.String(), id: Type.String({ format: 'uuid' }) });
const DateTime = Type.String({ format: 'date-time' });

const WebhookOut = Type.Object({
  id: Type.String(),
  title: Type.String(),
  endpoint: Type.String(),
  trigger: Type.String(),
  services: Type.Array(Type.String()),
  headers: Type.Record(Type.String(), Type.String()),
  version: Type.Integer(),
  active: Type.Boolean(),
  created_at: DateTime,
});
const WebhookBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    endpoint: Type.String({ maxLength: 2000 }),
    trigger: Type.String({ description: '"all", an OpenCity status code (e.g. "7000") or "message_created"', maxLength: 20 }),
    services: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100, description: 'slugs; empty = every service' })),
    headers: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' }), Type.String({ maxLength: 1000 }), { maxProperties: 20 })),
    version: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2)])),
  },
  { additionalProperties: false },
);
const LogOut = Type.Array(
  Type.Object({
    id: Type.String(),
    application_id: Type.String(),
    status: Type.Integer(),
    created_at: DateTime,
    state: Type.String(),
    next_attempt_at: Type.Union([DateTime, Type.Null()]),
    attempts: Type.Array(Type.Object({ attempt: Type.Integer(), outcome: Type.String(), response_code: Type.Union([Type.Integer(), Type.Null()]), duration_ms: Type.Integer(), error: Type.Union([Type.String(), Type.Null()]), at: DateTime })),
  }),
);

/** Headers the platform sets itself (or that would break the request). */
const RESERVED_HEADER = /^(host|content-(type|length)|transfer-encoding|connection|user-agent|x-sportello-.*)$/i;

function webhookOut(w: Webhook, slugs: Map<string, string>) {
  return { id: w.id, title: w.title, endpoint: w.endpoint, trigger: w.trigger, services: w.serviceIds.map((id) => slugs.get(id) ?? id), headers: w.headers, version: w.version, active: w.active, created_at: w.createdAt.toISOString() };
}

const logOut = (events: WebhookEventLog[]) =>
  events.map((e) => ({
    id: e.id,
    application_id: e.applicationId,
    status: e.status,
    created_at: e.createdAt.toISOString(),
    state: e.state,
    next_attempt_at: e.nextAttemptAt?.toISOString() ?? null,
    attempts: e.attempts.map((a) => ({ attempt: a.attempt, outcome: a.outcome, response_code: a.responseCode, duration_ms: a.durationMs, error: a.error, at: a.at.toISOString() })),
  }));

export function registerWebhookApi(app: App, comune: ComuneContext): void {
  const db = comune.db;
  const webhooks = new WebhookRepository(db, comune.app.secret);
  const services = new ServiceRepository(db);
  const slugMap = async (tenantId: string) => new Map((await services.list(tenantId)).map((s) => [s.id, s.slug]));

  app.get(
    '/api/v1/webhooks',
    { config: RATE, schema: { tags: ['ente API'], summary: 'The ente’s webhooks (scope webhooks:read)', security: bearerSecurity, params: TenantParams, response: { 200: Type.Array(WebhookOut), ...errors } } },
    async (request) => {
      await requireApiKey(request, db, 'webhooks:read');
      const tenantId = requireTenant(request).id;
      const slugs = await slugMap(tenantId);
      return (await webhooks.list(tenantId)).map((w) => webhookOut(w, slugs));
    },
  );

  app.post(
    '/api/v1/webhooks',
    {
      config: RATE,
      schema: {
        tags: ['ente API'],
        summary: `Registers a webhook (scope webhooks:write). Each delivery is signed: ${SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the secret returned only here>`,
        security: bearerSecurity,
        params: TenantParams,
        body: WebhookBody,
        response: { 201: Type.Object({ webhook: WebhookOut, secret: Type.String() }), 400: Problem, ...errors },
      },
    },
    async (request, reply) => {
      const key = await requireApiKey(request, db, 'webhooks:write');
      const tenantId = requireTenant(request).id;
      const body = request.body;
      const problems = [];
      const trigger = body.trigger.trim();
      if (!isWebhookTrigger(trigger)) problems.push({ pointer: '/body/trigger', code: 'enum', detail: 'all, message_created or an OpenCity status code' });
      const endpoint = await checkEndpoint(body.endpoint, { allowPrivateNetworks: comune.app.config.webhooksAllowPrivateNetworks });
      if (!endpoint.ok) problems.push({ pointer: '/body/endpoint', code: endpoint.reason, detail: 'an http(s) URL of a public address' });
      for (const name of Object.keys(body.headers ?? {})) if (RESERVED_HEADER.test(name)) problems.push({ pointer: `/body/headers/${name}`, code: 'reserved', detail: 'set by the platform' });
      const slugs = await slugMap(tenantId);
      const bySlug = new Map([...slugs].map(([id, slug]) => [slug, id]));
      const serviceIds = (body.services ?? []).map((slug, i) => bySlug.get(slug) ?? (problems.push({ pointer: `/body/services/${i}`, code: 'unknown', detail: 'no such service' }), ''));
      if (problems.length) throw invalid(problems);
      const { webhook, secret } = await webhooks.create(tenantId, { title: body.title, endpoint: body.endpoint, trigger, serviceIds, headers: body.headers, version: body.version }, { type: 'api_key', id: key.id, requestId: request.id });
      return reply.status(201).send({ webhook: webhookOut(webhook, slugs), secret });
    },
  );

  app.delete(
    '/api/v1/webhooks/:id',
    { config: RATE, schema: { tags: ['ente API'], summary: 'Switches a webhook off (scope webhooks:write)', security: bearerSecurity, params: WebhookParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      const key = await requireApiKey(request, db, 'webhooks:write');
      const tenantId = requireTenant(request).id;
      if (!(await webhooks.byId(tenantId, request.params.id))) throw notFound('No such webhook.');
      await webhooks.deactivate(tenantId, request.params.id, { type: 'api_key', id: key.id, requestId: request.id });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/webhooks/:id/deliveries',
    { config: RATE, schema: { tags: ['ente API'], summary: 'The webhook’s latest events with every delivery attempt (scope webhooks:read)', security: bearerSecurity, params: WebhookParams, response: { 200: LogOut, ...errors } } },
    async (request) => {
      await requireApiKey(request, db, 'webhooks:read');
      const tenantId = requireTenant(request).id;
      if (!(await webhooks.byId(tenantId, request.params.id))) throw notFound('No such webhook.');
      return logOut(await webhooks.log(tenantId, request.params.id));
    },
  );

  app.post(
    '/api/v1/webhooks/events/:event/replay',
    {
      config: RATE,
      schema: { tags: ['ente API'], summary: 'Delivers an event again (scope webhooks:write)', security: bearerSecurity, params: Type.Object({ tenant: Type.String(), event: Type.String({ format: 'uuid' }) }), response: { 202: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      const key = await requireApiKey(request, db, 'webhooks:write');
      if (!(await webhooks.replay(requireTenant(request).id, request.params.event, { type: 'api_key', id: key.id, requestId: request.id }))) throw notFound('No such event.');
      return reply.status(202).send(null);
    },
  );
}
