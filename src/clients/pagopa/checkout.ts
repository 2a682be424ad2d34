// pagoPA Checkout as a creditor institution calls it (model 1, SANP "Checkout"): POST a cart of up to five
// notices to /checkout/ec/v1/carts with the institution's subscription key; pagoPA answers 302 with the
// checkout page to send the citizen to. Body after pagopa-api openapi/checkout (CartRequest). The return
// URLs are never proof of payment: only the receipt is.
import { Type, type Static } from '@sinclair/typebox';
import { readProblem } from '../problem.ts';
import { MAX_AMOUNT_CENTS } from '../../domain/pagopa/qr-code.ts';
import { SUBSCRIPTION_KEY_HEADER } from './wire.ts';
import { GpdError } from './index.ts';

export const CHECKOUT_CARTS_PATH = '/checkout/ec/v1/carts';
/** At most five notices in a cart (CartRequest.paymentNotices maxItems). */
export const MAX_CART_NOTICES = 5;

const Url = Type.String({ minLength: 1, maxLength: 2048, description: 'an absolute http(s) URL of the institution' });

export const PaymentNotice = Type.Object(
  {
    noticeNumber: Type.String({ minLength: 1, maxLength: 40, description: 'the notice number (NAV), 18 digits' }),
    fiscalCode: Type.String({ pattern: '^[0-9]{11}$', description: 'fiscal code of the creditor institution' }),
    amount: Type.Integer({ minimum: 1, maximum: MAX_AMOUNT_CENTS, description: 'euro cents' }),
    companyName: Type.String({ minLength: 1, maxLength: 140 }),
    description: Type.String({ minLength: 1, maxLength: 140 }),
  },
  { additionalProperties: false },
);

export const CartRequest = Type.Object(
  {
    paymentNotices: Type.Array(PaymentNotice, { minItems: 1, maxItems: MAX_CART_NOTICES }),
    returnUrls: Type.Object({ returnOkUrl: Url, returnCancelUrl: Url, returnErrorUrl: Url }, { additionalProperties: false }),
    emailNotice: Type.Optional(Type.String({ maxLength: 254, description: 'where the receipt is sent; prefills the checkout' })),
    idCart: Type.Optional(Type.String({ minLength: 1, maxLength: 35, description: 'the institution’s own reference of the cart' })),
  },
  { $id: 'CartRequest', additionalProperties: false },
);
export type CartRequest = Static<typeof CartRequest>;

export interface CheckoutClientOptions {
  /** The pagoPA base URL (ours: the pagoPA app's URL; production: https://api.platform.pagopa.it). */
  baseUrl: string;
  subscriptionKey: string;
  timeoutMs?: number;
}

/** Creates the cart and answers the checkout page's URL to redirect the citizen to; refusals throw GpdError. */
export async function createCart(options: CheckoutClientOptions, cart: CartRequest): Promise<string> {
  const response = await fetch(`${options.baseUrl.replace(/\/$/, '')}${CHECKOUT_CARTS_PATH}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { [SUBSCRIPTION_KEY_HEADER]: options.subscriptionKey, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(cart),
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  const location = response.headers.get('location');
  if (response.status === 302 && location) {
    await response.body?.cancel();
    return location;
  }
  throw new GpdError(response.status, await readProblem(response));
}
