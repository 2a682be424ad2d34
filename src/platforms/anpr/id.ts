// Identifiers of the registry.
//
// idANPR (Identificativo Unico Nazionale, ANPR release 8.0.0): the real format is not published; a DTD
// mock-up shows a 9-digit number (635247933) [format unverified]. Ours: 9 digits = an 8-digit serial
// (10000000-99999999, so never a leading zero: 90 million people, more than the residents plus AIRE)
// followed by a Luhn check digit, so a mistyped id is caught before any lookup.
// Family ids (famiglia anagrafica): "F" + the same 8-digit serial + Luhn digit [our format].

const FIRST_SERIAL = 10_000_000;
const LAST_SERIAL = 99_999_999;

export function luhnDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** The n-th idANPR (n from 0). */
export function idAnprOf(n: number): string {
  const serial = FIRST_SERIAL + n;
  if (!Number.isInteger(n) || n < 0 || serial > LAST_SERIAL) throw new RangeError(`idANPR serial out of range: ${n}`);
  const s = String(serial);
  return s + luhnDigit(s);
}

export function isIdAnpr(text: string): boolean {
  return /^[1-9]\d{8}$/.test(text) && luhnDigit(text.slice(0, 8)) === Number(text[8]);
}

/** The n-th family id (n from 0). */
export function familyIdOf(n: number): string {
  return 'F' + idAnprOf(n);
}

export function isFamilyId(text: string): boolean {
  return text.startsWith('F') && isIdAnpr(text.slice(1));
}
