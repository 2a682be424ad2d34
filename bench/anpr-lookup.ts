// ANPR e-service lookups per second with 1,000,000 people on PostgreSQL, as a comune's back end calls
// them: POST <C020 audience>/anpr-service-e002 (and with --get, GET <C020 audience>/soggetti/{cf}) with a
// real PDND voucher (the consumer's own key, an Active purpose whose daily estimate covers the run, the
// voucher from PDND's token endpoint), over distinct fiscal codes drawn from the registry. PDND and ANPR
// each run in a child process, as `sportello start pdnd` and `sportello start anpr` would against one
// PostgreSQL; autocannon drives ANPR from this process. The HTTP ceiling (bench/baseline.ts) is
// measured in the same run, and the CPU time each side spends per lookup.
//   node --import tsx bench/anpr-lookup.ts [--people 1000000] [--reseed] [--duration 20] [--warmup 5]
//     [--connections 10,50] [--workers 1] [--sample 200000] [--get] [--no-baseline]
// One ANPR process, as `npm start` runs it; --workers N puts N behind node:cluster (on 2 cores that costs
// more CPU per lookup than it brings: see bench/README.md).
// The database (sportello_bench_anpr_1m for a million people, on BENCH_DATABASE_URL or TEST_DATABASE_URL or
// the local default server) is kept between runs and seeded again only when its population differs, or
// with --reseed; the seeding rate of the run that seeded it is kept in the database's comment.
import cluster from 'node:cluster';
import { once } from 'node:events';
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase, sql, type Database, type Db } from '../src/core/db.ts';
import { createApiKey } from '../src/core/auth/api-keys.ts';
import { migrateSchema } from '../src/core/migrations.ts';
import { todayUtc } from '../src/domain/dates.ts';
import { ANPR_ESERVICES, anprAudience } from '../src/clients/pdnd/anpr.ts';
import { generateClientKeyPair, registerClientKey, requestVoucher } from '../src/clients/pdnd/consumer.ts';
import { anprMigrations } from '../src/platforms/anpr/migrations.ts';
import { seedPopulation, type SeedResult } from '../src/platforms/anpr/seed.ts';
import { API_KEY_OWNER } from '../src/platforms/pdnd/api.ts';
import { CLIENT_NAME } from '../src/platforms/pdnd/seed.ts';
import { baselineRoles, drive, measureBaselines, RESULT_HEADER, resultRow, type Load } from './baseline.ts';
import { benchAdminUrl, benchDatabaseUrl, cpuSeconds, fixed, formatTable, freePortsEnv, printHeader, serveIfChild, sleep, startBenchSystem, startChild } from './support.ts';

const ESERVICE = ANPR_ESERVICES.find((e) => e.code === 'C020')!;
/** The purpose's daily estimate for the run: far above any run's calls (the counter still counts each). */
const BENCH_DAILY_CALLS = 1_000_000_000;

interface AnprServer {
  url: string;
  database: string;
  /** The processes serving (one per worker). */
  pids: number[];
}

/** Role arguments: the configuration both apps share (ports, DATABASE_URL), as JSON. */
const envOf = (json: string | undefined): Record<string, string> => JSON.parse(json ?? '{}');

const roles = {
  ...baselineRoles,
  async pdnd([env]: string[]) {
    const system = await startBenchSystem(['pdnd'], { env: envOf(env) });
    return { info: { url: system.urls.pdnd }, stop: () => system.stop() };
  },
  // One process, or a cluster of `workers` processes sharing the port (each with its own pool and caches).
  async anpr([env, workers]: string[]) {
    const count = Number(workers ?? 1);
    if (cluster.isPrimary && count > 1) {
      const forks = Array.from({ length: count }, () => cluster.fork());
      const infos = (await Promise.all(forks.map((w) => once(w, 'message')))).map(([info]) => info as AnprServer);
      return {
        info: { ...infos[0]!, pids: infos.flatMap((i) => i.pids) } satisfies AnprServer,
        async stop() {
          await Promise.all(forks.map((w) => (w.send('stop'), once(w, 'exit'))));
        },
      };
    }
    const system = await startBenchSystem(['anpr'], { env: envOf(env), seed: false });
    return { info: { url: system.urls.anpr, database: system.database, pids: [process.pid] } satisfies AnprServer, stop: () => system.stop() };
  },
};

// --- The registry of a million people ------------------------------------------------------------------

interface SeedRecord extends SeedResult {
  at: string;
}

const adminUrl = benchAdminUrl;
const databaseUrl = benchDatabaseUrl;

async function personCount(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from anpr.persons`.execute(db);
  return rows[0]!.n;
}

/** The bench database with exactly `people` people: kept from an earlier run, or created and seeded now. */
async function registry(name: string, people: number, reseed: boolean): Promise<{ database: Database; seeded: SeedRecord; now: boolean }> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const exists = (await admin.query('select shobj_description(oid, $2) as note from pg_database where datname = $1', [name, 'pg_database'])).rows[0];
    if (exists && !reseed) {
      const database = await openDatabase({ databaseUrl: databaseUrl(name), dataDir: os.tmpdir(), poolSize: 4 });
      await migrateSchema(database.db, 'anpr', anprMigrations);
      const found = await personCount(database.db);
      if (found === people && exists.note) return { database, seeded: JSON.parse(exists.note) as SeedRecord, now: false };
      console.log(`${name} holds ${found.toLocaleString('en')} people, not ${people.toLocaleString('en')}: seeding it again`);
      await database.close();
    }
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
    const database = await openDatabase({ databaseUrl: databaseUrl(name), dataDir: os.tmpdir(), poolSize: 6 });
    await migrateSchema(database.db, 'anpr', anprMigrations);
    let shown = 0;
    const result = await seedPopulation(database.db, {
      people,
      seed: 1,
      onProgress: (p) => {
        if (p.people - shown < people / 10 && p.people < p.total) return;
        shown = p.people;
        console.log(`  seeding: ${p.people.toLocaleString('en')} / ${p.total.toLocaleString('en')} people, ${Math.round(p.rate).toLocaleString('en')} people/s`);
      },
    });
    // Statistics and the visibility map for the planner, as autovacuum would do later on its own.
    await sql`vacuum analyze`.execute(database.db);
    const seeded: SeedRecord = { ...result, at: new Date().toISOString() };
    await admin.query(`comment on database ${name} is '${JSON.stringify(seeded)}'`);
    return { database, seeded, now: true };
  } finally {
    await admin.end();
  }
}

/** The plan of the e-services' lookup (store.ts loadEventsByFiscalCode): indexes only, never a scan of a million rows. */
async function lookupPlan(db: Db, fiscalCode: string): Promise<string[]> {
  const { rows } = await sql<{ 'QUERY PLAN': string }>`explain select * from anpr.events
    where id_anpr = (select id_anpr from anpr.persons where fiscal_code = ${fiscalCode}) order by seq`.execute(db);
  return rows.map((r) => r['QUERY PLAN'].replace(/\s+\(cost=.*\)$/, ''));
}

// --- The consumer at PDND -------------------------------------------------------------------------------

async function pdndApi(pdndUrl: string, apiKey: string, pathname: string, body?: unknown): Promise<any> {
  const response = await fetch(`${pdndUrl}/api/v1${pathname}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`PDND ${pathname}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function apiKeyOf(db: Db, ipaCode: string): Promise<string> {
  const { rows } = await sql<{ id: string }>`select id from pdnd.tenants where ipa_code = ${ipaCode}`.execute(db);
  return (await createApiKey(db, 'pdnd', { ownerType: API_KEY_OWNER, ownerId: rows[0]!.id, label: 'bench' })).key;
}

/**
 * Bugliano's C020 purpose raised to BENCH_DAILY_CALLS (a new version, approved by ANPR as producer), a key
 * of its own on its client, and a voucher for the purpose from the token endpoint.
 */
async function consumerVoucher(db: Db, pdndUrl: string): Promise<{ token: string; purposeId: string }> {
  const consumerKey = await apiKeyOf(db, 'c_m999');
  const producerKey = await apiKeyOf(db, 'm_it');
  const client = ((await pdndApi(pdndUrl, consumerKey, '/clients')).results as { id: string; name: string }[]).find((c) => c.name === CLIENT_NAME)!;
  const keyPair = await generateClientKeyPair();
  await registerClientKey({ pdndUrl, apiKey: consumerKey, clientId: client.id, publicKeyPem: keyPair.publicKeyPem, name: 'bench' });
  const purpose = ((await pdndApi(pdndUrl, consumerKey, '/purposes?role=consumer')).results as { id: string; eserviceName: string }[]).find((p) => p.eserviceName === ESERVICE.name)!;
  const raised = await pdndApi(pdndUrl, consumerKey, `/purposes/${purpose.id}/versions`, { dailyCalls: BENCH_DAILY_CALLS });
  if (raised.waitingForApprovalVersion) await pdndApi(pdndUrl, producerKey, `/purposes/${purpose.id}/approve`, {});
  const voucher = await requestVoucher({ pdndUrl, clientId: client.id, kid: keyPair.kid, privateKey: keyPair.privateJwk, purposeId: purpose.id });
  return { token: voucher.token, purposeId: purpose.id };
}

// --- The load ---------------------------------------------------------------------------------------------

/** Requests over the fiscal codes, one after the other across all connections (no hot key). */
function lookupRequests(audiencePath: string, token: string, codes: readonly string[], method: 'POST' | 'GET', date: string) {
  let n = 0;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return [
    {
      method,
      path: `${audiencePath}/anpr-service-e002`,
      headers,
      setupRequest: (request: any) => {
        const cf = codes[n++ % codes.length]!;
        if (method === 'GET') return { ...request, path: `${audiencePath}/soggetti/${cf}?date=${date}` };
        const body = { idOperazioneClient: String(n), criteriRicerca: { codiceFiscale: cf }, datiRichiesta: { dataRiferimentoRichiesta: date, motivoRichiesta: 'bench', casoUso: ESERVICE.code } };
        return { ...request, body: JSON.stringify(body) };
      },
    },
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      people: { type: 'string', default: '1000000' },
      reseed: { type: 'boolean', default: false },
      duration: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '5' },
      connections: { type: 'string', default: '10,50' },
      workers: { type: 'string', default: '1' },
      sample: { type: 'string', default: '200000' },
      get: { type: 'boolean', default: false },
      'no-baseline': { type: 'boolean', default: false },
    },
  });
  const people = Number(values.people);
  const connectionCounts = values.connections.split(',').map(Number);
  const load: Load = { duration: Number(values.duration), warmup: Number(values.warmup), connections: connectionCounts[0]! };
  const name = `sportello_bench_anpr_${people === 1_000_000 ? '1m' : people}`;
  printHeader(`ANPR e-service lookups (${ESERVICE.name}, PDND voucher, PostgreSQL)`, [
    `People: ${people.toLocaleString('en')} in database ${name}; ${Number(values.sample).toLocaleString('en')} distinct fiscal codes drawn at random, each request the next one`,
    `Load:   ${connectionCounts.join(' then ')} connections, ${load.warmup} s warm-up then ${load.duration} s measured each; ANPR in a child process (${values.workers} worker(s)), PDND in another`,
    `Logs:   level ${process.env.LOG_LEVEL ?? 'warn'} (no per-request log lines)`,
  ]);

  const { database, seeded, now } = await registry(name, people, values.reseed);
  const db = database.db;
  const rate = `${seeded.people.toLocaleString('en')} people in ${fixed(seeded.elapsedMs / 1000, 1)} s = ${Math.round(seeded.rate).toLocaleString('en')} people/s`;
  console.log(now ? `Seeded now: ${rate}` : `Seeded on ${seeded.at} (kept; --reseed to measure again): ${rate}`);
  // PDND starts afresh each run (its descriptors name this run's ANPR port); ANPR's log and counters too.
  await sql`drop schema if exists pdnd cascade`.execute(db);
  await sql`truncate anpr.access_log, anpr.voucher_calls`.execute(db);
  const { rows: sample } = await sql<{ fiscal_code: string }>`
    select fiscal_code from anpr.persons tablesample system (${Math.min(100, (200 * Number(values.sample)) / people)}) order by random() limit ${Number(values.sample)}`.execute(db);
  const codes = sample.map((r) => r.fiscal_code);
  for (const line of await lookupPlan(db, codes[0]!)) console.log(`Plan:   ${line}`);

  const backends = async () => (await sql<{ pid: number }>`select pid from pg_stat_activity where datname = ${name}`.execute(db)).rows.map((r) => r.pid);
  const ownBackends = new Set(await backends());
  const env = { ...(await freePortsEnv()), DATABASE_URL: databaseUrl(name) };
  const script = new URL(import.meta.url);
  const pdnd = await startChild<{ url: string }>(script, 'pdnd', [JSON.stringify(env)]);
  const anpr = await startChild<AnprServer>(script, 'anpr', [JSON.stringify(env), values.workers]);
  const rows = [RESULT_HEADER];
  const cpuLines: string[] = [];
  let responses = 0;
  let purposeId = '';
  try {
    const voucher = await consumerVoucher(db, pdnd.info.url);
    purposeId = voucher.purposeId;
    const audience = new URL(anprAudience(anpr.info.url, ESERVICE));
    const date = todayUtc();
    const first = await fetch(`${audience}/soggetti/${codes[0]}?date=${date}`, { headers: { authorization: `Bearer ${voucher.token}` } });
    if (first.status !== 200) throw new Error(`the first lookup answered ${first.status}: ${await first.text()}`);
    responses++;
    // PostgreSQL's share: the backends of this database but this process's own (PDND's are nearly idle).
    const pgSeconds = async () => cpuSeconds((await backends()).filter((pid) => !ownBackends.has(pid)));
    for (const connections of connectionCounts) {
      for (const method of values.get ? (['POST', 'GET'] as const) : (['POST'] as const)) {
        const label = `ANPR ${method === 'POST' ? 'POST …/anpr-service-e002' : 'GET …/soggetti/{cf}'} (${anpr.info.pids.length} worker(s))`;
        const requests = lookupRequests(audience.pathname, voucher.token, codes, method, date);
        const run = await drive({ url: anpr.info.url, requests }, { ...load, connections }, { anpr: () => cpuSeconds(anpr.info.pids), pg: pgSeconds });
        const { anpr: anprCpu, pg, load: loadCpu } = run.cpu;
        const total = anprCpu + pg + loadCpu;
        cpuLines.push(
          `${method}, ${connections} connections: ANPR ${fixed(anprCpu, 0)} µs + PostgreSQL ${fixed(pg, 0)} µs + autocannon ${fixed(loadCpu, 0)} µs = ${fixed(total, 0)} µs; ` +
            `${os.availableParallelism()} cores could not serve more than ${fixed((os.availableParallelism() * 1e6) / total, 0)} lookups/s`,
        );
        responses += run.responses;
        rows.push(resultRow(label, run.result, anprCpu + pg));
        console.log(`measured ${label}, ${connections} connections: ${fixed(run.result.requests.average, 0)} req/s`);
      }
    }
    await sleep(1000); // the lookups still queued when autocannon stopped
  } finally {
    await anpr.stop();
    await pdnd.stop();
  }
  // Every lookup answered must be in the access log once ANPR has stopped (requests cut at the end of a run may add more).
  const { rows: logged } = await sql<{ n: number }>`select count(*)::int as n from anpr.access_log`.execute(db);
  const { rows: counted } = await sql<{ calls: number }>`select coalesce(sum(calls), 0)::int as calls from anpr.voucher_calls where purpose_id = ${purposeId}`.execute(db);
  await database.close();

  if (!values['no-baseline']) for (const connections of connectionCounts) rows.push(...(await measureBaselines(script, ['fastify', 'stack'], { ...load, connections })));
  console.log(`\n${formatTable(rows)}\n`);
  console.log(`Access log: ${logged[0]!.n.toLocaleString('en')} rows for ${responses.toLocaleString('en')} lookups answered; daily-calls counter of the purpose: ${counted[0]!.calls.toLocaleString('en')}`);
  console.log(`Seeding:    ${rate}`);
  for (const line of cpuLines) console.log(`CPU per lookup, ${line}`);
  console.log("REQ/S: mean of the per-second samples; latencies from autocannon's histogram; SERVER CPU: per request, ANPR's processes and PostgreSQL's backends.");
}

if (!serveIfChild(roles)) await main();
