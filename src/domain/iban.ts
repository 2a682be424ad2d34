// IBAN (ISO 13616-1:2020): 2-letter country code, 2 check digits (ISO 7064 MOD 97-10), country-specific BBAN.
// Italian (and San Marino) BBAN: CIN (1 letter) + ABI (5 digits) + CAB (5 digits) + conto (12 alphanumerics).

import { italianCheckCharacter } from './check-character.ts';
import { invalid, valid, type ValidationResult } from './result.ts';

interface CountrySpec {
  readonly length: number;
  /** Member of the SEPA schemes' geographical scope (EPC), as flagged by ibantools@4.5.4. */
  readonly sepa: boolean;
}

// IBAN lengths from the SWIFT IBAN Registry (countries flagged "IBAN registry" in ibantools@4.5.4).
// SEPA flags follow the same package; the 2025 SEPA accessions of AL, MD, ME and MK are not reflected there
// and are not asserted here (unverified).
const SEPA = [
  'AD:24', 'AT:20', 'BE:16', 'BG:22', 'CH:21', 'CY:28', 'CZ:24', 'DE:22', 'DK:18', 'EE:20', 'ES:24', 'FI:18',
  'FR:27', 'GB:22', 'GI:23', 'GR:27', 'HR:21', 'HU:28', 'IE:22', 'IS:26', 'IT:27', 'LI:21', 'LT:20', 'LU:20',
  'LV:21', 'MC:27', 'MT:31', 'NL:18', 'NO:15', 'PL:28', 'PT:25', 'RO:24', 'SE:24', 'SI:19', 'SK:24', 'SM:27',
  'VA:22',
];
const NON_SEPA = [
  'AE:23', 'AL:28', 'AX:18', 'AZ:28', 'BA:20', 'BH:22', 'BR:29', 'BY:28', 'CR:22', 'DO:28', 'EG:29', 'FO:18',
  'GE:22', 'GF:27', 'GL:18', 'GP:27', 'GT:28', 'IL:23', 'IQ:23', 'JO:30', 'KW:30', 'KZ:20', 'LB:28', 'LC:32',
  'LY:25', 'MD:24', 'ME:22', 'MF:27', 'MK:19', 'MN:20', 'MQ:27', 'MR:27', 'MU:30', 'NC:27', 'NI:28', 'OM:23',
  'PF:27', 'PK:24', 'PM:27', 'PS:29', 'QA:29', 'RE:27', 'RS:22', 'RU:33', 'SA:24', 'SC:31', 'SD:18', 'SO:23',
  'ST:25', 'SV:28', 'TF:27', 'TL:23', 'TN:24', 'TR:26', 'UA:29', 'VG:24', 'WF:27', 'XK:20', 'YE:30', 'YT:27',
];

function specs(entries: readonly string[], sepa: boolean): [string, CountrySpec][] {
  return entries.map((e) => {
    const [country = '', length = '0'] = e.split(':');
    return [country, { length: Number(length), sepa }];
  });
}

const COUNTRIES: ReadonlyMap<string, CountrySpec> = new Map([...specs(SEPA, true), ...specs(NON_SEPA, false)]);

/** Expected IBAN length for a country, undefined when the country does not use IBAN. */
export function ibanLength(countryCode: string): number | undefined {
  return COUNTRIES.get(countryCode.toUpperCase())?.length;
}

export function isSepaCountry(countryCode: string): boolean {
  return COUNTRIES.get(countryCode.toUpperCase())?.sepa ?? false;
}

/** Electronic format: no spaces, uppercase (ISO 13616-1 section 5). */
export function normalizeIban(input: string): string {
  return input.replace(/\s+/g, '').toUpperCase();
}

/** Paper format: groups of four characters separated by a space (ISO 13616-1 section 5). */
export function formatIban(iban: string): string {
  return normalizeIban(iban).replace(/(.{4})(?=.)/g, '$1 ');
}

// ISO 7064 MOD 97-10 over the IBAN rearranged (BBAN + country + check digits), letters as 10-35;
// computed piecewise so no big integers are needed.
function mod97(alphanumeric: string): number {
  let remainder = 0;
  for (const ch of alphanumeric) {
    const value = parseInt(ch, 36);
    remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder;
}

/** The two check digits for a BBAN in a country (ISO 13616-1 Annex: 98 - mod97(BBAN + CC + "00")). */
export function ibanCheckDigits(countryCode: string, bban: string): string {
  const rem = mod97(normalizeIban(bban) + countryCode.toUpperCase() + '00');
  return String(98 - rem).padStart(2, '0');
}

/** Builds an IBAN from country code and BBAN, computing the check digits. */
export function composeIban(countryCode: string, bban: string): string {
  const cc = countryCode.toUpperCase();
  return cc + ibanCheckDigits(cc, bban) + normalizeIban(bban);
}

export type IbanFailure =
  | 'invalid-pattern'
  | 'unknown-country'
  | 'invalid-length'
  | 'invalid-bban'
  | 'invalid-checksum'
  | 'invalid-national-check';

export interface Iban {
  /** Electronic format (no spaces). */
  readonly iban: string;
  readonly countryCode: string;
  readonly checkDigits: string;
  readonly bban: string;
  readonly sepa: boolean;
}

// Countries whose BBAN follows the Italian layout (Banca d'Italia; San Marino adopted the same layout).
const ITALIAN_LAYOUT = new Set(['IT', 'SM']);
const ITALIAN_BBAN = /^([A-Z])(\d{5})(\d{5})([A-Z0-9]{12})$/;

/**
 * Italian CIN ("Control Internal Number"): check letter over ABI + CAB + conto using the same odd/even
 * tables as the codice fiscale (Banca d'Italia/ABI CIN specification).
 */
export function computeItalianCin(abi: string, cab: string, conto: string): string {
  const text = `${abi}${cab}${conto}`.toUpperCase();
  if (!/^\d{10}[A-Z0-9]{12}$/.test(text)) throw new RangeError('ABI and CAB are 5 digits, conto 12 alphanumerics');
  return italianCheckCharacter(text);
}

export function validateIban(input: string): ValidationResult<Iban, IbanFailure> {
  const iban = normalizeIban(input);
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) {
    return invalid('invalid-pattern', 'an IBAN is 2 letters, 2 digits and an alphanumeric BBAN');
  }
  const countryCode = iban.slice(0, 2);
  const spec = COUNTRIES.get(countryCode);
  if (!spec) return invalid('unknown-country', `${countryCode} does not use IBAN`);
  if (iban.length !== spec.length) return invalid('invalid-length', `${countryCode} IBANs have ${spec.length} characters`);
  const bban = iban.slice(4);
  if (ITALIAN_LAYOUT.has(countryCode) && !ITALIAN_BBAN.test(bban)) {
    return invalid('invalid-bban', 'expected CIN letter, ABI (5 digits), CAB (5 digits), conto (12 alphanumerics)');
  }
  if (mod97(bban + iban.slice(0, 4)) !== 1) return invalid('invalid-checksum', 'the IBAN check digits do not match');
  if (ITALIAN_LAYOUT.has(countryCode) && computeItalianCin(bban.slice(1, 6), bban.slice(6, 11), bban.slice(11)) !== bban[0]) {
    return invalid('invalid-national-check', 'the CIN does not match ABI, CAB and conto');
  }
  return valid({ iban, countryCode, checkDigits: iban.slice(2, 4), bban, sepa: spec.sepa });
}

export interface ItalianIban extends Iban {
  readonly countryCode: 'IT' | 'SM';
  readonly cin: string;
  /** Bank code (Associazione Bancaria Italiana). */
  readonly abi: string;
  /** Branch code (Codice di Avviamento Bancario). */
  readonly cab: string;
  /** Account number, zero-padded to 12 characters. */
  readonly conto: string;
}

/** Validates and splits an Italian (or San Marino) IBAN into CIN, ABI, CAB and conto. */
export function parseItalianIban(input: string): ValidationResult<ItalianIban, IbanFailure | 'not-italian'> {
  const result = validateIban(input);
  if (!result.ok) return result;
  const { value } = result;
  if (value.countryCode !== 'IT' && value.countryCode !== 'SM') {
    return invalid('not-italian', `${value.countryCode} IBANs do not use the Italian BBAN layout`);
  }
  const { bban } = value;
  return valid({
    ...value,
    countryCode: value.countryCode,
    cin: bban.slice(0, 1),
    abi: bban.slice(1, 6),
    cab: bban.slice(6, 11),
    conto: bban.slice(11),
  });
}
