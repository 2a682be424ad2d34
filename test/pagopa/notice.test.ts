// The printed pagoPA notice: the rules that shape it, the PDF itself read back (text, the vector QR codes decoded,
// the Data Matrix of each postal slip), and the endpoint of the print service with its keys and refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import jsqr from 'jsqr';
import { readPdf, structRoles } from '../support/pdf.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { DEMO_CREDITOR_INSTITUTIONS, demoPagopaKey } from '../../src/clients/pagopa/demo.ts';
import { formatNoticeNumber, composeNoticeNumber } from '../../src/domain/pagopa/notice-number.ts';
import { noticeQrPayload } from '../../src/domain/pagopa/qr-code.ts';
import { posteDataMatrixPayload } from '../../src/domain/pagopa/poste-data-matrix.ts';
import { formatEuro, formatDueDate, installmentRows, postalAccountOfIban, type NoticeData, type NoticeOption } from '../../src/platforms/pagopa/notice/model.ts';
import { renderNoticePdf } from '../../src/platforms/pagopa/notice/pdf.ts';
import { dataMatrixModules } from '../../src/platforms/pagopa/notice/symbols.ts';
import { dataMatrixCodewords, encodeDataMatrix } from '../../src/platforms/pagopa/notice/data-matrix.ts';
import bwipjs from 'bwip-js';

// --- Reading the vector symbols back: each filled path of many rectangles is a 2D symbol -------------------

type Grid = boolean[][];
type Matrix = [number, number, number, number, number, number];
const multiply = (m: Matrix, n: Matrix): Matrix => [
  n[0] * m[0] + n[1] * m[2],
  n[0] * m[1] + n[1] * m[3],
  n[2] * m[0] + n[3] * m[2],
  n[2] * m[1] + n[3] * m[3],
  n[4] * m[0] + n[5] * m[2] + m[4],
  n[4] * m[1] + n[5] * m[3] + m[5],
];

/** The module grids of the symbols drawn as filled rectangles, page by page in drawing order. */
async function vectorSymbols(data: Buffer): Promise<Grid[]> {
  const doc = await pdfjs.getDocument({ data: new Uint8Array(data), verbosity: 0 }).promise;
  const grids: Grid[] = [];
  for (let p = 1; p <= doc.numPages; p++) {
    const ops = await (await doc.getPage(p)).getOperatorList();
    let ctm: Matrix = [1, 0, 0, 1, 0, 0];
    const stack: Matrix[] = [];
    ops.fnArray.forEach((fn, i) => {
      const args = ops.argsArray[i];
      if (fn === pdfjs.OPS.save) stack.push(ctm);
      else if (fn === pdfjs.OPS.restore) ctm = stack.pop() ?? ctm;
      else if (fn === pdfjs.OPS.transform) ctm = multiply(ctm, args as Matrix);
      else if (fn === pdfjs.OPS.constructPath && ops.fnArray[i + 1] === pdfjs.OPS.fill) {
        const [kinds, coords] = args as [number[], number[]];
        if (kinds.length < 50 || kinds.some((k) => k !== pdfjs.OPS.rectangle)) return;
        const rects = kinds.map((_, k) => {
          const [x, y, w, h] = coords.slice(k * 4, k * 4 + 4) as [number, number, number, number];
          const xs = [ctm[0] * x + ctm[2] * y + ctm[4], ctm[0] * (x + w) + ctm[2] * (y + h) + ctm[4]];
          const ys = [ctm[1] * x + ctm[3] * y + ctm[5], ctm[1] * (x + w) + ctm[3] * (y + h) + ctm[5]];
          return { left: Math.min(...xs), right: Math.max(...xs), bottom: Math.min(...ys), top: Math.max(...ys) };
        });
        const unit = Math.min(...rects.map((r) => r.top - r.bottom));
        const left = Math.min(...rects.map((r) => r.left));
        const top = Math.max(...rects.map((r) => r.top));
        const size = Math.round((top - Math.min(...rects.map((r) => r.bottom))) / unit);
        const grid: Grid = Array.from({ length: size }, () => Array<boolean>(size).fill(false));
        for (const r of rects) {
          const row = Math.round((top - r.top) / unit);
          for (let c = Math.round((r.left - left) / unit); c < Math.round((r.right - left) / unit); c++) grid[row]![c] = true;
        }
        grids.push(grid);
      }
    });
  }
  await doc.destroy();
  return grids;
}

const jsQR = (typeof jsqr === 'function' ? jsqr : jsqr.default) as typeof jsqr.default;

/** What a module grid says as a QR code (8 pixels a module, quiet zone of 4), if it is one. */
function decodeQr(grid: Grid): string | undefined {
  const scale = 8;
  const side = (grid.length + 8) * scale;
  const rgba = new Uint8ClampedArray(side * side * 4).fill(255);
  grid.forEach((row, r) =>
    row.forEach((dark, c) => {
      if (!dark) return;
      for (let y = 0; y < scale; y++) for (let x = 0; x < scale; x++) rgba.fill(0, (((r + 4) * scale + y) * side + (c + 4) * scale + x) * 4, (((r + 4) * scale + y) * side + (c + 4) * scale + x) * 4 + 3);
    }),
  );
  return jsQR(rgba, side, side)?.data;
}

const qrCodesOf = async (pdf: Buffer) => (await vectorSymbols(pdf)).map(decodeQr).filter((t): t is string => t !== undefined);
const gridOf = (payload: string): Grid => {
  const m = dataMatrixModules(payload);
  return Array.from({ length: m.size }, (_, r) => Array.from({ length: m.size }, (_, c) => m.dark(r, c)));
};

/** The text of ECC 200 data codewords in ASCII and C40 encodation (ISO/IEC 16022 §5.2.3, §5.2.5), up to the first pad. */
function decodeCodewords(codewords: readonly number[]): string {
  let out = '';
  for (let i = 0; i < codewords.length; ) {
    const c = codewords[i++]!;
    if (c === 129) break;
    if (c <= 128) out += String.fromCharCode(c - 1);
    else if (c <= 229) out += String(c - 130).padStart(2, '0');
    else if (c === 230) {
      let shift = 0;
      for (; codewords[i] !== 254; i += 2) {
        const packed = codewords[i]! * 256 + codewords[i + 1]! - 1;
        for (const v of [Math.floor(packed / 1600), Math.floor(packed / 40) % 40, packed % 40]) {
          if (shift) out += String.fromCharCode(shift === 1 ? v : shift === 2 ? (v < 15 ? v + 33 : v < 22 ? v + 43 : v + 69) : v + 96);
          else if (v >= 3) out += v === 3 ? ' ' : String.fromCharCode(v < 14 ? v + 44 : v + 51);
          shift = shift === 0 && v < 3 ? v + 1 : 0;
        }
      }
      i++;
    } else throw new Error(`codeword ${c} not expected`);
  }
  return out;
}

// --- Data ---------------------------------------------------------------------------------------------

const BUGLIANO = DEMO_CREDITOR_INSTITUTIONS[0];
const nav = (n: number) => composeNoticeNumber({ auxDigit: 3, segregationCode: '01' }, n);
const option = (n: number, amountCents: number, dueDate?: string): NoticeOption => ({ amountCents, dueDate: dueDate ? new Date(`${dueDate}T21:59:59Z`) : undefined, nav: nav(n).noticeNumber, iuv: nav(n).iuv });

const notice = (over: Partial<NoticeData> = {}): NoticeData => ({
  subject: 'TARI 2026 - Tassa sui rifiuti',
  creditor: { name: BUGLIANO.companyName, office: BUGLIANO.officeName, fiscalCode: BUGLIANO.fiscalCode, cbillCode: BUGLIANO.cbillCode, contacts: { web: 'www.comune.bugliano.pi.it', pec: 'comune.bugliano@pec.it' } },
  debtor: { name: 'Marco Bianchi', fiscalCode: 'BNCMRC78C14G702E', address: ['Via Roma 1', '56030 Bugliano (PI)'] },
  single: option(1, 123_456, '2026-12-31'),
  installments: [],
  postal: { account: postalAccountOfIban(BUGLIANO.postalIban)!, holder: BUGLIANO.companyName },
  issuedAt: new Date('2026-01-10T09:00:00Z'),
  ...over,
});
const qrOf = (data: NoticeData, o: NoticeOption) => noticeQrPayload({ noticeNumber: o.nav, fiscalCode: data.creditor.fiscalCode, amountCents: o.amountCents });

describe('notice rules', () => {
  it('encodes the Data Matrix: codewords that read back as the payload, modules as a reference encoder places them', () => {
    const payloads = [
      posteDataMatrixPayload({ nav: nav(1).noticeNumber, account: '000012345678', amountCents: 123_456, creditorFiscalCode: BUGLIANO.fiscalCode, debtorFiscalCode: 'BNCMRC78C14G702E', debtorName: 'Marco Bianchi', subject: 'TARI 2026 - Tassa sui rifiuti' }),
      posteDataMatrixPayload({ nav: nav(2).noticeNumber, account: '000012345678', amountCents: 9, creditorFiscalCode: BUGLIANO.fiscalCode, debtorFiscalCode: 'RSSMRA80A01H501U', debtorName: 'D’Ambrosio-Rossi {Anna}', subject: 'Mensa: 10% sconto; rata #2 ~ ok?' }),
      'A',
      'Hello, World! 1234567890',
      'ABCDEFGHIJ'.repeat(30), // 52×52: two interleaved blocks
    ];
    for (const payload of payloads) {
      const codewords = dataMatrixCodewords(payload);
      expect(decodeCodewords(codewords)).toBe(payload);
      const symbol = encodeDataMatrix(payload);
      const [reference] = bwipjs.raw('datamatrix', codewords.map((c) => `^${String(c).padStart(3, '0')}`).join(''), 'raw') as { pixs: number[]; pixx: number }[];
      expect(symbol.size).toBe(reference!.pixx);
      expect(Array.from(symbol.modules)).toEqual(reference!.pixs);
    }
    expect(encodeDataMatrix(payloads[0]!).size).toBe(48); // C40 keeps the 256 characters of a slip in 48×48 modules
  });

  it('prints amounts and due dates the Italian way', () => {
    expect([formatEuro(123_456), formatEuro(5), formatEuro(99_999_999_999), formatEuro(100_000)]).toEqual(['1.234,56', '0,05', '999.999.999,99', '1.000,00']);
    expect(formatDueDate(new Date('2026-12-31T22:59:59Z'))).toBe('31/12/2026'); // 23:59:59 in Rome
    expect(formatDueDate(new Date('2026-12-31T23:00:00Z'))).toBe('01/01/2027');
  });

  it('groups installments 3 or 2 to a row, mixing when the count is divisible by neither', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map(installmentRows)).toEqual([[1], [2], [3], [2, 2], [3, 2], [3, 3], [3, 2, 2], [2, 2, 2, 2], [3, 3, 3], [2, 2, 2, 2, 2], [3, 3, 3, 2]]);
  });

  it('takes the postal account from a BancoPosta IBAN only', () => {
    expect(postalAccountOfIban(BUGLIANO.postalIban)).toBe('000012345678');
    expect(postalAccountOfIban(BUGLIANO.iban)).toBeUndefined();
  });
});

describe('the notice PDF', () => {
  it('has the modules of the guide with the single payment, its QR code and its postal slip', async () => {
    const data = notice();
    const pdf = await renderNoticePdf(data);
    const read = await readPdf(pdf);
    expect(read.pages).toBe(1);
    for (const text of [
      'TARI 2026 - Tassa sui rifiuti',
      'AVVISO DI PAGAMENTO',
      'pagoPA',
      'ENTE CREDITORE Comune di Bugliano Servizi finanziari Codice fiscale 80000990509',
      'DESTINATARIO DELL’AVVISO Marco Bianchi Codice fiscale BNCMRC78C14G702E Via Roma 1 56030 Bugliano (PI)',
      'QUANTO E QUANDO PAGARE? 1.234,56 Euro entro il 31/12/2026',
      'DOVE PAGARE?',
      'RATA UNICA entro il 31/12/2026',
      'BANCHE E ALTRI CANALI',
      'Codice CBILL BUG01',
      `Codice avviso ${formatNoticeNumber(data.single!.nav)}`,
      'BOLLETTINO POSTALE PA',
      'Sul C/C n. 000012345678',
      'Tipo P1',
    ]) {
      expect(read.flat).toContain(text);
    }
    expect(formatNoticeNumber(data.single!.nav)).toMatch(/^\d{4} \d{4} \d{4} \d{4} \d{2}$/);
    expect(read.info).toMatchObject({ Title: 'Avviso di pagamento pagoPA — TARI 2026 - Tassa sui rifiuti', Author: 'Comune di Bugliano' });
    // Tagged for screen readers: the subject as H1, the symbols as figures with what they carry.
    const roles = structRoles(read.structure[0]!);
    expect(roles.filter((r) => r.role === 'H1')).toHaveLength(1);
    expect(roles.filter((r) => r.role === 'Figure').map((r) => r.alt)).toEqual([
      `Codice QR pagoPA rata unica: avviso ${formatNoticeNumber(data.single!.nav)}, 1.234,56 euro`,
      `Data Matrix del bollettino postale: avviso ${formatNoticeNumber(data.single!.nav)}`,
    ]);
    const symbols = await vectorSymbols(pdf);
    expect(symbols).toHaveLength(2);
    expect(symbols[0]).toHaveLength(33); // version 4
    expect(decodeQr(symbols[0]!)).toBe(qrOf(data, data.single!));
    const slip = { nav: data.single!.nav, account: '000012345678', amountCents: 123_456, creditorFiscalCode: BUGLIANO.fiscalCode, debtorFiscalCode: 'BNCMRC78C14G702E', debtorName: 'Marco Bianchi', subject: data.subject };
    expect(symbols[1]).toEqual(gridOf(posteDataMatrixPayload(slip)));
  });

  it('prints the Bollettino Postale PA only for an institution with a postal account', async () => {
    const pdf = await renderNoticePdf(notice({ postal: undefined }));
    const read = await readPdf(pdf);
    expect(read.flat).not.toContain('BOLLETTINO POSTALE PA');
    expect(read.flat).not.toContain('Tipo P1');
    expect(await vectorSymbols(pdf)).toHaveLength(1);
  });

  it('gives each installment its own page row, QR code, amount, due date, notice code and postal slip', async () => {
    const installments = [option(2, 41_152, '2026-03-31'), option(3, 41_152, '2026-06-30'), option(4, 41_152, '2026-09-30'), option(5, 41_152, '2026-10-31'), option(6, 41_152, '2026-11-30')];
    const data = notice({ installments });
    const pdf = await renderNoticePdf(data);
    const read = await readPdf(pdf);
    expect(read.pages).toBe(3); // the single payment, then 5 installments as 3 + 2
    expect(read.flat).toContain('Puoi pagare in un’unica soluzione o in 5 rate');
    expect(read.text[1]).toContain('RATE MULTIPLE — rate da 1 a 3 di 5');
    expect(read.text[2]).toContain('RATE MULTIPLE — rate da 4 a 5 di 5');
    for (const [page, n, o] of [[1, 1, installments[0]!], [1, 3, installments[2]!], [2, 5, installments[4]!]] as const) {
      const text = read.text[page]!.replace(/\s+/g, ' ');
      expect(text).toContain(`RATA ${n} entro il ${formatDueDate(o.dueDate!)}`);
      expect(text).toContain(`Codice avviso ${formatNoticeNumber(o.nav)}`);
      expect(text).toContain(`BOLLETTINO POSTALE PA — rata ${n}`);
    }
    for (const page of read.text) expect(page).toContain('AVVISO DI PAGAMENTO'); // the Intestazione on every page
    expect(await qrCodesOf(pdf)).toEqual([data.single!, ...installments].map((o) => qrOf(data, o)));
  });

  it('says "senza scadenza" for an option without due date', async () => {
    const read = await readPdf(await renderNoticePdf(notice({ single: option(7, 5_000) })));
    expect(read.flat).toContain('50,00 Euro senza scadenza');
    expect(read.flat).toContain('RATA UNICA senza scadenza');
  });

  it('is the same bytes for the same data', async () => {
    const data = notice({ installments: [option(2, 61_728, '2026-06-30'), option(3, 61_728, '2026-09-30')] });
    const [a, b] = [await renderNoticePdf(data), await renderNoticePdf(data)];
    expect(a.equals(b)).toBe(true);
    expect((await renderNoticePdf({ ...data, subject: 'TARI 2026 bis' })).equals(a)).toBe(false);
  });
});

// --- The print service over HTTP ----------------------------------------------------------------------

describe('GET /print-payment-notice-service/v1/organizations/{fiscal code}/debtpositions/{iupd}/notice', () => {
  const VICOPISANO = DEMO_CREDITOR_INSTITUTIONS[1];
  let system: TestSystem;
  const get = (key: string | undefined, organization: string, iupd: string) =>
    fetch(`${system.urls.pagopa}/print-payment-notice-service/v1/organizations/${organization}/debtpositions/${iupd}/notice`, { headers: key ? { 'ocp-apim-subscription-key': key } : {} });
  const keyOf = (fiscalCode: string) => demoPagopaKey(system.config.secret!, fiscalCode);
  const gpd = (method: string, path: string, body?: unknown) =>
    fetch(`${system.urls.pagopa}/gpd/debt-positions-service/v1/organizations/${BUGLIANO.fiscalCode}${path}`, {
      method,
      headers: { 'ocp-apim-subscription-key': keyOf(BUGLIANO.fiscalCode), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  beforeAll(async () => {
    system = await startSystem({ apps: ['pagopa'] });
  }, 120_000);
  afterAll(async () => system?.stop());

  it('answers the PDF of a payable position with the institution’s key: every unpaid option with its own QR code', async () => {
    const position = await (await gpd('GET', '/debtpositions/bug-tari-2026-0001')).json();
    const response = await get(keyOf(BUGLIANO.fiscalCode), BUGLIANO.fiscalCode, 'bug-tari-2026-0001');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await response.arrayBuffer());
    const read = await readPdf(pdf);
    expect(read.pages).toBe(2);
    expect(read.flat).toContain('Sul C/C n. 000012345678');
    expect(read.flat).toContain('Codice CBILL BUG01');
    const options = position.paymentOption as { nav: string; amount: number; isPartialPayment: boolean }[];
    const expected = [...options.filter((o) => !o.isPartialPayment), ...options.filter((o) => o.isPartialPayment)].map((o) => `PAGOPA|002|${o.nav}|${BUGLIANO.fiscalCode}|${o.amount}`);
    expect(await qrCodesOf(pdf)).toEqual(expected);
    // Printed again, the same bytes.
    expect(Buffer.from(await (await get(keyOf(BUGLIANO.fiscalCode), BUGLIANO.fiscalCode, 'bug-tari-2026-0001')).arrayBuffer()).equals(pdf)).toBe(true);

    // One installment paid: the position is PARTIALLY_PAID, the notice shows the other installment only.
    const first = options.find((o) => o.isPartialPayment)!;
    expect((await gpd('POST', `/paymentoptions/paids/${first.nav}`, {})).status).toBe(200);
    const partial = await readPdf(Buffer.from(await (await get(keyOf(BUGLIANO.fiscalCode), BUGLIANO.fiscalCode, 'bug-tari-2026-0001')).arrayBuffer()));
    const second = options.filter((o) => o.isPartialPayment)[1]!;
    expect(partial.flat).not.toContain('RATA UNICA');
    expect(partial.flat).toContain(formatNoticeNumber(second.nav));
    expect(partial.flat).not.toContain(formatNoticeNumber(first.nav));
  });

  it('asks for the institution’s key and finds only its own positions', async () => {
    expect((await get(undefined, BUGLIANO.fiscalCode, 'bug-tari-2026-0002')).status).toBe(401);
    expect((await get('not-a-key', BUGLIANO.fiscalCode, 'bug-tari-2026-0002')).status).toBe(401);
    expect((await get(keyOf(VICOPISANO.fiscalCode), BUGLIANO.fiscalCode, 'bug-tari-2026-0002')).status).toBe(403);
    const foreign = await get(keyOf(VICOPISANO.fiscalCode), VICOPISANO.fiscalCode, 'bug-tari-2026-0002');
    expect(foreign.status).toBe(404);
    expect(foreign.headers.get('content-type')).toContain('application/problem+json');
  });

  it('refuses with 409 and the reason a position that cannot be paid', async () => {
    const draft = await get(keyOf(BUGLIANO.fiscalCode), BUGLIANO.fiscalCode, 'bug-mensa-2026-0001');
    expect(draft.status).toBe(409);
    expect(await draft.json()).toMatchObject({ code: 'DEBT_POSITION_NOT_PAYABLE', detail: expect.stringContaining('draft') });
    expect((await gpd('POST', '/debtpositions/bug-tari-2026-0002/invalidate')).status).toBe(200);
    const invalid = await get(keyOf(BUGLIANO.fiscalCode), BUGLIANO.fiscalCode, 'bug-tari-2026-0002');
    expect(invalid.status).toBe(409);
    expect((await invalid.json()).detail).toContain('invalidated');
  });
});
