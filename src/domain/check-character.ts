// "Carattere di controllo" shared by the codice fiscale (DM 23/12/1976, allegato) and the Italian bank CIN:
// characters in odd positions (1st, 3rd, ...) use the "dispari" table, even positions the "pari" table,
// and the sum modulo 26 is turned into a letter A-Z.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

// DM 23/12/1976, tabella dei caratteri in posizione dispari (A/0=1, B/1=0, C/2=5, ...).
const ODD_VALUES = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

// Digits 0-9 weigh like letters A-J in both tables (DM 23/12/1976).
function ordinal(ch: string): number {
  const code = ch.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 90) return code - 65;
  throw new RangeError(`character not allowed in a check-character computation: ${JSON.stringify(ch)}`);
}

/** Computes the check letter of `text` (uppercase A-Z and digits only). */
export function italianCheckCharacter(text: string): string {
  let sum = 0;
  for (let i = 0; i < text.length; i++) {
    const n = ordinal(text.charAt(i));
    sum += i % 2 === 0 ? (ODD_VALUES[n] as number) : n; // i is 0-based: i even = odd (1-based) position
  }
  return ALPHABET.charAt(sum % 26);
}
