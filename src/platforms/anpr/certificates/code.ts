// The code of an issued certificate: printed on it, under its QR code, and typed on the verification page.
// 19 random symbols (95 bits from the CSPRNG: not guessable, so the public verification page cannot be
// walked) plus a check symbol, in Crockford's base32 alphabet (no I, L, O, U: nothing to confuse when
// read aloud or retyped). The check symbol is Luhn mod N over that alphabet (ISO/IEC 7064 family): it
// catches every single mistyped symbol and every swap of two adjacent ones, before any database lookup.
// Printed in five groups of four ("K7QM-3XWD-9HTA-VR2E-5B0N"); stored and put in URLs without dashes.
import { randomBytes } from 'node:crypto';

export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const N = CODE_ALPHABET.length; // 32
export const CODE_RANDOM_LENGTH = 19;
export const CODE_LENGTH = CODE_RANDOM_LENGTH + 1;

const valueOf = (c: string) => CODE_ALPHABET.indexOf(c);

function luhnSum(symbols: string, doubleFirst: boolean): number {
  let sum = 0;
  let double = doubleFirst;
  for (let i = symbols.length - 1; i >= 0; i--) {
    let addend = valueOf(symbols[i]!) * (double ? 2 : 1);
    addend = Math.floor(addend / N) + (addend % N);
    sum += addend;
    double = !double;
  }
  return sum;
}

/** The Luhn mod 32 check symbol of a string of the alphabet. */
export function checkSymbol(symbols: string): string {
  return CODE_ALPHABET[(N - (luhnSum(symbols, true) % N)) % N]!;
}

/** A new certificate code (canonical form: 20 symbols, no dashes). */
export function newCertificateCode(random: (size: number) => Buffer = randomBytes): string {
  const bytes = random(CODE_RANDOM_LENGTH);
  // 256 is a multiple of 32: the low five bits of a uniform byte are uniform.
  let body = '';
  for (let i = 0; i < CODE_RANDOM_LENGTH; i++) body += CODE_ALPHABET[bytes[i]! & 31];
  return body + checkSymbol(body);
}

/**
 * The canonical form of a code as a person typed it, or undefined when it is not one: case, spaces and
 * dashes are ignored, O is read as 0 and I/L as 1 (Crockford), and the check symbol must match.
 */
export function parseCertificateCode(input: string): string | undefined {
  const s = input.toUpperCase().replace(/[\s-]+/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (s.length !== CODE_LENGTH || ![...s].every((c) => valueOf(c) >= 0)) return undefined;
  return luhnSum(s, false) % N === 0 ? s : undefined;
}

/** "K7QM-3XWD-9HTA-VR2E-5B0N": how a canonical code is printed. */
export function formatCertificateCode(code: string): string {
  return code.match(/.{1,4}/g)!.join('-');
}
