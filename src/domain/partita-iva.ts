// Partita IVA (Italian VAT number): 11 digits = matricola (7) + codice ufficio (3) + check digit (1).
// Structure and check digit: DM 23/12/1976 and DPR 633/1972 art. 35, as published by Agenzia delle Entrate.

import { invalid, valid, type ValidationResult } from './result.ts';

export type PartitaIvaFailure = 'invalid-length' | 'invalid-pattern' | 'invalid-serial' | 'invalid-office-code' | 'invalid-check-digit';

export interface PartitaIva {
  /** The 11 digits, without spaces or the 'IT' VIES prefix. */
  readonly partitaIva: string;
  /** Matricola: progressive number of the holder within the office (digits 1-7). */
  readonly serial: string;
  /** Codice ufficio (digits 8-10): 001-100 provincial offices, 120/121, 888, 999 special codes. */
  readonly officeCode: string;
  readonly checkDigit: string;
}

/**
 * Check digit of the first 10 digits (DM 23/12/1976): digits in odd positions are summed, digits in even
 * positions are doubled (subtracting 9 when the double exceeds 9), and the check digit brings the total
 * to a multiple of 10 (the Luhn algorithm, ISO/IEC 7812-1).
 */
export function partitaIvaCheckDigit(firstTenDigits: string): string {
  if (!/^\d{10}$/.test(firstTenDigits)) throw new RangeError('expected exactly 10 digits');
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const d = Number(firstTenDigits.charAt(i));
    const doubled = d * 2;
    sum += i % 2 === 0 ? d : doubled > 9 ? doubled - 9 : doubled;
  }
  return String((10 - (sum % 10)) % 10);
}

/** True when the 11 digits carry a correct check digit (no office-code check). */
export function hasValidPartitaIvaCheckDigit(elevenDigits: string): boolean {
  return /^\d{11}$/.test(elevenDigits) && partitaIvaCheckDigit(elevenDigits.slice(0, 10)) === elevenDigits.charAt(10);
}

// Office codes accepted by Agenzia delle Entrate's structure: 001-100 uffici provinciali, 120 and 121
// (special assignments), 888 and 999 (non-resident subjects); same ranges as python-stdnum's it.iva.
function isKnownOfficeCode(code: string): boolean {
  const n = Number(code);
  return (n >= 1 && n <= 100) || ['120', '121', '888', '999'].includes(code);
}

/** Removes spaces, dots and dashes and the optional 'IT' prefix used in the VIES/EU VAT format. */
export function normalizePartitaIva(input: string): string {
  const compact = input.replace(/[\s.\-]/g, '').toUpperCase();
  return compact.startsWith('IT') ? compact.slice(2) : compact;
}

export function validatePartitaIva(input: string): ValidationResult<PartitaIva, PartitaIvaFailure> {
  const digits = normalizePartitaIva(input);
  if (digits.length !== 11) return invalid('invalid-length', 'a partita IVA has 11 digits');
  if (!/^\d{11}$/.test(digits)) return invalid('invalid-pattern', 'a partita IVA contains digits only');
  const serial = digits.slice(0, 7);
  const officeCode = digits.slice(7, 10);
  if (serial === '0000000') return invalid('invalid-serial', 'the matricola (digits 1-7) cannot be all zeros');
  if (!isKnownOfficeCode(officeCode)) return invalid('invalid-office-code', `unknown office code ${officeCode}`);
  if (!hasValidPartitaIvaCheckDigit(digits)) return invalid('invalid-check-digit', 'wrong check digit');
  return valid({ partitaIva: digits, serial, officeCode, checkDigit: digits.charAt(10) });
}
