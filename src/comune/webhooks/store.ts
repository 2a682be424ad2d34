// Each ente's webhooks (OpenCity's Webhook entity), their events and the log of delivery attempts.
import { randomBytes, randomUUID } from 'node:crypto';
import { sql, transaction, type Executor } from '../../core/db.ts';
import { audit } from '../../core/audit.ts';
import { getJob } from '../../core/jobs.ts';
import { encryptSecret, decryptSecret } from '../../core/secrets.ts';
import { enqueueDelivery } from './outbox.ts';
import type { ApplicationEvent } from './payload.ts';

export interface Webhook {
  id: string;
  tenantId: string;
  title: string;
  endpoint: string;
  /** 'all', an OpenCity status code as a string, or 'message_created'. */
  trigger: string;
  /** Only applications of these services; empty = all. */
  serviceIds: string[];
  headers: Record<string, string>;
  version: 1 | 2;
  active: boolean;
  createdAt: Date;
}

export interface WebhookInput {
  title: string;
  endpoint: string;
  trigger: string;
  serviceIds?: string[];
  headers?: Record<string, string>;
  version?: 1 | 2;
}

export interface DeliveryAttempt {
  attempt: number;
  outcome: 'delivered' | 'failed';
  responseCode: number | null;
  durationMs: number;
  error: string | null;
  at: Date;
}

export interface WebhookEventLog {
  id: string;
  applicationId: string;
  status: number;
  createdAt: Date;
  /** Pending: when the next attempt is due; null once delivered or given up. */
  nextAttemptAt: Date | null;
  state: 'pending' | 'delivered' | 'failed';
  attempts: DeliveryAttempt[];
}

interface Row {
  id: string;
  tenant_id: string;
  title: string;
  endpoint: string;
  trigger: string;
  service_ids: string[];
  headers: Record<string, string>;
  secret_sealed: string;
  version: 1 | 2;
  active: boolean;
  created_at: Date;
}

const fromRow = (r: Row): Webhook => ({
  id: r.id,
  tenantId: r.tenant_id,
  title: r.title,
  endpoint: r.endpoint,
  trigger: r.trigger,
  serviceIds: r.service_ids,
  headers: r.headers,
  version: r.version,
  active: r.active,
  createdAt: r.created_at,
});

const secretContext = (id: string) => `comune.webhook:${id}`;

export interface WebhookActor {
  type: 'api_key' | 'tenant_admin';
  id: string;
  requestId?: string;
}

export class WebhookRepository {
  constructor(
    private readonly db: Executor,
    private readonly appSecret: string,
  ) {}

  /** A new webhook and its signing secret (returned only now; kept sealed). */
  async create(tenantId: string, input: WebhookInput, actor: WebhookActor): Promise<{ webhook: Webhook; secret: string }> {
    const id = randomUUID();
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    return transaction(this.db, async (tx) => {
      const { rows } = await sql<Row>`
        insert into comune.webhooks (id, tenant_id, title, endpoint, trigger, service_ids, headers, secret_sealed, version)
        values (${id}, ${tenantId}, ${input.title}, ${input.endpoint}, ${input.trigger}, ${input.serviceIds ?? []}::uuid[],
                ${JSON.stringify(input.headers ?? {})}::jsonb, ${encryptSecret(this.appSecret, secret, secretContext(id))}, ${input.version ?? 1})
        returning *`.execute(tx);
      await audit(tx, 'comune', { actorType: actor.type, actorId: actor.id, tenantId, action: 'webhook.create', targetType: 'webhook', targetId: id, details: { endpoint: input.endpoint, trigger: input.trigger }, requestId: actor.requestId });
      return { webhook: fromRow(rows[0]!), secret };
    });
  }

  async list(tenantId: string): Promise<Webhook[]> {
    const { rows } = await sql<Row>`select * from comune.webhooks where tenant_id = ${tenantId} order by created_at`.execute(this.db);
    return rows.map(fromRow);
  }

  async byId(tenantId: string, id: string): Promise<Webhook | undefined> {
    const { rows } = await sql<Row>`select * from comune.webhooks where tenant_id = ${tenantId} and id = ${id}`.execute(this.db);
    return rows[0] && fromRow(rows[0]);
  }

  /** The webhook with its secret, for the delivery job. */
  async forDelivery(id: string): Promise<(Webhook & { secret: string }) | undefined> {
    const { rows } = await sql<Row>`select * from comune.webhooks where id = ${id}`.execute(this.db);
    const row = rows[0];
    return row && { ...fromRow(row), secret: decryptSecret(this.appSecret, row.secret_sealed, secretContext(row.id)) };
  }

  async deactivate(tenantId: string, id: string, actor: WebhookActor): Promise<boolean> {
    return transaction(this.db, async (tx) => {
      const { rows } = await sql<{ id: string }>`update comune.webhooks set active = false, updated_at = now() where tenant_id = ${tenantId} and id = ${id} and active returning id`.execute(tx);
      if (rows[0]) await audit(tx, 'comune', { actorType: actor.type, actorId: actor.id, tenantId, action: 'webhook.deactivate', targetType: 'webhook', targetId: id, requestId: actor.requestId });
      return Boolean(rows[0]);
    });
  }

  /** The latest events of a webhook, each with its delivery attempts and, while retrying, the next attempt's time. */
  async log(tenantId: string, webhookId: string, limit = 50): Promise<WebhookEventLog[]> {
    const { rows } = await sql<{ id: string; application_id: string; status: number; created_at: Date; last_job_id: number | null }>`
      select e.id, e.application_id, e.status, e.created_at, e.last_job_id from comune.webhook_events e join comune.webhooks w on w.id = e.webhook_id
      where w.tenant_id = ${tenantId} and w.id = ${webhookId} order by e.created_at desc, e.id limit ${limit}`.execute(this.db);
    if (!rows.length) return [];
    const { rows: attempts } = await sql<{ event_id: string; attempt: number; outcome: 'delivered' | 'failed'; response_code: number | null; duration_ms: number; error: string | null; at: Date }>`
      select event_id, attempt, outcome, response_code, duration_ms, error, at from comune.webhook_deliveries
      where event_id in (${sql.join(rows.map((r) => r.id))}) order by id`.execute(this.db);
    return Promise.all(
      rows.map(async (r) => {
        const job = r.last_job_id === null ? undefined : await getJob(this.db, 'comune', r.last_job_id);
        const mine = attempts.filter((a) => a.event_id === r.id);
        const pending = job?.state === 'pending' || job?.state === 'running';
        return {
          id: r.id,
          applicationId: r.application_id,
          status: r.status,
          createdAt: r.created_at,
          nextAttemptAt: job?.state === 'pending' ? job.runAt : null,
          state: pending ? 'pending' : mine.at(-1)?.outcome === 'delivered' ? 'delivered' : 'failed',
          attempts: mine.map((a) => ({ attempt: a.attempt, outcome: a.outcome, responseCode: a.response_code, durationMs: a.duration_ms, error: a.error, at: a.at })),
        } satisfies WebhookEventLog;
      }),
    );
  }

  /** Sends an event again (a new job with its own retries); false when the event is not this ente's. */
  async replay(tenantId: string, eventId: string, actor: WebhookActor): Promise<boolean> {
    return transaction(this.db, async (tx) => {
      const { rows } = await sql<{ id: string }>`select e.id from comune.webhook_events e join comune.webhooks w on w.id = e.webhook_id where w.tenant_id = ${tenantId} and e.id = ${eventId}`.execute(tx);
      if (!rows[0]) return false;
      await enqueueDelivery(tx, eventId, `${eventId}:replay:${randomUUID()}`);
      await audit(tx, 'comune', { actorType: actor.type, actorId: actor.id, tenantId, action: 'webhook.replay', targetType: 'webhook_event', targetId: eventId, requestId: actor.requestId });
      return true;
    });
  }

  async recordAttempt(eventId: string, jobId: number, attempt: Omit<DeliveryAttempt, 'at'>): Promise<void> {
    await sql`insert into comune.webhook_deliveries (event_id, job_id, attempt, outcome, response_code, duration_ms, error)
      values (${eventId}, ${jobId}, ${attempt.attempt}, ${attempt.outcome}, ${attempt.responseCode}, ${attempt.durationMs}, ${attempt.error})`.execute(this.db);
  }

  async event(eventId: string): Promise<(ApplicationEvent & { webhookId: string }) | undefined> {
    const { rows } = await sql<{ webhook_id: string; application_id: string; status: number; kind: 'status' | 'message'; created_at: Date; tenant_id: string; slug: string }>`
      select e.webhook_id, e.application_id, e.status, e.kind, e.created_at, t.id as tenant_id, t.slug from comune.webhook_events e
      join comune.webhooks w on w.id = e.webhook_id join comune.tenants t on t.id = w.tenant_id where e.id = ${eventId}`.execute(this.db);
    const r = rows[0];
    return r && { id: eventId, webhookId: r.webhook_id, applicationId: r.application_id, status: r.status, kind: r.kind, createdAt: r.created_at, tenantId: r.tenant_id, tenantSlug: r.slug };
  }
}
