// ANPR certificates per second on the demo population, as the citizen area asks for them: issueCertificate
// (who may, the record as of the day, the snapshot, the tagged PDF with its QR code, the row and the audit
// entry in one transaction) for the 12 demo citizens and their families, kinds in turn (residenza, stato di
// famiglia with relationships, contestuale, anagrafico di nascita, esistenza in vita). Also the PDF alone
// (certificatePdf from a stored content), the ceiling of one process. On the embedded PGlite (as `npm start`)
// and, when reachable, on PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL or the local default; a
// throw-away database is created and dropped) with several certificates in flight.
//   node --import tsx bench/anpr-certificates.ts [--count 400] [--concurrency 4] [--no-postgres]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase, sql, type Database, type Executor } from '../src/core/db.ts';
import { migrateSchema } from '../src/core/migrations.ts';
import { todayUtc } from '../src/domain/dates.ts';
import { demoPeople } from '../src/domain/demo-people.ts';
import { certificatePdf } from '../src/platforms/anpr/certificates/certificate-pdf.ts';
import { issueCertificate } from '../src/platforms/anpr/certificates/service.ts';
import { anprMigrations } from '../src/platforms/anpr/migrations.ts';
import { seedDemoPopulation } from '../src/platforms/anpr/seed.ts';
import { documentRunCells, fixed, formatTable, printHeader, type DocumentRun } from './support.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '4' },
    'no-postgres': { type: 'boolean', default: false },
  },
});
const COUNT = Number(values.count);
const CONCURRENCY = Number(values.concurrency);
const KINDS = ['residenza', 'stato-di-famiglia-parentela', 'contestuale', 'nascita', 'esistenza-in-vita'] as const;
const PUBLIC_URL = 'https://anpr.example';
const adminUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const today = todayUtc();

interface Request {
  requester: string;
  subject: string;
  kind: (typeof KINDS)[number];
}

/** Each demo citizen asks for themselves and for each member of their family, kinds in turn. */
async function requests(db: Executor): Promise<Request[]> {
  const out: Request[] = [];
  for (const person of demoPeople) {
    const { rows } = await sql<{ fiscal_code: string }>`select m.fiscal_code from anpr.persons p join anpr.persons m on m.family_id = p.family_id
      where p.fiscal_code = ${person.fiscalCode} and m.status <> 'deceased' order by m.fiscal_code`.execute(db);
    for (const m of rows) out.push({ requester: person.fiscalCode, subject: m.fiscal_code, kind: KINDS[out.length % KINDS.length]! });
  }
  return out;
}

async function run(label: string, work: readonly Request[], db: Executor, inFlight: number): Promise<DocumentRun> {
  const latencies: number[] = [];
  const bytes: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < COUNT) {
        const r = work[next++ % work.length]!;
        const t0 = performance.now();
        const { pdf } = await issueCertificate(db, { requesterFiscalCode: r.requester, subjectFiscalCode: r.subject, kind: r.kind, use: 'pensione', today, publicUrl: PUBLIC_URL });
        latencies.push(performance.now() - t0);
        bytes.push(pdf.length);
      }
    }),
  );
  return { label, count: latencies.length, seconds: (performance.now() - started) / 1000, latencies, bytes };
}

async function bench(label: string, database: Database, concurrencies: number[]): Promise<DocumentRun[]> {
  const t0 = performance.now();
  await migrateSchema(database.db, 'anpr', anprMigrations);
  await seedDemoPopulation(database.db);
  const work = await requests(database.db);
  process.stdout.write(`  ${label}: demo population ready in ${fixed((performance.now() - t0) / 1000)} s, ${work.length} requester/subject pairs\n`);
  // Warm-up: fonts, the QR encoder, the JIT and the database's caches.
  for (const r of work.slice(0, 20)) await issueCertificate(database.db, { requesterFiscalCode: r.requester, subjectFiscalCode: r.subject, kind: r.kind, use: 'pensione', today, publicUrl: PUBLIC_URL });
  const rows: DocumentRun[] = [];
  for (const c of concurrencies) rows.push(await run(`${label}, ${c} in flight`, work, database.db, c));
  return rows;
}

/** The PDF alone, from one stored content: what a process can render with no database at all. */
async function renderOnly(database: Database): Promise<DocumentRun> {
  const { rows } = await sql<{ code: string; content: never; issued_at: Date }>`select code, content, issued_at from anpr.certificates where kind = 'contestuale' limit 1`.execute(database.db);
  const c = rows[0]!;
  const latencies: number[] = [];
  const bytes: number[] = [];
  const started = performance.now();
  for (let i = 0; i < COUNT; i++) {
    const t0 = performance.now();
    const pdf = await certificatePdf({ content: c.content, code: c.code, verifyUrl: `${PUBLIC_URL}/verifica/${c.code}`, issuedAt: new Date(c.issued_at) });
    latencies.push(performance.now() - t0);
    bytes.push(pdf.length);
  }
  return { label: 'PDF only (contestuale), no database', count: COUNT, seconds: (performance.now() - started) / 1000, latencies, bytes };
}

printHeader('ANPR certificates (issue + PDF)', [
  `Certificates: ${COUNT} per run, kinds in turn: ${KINDS.join(', ')}; exempt use (pensione)`,
  'Each: requester and subject read as of today, rules, snapshot, tagged PDF with QR code, SHA-256, insert + audit in one transaction',
]);

const results: DocumentRun[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sportello-bench-'));
const embedded = await openDatabase({ dataDir: dir });
try {
  // PGlite runs one statement at a time: one in flight is its case.
  results.push(...(await bench('PGlite', embedded, [1])));
  results.push(await renderOnly(embedded));
} finally {
  await embedded.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

if (!values['no-postgres']) {
  const name = `sportello_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  const reachable = await admin.connect().then(
    () => true,
    (err: Error) => (console.log(`  PostgreSQL unreachable at ${adminUrl.replace(/:[^:@/]*@/, ':***@')} (${err.message}): skipped`), false),
  );
  if (reachable) {
    await admin.query(`create database ${name}`);
    try {
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      const database = await openDatabase({ databaseUrl: url.toString(), dataDir: os.tmpdir(), poolSize: CONCURRENCY + 2 });
      const version = (await sql<{ v: string }>`select current_setting('server_version') as v`.execute(database.db)).rows[0]!.v;
      results.push(...(await bench(`PostgreSQL ${version}`, database, [1, CONCURRENCY])));
      await database.close();
    } finally {
      // Let the pool's connections finish closing before the drop terminates them.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  }
}

console.log('');
console.log(
  formatTable([
    ['run', 'certificates', 'seconds', 'PDFs/s', 'p50 ms', 'p95 ms', 'p99 ms', 'KiB/PDF'],
    ...results.map(documentRunCells),
  ]),
);
