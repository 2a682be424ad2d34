// Payload of the QR code on a pagoPA notice: "PAGOPA|002|<NAV 18>|<CF ente 11>|<amount in euro cents>"
// (PagoPA S.p.A., "Guida tecnica sugli avvisi di pagamento pagoPA", page "Codice QR").

import { hasValidPartitaIvaCheckDigit } from '../partita-iva.ts';
import { invalid, valid, type ValidationResult } from '../result.ts';
import { parseNoticeNumber, type NoticeNumberFailure } from './notice-number.ts';

export interface NoticeQrCode {
  readonly noticeNumber: string;
  /** Codice fiscale of the creditor institution. */
  readonly fiscalCode: string;
  readonly amountCents: number;
}

export type QrCodeFailure = 'invalid-format' | 'unsupported-version' | NoticeNumberFailure | 'invalid-fiscal-code' | 'invalid-amount';

/** Largest amount of a notice: 999.999.999,99 euro (SANP stAmount). */
export const MAX_AMOUNT_CENTS = 99_999_999_999;

/** The amount is written without separators or padding: 9999 is 99,99 euro. */
export function noticeQrPayload(qr: NoticeQrCode): string {
  if (!Number.isSafeInteger(qr.amountCents) || qr.amountCents < 1 || qr.amountCents > MAX_AMOUNT_CENTS) throw new RangeError('amount in cents between 1 and 99999999999');
  return `PAGOPA|002|${qr.noticeNumber}|${qr.fiscalCode}|${qr.amountCents}`;
}

export function parseNoticeQrPayload(text: string): ValidationResult<NoticeQrCode, QrCodeFailure> {
  const fields = text.trim().split('|');
  if (fields.length !== 5 || fields[0] !== 'PAGOPA') return invalid('invalid-format', 'expected PAGOPA|002|<notice number>|<fiscal code>|<amount in cents>');
  const [, version, nav = '', fiscalCode = '', amount = ''] = fields;
  if (version !== '002') return invalid('unsupported-version', `version ${version} is not 002`);
  const notice = parseNoticeNumber(nav);
  if (!notice.ok || nav.length !== 18) return notice.ok ? invalid('invalid-pattern', 'the notice number is written without spaces') : notice;
  if (!hasValidPartitaIvaCheckDigit(fiscalCode)) return invalid('invalid-fiscal-code', 'the creditor institution’s fiscal code is 11 digits with a valid check digit');
  if (!/^[1-9]\d{0,11}$/.test(amount) || Number(amount) > MAX_AMOUNT_CENTS) return invalid('invalid-amount', 'the amount is 1 to 99999999999 cents, digits only');
  return valid({ noticeNumber: nav, fiscalCode, amountCents: Number(amount) });
}
