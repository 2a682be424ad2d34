// Durable background jobs with a transactional outbox: a job is a row written in the same
// transaction as the business change, so it exists if and only if that change committed.
//
// Delivery is AT LEAST ONCE. A worker that crashes (or stalls past its lease) after doing a side
// effect but before recording completion will see the job run again. Handlers must therefore be
// idempotent:
//   - database effects: write them with `ctx.transaction(tx => ...)`, which commits them together
//     with the job's completion, so they happen exactly once;
//   - external effects: pass `ctx.idempotencyKey` downstream (e-mail Message-ID, HTTP
//     Idempotency-Key header, pagoPA/IO request ids) so the receiver recognises the repeat.
//
// Works identically on PGlite (one in-process connection) and PostgreSQL (many workers, many
// processes): claiming uses FOR UPDATE SKIP LOCKED and a lease (locked_until) renewed while the
// handler runs; a fencing token (lock_token) makes a stale worker's late outcome a no-op.
import pg from 'pg';
import type { Logger } from 'pino';
import { sql, transaction, type Executor, type Tx } from './db.ts';
import { quoteIdent, sqlMigration } from './migrations.ts';

export const jobMigrations = [
  sqlMigration(
    'core.jobs.001',
    `create table {schema}.jobs (
       id bigserial primary key,
       kind text not null check (kind <> ''),
       payload jsonb not null,
       idempotency_key text not null default gen_random_uuid()::text,
       state text not null default 'pending' check (state in ('pending', 'running', 'done', 'dead')),
       attempts integer not null default 0,
       max_attempts integer not null check (max_attempts > 0),
       run_at timestamptz not null default now(),
       locked_until timestamptz,
       lock_token uuid,
       last_error text,
       created_at timestamptz not null default now(),
       updated_at timestamptz not null default now(),
       finished_at timestamptz,
       unique (kind, idempotency_key)
     )`,
    `create index jobs_due on {schema}.jobs (run_at, id) where state = 'pending'`,
    `create index jobs_leased on {schema}.jobs (locked_until) where state = 'running'`,
    `create index jobs_by_state on {schema}.jobs (state, id desc)`,
  ),
];

export const JOB_STATES = ['pending', 'running', 'done', 'dead'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const DEFAULT_MAX_ATTEMPTS = 12;
export const BACKOFF_BASE_MS = 2_000;
export const BACKOFF_MAX_MS = 60 * 60 * 1000;
const MAX_ERROR_LENGTH = 2_000;

export interface Job<P = unknown> {
  id: number;
  kind: string;
  payload: P;
  idempotencyKey: string;
  state: JobState;
  /** Attempts started so far (the running one included). */
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  lockedUntil: Date | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

interface JobRow {
  id: number;
  kind: string;
  payload: unknown;
  idempotency_key: string;
  state: JobState;
  attempts: number;
  max_attempts: number;
  run_at: Date;
  locked_until: Date | null;
  lock_token: string | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    kind: row.kind,
    payload: row.payload,
    idempotencyKey: row.idempotency_key,
    state: row.state,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: row.run_at,
    lockedUntil: row.locked_until,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

const jobsTable = (schema: string) => sql.table(`${schema}.jobs`);

/** The NOTIFY channel of a schema's jobs (an identifier: the schema name is already checked safe). */
const jobChannel = (schema: string) => `jobs_${schema}`;

/** now() plus a delay; make_interval's only fractional field is seconds. */
const afterMs = (ms: number) => sql`now() + make_interval(secs => ${ms / 1000})`;

export interface EnqueueInput {
  /** Selects the handler, e.g. "mail.send" or "pagopa.notify-payment". */
  kind: string;
  /** Any JSON value: what the handler needs (ids, not whole objects, so it reads fresh state). */
  payload?: unknown;
  /**
   * Unique per kind: enqueuing the same (kind, key) again returns the existing job instead of a
   * new one. Also handed to the handler for downstream dedupe; generated when absent.
   */
  idempotencyKey?: string;
  /** Not before this time (default: now). */
  runAt?: Date;
  maxAttempts?: number;
}

export interface EnqueueResult {
  job: Job;
  /** False when a job with the same kind and idempotency key already existed. */
  created: boolean;
}

/**
 * Adds a job. Call it with the business transaction so the job commits (or rolls back) with the
 * change that caused it; workers are woken by NOTIFY, which PostgreSQL delivers only on commit.
 */
export async function enqueue(tx: Executor, schema: string, input: EnqueueInput): Promise<EnqueueResult> {
  const inserted = await enqueueInsert(schema, input).execute(tx);
  if (inserted.rows[0]) return { job: toJob(inserted.rows[0]), created: true };
  const existing = await sql<JobRow>`
    select * from ${jobsTable(schema)} where kind = ${input.kind} and idempotency_key = ${input.idempotencyKey!}`.execute(tx);
  return { job: toJob(existing.rows[0]!), created: false };
}

/**
 * The statement of enqueue, for a caller that writes the job in the WITH of its own statement (one round
 * trip): inserts the job, nothing for a known (kind, key), and notifies the workers for the row inserted.
 */
export function enqueueInsert(schema: string, input: EnqueueInput) {
  const maxAttempts = input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new Error(`maxAttempts must be a positive integer (got ${maxAttempts})`);
  return sql<JobRow>`
    insert into ${jobsTable(schema)} (kind, payload, idempotency_key, run_at, max_attempts)
    values (${input.kind}, ${JSON.stringify(input.payload ?? null)}::jsonb,
            coalesce(${input.idempotencyKey ?? null}::text, gen_random_uuid()::text),
            coalesce(${input.runAt ?? null}::timestamptz, now()), ${maxAttempts})
    on conflict (kind, idempotency_key) do nothing
    returning *, pg_notify(${jobChannel(schema)}, kind)`;
}

/**
 * Delay before retrying after the given (1-based) failed attempt: exponential from
 * BACKOFF_BASE_MS, capped at BACKOFF_MAX_MS, with "equal jitter" (between half and all of it)
 * so jobs that failed together do not retry in lockstep against a recovering service.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

/** Thrown by a handler when retrying cannot help (e.g. the payload is invalid): the job goes dead at once. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

/** The job was taken over by another worker after this one's lease expired; its outcome is discarded. */
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
  constructor(readonly jobId: number) {
    super(`Job ${jobId} is no longer leased to this worker`);
  }
}

export type FailureOutcome = { state: 'dead' } | { state: 'pending'; delayMs: number };

/** What a failed attempt leads to: another try later, or the dead-letter state. */
export function failureOutcome(
  attempt: number,
  maxAttempts: number,
  error: unknown,
  retryDelay: (attempt: number) => number = backoffDelay,
): FailureOutcome {
  if (error instanceof PermanentJobError || attempt >= maxAttempts) return { state: 'dead' };
  return { state: 'pending', delayMs: retryDelay(attempt) };
}

/** The error as kept on the job for consoles: name and message, bounded. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

export interface JobContext {
  jobId: number;
  kind: string;
  /** 1 on the first try. */
  attempt: number;
  maxAttempts: number;
  /** Pass it downstream (Message-ID, Idempotency-Key) so a repeated attempt is recognised. */
  idempotencyKey: string;
  logger: Logger;
  /**
   * Runs fn in the transaction that also marks this job done: the handler's database effects and
   * the job's completion commit together, or not at all (exactly once for database effects).
   * Call it at most once, as the last step. It throws LeaseLostError, without running fn, when
   * another worker has taken the job over. On PGlite the transaction holds the only connection:
   * inside fn use tx alone, and do not wait on anything else that needs the database (such as an
   * HTTP call to an app of the same process); do such calls before.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
}

export type JobHandler<P = any> = (payload: P, ctx: JobContext) => Promise<void>;

export interface JobWorkerOptions {
  db: Executor;
  schema: string;
  /** One handler per job kind; the worker only claims the kinds it has a handler for. */
  handlers: Record<string, JobHandler>;
  /** Jobs run at the same time by this worker (default 1). */
  concurrency?: number;
  /** How often to look for due jobs when not woken by a notification (default 1 s). */
  pollIntervalMs?: number;
  /** How long a claimed job stays reserved without a heartbeat (default 30 s, renewed every third). */
  leaseMs?: number;
  /** Delay before retry after a failed attempt (default backoffDelay). */
  retryDelay?: (attempt: number) => number;
  /** PostgreSQL URL to LISTEN on for immediate wake-ups (e.g. config.databaseUrl); polling otherwise. */
  listenUrl?: string;
  logger: Logger;
}

export interface JobWorker {
  /** Starts polling (and listening); resolves once running. */
  start(): Promise<void>;
  /** Stops claiming new jobs and waits for the running ones to finish. */
  stop(): Promise<void>;
  /** Runs due jobs until none is left (retries included when due); returns how many ran. For tests and scripts. */
  drain(): Promise<number>;
}

interface ClaimedJob extends Job {
  lockToken: string;
}

/** Resolves a waiting loop on timeout or on wake(); a wake with nobody waiting is remembered. */
export function createWakeup() {
  let wakeWaiter: (() => void) | undefined;
  let pending = false;
  return {
    wait(ms: number): Promise<void> {
      if (pending) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wakeWaiter = undefined;
          resolve();
        }
        wakeWaiter = done;
      });
    },
    wake() {
      if (wakeWaiter) wakeWaiter();
      else pending = true;
    },
  };
}

export function createJobWorker(options: JobWorkerOptions): JobWorker {
  const { db, schema, handlers, logger } = options;
  const concurrency = options.concurrency ?? 1;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const leaseMs = options.leaseMs ?? 30_000;
  const retryDelay = options.retryDelay ?? backoffDelay;
  if (!Object.keys(handlers).length) throw new Error(`A job worker needs at least one handler (schema ${schema})`);
  const table = jobsTable(schema);
  const kinds = sql.join(Object.keys(handlers));
  const running = new Map<number, { job: ClaimedJob; done: Promise<void> }>();
  const wakeup = createWakeup();
  let heartbeat: NodeJS.Timeout | undefined;
  let loop: Promise<void> | undefined;
  let listener: pg.Client | undefined;
  let stopping = false;

  async function claim(limit: number): Promise<ClaimedJob[]> {
    // A job whose last allowed attempt never reported back (crash loop, poison message) goes dead.
    await sql`
      update ${table} set state = 'dead', finished_at = now(), updated_at = now(), locked_until = null, lock_token = null,
        last_error = 'lease expired on the last attempt: the worker crashed or stalled'
      where id in (select id from ${table}
                   where state = 'running' and locked_until < now() and attempts >= max_attempts and kind in (${kinds})
                   for update skip locked)`.execute(db);
    const { rows } = await sql<JobRow>`
      with due as (
        select id from ${table}
        where kind in (${kinds})
          and ((state = 'pending' and run_at <= now()) or (state = 'running' and locked_until < now()))
        order by run_at, id
        limit ${limit}
        for update skip locked
      )
      update ${table} j set state = 'running', attempts = j.attempts + 1, lock_token = gen_random_uuid(),
        locked_until = ${afterMs(leaseMs)}, updated_at = now(),
        last_error = case when j.state = 'running' then 'lease expired: the previous attempt did not finish' else j.last_error end
      from due where j.id = due.id
      returning j.*`.execute(db);
    return rows.map((row) => ({ ...toJob(row), lockToken: row.lock_token! }));
  }

  /** Marks the job done if this worker still holds it; the update also row-locks it until commit. */
  async function markDone(executor: Executor, job: ClaimedJob): Promise<boolean> {
    const { rows } = await sql`
      update ${table} set state = 'done', finished_at = now(), updated_at = now(), locked_until = null, lock_token = null
      where id = ${job.id} and lock_token = ${job.lockToken} and state = 'running'
      returning id`.execute(executor);
    return rows.length === 1;
  }

  async function markFailed(job: ClaimedJob, error: unknown): Promise<FailureOutcome & { recorded: boolean }> {
    const outcome = failureOutcome(job.attempts, job.maxAttempts, error, retryDelay);
    const { rows } = await sql`
      update ${table} set state = ${outcome.state}, last_error = ${errorText(error)}, updated_at = now(),
        locked_until = null, lock_token = null,
        run_at = ${outcome.state === 'pending' ? afterMs(outcome.delayMs) : sql`run_at`},
        finished_at = ${outcome.state === 'dead' ? sql`now()` : null}
      where id = ${job.id} and lock_token = ${job.lockToken} and state = 'running'
      returning id`.execute(db);
    return { ...outcome, recorded: rows.length === 1 };
  }

  async function renewLeases(): Promise<void> {
    const tokens = [...running.values()].map(({ job }) => job.lockToken);
    if (!tokens.length) return;
    await sql`update ${table} set locked_until = ${afterMs(leaseMs)}
              where state = 'running' and lock_token in (${sql.join(tokens)})`.execute(db);
  }

  async function run(job: ClaimedJob): Promise<void> {
    const log = logger.child({ schema, jobId: job.id, kind: job.kind, attempt: job.attempts });
    let committed = false;
    let transactionUsed = false;
    const ctx: JobContext = {
      jobId: job.id,
      kind: job.kind,
      attempt: job.attempts,
      maxAttempts: job.maxAttempts,
      idempotencyKey: job.idempotencyKey,
      logger: log,
      async transaction(fn) {
        if (transactionUsed) throw new Error('ctx.transaction can be used once per job attempt');
        transactionUsed = true;
        const result = await transaction(db, async (tx) => {
          if (!(await markDone(tx, job))) throw new LeaseLostError(job.id);
          return fn(tx);
        });
        committed = true;
        return result;
      },
    };
    try {
      await handlers[job.kind]!(job.payload, ctx);
      if (!committed && !(await markDone(db, job))) log.warn('job finished after another worker took it over; outcome discarded');
    } catch (error) {
      if (committed) {
        log.error({ err: error }, 'job failed after its transaction committed; it stays done');
        return;
      }
      const outcome = await markFailed(job, error);
      if (!outcome.recorded) log.warn({ err: error }, 'job failed after another worker took it over; outcome discarded');
      else if (outcome.state === 'dead') log.error({ err: error }, 'job failed for the last time: dead');
      else log.warn({ err: error, retryInMs: outcome.delayMs }, 'job failed; will retry');
    }
  }

  /** Runs a claimed job, keeping its lease alive meanwhile; never rejects. */
  function track(job: ClaimedJob): Promise<void> {
    const done = run(job)
      // Recording the outcome failed (database unreachable): the lease will expire and the job run again.
      .catch((err) => logger.error({ err, schema, jobId: job.id }, 'could not record job outcome'))
      .finally(() => {
        running.delete(job.id);
        if (running.size === 0) {
          clearInterval(heartbeat);
          heartbeat = undefined;
        }
        wakeup.wake();
      });
    running.set(job.id, { job, done });
    heartbeat ??= setInterval(() => {
      renewLeases().catch((err) => logger.warn({ err, schema }, 'could not renew job leases'));
    }, leaseMs / 3);
    return done;
  }

  async function pollLoop(): Promise<void> {
    while (!stopping) {
      const free = concurrency - running.size;
      if (free > 0) {
        try {
          for (const job of await claim(free)) void track(job);
        } catch (err) {
          logger.error({ err, schema }, 'could not claim jobs');
        }
      }
      // Woken early by a finished job (a free slot), a notification or stop().
      if (!stopping) await wakeup.wait(pollIntervalMs);
    }
  }

  async function listen(url: string): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    client.on('error', (err) => logger.warn({ err, schema }, 'job notifications lost; polling only'));
    client.on('notification', () => wakeup.wake());
    await client.connect();
    await client.query(`listen ${quoteIdent(jobChannel(schema))}`);
    listener = client;
  }

  return {
    async start() {
      if (loop) throw new Error(`The job worker of ${schema} is already started`);
      stopping = false;
      if (options.listenUrl) {
        await listen(options.listenUrl).catch((err) => logger.warn({ err, schema }, 'could not listen for job notifications; polling only'));
      }
      loop = pollLoop();
    },
    async stop() {
      stopping = true;
      wakeup.wake();
      await loop;
      await Promise.all([...running.values()].map(({ done }) => done));
      await listener?.end().catch(() => undefined);
      listener = undefined;
      loop = undefined;
    },
    async drain() {
      let total = 0;
      for (;;) {
        const jobs = await claim(concurrency);
        if (!jobs.length) return total;
        total += jobs.length;
        await Promise.all(jobs.map(track));
      }
    },
  };
}

/** Puts a dead job back in the queue for a fresh series of attempts; false if it was not dead. */
export async function retryDeadJob(db: Executor, schema: string, id: number): Promise<boolean> {
  const { rows } = await sql`
    update ${jobsTable(schema)} set state = 'pending', attempts = 0, run_at = now(), finished_at = null, updated_at = now()
    where id = ${id} and state = 'dead'
    returning id`.execute(db);
  if (rows.length) await sql`select pg_notify(${jobChannel(schema)}, 'retry')`.execute(db);
  return rows.length === 1;
}

export async function getJob(db: Executor, schema: string, id: number): Promise<Job | undefined> {
  const { rows } = await sql<JobRow>`select * from ${jobsTable(schema)} where id = ${id}`.execute(db);
  return rows[0] && toJob(rows[0]);
}

export interface ListJobsOptions {
  state?: JobState;
  kind?: string;
  limit?: number;
  /** Keyset pagination: only jobs with a smaller id (the last id of the previous page). */
  before?: number;
}

/** Newest first, for consoles. */
export async function listJobs(db: Executor, schema: string, options: ListJobsOptions = {}): Promise<Job[]> {
  const { state, kind, before, limit = 50 } = options;
  const rows = await db
    .withSchema(schema)
    .selectFrom('jobs')
    .selectAll()
    .$if(state !== undefined, (q) => q.where('state', '=', state))
    .$if(kind !== undefined, (q) => q.where('kind', '=', kind))
    .$if(before !== undefined, (q) => q.where('id', '<', before))
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => toJob(row as JobRow));
}

/** How many jobs are in each state, for console badges and health checks. */
export async function countJobs(db: Executor, schema: string): Promise<Record<JobState, number>> {
  const { rows } = await sql<{ state: JobState; count: number }>`
    select state, count(*)::int as count from ${jobsTable(schema)} group by state`.execute(db);
  const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobState, number>;
  for (const row of rows) counts[row.state] = row.count;
  return counts;
}
