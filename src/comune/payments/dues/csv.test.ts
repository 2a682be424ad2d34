import { describe, expect, it } from 'vitest';
import { addMonths, decodeCsv, dueIupd, mapHeader, parseAmount, parseDate, parseDuesCsv, parseRecords, splitInstallments, type ParseContext } from './csv.ts';

const ctx: ParseContext = { tenantId: 't-1', today: '2026-11-24', chapters: ['3010/1', '3050/1'], defaultChapter: '3050/1', maxRows: 1000 };
const utf8 = (text: string) => new TextEncoder().encode(text);
const parse = (text: string, over: Partial<ParseContext> = {}) => parseDuesCsv(utf8(text), { ...ctx, ...over });
// Valid codici fiscali (check characters computed).
const ROSSI = 'RSSMRA85T10A562S';
const BIANCHI = 'BNCMRC78C14G702E';

describe('encoding', () => {
  it('reads UTF-8 with or without a byte order mark', () => {
    expect(decodeCsv(utf8('a;b'))).toEqual({ ok: true, text: 'a;b' });
    expect(decodeCsv(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('città')]))).toEqual({ ok: true, text: 'città' });
  });

  it('refuses a file that is not UTF-8, telling Windows-1252 (Excel on Windows) apart', () => {
    // "città" as Windows-1252: à is the single byte 0xE0.
    expect(decodeCsv(new Uint8Array([0x63, 0x69, 0x74, 0x74, 0xe0]))).toEqual({ ok: false, error: { code: 'encoding', windows1252: true } });
    expect(decodeCsv(new Uint8Array([0x61, 0x81, 0xff]))).toEqual({ ok: false, error: { code: 'encoding', windows1252: false } });
  });
});

describe('the file', () => {
  it('reads quoted fields with separators, doubled quotes and line breaks', () => {
    expect(parseRecords('a;"b;c";"d ""e"""\r\n"f\ng";h\n', ';')).toEqual([
      ['a', 'b;c', 'd "e"'],
      ['f\ng', 'h'],
    ]);
  });

  it('knows the columns by their Italian names in any case, with aliases', () => {
    const map = mapHeader(['Codice Fiscale', 'COGNOME', 'Nome', 'Importo (€)', 'Data scadenza', 'Causale', 'N. rate', 'E-mail', 'Capitolo']);
    expect([...map.keys()].sort()).toEqual(['capitolo', 'causale', 'codice_fiscale', 'cognome', 'email', 'nome', 'rate', 'scadenza']);
  });

  it('names every missing column in one error', () => {
    expect(parse('codice_fiscale;nome;email\n')).toEqual({ ok: false, error: { code: 'missing-columns', columns: ['importo', 'causale', 'scadenza'] } });
    expect(parse('\n\n')).toEqual({ ok: false, error: { code: 'empty' } });
  });

  it('refuses more rows than allowed', () => {
    const rows = Array.from({ length: 3 }, () => `${ROSSI};Mario Rossi;10;TARI;31/12/2026`).join('\n');
    expect(parse(`codice_fiscale;nome;importo;causale;scadenza\n${rows}`, { maxRows: 2 })).toEqual({ ok: false, error: { code: 'too-many-rows', max: 2 } });
  });
});

describe('values', () => {
  it('reads amounts written the Italian way or with a decimal point', () => {
    expect(parseAmount('1.234,56')).toBe(123_456);
    expect(parseAmount('1234,5')).toBe(123_450);
    expect(parseAmount('1234.56')).toBe(123_456);
    expect(parseAmount('€ 12')).toBe(1_200);
    expect(parseAmount('1.234')).toBe(123_400);
    expect(parseAmount('-0,50')).toBe(-50);
    for (const bad of ['', 'dieci', '1,234.56', '12,345', '1.2.3', '12.345,6789']) expect(parseAmount(bad)).toBeUndefined();
  });

  it('reads dates as dd/mm/yyyy or yyyy-mm-dd, refusing days that do not exist', () => {
    expect(parseDate('31/01/2027')).toBe('2027-01-31');
    expect(parseDate('1/2/2027')).toBe('2027-02-01');
    expect(parseDate('2027-03-15')).toBe('2027-03-15');
    for (const bad of ['30/02/2027', '2027-13-01', '01/01/27', 'domani']) expect(parseDate(bad)).toBeUndefined();
  });

  it('splits installments to the cent, monthly, keeping the day or the month’s last one', () => {
    const parts = splitInstallments(10_000, 3, '2027-01-31');
    expect(parts).toEqual([
      { amountCents: 3_334, dueDate: '2027-01-31' },
      { amountCents: 3_333, dueDate: '2027-02-28' },
      { amountCents: 3_333, dueDate: '2027-03-31' },
    ]);
    expect(parts.reduce((sum, p) => sum + p.amountCents, 0)).toBe(10_000);
    expect(addMonths('2027-11-30', 3)).toBe('2028-02-29');
  });

  it('derives the IUPD from the ente and the debt, not from the line or the contact', () => {
    const due = { fiscalCode: ROSSI, amountCents: 100, reason: 'TARI', dueDate: '2027-01-31', installments: 1, chapter: '3050/1' };
    expect(dueIupd('t-1', due)).toBe(dueIupd('t-1', { ...due }));
    expect(dueIupd('t-1', due)).toMatch(/^DOV-[0-9a-f]{40}$/);
    expect(dueIupd('t-2', due)).not.toBe(dueIupd('t-1', due));
    expect(dueIupd('t-1', { ...due, amountCents: 101 })).not.toBe(dueIupd('t-1', due));
    expect(dueIupd('t-1', { ...due, installments: 2 })).not.toBe(dueIupd('t-1', due));
  });
});

describe('rows', () => {
  const header = 'Codice_Fiscale;Cognome;Nome;Importo;Causale;Scadenza;Rate;Email;Capitolo';

  it('accepts the good rows and rejects each bad one with its reason, never losing the good ones', () => {
    const result = parse(
      [
        header,
        `${ROSSI};Rossi;Mario;"1.234,56";TARI 2027;31/01/2027;3;mario@example.it;3010/1`,
        `RSSMRA85T10A562X;Rossi;Mario;10;TARI;31/01/2027;;;`,
        `${BIANCHI};Bianchi;Marco;0;TARI;31/01/2027;;;`,
        `${BIANCHI};Bianchi;Marco;dieci;TARI;31/01/2027;;;`,
        `${BIANCHI};Bianchi;Marco;10;TARI;01/01/2020;;;`,
        `${BIANCHI};Bianchi;Marco;10;TARI;31/02/2027;;;`,
        `${BIANCHI};Bianchi;Marco;10;TARI;31/01/2027;due;;`,
        `${BIANCHI};Bianchi;Marco;10;TARI;31/01/2027;;non-una-mail;`,
        `${BIANCHI};Bianchi;Marco;10;TARI;31/01/2027;;;9999`,
        `${BIANCHI};Bianchi;Marco;10;;31/01/2027;;;`,
        '',
        `80000990509;;Comune di Bugliano;12.50;Rimborso;2027-02-01;;;`,
        `${ROSSI};Rossi;Mario;"1.234,56";TARI 2027;31/01/2027;3;altra@example.it;3010/1`,
      ].join('\r\n'),
    );
    if (!result.ok) throw new Error('expected rows');
    expect(result.total).toBe(12);
    expect(result.rows.map((r) => r.line)).toEqual([2, 13]);
    expect(result.rows[0]).toMatchObject({ type: 'F', fiscalCode: ROSSI, fullName: 'Mario Rossi', amountCents: 123_456, reason: 'TARI 2027', dueDate: '2027-01-31', email: 'mario@example.it', chapter: '3010/1' });
    expect(result.rows[0]!.installments).toBe(3);
    expect(result.rows[1]).toMatchObject({ type: 'G', fiscalCode: '80000990509', fullName: 'Comune di Bugliano', amountCents: 1_250, chapter: '3050/1' });
    expect(result.rejected.map((r) => [r.line, r.code])).toEqual([
      [3, 'fiscal-code'],
      [4, 'amount-not-positive'],
      [5, 'amount'],
      [6, 'date-past'],
      [7, 'date'],
      [8, 'installments'],
      [9, 'email'],
      [10, 'chapter'],
      [11, 'reason'],
      [14, 'duplicate'],
    ]);
    expect(result.rejected.at(-1)).toMatchObject({ value: '2', fields: { email: 'altra@example.it' } });
  });

  it('reads a comma-separated file with a single name column', () => {
    const result = parse(`cf,nominativo,importo,causale,scadenza\n${ROSSI},Mario Rossi,12.5,Mensa,2027-01-10\n`);
    expect(result).toMatchObject({ ok: true, rows: [{ fullName: 'Mario Rossi', amountCents: 1_250, dueDate: '2027-01-10', installments: 1 }], rejected: [] });
  });
});
