// pagoPA for the IO app (docs/io.md "pagoPA for IO"; shaped after pagopa-ecommerce's io channel API): with a
// channel's subscription key the app verifies any institution's notice by its RptId (payee fiscal code + notice
// number, 29 digits), opens a Checkout cart for the citizen, and reads the receipt once paid. Refusals throw
// EcommerceError; a notice that cannot be paid is a 409 whose faultCodeCategory says why.
import { Type, type Static } from '@sinclair/typebox';
import type { Problem } from '../../core/problem.ts';
import { MAX_AMOUNT_CENTS } from '../../domain/pagopa/qr-code.ts';
import { ProblemError } from '../problem.ts';
import { keyedFetch } from './call.ts';
import { MAX_CART_NOTICES } from './checkout.ts';
import type { Receipt } from './nodo-wire.ts';

export type { Receipt } from './nodo-wire.ts';

export const ECOMMERCE_IO_PREFIX = '/ecommerce/io/v1';
/** Owner type of the channels' subscription keys in pagopa.api_keys (owner id: the channel, e.g. `io`). */
export const CHANNEL_KEY_OWNER = 'channel';
/** The key holder of a channel's demo key: `demoPagopaKey(secret, channelKeyHolder('io'))`. */
export const channelKeyHolder = (channel: string) => `channel:${channel}`;

/** Why a notice cannot be paid (pagopa-ecommerce's FaultCategory of a 409). */
export const FAULT_CODE_CATEGORIES = ['PAYMENT_DUPLICATED', 'PAYMENT_ONGOING', 'PAYMENT_EXPIRED', 'PAYMENT_CANCELED'] as const;
export type FaultCodeCategory = (typeof FAULT_CODE_CATEGORIES)[number];

export const RPT_ID_PATTERN = '^[0-9]{29}$';

export const PaymentRequestInfo = Type.Object(
  {
    rptId: Type.String({ pattern: RPT_ID_PATTERN }),
    amount: Type.Integer({ minimum: 1, description: 'euro cents: the creditor’s current amount, which wins over the message’s' }),
    paFiscalCode: Type.String({ pattern: '^[0-9]{11}$' }),
    paName: Type.String(),
    description: Type.String(),
    dueDate: Type.Optional(Type.String({ format: 'date' })),
  },
  { $id: 'PaymentRequestInfo' },
);
export type PaymentRequestInfo = Static<typeof PaymentRequestInfo>;

const Url = Type.String({ minLength: 1, maxLength: 2048, description: 'an absolute http(s) URL of the app' });

export const ChannelCartRequest = Type.Object(
  {
    paymentNotices: Type.Array(
      Type.Object(
        {
          noticeNumber: Type.String({ minLength: 1, maxLength: 40, description: 'the notice number (NAV), 18 digits' }),
          fiscalCode: Type.String({ pattern: '^[0-9]{11}$', description: 'fiscal code of the creditor institution (any institution)' }),
          amount: Type.Integer({ minimum: 1, maximum: MAX_AMOUNT_CENTS, description: 'euro cents, the verified amount' }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: MAX_CART_NOTICES },
    ),
    returnUrls: Type.Object({ returnOkUrl: Url, returnCancelUrl: Url, returnErrorUrl: Url }, { additionalProperties: false }),
    emailNotice: Type.Optional(Type.String({ maxLength: 254 })),
  },
  { $id: 'ChannelCartRequest', additionalProperties: false },
);
export type ChannelCartRequest = Static<typeof ChannelCartRequest>;

export const ChannelCart = Type.Object({ cartId: Type.String(), checkoutUrl: Type.String() }, { $id: 'ChannelCart' });
export type ChannelCart = Static<typeof ChannelCart>;

/** The RptId of a notice (shared/reference/pagopa.md §1: the creditor's 11-digit fiscal code then the 18-digit NAV). */
export const rptIdOf = (payeeFiscalCode: string, noticeNumber: string) => `${payeeFiscalCode}${noticeNumber}`;

export class EcommerceError extends ProblemError {
  constructor(status: number, problem: Problem) {
    super(status, problem, 'pagoPA ecommerce');
  }
  /** Why the notice cannot be paid, on a 409. */
  get faultCodeCategory(): FaultCodeCategory | undefined {
    return this.member('faultCodeCategory') as FaultCodeCategory | undefined;
  }
}

export interface EcommerceClientOptions {
  /** The pagoPA base URL (ours: the pagoPA app's URL). */
  baseUrl: string;
  subscriptionKey: string;
  timeoutMs?: number;
}

export interface EcommerceClient {
  /** What the notice asks to pay now; EcommerceError 404 unknown, 409 with faultCodeCategory when it cannot be paid. */
  paymentRequest(rptId: string): Promise<PaymentRequestInfo>;
  createCart(cart: ChannelCartRequest): Promise<ChannelCart>;
  /** The receipt of the notice, or undefined while it is not paid. */
  findReceipt(rptId: string): Promise<Receipt | undefined>;
  receiptPdf(rptId: string): Promise<Buffer>;
}

export function ecommerceClient(options: EcommerceClientOptions): EcommerceClient {
  const base = `${options.baseUrl.replace(/\/$/, '')}${ECOMMERCE_IO_PREFIX}`;
  const call = (path: string, extra: { method?: string; body?: unknown; accept?: string } = {}) =>
    keyedFetch(`${base}${path}`, { subscriptionKey: options.subscriptionKey, timeoutMs: options.timeoutMs ?? 10_000, ...extra }, EcommerceError);
  return {
    async paymentRequest(rptId) {
      return (await (await call(`/payment-requests/${encodeURIComponent(rptId)}`)).json()) as PaymentRequestInfo;
    },
    async createCart(cart) {
      return (await (await call('/carts', { method: 'POST', body: cart })).json()) as ChannelCart;
    },
    async findReceipt(rptId) {
      try {
        return (await (await call(`/receipts/${encodeURIComponent(rptId)}`)).json()) as Receipt;
      } catch (err) {
        if (err instanceof EcommerceError && err.status === 404) return undefined;
        throw err;
      }
    },
    async receiptPdf(rptId) {
      return Buffer.from(await (await call(`/receipts/${encodeURIComponent(rptId)}/pdf`, { accept: 'application/pdf' })).arrayBuffer());
    },
  };
}
