// What the clerk gives the counter: the 18-digit notice number typed with the creditor's fiscal code, or the
// notice's QR code (or the Poste Data Matrix) read by a handheld scanner, which types its payload into the field.
import { hasValidPartitaIvaCheckDigit } from '../../domain/partita-iva.ts';
import { parseNoticeNumber, type NoticeNumberFailure } from '../../domain/pagopa/notice-number.ts';
import { parsePostalDataMatrix, type DataMatrixFailure } from '../../domain/pagopa/poste-data-matrix.ts';
import { parseNoticeQrPayload, type QrCodeFailure } from '../../domain/pagopa/qr-code.ts';
import { invalid, valid, type ValidationResult } from '../../domain/result.ts';

export type NoticeInputFailure = 'missing-code' | 'missing-fiscal-code' | 'invalid-fiscal-code' | NoticeNumberFailure | QrCodeFailure | DataMatrixFailure;

export interface NoticeToPay {
  noticeNumber: string;
  /** The creditor institution's fiscal code. */
  fiscalCode: string;
  /** The amount printed in the scanned code (the Nodo's answer is what is collected). */
  printedAmountCents?: number;
  source: 'typed' | 'qr-code' | 'data-matrix';
}

/** A scanner's payload carries the creditor's fiscal code itself; a typed number needs the second field. */
export const isScanned = (code: string) => /^(PAGOPA\||codfase=)/.test(code.trim());

export function readNoticeInput(code: string, fiscalCode: string): ValidationResult<NoticeToPay, NoticeInputFailure> {
  const text = code.trim();
  if (!text) return invalid('missing-code', 'type the notice number or scan the code');
  if (text.startsWith('PAGOPA|')) {
    const qr = parseNoticeQrPayload(text);
    return qr.ok ? valid({ noticeNumber: qr.value.noticeNumber, fiscalCode: qr.value.fiscalCode, printedAmountCents: qr.value.amountCents, source: 'qr-code' }) : qr;
  }
  if (text.startsWith('codfase=')) {
    const matrix = parsePostalDataMatrix(text);
    return matrix.ok ? valid({ noticeNumber: matrix.value.noticeNumber, fiscalCode: matrix.value.fiscalCode, printedAmountCents: matrix.value.amountCents, source: 'data-matrix' }) : matrix;
  }
  const notice = parseNoticeNumber(text);
  if (!notice.ok) return notice;
  const creditor = fiscalCode.trim();
  if (!creditor) return invalid('missing-fiscal-code', 'a typed notice number needs the creditor institution’s fiscal code');
  if (!hasValidPartitaIvaCheckDigit(creditor)) return invalid('invalid-fiscal-code', 'the creditor institution’s fiscal code is 11 digits with a valid check digit');
  return valid({ noticeNumber: notice.value.noticeNumber, fiscalCode: creditor, source: 'typed' });
}

/** The IUV that receipts and reporting flows carry for this notice (SACI §2: the NAV without aux digit and application code). */
export function iuvOf(noticeNumber: string): string {
  const notice = parseNoticeNumber(noticeNumber);
  if (!notice.ok) throw new RangeError(notice.message);
  return notice.value.iuv;
}
