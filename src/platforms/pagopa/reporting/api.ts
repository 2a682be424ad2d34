// The FdR REST API (reference §5.3): PSPs write their flows at /fdr-psp/service/v1 with their subscription key
// (a PSP only its own: the path's pspId is the key's PSP); institutions read the flows they receive at
// /fdr-org/service/v1 with theirs. Paths and shapes after pagopa/pagopa-api openapi/fdr_psp and fdr_organization.
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { App } from '../../../core/http.ts';
import type { Executor } from '../../../core/db.ts';
import { problemResponses } from '../../../core/problem.ts';
import {
  FDR_ORG_PREFIX,
  FDR_PATTERN,
  FDR_PSP_PREFIX,
  FdrAddPaymentRequest,
  FdrCreateRequest,
  FdrFlow,
  FdrGenericResponse,
  FdrPayment,
  FdrPaymentList,
  FdrPublishedList,
  MAX_PAYMENTS_PER_CALL,
  type FdrCreateBody,
  type FdrPaymentRow,
} from '../../../clients/pagopa/fdr.ts';
import { institutionKeyCheck } from '../api.ts';
import type { Actor } from '../institutions.ts';
import { pspKeyCheck } from '../nodo/api.ts';
import * as flows from './flows.ts';

const security = [{ subscriptionKey: [] }];
const FlowParams = Type.Object({ pspId: Type.String({ minLength: 1, maxLength: 35 }), fdr: Type.String({ pattern: FDR_PATTERN }) });
const OrgParams = Type.Object({ organizationId: Type.String({ maxLength: 35 }) });
const ReceivedParams = Type.Object({ ...OrgParams.properties, fdr: Type.String({ pattern: FDR_PATTERN }), revision: Type.Integer({ minimum: 1 }), pspId: Type.String({ minLength: 1, maxLength: 35 }) });
const Page = { page: Type.Integer({ minimum: 1, default: 1 }), size: Type.Integer({ minimum: 1, maximum: MAX_PAYMENTS_PER_CALL, default: MAX_PAYMENTS_PER_CALL }) };

export async function registerReportingApi(app: App, db: Executor): Promise<void> {
  app.addSchema(FdrPayment);
  app.addSchema(FdrCreateRequest);
  app.addSchema(FdrFlow);

  await app.register(
    async (instance) => {
      const api = instance as App;
      api.addHook('onRequest', pspKeyCheck(db));
      const actor = (r: FastifyRequest): Actor => r.pagopaActor!;
      const tags = ['Reporting flows (PSP)'];

      api.post(
        '/psps/:pspId/fdrs/:fdr',
        {
          schema: {
            tags,
            operationId: 'create',
            summary: 'Create a reporting flow (a new revision of a flow already published)',
            security,
            params: FlowParams,
            body: Type.Ref('FdrCreateRequest'),
            response: { 201: FdrGenericResponse, ...problemResponses(400, 401, 403, 404, 409) },
          },
        },
        async (request, reply) => {
          const { pspId, fdr } = request.params;
          const { revision } = await flows.createFlow(db, actor(request), pspId, fdr, request.body as FdrCreateBody);
          return reply.status(201).send({ message: `Fdr [${fdr}] saved, revision ${revision}` });
        },
      );

      api.delete(
        '/psps/:pspId/fdrs/:fdr',
        {
          schema: { tags, operationId: 'delete', summary: 'Withdraw the revision being written', security, params: FlowParams, response: { 200: FdrGenericResponse, ...problemResponses(401, 403, 404) } },
        },
        async (request) => {
          const { pspId, fdr } = request.params;
          await flows.deleteOpenFlow(db, actor(request), pspId, fdr);
          return { message: `Fdr [${fdr}] deleted` };
        },
      );

      api.put(
        '/psps/:pspId/fdrs/:fdr/payments/add',
        {
          schema: {
            tags,
            operationId: 'addPayment',
            summary: `Add payment rows (at most ${MAX_PAYMENTS_PER_CALL} a call) to the flow being written`,
            security,
            params: FlowParams,
            body: FdrAddPaymentRequest,
            response: { 200: FdrGenericResponse, ...problemResponses(400, 401, 403, 404) },
          },
        },
        async (request) => {
          const { pspId, fdr } = request.params;
          const { payments } = request.body as { payments: FdrPaymentRow[] };
          await flows.addPayments(db, actor(request), pspId, fdr, payments);
          return { message: `Fdr [${fdr}] payment added` };
        },
      );

      api.post(
        '/psps/:pspId/fdrs/:fdr/publish',
        {
          schema: {
            tags,
            operationId: 'publish',
            summary: 'Publish the flow: its rows must be totPayments and add up to sumPayments; GPD reports the executed ones',
            security,
            params: FlowParams,
            response: { 200: FdrGenericResponse, ...problemResponses(400, 401, 403, 404) },
          },
        },
        async (request) => {
          const { pspId, fdr } = request.params;
          const { revision } = await flows.publishFlow(db, actor(request), pspId, fdr);
          return { message: `Fdr [${fdr}] published, revision ${revision}` };
        },
      );
    },
    { prefix: FDR_PSP_PREFIX },
  );

  await app.register(
    async (instance) => {
      const api = instance as App;
      api.addHook('onRequest', institutionKeyCheck(db, 'organizationId'));
      const tags = ['Reporting flows (organizations)'];

      api.get(
        '/organizations/:organizationId/fdrs',
        {
          schema: {
            tags,
            operationId: 'getAllPublished',
            summary: 'The published flows the organization receives (latest revision of each), newest first',
            security,
            params: OrgParams,
            querystring: Type.Object({ pspId: Type.Optional(Type.String({ maxLength: 35 })), publishedGt: Type.Optional(Type.String({ format: 'date-time' })), ...Page }),
            response: { 200: FdrPublishedList, ...problemResponses(400, 401, 403) },
          },
        },
        async (request) => {
          const q = request.query;
          return flows.listReceived(db, request.params.organizationId, { pspId: q.pspId, publishedGt: q.publishedGt ? new Date(q.publishedGt) : undefined, page: q.page, size: q.size });
        },
      );

      api.get(
        '/organizations/:organizationId/fdrs/:fdr/revisions/:revision/psps/:pspId',
        {
          schema: { tags, operationId: 'getPublished', summary: 'One published revision of a flow', security, params: ReceivedParams, response: { 200: Type.Ref('FdrFlow'), ...problemResponses(401, 403, 404) } },
        },
        async (request) => {
          const { organizationId, fdr, revision, pspId } = request.params;
          return flows.getReceived(db, organizationId, fdr, revision, pspId);
        },
      );

      api.get(
        '/organizations/:organizationId/fdrs/:fdr/revisions/:revision/psps/:pspId/payments',
        {
          schema: {
            tags,
            operationId: 'getPaymentPublished',
            summary: 'The rows of one published revision, by index',
            security,
            params: ReceivedParams,
            querystring: Type.Object(Page),
            response: { 200: FdrPaymentList, ...problemResponses(400, 401, 403, 404) },
          },
        },
        async (request) => {
          const { organizationId, fdr, revision, pspId } = request.params;
          return flows.receivedPayments(db, organizationId, fdr, revision, pspId, request.query);
        },
      );
    },
    { prefix: FDR_ORG_PREFIX },
  );
}
