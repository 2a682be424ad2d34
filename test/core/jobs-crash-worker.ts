// A job worker in its own process, for jobs-crash.test.ts: killed with SIGKILL mid-run, restarted.
// Usage: node --import tsx test/core/jobs-crash-worker.ts <postgres-url> <schema>
import os from 'node:os';
import pino from 'pino';
import { openDatabase, sql } from '../../src/core/db.ts';
import { createJobWorker } from '../../src/core/jobs.ts';

const [url, schema] = process.argv.slice(2);
if (!url || !schema) throw new Error('usage: jobs-crash-worker.ts <postgres-url> <schema>');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const database = await openDatabase({ databaseUrl: url, dataDir: os.tmpdir() });
const worker = createJobWorker({
  db: database.db,
  schema,
  concurrency: 4,
  pollIntervalMs: 20,
  leaseMs: 1_000,
  retryDelay: () => 0,
  logger: pino({ level: 'silent' }),
  handlers: {
    async effect(payload: { n: number }, ctx) {
      await sleep(Math.random() * 10);
      await ctx.transaction(async (tx) => {
        await sql`insert into ${sql.table(`${schema}.effects`)} (n, job_id, attempt) values (${payload.n}, ${ctx.jobId}, ${ctx.attempt})`.execute(tx);
        // Dying here, with the effect written but not committed, is the case that matters.
        await sleep(Math.random() * 10);
      });
    },
  },
});

process.on('SIGTERM', () => {
  void worker
    .stop()
    .then(() => database.close())
    .then(() => process.exit(0));
});
await worker.start();
console.log('ready');
