// What a creditor institution's cart must be before pagoPA Checkout takes it (pagopa-api openapi/checkout
// CartRequest; SANP "Checkout"): notice numbers of 18 digits with their check digits (SACI §2), notices of
// the calling institution only, no notice twice, return URLs the browser can be sent to, a real e-mail.
import type { InvalidField } from '../../../core/problem.ts';
import { isValidEmail } from '../../../domain/contacts.ts';
import { parseNoticeNumber } from '../../../domain/pagopa/notice-number.ts';
import type { CartRequest } from '../../../clients/pagopa/checkout.ts';

export interface CartCheck {
  /** 400: malformed fields, each with its pointer and reason. */
  invalid: InvalidField[];
  /** 403: positions of notices that belong to another creditor institution. */
  foreign: number[];
}

/** An absolute http(s) URL: the return URLs end a browser navigation, so no javascript:, data: or relative URL. */
export function isReturnUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

/** The cart's refusals; the notice numbers are taken as normalised (spaces of the printed form removed) when valid. */
export function checkCartRequest(request: CartRequest, institutionFiscalCode: string): CartCheck {
  const invalid: InvalidField[] = [];
  const foreign: number[] = [];
  const seen = new Set<string>();
  request.paymentNotices.forEach((notice, i) => {
    const parsed = parseNoticeNumber(notice.noticeNumber);
    if (!parsed.ok) {
      invalid.push({ pointer: `/body/paymentNotices/${i}/noticeNumber`, code: parsed.reason, detail: `Malformed notice number: ${parsed.message}` });
    } else if (seen.has(parsed.value.noticeNumber)) {
      invalid.push({ pointer: `/body/paymentNotices/${i}/noticeNumber`, code: 'duplicate', detail: `the notice ${parsed.value.noticeNumber} is already in the cart` });
    } else {
      seen.add(parsed.value.noticeNumber);
    }
    if (notice.fiscalCode !== institutionFiscalCode) foreign.push(i);
  });
  for (const name of ['returnOkUrl', 'returnCancelUrl', 'returnErrorUrl'] as const) {
    if (!isReturnUrl(request.returnUrls[name])) invalid.push({ pointer: `/body/returnUrls/${name}`, code: 'url', detail: 'an absolute http or https URL' });
  }
  if (request.emailNotice !== undefined && !isValidEmail(request.emailNotice)) invalid.push({ pointer: '/body/emailNotice', code: 'email', detail: 'an e-mail address' });
  return { invalid, foreign };
}

/** Where a notice of a cart stands on the Nodo: no token yet, or its token's state. */
export type NoticePayment = 'none' | 'active' | 'paid' | 'released' | 'expired';

/**
 * What a cart left PAYING by a payment that never ended becomes, from its notices' tokens on the Nodo (the
 * receipts are the proof, SANP "Checkout"): nothing yet while a token lives; paid when every notice is paid;
 * failed naming the first unpaid notice when only some are (the card was charged); open again otherwise.
 */
export function cartRecovery(notices: { noticeNumber: string; payment: NoticePayment }[]): 'wait' | 'open' | { paid: true } | { paid: false; failure: 'error'; noticeNumber: string } {
  if (notices.some((n) => n.payment === 'active')) return 'wait';
  const unpaid = notices.find((n) => n.payment !== 'paid');
  if (!unpaid) return { paid: true };
  return notices.some((n) => n.payment === 'paid') ? { paid: false, failure: 'error', noticeNumber: unpaid.noticeNumber } : 'open';
}
