// Writes a generated population fast: multi-row inserts from arrays (`insert ... select from unnest(...)`,
// one parameter per column whatever the batch size), several batches in flight on PostgreSQL's pool, one at
// a time on the embedded PGlite. The projections are computed in memory by the same fold the reads use.
import { sql, transaction, type Executor } from '../../core/db.ts';
import { demoPeople } from '../../domain/demo-people.ts';
import { generatePopulation, POPULATION_REFERENCE_DATE, type GeneratedFamily, type GeneratedPerson } from './generator.ts';
import { currentPerson, membershipHistory, type AnprEvent } from './model.ts';
import { SCHEMA } from './schema.ts';
import { projectionRow, reserveSerials } from './store.ts';

const t = (name: string) => sql.table(`${SCHEMA}.${name}`);

/** Seed of the demo population: changing it changes every synthetic person of the demo. */
export const DEMO_SEED = 20260101;
/** About 2,000 people, the 12 demo citizens among them. */
export const DEMO_PEOPLE = 2000;

export interface SeedProgress {
  people: number;
  total: number;
  elapsedMs: number;
  /** People per second so far. */
  rate: number;
}

export interface SeedPopulationOptions {
  /** How many people to add. */
  people: number;
  /** Same seed, same population (default 1). */
  seed?: number;
  /** Include the 12 demo citizens' families (the demo seed does). */
  includeDemo?: boolean;
  /** Called after each written batch. */
  onProgress?: (progress: SeedProgress) => void;
  /** People per insert batch (default 5,000). */
  batchSize?: number;
  /** Batches in flight (default 4 on PostgreSQL; PGlite serializes anyway). */
  concurrency?: number;
}

export interface SeedResult {
  people: number;
  families: number;
  events: number;
  omocodia: number;
  elapsedMs: number;
  rate: number;
}

interface Batch {
  /** Events as JSON rows, serialized once per batch (cheaper than a jsonb[] parameter, escaped element by element). */
  ev: { i: string; t: string; d: string; x: unknown }[];
  persons: { id: string[]; cf: string[]; fn: string[]; gn: string[]; sex: string[]; birth: string[]; status: string[]; comune: string[]; family: (string | null)[]; death: (string | null)[] };
  members: { family: string[]; id: string[]; rel: string[]; from: string[]; to: (string | null)[] };
  people: number;
}

function emptyBatch(): Batch {
  return {
    ev: [],
    persons: { id: [], cf: [], fn: [], gn: [], sex: [], birth: [], status: [], comune: [], family: [], death: [] },
    members: { family: [], id: [], rel: [], from: [], to: [] },
    people: 0,
  };
}

function addPerson(batch: Batch, p: GeneratedPerson): void {
  // The fold needs seq and recordedAt; within a person, array order is recording order.
  const events = p.events.map((e, i) => ({ ...e, seq: i, idAnpr: p.idAnpr, recordedAt: '', recordedBy: 'system' }) as AnprEvent);
  const state = currentPerson(events);
  if (!state) throw new Error(`generated person ${p.idAnpr} has no registration`);
  for (const e of p.events) {
    const { effectiveDate, ...data } = e;
    batch.ev.push({ i: p.idAnpr, t: e.type, d: effectiveDate, x: data });
  }
  const r = projectionRow(state);
  const ps = batch.persons;
  ps.id.push(r.id_anpr), ps.cf.push(r.fiscal_code), ps.fn.push(r.family_name), ps.gn.push(r.given_name), ps.sex.push(r.sex);
  ps.birth.push(r.birth_date), ps.status.push(r.status), ps.comune.push(r.comune_istat), ps.family.push(r.family_id), ps.death.push(r.death_date);
  for (const m of membershipHistory(events)) {
    batch.members.family.push(m.familyId), batch.members.id.push(p.idAnpr), batch.members.rel.push(m.relationship);
    batch.members.from.push(m.from), batch.members.to.push(m.to);
  }
  batch.people++;
}

async function writeBatch(db: Executor, b: Batch): Promise<void> {
  await transaction(db, async (tx) => {
    // `with ordinality ... order by` keeps each person's events in recording order (their seq).
    await sql`insert into ${t('events')} (id_anpr, type, effective_date, recorded_by, data)
      select e.i, e.t, e.d, 'system', e.x from json_array_elements(${JSON.stringify(b.ev)}::json) with ordinality as r(row, n),
        json_to_record(r.row) as e(i text, t text, d date, x jsonb) order by r.n`.execute(tx);
    const p = b.persons;
    await sql`insert into ${t('persons')} (id_anpr, fiscal_code, family_name, given_name, sex, birth_date, status, comune_istat, family_id, death_date)
      select * from unnest(${p.id}::text[], ${p.cf}::text[], ${p.fn}::text[], ${p.gn}::text[], ${p.sex}::text[], ${p.birth}::date[],
        ${p.status}::text[], ${p.comune}::text[], ${p.family}::text[], ${p.death}::date[])`.execute(tx);
    const m = b.members;
    await sql`insert into ${t('family_members')} (family_id, id_anpr, relationship, valid_from, valid_to)
      select * from unnest(${m.family}::text[], ${m.id}::text[], ${m.rel}::text[], ${m.from}::date[], ${m.to}::date[])`.execute(tx);
  });
}

async function takenFiscalCodes(db: Executor): Promise<Set<string>> {
  const { rows } = await sql<{ fiscal_code: string }>`select fiscal_code from ${t('persons')}`.execute(db);
  return new Set(rows.map((r) => r.fiscal_code));
}

/**
 * Adds a synthetic population to the registry (deterministic for a seed, given the same registry before).
 * Fiscal codes already in the registry count as taken (a namesake gets an omocodia variant); idANPR and
 * family serials are reserved from the registry's sequences, so it can run on a registry in use.
 */
export async function seedPopulation(db: Executor, options: SeedPopulationOptions): Promise<SeedResult> {
  const started = performance.now();
  const total = options.people;
  const batchSize = options.batchSize ?? 5000;
  const concurrency = db.isTransaction ? 1 : Math.max(1, options.concurrency ?? 4);
  const taken = await takenFiscalCodes(db);
  // Families cut to fit never exceed the people asked for, so `total` serials are always enough for people;
  // families are at most one per person.
  const firstPersonSerial = await reserveSerials(db, 'person', total + (options.includeDemo ? 64 : 0));
  const firstFamilySerial = await reserveSerials(db, 'family', total + (options.includeDemo ? 64 : 0));
  let written = 0;
  let families = 0;
  let events = 0;
  let omocodia = 0;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  const flush = async (batch: Batch) => {
    const p = writeBatch(db, batch).then(() => {
      written += batch.people;
      const elapsedMs = performance.now() - started;
      options.onProgress?.({ people: written, total, elapsedMs, rate: written / (elapsedMs / 1000) });
    });
    const tracked = p.catch((err) => void (failure ??= err)).finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure) throw failure;
  };
  let batch = emptyBatch();
  const gen = generatePopulation({
    people: total,
    seed: options.seed ?? 1,
    referenceDate: POPULATION_REFERENCE_DATE,
    firstPersonSerial,
    firstFamilySerial,
    takenFiscalCodes: taken,
    includeDemo: options.includeDemo,
  });
  for (const family of gen as Iterable<GeneratedFamily>) {
    families++;
    for (const p of family.members) {
      addPerson(batch, p);
      events += p.events.length;
      if (/[LMNPQRSTUV]/.test(p.fiscalCode[14]!)) omocodia++;
    }
    if (batch.people >= batchSize) {
      await flush(batch);
      batch = emptyBatch();
    }
  }
  if (batch.people) await flush(batch);
  await Promise.all(inFlight);
  if (failure) throw failure;
  const elapsedMs = performance.now() - started;
  return { people: written, families, events, omocodia, elapsedMs, rate: written / (elapsedMs / 1000) };
}

/** The demo population, once: ~2,000 people with the 12 demo citizens; does nothing if they are there. */
export async function seedDemoPopulation(db: Executor): Promise<SeedResult | undefined> {
  return transaction(db, async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext('sportello.anpr.demo-seed'))`.execute(tx);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${t('persons')} where fiscal_code = ${demoPeople[0]!.fiscalCode}`.execute(tx);
    if (rows[0]!.n > 0) return undefined;
    return seedPopulation(tx, { people: DEMO_PEOPLE, seed: DEMO_SEED, includeDemo: true, batchSize: DEMO_PEOPLE });
  });
}
