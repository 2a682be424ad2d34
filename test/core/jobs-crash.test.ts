// Crash safety on PostgreSQL: workers in child processes are SIGKILLed mid-run and restarted;
// at the end every job's database effect happened exactly once, though some jobs ran twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sql, transaction } from '../../src/core/db.ts';
import { countJobs, enqueue, jobMigrations } from '../../src/core/jobs.ts';
import { migrateSchema, sqlMigration } from '../../src/core/migrations.ts';
import { postgresTestTarget } from '../support/database.ts';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'jobs-crash-worker.ts');
const SCHEMA = 'crash';
const JOBS = 300;
const KILLS = 3;

const target = await postgresTestTarget();
afterAll(() => target?.cleanup());

async function startWorker(url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, url, SCHEMA], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  while (!output.includes('ready')) {
    if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return child;
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  const exited = once(child, 'exit');
  child.kill(signal);
  const [code] = await exited;
  return code as number | null;
}

describe.runIf(target)('jobs survive worker crashes [postgres]', () => {
  it(`runs every effect exactly once across ${KILLS} SIGKILLs`, { timeout: 60_000 }, async () => {
    const database = await target!.open();
    const { db } = database;
    await migrateSchema(db, SCHEMA, [
      ...jobMigrations,
      // Deliberately no unique constraint: a duplicate effect must show up, not be absorbed.
      sqlMigration('test.effects', `create table {schema}.effects (id bigserial primary key, n integer not null, job_id bigint not null, attempt integer not null)`),
    ]);
    await transaction(db, async (tx) => {
      for (let n = 0; n < JOBS; n++) await enqueue(tx, SCHEMA, { kind: 'effect', payload: { n }, idempotencyKey: `effect-${n}` });
    });
    const counts = () => countJobs(db, SCHEMA);

    const orphaned: number[] = [];
    for (let round = 1; round <= KILLS; round++) {
      const child = await startWorker(database.url!);
      while ((await counts()).done < (round * JOBS) / (KILLS + 1)) await new Promise((resolve) => setTimeout(resolve, 10));
      await kill(child, 'SIGKILL');
      orphaned.push((await counts()).running);
    }
    // Two workers at once for the rest, to take over the orphans and share the queue.
    const finishers = [await startWorker(database.url!), await startWorker(database.url!)];
    const deadline = Date.now() + 30_000;
    while ((await counts()).done < JOBS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await Promise.all(finishers.map((child) => kill(child, 'SIGTERM')))).toEqual([0, 0]);

    expect(await counts()).toEqual({ pending: 0, running: 0, done: JOBS, dead: 0 });
    expect(orphaned.every((running) => running > 0)).toBe(true);
    const { rows: perJob } = await sql<{ n: number; effects: number }>`
      select n, count(*)::int as effects from crash.effects group by n order by n`.execute(db);
    expect(perJob).toHaveLength(JOBS);
    expect(perJob.filter((row) => row.effects !== 1)).toEqual([]);
    // The crashes really interrupted jobs: some needed a second attempt, whose effect is the one kept.
    const { rows: retried } = await sql<{ count: number }>`select count(*)::int as count from crash.jobs where attempts > 1`.execute(db);
    expect(retried[0]!.count).toBeGreaterThan(0);
  });
});
