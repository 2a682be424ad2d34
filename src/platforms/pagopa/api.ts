// The GPD REST API (debt-positions-service v1, same paths, fields and status codes as pagopa-debt-position's
// openapi_external_v1), called by a creditor institution with one of its subscription keys in
// Ocp-Apim-Subscription-Key, as on the real API Management; plus GPD's lookup of a payment option by notice number.
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { App } from '../../core/http.ts';
import type { Executor } from '../../core/db.ts';
import { verifyApiKey, type ApiKeyRecord } from '../../core/auth/api-keys.ts';
import { forbidden, problemResponses, unauthorized } from '../../core/problem.ts';
import {
  DateTime,
  DEBT_POSITION_STATUSES,
  Enum,
  GPD_PREFIX,
  ORDER_BY,
  PaymentPositionModel,
  PaymentPositionResponse,
  PaymentPositionsInfo,
  SUBSCRIPTION_KEY_HEADER,
  type PaymentPosition,
  type PaymentPositionBody,
} from '../../clients/pagopa/wire.ts';
import { institutionById, type Actor, type Institution } from './institutions.ts';
import * as positions from './positions.ts';
import { SCHEMA } from './schema.ts';

/** Owner type of the subscription keys in pagopa.api_keys. */
export const SUBSCRIPTION_KEY_OWNER = 'creditor_institution';

declare module 'fastify' {
  interface FastifyRequest {
    pagopaInstitution?: Institution;
    pagopaActor?: Actor;
  }
}

// --- Presenter: Dates as ISO strings, absent values left out -------------------------------------------

function present(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(present);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k, v]) => v !== null && v !== undefined && k !== 'id').map(([k, v]) => [k, present(v)]));
  }
  return value;
}
const presentPosition = (p: positions.DebtPosition) => present(p) as PaymentPosition;

export const toInput = (body: PaymentPositionBody): positions.DebtPositionInput => ({
  ...body,
  validityDate: body.validityDate ? new Date(body.validityDate) : undefined,
  paymentOption: body.paymentOption.map((o) => ({ ...o, dueDate: new Date(o.dueDate), retentionDate: o.retentionDate ? new Date(o.retentionDate) : undefined })),
});

// --- Routes -------------------------------------------------------------------------------------------

const OrgParams = Type.Object({ organizationfiscalcode: Type.String({ maxLength: 16, description: 'the organization’s fiscal code' }) });
const IupdParams = Type.Object({ ...OrgParams.properties, iupd: Type.String({ maxLength: 100 }) });
const NavParams = Type.Object({ ...OrgParams.properties, nav: Type.String({ maxLength: 40, description: 'notice number, 18 digits' }) });
const ToPublish = Type.Object({ toPublish: Type.Boolean({ default: false }) });
const ListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 50, default: 10 }),
  page: Type.Integer({ minimum: 0, default: 0 }),
  due_date_from: Type.Optional(Type.String({ format: 'date' })),
  due_date_to: Type.Optional(Type.String({ format: 'date' })),
  payment_date_from: Type.Optional(Type.String({ format: 'date' })),
  payment_date_to: Type.Optional(Type.String({ format: 'date' })),
  status: Type.Optional(Enum(DEBT_POSITION_STATUSES)),
  orderby: Enum(ORDER_BY, { default: 'INSERTED_DATE' }),
  ordering: Enum(['ASC', 'DESC'] as const, { default: 'DESC' }),
});
// Per subscription key (its public prefix), as API Management limits a subscription; 429 problem+json beyond.
export const rateLimited = {
  rateLimit: {
    max: 6000,
    timeWindow: '1 minute',
    keyGenerator: (request: FastifyRequest) => {
      const key = request.headers[SUBSCRIPTION_KEY_HEADER.toLowerCase()];
      return typeof key === 'string' ? key.split('.')[0]!.slice(0, 40) : request.ip;
    },
  },
};
const security = [{ subscriptionKey: [] }];

export const subscriptionKeyScheme = {
  subscriptionKey: { type: 'apiKey', in: 'header', name: SUBSCRIPTION_KEY_HEADER, description: 'a subscription key of the creditor institution' },
};

/** The request's Ocp-Apim-Subscription-Key when it is an active key, of any holder. */
export async function subscriptionKey(db: Executor, request: FastifyRequest): Promise<ApiKeyRecord | undefined> {
  const header = request.headers[SUBSCRIPTION_KEY_HEADER.toLowerCase()];
  return typeof header === 'string' ? verifyApiKey(db, SCHEMA, header) : undefined;
}

/** The request's Ocp-Apim-Subscription-Key when it is an active key of a holder of `ownerType`. */
export async function subscriptionKeyOf(db: Executor, request: FastifyRequest, ownerType: string): Promise<ApiKeyRecord | undefined> {
  const record = await subscriptionKey(db, request);
  return record?.ownerType === ownerType ? record : undefined;
}

/** Every call of a creditor institution: a subscription key of an enabled institution, for its own organization only
 *  (the path parameter `organizationParam` names it; FdR calls it organizationId). */
export function institutionKeyCheck(db: Executor, organizationParam = 'organizationfiscalcode') {
  return async (request: FastifyRequest): Promise<void> => {
    const record = await subscriptionKeyOf(db, request, SUBSCRIPTION_KEY_OWNER);
    const institution = record && (await institutionById(db, record.ownerId));
    if (!record || !institution?.enabled) throw unauthorized('A subscription key of a creditor institution is required: Ocp-Apim-Subscription-Key: <key>');
    request.pagopaInstitution = institution;
    request.pagopaActor = { type: 'api_key', id: record.id, requestId: request.id };
    // A key acts only for its own organization (GPD answers 403 for another organization's fiscal code).
    const organization = (request.params as Record<string, string | undefined>)[organizationParam];
    if (organization !== undefined && organization !== institution.fiscalCode) {
      throw forbidden('You are not allowed to access this resource: the subscription key belongs to another organization.');
    }
  };
}

export async function registerGpdApi(app: App, db: Executor): Promise<void> {
  app.addSchema(PaymentPositionModel);
  app.addSchema(PaymentPositionResponse);

  await app.register(
    async (instance) => {
      const api = instance as App;
      api.addHook('onRequest', institutionKeyCheck(db));
      const ctx = (r: FastifyRequest) => ({ institution: r.pagopaInstitution!, actor: r.pagopaActor! });

      api.get(
        '/organizations/:organizationfiscalcode/debtpositions',
        {
          config: rateLimited,
          schema: {
            tags: ['Debt Positions API'],
            operationId: 'getOrganizationDebtPositions',
            summary: 'The organization’s debt positions; the due-date interval excludes the payment-date interval',
            security,
            params: OrgParams,
            querystring: ListQuery,
            response: { 200: PaymentPositionsInfo, ...problemResponses(400, 401, 403) },
          },
        },
        async (request) => {
          const q = request.query;
          const page = await positions.listPositions(db, ctx(request).institution, {
            limit: q.limit,
            page: q.page,
            dueDateFrom: q.due_date_from,
            dueDateTo: q.due_date_to,
            paymentDateFrom: q.payment_date_from,
            paymentDateTo: q.payment_date_to,
            status: q.status,
            orderBy: q.orderby,
            ordering: q.ordering,
          });
          return {
            payment_position_list: page.positions.map(presentPosition),
            page_info: { page: q.page, limit: q.limit, items_found: page.itemsFound, total_pages: page.totalPages },
          };
        },
      );

      api.post(
        '/organizations/:organizationfiscalcode/debtpositions',
        {
          config: rateLimited,
          schema: {
            tags: ['Debt Positions API'],
            operationId: 'createPosition',
            summary: 'Create a debt position (toPublish=true: create and publish)',
            security,
            params: OrgParams,
            querystring: ToPublish,
            body: Type.Ref('PaymentPositionModel'),
            response: { 201: Type.Ref('PaymentPosition'), ...problemResponses(400, 401, 403, 409) },
          },
        },
        async (request, reply) => {
          const { institution, actor } = ctx(request);
          const created = await positions.createPosition(db, actor, institution, toInput(request.body as PaymentPositionBody), { toPublish: request.query.toPublish });
          return reply.status(201).send(presentPosition(created));
        },
      );

      api.get(
        '/organizations/:organizationfiscalcode/debtpositions/:iupd',
        {
          config: rateLimited,
          schema: {
            tags: ['Debt Positions API'],
            operationId: 'getOrganizationDebtPositionByIUPD',
            summary: 'One debt position',
            security,
            params: IupdParams,
            response: { 200: Type.Ref('PaymentPosition'), ...problemResponses(401, 403, 404) },
          },
        },
        async (request) => presentPosition(await positions.getPosition(db, ctx(request).institution, request.params.iupd)),
      );

      api.put(
        '/organizations/:organizationfiscalcode/debtpositions/:iupd',
        {
          config: rateLimited,
          schema: {
            tags: ['Debt Positions API'],
            operationId: 'updatePosition',
            summary: 'Replace a debt position not yet paid nor invalidated: it goes back to DRAFT (toPublish=true: published again)',
            security,
            params: IupdParams,
            querystring: ToPublish,
            body: Type.Ref('PaymentPositionModel'),
            response: { 200: Type.Ref('PaymentPosition'), ...problemResponses(400, 401, 403, 404, 409) },
          },
        },
        async (request) => {
          const { institution, actor } = ctx(request);
          return presentPosition(await positions.updatePosition(db, actor, institution, request.params.iupd, toInput(request.body as PaymentPositionBody), { toPublish: request.query.toPublish }));
        },
      );

      api.delete(
        '/organizations/:organizationfiscalcode/debtpositions/:iupd',
        {
          config: rateLimited,
          schema: {
            tags: ['Debt Positions API'],
            operationId: 'deletePosition',
            summary: 'Delete a debt position not yet paid nor invalidated',
            security,
            params: IupdParams,
            response: { 200: Type.String(), ...problemResponses(401, 403, 404, 409) },
          },
        },
        async (request, reply) => {
          const { institution, actor } = ctx(request);
          await positions.deletePosition(db, actor, institution, request.params.iupd);
          return reply.type('application/json').send(JSON.stringify('OK'));
        },
      );

      for (const action of ['publish', 'invalidate'] as const) {
        api.post(
          `/organizations/:organizationfiscalcode/debtpositions/:iupd/${action}`,
          {
            config: rateLimited,
            schema: {
              tags: ['Debt Position Actions API'],
              operationId: `${action}Position`,
              summary: action === 'publish' ? 'Publish a DRAFT debt position' : 'Invalidate a PUBLISHED or VALID debt position',
              security,
              params: IupdParams,
              response: { 200: Type.Ref('PaymentPosition'), ...problemResponses(401, 403, 404, 409) },
            },
          },
          async (request) => {
            const { institution, actor } = ctx(request);
            return presentPosition(await positions.changeState(db, actor, institution, request.params.iupd, action));
          },
        );
      }

      api.get(
        '/organizations/:organizationfiscalcode/paymentoptions/:nav',
        {
          config: rateLimited,
          schema: {
            tags: ['Payment Options API'],
            operationId: 'getOrganizationPaymentOptionByNAV',
            summary: 'The payment option with this notice number, and its debt position (400 with the reason for a malformed notice number)',
            security,
            params: NavParams,
            response: { 200: Type.Ref('PaymentPosition'), ...problemResponses(400, 401, 403, 404) },
          },
        },
        async (request) => {
          const { position, option } = await positions.getByNoticeNumber(db, ctx(request).institution, request.params.nav);
          return presentPosition({ ...position, paymentOption: [option] });
        },
      );

      api.post(
        '/organizations/:organizationfiscalcode/paymentoptions/paids/:nav',
        {
          config: rateLimited,
          schema: {
            tags: ['Payment Options API'],
            operationId: 'setPaymentOptionAsAlreadyPaid',
            summary: 'Record that the payment option with this notice number was paid outside pagoPA',
            security,
            params: NavParams,
            body: Type.Object({ paymentDate: Type.Optional(DateTime('default now')) }),
            response: { 200: Type.Ref('PaymentPosition'), ...problemResponses(400, 401, 403, 404, 409, 422) },
          },
        },
        async (request) => {
          const { institution, actor } = ctx(request);
          const paymentDate = request.body.paymentDate ? new Date(request.body.paymentDate) : new Date();
          return presentPosition(await positions.markOptionPaid(db, actor, institution, request.params.nav, paymentDate));
        },
      );
    },
    { prefix: GPD_PREFIX },
  );
}
