// A job that runs once a day and, when done, schedules the next day's: the day is the idempotency key, so
// several starts or a retried run never make two chains (the daily register, the payments' reconciliation).
import type { Executor } from '../core/db.ts';
import { enqueue, type JobContext, type JobHandler } from '../core/jobs.ts';
import { addDays, type IsoDate } from '../domain/dates.ts';

export interface DailyJob {
  kind: string;
  /** When the run for `day` is due. */
  runAt(day: IsoDate): Date;
}

/** Enqueues the run for `day`, due at `runAt` (default: now); a no-op when that day's run already exists. */
export const enqueueDay = (db: Executor, job: DailyJob, day: IsoDate, runAt?: Date) =>
  enqueue(db, 'comune', { kind: job.kind, payload: { day }, idempotencyKey: day, runAt });

/** Runs `run` for the job's day, then schedules the next day's run in the job's own transaction. */
export function dailyJobHandler(job: DailyJob, run: (day: IsoDate, ctx: JobContext) => Promise<unknown>): JobHandler<{ day: IsoDate }> {
  return async ({ day }, ctx) => {
    await run(day, ctx);
    const next = addDays(day, 1);
    await ctx.transaction((tx) => enqueueDay(tx, job, next, job.runAt(next)));
  };
}
