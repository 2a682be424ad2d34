// The comune app started with NATS_URL: its job worker publishes an application's event to JetStream
// with no other wiring, and stopping the app drains and closes its NATS connection.
import path from 'node:path';
import { connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_STREAM } from '../../src/core/events/jetstream.ts';
import { TenantRepository } from '../../src/comune/tenants/tenants.ts';
import { ServiceRepository } from '../../src/comune/catalog/services.ts';
import { ApplicationStore, type ApplicationActor } from '../../src/comune/applications/store.ts';
import { diskDocumentStore } from '../../src/comune/protocol/files.ts';
import { freePort, startSystem, type TestSystem } from '../support/system.ts';
import { startTestNats } from '../support/nats.ts';

const BUGLIANO = 'comune-di-bugliano';
const monitorPort = await freePort();
const nats = await startTestNats({ args: ['-m', String(monitorPort)] });

if ('skipped' in nats) {
  console.warn(`[nats] ${nats.skipped}: the comune-with-NATS_URL case is SKIPPED`);
  describe.skip(`comune with NATS_URL (skipped: ${nats.skipped})`, () => {
    it('publishes events from its job worker', () => undefined);
  });
} else {
  let system: TestSystem | undefined;
  /** The names of the clients connected to the server (its monitoring endpoint). */
  const connections = async (): Promise<string[]> => {
    const connz = (await (await fetch(`http://127.0.0.1:${monitorPort}/connz`)).json()) as { connections?: { name?: string }[] };
    return (connz.connections ?? []).map((c) => c.name ?? '');
  };

  beforeAll(async () => {
    system = await startSystem({ apps: ['comune'], env: { NATS_URL: nats.url } });
  }, 120_000);
  afterAll(async () => {
    await system?.stop();
    await nats.close();
  });

  it('publishes a submitted application from the app’s worker, and drains the connection at stop', async () => {
    const db = system!.ctx.database.db;
    const tenant = (await new TenantRepository(db).bySlug(BUGLIANO))!;
    const service = (await new ServiceRepository(db).list(tenant.id))[0]!;
    const store = new ApplicationStore(db, diskDocumentStore(path.join(system!.config.dataDir, 'documents')));
    const anna: ApplicationActor = { kind: 'citizen', tenantId: tenant.id, fiscalCode: 'BNCNNA85M41G702X' };
    const draft = await store.createDraft(anna, tenant.id, { service: { id: service.id, name: service.content.it.name }, citizen: { fiscalCode: 'BNCNNA85M41G702X', name: 'Anna Bianchi' } });
    await store.submit(anna, draft.id, { idempotencyKey: draft.id });

    const nc = await connect({ servers: nats.url, name: 'test-consumer' });
    try {
      // The stream appears with the first publication: wait for it, then read the ente's subject.
      const jsm = await nc.jetstreamManager();
      for (let i = 0; i < 100 && !(await jsm.streams.info(EVENT_STREAM).then(() => true, () => false)); i++) await new Promise((r) => setTimeout(r, 100));
      const consumer = await nc.jetstream().consumers.get(EVENT_STREAM, { filterSubjects: `sportello.${BUGLIANO}.>` });
      const message = await consumer.next({ expires: 10_000 });
      expect(message?.subject).toBe(`sportello.${BUGLIANO}.application.2000`);
      expect(message?.json()).toMatchObject({ id: draft.id, tenant: tenant.id, status: '2000', event_id: message?.headers?.get('Nats-Msg-Id') });
      expect(await connections()).toContain('sportello-comune');

      await system!.stop();
      system = undefined;
      expect(await connections()).not.toContain('sportello-comune');
    } finally {
      await nc.close();
    }
  });
}
