// Reading the built-in register as its keepers do: a year's entries filtered by direction, number, days
// and text, newest first, a page at a time; and one Italian calendar day's entries for the daily register.
import { sql, type Executor } from '../../core/db.ts';
import { dateInItaly, type IsoDate } from '../../domain/dates.ts';
import { entryQuery, toEntry, type Direction, type EntryRow, type ProtocolEntry } from './register.ts';

export interface RegisterFilters {
  year: number;
  direction?: Direction;
  number?: number;
  /** Registered on or after this day, on or before `to` (Italian calendar days). */
  from?: IsoDate;
  to?: IsoDate;
  /** In the subject or the correspondent's name, code or address. */
  text?: string;
}

/** A LIKE pattern matching `text` literally anywhere. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
const ITALY = 'Europe/Rome';

function where(tenantId: string, f: RegisterFilters) {
  return sql.join(
    [
      sql`e.tenant_id = ${tenantId}`,
      sql`e.year = ${f.year}`,
      ...(f.direction ? [sql`e.direction = ${f.direction}`] : []),
      ...(f.number !== undefined ? [sql`e.number = ${f.number}`] : []),
      ...(f.from ? [sql`(e.registered_at at time zone ${ITALY})::date >= ${f.from}::date`] : []),
      ...(f.to ? [sql`(e.registered_at at time zone ${ITALY})::date <= ${f.to}::date`] : []),
      ...(f.text ? [sql`(e.subject ilike ${containing(f.text)} or e.correspondent::text ilike ${containing(f.text)})`] : []),
    ],
    sql` and `,
  );
}

export async function countEntries(db: Executor, tenantId: string, filters: RegisterFilters): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from comune.protocol_entries e where ${where(tenantId, filters)}`.execute(db);
  return rows[0]!.n;
}

/** The entries matching the filters, the latest number first. */
export async function findEntries(db: Executor, tenantId: string, filters: RegisterFilters, page: { offset: number; limit: number }): Promise<ProtocolEntry[]> {
  const { rows } = await sql<EntryRow>`${entryQuery} where ${where(tenantId, filters)} order by e.number desc offset ${page.offset} limit ${page.limit}`.execute(db);
  return rows.map(toEntry);
}

/** The years the ente's register has entries in, the latest first. */
export async function registerYears(db: Executor, tenantId: string): Promise<number[]> {
  const { rows } = await sql<{ year: number }>`select year from comune.protocol_registers where tenant_id = ${tenantId} order by year desc`.execute(db);
  return rows.map((r) => r.year);
}

/**
 * The entries registered on `day` (Italian time) in number order, as the register stood at the end of
 * that day: an annulment made on a later day is not part of it, so the day's register never changes.
 */
export async function entriesOfDay(db: Executor, tenantId: string, day: IsoDate): Promise<ProtocolEntry[]> {
  const { rows } = await sql<EntryRow>`${entryQuery}
    where e.tenant_id = ${tenantId} and (e.registered_at at time zone ${ITALY})::date = ${day}::date
    order by e.year, e.number`.execute(db);
  return rows.map(toEntry).map((e) => (e.annulment && dateInItaly(e.annulment.annulledAt) > day ? { ...e, annulment: null } : e));
}
