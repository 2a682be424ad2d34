// Every e-service access to a person's record is logged: which consumer (the PDND client's organisation),
// under which purpose, through which e-service, when, about whom. It feeds the citizen's "who consulted my
// data" page. Written even when the fiscal code is unknown (outcome 'not-found'), never with response data.
import { groupWriter, type GroupWriter } from '../../core/batch.ts';
import { executePrepared, sql, type Executor } from '../../core/db.ts';
import type { IsoDate } from '../../domain/dates.ts';
import { SCHEMA } from './schema.ts';

export interface AccessEntry {
  consumerId: string;
  consumerName?: string | null;
  purposeId?: string | null;
  eservice: string;
  fiscalCode: string;
  idAnpr: string | null;
  outcome: 'found' | 'not-found';
  asOf?: IsoDate | null;
  requestId?: string | null;
}

export interface AccessRecord extends AccessEntry {
  id: number;
  at: string;
}

/** Writes entries in one multi-row insert (one parameter per column, whatever their number). */
export async function logAccesses(db: Executor, entries: readonly AccessEntry[]): Promise<void> {
  const column = <K extends keyof AccessEntry>(key: K) => entries.map((e) => e[key] ?? null);
  await executePrepared(
    db,
    sql`insert into ${sql.table(`${SCHEMA}.access_log`)} (consumer_id, consumer_name, purpose_id, eservice, fiscal_code, id_anpr, outcome, as_of, request_id)
      select * from unnest(${column('consumerId')}::text[], ${column('consumerName')}::text[], ${column('purposeId')}::text[], ${column('eservice')}::text[],
        ${column('fiscalCode')}::text[], ${column('idAnpr')}::text[], ${column('outcome')}::text[], ${column('asOf')}::date[], ${column('requestId')}::text[])`,
  );
}

/**
 * The access log of a busy app: concurrent lookups' entries are written together (group commit, one
 * insert at a time), and each lookup waits for its own entry to be stored before it answers.
 */
export function accessLogWriter(db: Executor): GroupWriter<AccessEntry> {
  return groupWriter((entries) => logAccesses(db, entries));
}

/** Who consulted a person's record, newest first (`offset` entries skipped, for pages). */
export async function readAccessLog(db: Executor, idAnpr: string, limit = 100, offset = 0): Promise<AccessRecord[]> {
  const { rows } = await sql<{ id: number; at: Date; consumer_id: string; consumer_name: string | null; purpose_id: string | null; eservice: string; fiscal_code: string; id_anpr: string | null; outcome: 'found' | 'not-found'; as_of: string | null; request_id: string | null }>`
    select * from ${sql.table(`${SCHEMA}.access_log`)} where id_anpr = ${idAnpr} order by at desc, id desc limit ${limit} offset ${offset}`.execute(db);
  return rows.map((r) => ({
    id: r.id,
    at: new Date(r.at).toISOString(),
    consumerId: r.consumer_id,
    consumerName: r.consumer_name,
    purposeId: r.purpose_id,
    eservice: r.eservice,
    fiscalCode: r.fiscal_code,
    idAnpr: r.id_anpr,
    outcome: r.outcome,
    asOf: r.as_of,
    requestId: r.request_id,
  }));
}
