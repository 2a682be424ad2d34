// ProcessMessage (reference io.md §3.3, §4.2): a worker leases due messages (ACCEPTED, or THROTTLED once their
// backoff passed) across the partitions, decides with rules/delivery.ts, and in one transaction per batch writes
// PROCESSED or REJECTED and the notifications to start. The message row is the durable work item: a worker killed
// mid-batch leaves leases that expire, and the batch is taken again; the outcome is fenced by the lease and the
// notifications are keyed by (message, channel), so nothing is lost or done twice.
import { sql, transaction, type Executor } from '../../../core/db.ts';
import { errorText } from '../../../core/jobs.ts';
import { deliveryFacts, recipientKey } from '../citizen/facts.ts';
import { decideDelivery, type DeliveryDecision } from '../rules/delivery.ts';
import { SCHEMA } from '../schema.ts';
import { leaseUntil, PIPELINE_CHANNEL, stageSettings, type StageOptions } from './lease.ts';

const messages = sql.table(`${SCHEMA}.messages`);
const services = sql.table(`${SCHEMA}.services`);
const notifications = sql.table(`${SCHEMA}.notifications`);

/** Effective require_secure_channels of message m sent by service s: the message's, the content's, or else the service's (§4.1). */
export const secureChannels = sql`(m.require_secure_channels or coalesce((m.content ->> 'require_secure_channels')::boolean, s.require_secure_channels, false))`;

interface LeasedMessage {
  id: string;
  fiscal_code: string;
  sender_service_id: string;
  attempts: number;
  locked_until: Date;
  secure: boolean;
  expired: boolean;
  organization_fiscal_code: string | null;
}

/** Takes up to `limit` due messages for leaseMs: ACCEPTED or THROTTLED, due, and not leased to a live worker. */
async function leaseMessages(db: Executor, limit: number, leaseMs: number): Promise<LeasedMessage[]> {
  const { rows } = await sql<LeasedMessage>`
    with due as (
      select fiscal_code, id from ${messages}
      where status in ('ACCEPTED', 'THROTTLED') and next_attempt_at <= now() and (locked_until is null or locked_until < now())
      order by next_attempt_at
      limit ${limit}
      for update skip locked
    ), leased as (
      update ${messages} m set locked_until = ${leaseUntil(leaseMs)}, attempts = m.attempts + 1
      from due where m.fiscal_code = due.fiscal_code and m.id = due.id
      returning m.id, m.fiscal_code, m.sender_service_id, m.attempts, m.locked_until, m.require_secure_channels,
        m.content, m.created_at + make_interval(secs => m.time_to_live) < now() as expired
    )
    select m.id, m.fiscal_code, m.sender_service_id, m.attempts, m.locked_until, m.expired, s.organization_fiscal_code, ${secureChannels} as secure
    from leased m left join ${services} s on s.service_id = m.sender_service_id`.execute(db);
  return rows;
}

/** Writes the batch's decisions (only where this worker still holds the lease) and the notifications to start. */
async function recordDecisions(db: Executor, batch: LeasedMessage[], decisions: DeliveryDecision[]): Promise<number> {
  return transaction(db, async (tx) => {
    const { rows } = await sql<{ id: string }>`
      update ${messages} m set
        status = d.outcome, rejection_reason = d.reason, processed_at = case when d.outcome = 'PROCESSED' then now() end,
        locked_until = null, last_error = null,
        -- The payee of a payment defaults to the sender's organization (§4.2).
        content = case when d.outcome = 'PROCESSED' and d.organization is not null and m.content ? 'payment_data' and not (m.content -> 'payment_data' ? 'payee')
                       then jsonb_set(m.content, '{payment_data,payee}', jsonb_build_object('fiscal_code', d.organization))
                       else m.content end
      from unnest(${batch.map((m) => m.fiscal_code)}::text[], ${batch.map((m) => m.id)}::text[], ${batch.map((m) => m.locked_until)}::timestamptz[],
                  ${decisions.map((d) => d.outcome)}::text[], ${decisions.map((d) => (d.outcome === 'REJECTED' ? d.reason : null))}::text[],
                  ${batch.map((m) => m.organization_fiscal_code)}::text[]) as d (fiscal_code, id, locked_until, outcome, reason, organization)
      where m.fiscal_code = d.fiscal_code and m.id = d.id and m.locked_until = d.locked_until and m.status in ('ACCEPTED', 'THROTTLED')
      returning m.id`.execute(tx);
    const recorded = new Set(rows.map((row) => row.id));
    const starts: { message: LeasedMessage; channel: 'EMAIL' | 'WEBHOOK' }[] = [];
    batch.forEach((message, i) => {
      const decision = decisions[i]!;
      if (!recorded.has(message.id) || decision.outcome !== 'PROCESSED') return;
      if (decision.notify.email) starts.push({ message, channel: 'EMAIL' });
      if (decision.notify.webhook) starts.push({ message, channel: 'WEBHOOK' });
    });
    if (starts.length) {
      // Keyed by (message, channel): a batch taken again after a crash adds nothing.
      await sql`
        insert into ${notifications} (message_id, fiscal_code, channel, expires_at)
        select n.message_id, n.fiscal_code, n.channel, m.created_at + make_interval(secs => m.time_to_live)
        from unnest(${starts.map((s) => s.message.id)}::text[], ${starts.map((s) => s.message.fiscal_code)}::text[], ${starts.map((s) => s.channel)}::text[])
          as n (message_id, fiscal_code, channel)
        join ${messages} m on m.fiscal_code = n.fiscal_code and m.id = n.message_id
        on conflict (message_id, channel) do nothing`.execute(tx);
      await sql`select pg_notify(${PIPELINE_CHANNEL}, 'notifications')`.execute(tx);
    }
    return recorded.size;
  });
}

/** A batch that could not be decided: retried later with backoff, or FAILED past the attempts or the time to live. */
async function recordFailure(db: Executor, batch: LeasedMessage[], error: unknown, settings: ReturnType<typeof stageSettings>): Promise<void> {
  const failed = batch.map((m) => m.expired || m.attempts >= settings.maxAttempts);
  await sql`
    update ${messages} m set status = case when d.failed then 'FAILED' else 'THROTTLED' end, last_error = ${errorText(error)},
      locked_until = null, next_attempt_at = now() + make_interval(secs => d.delay_ms / 1000.0)
    from unnest(${batch.map((m) => m.fiscal_code)}::text[], ${batch.map((m) => m.id)}::text[], ${batch.map((m) => m.locked_until)}::timestamptz[],
                ${failed}::boolean[], ${batch.map((m) => settings.retryDelay(m.attempts))}::float8[]) as d (fiscal_code, id, locked_until, failed, delay_ms)
    where m.fiscal_code = d.fiscal_code and m.id = d.id and m.locked_until = d.locked_until and m.status in ('ACCEPTED', 'THROTTLED')`.execute(db);
}

export interface ProcessOptions extends StageOptions {
  /** Called with each batch after its decisions are taken, before they are written (tests: simulate a crash there). */
  beforeRecord?: (ids: string[]) => Promise<void>;
}

/** Leases and decides one batch of due messages; returns how many were taken (0: nothing due). */
export async function processDueMessages(db: Executor, options: ProcessOptions = {}): Promise<number> {
  const settings = stageSettings(options, 500);
  const leased = await leaseMessages(db, settings.batchSize, settings.leaseMs);
  if (!leased.length) return 0;
  // Taken once more than allowed: its last attempt never reported back (a worker crashing on it every time).
  const abandoned = leased.filter((m) => m.attempts > settings.maxAttempts);
  if (abandoned.length) await recordFailure(db, abandoned, new Error('lease expired on the last attempt: the worker crashed or stalled'), settings);
  const batch = leased.filter((m) => m.attempts <= settings.maxAttempts);
  if (!batch.length) return leased.length;
  try {
    const recipients = batch.map((m) => ({ fiscalCode: m.fiscal_code, serviceId: m.sender_service_id }));
    const facts = await deliveryFacts(db, recipients);
    const decisions = batch.map((m, i) => {
      const recipient = facts.get(recipientKey(recipients[i]!));
      return decideDelivery(recipient?.profile, m.sender_service_id, recipient?.preference, { requireSecureChannels: m.secure, expired: m.expired });
    });
    await options.beforeRecord?.(batch.map((m) => m.id));
    await recordDecisions(db, batch, decisions);
  } catch (error) {
    await recordFailure(db, batch, error, settings);
  }
  return leased.length;
}

/** Wakes the pipeline's workers now rather than at their next poll (e.g. after accepting messages). */
export async function wakePipeline(db: Executor): Promise<void> {
  await sql`select pg_notify(${PIPELINE_CHANNEL}, 'messages')`.execute(db);
}
