import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { sql, transaction } from './db.ts';
import { migrateSchema, sqlMigration } from './migrations.ts';
import {
  BACKOFF_BASE_MS,
  BACKOFF_MAX_MS,
  LeaseLostError,
  PermanentJobError,
  backoffDelay,
  countJobs,
  createJobWorker,
  enqueue,
  errorText,
  failureOutcome,
  getJob,
  jobMigrations,
  listJobs,
  retryDeadJob,
  type JobHandler,
  type JobWorkerOptions,
} from './jobs.ts';
import { withTestDatabases } from '../../test/support/database.ts';

const logger = pino({ level: 'silent' });
const SCHEMA = 'jobs_test';

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('Timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('backoffDelay', () => {
  it('doubles per attempt, between half and all of the exponential delay', () => {
    expect(backoffDelay(1, () => 0)).toBe(BACKOFF_BASE_MS / 2);
    expect(backoffDelay(1, () => 1)).toBe(BACKOFF_BASE_MS);
    expect(backoffDelay(3, () => 0)).toBe(2 * BACKOFF_BASE_MS);
    expect(backoffDelay(3, () => 1)).toBe(4 * BACKOFF_BASE_MS);
    for (let attempt = 1; attempt < 10; attempt++) {
      const delay = backoffDelay(attempt);
      expect(delay).toBeGreaterThanOrEqual((BACKOFF_BASE_MS * 2 ** (attempt - 1)) / 2);
      expect(delay).toBeLessThanOrEqual(BACKOFF_BASE_MS * 2 ** (attempt - 1));
    }
  });

  it('is capped', () => {
    expect(backoffDelay(40, () => 1)).toBe(BACKOFF_MAX_MS);
    expect(backoffDelay(1000, () => 0)).toBe(BACKOFF_MAX_MS / 2);
  });
});

describe('failureOutcome', () => {
  it('retries until the last attempt, then goes dead', () => {
    expect(failureOutcome(1, 3, new Error('x'), () => 42)).toEqual({ state: 'pending', delayMs: 42 });
    expect(failureOutcome(3, 3, new Error('x'), () => 42)).toEqual({ state: 'dead' });
  });
  it('gives up at once on a permanent error', () => {
    expect(failureOutcome(1, 10, new PermanentJobError('bad payload'))).toEqual({ state: 'dead' });
  });
  it('keeps a bounded error text', () => {
    expect(errorText(new TypeError('no'))).toBe('TypeError: no');
    expect(errorText('plain')).toBe('plain');
    expect(errorText(new Error('x'.repeat(5000))).length).toBe(2000);
  });
});

await withTestDatabases('jobs', ({ name, database }) => {
  const db = () => database().db;
  const worker = (handlers: Record<string, JobHandler>, options: Partial<JobWorkerOptions> = {}) =>
    createJobWorker({ db: db(), schema: SCHEMA, handlers, logger, retryDelay: () => 0, ...options });
  const effects = async (kind: string) =>
    (await sql<{ job_id: number }>`select job_id from jobs_test.effects where kind = ${kind} order by id`.execute(db())).rows.map((r) => r.job_id);

  it('migrates', async () => {
    await migrateSchema(db(), SCHEMA, [
      ...jobMigrations,
      sqlMigration('test.effects', `create table {schema}.effects (id bigserial primary key, kind text not null, job_id bigint not null)`),
    ]);
  });

  it('enqueues with the business transaction: a rollback leaves no job', async () => {
    await expect(
      transaction(db(), async (tx) => {
        await enqueue(tx, SCHEMA, { kind: 'rollback', payload: { n: 1 } });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect(await listJobs(db(), SCHEMA, { kind: 'rollback' })).toEqual([]);

    const { job } = await transaction(db(), (tx) => enqueue(tx, SCHEMA, { kind: 'rollback', payload: { n: 2, list: [1, 'a'] } }));
    expect(job).toMatchObject({ kind: 'rollback', payload: { n: 2, list: [1, 'a'] }, state: 'pending', attempts: 0, maxAttempts: 12 });
    expect(job.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('returns the existing job for a repeated idempotency key (per kind)', async () => {
    const first = await enqueue(db(), SCHEMA, { kind: 'idem', payload: { v: 1 }, idempotencyKey: 'order-7' });
    const again = await transaction(db(), (tx) => enqueue(tx, SCHEMA, { kind: 'idem', payload: { v: 2 }, idempotencyKey: 'order-7' }));
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, job: { id: first.job.id, payload: { v: 1 } } });
    const otherKind = await enqueue(db(), SCHEMA, { kind: 'idem-other', idempotencyKey: 'order-7' });
    expect(otherKind.created).toBe(true);

    const seen: string[] = [];
    expect(await worker({ idem: async (_p, ctx) => void seen.push(ctx.idempotencyKey) }).drain()).toBe(1);
    expect(seen).toEqual(['order-7']);
  });

  it('retries a failing job, then succeeds', async () => {
    const { job } = await enqueue(db(), SCHEMA, { kind: 'flaky', payload: { to: 'a@example.org' }, idempotencyKey: 'flaky-1' });
    const calls: { attempt: number; key: string; payload: unknown }[] = [];
    const ran = await worker({
      flaky: async (payload, ctx) => {
        calls.push({ attempt: ctx.attempt, key: ctx.idempotencyKey, payload });
        if (ctx.attempt < 3) throw new Error(`boom ${ctx.attempt}`);
      },
    }).drain();
    expect(ran).toBe(3);
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(new Set(calls.map((c) => c.key))).toEqual(new Set(['flaky-1']));
    expect(calls[2]!.payload).toEqual({ to: 'a@example.org' });
    expect(await getJob(db(), SCHEMA, job.id)).toMatchObject({ state: 'done', attempts: 3, lastError: 'Error: boom 2', lockedUntil: null });
  });

  it('waits the backoff delay before retrying', async () => {
    const { job } = await enqueue(db(), SCHEMA, { kind: 'later' });
    const w = worker({ later: async () => Promise.reject(new Error('down')) }, { retryDelay: backoffDelay });
    expect(await w.drain()).toBe(1);
    const failed = (await getJob(db(), SCHEMA, job.id))!;
    expect(failed.state).toBe('pending');
    expect(failed.runAt.getTime() - failed.updatedAt.getTime()).toBeGreaterThanOrEqual(BACKOFF_BASE_MS / 2 - 1);
    expect(await w.drain()).toBe(0);
  });

  it('moves a job to dead after maxAttempts, keeping the last error, and can retry it', async () => {
    const { job } = await enqueue(db(), SCHEMA, { kind: 'doomed', maxAttempts: 2 });
    let healthy = false;
    const w = worker({
      doomed: async (_p, ctx) => {
        if (!healthy) throw new Error(`nope ${ctx.attempt}`);
      },
    });
    expect(await w.drain()).toBe(2);
    const dead = (await getJob(db(), SCHEMA, job.id))!;
    expect(dead).toMatchObject({ state: 'dead', attempts: 2, lastError: 'Error: nope 2' });
    expect(dead.finishedAt).toBeInstanceOf(Date);
    expect((await listJobs(db(), SCHEMA, { state: 'dead', kind: 'doomed' })).map((j) => j.id)).toEqual([job.id]);

    healthy = true;
    expect(await retryDeadJob(db(), SCHEMA, job.id)).toBe(true);
    expect(await retryDeadJob(db(), SCHEMA, job.id)).toBe(false);
    expect(await w.drain()).toBe(1);
    expect(await getJob(db(), SCHEMA, job.id)).toMatchObject({ state: 'done', attempts: 1 });
  });

  it('gives up at once on PermanentJobError', async () => {
    const { job } = await enqueue(db(), SCHEMA, { kind: 'invalid' });
    await worker({ invalid: () => Promise.reject(new PermanentJobError('no such practice')) }).drain();
    expect(await getJob(db(), SCHEMA, job.id)).toMatchObject({ state: 'dead', attempts: 1, lastError: 'PermanentJobError: no such practice' });
  });

  it('commits ctx.transaction effects together with the completion', async () => {
    const { job } = await enqueue(db(), SCHEMA, { kind: 'atomic' });
    await worker({
      atomic: async (_p, ctx) => {
        await ctx.transaction(async (tx) => {
          await sql`insert into jobs_test.effects (kind, job_id) values ('atomic', ${ctx.jobId})`.execute(tx);
          if (ctx.attempt === 1) throw new Error('failed after writing');
        });
      },
    }).drain();
    expect(await effects('atomic')).toEqual([job.id]);
    expect(await getJob(db(), SCHEMA, job.id)).toMatchObject({ state: 'done', attempts: 2 });
  });

  it("takes over a crashed worker's job once its lease has expired", async () => {
    const { job: crashed } = await enqueue(db(), SCHEMA, { kind: 'lease' });
    const { job: alive } = await enqueue(db(), SCHEMA, { kind: 'lease' });
    // What a worker leaves behind when it dies mid-job: running, leased, never reported back.
    const leave = (id: number, until: string) =>
      sql`update jobs_test.jobs set state = 'running', attempts = 1, lock_token = gen_random_uuid(),
            locked_until = now() + ${until}::interval where id = ${id}`.execute(db());
    await leave(crashed.id, '-1 second');
    await leave(alive.id, '1 minute');
    const seen: number[] = [];
    expect(await worker({ lease: async (_p, ctx) => void seen.push(ctx.attempt) }).drain()).toBe(1);
    expect(seen).toEqual([2]);
    expect(await getJob(db(), SCHEMA, crashed.id)).toMatchObject({ state: 'done', attempts: 2, lastError: expect.stringContaining('lease expired') });
    expect(await getJob(db(), SCHEMA, alive.id)).toMatchObject({ state: 'running', attempts: 1 });
  });

  it('sends a job whose last attempt crashed to dead instead of running it again', async () => {
    const { job } = await enqueue(db(), SCHEMA, { kind: 'poison', maxAttempts: 1 });
    await sql`update jobs_test.jobs set state = 'running', attempts = 1, lock_token = gen_random_uuid(),
              locked_until = now() - interval '1 second' where id = ${job.id}`.execute(db());
    expect(await worker({ poison: async () => undefined }).drain()).toBe(0);
    expect(await getJob(db(), SCHEMA, job.id)).toMatchObject({ state: 'dead', lastError: expect.stringContaining('last attempt') });
  });

  it("discards a stale worker's outcome after another took its job over (fencing)", async () => {
    const { job } = await enqueue(db(), SCHEMA, { kind: 'fenced' });
    const started = deferred();
    const release = deferred();
    const staleErrors: unknown[] = [];
    const stale = worker(
      {
        fenced: async (_p, ctx) => {
          started.resolve();
          await release.promise;
          await ctx.transaction(async (tx) => void (await sql`insert into jobs_test.effects (kind, job_id) values ('fenced', ${ctx.jobId})`.execute(tx))).catch((err) => {
            staleErrors.push(err);
            throw err;
          });
        },
      },
      { leaseMs: 60_000, pollIntervalMs: 10 },
    );
    await stale.start();
    await started.promise;
    // The stale worker stalls past its lease (a long GC pause, a network partition...).
    await sql`update jobs_test.jobs set locked_until = now() - interval '1 second' where id = ${job.id}`.execute(db());
    const takeover = worker({
      fenced: (_p, ctx) => ctx.transaction(async (tx) => void (await sql`insert into jobs_test.effects (kind, job_id) values ('fenced', ${ctx.jobId})`.execute(tx))),
    });
    expect(await takeover.drain()).toBe(1);
    release.resolve();
    await stale.stop();
    expect(staleErrors).toHaveLength(1);
    expect(staleErrors[0]).toBeInstanceOf(LeaseLostError);
    expect(await effects('fenced')).toEqual([job.id]);
    expect(await getJob(db(), SCHEMA, job.id)).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('runs up to `concurrency` jobs at once and stops gracefully, waiting for running jobs', async () => {
    for (let i = 0; i < 9; i++) await enqueue(db(), SCHEMA, { kind: 'parallel', payload: { i } });
    let running = 0;
    let peak = 0;
    const w = worker(
      {
        parallel: async () => {
          peak = Math.max(peak, ++running);
          await new Promise((resolve) => setTimeout(resolve, 30));
          running--;
        },
      },
      { concurrency: 3, pollIntervalMs: 10 },
    );
    await w.start();
    await expect(w.start()).rejects.toThrow('already started');
    await waitFor(async () => (await listJobs(db(), SCHEMA, { kind: 'parallel', state: 'pending' })).length === 0);
    await w.stop();
    expect(running).toBe(0);
    expect(peak).toBe(3);
    expect(await listJobs(db(), SCHEMA, { kind: 'parallel', state: 'done' })).toHaveLength(9);
  });

  it('stop() lets the running job finish and claims nothing more', async () => {
    const { job: first } = await enqueue(db(), SCHEMA, { kind: 'graceful' });
    const started = deferred();
    const w = worker(
      {
        graceful: async () => {
          started.resolve();
          await new Promise((resolve) => setTimeout(resolve, 150));
        },
      },
      { pollIntervalMs: 10 },
    );
    await w.start();
    await started.promise;
    const { job: second } = await enqueue(db(), SCHEMA, { kind: 'graceful' });
    await w.stop();
    expect(await getJob(db(), SCHEMA, first.id)).toMatchObject({ state: 'done' });
    expect(await getJob(db(), SCHEMA, second.id)).toMatchObject({ state: 'pending', attempts: 0 });
  });

  it('pages job lists newest first and counts jobs by state', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await enqueue(db(), SCHEMA, { kind: 'listed' })).job.id);
    const page1 = await listJobs(db(), SCHEMA, { kind: 'listed', limit: 2 });
    expect(page1.map((j) => j.id)).toEqual([ids[2], ids[1]]);
    expect((await listJobs(db(), SCHEMA, { kind: 'listed', before: page1[1]!.id })).map((j) => j.id)).toEqual([ids[0]]);
    const counts = await countJobs(db(), SCHEMA);
    expect(Object.keys(counts).sort()).toEqual(['dead', 'done', 'pending', 'running']);
    expect(counts.pending).toBeGreaterThanOrEqual(3);
  });

  it.runIf(name === 'postgres')('wakes up on NOTIFY when a job commits, without waiting for the poll', async () => {
    const url = database().url!;
    const done = deferred();
    const w = worker({ notified: async () => done.resolve() }, { pollIntervalMs: 60_000, listenUrl: url });
    await w.start();
    await new Promise((resolve) => setTimeout(resolve, 100)); // past the first, empty poll
    const enqueuedAt = Date.now();
    await transaction(db(), (tx) => enqueue(tx, SCHEMA, { kind: 'notified' }));
    await done.promise;
    expect(Date.now() - enqueuedAt).toBeLessThan(2_000);
    await w.stop();
  });
});
