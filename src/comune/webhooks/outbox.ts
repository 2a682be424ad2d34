// The webhooks' outbox: called by the application store in the transaction of each status change, it
// records one event per matching webhook and enqueues its delivery job, so both commit with the change.
import { sql, type Executor } from '../../core/db.ts';
import { enqueue } from '../../core/jobs.ts';

export const WEBHOOK_DELIVERY_JOB = 'comune.webhooks.deliver';
const DRAFT = 1000; // states.ts STATUS.draft: drafts are the applicant's, never announced

/** Enqueues the deliveries of an application's new status to the ente's active webhooks whose trigger and services match. */
export async function enqueueWebhookEvents(tx: Executor, applicationId: string, status: number): Promise<void> {
  if (status === DRAFT) return;
  const { rows } = await sql<{ id: string }>`
    insert into comune.webhook_events (webhook_id, application_id, status)
    select w.id, a.id, ${status} from comune.webhooks w join comune.applications a on a.tenant_id = w.tenant_id
    where a.id = ${applicationId} and w.active and w.trigger in ('all', ${String(status)})
      and (cardinality(w.service_ids) = 0 or a.service_id = any(w.service_ids))
    returning id`.execute(tx);
  for (const { id } of rows) await enqueueDelivery(tx, id, id);
}

/** A delivery job for an event (the first, or a replay with its own key). */
export async function enqueueDelivery(tx: Executor, eventId: string, idempotencyKey: string): Promise<number> {
  const { job } = await enqueue(tx, 'comune', { kind: WEBHOOK_DELIVERY_JOB, payload: { eventId }, idempotencyKey, maxAttempts: 10 });
  await sql`update comune.webhook_events set last_job_id = ${job.id} where id = ${eventId}`.execute(tx);
  return job.id;
}
