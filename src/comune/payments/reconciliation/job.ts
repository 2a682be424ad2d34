// The nightly reconciliation: each morning, after the PSPs' D+1 closings (reference §5.1), every ente with pagoPA
// settings is reconciled again; the job schedules the next day's (one job per day: the key is the day).
import { sql, type Executor } from '../../../core/db.ts';
import type { JobHandler } from '../../../core/jobs.ts';
import type { AppContext } from '../../../core/runtime.ts';
import { addDays, dateInItaly, type IsoDate } from '../../../domain/dates.ts';
import { endOfItalianDay } from '../../protocol/daily.ts';
import { runReconciliation } from './pull.ts';
import { dailyJobHandler, enqueueDay, type DailyJob } from '../../daily-jobs.ts';

export const RECONCILIATION_JOB = 'payments.reconcile';

/** 06:00 in Italy on `day`: six hours after the previous day has ended. */
export const reconciliationRunAt = (day: IsoDate) => new Date(endOfItalianDay(addDays(day, -1)).getTime() + 6 * 3_600_000);

const RECONCILIATIONS: DailyJob = { kind: RECONCILIATION_JOB, runAt: reconciliationRunAt };

export function reconciliationHandler(ctx: AppContext): JobHandler<{ day: IsoDate }> {
  return dailyJobHandler(RECONCILIATIONS, async (_day, job) => {
    const { rows } = await sql<{ tenant_id: string }>`select tenant_id from comune.payment_settings order by tenant_id`.execute(ctx.database.db);
    // One ente whose pagoPA or bank does not answer does not hold back the others; it is tried again tomorrow or from its page.
    for (const { tenant_id } of rows) {
      await runReconciliation(ctx, tenant_id).catch((err: unknown) => job.logger.warn({ err, tenantId: tenant_id }, 'payment reconciliation failed'));
    }
  });
}

/** At start-up: the next morning's run, which then schedules each following one; a no-op when it already exists. */
export async function enqueueReconciliation(db: Executor, now = new Date()): Promise<void> {
  const today = dateInItaly(now);
  const day = reconciliationRunAt(today) > now ? today : addDays(today, 1);
  await enqueueDay(db, RECONCILIATIONS, day, reconciliationRunAt(day));
}
