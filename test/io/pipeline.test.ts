// The delivery pipeline on PGlite and PostgreSQL: every decision path of processing, notification statuses, e-mail
// really sent over SMTP to the catcher, Web Push really sent to a local push service (VAPID checked, aes128gcm
// decrypted), 410 disabling the browser, and crash safety (a dead worker's lease taken over exactly once).
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { createMailer } from '../../src/core/mail.ts';
import { migrateSchema } from '../../src/core/migrations.ts';
import { startSmtpCatcher, type SmtpCatcher } from '../../src/devtools/mailcatcher/smtp.ts';
import { getMessage, listMessages, mailMigrations } from '../../src/devtools/mailcatcher/store.ts';
import { emailMessageId, sendDueEmails } from '../../src/platforms/io/pipeline/email.ts';
import { installationsOf, registerInstallation, removeInstallation } from '../../src/platforms/io/pipeline/installations.ts';
import { processDueMessages } from '../../src/platforms/io/pipeline/process.ts';
import { vapidPublicKey } from '../../src/platforms/io/pipeline/vapid.ts';
import { callDueWebhooks, internalNotifyKey, NOTIFY_PATH } from '../../src/platforms/io/pipeline/webhook.ts';
import { startPipeline } from '../../src/platforms/io/pipeline/worker.ts';
import { testDatabaseTargets } from '../support/database.ts';
import { insertMessage, insertPreference, insertProfile, messageRow, nthFiscalCode, notificationsOf } from './pipeline-fixtures.ts';
import { startPushService, type PushService } from './push-service.ts';
import { startIo, TEST_BODY, type RunningIo } from './support.ts';

const noRetryDelay = { retryDelay: () => 0 };
let citizens = 0;
const nextCitizen = () => nthFiscalCode(1000 + citizens++);

for (const target of await testDatabaseTargets()) {
  describe(`IO delivery pipeline [${target.name}]`, () => {
    let io: RunningIo;
    let catcher: SmtpCatcher;
    let push: PushService;
    const webhookDeps = () => ({ db: io.db, secret: io.secret, ioUrl: io.url });
    const emailDeps = () => ({ db: io.db, mailer: io.ctx.mailer, ioUrl: io.url });
    /** Processes until nothing is due. */
    const processAll = async () => {
      while ((await processDueMessages(io.db)) > 0);
    };

    beforeAll(async () => {
      io = await startIo(target);
      await migrateSchema(io.db, 'mailcatcher', mailMigrations);
      catcher = await startSmtpCatcher({ db: io.db, schema: 'mailcatcher', host: '127.0.0.1', port: io.ctx.config.smtp.catcherPort, logger: pino({ level: 'silent' }) });
      push = await startPushService();
    });
    afterAll(async () => {
      await push?.close();
      await catcher?.close();
      await io?.close();
    });

    async function deliveredTo(p: Parameters<typeof insertProfile>[2] | null, m: Parameters<typeof insertMessage>[3] = {}, serviceId = io.service.serviceId) {
      const fiscalCode = nextCitizen();
      if (p) await insertProfile(io.db, fiscalCode, p);
      const id = await insertMessage(io.db, fiscalCode, serviceId, m);
      await processAll();
      const row = await messageRow(io.db, id);
      return { id, fiscalCode, status: row.status, reason: row.rejection_reason, channels: (await notificationsOf(io.db, id)).map((n) => n.channel), row };
    }

    it('rejects without a profile, with the inbox off, and when the service may not write', async () => {
      expect(await deliveredTo(null)).toMatchObject({ status: 'REJECTED', reason: 'USER_NOT_FOUND', channels: [] });
      expect(await deliveredTo({ isInboxEnabled: false })).toMatchObject({ status: 'REJECTED', reason: 'SERVICE_NOT_ALLOWED', channels: [] });
      expect(await deliveredTo({ mode: 'LEGACY', blocked: { [io.service.serviceId]: ['INBOX'] } })).toMatchObject({ status: 'REJECTED', reason: 'SERVICE_NOT_ALLOWED' });
      expect(await deliveredTo({ mode: 'MANUAL', settingsVersion: 1 })).toMatchObject({ status: 'REJECTED', reason: 'SERVICE_NOT_ALLOWED' });

      const optedOut = nextCitizen();
      await insertProfile(io.db, optedOut, { mode: 'AUTO', settingsVersion: 2 });
      await insertPreference(io.db, optedOut, io.service.serviceId, { settingsVersion: 2, inbox: false });
      const id = await insertMessage(io.db, optedOut, io.service.serviceId);
      await processAll();
      expect(await messageRow(io.db, id)).toMatchObject({ status: 'REJECTED', rejection_reason: 'SERVICE_NOT_ALLOWED', processed_at: null });
    });

    it('processes with every channel by default, and a preference of an older settings version does not count', async () => {
      expect(await deliveredTo({})).toMatchObject({ status: 'PROCESSED', reason: null, channels: ['EMAIL', 'WEBHOOK'] });
      const stale = nextCitizen();
      await insertProfile(io.db, stale, { mode: 'AUTO', settingsVersion: 3 });
      await insertPreference(io.db, stale, io.service.serviceId, { settingsVersion: 2, inbox: false, email: false });
      const id = await insertMessage(io.db, stale, io.service.serviceId);
      await processAll();
      expect((await messageRow(io.db, id)).status).toBe('PROCESSED');
      expect((await notificationsOf(io.db, id)).map((n) => n.channel)).toEqual(['EMAIL', 'WEBHOOK']);

      const manual = nextCitizen();
      await insertProfile(io.db, manual, { mode: 'MANUAL', settingsVersion: 1 });
      await insertPreference(io.db, manual, io.service.serviceId, { settingsVersion: 1, email: false });
      const allowed = await insertMessage(io.db, manual, io.service.serviceId);
      await processAll();
      expect((await messageRow(io.db, allowed)).status).toBe('PROCESSED');
      expect((await notificationsOf(io.db, allowed)).map((n) => n.channel)).toEqual(['WEBHOOK']);
    });

    it('e-mails only a validated, enabled address, not for secure channels nor when EMAIL is blocked; webhook only when enabled', async () => {
      const webhookOnly = { status: 'PROCESSED', channels: ['WEBHOOK'] };
      expect(await deliveredTo({ isEmailValidated: false })).toMatchObject(webhookOnly);
      expect(await deliveredTo({ isEmailEnabled: false })).toMatchObject(webhookOnly);
      expect(await deliveredTo({ email: null })).toMatchObject(webhookOnly);
      expect(await deliveredTo({}, { requireSecureChannels: true })).toMatchObject(webhookOnly);
      expect(await deliveredTo({ mode: 'LEGACY', blocked: { [io.service.serviceId]: ['EMAIL'] } })).toMatchObject(webhookOnly);
      const secureService = await io.addService({ serviceName: 'Servizi sociali', requireSecureChannels: true });
      expect(await deliveredTo({}, {}, secureService.service.serviceId)).toMatchObject(webhookOnly);
      expect(await deliveredTo({ isWebhookEnabled: false })).toMatchObject({ status: 'PROCESSED', channels: ['EMAIL'] });
      // Past its time to live a message still reaches the inbox, but no notification starts.
      expect(await deliveredTo({}, { timeToLive: 3600, age: 7200 })).toMatchObject({ status: 'PROCESSED', channels: [] });
    });

    it('fills the payee of a payment with the sender organization when absent, and keeps a given one', async () => {
      const absent = await deliveredTo({}, { paymentData: { amount: 1500, notice_number: '302000100000009424' } });
      expect(absent.row.content.payment_data).toEqual({ amount: 1500, notice_number: '302000100000009424', payee: { fiscal_code: TEST_BODY.fiscalCode } });
      const given = await deliveredTo({}, { paymentData: { amount: 1500, notice_number: '302000100000009424', payee: { fiscal_code: '01199250158' } } });
      expect(given.row.content.payment_data.payee).toEqual({ fiscal_code: '01199250158' });
    });

    it('retries a batch that failed (THROTTLED with backoff), then FAILED past the attempts or the time to live', async () => {
      const fiscalCode = nextCitizen();
      await insertProfile(io.db, fiscalCode);
      const id = await insertMessage(io.db, fiscalCode, io.service.serviceId);
      const failing = { beforeRecord: async () => Promise.reject(new Error('database hiccup')) };
      expect(await processDueMessages(io.db, { ...failing, maxAttempts: 3, retryDelay: () => 60_000 })).toBe(1);
      expect(await messageRow(io.db, id)).toMatchObject({ status: 'THROTTLED', attempts: 1, last_error: 'Error: database hiccup' });
      expect(await processDueMessages(io.db)).toBe(0); // not due before its backoff
      await sql`update io.messages set next_attempt_at = now() where id = ${id}`.execute(io.db);
      await processDueMessages(io.db, { ...failing, maxAttempts: 2, ...noRetryDelay });
      expect(await messageRow(io.db, id)).toMatchObject({ status: 'FAILED', attempts: 2 });

      const old = await insertMessage(io.db, fiscalCode, io.service.serviceId, { age: 7200 });
      await processDueMessages(io.db, { ...failing, ...noRetryDelay });
      expect(await messageRow(io.db, old)).toMatchObject({ status: 'FAILED', attempts: 1 });

      // A worker dies on it every time: taken once more than allowed, it is FAILED without another try.
      const poison = await insertMessage(io.db, fiscalCode, io.service.serviceId);
      await sql`update io.messages set attempts = 3, locked_until = now() - interval '1 second' where id = ${poison}`.execute(io.db);
      await processDueMessages(io.db, { maxAttempts: 3 });
      expect(await messageRow(io.db, poison)).toMatchObject({ status: 'FAILED', attempts: 4, last_error: 'Error: lease expired on the last attempt: the worker crashed or stalled' });
    });

    it('takes over a message leased by a dead worker exactly once, and leaves a live lease alone', async () => {
      const fiscalCode = nextCitizen();
      await insertProfile(io.db, fiscalCode);
      const dead = await insertMessage(io.db, fiscalCode, io.service.serviceId);
      const live = await insertMessage(io.db, fiscalCode, io.service.serviceId);
      await sql`update io.messages set attempts = 1, locked_until = now() - interval '1 second' where id = ${dead}`.execute(io.db);
      await sql`update io.messages set attempts = 1, locked_until = now() + interval '1 hour' where id = ${live}`.execute(io.db);
      await processAll();
      expect(await messageRow(io.db, dead)).toMatchObject({ status: 'PROCESSED', attempts: 2 });
      expect(await messageRow(io.db, live)).toMatchObject({ status: 'ACCEPTED', attempts: 1 });

      // A worker stalls past its lease after deciding; another takes the batch over; the stalled one's outcome is void.
      const stalled = await insertMessage(io.db, fiscalCode, io.service.serviceId);
      let takenOver = 0;
      await processDueMessages(io.db, {
        beforeRecord: async (ids) => {
          await sql`update io.messages set locked_until = now() - interval '1 millisecond' where id = any(${ids}::text[])`.execute(io.db);
          takenOver = await processDueMessages(io.db);
        },
      });
      expect(takenOver).toBe(1);
      expect(await messageRow(io.db, stalled)).toMatchObject({ status: 'PROCESSED', attempts: 2 });
      expect((await notificationsOf(io.db, stalled)).map((n) => n.channel)).toEqual(['EMAIL', 'WEBHOOK']);
      // Processed twice over (a replay after a crash between commit and acknowledgement): still one notification per channel.
      await sql`update io.messages set status = 'ACCEPTED' where id = ${stalled}`.execute(io.db);
      await processAll();
      expect(await notificationsOf(io.db, stalled)).toHaveLength(2);
    });

    it('e-mails the first 134 characters without links, in the citizen’s language, with a stable Message-ID', async () => {
      const fiscalCode = nextCitizen();
      const email = `${fiscalCode.toLowerCase()}@posta.example`;
      await insertProfile(io.db, fiscalCode, { email, preferredLanguages: ['de_DE', 'it_IT'], isWebhookEnabled: false });
      const id = await insertMessage(io.db, fiscalCode, io.service.serviceId);
      await processAll();
      while ((await sendDueEmails(emailDeps())) > 0);
      expect(await notificationsOf(io.db, id)).toMatchObject([{ channel: 'EMAIL', status: 'SENT', attempts: 1 }]);
      const [caught] = await listMessages(io.db, 'mailcatcher', { to: email }, 10);
      const mail = (await getMessage(io.db, 'mailcatcher', caught!.id))!;
      expect(mail.subject).toBe('La tua pratica è stata accolta');
      expect(mail.messageId).toBe(emailMessageId(id, io.url));
      expect(mail.text).toContain('Gentile cittadina, gentile cittadino, la pratica è stata accolta. Consulta il dettaglio o visita per');
      expect(mail.text).not.toMatch(/comune\.example|\*\*|#/);
      expect(mail.text).toContain(`Nachricht in IO öffnen: ${io.url}/app/messaggi/${id}`);
      expect(mail.html).toContain(`href="${io.url}/app/messaggi/${id}"`);
      expect(mail.html).not.toContain('comune.example');

      // Sent again (as after a crash before SENT was recorded): the same Message-ID, recognisable at the receiver.
      await sql`update io.notifications set status = null, next_attempt_at = now() where message_id = ${id}`.execute(io.db);
      await sendDueEmails(emailDeps());
      const again = await listMessages(io.db, 'mailcatcher', { to: email }, 10);
      expect(new Set(again.map((m) => m.messageId))).toEqual(new Set([emailMessageId(id, io.url)]));
    });

    it('e-mail: EXPIRED past the time to live, THROTTLED while SMTP is down, FAILED past the attempts', async () => {
      const fiscalCode = nextCitizen();
      await insertProfile(io.db, fiscalCode, { isWebhookEnabled: false });
      const late = await insertMessage(io.db, fiscalCode, io.service.serviceId);
      const down = await insertMessage(io.db, fiscalCode, io.service.serviceId);
      await processAll();
      await sql`update io.notifications set expires_at = now() - interval '1 second' where message_id = ${late}`.execute(io.db);
      const unreachable = createMailer({ ...io.ctx.config, smtp: { ...io.ctx.config.smtp, url: 'smtp://127.0.0.1:1' } });
      await sendDueEmails({ ...emailDeps(), mailer: unreachable }, { retryDelay: () => 60_000, maxAttempts: 2 });
      expect(await notificationsOf(io.db, late)).toMatchObject([{ status: 'EXPIRED' }]);
      expect(await notificationsOf(io.db, down)).toMatchObject([{ status: 'THROTTLED', attempts: 1 }]);
      await sql`update io.notifications set next_attempt_at = now() where message_id = ${down}`.execute(io.db);
      await sendDueEmails({ ...emailDeps(), mailer: unreachable }, { ...noRetryDelay, maxAttempts: 2 });
      expect(await notificationsOf(io.db, down)).toMatchObject([{ status: 'FAILED', attempts: 2 }]);
      unreachable.close();
    });

    it('the webhook pushes the subject to every live browser, encrypted and signed with the platform’s VAPID key', async () => {
      const fiscalCode = nextCitizen();
      await insertProfile(io.db, fiscalCode, { isEmailEnabled: false });
      const [phone, laptop] = [push.subscribe(), push.subscribe()];
      await registerInstallation(io.db, fiscalCode, { installationId: 'phone-1', endpoint: phone.endpoint, keys: phone.keys, userAgent: 'Firefox' });
      await registerInstallation(io.db, fiscalCode, { installationId: 'laptop-1', endpoint: laptop.endpoint, keys: laptop.keys });
      expect((await installationsOf(io.db, fiscalCode)).map((i) => i.installationId)).toEqual(['phone-1', 'laptop-1']);
      const id = await insertMessage(io.db, fiscalCode, io.service.serviceId, { subject: 'Il tuo documento è pronto' });
      await processAll();
      while ((await callDueWebhooks(webhookDeps())) > 0);
      expect(await notificationsOf(io.db, id)).toMatchObject([{ channel: 'WEBHOOK', status: 'SENT' }]);
      const pushes = push.received.filter((p) => p.subscriptionId === phone.id || p.subscriptionId === laptop.id);
      expect(pushes).toHaveLength(2);
      for (const p of pushes) {
        expect(p.payload).toEqual({ title: io.service.serviceName, body: 'Il tuo documento è pronto', url: `/app/messaggi/${id}` });
        expect(p.vapid.publicKey).toBe(await vapidPublicKey(io.db, io.secret));
        expect(p.vapid.sub).toBe('mailto:noreply@sportello.localhost');
        expect(p.ttl).toBeGreaterThan(3500);
        expect(p.topic).toBe(id);
      }
      expect(await removeInstallation(io.db, fiscalCode, 'laptop-1')).toBe(true);
      expect(await removeInstallation(io.db, nthFiscalCode(1), 'phone-1')).toBe(false);
    });

    it('pushes a generic text in the citizen’s language for ANONYMOUS or secure messages; 410 disables the browser', async () => {
      const fiscalCode = nextCitizen();
      await insertProfile(io.db, fiscalCode, { isEmailEnabled: false, pushContent: 'ANONYMOUS', preferredLanguages: ['de_DE'] });
      const browser = push.subscribe();
      await registerInstallation(io.db, fiscalCode, { installationId: 'anon-1', endpoint: browser.endpoint, keys: browser.keys });
      const id = await insertMessage(io.db, fiscalCode, io.service.serviceId);
      const secureCitizen = nextCitizen();
      await insertProfile(io.db, secureCitizen, { isEmailEnabled: false });
      const other = push.subscribe();
      await registerInstallation(io.db, secureCitizen, { installationId: 'secure-1', endpoint: other.endpoint, keys: other.keys });
      const secure = await insertMessage(io.db, secureCitizen, io.service.serviceId, { requireSecureChannels: true });
      await processAll();
      while ((await callDueWebhooks(webhookDeps())) > 0);
      expect(push.received.find((p) => p.subscriptionId === browser.id)?.payload).toEqual({ title: 'IO', body: 'Sie haben eine neue Nachricht', url: `/app/messaggi/${id}` });
      expect(push.received.find((p) => p.subscriptionId === other.id)?.payload).toEqual({ title: 'IO', body: 'Hai un nuovo messaggio', url: `/app/messaggi/${secure}` });

      push.expire(browser.id);
      const next = await insertMessage(io.db, fiscalCode, io.service.serviceId);
      await processAll();
      while ((await callDueWebhooks(webhookDeps())) > 0);
      expect(await notificationsOf(io.db, next)).toMatchObject([{ status: 'SENT' }]);
      expect(await installationsOf(io.db, fiscalCode)).toEqual([]);
      const { rows } = await sql<{ last_error: string }>`select last_error from io.installations where id = 'anon-1' and disabled_at is not null`.execute(io.db);
      expect(rows).toEqual([{ last_error: 'push service answered 410' }]);
    });

    it('webhook: THROTTLED while no push service accepts, SENT once one does', async () => {
      const fiscalCode = nextCitizen();
      await insertProfile(io.db, fiscalCode, { isEmailEnabled: false });
      const browser = push.subscribe();
      await registerInstallation(io.db, fiscalCode, { installationId: 'flaky-1', endpoint: browser.endpoint, keys: browser.keys });
      const id = await insertMessage(io.db, fiscalCode, io.service.serviceId);
      await processAll();
      push.failWith(503);
      try {
        await callDueWebhooks(webhookDeps(), noRetryDelay);
      } finally {
        push.failWith(undefined);
      }
      expect(await notificationsOf(io.db, id)).toMatchObject([{ status: 'THROTTLED', last_error: 'Error: notify answered 503' }]);
      await callDueWebhooks(webhookDeps(), noRetryDelay);
      expect(await notificationsOf(io.db, id)).toMatchObject([{ status: 'SENT', attempts: 2 }]);
    });

    it('the notify endpoint wants the internal key and a valid body', async () => {
      const post = (body: unknown, authorization?: string) =>
        fetch(`${io.url}${NOTIFY_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: JSON.stringify(body) });
      const body = { notification_type: 'MESSAGE', fiscal_code: nthFiscalCode(7), message_id: '01JB0000000000000000000000' };
      const bearer = `Bearer ${internalNotifyKey(io.secret)}`;
      expect((await post(body)).status).toBe(401);
      const wrong = await post(body, `Bearer ${internalNotifyKey('another secret')}`);
      expect(wrong.status).toBe(403);
      expect(wrong.headers.get('content-type')).toContain('application/problem+json');
      const invalid = await post({ ...body, fiscal_code: 'nope' }, bearer);
      expect(invalid.status).toBe(400);
      expect(JSON.stringify(await invalid.json())).toContain('fiscal_code');
      expect((await post(body, bearer)).status).toBe(404);
      const openapi = await (await fetch(`${io.url}/openapi.json`)).text();
      expect(openapi).not.toContain('messages-sending');
    });

    it('the workers take accepted messages to notifications sent, and stop cleanly', async () => {
      const fiscalCode = nextCitizen();
      await insertProfile(io.db, fiscalCode);
      const browser = push.subscribe();
      await registerInstallation(io.db, fiscalCode, { installationId: 'worker-1', endpoint: browser.endpoint, keys: browser.keys });
      const stop = await startPipeline(io.ctx, { pollIntervalMs: 20 });
      try {
        const ids = [await insertMessage(io.db, fiscalCode, io.service.serviceId), await insertMessage(io.db, fiscalCode, io.service.serviceId)];
        await expect
          .poll(async () => (await Promise.all(ids.map((id) => notificationsOf(io.db, id)))).flat().map((n) => n.status), { timeout: 10_000 })
          .toEqual(['SENT', 'SENT', 'SENT', 'SENT']);
        expect(push.received.filter((p) => p.subscriptionId === browser.id)).toHaveLength(2);
      } finally {
        await stop();
      }
    });
  });
}
