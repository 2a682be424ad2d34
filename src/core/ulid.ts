// ULIDs (github.com/ulid/spec): 48-bit millisecond time + 80 random bits, 26 characters of Crockford base32, sorting
// by creation time. Monotonic within a process: ids made in the same millisecond increment the random part.
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
const MAX_TIME = 2 ** 48 - 1;

export const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < TIME_CHARS; i++) {
    out = ALPHABET[ms % 32]! + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

/** 16 base32 digits, most significant first. */
const randomDigits = (): number[] => Array.from(randomBytes(RANDOM_CHARS), (b) => b & 31);

/** A generator of ULIDs that increase strictly, even within one millisecond or when the clock steps back. */
export function monotonicUlid(now: () => number = Date.now): () => string {
  let lastTime = -1;
  let digits: number[] = [];
  return () => {
    const time = now();
    if (!Number.isInteger(time) || time < 0 || time > MAX_TIME) throw new RangeError(`not a ULID time: ${time}`);
    if (time > lastTime) {
      lastTime = time;
      digits = randomDigits();
    } else {
      // Same millisecond (or a clock step back): the previous random part plus one, carrying to the left.
      let i = RANDOM_CHARS - 1;
      while (i >= 0 && digits[i] === 31) digits[i--] = 0;
      if (i < 0) throw new RangeError('ULID random part overflowed within one millisecond');
      digits[i]! += 1;
    }
    return encodeTime(lastTime) + digits.map((d) => ALPHABET[d]).join('');
  };
}

/** The process's ULIDs. */
export const ulid = monotonicUlid();

/** The creation time a ULID carries. */
export function ulidTime(id: string): Date {
  if (!ULID_PATTERN.test(id)) throw new RangeError(`not a ULID: ${id}`);
  let ms = 0;
  for (const ch of id.slice(0, TIME_CHARS)) ms = ms * 32 + ALPHABET.indexOf(ch);
  return new Date(ms);
}
