// Codice fiscale of natural persons: DPR 605/1973 art. 1-2 and DM 23/12/1976 ("Sistemi di codificazione
// dei soggetti da iscrivere all'anagrafe tributaria"), with the omocodia rule applied by Agenzia delle Entrate.
//
// Layout (16 characters): CCC surname, NNN given name, YY year, M month letter, DD day (+40 for women),
// Z999 Belfiore code of the birthplace, K check character.

import { italianCheckCharacter } from './check-character.ts';
import { formatIsoDate, isValidCivilDate, parseIsoDate, todayUtc, type IsoDate } from './dates.ts';
import { birthplaceByBelfiore, type Birthplace } from './municipalities.ts';
import { hasValidPartitaIvaCheckDigit } from './partita-iva.ts';
import { invalid, valid, type ValidationResult } from './result.ts';

export type Sex = 'M' | 'F';

// DM 23/12/1976: months January-December are coded A B C D E H L M P R S T.
const MONTH_LETTERS = 'ABCDEHLMPRST';

// Omocodia (DM 23/12/1976, Agenzia delle Entrate): digits 0-9 are replaced by the letters L M N P Q R S T U V.
const OMOCODIA_LETTERS = 'LMNPQRSTUV';

// 0-based indexes of the 7 digits (positions 7, 8, 10, 11, 13, 14, 15), in substitution order: rightmost first.
const OMOCODIA_POSITIONS = [14, 13, 12, 10, 9, 7, 6] as const;

export const MAX_OMOCODIA_LEVEL = OMOCODIA_POSITIONS.length;

// DM 23/12/1976: women's day of birth is increased by 40.
const FEMALE_DAY_OFFSET = 40;

const D = '[0-9LMNPQRSTUV]';
const FISCAL_CODE_PATTERN = new RegExp(`^[A-Z]{6}${D}{2}[${MONTH_LETTERS}]${D}{2}[A-Z]${D}{3}[A-Z]$`);

export type FiscalCodeFailure =
  | 'invalid-length'
  | 'invalid-pattern'
  | 'invalid-check-character'
  | 'invalid-birth-date'
  | 'unknown-birthplace';

/** Uppercases and removes whitespace ("rss mra 85t10 a562s" -> "RSSMRA85T10A562S"). */
export function normalizeFiscalCode(input: string): string {
  return input.replace(/\s+/g, '').toUpperCase();
}

/** Check character (16th) of the first 15 characters, DM 23/12/1976 odd/even tables. */
export function fiscalCodeCheckCharacter(first15: string): string {
  if (!/^[A-Z0-9]{15}$/.test(first15)) throw new RangeError('expected 15 uppercase letters and digits');
  return italianCheckCharacter(first15);
}

function withCheckCharacter(first15: string): string {
  return first15 + fiscalCodeCheckCharacter(first15);
}

function replaceAt(text: string, index: number, ch: string): string {
  return text.slice(0, index) + ch + text.slice(index + 1);
}

/** Number of digit positions replaced by omocodia letters (0 = original code). */
export function omocodiaLevel(fiscalCode: string): number {
  const cf = normalizeFiscalCode(fiscalCode);
  return OMOCODIA_POSITIONS.filter((i) => OMOCODIA_LETTERS.includes(cf.charAt(i))).length;
}

// Turns every omocodia letter back into its digit; the check character is left as is.
function digitsRestored(cf: string): string {
  return OMOCODIA_POSITIONS.reduce((acc, i) => {
    const n = OMOCODIA_LETTERS.indexOf(acc.charAt(i));
    return n >= 0 ? replaceAt(acc, i, String(n)) : acc;
  }, cf);
}

function requireWellFormed(fiscalCode: string): string {
  const cf = normalizeFiscalCode(fiscalCode);
  if (!FISCAL_CODE_PATTERN.test(cf)) throw new RangeError(`not a well-formed fiscal code: ${JSON.stringify(fiscalCode)}`);
  return cf;
}

/** The original (non-omocodic) code, with its check character recomputed. */
export function removeOmocodia(fiscalCode: string): string {
  return withCheckCharacter(digitsRestored(requireWellFormed(fiscalCode)).slice(0, 15));
}

// Substitutes the `level` rightmost digits of an original code (omocodia applies right to left).
function applyOmocodia(original: string, level: number): string {
  const first15 = OMOCODIA_POSITIONS.slice(0, level).reduce(
    (acc, i) => replaceAt(acc, i, OMOCODIA_LETTERS.charAt(Number(acc.charAt(i)))),
    original.slice(0, 15),
  );
  return withCheckCharacter(first15);
}

/**
 * The 7 omocodia variants of a code, in the order Agenzia delle Entrate assigns them: level 1 replaces the
 * last digit (position 15), level 7 all seven digits. Throws RangeError on a malformed code.
 */
export function omocodiaVariants(fiscalCode: string): string[] {
  const original = removeOmocodia(fiscalCode);
  return OMOCODIA_POSITIONS.map((_, i) => applyOmocodia(original, i + 1));
}

/**
 * Temporary fiscal code ("codice fiscale numerico provvisorio"): 11 digits shaped like a partita IVA,
 * with the same check digit (DPR 605/1973 art. 2; DM 23/12/1976).
 */
export function isTemporaryFiscalCode(input: string): boolean {
  return hasValidPartitaIvaCheckDigit(normalizeFiscalCode(input));
}

interface Structure {
  readonly cf: string;
  readonly original: string;
  readonly yy: number;
  readonly month: number;
  readonly day: number;
  readonly sex: Sex;
  readonly birthplaceCode: string;
}

// Length, pattern, check character and day/month plausibility of a normalized 16-character code.
function parseStructure(cf: string): ValidationResult<Structure, Exclude<FiscalCodeFailure, 'unknown-birthplace'>> {
  if (cf.length !== 16) return invalid('invalid-length', 'a personal fiscal code has 16 characters');
  if (!FISCAL_CODE_PATTERN.test(cf)) return invalid('invalid-pattern', 'characters not allowed at their positions');
  if (fiscalCodeCheckCharacter(cf.slice(0, 15)) !== cf.charAt(15)) {
    return invalid('invalid-check-character', 'the check character does not match');
  }
  const original = digitsRestored(cf);
  const yy = Number(original.slice(6, 8));
  const month = MONTH_LETTERS.indexOf(original.charAt(8)) + 1;
  const codedDay = Number(original.slice(9, 11));
  const sex: Sex = codedDay > FEMALE_DAY_OFFSET ? 'F' : 'M';
  const day = sex === 'F' ? codedDay - FEMALE_DAY_OFFSET : codedDay;
  // 20yy is a leap year whenever 19yy is, so checking 20yy accepts every date valid in either century.
  if (!isValidCivilDate(2000 + yy, month, day)) return invalid('invalid-birth-date', 'the coded birth date does not exist');
  return valid({ cf, original, yy, month, day, sex, birthplaceCode: original.slice(11, 15) });
}

export interface FiscalCodeValidationOptions {
  /** Also accept 11-digit temporary codes (default false). */
  readonly allowTemporary?: boolean;
  /** Fail with 'unknown-birthplace' when the Belfiore code is in no dataset (default true). */
  readonly requireKnownBirthplace?: boolean;
}

export interface ValidFiscalCode {
  /** Normalized code (uppercase, no spaces). */
  readonly fiscalCode: string;
  readonly kind: 'personal' | 'temporary';
  readonly omocodia: boolean;
}

export function validateFiscalCode(
  input: string,
  options: FiscalCodeValidationOptions = {},
): ValidationResult<ValidFiscalCode, FiscalCodeFailure> {
  const cf = normalizeFiscalCode(input);
  if (options.allowTemporary === true && cf.length === 11) return validateTemporary(cf);
  const parsed = parseStructure(cf);
  if (!parsed.ok) return parsed;
  const { birthplaceCode } = parsed.value;
  if (options.requireKnownBirthplace !== false && birthplaceByBelfiore(birthplaceCode) === undefined) {
    return invalid('unknown-birthplace', `unknown birthplace code ${birthplaceCode}`);
  }
  return valid({ fiscalCode: cf, kind: 'personal', omocodia: cf !== parsed.value.original });
}

function validateTemporary(cf: string): ValidationResult<ValidFiscalCode, FiscalCodeFailure> {
  if (!/^\d{11}$/.test(cf)) return invalid('invalid-pattern', 'a temporary fiscal code has 11 digits');
  if (!isTemporaryFiscalCode(cf)) return invalid('invalid-check-character', 'the check digit does not match');
  return valid({ fiscalCode: cf, kind: 'temporary', omocodia: false });
}

export interface DecodedFiscalCode {
  readonly fiscalCode: string;
  readonly surnameCode: string;
  readonly givenNameCode: string;
  readonly sex: Sex;
  readonly birthDate: IsoDate;
  /** Belfiore code with omocodia letters turned back into digits. */
  readonly birthplaceCode: string;
  /** Undefined when the code is in none of the datasets. */
  readonly birthplace: Birthplace | undefined;
  readonly omocodiaLevel: number;
}

export interface DecodeOptions {
  /**
   * The code only carries two year digits: the birth year is taken in the most recent century that does
   * not put the birth date after this date. Defaults to today (UTC).
   */
  readonly referenceDate?: IsoDate;
}

function inferBirthDate(yy: number, month: number, day: number, referenceDate: IsoDate): IsoDate | undefined {
  const ref = parseIsoDate(referenceDate);
  if (!ref) throw new RangeError(`invalid reference date ${JSON.stringify(referenceDate)}`);
  const sameCentury = Math.floor(ref.year / 100) * 100 + yy;
  const candidate = formatIsoDate({ year: sameCentury, month, day });
  const year = candidate <= referenceDate ? sameCentury : sameCentury - 100;
  return isValidCivilDate(year, month, day) ? formatIsoDate({ year, month, day }) : undefined;
}

export function decodeFiscalCode(
  input: string,
  options: DecodeOptions = {},
): ValidationResult<DecodedFiscalCode, Exclude<FiscalCodeFailure, 'unknown-birthplace'>> {
  const parsed = parseStructure(normalizeFiscalCode(input));
  if (!parsed.ok) return parsed;
  const { cf, yy, month, day, sex, birthplaceCode } = parsed.value;
  const birthDate = inferBirthDate(yy, month, day, options.referenceDate ?? todayUtc());
  if (birthDate === undefined) return invalid('invalid-birth-date', 'the coded birth date does not exist in the inferred century');
  return valid({
    fiscalCode: cf,
    surnameCode: cf.slice(0, 3),
    givenNameCode: cf.slice(3, 6),
    sex,
    birthDate,
    birthplaceCode,
    birthplace: birthplaceByBelfiore(birthplaceCode),
    omocodiaLevel: omocodiaLevel(cf),
  });
}

// --- Computation -------------------------------------------------------------------------------------

// DM 23/12/1976: vowels are A E I O U; every other letter of the Latin alphabet (J, K, W, X, Y too) is a consonant.
const VOWELS = 'AEIOU';

// Letters of a name, uppercase, accents removed; spaces, apostrophes and other signs are ignored.
// Letters with no A-Z base (e.g. Ø, ß) are dropped: this module's choice, not verified against Agenzia's software.
function nameLetters(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z]/g, '');
}

function consonantsAndVowels(name: string): { consonants: string; vowels: string } {
  const letters = [...nameLetters(name)];
  return {
    consonants: letters.filter((c) => !VOWELS.includes(c)).join(''),
    vowels: letters.filter((c) => VOWELS.includes(c)).join(''),
  };
}

// DM 23/12/1976: consonants in order, then vowels, then X up to three characters.
function padded({ consonants, vowels }: { consonants: string; vowels: string }): string {
  return (consonants + vowels + 'XXX').slice(0, 3);
}

/** Surname part: first three consonants, then vowels, then X (DM 23/12/1976). */
export function surnameCode(familyName: string): string {
  return padded(consonantsAndVowels(familyName));
}

/** Given-name part: with 4 or more consonants the 1st, 3rd and 4th; otherwise as for surnames (DM 23/12/1976). */
export function givenNameCode(givenName: string): string {
  const parts = consonantsAndVowels(givenName);
  const c = parts.consonants;
  return c.length >= 4 ? `${c[0]}${c[2]}${c[3]}` : padded(parts);
}

export interface FiscalCodeInput {
  readonly givenName: string;
  readonly familyName: string;
  readonly sex: Sex;
  readonly birthDate: IsoDate;
  /** Belfiore code of the comune or Z-code of the foreign state of birth, e.g. 'H501'. */
  readonly birthplaceCode: string;
  /** 0 (default) for the original code, 1-7 for the omocodia variant of that level. */
  readonly omocodiaLevel?: number;
}

export type ComputeFiscalCodeFailure =
  | 'invalid-family-name'
  | 'invalid-given-name'
  | 'invalid-sex'
  | 'invalid-birth-date'
  | 'invalid-birthplace-code'
  | 'invalid-omocodia-level';

export function computeFiscalCode(input: FiscalCodeInput): ValidationResult<string, ComputeFiscalCodeFailure> {
  const level = input.omocodiaLevel ?? 0;
  const birthplace = input.birthplaceCode.trim().toUpperCase();
  const date = parseIsoDate(input.birthDate);
  if (nameLetters(input.familyName) === '') return invalid('invalid-family-name', 'the family name has no letters');
  if (nameLetters(input.givenName) === '') return invalid('invalid-given-name', 'the given name has no letters');
  if (input.sex !== 'M' && input.sex !== 'F') return invalid('invalid-sex', "sex must be 'M' or 'F'");
  if (!date) return invalid('invalid-birth-date', 'birth date must be a valid YYYY-MM-DD date');
  if (!/^[A-Z]\d{3}$/.test(birthplace)) return invalid('invalid-birthplace-code', 'a Belfiore code is a letter and 3 digits');
  if (!Number.isInteger(level) || level < 0 || level > MAX_OMOCODIA_LEVEL) {
    return invalid('invalid-omocodia-level', `omocodia level must be an integer from 0 to ${MAX_OMOCODIA_LEVEL}`);
  }
  const day = date.day + (input.sex === 'F' ? FEMALE_DAY_OFFSET : 0);
  const first15 =
    surnameCode(input.familyName) +
    givenNameCode(input.givenName) +
    String(date.year % 100).padStart(2, '0') +
    MONTH_LETTERS.charAt(date.month - 1) +
    String(day).padStart(2, '0') +
    birthplace;
  return valid(applyOmocodia(withCheckCharacter(first15), level));
}

/**
 * True when `fiscalCode` (or one of its omocodia variants) is the code computed from the personal data:
 * useful to check that declared data and code agree.
 */
export function fiscalCodeMatches(fiscalCode: string, person: Omit<FiscalCodeInput, 'omocodiaLevel'>): boolean {
  const cf = normalizeFiscalCode(fiscalCode);
  const computed = computeFiscalCode({ ...person, omocodiaLevel: 0 });
  if (!computed.ok || parseStructure(cf).ok === false) return false;
  return removeOmocodia(cf) === computed.value;
}
