// Numero avviso (NAV) and IUV of pagoPA: SACI (Specifiche attuative dei codici identificativi di
// versamento) §2 "Generazione dell'Identificativo Univoco di Versamento"; XSD stNoticeNumber = [0-9]{18}.
//   aux 0: 0 + application code (2) + IUV base (13) + check (2)    IUV = base + check (15 digits)
//   aux 1: 1 + IUV base (17), no check digits                     IUV = base (17 digits)
//   aux 2: 2 + IUV base (15) + check (2)                          IUV = base + check (17 digits)
//   aux 3: 3 + segregation code (2) + IUV base (13) + check (2)   IUV = segregation code + base + check (17 digits)
// Check digits: the digits before them (aux digit included) read as one integer, remainder mod 93, two digits.

import { invalid, valid, type ValidationResult } from '../result.ts';

export const AUX_DIGITS = [0, 1, 2, 3] as const;
export type AuxDigit = (typeof AUX_DIGITS)[number];

/** Aux digits with which a station generates numbered notices (aux 1 is for legacy codes only). */
export const GENERATING_AUX_DIGITS = [0, 2, 3] as const;
export type GeneratingAuxDigit = (typeof GENERATING_AUX_DIGITS)[number];

export type NoticeNumberFailure = 'invalid-length' | 'invalid-pattern' | 'invalid-aux-digit' | 'invalid-check-digits';

export interface NoticeNumber {
  /** The 18 digits. */
  readonly noticeNumber: string;
  readonly auxDigit: AuxDigit;
  /** Aux 0: the station's portion of the pending-payments archive. */
  readonly applicationCode?: string;
  /** Aux 3: the IUV generation point assigned by PagoPA S.p.A. */
  readonly segregationCode?: string;
  /** What receipts and reporting flows carry: the NAV without the aux digit (and the application code). */
  readonly iuv: string;
  /** The progressive part chosen by the generation point. */
  readonly iuvBase: string;
  /** Absent for aux 1. */
  readonly checkDigits?: string;
}

/** The two check digits of the digits that precede them (16 digits: more than 2^53, hence BigInt). */
export function noticeCheckDigits(precedingDigits: string): string {
  if (!/^\d{16}$/.test(precedingDigits)) throw new RangeError('expected the 16 digits before the check digits');
  return String(BigInt(precedingDigits) % 93n).padStart(2, '0');
}

/** Removes the spaces of the printed form ("3007 1570 0000 0000 32"). */
export function normalizeNoticeNumber(input: string): string {
  return input.replace(/\s+/g, '');
}

/** Printed form on the notice (AVVISO.CODICE): groups of four digits separated by a space. */
export function formatNoticeNumber(noticeNumber: string): string {
  return normalizeNoticeNumber(noticeNumber).replace(/(\d{4})(?=\d)/g, '$1 ');
}

export function parseNoticeNumber(input: string): ValidationResult<NoticeNumber, NoticeNumberFailure> {
  const nav = normalizeNoticeNumber(input);
  if (!/^\d*$/.test(nav)) return invalid('invalid-pattern', 'a notice number contains digits only');
  if (nav.length !== 18) return invalid('invalid-length', `a notice number has 18 digits, not ${nav.length}`);
  const aux = Number(nav[0]);
  if (aux > 3) return invalid('invalid-aux-digit', `the aux digit is 0, 1, 2 or 3, not ${aux}`);
  const auxDigit = aux as AuxDigit;
  if (auxDigit === 1) return valid({ noticeNumber: nav, auxDigit, iuv: nav.slice(1), iuvBase: nav.slice(1) });
  const checkDigits = nav.slice(16);
  const expected = noticeCheckDigits(nav.slice(0, 16));
  if (checkDigits !== expected) {
    return invalid('invalid-check-digits', `the check digits are ${checkDigits}, but the first 16 digits mod 93 give ${expected}`);
  }
  if (auxDigit === 0) return valid({ noticeNumber: nav, auxDigit, applicationCode: nav.slice(1, 3), iuv: nav.slice(3), iuvBase: nav.slice(3, 16), checkDigits });
  if (auxDigit === 2) return valid({ noticeNumber: nav, auxDigit, iuv: nav.slice(1), iuvBase: nav.slice(1, 16), checkDigits });
  return valid({ noticeNumber: nav, auxDigit, segregationCode: nav.slice(1, 3), iuv: nav.slice(1), iuvBase: nav.slice(3, 16), checkDigits });
}

/** How a creditor institution's station numbers its notices (configured on the Nodo). */
export type IuvGenerationPoint =
  | { readonly auxDigit: 0; readonly applicationCode: string }
  | { readonly auxDigit: 2 }
  | { readonly auxDigit: 3; readonly segregationCode: string };

/** Digits of the progressive IUV base for a generation point. */
export function iuvBaseLength(auxDigit: GeneratingAuxDigit): number {
  return auxDigit === 2 ? 15 : 13;
}

/** The largest progressive a generation point can number (all nines of its base). */
export function maxIuvProgressive(auxDigit: GeneratingAuxDigit): bigint {
  return 10n ** BigInt(iuvBaseLength(auxDigit)) - 1n;
}

function codeOf(point: IuvGenerationPoint): string {
  return point.auxDigit === 0 ? point.applicationCode : point.auxDigit === 3 ? point.segregationCode : '';
}

/** The notice number of the n-th IUV of a generation point (n ≥ 0, at most maxIuvProgressive). */
export function composeNoticeNumber(point: IuvGenerationPoint, progressive: number | bigint): NoticeNumber {
  const n = BigInt(progressive);
  if (n < 0n || n > maxIuvProgressive(point.auxDigit)) throw new RangeError(`progressive ${n} outside the IUV base of aux digit ${point.auxDigit}`);
  const code = codeOf(point);
  if (!/^(\d{2})?$/.test(code)) throw new RangeError('application and segregation codes are 2 digits');
  const base = String(n).padStart(iuvBaseLength(point.auxDigit), '0');
  const head = `${point.auxDigit}${code}${base}`;
  const parsed = parseNoticeNumber(head + noticeCheckDigits(head));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

export type IuvFailure = 'invalid-pattern' | 'invalid-length' | 'wrong-segregation-code' | 'invalid-check-digits';

/** The notice number of an IUV a creditor institution chose itself, if it fits its generation point. */
export function noticeNumberOfIuv(point: IuvGenerationPoint, iuv: string): ValidationResult<NoticeNumber, IuvFailure> {
  if (!/^\d+$/.test(iuv)) return invalid('invalid-pattern', 'a numbered IUV contains digits only');
  const length = point.auxDigit === 0 ? 15 : 17;
  if (iuv.length !== length) return invalid('invalid-length', `with aux digit ${point.auxDigit} the IUV has ${length} digits`);
  if (point.auxDigit === 3 && !iuv.startsWith(point.segregationCode)) {
    return invalid('wrong-segregation-code', `the IUV must start with the segregation code ${point.segregationCode}`);
  }
  const parsed = parseNoticeNumber(`${point.auxDigit}${point.auxDigit === 0 ? point.applicationCode : ''}${iuv}`);
  if (!parsed.ok) return invalid('invalid-check-digits', parsed.message);
  return parsed;
}
