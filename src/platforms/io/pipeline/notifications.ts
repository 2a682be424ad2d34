// The notification stages (e-mail, webhook): lease due rows of io.notifications of one channel, deliver each, and
// record SENT, THROTTLED (retry with backoff), EXPIRED (the message's time to live passed) or FAILED (attempts
// exhausted or a permanent refusal), each outcome fenced by the lease so a worker that lost it writes nothing.
import { sql, type Executor } from '../../../core/db.ts';
import { errorText } from '../../../core/jobs.ts';
import { SCHEMA } from '../schema.ts';
import { leaseUntil, stageSettings, type StageOptions } from './lease.ts';

const notifications = sql.table(`${SCHEMA}.notifications`);

export type NotificationChannel = 'EMAIL' | 'WEBHOOK';

export interface LeasedNotification {
  messageId: string;
  fiscalCode: string;
  /** 1 on the first try. */
  attempt: number;
  lockedUntil: Date;
  expired: boolean;
}

/** Retrying cannot help (e.g. the receiver refused the request as invalid): FAILED at once. */
export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}

type Outcome = { status: 'SENT' | 'EXPIRED' | 'FAILED'; error?: string } | { status: 'THROTTLED'; delayMs: number; error: string };

async function leaseNotifications(db: Executor, channel: NotificationChannel, limit: number, leaseMs: number): Promise<LeasedNotification[]> {
  const { rows } = await sql<{ message_id: string; fiscal_code: string; attempts: number; locked_until: Date; expired: boolean }>`
    with due as (
      select message_id from ${notifications}
      where channel = ${channel} and (status is null or status = 'THROTTLED') and next_attempt_at <= now()
        and (locked_until is null or locked_until < now())
      order by next_attempt_at
      limit ${limit}
      for update skip locked
    )
    update ${notifications} n set locked_until = ${leaseUntil(leaseMs)}, attempts = n.attempts + 1, updated_at = now()
    from due where n.message_id = due.message_id and n.channel = ${channel}
    returning n.message_id, n.fiscal_code, n.attempts, n.locked_until, n.expires_at < now() as expired`.execute(db);
  return rows.map((row) => ({ messageId: row.message_id, fiscalCode: row.fiscal_code, attempt: row.attempts, lockedUntil: row.locked_until, expired: row.expired }));
}

async function recordOutcomes(db: Executor, channel: NotificationChannel, leased: LeasedNotification[], outcomes: Outcome[]): Promise<void> {
  await sql`
    update ${notifications} n set status = o.status, last_error = o.error, locked_until = null, updated_at = now(),
      sent_at = case when o.status = 'SENT' then now() end,
      next_attempt_at = case when o.status = 'THROTTLED' then now() + make_interval(secs => o.delay_ms / 1000.0) else n.next_attempt_at end
    from unnest(${leased.map((n) => n.messageId)}::text[], ${leased.map((n) => n.lockedUntil)}::timestamptz[], ${outcomes.map((o) => o.status)}::text[],
                ${outcomes.map((o) => o.error ?? null)}::text[], ${outcomes.map((o) => (o.status === 'THROTTLED' ? o.delayMs : 0))}::float8[])
      as o (message_id, locked_until, status, error, delay_ms)
    where n.message_id = o.message_id and n.channel = ${channel} and n.locked_until = o.locked_until`.execute(db);
}

/**
 * One batch of a channel: `deliver` gets the leased, unexpired notifications and answers, for each, undefined (sent)
 * or the error; returns how many were taken (0: nothing due).
 */
export async function deliverDueNotifications(
  db: Executor,
  channel: NotificationChannel,
  deliver: (due: LeasedNotification[]) => Promise<(unknown | undefined)[]>,
  options: StageOptions = {},
): Promise<number> {
  const settings = stageSettings(options, 64);
  const leased = await leaseNotifications(db, channel, settings.batchSize, settings.leaseMs);
  if (!leased.length) return 0;
  const live = leased.filter((n) => !n.expired);
  const errors = live.length ? await deliver(live) : [];
  const errorOf = new Map(live.map((n, i) => [n.messageId, errors[i]]));
  const outcomes = leased.map((n): Outcome => {
    if (n.expired) return { status: 'EXPIRED' };
    const error = errorOf.get(n.messageId);
    if (error === undefined) return { status: 'SENT' };
    if (error instanceof PermanentDeliveryError || n.attempt >= settings.maxAttempts) return { status: 'FAILED', error: errorText(error) };
    return { status: 'THROTTLED', delayMs: settings.retryDelay(n.attempt), error: errorText(error) };
  });
  await recordOutcomes(db, channel, leased, outcomes);
  return leased.length;
}

/** Runs fn on every item, at most `limit` at a time; answers undefined or the error for each, in order. */
export async function settleEach<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<(unknown | undefined)[]> {
  const results: (unknown | undefined)[] = new Array(items.length);
  let next = 0;
  async function lane(): Promise<void> {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!).then(
        () => undefined,
        (error: unknown) => error ?? new Error('delivery failed'),
      );
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
