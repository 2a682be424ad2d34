// Bulk dues: one CSV of 100,000 rows uploaded by the tenant admin through the back-office form, until every
// row is a published debt position on pagoPA with its notice numbers, on PostgreSQL. Measures the upload
// request (read, check and store every row), the job (files of 10,000 sent to pagoPA's massive upload, whose
// job creates them in chunks of multi-row inserts) and the whole; then counts what the databases hold.
//   node --import tsx bench/dues-csv.ts [--rows 100000] [--installments 3]
// pagoPA runs in a child process and the comune in this one (as `sportello start pagopa` and `start comune`
// would, so the two apps use two cores), on a fresh database sportello_bench_dues; the admin's browser is a fetch client.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql } from '../src/core/db.ts';
import { DEMO_STAFF } from '../src/comune/seed.ts';
import { WebClient } from '../test/support/web-client.ts';
import { duesCsv } from '../test/comune/payments-dues-fixtures.ts';
import { cpuSeconds, fixed, formatTable, freePortsEnv, freshBenchDatabase, printHeader, serveIfChild, sleep, startBenchSystem, startChild } from './support.ts';

const DATABASE = 'sportello_bench_dues';
const TENANT = 'comune-di-bugliano';
const PATH = `/${TENANT}/backoffice/pagamenti/dovuti`;
const TARGET_SECONDS = 20;

const roles = {
  async pagopa([env]: string[]) {
    const system = await startBenchSystem(['pagopa'], { env: JSON.parse(env!) });
    return { info: { pid: process.pid }, stop: () => system.stop() };
  },
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' }, installments: { type: 'string', default: '3' } } });
  const rows = Number(values.rows);
  const file = duesCsv({ rows, installments: Number(values.installments) });
  printHeader('Bulk dues from one CSV (comune → pagoPA massive upload)', [
    `${rows.toLocaleString('en')} rows (${fixed(file.length / 2 ** 20)} MiB), every third in ${values.installments} monthly installments; target ≤ ${TARGET_SECONDS} s to published positions`,
  ]);
  // One configuration for both processes: the same ports and the same SECRET, from which both derive the demo ente's key.
  const env = { ...(await freePortsEnv()), DATABASE_URL: await freshBenchDatabase(DATABASE), SECRET: randomBytes(32).toString('base64url'), LOGIN_RATE_LIMIT: '1000', LOG_LEVEL: process.env.LOG_LEVEL ?? 'error' };
  const pagopa = await startChild<{ pid: number }>(new URL(import.meta.url), 'pagopa', [JSON.stringify(env)]);
  const system = await startBenchSystem(['comune'], { env });
  const db = system.ctx.database.db;
  try {
    const admin = DEMO_STAFF.find((s) => s.tenantSlug === TENANT && s.role === 'tenant_admin')!;
    const browser = new WebClient();
    const login = `${system.urls.comune}/${TENANT}/backoffice/accedi`;
    await browser.submit(await browser.visit(login), '/backoffice/accedi', { email: admin.email, password: admin.password });
    const page = await browser.visit(`${system.urls.comune}${PATH}`);
    const form = new FormData();
    form.set('_csrf', /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!);
    form.set('chapter', '3050/1');
    form.set('file', new Blob([file], { type: 'text/csv' }), 'tari-2027.csv');

    // PostgreSQL's CPU: the backends of this database (the apps' pools stay connected through the run).
    const backends = async () => (await sql<{ pid: number }>`select pid from pg_stat_activity where datname = ${DATABASE}`.execute(db)).rows.map((r) => r.pid);
    const pgBefore = cpuSeconds(await backends());
    const nodeBefore = process.cpuUsage();
    const pagopaBefore = cpuSeconds([pagopa.info.pid]);
    const started = performance.now();
    const response = await browser.request(`${system.urls.comune}${PATH}`, { method: 'POST', body: form, redirect: 'manual' });
    const stored = performance.now();
    if (response.status !== 303) throw new Error(`upload answered ${response.status}: ${(await response.text()).slice(0, 500)}`);
    const uploadId = response.headers.get('location')!.split('/').at(-1)!;
    let firstFileSent = 0;
    for (;;) {
      const { rows: state } = await sql<{ state: string; sent: number }>`
        select u.state, (select count(*)::int from comune.dues_batches b where b.upload_id = u.id and b.pagopa_upload_id is not null) as sent
        from comune.dues_uploads u where u.id = ${uploadId}`.execute(db);
      if (!firstFileSent && state[0]!.sent > 0) firstFileSent = performance.now();
      if (state[0]!.state === 'done') break;
      await sleep(50);
    }
    const finished = performance.now();
    const nodeCpu = process.cpuUsage(nodeBefore);
    const pagopaCpu = cpuSeconds([pagopa.info.pid]) - pagopaBefore;
    const pgCpu = cpuSeconds(await backends()) - pgBefore;

    const count = async (query: ReturnType<typeof sql<{ n: number }>>) => (await query.execute(db)).rows[0]!.n;
    const created = await count(sql`select count(*)::int as n from comune.dues_rows where upload_id = ${uploadId} and outcome = 'created'`);
    const withNavs = await count(sql`select count(*)::int as n from comune.dues_rows where upload_id = ${uploadId} and outcome = 'created' and cardinality(navs) = installments`);
    const notCreated = await count(sql`select count(*)::int as n from comune.dues_rows where upload_id = ${uploadId} and outcome <> 'created'`);
    const positions = await count(sql`select count(*)::int as n from pagopa.debt_positions where iupd like 'DOV-%' and status = 'VALID' and publish_date is not null`);
    const options = await count(sql`select count(*)::int as n from pagopa.payment_options o join pagopa.debt_positions p on p.id = o.position_id where p.iupd like 'DOV-%'`);
    const navs = await count(sql`select count(distinct o.nav)::int as n from pagopa.payment_options o join pagopa.debt_positions p on p.id = o.position_id where p.iupd like 'DOV-%'`);
    const transfers = await count(sql`select count(*)::int as n from pagopa.transfers t join pagopa.payment_options o on o.id = t.option_id join pagopa.debt_positions p on p.id = o.position_id where p.iupd like 'DOV-%'`);
    const expectedOptions = await count(sql`select sum(installments)::int as n from comune.dues_rows where upload_id = ${uploadId}`);

    const total = (finished - started) / 1000;
    console.log(
      formatTable([
        ['phase', 'seconds', 'rows/s'],
        ['upload request (read, check, store rows, enqueue)', fixed((stored - started) / 1000, 2), fixed(rows / ((stored - started) / 1000), 0)],
        ['job: stored → first file accepted by pagoPA', fixed(((firstFileSent || stored) - stored) / 1000, 2), ''],
        ['job: pagoPA creates and publishes, reports recorded', fixed((finished - (firstFileSent || stored)) / 1000, 2), ''],
        ['total: file sent → every position published', fixed(total, 2), fixed(rows / total, 0)],
      ]),
    );
    console.log('');
    console.log(
      formatTable([
        ['check', 'count', 'expected'],
        ['comune rows created', String(created), String(rows)],
        ['  of which with every notice number', String(withNavs), String(rows)],
        ['comune rows not created', String(notCreated), '0'],
        ['pagoPA positions VALID and published', String(positions), String(rows)],
        ['pagoPA payment options (installments)', String(options), String(expectedOptions)],
        ['distinct notice numbers', String(navs), String(expectedOptions)],
        ['pagoPA transfers', String(transfers), String(expectedOptions)],
      ]),
    );
    console.log(`\nCPU during the run: comune ${fixed((nodeCpu.user + nodeCpu.system) / 1e6)} s, pagoPA ${fixed(pagopaCpu)} s, PostgreSQL backends ${fixed(pgCpu)} s, over ${fixed(total)} s of wall time.`);
    const ok = created === rows && withNavs === rows && positions === rows && options === expectedOptions && navs === expectedOptions && transfers === expectedOptions;
    console.log(`\n${ok ? 'OK' : 'MISMATCH'}: ${fixed(total, 1)} s for ${rows.toLocaleString('en')} rows (target ≤ ${TARGET_SECONDS} s: ${total <= TARGET_SECONDS ? 'met' : 'not met'})`);
    if (!ok) process.exitCode = 1;
  } finally {
    await system.stop();
    await pagopa.stop();
  }
}

if (!serveIfChild(roles)) await main();
