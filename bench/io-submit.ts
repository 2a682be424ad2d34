// IO message submissions per second on PostgreSQL, as public bodies' back ends send them: many keep-alive HTTP
// clients POST /api/v1/messages/{fiscal_code} with a service's key (autocannon in this process, the IO app alone
// in a child process as `sportello start io` would run it, without its pipeline workers: submission only).
// Each accepted message is a committed row (group commit: docs/io.md). Beside it, in the same run, the ceiling:
// concurrent single-row INSERTs in autocommit into a plain table, through a pool of the same size.
//   node --import tsx bench/io-submit.ts [--duration 15] [--warmup 3] [--connections 64] [--pool 10]
//     [--max-rows 256] [--max-delay 2] [--in-flight 4]   (the group commit's settings, default GROUP_COMMIT's)
// Fresh database sportello_bench_io_submit on BENCH_DATABASE_URL or TEST_DATABASE_URL or the local default.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/core/config.ts';
import { openDatabase } from '../src/core/db.ts';
import { createContext, migrateApps, seedApps } from '../src/core/runtime.ts';
import { ulid } from '../src/core/ulid.ts';
import { demoPeople } from '../src/domain/demo-people.ts';
import { DEMO_IO_SERVICES, demoIoKey } from '../src/clients/io/demo.ts';
import type { NewMessage } from '../src/clients/io/wire.ts';
import io from '../src/platforms/io/index.ts';
import { updateService } from '../src/platforms/io/services/store.ts';
import { GROUP_COMMIT } from '../src/platforms/io/messages/submit.ts';
import { drive } from './baseline.ts';
import { cpuSeconds, fixed, formatTable, freePortsEnv, freshBenchDatabase, percentile, printHeader, serveIfChild, startChild } from './support.ts';

const DATABASE = 'sportello_bench_io_submit';
const SERVICE = DEMO_IO_SERVICES[0];

interface IoServer {
  url: string;
  pid: number;
}

const roles = {
  // The IO app's HTTP side only, on a pool of `pool` connections; the demo service's rate lifted out of the way.
  async io([databaseUrl, pool, secret, groupCommit]: string[]) {
    Object.assign(GROUP_COMMIT, JSON.parse(groupCommit ?? '{}'));
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sportello-bench-io-'));
    const config = loadConfig({ ...(await freePortsEnv()), NODE_ENV: 'production', DATA_DIR: dataDir, PUBLIC_HOST: '127.0.0.1', LOG_LEVEL: 'warn', SECRET: secret!, DATABASE_URL: databaseUrl });
    const database = await openDatabase({ databaseUrl: databaseUrl!, dataDir, poolSize: Number(pool) });
    const ctx = await createContext(config, database);
    await migrateApps(ctx, [io]);
    await seedApps(ctx, [io]);
    await updateService(database.db, SERVICE.serviceId, { rateLimitPerSecond: 1_000_000 });
    const http = await io.buildHttp(ctx);
    await http.listen({ port: config.ports.io, host: '127.0.0.1' });
    return {
      info: { url: config.urls.io, pid: process.pid } satisfies IoServer,
      async stop() {
        await http.close();
        ctx.mailer.close();
        await database.close();
        await fs.rm(dataDir, { recursive: true, force: true });
      },
    };
  },
};

const message: NewMessage = {
  content: {
    subject: 'Avviso di pagamento TARI 2026',
    markdown: 'È disponibile l’avviso di pagamento della **TARI 2026**. Puoi pagarlo dall’app IO entro la scadenza indicata, con i metodi di pagamento pagoPA.',
    due_date: '2026-12-31T00:00:00.000Z',
  },
  time_to_live: 3600,
};

interface Ceiling {
  inserts: number;
  seconds: number;
  latencies: number[];
}

/** Single-row INSERTs, each its own commit, from `concurrency` loops sharing a pool of `pool` connections. */
async function measureCeiling(databaseUrl: string, pool: number, concurrency: number, seconds: number): Promise<Ceiling> {
  const client = new pg.Pool({ connectionString: databaseUrl, max: pool });
  await client.query('create table bench_ceiling (id text primary key, fiscal_code text not null, content jsonb not null, created_at timestamptz not null default now())');
  const content = JSON.stringify(message.content);
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, i) => {
      const fiscalCode = demoPeople[i % demoPeople.length]!.fiscalCode;
      while (performance.now() < until) {
        const start = performance.now();
        await client.query({ name: 'ceiling', text: 'insert into bench_ceiling (id, fiscal_code, content) values ($1, $2, $3)', values: [ulid(), fiscalCode, content] });
        latencies.push(performance.now() - start);
      }
    }),
  );
  const elapsed = (performance.now() - began) / 1000;
  await client.end();
  return { inserts: latencies.length, seconds: elapsed, latencies };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '15' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '64' },
      pool: { type: 'string', default: '10' },
      'max-rows': { type: 'string', default: String(GROUP_COMMIT.maxRows) },
      'max-delay': { type: 'string', default: String(GROUP_COMMIT.maxDelayMs) },
      'in-flight': { type: 'string', default: String(GROUP_COMMIT.maxInFlight) },
    },
  });
  const groupCommit = { maxRows: Number(values['max-rows']), maxDelayMs: Number(values['max-delay']), maxInFlight: Number(values['in-flight']) };
  const duration = Number(values.duration);
  const warmup = Number(values.warmup);
  const connections = Number(values.connections);
  const pool = Number(values.pool);
  printHeader('IO: message submissions (POST /api/v1/messages/{fiscal_code}) on PostgreSQL', [
    `Load: ${connections} keep-alive connections for ${duration} s after ${warmup} s of warm-up; ${demoPeople.length} recipients in turn; one service's primary key`,
    `IO: one process, pool of ${pool} connections; group commit up to ${groupCommit.maxRows} rows or ${groupCommit.maxDelayMs} ms, ${groupCommit.maxInFlight} batches in flight`,
  ]);
  const databaseUrl = await freshBenchDatabase(DATABASE);
  const secret = randomBytes(32).toString('base64url');
  const server = await startChild<IoServer>(new URL(import.meta.url), 'io', [databaseUrl, String(pool), secret, JSON.stringify(groupCommit)]);
  let ceiling: Ceiling;
  let rows: number;
  let submitted: Awaited<ReturnType<typeof drive<'server'>>>;
  const key = demoIoKey(secret, SERVICE.serviceId, 'primary');
  try {
    const first = await fetch(`${server.info.url}/api/v1/messages/${demoPeople[0]!.fiscalCode}`, { method: 'POST', headers: { 'content-type': 'application/json', 'ocp-apim-subscription-key': key }, body: JSON.stringify(message) });
    if (first.status !== 201) throw new Error(`IO answered ${first.status}: ${await first.text()}`);
    submitted = await drive(
      {
        url: server.info.url,
        headers: { 'content-type': 'application/json', 'ocp-apim-subscription-key': key },
        requests: demoPeople.map((p) => ({ method: 'POST' as const, path: `/api/v1/messages/${p.fiscalCode}`, body: JSON.stringify(message) })),
      },
      { connections, duration, warmup },
      { server: () => cpuSeconds([server.info.pid]) },
    );
    const check = new pg.Client({ connectionString: databaseUrl });
    await check.connect();
    rows = (await check.query<{ n: number }>('select count(*)::int as n from io.messages')).rows[0]!.n;
    await check.end();
    ceiling = await measureCeiling(databaseUrl, pool, connections, Math.min(duration, 10));
  } finally {
    await server.stop();
  }
  const { result } = submitted;
  const accepted = result['2xx'];
  const perSecond = accepted / result.duration;
  const ceilingPerSecond = ceiling.inserts / ceiling.seconds;
  console.log('');
  console.log(
    formatTable([
      ['WRITE', 'CONNS', 'ROWS/S', 'P50 MS', 'P99 MS', 'MAX MS', 'NON-2XX', 'ERRORS', 'IO CPU µS/MSG'],
      ['IO POST /api/v1/messages (HTTP, checks, group commit)', String(connections), fixed(perSecond, 0), fixed(result.latency.p50, 1), fixed(result.latency.p99, 1), fixed(result.latency.max, 1), String(result.non2xx), String(result.errors), fixed(submitted.cpu.server, 0)],
      ['ceiling: single-row INSERT autocommit, same pool', String(connections), fixed(ceilingPerSecond, 0), fixed(percentile(ceiling.latencies, 50), 1), fixed(percentile(ceiling.latencies, 99), 1), fixed(Math.max(...ceiling.latencies), 1), '0', '0', '—'],
    ]),
  );
  console.log('');
  console.log(`Ratio to the ceiling: ${fixed(perSecond / ceilingPerSecond, 2)}× (targets: ≥ 3,000 messages/s, p99 ≤ 50 ms, ≥ 0.5× the ceiling)`);
  // Every 201 (the first request's, the warm-up's and the run's) must be a committed row.
  console.log(`Rows in io.messages: ${rows.toLocaleString('en')} for ${(submitted.responses - result.non2xx + 1).toLocaleString('en')} answers 201 (never fewer: requests cut when the load stops are committed unanswered)`);
  console.log('ROWS/S: accepted messages (201) over the measured seconds; latencies from autocannon’s histogram; the ceiling’s from each INSERT’s round trip.');
}

if (!serveIfChild(roles)) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
