// The JetStream publisher the webhooks' stream uses, against a real nats-server that requires a login:
// the stream it creates, deduplication by Nats-Msg-Id, a refused login, a first connection that fails
// and succeeds later, and a close() that does not hang during an outage.
import pino from 'pino';
import { connect, nanos } from 'nats';
import { afterAll, describe, expect, it } from 'vitest';
import { createJetStreamPublisher, DUPLICATE_WINDOW_MS, EVENT_MAX_AGE_MS, EVENT_STREAM } from '../../src/core/events/jetstream.ts';
import { startTestNats } from '../support/nats.ts';

const logger = pino({ level: 'silent' });
const nats = await startTestNats({ args: ['--user', 'sportello', '--pass', 'p@ss:w'] });

if ('skipped' in nats) {
  console.warn(`[nats] ${nats.skipped}: the JetStream publisher cases are SKIPPED`);
  describe.skip(`JetStream publisher (skipped: ${nats.skipped})`, () => {
    it('publishes to JetStream', () => undefined);
  });
} else {
  afterAll(() => nats.close());
  const withLogin = (password: string) => nats.url.replace('nats://', `nats://sportello:${encodeURIComponent(password)}@`);
  const publisher = (password = 'p@ss:w') => createJetStreamPublisher({ servers: withLogin(password), name: 'sportello-test', logger, publishTimeoutMs: 1_000, reconnectWaitMs: 100 });

  describe('JetStream publisher', () => {
    it('creates the stream on the first publication and stores each message id once', async () => {
      const events = publisher();
      try {
        expect(await events.publish('sportello.prova.application.2000', '{"n":1}', 'event-1')).toEqual({ sequence: 1, duplicate: false });
        expect(await events.publish('sportello.prova.application.2000', '{"n":1}', 'event-1')).toEqual({ sequence: 1, duplicate: true });
        expect(await events.publish('sportello.prova.message.created', '{"n":2}', 'event-2')).toEqual({ sequence: 2, duplicate: false });
      } finally {
        await events.close();
      }
      const nc = await connect({ servers: nats.url, user: 'sportello', pass: 'p@ss:w' });
      const info = await (await nc.jetstreamManager()).streams.info(EVENT_STREAM);
      await nc.close();
      expect(info.config).toMatchObject({ subjects: ['sportello.>'], storage: 'file', max_age: nanos(EVENT_MAX_AGE_MS), duplicate_window: nanos(DUPLICATE_WINDOW_MS) });
      expect(info.state.messages).toBe(2);
    });

    it('refuses to publish with a wrong password', async () => {
      const events = publisher('wrong');
      await expect(events.publish('sportello.prova.application.2000', '{}', 'event-3')).rejects.toThrow(/authorization/i);
      await events.close();
    });

    it('connects at a later publication when the server was down at the first one', async () => {
      const events = publisher();
      try {
        await nats.stop();
        await expect(events.publish('sportello.prova.application.4000', '{}', 'event-4')).rejects.toThrow();
        await nats.start();
        expect(await events.publish('sportello.prova.application.4000', '{}', 'event-4')).toMatchObject({ duplicate: false });
      } finally {
        await events.close();
      }
    });

    it('closes promptly during an outage, and refuses to publish once closed', async () => {
      const events = publisher();
      await events.publish('sportello.prova.application.7000', '{}', 'event-5');
      await nats.stop();
      const began = Date.now();
      await events.close();
      expect(Date.now() - began).toBeLessThan(5_000);
      await nats.start();
      await expect(events.publish('sportello.prova.application.7000', '{}', 'event-6')).rejects.toThrow(/closed/);
    });
  });
}
