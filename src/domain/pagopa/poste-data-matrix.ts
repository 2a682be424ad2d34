// The Data Matrix of the "Bollettino Postale PA": 256 characters at fixed positions (shared/reference/pagopa.md §2.3).
import { hasValidPartitaIvaCheckDigit } from '../partita-iva.ts';
import { invalid, valid, type ValidationResult } from '../result.ts';
import { parseNoticeNumber, type NoticeNumberFailure } from './notice-number.ts';
import type { NoticeQrCode } from './qr-code.ts';

/** What the printed slip puts in its Data Matrix. */
export interface PosteSlip {
  nav: string;
  /** 12-digit postal current account number. */
  account: string;
  amountCents: number;
  creditorFiscalCode: string;
  debtorFiscalCode: string;
  debtorName: string;
  subject: string;
}

/** What a reader needs of it to pay: the notice, beside the creditor's postal account. */
export interface PostalDataMatrix extends NoticeQrCode {
  /** The creditor institution's postal account (12 digits). */
  readonly postalAccount: string;
}

export type DataMatrixFailure = 'invalid-format' | NoticeNumberFailure | 'invalid-fiscal-code' | 'invalid-amount';

/** Printable ASCII only, upper case: accents dropped, anything else a space (the Poste fields are plain text). */
function posteText(text: string, length: number): string {
  const ascii = text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase().replace(/[^\x20-\x7e]/g, ' ');
  return ascii.slice(0, length).padEnd(length, ' ');
}

export function posteDataMatrixPayload(slip: PosteSlip): string {
  if (!/^\d{18}$/.test(slip.nav) || !/^\d{12}$/.test(slip.account) || !/^\d{11}$/.test(slip.creditorFiscalCode)) throw new RangeError('NAV 18 digits, account 12 digits, creditor fiscal code 11 digits');
  if (!Number.isSafeInteger(slip.amountCents) || slip.amountCents < 1 || slip.amountCents > 9_999_999_999) throw new RangeError('amount in cents between 1 and 9999999999');
  return [
    'codfase=NBPA;',
    `18${slip.nav}`,
    `12${slip.account}`,
    `10${String(slip.amountCents).padStart(10, '0')}`,
    '3896',
    '1P1',
    slip.creditorFiscalCode,
    posteText(slip.debtorFiscalCode, 16),
    posteText(slip.debtorName, 40),
    posteText(slip.subject, 110),
    ' '.repeat(12),
    'A',
  ].join('');
}

// The head up to the creditor's fiscal code; the debtor, subject and filler that follow are not needed to pay.
const HEAD = /^codfase=NBPA;18(\d{18})12(\d{12})10(\d{10})38961P1(\d{11})/;

/** Reads the notice out of a Poste Data Matrix. */
export function parsePostalDataMatrix(text: string): ValidationResult<PostalDataMatrix, DataMatrixFailure> {
  const match = HEAD.exec(text.trimStart());
  if (!match) return invalid('invalid-format', 'expected codfase=NBPA;18<notice number>12<postal account>10<amount in cents>38961P1<fiscal code>…');
  const [, nav = '', postalAccount = '', amount = '', fiscalCode = ''] = match;
  const notice = parseNoticeNumber(nav);
  if (!notice.ok) return notice;
  if (!hasValidPartitaIvaCheckDigit(fiscalCode)) return invalid('invalid-fiscal-code', 'the creditor institution’s fiscal code is 11 digits with a valid check digit');
  const amountCents = Number(amount);
  if (amountCents < 1) return invalid('invalid-amount', 'the amount is at least 1 cent');
  return valid({ noticeNumber: nav, fiscalCode, amountCents, postalAccount });
}
