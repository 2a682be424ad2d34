// HTTP doors of the Nodo: node-for-psp v1 for PSPs (their subscription keys; the SOAP primitives as JSON,
// refusals as HTTP 200 outcome KO, a malformed request as 400 with PPT_SINTASSI_EXTRAXSD), and the receipts
// service for creditor institutions (their GPD keys; JSON and PDF). Thin over payments.ts and receipts.ts.
import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../../core/http.ts';
import type { Executor } from '../../../core/db.ts';
import { forbidden, HttpProblem, notFound, problemResponses, problemType, unauthorized } from '../../../core/problem.ts';
import {
  ActivatePaymentNoticeOk,
  ActivatePaymentNoticeReq,
  KoResponse,
  NODO_PREFIX,
  PspReceiptsSchema,
  RECEIPTS_PREFIX,
  ReceiptSchema,
  ReceiptsPageSchema,
  SendPaymentOutcomeOk,
  SendPaymentOutcomeReq,
  SYNTAX_FAULT,
  VerifyPaymentNoticeOk,
  VerifyPaymentNoticeReq,
  type ActivatePaymentNoticeRequest,
  type SendPaymentOutcomeRequest,
  type Receipt,
  type VerifyPaymentNoticeRequest,
} from '../../../clients/pagopa/nodo-wire.ts';
import { institutionKeyCheck, rateLimited, subscriptionKeyOf } from '../api.ts';
import { activatePayment, sendOutcome, verifyNotice } from './payments.ts';
import { pspById, PSP_KEY_OWNER, type Psp } from './psps.ts';
import { receiptPdf } from './receipt-pdf.ts';
import { listReceipts, receiptByIuv, receiptsOfPsp } from './receipts.ts';
import { fault } from './rules.ts';

declare module 'fastify' {
  interface FastifyRequest {
    pagopaPsp?: Psp;
  }
}

/** Every call of a PSP: a subscription key of an enabled PSP of the registry, for its own flows only (a path's pspId). */
export function pspKeyCheck(db: Executor) {
  return async (request: FastifyRequest): Promise<void> => {
    const record = await subscriptionKeyOf(db, request, PSP_KEY_OWNER);
    const psp = record && (await pspById(db, record.ownerId));
    if (!record || !psp?.enabled) throw unauthorized('A subscription key of a PSP registered on the Nodo is required: Ocp-Apim-Subscription-Key: <key>');
    request.pagopaPsp = psp;
    request.pagopaActor = { type: 'api_key', id: record.id, requestId: request.id };
    const pspId = (request.params as { pspId?: string }).pspId;
    if (pspId !== undefined && pspId !== psp.idPSP) throw forbidden('A PSP reads and writes only its own reporting flows and receipts.');
  };
}

const security = [{ subscriptionKey: [] }];

/** A receipt as the receipts APIs give its PDF, named after the notice's IUV. */
export async function sendReceiptPdf(reply: FastifyReply, receipt: Receipt): Promise<FastifyReply> {
  return reply
    .type('application/pdf')
    .header('content-disposition', `inline; filename="ricevuta-pagopa-${receipt.creditorReferenceId}.pdf"`)
    .send(await receiptPdf(receipt));
}

/** The schema's refusals as the Nodo's syntax fault, with the place and reason of each. */
function syntaxError(error: FastifyError): HttpProblem {
  const errors = (error.validation ?? []).map((v) => ({ pointer: `/${error.validationContext ?? 'body'}${v.instancePath}`, code: v.keyword, detail: v.message ?? 'is invalid' }));
  const detail = errors.map((e) => `${e.pointer} ${e.detail}`).join('; ');
  return new HttpProblem(400, { type: problemType(`pagopa:${SYNTAX_FAULT}`), detail: `Malformed request: ${detail}`, errors, extra: { faultCode: SYNTAX_FAULT } });
}

export async function registerNodoApi(app: App, db: Executor): Promise<void> {
  app.addSchema(VerifyPaymentNoticeReq);
  app.addSchema(ActivatePaymentNoticeReq);
  app.addSchema(SendPaymentOutcomeReq);
  // Shared with the receipts service for institutions, registered after this one.
  app.addSchema(ReceiptSchema);

  await app.register(
    async (instance) => {
      const api = instance as App;
      api.addHook('onRequest', pspKeyCheck(db));
      // Thrown again, the problem reaches the app's error handler, which writes problem+json.
      api.setErrorHandler(async (error: FastifyError) => {
        throw error.validation ? syntaxError(error) : error;
      });
      const tags = ['Nodo for PSPs (model 3)'];
      /** The ids of the request must be the key's PSP, its broker and its channel. */
      const unauthorizedIds = (psp: Psp, body: { idPSP: string; idBrokerPSP: string; idChannel: string }) =>
        body.idPSP !== psp.idPSP || body.idBrokerPSP !== psp.idBrokerPSP || body.idChannel !== psp.idChannel
          ? fault('PPT_AUTORIZZAZIONE', `the subscription key is of ${psp.idPSP} (broker ${psp.idBrokerPSP}, channel ${psp.idChannel})`)
          : undefined;

      api.post(
        '/verifyPaymentNotice',
        {
          config: rateLimited,
          schema: {
            tags,
            security,
            operationId: 'verifyPaymentNotice',
            summary: 'What a notice asks to pay (amount, due date, creditor), or the fault that prevents paying it',
            body: Type.Ref('verifyPaymentNoticeReq'),
            response: { 200: Type.Union([VerifyPaymentNoticeOk, KoResponse]), ...problemResponses(400, 401) },
          },
        },
        async (request) => {
          const body = request.body as VerifyPaymentNoticeRequest;
          return unauthorizedIds(request.pagopaPsp!, body) ?? verifyNotice(db, request.pagopaPsp!, body.qrCode);
        },
      );

      api.post(
        '/activatePaymentNotice',
        {
          config: rateLimited,
          schema: {
            tags,
            security,
            operationId: 'activatePaymentNotice',
            summary: 'Lock a notice for a payment: a token (the IUR) living expirationTime, 30 minutes at most; idempotent on idempotencyKey',
            body: Type.Ref('activatePaymentNoticeReq'),
            response: { 200: Type.Union([ActivatePaymentNoticeOk, KoResponse]), ...problemResponses(400, 401) },
          },
        },
        async (request) => {
          const { idPSP, idBrokerPSP, idChannel, ...input } = request.body as ActivatePaymentNoticeRequest;
          return unauthorizedIds(request.pagopaPsp!, { idPSP, idBrokerPSP, idChannel }) ?? activatePayment(db, request.pagopaPsp!, input);
        },
      );

      api.post(
        '/sendPaymentOutcome',
        {
          config: rateLimited,
          schema: {
            tags,
            security,
            operationId: 'sendPaymentOutcome',
            summary: 'The outcome of the payment of a token: OK pays the notice and issues the receipt, KO releases the notice',
            body: Type.Ref('sendPaymentOutcomeReq'),
            response: { 200: Type.Union([SendPaymentOutcomeOk, KoResponse]), ...problemResponses(400, 401) },
          },
        },
        async (request) => {
          const { idPSP, idBrokerPSP, idChannel, ...input } = request.body as SendPaymentOutcomeRequest;
          return unauthorizedIds(request.pagopaPsp!, { idPSP, idBrokerPSP, idChannel }) ?? sendOutcome(db, request.pagopaPsp!, input);
        },
      );

      api.get(
        '/psps/:pspId/receipts',
        {
          config: rateLimited,
          schema: {
            tags,
            security,
            operationId: 'getPspReceipts',
            summary: 'The PSP’s statement of a day (Europe/Rome): the receipts of every payment it collected, on any channel (its own, Checkout), oldest first',
            params: Type.Object({ pspId: Type.String({ pattern: '^[A-Z0-9_]{1,35}$' }) }),
            querystring: Type.Object({ date: Type.String({ format: 'date', description: 'the Italian calendar day of the payments' }) }),
            response: { 200: PspReceiptsSchema, ...problemResponses(400, 401, 403) },
          },
        },
        async (request) => ({ idPSP: request.params.pspId, date: request.query.date, receipts: await receiptsOfPsp(db, request.params.pspId, request.query.date) }),
      );
    },
    { prefix: NODO_PREFIX },
  );
}

const OrgParams = Type.Object({ organizationfiscalcode: Type.String({ maxLength: 16, description: 'the organization’s fiscal code' }) });
const IuvParams = Type.Object({ ...OrgParams.properties, iuv: Type.String({ minLength: 1, maxLength: 35 }) });
const ReceiptsQuery = Type.Object({
  debtor: Type.Optional(Type.String({ maxLength: 16, description: 'the debtor’s fiscal code' })),
  from: Type.Optional(Type.String({ format: 'date', description: 'payments from this day (Italy)' })),
  to: Type.Optional(Type.String({ format: 'date', description: 'payments up to this day (Italy), included' })),
  page: Type.Integer({ minimum: 0, default: 0 }),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
});

export async function registerReceiptsApi(app: App, db: Executor): Promise<void> {
  await app.register(
    async (instance) => {
      const api = instance as App;
      api.addHook('onRequest', institutionKeyCheck(db));
      const tags = ['Payments receipts API'];
      const found = async (request: FastifyRequest, iuv: string) => {
        const receipt = await receiptByIuv(db, request.pagopaInstitution!, iuv);
        if (!receipt) throw notFound(`No receipt of IUV ${iuv} of this organization`);
        return receipt;
      };

      api.get(
        '/payments/:organizationfiscalcode/receipts',
        {
          config: rateLimited,
          schema: {
            tags,
            security,
            operationId: 'getOrganizationReceipts',
            summary: 'The organization’s receipts, newest payment first',
            params: OrgParams,
            querystring: ReceiptsQuery,
            response: { 200: ReceiptsPageSchema, ...problemResponses(400, 401, 403) },
          },
        },
        async (request) => {
          const q = request.query;
          const page = await listReceipts(db, request.pagopaInstitution!, q);
          return { receipts_list: page.receipts, page_info: { page: q.page, limit: q.limit, items_found: page.itemsFound, total_pages: page.totalPages } };
        },
      );

      api.get(
        '/payments/:organizationfiscalcode/receipts/:iuv',
        {
          config: rateLimited,
          schema: { tags, security, operationId: 'getOrganizationReceiptIuv', summary: 'The receipt of a notice, by its IUV', params: IuvParams, response: { 200: Type.Ref('Receipt'), ...problemResponses(401, 403, 404) } },
        },
        async (request) => found(request, request.params.iuv),
      );

      api.get(
        '/payments/:organizationfiscalcode/receipts/:iuv/pdf',
        {
          config: rateLimited,
          schema: {
            tags,
            security,
            operationId: 'getOrganizationReceiptPdf',
            summary: 'The receipt of a notice as a PDF (Ricevuta di pagamento pagoPA)',
            params: IuvParams,
            response: { 200: { type: 'string', format: 'binary', description: 'application/pdf' }, ...problemResponses(401, 403, 404) },
          },
        },
        async (request, reply) => sendReceiptPdf(reply, await found(request, request.params.iuv)),
      );
    },
    { prefix: RECEIPTS_PREFIX },
  );
}
