// The management REST API of PDND (/api/v1), shaped after interop-be-monorepo's API (tenants,
// eservices, descriptors, agreements, purposes, clients, keys). Every call is made by a body with
// one of its API keys (Authorization: Bearer sk_...); it sees only what it is a party to.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { App } from '../../core/http.ts';
import type { Executor } from '../../core/db.ts';
import { verifyApiKey } from '../../core/auth/api-keys.ts';
import { unauthorized } from '../../core/problem.ts';
import { AGREEMENT_STATES, APPROVAL_POLICIES, DESCRIPTOR_STATES, PURPOSE_VERSION_STATES } from './rules.ts';
import * as store from './store.ts';
import { SCHEMA } from './schema.ts';

export const API_KEY_OWNER = 'tenant';

declare module 'fastify' {
  interface FastifyRequest {
    pdndActor?: store.Actor;
  }
}

const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });
const Enum = <T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
const problems = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, Type.Ref('Problem')]));

const TenantSchema = Type.Object({ id: Uuid, name: Type.String(), ipaCode: Type.String(), kind: Type.String() }, { $id: 'Tenant' });

const DescriptorSchema = Type.Object(
  {
    id: Uuid,
    version: Type.String({ description: 'as in interop: "1", "2", ...' }),
    description: Type.Optional(Type.String()),
    state: Enum(DESCRIPTOR_STATES),
    audience: Type.Array(Type.String(), { description: 'placed in the aud of the vouchers' }),
    voucherLifespan: Type.Integer({ description: 'seconds' }),
    dailyCallsPerConsumer: Type.Integer(),
    dailyCallsTotal: Type.Integer(),
    agreementApprovalPolicy: Enum(APPROVAL_POLICIES),
    serverUrls: Type.Array(Type.String()),
    interface: Type.Optional(Type.String({ description: 'URL of the interface document (OpenAPI)' })),
    publishedAt: Type.Optional(DateTime),
  },
  { $id: 'EServiceDescriptor' },
);

const EserviceSchema = Type.Object(
  {
    id: Uuid,
    producerId: Uuid,
    producerName: Type.String(),
    name: Type.String(),
    description: Type.String(),
    technology: Enum(['Rest', 'Soap'] as const),
    mode: Enum(['Receive', 'Deliver'] as const),
    descriptors: Type.Array(Type.Ref('EServiceDescriptor')),
  },
  { $id: 'EService' },
);

const AgreementSchema = Type.Object(
  {
    id: Uuid,
    eserviceId: Uuid,
    eserviceName: Type.String(),
    descriptorId: Uuid,
    producerId: Uuid,
    producerName: Type.String(),
    consumerId: Uuid,
    consumerName: Type.String(),
    state: Enum(AGREEMENT_STATES),
    suspendedByConsumer: Type.Boolean(),
    suspendedByProducer: Type.Boolean(),
    rejectionReason: Type.Optional(Type.String()),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { $id: 'Agreement' },
);

const PurposeVersionSchema = Type.Object(
  { id: Uuid, state: Enum(PURPOSE_VERSION_STATES), dailyCalls: Type.Integer(), rejectionReason: Type.Optional(Type.String()), createdAt: DateTime },
  { $id: 'PurposeVersion' },
);

const PurposeSchema = Type.Object(
  {
    id: Uuid,
    eserviceId: Uuid,
    eserviceName: Type.String(),
    consumerId: Uuid,
    consumerName: Type.String(),
    title: Type.String(),
    description: Type.String(),
    isFreeOfCharge: Type.Boolean(),
    suspendedByConsumer: Type.Boolean(),
    suspendedByProducer: Type.Boolean(),
    state: Enum(PURPOSE_VERSION_STATES, 'the current version’s state'),
    currentVersion: Type.Optional(Type.Ref('PurposeVersion')),
    waitingForApprovalVersion: Type.Optional(Type.Ref('PurposeVersion')),
    versions: Type.Array(Type.Ref('PurposeVersion')),
  },
  { $id: 'Purpose' },
);

const KeySchema = Type.Object(
  { kid: Type.String({ description: 'RFC 7638 JWK thumbprint (SHA-256)' }), name: Type.String(), alg: Type.Literal('RS256'), use: Type.Literal('SIG'), createdAt: DateTime },
  { $id: 'Key' },
);

const ClientSchema = Type.Object(
  {
    id: Uuid,
    consumerId: Uuid,
    name: Type.String(),
    description: Type.String(),
    kind: Enum(['Consumer', 'Api'] as const),
    purposes: Type.Array(Uuid),
    keys: Type.Array(Type.Ref('Key')),
    createdAt: DateTime,
  },
  { $id: 'Client' },
);

const list = (ref: string) => Type.Object({ results: Type.Array(Type.Ref(ref)) });

// --- Presenters -----------------------------------------------------------------------------------------

const omitNull = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));

export function presentEservice(e: store.Eservice, apiUrl: string) {
  return {
    ...e,
    descriptors: e.descriptors.map((d) =>
      omitNull({
        ...d,
        eserviceId: undefined,
        hasInterface: undefined,
        version: String(d.version),
        publishedAt: d.publishedAt?.toISOString(),
        interface: d.hasInterface ? `${apiUrl}/eservices/${e.id}/descriptors/${d.id}/interface` : undefined,
      }),
    ),
  };
}

const presentAgreement = (a: store.Agreement) => omitNull({ ...a, descriptorVersion: undefined, createdAt: a.createdAt.toISOString(), updatedAt: a.updatedAt.toISOString() });
const presentVersion = (v: store.PurposeVersion) => omitNull({ ...v, createdAt: v.createdAt.toISOString() });
const presentPurpose = (p: store.Purpose) =>
  omitNull({
    ...p,
    producerId: undefined,
    versions: p.versions.map(presentVersion),
    currentVersion: p.currentVersion && presentVersion(p.currentVersion),
    waitingVersion: undefined,
    waitingForApprovalVersion: p.waitingVersion && presentVersion(p.waitingVersion),
  });
const presentKey = (k: store.ClientKey) => ({ ...k, createdAt: k.createdAt.toISOString() });
const presentClient = (c: store.Client) => ({ ...c, keys: c.keys.map(presentKey), createdAt: c.createdAt.toISOString() });

// --- Routes --------------------------------------------------------------------------------------------------

export interface ApiOptions {
  db: Executor;
  apiUrl: string;
}

const actorOf = (request: FastifyRequest): store.Actor => request.pdndActor!;

export async function registerApi(app: App, options: ApiOptions): Promise<void> {
  const { db, apiUrl } = options;
  for (const schema of [TenantSchema, DescriptorSchema, EserviceSchema, AgreementSchema, PurposeVersionSchema, PurposeSchema, KeySchema, ClientSchema]) {
    app.addSchema(schema);
  }

  await app.register(
    async (api) => {
      api.addHook('onRequest', async (request) => {
        const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
        const record = match ? await verifyApiKey(db, SCHEMA, match[1]!) : undefined;
        if (!record || record.ownerType !== API_KEY_OWNER) {
          throw unauthorized('An API key of a body registered on PDND is required: Authorization: Bearer <key>');
        }
        request.pdndActor = { tenantId: record.ownerId, type: 'api_key', id: record.id, requestId: request.id };
      });

      const route = <P extends TSchema | undefined, B extends TSchema | undefined, Q extends TSchema | undefined>(def: {
        method: 'GET' | 'POST' | 'DELETE';
        url: string;
        tag: string;
        summary: string;
        params?: P;
        body?: B;
        query?: Q;
        status?: number;
        response?: TSchema;
        errors?: number[];
        handler: (request: FastifyRequest<{ Params: P extends TSchema ? Static<P> : unknown; Body: B extends TSchema ? Static<B> : unknown; Querystring: Q extends TSchema ? Static<Q> : unknown }>) => Promise<unknown>;
      }) =>
        api.route({
          method: def.method,
          url: def.url,
          schema: {
            tags: [def.tag],
            summary: def.summary,
            security: [{ bearerAuth: [] }],
            ...(def.params ? { params: def.params } : {}),
            ...(def.body ? { body: def.body } : {}),
            ...(def.query ? { querystring: def.query } : {}),
            response: { ...(def.response ? { [def.status ?? 200]: def.response } : { [def.status ?? 204]: Type.Null() }), ...problems(400, 401, 404, ...(def.errors ?? [])) },
          },
          handler: async (request, reply) => {
            const result = await def.handler(request as never);
            reply.status(def.status ?? (def.response ? 200 : 204));
            return def.response ? result : reply.send();
          },
        });

      const IdParams = Type.Object({ id: Uuid });
      const RoleQuery = Type.Object({ role: Type.Optional(Enum(['consumer', 'producer'] as const)), eserviceId: Type.Optional(Uuid) });
      const Reason = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 1000 })) });

      route({ method: 'GET', url: '/tenants/me', tag: 'tenants', summary: 'The body this API key belongs to', response: Type.Ref('Tenant'), handler: async (r) => store.tenantById(db, actorOf(r).tenantId) });

      // E-services and descriptors
      route({
        method: 'GET', url: '/eservices', tag: 'eservices', summary: 'The catalog (published e-services; your own drafts too)',
        query: Type.Object({ producerId: Type.Optional(Uuid), name: Type.Optional(Type.String({ maxLength: 100 })) }), response: list('EService'),
        handler: async (r) => ({ results: (await store.listEservices(db, actorOf(r).tenantId, r.query)).map((e) => presentEservice(e, apiUrl)) }),
      });
      route({ method: 'GET', url: '/eservices/:id', tag: 'eservices', summary: 'One e-service with its descriptors', params: IdParams, response: Type.Ref('EService'), handler: async (r) => presentEservice(await store.getEservice(db, actorOf(r).tenantId, r.params.id), apiUrl) });
      route({
        method: 'POST', url: '/eservices', tag: 'eservices', summary: 'Create an e-service (you are its producer)', status: 201, errors: [409],
        body: Type.Object({ name: Type.String({ minLength: 3, maxLength: 120 }), description: Type.String({ minLength: 10, maxLength: 2000 }), technology: Type.Optional(Enum(['Rest', 'Soap'] as const)) }, { additionalProperties: false }),
        response: Type.Ref('EService'),
        handler: async (r) => presentEservice(await store.createEservice(db, actorOf(r), r.body), apiUrl),
      });
      route({
        method: 'POST', url: '/eservices/:id/descriptors', tag: 'eservices', summary: 'Create a draft descriptor (new version) of your e-service', status: 201, params: IdParams, errors: [409],
        body: Type.Object(
          {
            description: Type.Optional(Type.String({ maxLength: 2000 })),
            audience: Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { minItems: 1, maxItems: 5 }),
            voucherLifespan: Type.Integer({ minimum: 60, maximum: 86400 }),
            dailyCallsPerConsumer: Type.Integer({ minimum: 1 }),
            dailyCallsTotal: Type.Integer({ minimum: 1 }),
            agreementApprovalPolicy: Enum(APPROVAL_POLICIES),
            serverUrls: Type.Optional(Type.Array(Type.String({ format: 'uri' }), { maxItems: 5 })),
            interface: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'the OpenAPI 3 document (JSON)' })),
          },
          { additionalProperties: false },
        ),
        response: Type.Ref('EServiceDescriptor'),
        handler: async (r) => {
          const d = await store.createDescriptor(db, actorOf(r), r.params.id, r.body);
          return presentEservice({ id: r.params.id, descriptors: [d] } as store.Eservice, apiUrl).descriptors[0];
        },
      });
      for (const command of ['publish', 'suspend', 'activate'] as const) {
        route({
          method: 'POST', url: `/eservices/:id/descriptors/:descriptorId/${command}`, tag: 'eservices', summary: `${command[0]!.toUpperCase()}${command.slice(1)} a descriptor of your e-service`, errors: [409],
          params: Type.Object({ id: Uuid, descriptorId: Uuid }), response: Type.Ref('EServiceDescriptor'),
          handler: async (r) => {
            const d = await store.changeDescriptor(db, actorOf(r), r.params.id, r.params.descriptorId, command);
            return presentEservice({ id: r.params.id, descriptors: [d] } as store.Eservice, apiUrl).descriptors[0];
          },
        });
      }
      api.get(
        '/eservices/:id/descriptors/:descriptorId/interface',
        { schema: { tags: ['eservices'], summary: 'The interface document (OpenAPI) of a descriptor', security: [{ bearerAuth: [] }], params: Type.Object({ id: Uuid, descriptorId: Uuid }), response: problems(401, 404) } },
        async (request) => {
          const params = request.params as { id: string; descriptorId: string };
          return store.getInterface(db, actorOf(request).tenantId, params.id, params.descriptorId);
        },
      );

      // Agreements
      route({
        method: 'GET', url: '/agreements', tag: 'agreements', summary: 'Agreements you are a party to',
        query: Type.Intersect([RoleQuery, Type.Object({ states: Type.Optional(Type.Array(Enum(AGREEMENT_STATES))) })]), response: list('Agreement'),
        handler: async (r) => ({ results: (await store.listAgreements(db, actorOf(r).tenantId, r.query)).map(presentAgreement) }),
      });
      route({ method: 'GET', url: '/agreements/:id', tag: 'agreements', summary: 'One agreement', params: IdParams, response: Type.Ref('Agreement'), handler: async (r) => presentAgreement(await store.getAgreement(db, actorOf(r).tenantId, r.params.id)) });
      route({
        method: 'POST', url: '/agreements', tag: 'agreements', summary: 'Request an agreement on an e-service (Automatic policy: Active at once; Manual: Pending)', status: 201, errors: [409],
        body: Type.Object({ eserviceId: Uuid, consumerNotes: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false }), response: Type.Ref('Agreement'),
        handler: async (r) => presentAgreement(await store.requestAgreement(db, actorOf(r), r.body)),
      });
      for (const command of ['approve', 'reject', 'suspend', 'activate', 'archive'] as const) {
        route({
          method: 'POST', url: `/agreements/:id/${command}`, tag: 'agreements', errors: [409],
          summary: { approve: 'Producer: approve a Pending agreement', reject: 'Producer: reject a Pending agreement (reason required)', suspend: 'Suspend (either party, for itself)', activate: 'Lift your own suspension', archive: 'Consumer: archive the agreement' }[command],
          params: IdParams, ...(command === 'reject' ? { body: Reason } : {}), response: Type.Ref('Agreement'),
          handler: async (r) => presentAgreement(await store.changeAgreement(db, actorOf(r), r.params.id, command, (r.body as { reason?: string } | undefined)?.reason)),
        });
      }

      // Purposes
      route({
        method: 'GET', url: '/purposes', tag: 'purposes', summary: 'Purposes you declared, or declared on your e-services',
        query: Type.Intersect([RoleQuery, Type.Object({ waitingForApproval: Type.Optional(Type.Boolean()) })]), response: list('Purpose'),
        handler: async (r) => ({ results: (await store.listPurposes(db, actorOf(r).tenantId, r.query)).map(presentPurpose) }),
      });
      route({ method: 'GET', url: '/purposes/:id', tag: 'purposes', summary: 'One purpose', params: IdParams, response: Type.Ref('Purpose'), handler: async (r) => presentPurpose(await store.getPurpose(db, actorOf(r).tenantId, r.params.id)) });
      route({
        method: 'POST', url: '/purposes', tag: 'purposes', status: 201, errors: [409],
        summary: 'Declare a purpose with its estimated daily calls (above the descriptor thresholds it waits for the producer)',
        body: Type.Object(
          { eserviceId: Uuid, title: Type.String({ minLength: 5, maxLength: 60 }), description: Type.String({ minLength: 10, maxLength: 250 }), dailyCalls: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }), isFreeOfCharge: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: Type.Ref('Purpose'),
        handler: async (r) => presentPurpose(await store.createPurpose(db, actorOf(r), r.body)),
      });
      route({
        method: 'POST', url: '/purposes/:id/versions', tag: 'purposes', status: 201, errors: [409], summary: 'A new estimate of daily calls', params: IdParams,
        body: Type.Object({ dailyCalls: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }) }, { additionalProperties: false }), response: Type.Ref('Purpose'),
        handler: async (r) => presentPurpose(await store.createPurposeVersion(db, actorOf(r), r.params.id, r.body.dailyCalls)),
      });
      for (const command of ['approve', 'reject', 'suspend', 'activate', 'archive'] as const) {
        route({
          method: 'POST', url: `/purposes/:id/${command}`, tag: 'purposes', errors: [409],
          summary: { approve: 'Producer: approve the version waiting for approval', reject: 'Producer: reject the version waiting for approval (reason required)', suspend: 'Suspend (either party, for itself)', activate: 'Lift your own suspension', archive: 'Consumer: archive the purpose' }[command],
          params: IdParams, ...(command === 'reject' ? { body: Reason } : {}), response: Type.Ref('Purpose'),
          handler: async (r) => presentPurpose(await store.changePurpose(db, actorOf(r), r.params.id, command, (r.body as { reason?: string } | undefined)?.reason)),
        });
      }

      // Clients and keys
      route({ method: 'GET', url: '/clients', tag: 'clients', summary: 'Your clients', response: list('Client'), handler: async (r) => ({ results: (await store.listClients(db, actorOf(r).tenantId)).map(presentClient) }) });
      route({ method: 'GET', url: '/clients/:id', tag: 'clients', summary: 'One of your clients', params: IdParams, response: Type.Ref('Client'), handler: async (r) => presentClient(await store.getClient(db, actorOf(r).tenantId, r.params.id)) });
      route({
        method: 'POST', url: '/clients', tag: 'clients', summary: 'Create a consumer client (its id is the client_id of the token requests)', status: 201,
        body: Type.Object({ name: Type.String({ minLength: 3, maxLength: 60 }), description: Type.Optional(Type.String({ maxLength: 250 })) }, { additionalProperties: false }), response: Type.Ref('Client'),
        handler: async (r) => presentClient(await store.createClient(db, actorOf(r), r.body)),
      });
      route({
        method: 'POST', url: '/clients/:id/purposes', tag: 'clients', summary: 'Associate one of your purposes with the client', params: IdParams, errors: [409],
        body: Type.Object({ purposeId: Uuid }, { additionalProperties: false }), response: Type.Ref('Client'),
        handler: async (r) => presentClient(await store.addClientPurpose(db, actorOf(r), r.params.id, r.body.purposeId)),
      });
      route({
        method: 'DELETE', url: '/clients/:id/purposes/:purposeId', tag: 'clients', summary: 'Remove a purpose from the client', params: Type.Object({ id: Uuid, purposeId: Uuid }), response: Type.Ref('Client'),
        handler: async (r) => presentClient(await store.removeClientPurpose(db, actorOf(r), r.params.id, r.params.purposeId)),
      });
      route({ method: 'GET', url: '/clients/:id/keys', tag: 'clients', summary: 'Public keys of the client', params: IdParams, response: Type.Object({ keys: Type.Array(Type.Ref('Key')) }), handler: async (r) => ({ keys: (await store.getClient(db, actorOf(r).tenantId, r.params.id)).keys.map(presentKey) }) });
      route({
        method: 'POST', url: '/clients/:id/keys', tag: 'clients', status: 201, errors: [409], params: IdParams,
        summary: 'Upload a public key (RSA ≥ 2048, PEM in base64 as in interop KeySeed); kid = RFC 7638 thumbprint',
        body: Type.Object({ key: Type.String({ minLength: 100, maxLength: 10_000, description: 'base64 of the PEM (or the PEM itself)' }), use: Type.Optional(Type.Literal('SIG')), alg: Type.Optional(Type.Literal('RS256')), name: Type.String({ minLength: 3, maxLength: 60 }) }, { additionalProperties: false }),
        response: Type.Ref('Key'),
        handler: async (r) => presentKey(await store.addClientKey(db, actorOf(r), r.params.id, r.body)),
      });
      route({ method: 'DELETE', url: '/clients/:id/keys/:kid', tag: 'clients', summary: 'Remove a key', params: Type.Object({ id: Uuid, kid: Type.String({ maxLength: 100 }) }), handler: async (r) => store.removeClientKey(db, actorOf(r), r.params.id, r.params.kid) });
    },
    { prefix: '/api/v1' },
  );
}
