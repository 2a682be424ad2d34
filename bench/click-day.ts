// "Click day": many citizens submit the same service at once, on PostgreSQL. Each synthetic citizen is
// signed in by a session row stored as the login stores it (sessions.ts insertSession) and has a complete
// draft prepared in advance through the applications store; the bench measures the wizard's final submit
// POST /:tenant/servizi/:slug/domanda/:id?k=<idempotency key> (PDF, status 2000, timeline, protocol job and
// webhook outbox in one transaction), answered 303 to the receipt. Then crash safety: the comune process is
// SIGKILLed mid-run and restarted, the clients retry with the same key, and once the protocol jobs drain
// every accepted submission must exist once with gapless protocol numbers. Last, the SSR service page.
//   node --import tsx bench/click-day.ts [--submissions 3000] [--warmup 300] [--connections 50]
//     [--crash-submissions 1000] [--page-duration 10] [--no-baseline]
// The comune runs in a child process (as `sportello start comune`) on a fresh database
// sportello_bench_click_day; the load generator (keep-alive node:http, closed loop) in this process.
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase, sql, type Db } from '../src/core/db.ts';
import { csrfToken } from '../src/core/auth/csrf.ts';
import { insertSession, newSessionId } from '../src/core/auth/sessions.ts';
import { fiscalCodeCheckCharacter } from '../src/domain/fiscal-code.ts';
import { TenantRepository, type Tenant } from '../src/comune/tenants/tenants.ts';
import { ServiceRepository } from '../src/comune/catalog/services.ts';
import { FormRepository, type FormRecord } from '../src/comune/forms/forms.ts';
import { CitizenRepository } from '../src/comune/citizens/citizens.ts';
import { prefill } from '../src/comune/forms/prefill.ts';
import { validateSubmission } from '../src/comune/forms/validate.ts';
import type { Service } from '../src/comune/catalog/model.ts';
import { dateInItaly } from '../src/domain/dates.ts';
import { ApplicationStore } from '../src/comune/applications/store.ts';
import { REGISTER_APPLICATION_JOB } from '../src/comune/applications/register-job.ts';
import { diskDocumentStore } from '../src/comune/protocol/files.ts';
import type { CitizenLogin } from '../src/comune/context.ts';
import { baselineRoles, measureBaselines, RESULT_HEADER, type Load } from './baseline.ts';
import { cpuSeconds, fixed, formatTable, freePortsEnv, freshBenchDatabase, percentile, printHeader, serveIfChild, sleep, startBenchSystem, startChild, type ChildServer } from './support.ts';

const DATABASE = 'sportello_bench_click_day';
const SERVICE = 'accesso-agli-atti';
const TENANT = 'comune-di-bugliano';
const BENCH_CLIENT = 'sportello-bench-click-day';

interface ComuneServer {
  url: string;
  pid: number;
}

const roles = {
  ...baselineRoles,
  async comune([env, seed]: string[]) {
    const system = await startBenchSystem(['comune'], { env: JSON.parse(env!), seed: seed === 'seed' });
    return { info: { url: system.urls.comune, pid: process.pid } satisfies ComuneServer, stop: () => system.stop() };
  },
};

// --- Synthetic citizens with a complete draft -------------------------------------------------------------

interface Draft {
  tenant: string;
  applicationId: string;
  cookie: string;
  body: string;
  key: string;
  /** X-Forwarded-For: one client address per citizen (TRUST_PROXY loopback), as many citizens are. */
  address: string;
}

/** A valid fiscal code per index: the surname and name letters count in base 26. */
function syntheticFiscalCode(i: number): string {
  let letters = '';
  for (let n = i, k = 0; k < 6; k++, n = Math.floor(n / 26)) letters = String.fromCharCode(65 + (n % 26)) + letters;
  const first15 = `${letters}80A01G702`;
  return first15 + fiscalCodeCheckCharacter(first15);
}

/** The answers of the access request beyond the login's prefill: civic access, sent by e-mail. */
const ANSWERS = {
  applicantBirthDate: '1980-01-01',
  applicantResidence: { street: 'Via Roma', houseNumber: '1', postcode: '56000', comune: 'Bugliano', province: 'PI' },
  applicantEmail: 'cittadino@example.it',
  accessType: 'civico-semplice',
  documents: 'Delibera di giunta n. 12/2026',
  delivery: 'pec-email',
  truthful: true,
  privacy: true,
};

interface Target {
  tenant: Tenant;
  service: Service;
  form: FormRecord;
}

async function targetOf(db: Db, slug: string): Promise<Target> {
  const tenant = (await new TenantRepository(db).bySlug(slug))!;
  const service = (await new ServiceRepository(db).bySlug(tenant.id, SERVICE))!;
  const form = (await new FormRepository(db).latest(tenant.id, service.formId!))!;
  return { tenant, service, form };
}

/** Citizens `from`..`from+count-1` signed in to the target's ente, each with a complete draft of the service. */
async function prepareDrafts(db: Db, secret: string, dataDir: string, target: Target, from: number, count: number): Promise<Draft[]> {
  const { tenant, service, form } = target;
  const store = new ApplicationStore(db, diskDocumentStore(path.join(dataDir, 'documents')));
  const citizens = new CitizenRepository(db);
  const pages = form.schema.components.length;
  const drafts: Draft[] = new Array(count);
  let next = 0;
  const one = async (i: number): Promise<Draft> => {
    const fiscalCode = syntheticFiscalCode(from + i);
    const identity = { fiscalCode, givenName: 'Mario', familyName: `Cittadino ${from + i}`, birthdate: '1980-01-01', acr: 'https://www.spid.gov.it/SpidL2' };
    const citizen = await citizens.recordLogin(tenant.id, identity);
    const login: CitizenLogin = { tenantId: tenant.id, citizenId: citizen.id, fiscalCode, givenName: identity.givenName, familyName: identity.familyName, birthdate: identity.birthdate, provider: 'spid', acr: identity.acr, idToken: '', accessToken: '' };
    const prefilled = prefill(form.schema, { login: { ...identity, provider: 'spid' } });
    const data = { ...prefilled.data, ...ANSWERS };
    if (i === 0) {
      const check = validateSubmission(form.schema, data, { today: dateInItaly(new Date()), files: [], locked: {} });
      if (!check.ok) throw new Error(`the bench's answers are refused: ${JSON.stringify(check.errors)}`);
    }
    const actor = { kind: 'citizen', tenantId: tenant.id, fiscalCode, citizenId: citizen.id } as const;
    const draft = await store.createDraft(actor, tenant.id, {
      service: { id: service.id, name: service.content.it.name },
      form: { id: form.id, version: form.version },
      citizen: { id: citizen.id, fiscalCode, name: `${login.givenName} ${login.familyName}` },
      data,
    });
    const sessionId = newSessionId();
    const csrfSeed = randomBytes(16).toString('base64url');
    // As the wizard leaves it: signed in, the draft's prefill kept (journey/routes.ts prefillFor).
    await insertSession(db, 'comune', sessionId, { csrfSeed, citizen: login, journeyPrefill: { applicationId: draft.id, ...prefilled, anpr: 'not-connected' } });
    const body = new URLSearchParams({ _csrf: csrfToken(secret, csrfSeed), _page: String(pages), _action: 'submit' }).toString();
    return { tenant: tenant.slug, applicationId: draft.id, cookie: `sportello_sid=${sessionId}`, body, key: randomUUID(), address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` };
  };
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < count; i = next++) drafts[i] = await one(i);
    }),
  );
  return drafts;
}

// --- The load generator -----------------------------------------------------------------------------------

interface Answer {
  status: number;
  location?: string;
  ms: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });

function send(base: string, method: 'GET' | 'POST', pathname: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(new URL(pathname, base), { method, headers: body === undefined ? headers : { ...headers, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) }, agent }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, location: response.headers.location, ms: performance.now() - started }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

interface Outcome {
  draft: Draft;
  answer?: Answer;
  /** Attempts that failed on the connection (the server gone) before the answer. */
  retries: number;
}

const submitPath = (d: Draft) => `/${d.tenant}/servizi/${SERVICE}/domanda/${d.applicationId}?k=${d.key}`;
/** 303 to the application's receipt: the submit's answer, or a retry's once the first one was committed. */
const accepted = (o: Outcome) => o.answer?.status === 303 && (o.answer.location ?? '').includes(`/${o.draft.applicationId}`);


/**
 * Closed loop: `connections` clients, each submitting the next draft when its previous one is answered.
 * A connection error is retried with the same idempotency key (as a browser's resubmission would) until
 * `retryUntil` (ms since the epoch); without it, it counts as an error.
 */
async function submitAll(base: () => string, drafts: readonly Draft[], connections: number, retryUntil = 0, progress = { answered: 0 }): Promise<{ outcomes: Outcome[]; seconds: number }> {
  const outcomes: Outcome[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      for (let i = next++; i < drafts.length; i = next++) {
        const draft = drafts[i]!;
        const outcome: Outcome = { draft, retries: 0 };
        outcomes.push(outcome);
        for (;;) {
          try {
            outcome.answer = await send(base(), 'POST', submitPath(draft), { cookie: draft.cookie, 'x-forwarded-for': draft.address }, draft.body);
            progress.answered++;
            break;
          } catch {
            if (Date.now() > retryUntil) break;
            outcome.retries++;
            await sleep(200);
          }
        }
      }
    }),
  );
  return { outcomes, seconds: (performance.now() - started) / 1000 };
}

/** GETs of one path for `seconds`, closed loop. */
async function getFor(base: string, pathname: string, connections: number, seconds: number): Promise<{ answers: Answer[]; seconds: number }> {
  const answers: Answer[] = [];
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async (_, c) => {
      while (performance.now() < until) answers.push(await send(base, 'GET', pathname, { 'x-forwarded-for': `10.9.0.${c}` }));
    }),
  );
  return { answers, seconds: (performance.now() - started) / 1000 };
}

const ROW_HEADER = ['LOAD', 'CONNS', 'REQUESTS', 'REQ/S', 'P50 MS', 'P95 MS', 'P99 MS', 'MAX MS', 'REFUSED', 'ERRORS', 'CPU µS/REQ (COMUNE + PG)'];

function row(label: string, connections: number, ms: number[], seconds: number, refused: number, errors: number, cpu: [number, number]): string[] {
  const count = ms.length + refused + errors;
  return [label, String(connections), String(count), fixed(count / seconds, 0), fixed(percentile(ms, 50)), fixed(percentile(ms, 95)), fixed(percentile(ms, 99)), fixed(Math.max(...ms)), String(refused), String(errors), `${fixed(cpu[0], 0)} + ${fixed(cpu[1], 0)}`];
}

// --- Checks after the crash ----------------------------------------------------------------------------------

async function drained(db: Db, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from comune.jobs where kind = ${REGISTER_APPLICATION_JOB} and state in ('pending', 'running')`.execute(db);
    if (rows[0]!.n === 0) return true;
    await sleep(1000);
  }
  return false;
}

async function crashChecks(db: Db, tenantId: string, outcomes: readonly Outcome[]): Promise<string[][]> {
  const seen = outcomes.filter(accepted);
  const ids = seen.map((o) => o.draft.applicationId);
  const keys = new Map(outcomes.map((o) => [o.draft.applicationId, o.draft.key]));
  const { rows: apps } = await sql<{ id: string; status: number; idempotency_key: string | null; protocol_number: number | null; jobs: number; submits: number }>`
    select a.id, a.status, a.idempotency_key, a.protocol_number,
      (select count(*)::int from comune.jobs j where j.kind = ${REGISTER_APPLICATION_JOB} and j.payload->>'applicationId' = a.id::text) as jobs,
      (select count(*)::int from comune.application_events e where e.application_id = a.id and e.to_status = 2000) as submits
    from comune.applications a where a.tenant_id = ${tenantId}`.execute(db);
  const byId = new Map(apps.map((a) => [a.id, a]));
  const lost = ids.filter((id) => { const a = byId.get(id); return !a || a.status < 2000 || a.idempotency_key !== keys.get(id); });
  const submitted = apps.filter((a) => a.status >= 2000);
  const duplicated = submitted.filter((a) => a.jobs !== 1 || a.submits !== 1);
  const { rows: perCitizen } = await sql<{ n: number }>`
    select count(*)::int as n from (select citizen_fiscal_code from comune.applications where tenant_id = ${tenantId} group by 1 having count(*) > 1) t`.execute(db);
  const unregistered = submitted.filter((a) => a.protocol_number === null);
  const { rows: numbers } = await sql<{ n: number; distinct_n: number; lo: number | null; hi: number | null }>`
    select count(*)::int as n, count(distinct number)::int as distinct_n, min(number) as lo, max(number) as hi
    from comune.protocol_entries where tenant_id = ${tenantId}`.execute(db);
  const p = numbers[0]!;
  const gapless = p.n > 0 && p.distinct_n === p.n && p.lo === 1 && p.hi === p.n;
  const noAnswer = outcomes.filter((o) => !o.answer).length;
  const pass = (ok: boolean) => (ok ? 'pass' : 'FAIL');
  return [
    ['CHECK', 'FIGURE', 'RESULT'],
    ['accepted (303 to the receipt) by the clients', String(ids.length), pass(ids.length > 0)],
    ['accepted but missing, still a draft or another key (lost)', String(lost.length), pass(lost.length === 0)],
    ['submitted with ≠ 1 submit event or ≠ 1 protocol job (duplicated)', String(duplicated.length), pass(duplicated.length === 0)],
    ['citizens with more than one application (duplicated)', String(perCitizen[0]!.n), pass(perCitizen[0]!.n === 0)],
    ['submitted (incl. committed but unanswered before the kill)', String(submitted.length), pass(submitted.length >= ids.length)],
    ['submitted without a protocol number after the jobs drained', String(unregistered.length), pass(unregistered.length === 0)],
    [`protocol entries numbered 1..N without gaps or repeats`, `${p.n} entries, ${p.lo ?? '—'}..${p.hi ?? '—'}`, pass(gapless && p.n === submitted.length)],
    ['submissions never answered (retries ran out)', String(noAnswer), pass(noAnswer === 0)],
  ];
}

// --- Main ------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      submissions: { type: 'string', default: '3000' },
      warmup: { type: 'string', default: '300' },
      connections: { type: 'string', default: '50' },
      'crash-submissions': { type: 'string', default: '1000' },
      'page-duration': { type: 'string', default: '10' },
      'no-baseline': { type: 'boolean', default: false },
    },
  });
  const submissions = Number(values.submissions);
  const warmup = Number(values.warmup);
  const connections = Number(values.connections);
  const crashCount = Number(values['crash-submissions']);
  const pageSeconds = Number(values['page-duration']);
  printHeader(`Click day: the submit of ${SERVICE} by many citizens at once (PostgreSQL), crash safety, the service page`, [
    `Load:   ${submissions} submissions measured after ${warmup} of warm-up, ${connections} connections, closed loop; each a distinct signed-in citizen with a complete draft`,
    `Crash:  first, ${crashCount} submissions; the comune SIGKILLed once a third are answered, restarted, clients retry with the same key`,
    `Logs:   level ${process.env.LOG_LEVEL ?? 'warn'}`,
  ]);
  const databaseUrl = await freshBenchDatabase(DATABASE);
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sportello-click-day-'));
  const secret = randomBytes(32).toString('base64url');
  // Fixed across the restart: ports, database, documents (the protocol job reads the PDFs), the CSRF secret.
  const env = JSON.stringify({ ...(await freePortsEnv()), DATABASE_URL: databaseUrl, DATA_DIR: dataDir, SECRET: secret });
  const script = new URL(import.meta.url);
  let comune: ChildServer<ComuneServer> = await startChild<ComuneServer>(script, 'comune', [env, 'seed']);
  // Named, so that the PostgreSQL CPU counted is the comune's backends' alone (not the bench's, nor autovacuum's).
  const benchUrl = new URL(databaseUrl);
  benchUrl.searchParams.set('application_name', BENCH_CLIENT);
  const database = await openDatabase({ databaseUrl: benchUrl.href, dataDir, poolSize: 8 });
  const db = database.db;
  const rows = [ROW_HEADER];
  let checks: string[][] = [];
  try {
    const target = await targetOf(db, TENANT);
    let t = Date.now();
    const crashDrafts = await prepareDrafts(db, secret, dataDir, target, 0, crashCount);
    const drafts = await prepareDrafts(db, secret, dataDir, target, crashCount, warmup + submissions);
    console.log(`prepared ${drafts.length + crashDrafts.length} signed-in citizens with drafts in ${fixed((Date.now() - t) / 1000)} s`);
    const url = comune.info.url;

    // 2. Crash safety first, on a register still empty: SIGKILL once a third are answered, restart on the same port, clients retry.
    t = Date.now();
    let killedAt = 0;
    let restartedAfter = 0;
    const progress = { answered: 0 };
    const killer = (async () => {
      while (progress.answered < crashCount / 3) await sleep(20);
      process.kill(comune.info.pid, 'SIGKILL');
      killedAt = Date.now();
      comune = await startChild<ComuneServer>(script, 'comune', [env, 'no-seed']);
      restartedAfter = Date.now() - killedAt;
    })();
    const crashed = await submitAll(() => url, crashDrafts, connections, Date.now() + 120_000, progress);
    await killer;
    const retried = crashed.outcomes.filter((o) => o.retries > 0).length;
    console.log(`crash run: ${crashCount} submissions in ${fixed((Date.now() - t) / 1000)} s; killed after ${fixed((killedAt - t) / 1000)} s, back in ${fixed(restartedAfter / 1000)} s; ${retried} submissions retried`);
    const empty = await drained(db, 300_000);
    console.log(`registration jobs ${empty ? 'drained' : 'NOT drained after 300 s'} ${fixed((Date.now() - t) / 1000)} s after the crash run started`);
    checks = await crashChecks(db, target.tenant.id, crashed.outcomes);

    const backends = async () =>
      (await sql<{ pid: number }>`select pid from pg_stat_activity where datname = ${DATABASE} and backend_type = 'client backend' and application_name <> ${BENCH_CLIENT}`.execute(db)).rows.map((r) => r.pid);
    const cpu = async (): Promise<[number, number]> => [cpuSeconds([comune.info.pid]), cpuSeconds(await backends())];
    const perRequest = (before: [number, number], after: [number, number], n: number): [number, number] => [((after[0] - before[0]) * 1e6) / n, ((after[1] - before[1]) * 1e6) / n];

    // 1. The submit under load.
    await submitAll(() => url, drafts.slice(0, warmup), connections);
    // The warm-up's registrations done first: the window holds the load's submits and (with the drain below) their registrations alone.
    await drained(db, 300_000);
    let before = await cpu();
    const run = await submitAll(() => url, drafts.slice(warmup), connections);
    const ok = run.outcomes.filter(accepted);
    rows.push(row('submit POST …/domanda/:id?k= (303)', connections, ok.map((o) => o.answer!.ms), run.seconds, run.outcomes.filter((o) => o.answer && !accepted(o)).length, run.outcomes.filter((o) => !o.answer).length, perRequest(before, await cpu(), run.outcomes.length)));
    const { rows: outbox } = await sql<{ kind: string; n: number }>`select kind, count(*)::int as n from comune.jobs group by kind order by kind`.execute(db);
    console.log(`measured the submit: ${fixed(run.outcomes.length / run.seconds, 0)} req/s; jobs (outbox) rows: ${outbox.map((r) => `${r.kind} ${r.n}`).join(', ')}`);

    // The protocol registrations of the load run in the same process: let them finish before the GETs.
    t = Date.now();
    const beforeDrain = await cpu();
    const registered = await drained(db, 600_000);
    const afterDrain = await cpu();
    console.log(`registration jobs of the load ${registered ? 'drained' : 'NOT drained'} in ${fixed((Date.now() - t) / 1000)} s after the load (${fixed((warmup + submissions) / ((Date.now() - t) / 1000 + run.seconds), 0)} registrations/s at most)`);
    // The registrations the load left behind, and each application all told (its submit, its registration): what the ente's cores pay per application.
    const [drainComune, drainPg] = perRequest(beforeDrain, afterDrain, 1);
    const { rows: left } = await sql<{ n: number }>`select count(*)::int as n from comune.jobs where kind = ${REGISTER_APPLICATION_JOB} and finished_at >= ${new Date(t)}`.execute(db);
    const whole = perRequest(before, afterDrain, run.outcomes.length);
    console.log(`CPU after the load: ${fixed(drainComune / 1e6, 1)} s comune + ${fixed(drainPg / 1e6, 1)} s PostgreSQL for the ${left[0]!.n} registrations left; per application submitted and registered (load and drain): ${fixed(whole[0], 0)} + ${fixed(whole[1], 0)} µs (comune + PostgreSQL)`);

    // The same generator on the comune's GET /health (select 1): the ceiling of this process and database.
    before = await cpu();
    const health = await getFor(url, '/health', connections, 5);
    rows.push(row('comune GET /health (select 1)', connections, health.answers.filter((a) => a.status === 200).map((a) => a.ms), health.seconds, health.answers.filter((a) => a.status !== 200).length, 0, perRequest(before, await cpu(), health.answers.length)));

    // 3. The service page, server-rendered.
    const page = `/${TENANT}/servizi/${SERVICE}`;
    if ((await send(url, 'GET', page, {})).status !== 200) throw new Error(`${page} does not answer 200`);
    await getFor(url, page, connections, 2);
    before = await cpu();
    const pages = await getFor(url, page, connections, pageSeconds);
    rows.push(row(`service page GET ${page}`, connections, pages.answers.filter((a) => a.status === 200).map((a) => a.ms), pages.seconds, pages.answers.filter((a) => a.status !== 200).length, 0, perRequest(before, await cpu(), pages.answers.length)));
    for (const c of [1, 10]) {
      const few = await getFor(url, page, c, 5);
      rows.push(row(`service page GET ${page}`, c, few.answers.filter((a) => a.status === 200).map((a) => a.ms), few.seconds, few.answers.filter((a) => a.status !== 200).length, 0, [NaN, NaN]));
    }
  } finally {
    await comune.stop();
    await database.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
  const baseline: string[][] = [];
  if (!values['no-baseline']) baseline.push(RESULT_HEADER, ...(await measureBaselines(script, ['fastify', 'stack'], { connections, duration: 5, warmup: 1 } satisfies Load)));
  agent.destroy();
  console.log(`\n${formatTable(rows)}\n`);
  if (baseline.length) console.log(`HTTP ceiling (autocannon), same run:\n${formatTable(baseline)}\n`);
  console.log(`Crash safety (${TENANT}, before the load):\n${formatTable(checks)}\n`);
  console.log('REQUESTS counts every answer and error; latencies of the accepted ones (303 to the receipt for the submit, 200 for GETs); CPU: the comune process and its PostgreSQL backends per request.');
}

if (!serveIfChild(roles)) await main();
