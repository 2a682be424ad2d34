// pagoPA for IO (`/ecommerce/io/v1`, docs/io.md "pagoPA for IO"; after pagopa-ecommerce's io channel API): a
// channel's subscription key (owner type `channel`) verifies any institution's notice by its RptId as the Nodo's
// verifyPaymentNotice does, opens a Checkout cart of notices of any institutions (the channel pays for the
// citizen, who then pays on the usual checkout pages), and reads a notice's receipt (JSON, PDF).
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { App } from '../../../core/http.ts';
import { transaction, type Executor } from '../../../core/db.ts';
import { audit } from '../../../core/audit.ts';
import { forbidden, HttpProblem, invalid, notFound, problemResponses, problemType, unauthorized, type InvalidField } from '../../../core/problem.ts';
import { hasValidPartitaIvaCheckDigit } from '../../../domain/partita-iva.ts';
import { normalizeNoticeNumber, parseNoticeNumber } from '../../../domain/pagopa/notice-number.ts';
import { centsOfAmount, type Ko } from '../../../clients/pagopa/nodo-wire.ts';
import type { CartRequest } from '../../../clients/pagopa/checkout.ts';
import {
  CHANNEL_KEY_OWNER,
  ChannelCart,
  ChannelCartRequest,
  ECOMMERCE_IO_PREFIX,
  PaymentRequestInfo,
  type FaultCodeCategory,
} from '../../../clients/pagopa/ecommerce.ts';
import { rateLimited, subscriptionKey } from '../api.ts';
import { institutionByFiscalCode, type Institution } from '../institutions.ts';
import { getByNoticeNumber } from '../positions.ts';
import { SCHEMA } from '../schema.ts';
import { cartPath } from '../checkout/layout.ts';
import { checkCartRequest } from '../checkout/rules.ts';
import { insertCart } from '../checkout/store.ts';
import { sendReceiptPdf } from '../nodo/api.ts';
import { receiptByIuv } from '../nodo/receipts.ts';
import { verifyNotice } from '../nodo/payments.ts';
import type { Psp } from '../nodo/psps.ts';

declare module 'fastify' {
  interface FastifyRequest {
    pagopaChannel?: string;
  }
}

/**
 * The Nodo's counterpart of a channel's verifications: pagoPA's own PSP for its checkout and app channels
 * (ids as pagopa-checkout's configuration names them [unverified]); it charges nothing and is never disabled.
 */
const PAGOPA_CHANNEL_PSP: Psp = {
  idPSP: 'AGID_01',
  idBrokerPSP: '97735020584',
  idChannel: '97735020584_03',
  companyName: 'PagoPA S.p.A.',
  fiscalCode: '15376371009',
  fee: 0,
  paymentTypes: [],
  enabled: true,
};

/** Every call: an active subscription key of a channel (401 without a key, 403 with a key of another kind of holder). */
export function channelKeyCheck(db: Executor) {
  return async (request: FastifyRequest): Promise<void> => {
    const record = await subscriptionKey(db, request);
    if (!record) throw unauthorized('A subscription key of a pagoPA channel is required: Ocp-Apim-Subscription-Key: <key>');
    if (record.ownerType !== CHANNEL_KEY_OWNER) throw forbidden('This API is for pagoPA channels (the IO app): the subscription key belongs to an institution or a PSP.');
    request.pagopaChannel = record.ownerId;
    request.pagopaActor = { type: 'api_key', id: record.id, requestId: request.id };
  };
}

/** A notice named by its RptId (11-digit payee fiscal code with its check digit, then the 18-digit notice number). */
export function parseRptId(rptId: string, pointer = '/params/rptId'): { fiscalCode: string; noticeNumber: string } {
  if (!/^[0-9]{29}$/.test(rptId)) throw invalid([{ pointer, code: 'invalid-rpt-id', detail: 'an RptId is 29 digits: the payee’s fiscal code (11) and the notice number (18)' }]);
  const fiscalCode = rptId.slice(0, 11);
  if (!hasValidPartitaIvaCheckDigit(fiscalCode)) throw invalid([{ pointer, code: 'invalid-fiscal-code', detail: `${fiscalCode} is not a fiscal code of an organization (check digit)` }]);
  const parsed = parseNoticeNumber(rptId.slice(11));
  if (!parsed.ok) throw invalid([{ pointer, code: parsed.reason, detail: `Malformed notice number: ${parsed.message}` }]);
  return { fiscalCode, noticeNumber: parsed.value.noticeNumber };
}

/** 409 with why the notice cannot be paid (pagopa-ecommerce's FaultCategory). */
const cannotPay = (category: FaultCodeCategory, detail: string) =>
  new HttpProblem(409, { type: problemType(`pagopa:${category}`), detail, extra: { faultCodeCategory: category } });

/** A refusal of the Nodo's verification as the channel's answer: 404 unknown notice, 409 with the category, 502 otherwise. */
function refusal(ko: Ko): HttpProblem {
  const { faultCode, originalFaultCode, description } = ko.fault;
  switch (originalFaultCode ?? faultCode) {
    case 'PPT_PAGAMENTO_DUPLICATO':
    case 'PAA_PAGAMENTO_DUPLICATO':
      return cannotPay('PAYMENT_DUPLICATED', description ?? 'the notice has already been paid');
    case 'PPT_PAGAMENTO_IN_CORSO':
      return cannotPay('PAYMENT_ONGOING', description ?? 'a payment of the notice is in progress');
    case 'PAA_PAGAMENTO_SCADUTO':
      return cannotPay('PAYMENT_EXPIRED', description ?? 'the notice has expired');
    case 'PAA_PAGAMENTO_ANNULLATO':
      return cannotPay('PAYMENT_CANCELED', description ?? 'the notice has been cancelled');
    case 'PAA_PAGAMENTO_SCONOSCIUTO':
    case 'PPT_DOMINIO_SCONOSCIUTO':
    case 'PPT_DOMINIO_DISABILITATO':
      return notFound(description ?? 'no such notice on pagoPA');
    default:
      return new HttpProblem(502, { type: problemType(`pagopa:${faultCode}`), detail: description ?? ko.fault.faultString, extra: { faultCode } });
  }
}

/** What the notice asks to pay now, verified as a PSP verifies it; throws 404/409 when it cannot be paid. */
async function paymentRequest(db: Executor, notice: { fiscalCode: string; noticeNumber: string }): Promise<PaymentRequestInfo> {
  const answer = await verifyNotice(db, PAGOPA_CHANNEL_PSP, notice);
  if (answer.outcome === 'KO') throw refusal(answer);
  const payment = answer.paymentList[0]!;
  return {
    rptId: `${answer.fiscalCodePA}${notice.noticeNumber}`,
    amount: centsOfAmount(payment.amount)!,
    paFiscalCode: answer.fiscalCodePA,
    paName: answer.companyName,
    description: answer.paymentDescription,
    ...(payment.dueDate ? { dueDate: payment.dueDate } : {}),
  };
}

/** The institution and the IUV of a notice, for its receipt; 404 for an unknown one. */
async function receiptOf(db: Executor, rptId: string) {
  const { fiscalCode, noticeNumber } = parseRptId(rptId);
  const institution = await institutionByFiscalCode(db, fiscalCode);
  if (!institution) throw notFound(`No creditor institution ${fiscalCode} on pagoPA`);
  const { option } = await getByNoticeNumber(db, institution, noticeNumber);
  const receipt = await receiptByIuv(db, institution, option.iuv);
  if (!receipt) throw notFound(`The notice ${noticeNumber} is not paid`);
  return receipt;
}

const RptIdParams = Type.Object({ rptId: Type.String({ maxLength: 40, description: 'payee fiscal code (11 digits) + notice number (18 digits)' }) });
const security = [{ subscriptionKey: [] }];
const tags = ['pagoPA for IO (channel)'];

export async function registerEcommerceApi(app: App, db: Executor, publicUrl: string): Promise<void> {
  app.addSchema(PaymentRequestInfo);
  app.addSchema(ChannelCartRequest);
  app.addSchema(ChannelCart);
  await app.register(
    async (instance) => {
      const api = instance as App;
      api.addHook('onRequest', channelKeyCheck(db));

      api.get(
        '/payment-requests/:rptId',
        {
          config: rateLimited,
          schema: {
            tags,
            security,
            operationId: 'getPaymentRequestInfo',
            summary: 'What a notice of any institution asks to pay now (the creditor’s amount wins); 409 with faultCodeCategory when it cannot be paid',
            params: RptIdParams,
            response: { 200: Type.Ref('PaymentRequestInfo'), ...problemResponses(400, 401, 403, 404, 409) },
          },
        },
        async (request) => paymentRequest(db, parseRptId(request.params.rptId)),
      );

      api.post(
        '/carts',
        {
          config: rateLimited,
          schema: {
            tags,
            security,
            operationId: 'PostCarts',
            summary: 'A Checkout cart of up to 5 notices of any institutions, each verified at its current amount: the page to send the citizen to',
            body: Type.Ref('ChannelCartRequest'),
            response: { 201: Type.Ref('ChannelCart'), ...problemResponses(400, 401, 403, 404, 409) },
          },
        },
        async (request, reply) => {
          const body = request.body as ChannelCartRequest;
          // The institution's checks of a cart, bar "its own notices only": a channel's notices are anyone's.
          const { invalid: errors } = checkCartRequest({ ...body, paymentNotices: body.paymentNotices.map((n) => ({ ...n, companyName: '-', description: '-' })) }, '');
          if (errors.length) throw invalid(errors, 'The cart contains invalid fields.');
          const notices: CartRequest['paymentNotices'] = [];
          const amounts: InvalidField[] = [];
          const institutions: Institution[] = [];
          for (const [i, notice] of body.paymentNotices.entries()) {
            const info = await paymentRequest(db, { fiscalCode: notice.fiscalCode, noticeNumber: normalizeNoticeNumber(notice.noticeNumber) });
            if (info.amount !== notice.amount) amounts.push({ pointer: `/body/paymentNotices/${i}/amount`, code: 'amount-mismatch', detail: `the notice asks for ${info.amount} cents` });
            notices.push({ noticeNumber: info.rptId.slice(11), fiscalCode: info.paFiscalCode, amount: info.amount, companyName: info.paName.slice(0, 140), description: info.description.slice(0, 140) });
            institutions.push((await institutionByFiscalCode(db, info.paFiscalCode))!);
          }
          if (amounts.length) throw invalid(amounts, 'The cart contains invalid fields.');
          const cart: CartRequest = { paymentNotices: notices, returnUrls: body.returnUrls, ...(body.emailNotice ? { emailNotice: body.emailNotice } : {}) };
          const cartId = await transaction(db, async (tx) => {
            // A cart belongs to an institution: the first notice's (the store keeps each notice's own creditor).
            const created = await insertCart(tx, institutions[0]!.id, cart, new Date());
            const actor = request.pagopaActor!;
            await audit(tx, SCHEMA, { actorType: actor.type, actorId: actor.id, action: 'checkout.cart-create', targetType: 'checkout_cart', targetId: created, details: { channel: request.pagopaChannel, notices: notices.length }, requestId: actor.requestId });
            return created;
          });
          return reply.status(201).send({ cartId, checkoutUrl: `${publicUrl.replace(/\/$/, '')}${cartPath({ id: cartId })}` });
        },
      );

      api.get(
        '/receipts/:rptId',
        {
          config: rateLimited,
          schema: {
            tags,
            security,
            operationId: 'getReceipt',
            summary: 'The receipt of a paid notice, as the creditor’s receipts API gives it; 404 while it is not paid',
            params: RptIdParams,
            response: { 200: Type.Ref('Receipt'), ...problemResponses(400, 401, 403, 404) },
          },
        },
        async (request) => receiptOf(db, request.params.rptId),
      );

      api.get(
        '/receipts/:rptId/pdf',
        {
          config: rateLimited,
          schema: {
            tags,
            security,
            operationId: 'getReceiptPdf',
            summary: 'The receipt of a paid notice as a PDF (Ricevuta di pagamento pagoPA)',
            params: RptIdParams,
            response: { 200: { type: 'string', format: 'binary', description: 'application/pdf' }, ...problemResponses(400, 401, 403, 404) },
          },
        },
        async (request, reply) => sendReceiptPdf(reply, await receiptOf(db, request.params.rptId)),
      );
    },
    { prefix: ECOMMERCE_IO_PREFIX },
  );
}
