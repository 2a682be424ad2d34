// The webhooks' outbox: called by the application store in the transaction of each status change, it
// records one event per matching webhook and enqueues its delivery job, so both commit with the change;
// likewise one event for NATS JetStream and its publication job, when the stream is enabled (NATS_URL).
import { sql, type Executor } from '../../core/db.ts';
import { enqueue } from '../../core/jobs.ts';
import { isStatusCode } from '../applications/states.ts';

export const WEBHOOK_DELIVERY_JOB = 'comune.webhooks.deliver';
export const STREAM_PUBLISH_JOB = 'comune.events.publish';
// About a day of retries once the backoff reaches its hourly cap: a NATS outage that long loses nothing.
const STREAM_MAX_ATTEMPTS = 36;
const DRAFT = 1000; // states.ts STATUS.draft: drafts are the applicant's, never announced

export const MESSAGE_TRIGGER = 'message_created';

/** Whether a webhook may be registered with this trigger: every event, a status code (OpenCity), or the desk's messages. */
export const isWebhookTrigger = (trigger: string): boolean => trigger === 'all' || trigger === MESSAGE_TRIGGER || isStatusCode(Number(trigger));

/** Enqueues the deliveries of an application's new status to the ente's active webhooks whose trigger and services match. */
export async function enqueueWebhookEvents(tx: Executor, applicationId: string, status: number): Promise<void> {
  if (status === DRAFT) return;
  await enqueueMatching(tx, applicationId, 'status', status);
}

/** Enqueues the deliveries of a message the desk sent to the applicant, to the webhooks listening for messages. */
export async function enqueueWebhookMessage(tx: Executor, applicationId: string): Promise<void> {
  await enqueueMatching(tx, applicationId, 'message', null);
}

/**
 * A message event carries the application's current status; 'all' means every status change (OpenCity), not
 * messages. One statement records the event for each matching webhook and, while the stream is enabled, for
 * JetStream: a status change with no webhook and no stream costs a single round trip.
 */
async function enqueueMatching(tx: Executor, applicationId: string, kind: 'status' | 'message', status: number | null): Promise<void> {
  const matching = status === null ? [MESSAGE_TRIGGER] : ['all', String(status)];
  const { rows } = await sql<{ target: 'webhook' | 'stream'; id: string }>`
    with app as (select id, tenant_id, service_id, coalesce(${status}::integer, status) as status from comune.applications where id = ${applicationId}),
    hooks as (
      insert into comune.webhook_events (webhook_id, application_id, status, kind)
      select w.id, a.id, a.status, ${kind} from comune.webhooks w join app a on a.tenant_id = w.tenant_id
      where w.active and w.trigger = any(${matching}::text[]) and (cardinality(w.service_ids) = 0 or a.service_id = any(w.service_ids))
      returning id),
    stream as (
      insert into comune.stream_events (application_id, status, kind)
      select a.id, a.status, ${kind} from app a where exists (select 1 from comune.event_streams where name = 'jetstream' and enabled)
      returning id)
    select 'webhook' as target, id from hooks union all select 'stream' as target, id from stream`.execute(tx);
  for (const { target, id } of rows) {
    if (target === 'webhook') await enqueueDelivery(tx, id, id);
    else await enqueue(tx, 'comune', { kind: STREAM_PUBLISH_JOB, payload: { eventId: id }, idempotencyKey: id, maxAttempts: STREAM_MAX_ATTEMPTS });
  }
}

/** A delivery job for an event (the first, or a replay with its own key). */
export async function enqueueDelivery(tx: Executor, eventId: string, idempotencyKey: string): Promise<number> {
  const { job } = await enqueue(tx, 'comune', { kind: WEBHOOK_DELIVERY_JOB, payload: { eventId }, idempotencyKey, maxAttempts: 10 });
  await sql`update comune.webhook_events set last_job_id = ${job.id} where id = ${eventId}`.execute(tx);
  return job.id;
}
