// The operators' routes for the subscription keys of one kind of holder (a creditor institution, a PSP): the
// active keys (never the secret), a new key (shown only once), a revocation; issuing and revoking are audited.
import { Type, type TObject } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { App } from '../../core/http.ts';
import type { Executor } from '../../core/db.ts';
import { audit, type AuditEntry } from '../../core/audit.ts';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyOwner } from '../../core/auth/api-keys.ts';
import { notFound, problemResponses } from '../../core/problem.ts';
import { SCHEMA } from './schema.ts';

/** The keys' owner named by a path, and what the audit entries say of it. */
export interface KeyHolder extends ApiKeyOwner {
  audit: Pick<AuditEntry, 'tenantId' | 'details'>;
}

export interface KeyRoutes {
  /** The holder's path below the operators' API, e.g. `/psps/:idPSP`. */
  path: string;
  params: TObject;
  tags: string[];
  /** As the summaries name the holder, e.g. `PSP`. */
  holderName: string;
  /** What the keys open, e.g. `the Nodo`. */
  service: string;
  /** The audit actions are `<auditAction>.create` and `<auditAction>.revoke`. */
  auditAction: string;
  /** The holder of the path's parameters; a problem 404 when there is none. */
  holder: (params: Record<string, string>) => Promise<KeyHolder>;
}

const security = [{ bearerAuth: [] }];
const KeySummary = Type.Object({ id: Type.String(), prefix: Type.String(), label: Type.String(), createdAt: Type.String(), lastUsedAt: Type.Optional(Type.String()) });

export function registerKeyRoutes(api: App, db: Executor, routes: KeyRoutes): void {
  const { path, params, tags, holderName } = routes;
  const holderOf = (request: FastifyRequest) => routes.holder(request.params as Record<string, string>);
  const owner = ({ ownerType, ownerId }: KeyHolder): ApiKeyOwner => ({ ownerType, ownerId });

  api.get(
    `${path}/subscription-keys`,
    { schema: { tags, security, summary: `The ${holderName}’s active subscription keys (never the secret)`, params, response: { 200: Type.Array(KeySummary), ...problemResponses(401, 404) } } },
    async (request) =>
      (await listApiKeys(db, SCHEMA, owner(await holderOf(request)))).map((k) => ({
        id: k.id,
        prefix: k.prefix,
        label: k.label,
        createdAt: k.createdAt.toISOString(),
        ...(k.lastUsedAt ? { lastUsedAt: k.lastUsedAt.toISOString() } : {}),
      })),
  );

  api.post(
    `${path}/subscription-keys`,
    {
      schema: {
        tags,
        security,
        summary: `Issue a subscription key for ${routes.service} (the key is shown only in this answer)`,
        params,
        body: Type.Object({ label: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
        response: { 201: Type.Object({ id: Type.String(), key: Type.String() }), ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const holder = await holderOf(request);
      const { key, record } = await createApiKey(db, SCHEMA, { ...owner(holder), label: request.body.label });
      const actor = request.pagopaOperator!;
      await audit(db, SCHEMA, { ...holder.audit, actorType: actor.type, actorId: actor.id, action: `${routes.auditAction}.create`, targetType: 'api_key', targetId: record.id, requestId: actor.requestId });
      return reply.status(201).send({ id: record.id, key });
    },
  );

  api.delete(
    `${path}/subscription-keys/:id`,
    {
      schema: {
        tags,
        security,
        summary: `Revoke a subscription key of the ${holderName}`,
        params: Type.Object({ ...params.properties, id: Type.String({ format: 'uuid' }) }),
        response: { 204: Type.Null(), ...problemResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const holder = await holderOf(request);
      const { id } = request.params as { id: string };
      if (!(await listApiKeys(db, SCHEMA, owner(holder))).some((k) => k.id === id)) throw notFound(`No such active key of this ${holderName}`);
      await revokeApiKey(db, SCHEMA, id);
      const actor = request.pagopaOperator!;
      await audit(db, SCHEMA, { ...holder.audit, actorType: actor.type, actorId: actor.id, action: `${routes.auditAction}.revoke`, targetType: 'api_key', targetId: id, requestId: actor.requestId });
      return reply.status(204).send(null);
    },
  );
}
