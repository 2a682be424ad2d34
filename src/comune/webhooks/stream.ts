// The comune's events on NATS JetStream (issue 5): the same events and bodies as the webhooks, on
// `sportello.<ente>.<event type>`, published by a durable job so a NATS outage delays them and loses none.
import { sql, type Executor } from '../../core/db.ts';
import { createJetStreamPublisher, eventSubject, type EventPublisher } from '../../core/events/jetstream.ts';
import { PermanentJobError, type JobHandler } from '../../core/jobs.ts';
import type { AppContext } from '../../core/runtime.ts';
import { STREAM_PUBLISH_JOB } from './outbox.ts';
import { eventBody, eventType, type ApplicationEvent } from './payload.ts';

// The stream is every ente's, not one webhook's: its bodies carry the default event version.
const STREAM_EVENT_VERSION = 1;

/** Switches the recording of events for the stream on or off (the outbox reads it in each event's transaction). */
export async function setEventStream(db: Executor, enabled: boolean): Promise<void> {
  await sql`insert into comune.event_streams (name, enabled) values ('jetstream', ${enabled})
    on conflict (name) do update set enabled = excluded.enabled, updated_at = now()`.execute(db);
}

async function streamEvent(db: Executor, id: string): Promise<ApplicationEvent | undefined> {
  const { rows } = await sql<{ application_id: string; status: number; kind: 'status' | 'message'; created_at: Date; tenant_id: string; slug: string }>`
    select e.application_id, e.status, e.kind, e.created_at, t.id as tenant_id, t.slug from comune.stream_events e
    join comune.applications a on a.id = e.application_id join comune.tenants t on t.id = a.tenant_id where e.id = ${id}`.execute(db);
  const r = rows[0];
  return r && { id, applicationId: r.application_id, status: r.status, kind: r.kind, createdAt: r.created_at, tenantId: r.tenant_id, tenantSlug: r.slug };
}

/** Publishes one event; a repeat (retry after a lost ack, a re-run job) carries the same Nats-Msg-Id and is dropped by JetStream. */
export function streamPublishHandler(db: Executor, publisher: EventPublisher, options: { publicUrl: string }): JobHandler<{ eventId: string }> {
  return async ({ eventId }, ctx) => {
    const event = await streamEvent(db, eventId);
    if (!event) throw new PermanentJobError(`No stream event ${eventId}`);
    const body = await eventBody(db, event, { publicUrl: options.publicUrl, version: STREAM_EVENT_VERSION });
    const subject = eventSubject(event.tenantSlug, eventType(event));
    const ack = await publisher.publish(subject, body, eventId);
    ctx.logger.debug({ subject, sequence: ack.sequence, duplicate: ack.duplicate }, 'event published to JetStream');
  };
}

export interface EventStream {
  /** The publication job's handler, when NATS_URL is configured. */
  handlers: Record<string, JobHandler>;
  /** Drains the NATS connection; call after the job worker has stopped. */
  close(): Promise<void>;
}

/** At the comune's start: records whether the stream is on and, if so, the publisher (connecting at its first event). */
export async function startEventStream(ctx: AppContext): Promise<EventStream> {
  const db = ctx.database.db;
  const servers = ctx.config.natsUrl;
  await setEventStream(db, servers !== undefined);
  if (!servers) return { handlers: {}, close: async () => undefined };
  const publisher = createJetStreamPublisher({ servers, name: 'sportello-comune', logger: ctx.logger.child({ app: 'comune', stream: 'jetstream' }) });
  return {
    handlers: { [STREAM_PUBLISH_JOB]: streamPublishHandler(db, publisher, { publicUrl: ctx.config.urls.comune }) },
    close: () => publisher.close(),
  };
}
