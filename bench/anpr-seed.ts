// Seeding rate of the synthetic ANPR population (people per second), on a fresh database:
// PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL or the local default, a throw-away database is
// created and dropped) and, with --pglite, the embedded PGlite too.
//   node --import tsx bench/anpr-seed.ts [--people 100000] [--seed 1] [--concurrency 4] [--batch 5000] [--pglite]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase, sql, type Database } from '../src/core/db.ts';
import { migrateSchema } from '../src/core/migrations.ts';
import { anprMigrations } from '../src/platforms/anpr/migrations.ts';
import { seedPopulation, type SeedResult } from '../src/platforms/anpr/seed.ts';
import { fixed, formatTable, printHeader } from './support.ts';

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '4' },
    batch: { type: 'string', default: '5000' },
    pglite: { type: 'boolean', default: false },
  },
});
const people = Number(values.people);
const adminUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

async function run(label: string, database: Database): Promise<[string, SeedResult, number]> {
  await migrateSchema(database.db, 'anpr', anprMigrations);
  let last = 0;
  const result = await seedPopulation(database.db, {
    people,
    seed: Number(values.seed),
    batchSize: Number(values.batch),
    concurrency: Number(values.concurrency),
    onProgress: (p) => {
      if (p.people - last >= people / 10 || p.people === p.total) {
        last = p.people;
        process.stdout.write(`  ${label}: ${p.people.toLocaleString('en')} / ${p.total.toLocaleString('en')} people, ${Math.round(p.rate).toLocaleString('en')} people/s\n`);
      }
    },
  });
  const { rows } = await sql<{ bytes: number }>`select sum(pg_total_relation_size(c.oid))::bigint as bytes from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'anpr'`.execute(database.db);
  return [label, result, rows[0]!.bytes];
}

printHeader('ANPR population seeding', [
  `People: ${people.toLocaleString('en')}, seed ${values.seed}, batches of ${values.batch}, ${values.concurrency} in flight (PostgreSQL)`,
  'Generation (pure, on the main thread) + multi-row INSERT ... SELECT FROM unnest(arrays) of events, persons, family_members',
]);
const results: [string, SeedResult, number][] = [];

const name = `sportello_bench_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`create database ${name}`);
try {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir: os.tmpdir(), poolSize: Number(values.concurrency) + 2 });
  const version = (await sql<{ v: string }>`select current_setting('server_version') as v`.execute(database.db)).rows[0]!.v;
  results.push(await run(`PostgreSQL ${version}`, database));
  await database.close();
} finally {
  // Let the pool's connections finish closing before the drop terminates them (else pg emits an error).
  await new Promise((resolve) => setTimeout(resolve, 500));
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

if (values.pglite) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sportello-bench-'));
  const database = await openDatabase({ dataDir: dir });
  results.push(await run('PGlite', database));
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

console.log('');
console.log(
  formatTable([
    ['database', 'people', 'families', 'events', 'omocodia', 'seconds', 'people/s', 'MiB on disk'],
    ...results.map(([label, r, bytes]) => [label, String(r.people), String(r.families), String(r.events), String(r.omocodia), fixed(r.elapsedMs / 1000, 1), fixed(r.rate, 0), fixed(bytes / 2 ** 20, 0)]),
  ]),
);
