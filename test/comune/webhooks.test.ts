// Webhooks on both databases: events enqueued in the status change's transaction, trigger and service
// filters, deliveries signed so a receiver can verify them, retries after a 500, the delivery log,
// replay, and the SSRF guard at delivery time.
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql, transaction } from '../../src/core/db.ts';
import { createJobWorker, listJobs } from '../../src/core/jobs.ts';
import { memoryDocumentStore } from '../../src/comune/protocol/files.ts';
import { ApplicationStore, type ApplicationActor } from '../../src/comune/applications/store.ts';
import { STATUS } from '../../src/comune/applications/states.ts';
import { enqueueWebhookMessage, WEBHOOK_DELIVERY_JOB } from '../../src/comune/webhooks/outbox.ts';
import { webhookDeliveryHandler } from '../../src/comune/webhooks/deliver.ts';
import { WebhookRepository } from '../../src/comune/webhooks/store.ts';
import { SIGNATURE_HEADER, verifySignature } from '../../src/comune/webhooks/signature.ts';
import { withTestDatabases } from '../support/database.ts';
import { createTestTenant, migrateComune } from './protocol-harness.ts';

const SECRET = 'test-secret-of-the-app-0123456789';
const MENSA = { id: '6f1c2a34-1111-4a5b-9c0d-000000000001', name: 'Iscrizione al servizio mensa' };
const ZTL = '6f1c2a34-1111-4a5b-9c0d-000000000002';
const logger = pino({ level: 'silent' });
const admin = { type: 'api_key' as const, id: 'test' };

interface Received {
  path: string;
  body: Record<string, unknown>;
  verified: boolean;
  headers: Record<string, unknown>;
}

// The integrator's side: a receiver that checks each signature against the raw body.
let receiver: FastifyInstance;
let receiverUrl: string;
const received: Received[] = [];
const secrets = new Map<string, string>();
const failFirst = new Set<string>();
beforeAll(async () => {
  receiver = Fastify();
  receiver.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  receiver.post('/hooks/:name', async (request, reply) => {
    const { name } = request.params as { name: string };
    const raw = request.body as string;
    const verified = verifySignature(secrets.get(name) ?? '', raw, String(request.headers[SIGNATURE_HEADER]), new Date());
    if (failFirst.delete(name)) return reply.status(500).send('down');
    received.push({ path: name, body: JSON.parse(raw), verified, headers: request.headers });
    return reply.status(204).send();
  });
  receiverUrl = await receiver.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => receiver?.close());

await withTestDatabases('webhooks', ({ database, name: dbName }) => {
  let tenantId: string;
  let store: ApplicationStore;
  let webhooks: WebhookRepository;
  let anna: ApplicationActor;
  let operator: ApplicationActor;
  const worker = (allowPrivateNetworks = true) =>
    createJobWorker({
      db: database().db,
      schema: 'comune',
      handlers: { [WEBHOOK_DELIVERY_JOB]: webhookDeliveryHandler(database().db, { appSecret: SECRET, publicUrl: 'https://comune.example', allowPrivateNetworks }) },
      logger,
      retryDelay: () => 0,
    });
  const hook = async (name: string, trigger: string, serviceIds: string[] = []) => {
    const { webhook, secret } = await webhooks.create(tenantId, { title: name, endpoint: `${receiverUrl}/hooks/${dbName}-${name}`, trigger, serviceIds, headers: { 'x-api-token': 'abc' } }, admin);
    secrets.set(`${dbName}-${name}`, secret);
    return webhook;
  };
  const submitted = async () => {
    const draft = await store.createDraft(anna, tenantId, { service: MENSA, citizen: { fiscalCode: 'BNCNNA85M41G702X', name: 'Anna Bianchi' }, data: { classe: '3B' } });
    await store.submit(anna, draft.id, { idempotencyKey: draft.id });
    return draft.id;
  };
  const got = (name: string) => received.filter((r) => r.path === `${dbName}-${name}`);

  beforeAll(async () => {
    await migrateComune(database().db);
    tenantId = await createTestTenant(database().db);
    store = new ApplicationStore(database().db, memoryDocumentStore());
    webhooks = new WebhookRepository(database().db, SECRET);
    anna = { kind: 'citizen', tenantId, fiscalCode: 'BNCNNA85M41G702X' };
    operator = { kind: 'operator', tenantId, id: 'op-1' };
  });

  it('delivers each status change to the matching webhooks, signed so the receiver can verify it', async () => {
    await hook('all', 'all');
    await hook('accepted', String(STATUS.complete));
    await hook('ztl-only', 'all', [ZTL]);
    const id = await submitted();
    await store.transition(operator, id, STATUS.pending);
    await store.transition(operator, id, STATUS.complete, 'Iscrizione confermata');
    // A refused transition rolls back: no event for it.
    await expect(store.transition(operator, id, STATUS.cancelled)).rejects.toMatchObject({ status: 409 });
    await worker().drain();
    expect(got('all').map((r) => r.body.status)).toEqual(['2000', '4000', '7000']);
    expect(got('accepted').map((r) => r.body.status)).toEqual(['7000']);
    expect(got('ztl-only')).toEqual([]);
    const last = got('accepted')[0]!;
    expect(last.verified).toBe(true);
    expect(last.headers['x-api-token']).toBe('abc');
    expect(last.headers['x-sportello-event-id']).toBe(last.body.event_id);
    expect(last.body).toMatchObject({ id, tenant: tenantId, user: 'BNCNNA85M41G702X', status_name: 'status_complete', outcome: true, outcome_motivation: 'Iscrizione confermata', event_version: 1 });
    expect(last.body.event_created_at).toEqual(expect.any(String));
    // A receiver holding another secret (or a tampered body) would refuse it.
    expect(verifySignature('whsec_other', JSON.stringify(last.body), 't=1,v1=' + '0'.repeat(64), new Date())).toBe(false);
  });

  it('retries after a 500 and logs every attempt; replay sends the same event again', async () => {
    const webhook = await hook('flaky', String(STATUS.submitted));
    failFirst.add(`${dbName}-flaky`);
    const id = await submitted();
    expect(await worker().drain()).toBeGreaterThanOrEqual(2);
    expect(got('flaky').map((r) => r.body.id)).toEqual([id]);
    let [event] = await webhooks.log(tenantId, webhook.id);
    expect(event).toMatchObject({ applicationId: id, status: STATUS.submitted, state: 'delivered', nextAttemptAt: null });
    expect(event!.attempts.map((a) => [a.attempt, a.outcome, a.responseCode, a.error])).toEqual([
      [1, 'failed', 500, 'HTTP 500'],
      [2, 'delivered', 204, null],
    ]);
    expect(event!.attempts.every((a) => a.durationMs >= 0)).toBe(true);

    expect(await webhooks.replay(tenantId, event!.id, admin)).toBe(true);
    expect(await webhooks.replay(await createTestTenant(database().db), event!.id, admin)).toBe(false);
    await worker().drain();
    expect(got('flaky').map((r) => r.body.event_id)).toEqual([event!.id, event!.id]);
    [event] = await webhooks.log(tenantId, webhook.id);
    expect(event!.attempts.map((a) => a.outcome)).toEqual(['failed', 'delivered', 'delivered']);
  });

  it('refuses at delivery an endpoint on an internal address, once and for good', async () => {
    const webhook = await hook('internal', String(STATUS.submitted));
    await submitted();
    await worker(false).drain();
    expect(got('internal')).toEqual([]);
    const [event] = await webhooks.log(tenantId, webhook.id);
    expect(event).toMatchObject({ state: 'failed', nextAttemptAt: null, attempts: [{ outcome: 'failed', responseCode: null, error: 'endpoint refused: internal-address' }] });
    const jobs = (await listJobs(database().db, 'comune', { kind: WEBHOOK_DELIVERY_JOB, limit: 100 })).filter((j) => (j.payload as { eventId: string }).eventId === event!.id);
    expect(jobs.map((j) => [j.state, j.attempts])).toEqual([['dead', 1]]);
  });

  it('delivers a message to the applicant only to the webhooks listening for messages', async () => {
    await hook('messages', 'message_created');
    await hook('every-status', 'all');
    const id = await submitted();
    await transaction(database().db, (tx) => enqueueWebhookMessage(tx, id));
    await worker().drain();
    expect(got('messages').map((r) => [r.body.id, r.body.status, r.headers['x-sportello-event'], r.verified])).toEqual([[id, '2000', 'message.created', true]]);
    expect(got('every-status').map((r) => r.headers['x-sportello-event'])).toEqual(['application.2000']);
  });

  it('stops calling a webhook once switched off', async () => {
    const webhook = await hook('off', 'all');
    expect(await webhooks.deactivate(tenantId, webhook.id, admin)).toBe(true);
    await submitted();
    await worker().drain();
    expect(got('off')).toEqual([]);
    const { rows } = await sql<{ n: string }>`select count(*) as n from comune.webhook_events where webhook_id = ${webhook.id}`.execute(database().db);
    expect(Number(rows[0]!.n)).toBe(0);
  });
});
