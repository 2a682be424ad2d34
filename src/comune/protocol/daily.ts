// The daily protocol register (DPCM 3/12/2013 art. 7 c.5): every registration of one day, produced as an
// immutable PDF for the conservation system, kept each night by a durable job. Deterministic: the same
// day's content gives the same bytes.
import { sql, type Executor } from '../../core/db.ts';
import { PdfWriter, sha256Hex } from '../../core/pdf.ts';
import { addDays, dateInItaly, type IsoDate } from '../../domain/dates.ts';
import { dailyJobHandler, enqueueDay, type DailyJob } from '../daily-jobs.ts';
import { entriesOfDay } from './browse.ts';
import type { DocumentStore } from './files.ts';
import { ente, type ProtocolEntry } from './register.ts';
import type { Correspondent } from './segnatura.ts';

export interface DailyRegister {
  day: IsoDate;
  entries: number;
  pdf: Buffer;
  sha256: string;
}

/** The instant the Italian day `day` ends (midnight in Rome, 23:00 or 22:00 UTC): the register's closing time. */
export function endOfItalianDay(day: IsoDate): Date {
  const next = addDays(day, 1);
  return [`${next}T00:00:00+01:00`, `${next}T00:00:00+02:00`].map((t) => new Date(t)).find((at) => dateInItaly(at) === next && dateInItaly(new Date(at.getTime() - 1)) === day)!;
}

const time = (at: Date) => new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(at);
const italianDay = (day: IsoDate) => day.split('-').reverse().join('/');

/** Name and fiscal code, as the register shows the correspondent. */
export const correspondentText = ({ name, fiscalCode }: Correspondent): string => [name, fiscalCode].filter(Boolean).join(' — ') || '—';

/** One registration as the register's row: A4 portrait, so number, time and direction share a cell, subject and classification another. */
function row(entry: ProtocolEntry): string[] {
  const { name, fiscalCode } = entry.correspondent;
  const documents = entry.documents.map((d, i) => `${i === 0 ? 'Principale' : `Allegato ${i}`}: ${d.name}\nSHA-256 ${d.sha256}`);
  return [
    `${entry.number}/${entry.year}\nore ${time(entry.registeredAt)}\n${entry.direction === 'incoming' ? 'Entrata' : 'Uscita'}`,
    `${entry.subject}\nClassificazione: ${entry.classification || '—'}`,
    [name, fiscalCode].filter(Boolean).join('\n') || '—',
    documents.join('\n'),
    entry.annulment ? `ANNULLATA il ${italianDay(dateInItaly(entry.annulment.annulledAt))}: ${entry.annulment.reason}. Autorizzazione: ${entry.annulment.authorisedBy}` : '—',
  ];
}

/** The daily register of `day` for the ente's AOO, in Italian (the register's language). */
export async function dailyRegister(db: Executor, tenantId: string, day: IsoDate): Promise<DailyRegister> {
  const [who, entries] = await Promise.all([ente(db, tenantId), entriesOfDay(db, tenantId, day)]);
  const aoo = who.aoo_code ?? who.ipa_code;
  const register = who.register_code ?? 'PROT_GEN';
  const title = `Registro giornaliero di protocollo del ${italianDay(day)}`;
  const writer = new PdfWriter({ title, subject: `${who.name} — AOO ${aoo} — registro ${register}`, author: who.name, keywords: `registro giornaliero, protocollo, ${day}`, creationDate: endOfItalianDay(day) });
  writer
    .text(who.name, { tag: 'P', bold: true })
    .text(title, { tag: 'H1', bold: true, size: 16 })
    .text(`Codice IPA ${who.ipa_code} · AOO ${aoo} · Registro ${register} · Codice fiscale ${who.fiscal_code}`)
    .text(
      entries.length
        ? `${entries.length} registrazioni, dal numero ${entries[0]!.number} al numero ${entries.at(-1)!.number}.`
        : 'Nessuna registrazione in questa giornata.',
    )
    .rule();
  if (entries.length) writer.table(['Numero', 'Oggetto', 'Corrispondente', 'Documenti (impronta)', 'Annullamento'], entries.map(row), [13, 22, 23, 27, 15]);
  writer.text('Registro prodotto da Sportello alla chiusura della giornata per il sistema di conservazione (DPCM 3 dicembre 2013, art. 7, c. 5).', { size: 8.5, color: '#555555' });
  const pdf = await writer.finish(`${who.name} — ${title}`);
  return { day, entries: entries.length, pdf, sha256: sha256Hex(pdf) };
}

export interface KeptDailyRegister {
  day: IsoDate;
  entries: number;
  sha256: string;
  size: number;
  producedAt: Date;
}

interface KeptRow {
  day: string;
  entries: number;
  sha256: string;
  size: number;
  produced_at: Date;
}

const kept = (r: KeptRow): KeptDailyRegister => ({ day: r.day, entries: r.entries, sha256: r.sha256, size: r.size, producedAt: r.produced_at });

/** The ente's kept daily registers, the latest day first. */
export async function keptDailyRegisters(db: Executor, tenantId: string, limit = 10): Promise<KeptDailyRegister[]> {
  const { rows } = await sql<KeptRow>`select to_char(day, 'YYYY-MM-DD') as day, entries, sha256, size, produced_at from comune.protocol_daily_registers
    where tenant_id = ${tenantId} order by day desc limit ${limit}`.execute(db);
  return rows.map(kept);
}

export async function keptDailyRegister(db: Executor, tenantId: string, day: IsoDate): Promise<KeptDailyRegister | undefined> {
  const { rows } = await sql<KeptRow>`select to_char(day, 'YYYY-MM-DD') as day, entries, sha256, size, produced_at from comune.protocol_daily_registers
    where tenant_id = ${tenantId} and day = ${day}::date`.execute(db);
  return rows[0] && kept(rows[0]);
}

/**
 * Produces and keeps the daily register of `day` for every ente that registered in the built-in register
 * that day or uses it, once: an ente's register already kept for the day is left as it is.
 */
export async function keepDailyRegisters(db: Executor, store: DocumentStore, day: IsoDate): Promise<number> {
  const { rows } = await sql<{ id: string }>`
    select t.id from comune.tenants t left join comune.protocol_settings s on s.tenant_id = t.id
    where (coalesce(s.adapter, 'builtin') = 'builtin'
           or exists (select 1 from comune.protocol_entries e where e.tenant_id = t.id and (e.registered_at at time zone 'Europe/Rome')::date = ${day}::date))
      and not exists (select 1 from comune.protocol_daily_registers d where d.tenant_id = t.id and d.day = ${day}::date)
    order by t.id`.execute(db);
  let produced = 0;
  for (const { id } of rows) {
    const daily = await dailyRegister(db, id, day);
    const { sha256, size } = await store.put(daily.pdf);
    const inserted = await sql`insert into comune.protocol_daily_registers (tenant_id, day, entries, sha256, size)
      values (${id}, ${day}::date, ${daily.entries}, ${sha256}, ${size}) on conflict do nothing returning tenant_id`.execute(db);
    produced += inserted.rows.length;
  }
  return produced;
}

export const DAILY_REGISTER_JOB = 'protocol.daily-register';

/** A few minutes after the day's midnight in Italy, when its register is closed. */
export const dailyRegisterRunAt = (day: IsoDate) => new Date(endOfItalianDay(day).getTime() + 5 * 60_000);

const DAILY_REGISTERS: DailyJob = { kind: DAILY_REGISTER_JOB, runAt: dailyRegisterRunAt };

/** Keeps `day`'s registers, then schedules the next day's job. */
export const dailyRegisterHandler = (db: Executor, store: DocumentStore) => dailyJobHandler(DAILY_REGISTERS, (day) => keepDailyRegisters(db, store, day));

/** At start-up: yesterday's job, which then schedules each following day; a no-op when it already exists. */
export async function enqueueDailyRegisters(db: Executor, now = new Date()): Promise<void> {
  await enqueueDay(db, DAILY_REGISTERS, addDays(dateInItaly(now), -1));
}
