// The comune's events on NATS JetStream, against a real nats-server on both databases: each event on
// sportello.<ente>.<event type> with the webhook's body, read back through a JetStream consumer; nothing
// recorded while the stream is off; an outage delays an event, which arrives once after the restart.
import pino from 'pino';
import { connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, transaction } from '../../src/core/db.ts';
import { createJobWorker, enqueue, getJob, listJobs } from '../../src/core/jobs.ts';
import { createJetStreamPublisher, EVENT_STREAM, SUBJECT_ROOT, type EventPublisher } from '../../src/core/events/jetstream.ts';
import { memoryDocumentStore } from '../../src/comune/protocol/files.ts';
import { ApplicationStore, type ApplicationActor } from '../../src/comune/applications/store.ts';
import { STATUS } from '../../src/comune/applications/states.ts';
import { enqueueWebhookMessage, STREAM_PUBLISH_JOB } from '../../src/comune/webhooks/outbox.ts';
import { setEventStream, streamPublishHandler } from '../../src/comune/webhooks/stream.ts';
import { withTestDatabases } from '../support/database.ts';
import { startTestNats } from '../support/nats.ts';
import { createTestTenant, migrateComune } from './protocol-harness.ts';

const MENSA = { id: '6f1c2a34-1111-4a5b-9c0d-000000000001', name: 'Iscrizione al servizio mensa' };
const PUBLIC_URL = 'https://comune.example';
const logger = pino({ level: 'silent' });

interface Received {
  subject: string;
  messageId: string | undefined;
  body: Record<string, unknown>;
}

const nats = await startTestNats();

if ('skipped' in nats) {
  console.warn(`[nats] ${nats.skipped}: the JetStream cases are SKIPPED`);
  describe.skip(`webhooks on NATS JetStream (skipped: ${nats.skipped})`, () => {
    it('publishes the events to JetStream', () => undefined);
  });
} else {
  afterAll(() => nats.close());

  /** Everything the stream holds for an ente, from the start, through an ordered JetStream consumer. */
  const received = async (slug: string): Promise<Received[]> => {
    const nc = await connect({ servers: nats.url });
    try {
      const consumer = await nc.jetstream().consumers.get(EVENT_STREAM, { filterSubjects: `${SUBJECT_ROOT}.${slug}.>` });
      const messages: Received[] = [];
      for await (const m of await consumer.fetch({ max_messages: 100, expires: 1_000 })) {
        messages.push({ subject: m.subject, messageId: m.headers?.get('Nats-Msg-Id'), body: m.json<Record<string, unknown>>() });
      }
      return messages;
    } finally {
      await nc.close();
    }
  };

  await withTestDatabases('webhooks on NATS JetStream', ({ database }) => {
    let tenantId: string;
    let slug: string;
    let store: ApplicationStore;
    let publisher: EventPublisher;
    let anna: ApplicationActor;
    let operator: ApplicationActor;
    // A failed attempt waits a minute: drain() then returns with the job still pending, as in an outage.
    const worker = () =>
      createJobWorker({ db: database().db, schema: 'comune', handlers: { [STREAM_PUBLISH_JOB]: streamPublishHandler(database().db, publisher, { publicUrl: PUBLIC_URL }) }, logger, retryDelay: () => 60_000 });
    const submitted = async () => {
      const draft = await store.createDraft(anna, tenantId, { service: MENSA, citizen: { fiscalCode: 'BNCNNA85M41G702X', name: 'Anna Bianchi' }, data: { classe: '3B' } });
      await store.submit(anna, draft.id, { idempotencyKey: draft.id });
      return draft.id;
    };
    const publicationJobs = async () => (await listJobs(database().db, 'comune', { kind: STREAM_PUBLISH_JOB, limit: 100 })).reverse();

    beforeAll(async () => {
      const db = database().db;
      await migrateComune(db);
      tenantId = await createTestTenant(db);
      const { rows } = await sql<{ slug: string }>`select slug from comune.tenants where id = ${tenantId}`.execute(db);
      slug = rows[0]!.slug;
      store = new ApplicationStore(db, memoryDocumentStore());
      anna = { kind: 'citizen', tenantId, fiscalCode: 'BNCNNA85M41G702X' };
      operator = { kind: 'operator', tenantId, id: 'op-1' };
      publisher = createJetStreamPublisher({ servers: nats.url, name: 'sportello-test', logger, publishTimeoutMs: 1_000, reconnectWaitMs: 100 });
    });
    afterAll(() => publisher?.close());

    it('records nothing for the stream while it is off', async () => {
      await setEventStream(database().db, false);
      await submitted();
      expect(await publicationJobs()).toEqual([]);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from comune.stream_events`.execute(database().db);
      expect(rows[0]!.n).toBe(0);
    });

    it('publishes each event on sportello.<ente>.<event type> with the webhook body, the event id as Nats-Msg-Id', async () => {
      await setEventStream(database().db, true);
      const id = await submitted();
      await store.transition(operator, id, STATUS.pending);
      await transaction(database().db, (tx) => enqueueWebhookMessage(tx, id));
      // A refused transition rolls back: no event for it.
      await expect(store.transition(operator, id, STATUS.draft)).rejects.toMatchObject({ status: 409 });
      expect(await worker().drain()).toBe(3);

      const messages = await received(slug);
      expect(messages.map((m) => m.subject)).toEqual([`sportello.${slug}.application.2000`, `sportello.${slug}.application.4000`, `sportello.${slug}.message.created`]);
      expect(messages.map((m) => m.body.status)).toEqual(['2000', '4000', '4000']);
      for (const m of messages) expect(m.messageId).toBe(m.body.event_id);
      expect(new Set(messages.map((m) => m.messageId)).size).toBe(3);
      expect(messages[0]!.body).toMatchObject({
        id,
        tenant: tenantId,
        user: 'BNCNNA85M41G702X',
        service_name: MENSA.name,
        data: { classe: '3B' },
        status_name: 'status_submitted',
        event_version: 1,
        app_version: '1.0.0',
      });
      expect(messages[1]!.body.links).toContainEqual(expect.objectContaining({ url: `${PUBLIC_URL}/${slug}/api/v1/applications/${id}/transition/accept` }));
      expect(Date.parse(String(messages[0]!.body.event_created_at))).not.toBeNaN();
    });

    it.skipIf(!nats.restartable)('keeps an event through a NATS outage and publishes it once after the restart', async () => {
      const id = await submitted();
      await worker().drain();
      const before = (await received(slug)).length;

      await nats.stop();
      await store.transition(operator, id, STATUS.pending, 'Presa in carico');
      await worker().drain();
      const job = (await publicationJobs()).at(-1)!;
      expect(job).toMatchObject({ state: 'pending', attempts: 1, lastError: expect.any(String) });

      await nats.start();
      // The next attempt, made due now instead of in a minute; the client may still be reconnecting.
      for (let tries = 0; (await getJob(database().db, 'comune', job.id))!.state !== 'done' && tries < 20; tries++) {
        await sql`update comune.jobs set run_at = now() where id = ${job.id} and state = 'pending'`.execute(database().db);
        await worker().drain();
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(await getJob(database().db, 'comune', job.id)).toMatchObject({ state: 'done' });

      // A second run of the same publication (a worker that crashed before recording it) is dropped by JetStream.
      const { eventId } = job.payload as { eventId: string };
      await enqueue(database().db, 'comune', { kind: STREAM_PUBLISH_JOB, payload: { eventId }, idempotencyKey: `${eventId}:again` });
      expect(await worker().drain()).toBe(1);

      const messages = await received(slug);
      expect(messages).toHaveLength(before + 1);
      expect(messages.at(-1)).toMatchObject({ subject: `sportello.${slug}.application.4000`, messageId: eventId, body: { id, status: '4000' } });
    });
  });
}
