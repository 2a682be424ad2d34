// The ente's REST API v1 (/:tenant/api/v1), after OpenCity's: services, applications with the
// {meta, links, data} list envelope (offset/limit ≤ 100), transitions with a message, attachments.
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { App } from '../../../core/http.ts';
import { invalid, notFound } from '../../../core/problem.ts';
import { requireTenant, type ComuneContext } from '../../context.ts';
import { ServiceRepository } from '../../catalog/services.ts';
import { ApplicationStore } from '../../applications/store.ts';
import { isStatusCode } from '../../applications/states.ts';
import { diskDocumentStore } from '../../protocol/files.ts';
import { ApplicationDto, applicationDto, ServiceDto, serviceDto, TRANSITION_ACTIONS, transitionTarget } from './dto.ts';
import { applicationView, listApplicationViews, ORDER_FIELDS, type OrderField } from './views.ts';
import { bearerSecurity, requireApiKey } from './auth.ts';

const Problem = { $ref: 'Problem#' };
const errors = { 401: Problem, 403: Problem, 404: Problem };
export const MAX_LIMIT = 100;
const RATE = { rateLimit: { max: 600, timeWindow: '1 minute' } };

const TenantParams = Type.Object({ tenant: Type.String() });
const Uuid = Type.String({ format: 'uuid' });
const ListQuery = Type.Object(
  {
    service: Type.Optional(Type.String({ maxLength: 100, description: 'the service’s slug' })),
    status: Type.Optional(Type.Integer({ description: 'an OpenCity status code, e.g. 2000' })),
    created_since: Type.Optional(Type.String({ format: 'date-time' })),
    updated_since: Type.Optional(Type.String({ format: 'date-time', description: 'latest status change at or after' })),
    order: Type.Optional(Type.Union(Object.keys(ORDER_FIELDS).map((k) => Type.Literal(k)))),
    sort: Type.Optional(Type.Union([Type.Literal('ASC'), Type.Literal('DESC')])),
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: 10 })),
  },
  { additionalProperties: false },
);
type ListQuery = Static<typeof ListQuery>;
const ListEnvelope = Type.Object({
  meta: Type.Object({ count: Type.Integer(), parameter: Type.Record(Type.String(), Type.Unknown()) }),
  links: Type.Object({ self: Type.String(), prev: Type.Union([Type.String(), Type.Null()]), next: Type.Union([Type.String(), Type.Null()]) }),
  data: Type.Array(ApplicationDto),
});

/** The list's self/prev/next links: the same query at another offset (prev null on the first page, next null on the last). */
export function pageLinks(base: string, query: ListQuery & { offset: number; limit: number }, count: number) {
  const at = (offset: number) => {
    const params = new URLSearchParams(Object.entries({ ...query, offset }).map(([k, v]) => [k, String(v)]));
    return `${base}?${params}`;
  };
  return {
    self: at(query.offset),
    prev: query.offset > 0 ? at(Math.max(0, query.offset - query.limit)) : null,
    next: query.offset + query.limit < count ? at(query.offset + query.limit) : null,
  };
}

export function registerApiV1(app: App, comune: ComuneContext): void {
  const db = comune.db;
  const services = new ServiceRepository(db);
  const documents = diskDocumentStore(path.join(comune.app.config.dataDir, 'documents'));
  const store = new ApplicationStore(db, documents);
  const apiBase = (request: FastifyRequest) => `${comune.app.config.urls.comune}/${requireTenant(request).slug}/api/v1`;

  app.get(
    '/api/v1/services',
    { config: RATE, schema: { tags: ['ente API'], summary: 'The ente’s services (scope services:read)', security: bearerSecurity, params: TenantParams, response: { 200: Type.Array(ServiceDto), ...errors } } },
    async (request) => {
      await requireApiKey(request, db, 'services:read');
      return (await services.list(requireTenant(request).id)).map(serviceDto);
    },
  );

  app.get(
    '/api/v1/services/:service',
    {
      config: RATE,
      schema: { tags: ['ente API'], summary: 'One service, by id or slug (scope services:read)', security: bearerSecurity, params: Type.Object({ tenant: Type.String(), service: Type.String({ maxLength: 100 }) }), response: { 200: ServiceDto, ...errors } },
    },
    async (request) => {
      await requireApiKey(request, db, 'services:read');
      const tenantId = requireTenant(request).id;
      const key = request.params.service;
      const service = /^[0-9a-f-]{36}$/i.test(key) ? await services.byId(tenantId, key) : await services.bySlug(tenantId, key);
      if (!service) throw notFound('No such service.');
      return serviceDto(service);
    },
  );

  app.get(
    '/api/v1/applications',
    { config: RATE, schema: { tags: ['ente API'], summary: 'The ente’s submitted applications, filtered and paged (scope applications:read)', security: bearerSecurity, params: TenantParams, querystring: ListQuery, response: { 200: ListEnvelope, 400: Problem, ...errors } } },
    async (request) => {
      await requireApiKey(request, db, 'applications:read');
      const tenantId = requireTenant(request).id;
      const query = { ...request.query, offset: request.query.offset ?? 0, limit: request.query.limit ?? 10 };
      if (query.status !== undefined && !isStatusCode(query.status)) throw invalid([{ pointer: '/querystring/status', code: 'enum', detail: 'not an OpenCity status code' }]);
      const service = query.service === undefined ? undefined : await services.bySlug(tenantId, query.service);
      const { count, views } =
        query.service !== undefined && !service
          ? { count: 0, views: [] }
          : await listApplicationViews(db, tenantId, {
              serviceId: service?.id,
              status: query.status as never,
              createdSince: query.created_since ? new Date(query.created_since) : undefined,
              updatedSince: query.updated_since ? new Date(query.updated_since) : undefined,
              order: (query.order ?? 'creation_time') as OrderField,
              sort: query.sort ?? 'DESC',
              offset: query.offset,
              limit: query.limit,
            });
      const base = apiBase(request);
      return { meta: { count, parameter: query }, links: pageLinks(`${base}/applications`, query, count), data: views.map((v) => applicationDto(v, base)) };
    },
  );

  app.get(
    '/api/v1/applications/:id',
    { config: RATE, schema: { tags: ['ente API'], summary: 'One application (scope applications:read)', security: bearerSecurity, params: Type.Object({ tenant: Type.String(), id: Uuid }), response: { 200: ApplicationDto, ...errors } } },
    async (request) => {
      await requireApiKey(request, db, 'applications:read');
      const view = await applicationView(db, requireTenant(request).id, request.params.id);
      if (!view) throw notFound('No such application.');
      return applicationDto(view, apiBase(request));
    },
  );

  app.post(
    '/api/v1/applications/:id/transition/:action',
    {
      config: RATE,
      schema: {
        tags: ['ente API'],
        summary: 'Moves an application by the state machine, e.g. accept or reject with a message (scope applications:write); 409 when not allowed from its status',
        security: bearerSecurity,
        params: Type.Object({ tenant: Type.String(), id: Uuid, action: Type.Union(TRANSITION_ACTIONS.map((a) => Type.Literal(a))) }),
        body: Type.Optional(Type.Object({ message: Type.Optional(Type.String({ maxLength: 4000 })) })),
        response: { 200: ApplicationDto, 400: Problem, ...errors, 409: Problem },
      },
    },
    async (request) => {
      const key = await requireApiKey(request, db, 'applications:write');
      const tenantId = requireTenant(request).id;
      const view = await applicationView(db, tenantId, request.params.id);
      if (!view) throw notFound('No such application.');
      const to = transitionTarget(request.params.action, view.application.status);
      await store.transition({ kind: 'operator', tenantId, id: `api-key:${key.id}` }, request.params.id, to, request.body?.message?.trim() || null);
      return applicationDto((await applicationView(db, tenantId, request.params.id))!, apiBase(request));
    },
  );

  app.get(
    '/api/v1/applications/:id/attachments/:attachment',
    {
      config: RATE,
      schema: {
        tags: ['ente API'],
        summary: 'One attachment of the application, by its SHA-256 (scope applications:read)',
        security: bearerSecurity,
        params: Type.Object({ tenant: Type.String(), id: Uuid, attachment: Type.String({ pattern: '^[0-9a-f]{64}$' }) }),
        response: { ...errors },
      },
    },
    async (request, reply) => {
      await requireApiKey(request, db, 'applications:read');
      const view = await applicationView(db, requireTenant(request).id, request.params.id);
      // Only the application's own files: a hash of another application's file finds nothing.
      const file = view?.attachments.find((a) => a.sha256 === request.params.attachment);
      const bytes = file && (await documents.get(file.sha256));
      if (!file || !bytes) throw notFound('No such attachment.');
      return reply
        .type(file.mime)
        .header('content-disposition', `attachment; filename="${file.name.replace(/[^\w.-]/g, '_')}"`)
        .header('x-content-type-options', 'nosniff')
        .send(bytes);
    },
  );
}
