// IO's Services API v1 for public bodies (io-functions-services openapi/index.yaml, reference io.md §1): profiles,
// messages, the subscriptions feed. Every call: the service's key (401) → not disabled (403) → its rate (429) → the
// schema (400) → source address (403); then each route's own checks (docs/io.md "Services API").
import { createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { App } from '../../../core/http.ts';
import { executePrepared, sql, type Executor } from '../../../core/db.ts';
import { HttpProblem, invalid, notFound, problemResponses, problemType } from '../../../core/problem.ts';
import {
  CreatedMessage,
  ExternalMessageResponseWithContent,
  FiscalCode,
  IDEMPOTENCY_KEY_HEADER,
  IO_API_PREFIX,
  LimitedProfile,
  NewMessage,
  SUBSCRIPTION_KEY_HEADER,
  SubscriptionsFeed,
} from '../../../clients/io/wire.ts';
import { SCHEMA } from '../schema.ts';
import { serviceOfKey, type Service } from '../services/store.ts';
import { acceptMessage, assertFiscalCode, notAllowedHere } from '../messages/submit.ts';
import { messageStatus } from '../messages/status.ts';
import { takeServiceToken } from '../messages/rate.ts';
import { limitedProfile } from './profiles.ts';

declare module 'fastify' {
  interface FastifyRequest {
    ioService?: Service;
  }
}

export const subscriptionKeySchemes = {
  SubscriptionKey: { type: 'apiKey', in: 'header', name: SUBSCRIPTION_KEY_HEADER, description: 'a key of the service (primary or secondary)' },
  ManageSubscriptionKey: { type: 'apiKey', in: 'header', name: SUBSCRIPTION_KEY_HEADER, description: 'the body’s manage key (/manage)' },
};
const security = [{ SubscriptionKey: [] }];
const tags = ['Services API'];

/** The holder of the request's subscription key as `lookup` finds it; else 401 with APIM's words for a missing or refused key (reference io.md §1.7). */
export async function subscriptionKeyHolder<T>(request: FastifyRequest, lookup: (key: string) => Promise<T | undefined>): Promise<T> {
  const header = request.headers[SUBSCRIPTION_KEY_HEADER.toLowerCase()];
  const given = typeof header === 'string' && header !== '';
  const holder = given ? await lookup(header) : undefined;
  if (holder) return holder;
  const title = given
    ? 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.'
    : 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.';
  throw new HttpProblem(401, { type: problemType('unauthorized'), title, detail: `Header ${SUBSCRIPTION_KEY_HEADER}: a key of an IO service.` });
}

const ipv4 = (address: string): number | undefined => {
  const match = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  return match ? match.slice(1).reduce((n, octet) => n * 256 + Number(octet), 0) : undefined;
};

/** Empty authorized_cidrs: any address (reference io.md §1.1). */
export function addressAllowed(cidrs: readonly string[], address: string): boolean {
  if (cidrs.length === 0) return true;
  const ip = ipv4(address);
  return (
    ip !== undefined &&
    cidrs.some((cidr) => {
      const [base, bits = '32'] = cidr.split('/');
      const size = 2 ** (32 - Number(bits));
      return Math.floor(ip / size) === Math.floor(ipv4(base!)! / size);
    })
  );
}

const FcParams = Type.Object({ fiscal_code: FiscalCode });
const MessageParams = Type.Object({ fiscal_code: FiscalCode, id: Type.String({ minLength: 1, maxLength: 26 }) });
const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'the same key and body again answer the first id' })) });
const feedDays = sql.table(`${SCHEMA}.subscription_events`);

export async function registerServicesApi(app: App, db: Executor): Promise<void> {
  app.addSchema(NewMessage);
  await app.register(
    async (instance) => {
      const api = instance as App;
      api.addHook('onRequest', async (request: FastifyRequest) => {
        const service = await subscriptionKeyHolder(request, (key) => serviceOfKey(db, key));
        if (service.isDisabled) throw new HttpProblem(403, { type: problemType('forbidden'), title: 'Service disabled', detail: `The service ${service.serviceId} is disabled.` });
        takeServiceToken(service);
        request.ioService = service;
      });
      // After the schema: the caller's address against the service's authorized CIDRs.
      api.addHook('preHandler', async (request) => {
        if (!addressAllowed(request.ioService!.authorizedCidrs, request.ip)) throw notAllowedHere();
      });

      const profile = async (request: FastifyRequest, fiscalCode: string, pointer: string) => {
        assertFiscalCode(fiscalCode, pointer);
        return limitedProfile(db, request.ioService!, fiscalCode);
      };
      api.get(
        '/profiles/:fiscal_code',
        { schema: { tags, security, operationId: 'getProfile', summary: 'May this service write to the citizen? 404: not on IO or inbox off', params: FcParams, response: { 200: LimitedProfile, ...problemResponses(400, 401, 403, 404, 429) } } },
        (request) => profile(request, request.params.fiscal_code, '/params/fiscal_code'),
      );
      api.post(
        '/profiles',
        {
          schema: {
            tags,
            security,
            operationId: 'getProfileByPOST',
            summary: 'As GET /profiles/{fiscal_code}, the fiscal code kept out of the URL',
            body: Type.Object({ fiscal_code: FiscalCode }),
            response: { 200: LimitedProfile, ...problemResponses(400, 401, 403, 404, 429) },
          },
        },
        (request) => profile(request, request.body.fiscal_code, '/body/fiscal_code'),
      );

      const submit = async (request: FastifyRequest, fiscalCode: string, message: NewMessage, reply: import('fastify').FastifyReply) => {
        const idempotencyKey = (request.headers as { 'idempotency-key'?: string })['idempotency-key'];
        const { id } = await acceptMessage(db, request.ioService!, { fiscalCode, message, idempotencyKey });
        return reply.status(201).header('location', `${IO_API_PREFIX}/messages/${fiscalCode}/${id}`).send({ id });
      };
      const submitResponses = { 201: CreatedMessage, ...problemResponses(400, 401, 403, 409, 429) };
      api.post(
        '/messages/:fiscal_code',
        {
          schema: {
            tags,
            security,
            operationId: 'submitMessageforUser',
            summary: 'Send a message (201: accepted, not yet delivered; Location: its status)',
            params: FcParams,
            headers: IdempotencyHeaders,
            body: Type.Ref('NewMessage'),
            response: submitResponses,
          },
        },
        async (request, reply) => {
          const message = request.body as NewMessage;
          // Reference io.md §1.4: the fiscal code in the path or in the body, never both.
          if (message.fiscal_code !== undefined) throw invalid([{ pointer: '/body/fiscal_code', detail: 'the fiscal code is already in the path: give it once', code: 'exclusive' }], 'Bad parameters');
          return submit(request, request.params.fiscal_code, message, reply);
        },
      );
      api.post(
        '/messages',
        {
          schema: {
            tags,
            security,
            operationId: 'submitMessageforUserWithFiscalCodeInBody',
            summary: 'Send a message, the fiscal code in the body',
            headers: IdempotencyHeaders,
            body: Type.Ref('NewMessage'),
            response: submitResponses,
          },
        },
        async (request, reply) => {
          const message = request.body as NewMessage;
          if (message.fiscal_code === undefined) throw invalid([{ pointer: '/body/fiscal_code', detail: 'the recipient’s fiscal code is required', code: 'required' }], 'Bad parameters');
          return submit(request, message.fiscal_code, message, reply);
        },
      );

      api.get(
        '/messages/:fiscal_code/:id',
        {
          schema: {
            tags,
            security,
            operationId: 'getMessage',
            summary: 'A message of this service, its status and each channel’s notification status',
            params: MessageParams,
            response: { 200: ExternalMessageResponseWithContent, ...problemResponses(400, 401, 403, 404, 429) },
          },
        },
        async (request) => {
          const found = await messageStatus(db, request.ioService!, request.params.fiscal_code, request.params.id);
          if (!found) throw notFound('No message found for the provided ID');
          return found;
        },
      );

      api.get(
        '/subscriptions-feed/:date',
        {
          schema: {
            tags,
            security,
            operationId: 'getSubscriptionsFeedForDate',
            summary: 'Who joined IO or this service and who left, on a past UTC day (SHA-256 of the upper-case fiscal code)',
            params: Type.Object({ date: Type.String({ format: 'date', description: 'YYYY-MM-DD, a past UTC day' }) }),
            response: { 200: SubscriptionsFeed, ...problemResponses(400, 401, 404, 429) },
          },
        },
        async (request) => {
          const { date } = request.params;
          // The feed of a day is complete only once the day is over (UTC).
          if (date >= new Date().toISOString().slice(0, 10)) throw notFound(`The feed of ${date} is not ready: only past days (UTC) have one.`);
          const { rows } = await executePrepared(
            db,
            sql<{ fiscal_code_hash: string; kind: 'SUBSCRIBED' | 'UNSUBSCRIBED' }>`select fiscal_code_hash, kind from ${feedDays}
              where day = ${date}::date and service_id in ('', ${request.ioService!.serviceId}) order by fiscal_code_hash`,
          );
          const of = (kind: string) => [...new Set(rows.filter((r) => r.kind === kind).map((r) => r.fiscal_code_hash))];
          return { dateUTC: date, subscriptions: of('SUBSCRIBED'), unsubscriptions: of('UNSUBSCRIBED') };
        },
      );
    },
    { prefix: IO_API_PREFIX },
  );
}

/** The subscriptions feed's hash of a fiscal code: lower-case hex SHA-256 of the upper-case code (reference io.md §1.6). */
export const feedHash = (fiscalCode: string) => createHash('sha256').update(fiscalCode.toUpperCase()).digest('hex');
