// ECC 200 Data Matrix (ISO/IEC 16022), square symbols up to 132×132: ASCII encodation (digit pairs in one
// codeword) then C40 (three characters in two codewords) for the text after the last long run of digits, as the
// Poste payload is digits first and upper-case text after; Reed-Solomon over GF(256) (x^8+x^5+x^3+x^2+1);
// the module placement of the standard's Annex F. Pure and fast: a notice draws one per postal slip.

// [symbol size, data region size, data codewords, error codewords per block, interleaved blocks]
const SYMBOLS: readonly (readonly [number, number, number, number, number])[] = [
  [10, 8, 3, 5, 1], [12, 10, 5, 7, 1], [14, 12, 8, 10, 1], [16, 14, 12, 12, 1], [18, 16, 18, 14, 1], [20, 18, 22, 18, 1],
  [22, 20, 30, 20, 1], [24, 22, 36, 24, 1], [26, 24, 44, 28, 1], [32, 14, 62, 36, 1], [36, 16, 86, 42, 1], [40, 18, 114, 48, 1],
  [44, 20, 144, 56, 1], [48, 22, 174, 68, 1], [52, 24, 204, 42, 2], [64, 14, 280, 56, 2], [72, 16, 368, 36, 4], [80, 18, 456, 48, 4],
  [88, 20, 576, 56, 4], [96, 22, 696, 68, 4], [104, 24, 816, 56, 6], [120, 18, 1050, 68, 6], [132, 20, 1304, 62, 8],
];

const C40_LATCH = 230;
const UNLATCH = 254;
const PAD = 129;

const isDigit = (code: number) => code >= 48 && code <= 57;

/** C40 values of one character: basic set (space, digits, A-Z) or a shift to set 2 (punctuation) or set 3 (`, a-z, {|}~, DEL). */
function c40Values(code: number): number[] {
  if (code === 32) return [3];
  if (isDigit(code)) return [code - 44];
  if (code >= 65 && code <= 90) return [code - 51];
  if (code < 32) return [0, code];
  if (code <= 47) return [1, code - 33];
  if (code <= 64) return [1, code - 43];
  if (code <= 95) return [1, code - 69];
  if (code <= 127) return [2, code - 96];
  throw new RangeError('Data Matrix C40 here encodes ASCII only');
}

function ascii(text: string, from: number, to: number, out: number[]): void {
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code > 127) throw new RangeError('Data Matrix ASCII here encodes ASCII only');
    if (i + 1 < to && isDigit(code) && isDigit(text.charCodeAt(i + 1))) out.push(130 + (code - 48) * 10 + text.charCodeAt(++i) - 48);
    else out.push(code + 1);
  }
}

/** The data codewords: ASCII up to the end of the last run of 6+ digits, C40 after it (whole triplets), ASCII for the rest. */
export function dataMatrixCodewords(text: string): number[] {
  let c40From = 0;
  for (const match of text.matchAll(/\d{6,}/g)) c40From = match.index + match[0].length;
  const out: number[] = [];
  ascii(text, 0, c40From, out);
  const values: number[] = [];
  let c40To = c40From; // after the last character that completes a triplet
  let whole = 0;
  for (let i = c40From; i < text.length; i++) {
    values.push(...c40Values(text.charCodeAt(i)));
    if (values.length % 3 === 0) [c40To, whole] = [i + 1, values.length];
  }
  if (whole > 0) {
    out.push(C40_LATCH);
    for (let v = 0; v < whole; v += 3) {
      const packed = 1600 * values[v]! + 40 * values[v + 1]! + values[v + 2]! + 1;
      out.push(packed >> 8, packed & 0xff);
    }
    out.push(UNLATCH);
  }
  ascii(text, c40To, text.length, out);
  return out;
}

// --- Reed-Solomon ------------------------------------------------------------------------------------

const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
for (let i = 0, x = 1; i < 255; i++) {
  EXP[i] = x;
  LOG[x] = i;
  x <<= 1;
  if (x & 0x100) x ^= 0x12d;
}
for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255]!;
const mul = (a: number, b: number) => (a && b ? EXP[LOG[a]! + LOG[b]!]! : 0);

const generators = new Map<number, Uint8Array>();
/** The generator polynomial of degree k with roots 2^1..2^k, highest coefficient first. */
function generator(k: number): Uint8Array {
  let g = generators.get(k);
  if (g) return g;
  let poly = [1];
  for (let i = 1; i <= k; i++) {
    const next = Array<number>(poly.length + 1).fill(0);
    poly.forEach((c, j) => {
      next[j]! ^= c;
      next[j + 1]! ^= mul(c, EXP[i]!);
    });
    poly = next;
  }
  g = Uint8Array.from(poly);
  generators.set(k, g);
  return g;
}

function errorCodewords(data: readonly number[], k: number): number[] {
  const g = generator(k);
  const ecc = Array<number>(k).fill(0);
  for (const d of data) {
    const f = d ^ ecc[0]!;
    for (let j = 0; j < k - 1; j++) ecc[j] = ecc[j + 1]! ^ mul(f, g[j + 1]!);
    ecc[k - 1] = mul(f, g[k]!);
  }
  return ecc;
}

// --- Placement (ISO/IEC 16022 Annex F) ------------------------------------------------------------------

const placements = new Map<number, Int32Array>();
/** For each module of the mapping matrix: codeword index * 8 + bit (0 = most significant), or -1/-2 for the fixed corner modules. */
function placement(n: number): Int32Array {
  let grid = placements.get(n);
  if (grid) return grid;
  grid = new Int32Array(n * n).fill(-3);
  const at = grid;
  const module = (row: number, col: number, chr: number, bit: number) => {
    if (row < 0) {
      row += n;
      col += 4 - ((n + 4) % 8);
    }
    if (col < 0) {
      col += n;
      row += 4 - ((n + 4) % 8);
    }
    at[row * n + col] = chr * 8 + bit;
  };
  const utah = (row: number, col: number, chr: number) => {
    module(row - 2, col - 2, chr, 0);
    module(row - 2, col - 1, chr, 1);
    module(row - 1, col - 2, chr, 2);
    module(row - 1, col - 1, chr, 3);
    module(row - 1, col, chr, 4);
    module(row, col - 2, chr, 5);
    module(row, col - 1, chr, 6);
    module(row, col, chr, 7);
  };
  const corner = (chr: number, cells: readonly (readonly [number, number])[]) => cells.forEach(([r, c], bit) => module(r, c, chr, bit));
  let chr = 0;
  let row = 4;
  let col = 0;
  do {
    if (row === n && col === 0) corner(chr++, [[n - 1, 0], [n - 1, 1], [n - 1, 2], [0, n - 2], [0, n - 1], [1, n - 1], [2, n - 1], [3, n - 1]]);
    if (row === n - 2 && col === 0 && n % 4) corner(chr++, [[n - 3, 0], [n - 2, 0], [n - 1, 0], [0, n - 4], [0, n - 3], [0, n - 2], [0, n - 1], [1, n - 1]]);
    if (row === n - 2 && col === 0 && n % 8 === 4) corner(chr++, [[n - 3, 0], [n - 2, 0], [n - 1, 0], [0, n - 2], [0, n - 1], [1, n - 1], [2, n - 1], [3, n - 1]]);
    if (row === n + 4 && col === 2 && !(n % 8)) corner(chr++, [[n - 1, 0], [n - 1, n - 1], [0, n - 3], [0, n - 2], [0, n - 1], [1, n - 3], [1, n - 2], [1, n - 1]]);
    do {
      if (row < n && col >= 0 && at[row * n + col] === -3) utah(row, col, chr++);
      row -= 2;
      col += 2;
    } while (row >= 0 && col < n);
    row += 1;
    col += 3;
    do {
      if (row >= 0 && col < n && at[row * n + col] === -3) utah(row, col, chr++);
      row += 2;
      col -= 2;
    } while (row < n && col >= 0);
    row += 3;
    col += 1;
  } while (row < n || col < n);
  // The bottom-right 2×2 left unfilled by some sizes: dark on the diagonal.
  if (at[n * n - 1] === -3) {
    at[n * n - 1] = at[(n - 2) * n + n - 2] = -1;
    at[(n - 1) * n + n - 2] = at[(n - 2) * n + n - 1] = -2;
  }
  placements.set(n, grid);
  return grid;
}

export interface DataMatrix {
  size: number;
  /** Row-major, 1 for a dark module. */
  modules: Uint8Array;
}

/** The ECC 200 symbol of `text` (ASCII), the smallest square size that holds it. */
export function encodeDataMatrix(text: string): DataMatrix {
  const data = dataMatrixCodewords(text);
  const symbol = SYMBOLS.find(([, , capacity]) => capacity >= data.length);
  if (!symbol) throw new RangeError('too much data for a square Data Matrix up to 132×132');
  const [size, region, capacity, eccPerBlock, blocks] = symbol;
  // Padding: 129, then 129 scrambled by its 1-based position (253-state randomising).
  if (data.length < capacity) data.push(PAD);
  while (data.length < capacity) {
    const scrambled = PAD + ((149 * (data.length + 1)) % 253) + 1;
    data.push(scrambled > 254 ? scrambled - 254 : scrambled);
  }
  const codewords = [...data, ...Array<number>(eccPerBlock * blocks).fill(0)];
  for (let b = 0; b < blocks; b++) {
    const block = data.filter((_, i) => i % blocks === b);
    errorCodewords(block, eccPerBlock).forEach((e, j) => (codewords[capacity + j * blocks + b] = e));
  }
  const regions = (size - 2 * (size / (region + 2))) / region;
  const n = region * regions;
  const map = placement(n);
  const modules = new Uint8Array(size * size);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const v = map[r * n + c]!;
      const dark = v === -1 || (v >= 0 && (codewords[v >> 3]! >> (7 - (v & 7))) & 1);
      if (dark) modules[(r + 2 * Math.floor(r / region) + 1) * size + c + 2 * Math.floor(c / region) + 1] = 1;
    }
  }
  // Finder (solid left and bottom edges) and clock track (alternating top and right edges) of each region.
  const side = region + 2;
  for (let top = 0; top < size; top += side) {
    for (let left = 0; left < size; left += side) {
      for (let i = 0; i < side; i++) {
        modules[(top + i) * size + left] = 1;
        modules[(top + side - 1) * size + left + i] = 1;
        modules[top * size + left + i] = i % 2 === 0 ? 1 : 0;
        modules[(top + i) * size + left + side - 1] = i % 2 === 1 || i === side - 1 ? 1 : 0;
      }
    }
  }
  return { size, modules };
}
