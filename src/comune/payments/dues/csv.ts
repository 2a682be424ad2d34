// Bulk dues ("pagamenti dovuti") from a CSV file, as pure functions: the file's encoding and separator, the
// columns by their Italian names (aliases, any case), every row checked on its own so a bad row never costs the
// good ones, the IUPD of each debt derived from its content, and the installments split to the cent.
import { hash } from 'node:crypto';
import { validateFiscalCode } from '../../../domain/fiscal-code.ts';
import { hasValidPartitaIvaCheckDigit } from '../../../domain/partita-iva.ts';
import { isValidCivilDate, daysInMonth, compareIsoDates, formatIsoDate, parseIsoDate, type IsoDate } from '../../../domain/dates.ts';
import { MAX_AMOUNT_CENTS } from '../../../domain/pagopa/qr-code.ts';

export const COLUMNS = ['codice_fiscale', 'nome', 'cognome', 'importo', 'causale', 'scadenza', 'rate', 'email', 'capitolo'] as const;
export type Column = (typeof COLUMNS)[number];

/** Header names accepted for each column, compared lowercased, without accents, spaces and dashes as underscores. */
const ALIASES: Record<Column, readonly string[]> = {
  codice_fiscale: ['codice_fiscale', 'codicefiscale', 'cf', 'c_f', 'fiscal_code', 'codice_fiscale_debitore'],
  nome: ['nome', 'nominativo', 'nome_e_cognome', 'nome_cognome', 'cognome_e_nome', 'denominazione', 'ragione_sociale', 'debitore', 'full_name', 'name'],
  cognome: ['cognome', 'surname', 'family_name'],
  importo: ['importo', 'importo_euro', 'importo_eur', 'ammontare', 'totale', 'amount'],
  causale: ['causale', 'descrizione', 'oggetto', 'causale_versamento', 'reason', 'description'],
  scadenza: ['scadenza', 'data_scadenza', 'scadenza_pagamento', 'due_date'],
  rate: ['rate', 'numero_rate', 'n_rate', 'num_rate', 'installments'],
  email: ['email', 'e_mail', 'mail', 'posta_elettronica', 'pec'],
  capitolo: ['capitolo', 'capitolo_bilancio', 'capitolo_di_bilancio', 'codice_capitolo', 'chapter'],
};
const REQUIRED: readonly Column[] = ['codice_fiscale', 'nome', 'importo', 'causale', 'scadenza'];

/** Monthly installments allowed in a row. */
export const MAX_INSTALLMENTS = 36;
/** The causale is the payment option's description (GPD: at most 140 characters). */
const MAX_REASON = 140;
/** The debtor's name as GPD carries it (fullName, at most 70 characters). */
const MAX_NAME = 70;

export type FileError =
  | { code: 'encoding'; windows1252: boolean }
  | { code: 'empty' }
  | { code: 'missing-columns'; columns: string[] }
  | { code: 'too-many-rows'; max: number };

export type RowErrorCode =
  | 'columns'
  | 'fiscal-code'
  | 'name'
  | 'amount'
  | 'amount-not-positive'
  | 'reason'
  | 'date'
  | 'date-past'
  | 'installments'
  | 'installments-too-small'
  | 'email'
  | 'chapter'
  | 'duplicate';

export interface RowError {
  /** Line in the file (the header is line 1). */
  line: number;
  code: RowErrorCode;
  /** The offending value as written, or the line it repeats for a duplicate. */
  value: string;
  /** The row's own fields as written, for the report. */
  fields: Partial<Record<Column, string>>;
}

export interface Installment {
  amountCents: number;
  dueDate: IsoDate;
}

export interface DueRow {
  line: number;
  iupd: string;
  type: 'F' | 'G';
  fiscalCode: string;
  fullName: string;
  amountCents: number;
  reason: string;
  dueDate: IsoDate;
  /** Monthly installments from the due date (1: a single payment); splitInstallments gives their amounts. */
  installments: number;
  email?: string;
  /** The budget chapter's code, the file's or the upload's default. */
  chapter: string;
}

export interface ParseContext {
  tenantId: string;
  /** Today in Italy: a due date must come after it. */
  today: IsoDate;
  /** Codes of the ente's active budget chapters. */
  chapters: readonly string[];
  /** The chapter of rows that name none. */
  defaultChapter: string;
  maxRows: number;
}

export type ParseResult = { ok: false; error: FileError } | { ok: true; rows: DueRow[]; rejected: RowError[]; total: number };

const BOM = [0xef, 0xbb, 0xbf];

// The five bytes Windows-1252 leaves undefined: a file holding one is not Windows-1252.
const UNDEFINED_IN_1252 = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

/** Not UTF-8 but every byte defined in Windows-1252 (Excel's "CSV" on Windows: à = 0xE0, € = 0x80). */
function looksLikeWindows1252(bytes: Uint8Array): boolean {
  return !bytes.some((b) => UNDEFINED_IN_1252.has(b));
}

/** The file as text: UTF-8 with or without BOM; anything else is refused, telling Windows-1252 apart. */
export function decodeCsv(bytes: Uint8Array): { ok: true; text: string } | { ok: false; error: FileError } {
  const start = BOM.every((b, i) => bytes[i] === b) ? 3 : 0;
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start)) };
  } catch {
    return { ok: false, error: { code: 'encoding', windows1252: looksLikeWindows1252(bytes) } };
  }
}

/** The separator of the header line: `;` (Excel in Italian) or `,`, whichever appears more outside quotes. */
export function detectSeparator(headerLine: string): ';' | ',' {
  const unquoted = headerLine.replace(/"[^"]*"/g, '');
  return (unquoted.match(/;/g)?.length ?? 0) >= (unquoted.match(/,/g)?.length ?? 0) ? ';' : ',';
}

/** RFC 4180 records: quoted fields may hold separators, doubled quotes and line breaks; CRLF or LF. */
export function parseRecords(text: string, separator: string): string[][] {
  // Fields are sliced out of the text, never built a character at a time (a 100,000-row file stays fast).
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    let field: string;
    if (text[i] === '"') {
      const parts: string[] = [];
      let from = i + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote === -1) {
          parts.push(text.slice(from));
          i = n;
          break;
        }
        parts.push(text.slice(from, quote));
        if (text[quote + 1] === '"') {
          parts.push('"');
          from = quote + 2;
          continue;
        }
        i = quote + 1;
        break;
      }
      // Anything between the closing quote and the separator is kept, as spreadsheets do.
      let end = i;
      while (end < n && text[end] !== separator && text[end] !== '\n' && text[end] !== '\r') end++;
      field = parts.join('') + text.slice(i, end);
      i = end;
    } else {
      let end = i;
      while (end < n && text[end] !== separator && text[end] !== '\n' && text[end] !== '\r') end++;
      field = text.slice(i, end);
      i = end;
    }
    record.push(field);
    if (i >= n) break;
    const c = text[i];
    i++;
    if (c === separator) {
      if (i >= n) record.push('');
      continue;
    }
    if (c === '\r' && text[i] === '\n') i++;
    records.push(record);
    record = [];
  }
  if (record.length) records.push(record);
  return records;
}

const headerKey = (name: string) =>
  name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s\-.]+/g, '_');

/** Which column each header cell is; unknown headers are ignored. */
export function mapHeader(header: readonly string[]): Map<Column, number> {
  const map = new Map<Column, number>();
  header.forEach((name, index) => {
    const key = headerKey(name);
    const column = COLUMNS.find((c) => ALIASES[c].includes(key));
    if (column && !map.has(column)) map.set(column, index);
  });
  return map;
}

/**
 * Euro as written in Italy ("1.234,56", "1234,5", "€ 12") or with a decimal point ("1234.56"), in cents;
 * undefined when malformed. A dot followed by exactly three digits is a thousands separator, as in Italian.
 */
export function parseAmount(text: string): number | undefined {
  const t = text.replace(/€|eur(o)?/gi, '').replace(/\s+/g, '');
  const negative = t.startsWith('-');
  const magnitude = negative ? t.slice(1) : t;
  const italian = /^(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?$/.exec(magnitude);
  const dotted = /^(\d+)\.(\d{1,2})$/.exec(magnitude);
  const parts = italian ? [italian[1]!.replace(/\./g, ''), italian[2] ?? ''] : dotted ? [dotted[1]!, dotted[2]!] : undefined;
  if (!parts) return undefined;
  const cents = Number(parts[0]) * 100 + Number(parts[1]!.padEnd(2, '0'));
  if (!Number.isSafeInteger(cents)) return undefined;
  return negative ? -cents : cents;
}

/** dd/mm/yyyy (also d/m/yyyy, with - or .) or yyyy-mm-dd; undefined for anything else or a day that does not exist. */
export function parseDate(text: string): IsoDate | undefined {
  const t = text.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  const italian = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t);
  const [year, month, day] = iso ? [iso[1], iso[2], iso[3]] : italian ? [italian[3], italian[2], italian[1]] : [];
  if (!year) return undefined;
  const civil = { year: Number(year), month: Number(month), day: Number(day) };
  return isValidCivilDate(civil.year, civil.month, civil.day) ? formatIsoDate(civil) : undefined;
}

/** The same day `months` later, or that month's last day (31 January + 1 → 28/29 February). */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const { year, month, day } = parseIsoDate(date)!;
  const index = year * 12 + (month - 1) + months;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  return formatIsoDate({ year: y, month: m, day: Math.min(day, daysInMonth(y, m)) });
}

/** `count` monthly installments from `first`; the cents left by the division go one each to the first ones, so they add up exactly. */
export function splitInstallments(amountCents: number, count: number, first: IsoDate): Installment[] {
  const base = Math.floor(amountCents / count);
  const rest = amountCents - base * count;
  return Array.from({ length: count }, (_, i) => ({ amountCents: base + (i < rest ? 1 : 0), dueDate: addMonths(first, i) }));
}

/** A debt's IUPD: the ente and what is owed (who, how much, why, when, how split, where booked), so the same row gives the same IUPD in any file. */
export function dueIupd(tenantId: string, row: Pick<DueRow, 'fiscalCode' | 'amountCents' | 'reason' | 'dueDate' | 'installments' | 'chapter'>): string {
  const content = [tenantId, row.fiscalCode, row.amountCents, row.reason.toLowerCase(), row.dueDate, row.installments, row.chapter].join('\u001f');
  return `DOV-${hash('sha256', content, 'hex').slice(0, 40)}`;
}

// The shape JSON Schema's "email" format accepts (ajv-formats), so that no row makes pagoPA refuse the whole file.
const EMAIL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** The debtor: a codice fiscale (natural person, F) or the 11-digit fiscal code of a legal person (G). */
function debtorOf(text: string): { type: 'F' | 'G'; fiscalCode: string } | undefined {
  const cf = text.replace(/\s+/g, '').toUpperCase();
  if (/^\d{11}$/.test(cf)) return hasValidPartitaIvaCheckDigit(cf) ? { type: 'G', fiscalCode: cf } : undefined;
  const person = validateFiscalCode(cf, { requireKnownBirthplace: false });
  return person.ok ? { type: 'F', fiscalCode: person.value.fiscalCode } : undefined;
}

/** The whole file: a file-level error, or every row either accepted (with its IUPD) or rejected with its reason. */
export function parseDuesCsv(bytes: Uint8Array, ctx: ParseContext): ParseResult {
  const decoded = decodeCsv(bytes);
  if (!decoded.ok) return decoded;
  const firstLine = decoded.text.split(/\r?\n/, 1)[0] ?? '';
  const records = parseRecords(decoded.text, detectSeparator(firstLine));
  const header = records[0];
  if (!header || header.every((h) => !h.trim())) return { ok: false, error: { code: 'empty' } };
  const columns = mapHeader(header);
  const missing = REQUIRED.filter((c) => !columns.has(c));
  if (missing.length) return { ok: false, error: { code: 'missing-columns', columns: missing } };
  const body = records.slice(1).map((fields, i) => ({ line: i + 2, fields })).filter((r) => r.fields.some((f) => f.trim()));
  if (body.length > ctx.maxRows) return { ok: false, error: { code: 'too-many-rows', max: ctx.maxRows } };

  const rows: DueRow[] = [];
  const rejected: RowError[] = [];
  const seen = new Map<string, number>();
  const chapters = new Set(ctx.chapters);
  const mapped = [...columns];
  const lastColumn = Math.max(...columns.values());
  const cells = (fields: readonly string[]) => {
    const raw: Partial<Record<Column, string>> = {};
    for (const [column, index] of mapped) raw[column] = (fields[index] ?? '').trim();
    return raw;
  };
  for (const { line, fields } of body) {
    const raw = cells(fields);
    const reject = (code: RowErrorCode, value: string) => rejected.push({ line, code, value, fields: raw });
    if (fields.length <= lastColumn) {
      reject('columns', String(fields.length));
      continue;
    }
    const debtor = debtorOf(raw.codice_fiscale!);
    if (!debtor) {
      reject('fiscal-code', raw.codice_fiscale!);
      continue;
    }
    const fullName = [raw.nome, raw.cognome].filter(Boolean).join(' ').replace(/\s+/g, ' ');
    if (!fullName || fullName.length > MAX_NAME) {
      reject('name', fullName);
      continue;
    }
    const amountCents = parseAmount(raw.importo!);
    if (amountCents === undefined || amountCents > MAX_AMOUNT_CENTS) {
      reject('amount', raw.importo!);
      continue;
    }
    if (amountCents <= 0) {
      reject('amount-not-positive', raw.importo!);
      continue;
    }
    const reason = raw.causale!.replace(/\s+/g, ' ');
    if (!reason || reason.length > MAX_REASON) {
      reject('reason', reason);
      continue;
    }
    const dueDate = parseDate(raw.scadenza!);
    if (!dueDate) {
      reject('date', raw.scadenza!);
      continue;
    }
    if (compareIsoDates(dueDate, ctx.today) <= 0) {
      reject('date-past', raw.scadenza!);
      continue;
    }
    const count = raw.rate ? Number(raw.rate) : 1;
    if (!Number.isInteger(count) || count < 1 || count > MAX_INSTALLMENTS || (raw.rate && !/^\d+$/.test(raw.rate))) {
      reject('installments', raw.rate ?? '');
      continue;
    }
    if (count > amountCents) {
      reject('installments-too-small', raw.rate ?? '');
      continue;
    }
    const email = raw.email || undefined;
    if (email && !EMAIL.test(email)) {
      reject('email', email);
      continue;
    }
    const chapter = raw.capitolo || ctx.defaultChapter;
    if (!chapters.has(chapter)) {
      reject('chapter', chapter);
      continue;
    }
    const due = { ...debtor, fullName, amountCents, reason, dueDate, installments: count, chapter };
    const iupd = dueIupd(ctx.tenantId, due);
    const first = seen.get(iupd);
    if (first !== undefined) {
      reject('duplicate', String(first));
      continue;
    }
    seen.set(iupd, line);
    rows.push({ line, iupd, ...due, ...(email ? { email } : {}) });
  }
  return { ok: true, rows, rejected, total: body.length };
}
