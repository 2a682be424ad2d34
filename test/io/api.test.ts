// IO's Services API over HTTP, on PGlite and PostgreSQL: profiles, messages (validation beyond the schema, test
// mode, idempotency, the group-committed insert), statuses, the subscriptions feed, keys and rates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { ULID_PATTERN } from '../../src/core/ulid.ts';
import { noticeCheckDigits } from '../../src/domain/pagopa/notice-number.ts';
import { ioClient, IoError } from '../../src/clients/io/index.ts';
import type { NewMessage } from '../../src/clients/io/wire.ts';
import { organizationManageKey, serviceKeys, updateService } from '../../src/platforms/io/services/store.ts';
import { feedHash } from '../../src/platforms/io/api/services-api.ts';
import { testDatabaseTargets } from '../support/database.ts';
import { startIo, type RunningIo } from './support.ts';

const MARCO = 'BNCMRC78C14G702E';
const GIULIA = 'RMNGLI92L63H501O';
const WRONG_CHECK = 'BNCMRC78C14G702A';
const NOTICE = (() => {
  const first16 = '3010000000000042';
  return first16 + noticeCheckDigits(first16);
})();

const message = (over: Partial<NewMessage['content']> = {}, rest: Partial<NewMessage> = {}): NewMessage => ({
  content: { subject: 'La tua pratica è stata accolta', markdown: 'La domanda di iscrizione alla mensa scolastica è stata **accolta**. Trovi i dettagli nella tua area personale.', ...over },
  ...rest,
});

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

for (const target of await testDatabaseTargets()) {
  describe(`IO Services API [${target.name}]`, () => {
    let io: RunningIo;
    let call: (key: string | undefined, method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Answer>;

    beforeAll(async () => {
      io = await startIo(target);
      call = async (key, method, path, body, headers = {}) => {
        const response = await fetch(`${io.url}/api/v1${path}`, {
          method,
          headers: { ...(key ? { 'Ocp-Apim-Subscription-Key': key } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
          body: body !== undefined ? JSON.stringify(body) : undefined,
        });
        const text = await response.text();
        return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
      };
      const profiles = sql.table('io.profiles');
      await sql`insert into ${profiles} (fiscal_code, email, service_preferences_mode, service_preferences_version, preferred_languages)
        values (${MARCO}, 'marco@example.it', 'AUTO', 0, '{it_IT,en_GB}'), (${GIULIA}, null, 'MANUAL', 1, '{it_IT}')`.execute(io.db);
    }, 120_000);
    afterAll(async () => io?.close());

    const pointers = (answer: Answer) => (answer.body.errors ?? []).map((e: { pointer: string }) => e.pointer);

    it('accepts a message: 201, its ULID, Location; the status reads ACCEPTED with the content', async () => {
      const sent = await call(io.key, 'POST', `/messages/${MARCO}`, message({ due_date: '2026-12-31T00:00:00.000Z' }));
      expect(sent.status).toBe(201);
      expect(sent.body.id).toMatch(ULID_PATTERN);
      expect(sent.headers.get('location')).toBe(`/api/v1/messages/${MARCO}/${sent.body.id}`);
      const read = await call(io.key, 'GET', `/messages/${MARCO}/${sent.body.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({
        status: 'ACCEPTED',
        message: { id: sent.body.id, fiscal_code: MARCO, time_to_live: 3600, sender_service_id: io.service.serviceId, feature_level_type: 'STANDARD', content: { subject: 'La tua pratica è stata accolta' } },
      });
      expect(read.body.notification).toBeUndefined();
    });

    it('takes the fiscal code in the body instead, never in both places nor in neither', async () => {
      const sent = await call(io.key, 'POST', '/messages', message({}, { fiscal_code: MARCO }));
      expect(sent.status).toBe(201);
      expect(sent.headers.get('location')).toBe(`/api/v1/messages/${MARCO}/${sent.body.id}`);
      const both = await call(io.key, 'POST', `/messages/${MARCO}`, message({}, { fiscal_code: MARCO }));
      expect(both.status).toBe(400);
      expect(both.headers.get('content-type')).toContain('application/problem+json');
      expect(pointers(both)).toEqual(['/body/fiscal_code']);
      const neither = await call(io.key, 'POST', '/messages', message());
      expect(neither.status).toBe(400);
      expect(pointers(neither)).toEqual(['/body/fiscal_code']);
    });

    it('refuses with 400 naming the field: fiscal code, subject, markdown, time to live, notice check digits, amount over the cap', async () => {
      const cases: [string, unknown, string][] = [
        [`/messages/${MARCO.toLowerCase()}`, message(), '/params/fiscal_code'],
        [`/messages/${WRONG_CHECK}`, message(), '/params/fiscal_code'],
        ['/messages', message({}, { fiscal_code: WRONG_CHECK }), '/body/fiscal_code'],
        [`/messages/${MARCO}`, message({ subject: 'Breve' }), '/body/content/subject'],
        [`/messages/${MARCO}`, message({ subject: 'x'.repeat(121) }), '/body/content/subject'],
        [`/messages/${MARCO}`, message({ markdown: 'Troppo corto.' }), '/body/content/markdown'],
        [`/messages/${MARCO}`, message({ markdown: 'x'.repeat(10_001) }), '/body/content/markdown'],
        [`/messages/${MARCO}`, message({}, { time_to_live: 3599 }), '/body/time_to_live'],
        [`/messages/${MARCO}`, message({}, { time_to_live: 604_801 }), '/body/time_to_live'],
        [`/messages/${MARCO}`, message({ payment_data: { amount: 1000, notice_number: `${NOTICE.slice(0, 16)}00` } }), '/body/content/payment_data/notice_number'],
        [`/messages/${MARCO}`, message({ payment_data: { amount: 150_001, notice_number: NOTICE } }), '/body/content/payment_data/amount'],
      ];
      for (const [path, body, pointer] of cases) {
        const answer = await call(io.key, 'POST', path, body);
        expect({ path, pointer, status: answer.status, type: answer.headers.get('content-type') }).toMatchObject({ status: 400, type: expect.stringContaining('application/problem+json') });
        expect(pointers(answer)).toContain(pointer);
      }
      const over = await call(io.key, 'POST', `/messages/${MARCO}`, message({ payment_data: { amount: 150_001, notice_number: NOTICE } }));
      expect(over.body.detail).toBe('The requested amount (150001 cents) exceeds the maximum allowed for this service (150000 cents)');
      const payable = await call(io.key, 'POST', `/messages/${MARCO}`, message({ payment_data: { amount: 150_000, notice_number: NOTICE } }));
      expect(payable.status).toBe(201);
      // IO's sandbox fiscal code fails the check character, yet is every new service's test recipient.
      expect((await call(io.key, 'POST', '/messages/AAAAAA00A00A000A', message())).status).toBe(201);
      expect((await call(io.key, 'GET', '/profiles/AAAAAA00A00A000A')).status).toBe(404);
    });

    it('answers 401 problem+json for a missing or unknown key, 403 for a disabled service', async () => {
      for (const key of [undefined, 'sk_unknown00000.abcdefghijklmnopqrstuvwxyz0123456789', 'not-a-key']) {
        const answer = await call(key, 'POST', `/messages/${MARCO}`, message());
        expect(answer.status).toBe(401);
        expect(answer.headers.get('content-type')).toContain('application/problem+json');
        expect(answer.body.title).toMatch(/^Access denied due to (missing|invalid) subscription key/);
      }
      const { service, key } = await io.addService({ serviceName: 'Servizio sospeso' });
      expect((await call(key, 'POST', `/messages/${MARCO}`, message())).status).toBe(201);
      await updateService(io.db, service.serviceId, { isDisabled: true });
      const disabled = await call(key, 'POST', `/messages/${MARCO}`, message());
      expect(disabled.status).toBe(403);
      expect(disabled.headers.get('content-type')).toContain('application/problem+json');
    });

    it('lets a test-mode service write and read profiles only for its authorized recipients (403 Recipient forbidden)', async () => {
      const { key } = await io.addService({ serviceName: 'Servizio di prova', isTestMode: true, authorizedRecipients: [MARCO] });
      const refused = await call(key, 'POST', `/messages/${GIULIA}`, message());
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ title: 'Recipient forbidden', detail: 'You are not allowed to issue requests for the recipient.' });
      expect((await call(key, 'GET', `/profiles/${GIULIA}`)).status).toBe(403);
      expect((await call(key, 'POST', `/messages/${MARCO}`, message())).status).toBe(201);
      expect((await call(key, 'GET', `/profiles/${MARCO}`)).status).toBe(200);
    });

    it('refuses a call from outside the service’s authorized CIDRs (403 You are not allowed here)', async () => {
      const outside = await io.addService({ serviceName: 'Servizio da rete comunale', authorizedCidrs: ['10.0.0.0/8'] });
      const refused = await call(outside.key, 'POST', `/messages/${MARCO}`, message());
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ title: 'You are not allowed here' });
      const inside = await io.addService({ serviceName: 'Servizio da questa rete', authorizedCidrs: ['10.0.0.0/8', '127.0.0.0/8'] });
      expect((await call(inside.key, 'POST', `/messages/${MARCO}`, message())).status).toBe(201);
    });

    it('does not show a service another service’s message (404)', async () => {
      const sent = await call(io.key, 'POST', `/messages/${MARCO}`, message());
      const other = await io.addService({ serviceName: 'Altro servizio' });
      expect((await call(other.key, 'GET', `/messages/${MARCO}/${sent.body.id}`)).status).toBe(404);
      expect((await call(io.key, 'GET', `/messages/${GIULIA}/${sent.body.id}`)).status).toBe(404);
      expect((await call(io.key, 'GET', `/messages/${MARCO}/${sent.body.id}`)).status).toBe(200);
    });

    it('answers the first id for the same Idempotency-Key and body, 409 for another body, 400 for a key over 128 characters', async () => {
      const headers = { 'Idempotency-Key': 'pratica-42-accolta' };
      const first = await call(io.key, 'POST', `/messages/${MARCO}`, message(), headers);
      const again = await call(io.key, 'POST', `/messages/${MARCO}`, message(), headers);
      const viaBody = await call(io.key, 'POST', '/messages', message({}, { fiscal_code: MARCO }), headers);
      expect([first.status, again.status, viaBody.status]).toEqual([201, 201, 201]);
      expect(again.body.id).toBe(first.body.id);
      expect(viaBody.body.id).toBe(first.body.id);
      expect(again.headers.get('location')).toBe(first.headers.get('location'));
      const changed = await call(io.key, 'POST', `/messages/${MARCO}`, message({ subject: 'Un altro oggetto del messaggio' }), headers);
      expect(changed.status).toBe(409);
      expect(changed.headers.get('content-type')).toContain('application/problem+json');
      // The same key for another citizen is another message.
      const otherCitizen = await call(io.key, 'POST', `/messages/${GIULIA}`, message(), headers);
      expect(otherCitizen.status).toBe(201);
      expect(otherCitizen.body.id).not.toBe(first.body.id);
      const tooLong = await call(io.key, 'POST', `/messages/${MARCO}`, message(), { 'Idempotency-Key': 'k'.repeat(129) });
      expect(tooLong.status).toBe(400);
      expect(pointers(tooLong)).toEqual(['/headers/idempotency-key']);
    });

    it('group-commits concurrent submissions: every caller gets its own id, each row written once, repeats resolved', async () => {
      const sends = Array.from({ length: 60 }, (_, i) => call(io.key, 'POST', `/messages/${i % 2 ? MARCO : GIULIA}`, message(), { 'Idempotency-Key': `lotto-${i % 30}` }));
      const answers = await Promise.all(sends);
      expect(answers.map((a) => a.status)).toEqual(Array(60).fill(201));
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(30);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from io.messages where idempotency_key like 'lotto-%'`.execute(io.db);
      expect(rows[0]!.n).toBe(30);
    });

    it('answers 429 with Retry-After beyond the service’s rate', async () => {
      const { key } = await io.addService({ serviceName: 'Servizio lento', rateLimitPerSecond: 2 });
      const answers = await Promise.all(Array.from({ length: 4 }, () => call(key, 'GET', `/profiles/${MARCO}`)));
      const limited = answers.filter((a) => a.status === 429);
      expect(limited.length).toBeGreaterThanOrEqual(1);
      expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(limited[0]!.headers.get('content-type')).toContain('application/problem+json');
    });

    it('takes the secondary key too; a regenerated key stops the old one at once', async () => {
      const { service, key } = await io.addService({ serviceName: 'Servizio con rotazione' });
      const keys = await serviceKeys(io.db, io.secret, service.serviceId);
      expect(keys.primary_key).toBe(key);
      expect((await call(keys.secondary_key, 'GET', `/profiles/${MARCO}`)).status).toBe(200);
      expect((await call(key, 'GET', `/profiles/${MARCO}`)).status).toBe(200);
      const manage = await organizationManageKey(io.db, io.secret, service.organizationFiscalCode);
      const rotated = await call(manage, 'PUT', `/manage/services/${service.serviceId}/keys/primary`);
      expect(rotated.status).toBe(200);
      expect(rotated.body.secondary_key).toBe(keys.secondary_key);
      expect(rotated.body.primary_key).not.toBe(key);
      expect((await call(key, 'GET', `/profiles/${MARCO}`)).status).toBe(401);
      expect((await call(rotated.body.primary_key, 'GET', `/profiles/${MARCO}`)).status).toBe(200);
      expect((await call(manage, 'GET', `/manage/services/${service.serviceId}/keys`)).body).toEqual(rotated.body);
    });

    it('tells whether the service may write: AUTO yes, MANUAL without a preference no, 404 without a profile or with the inbox off', async () => {
      expect((await call(io.key, 'GET', `/profiles/${MARCO}`)).body).toEqual({ sender_allowed: true, preferred_languages: ['it_IT', 'en_GB'] });
      expect((await call(io.key, 'POST', '/profiles', { fiscal_code: GIULIA })).body).toEqual({ sender_allowed: false, preferred_languages: ['it_IT'] });
      await sql`insert into io.service_preferences (fiscal_code, service_id, settings_version, is_inbox_enabled, is_email_enabled, is_webhook_enabled)
        values (${GIULIA}, ${io.service.serviceId}, 1, true, false, true)`.execute(io.db);
      expect((await call(io.key, 'POST', '/profiles', { fiscal_code: GIULIA })).body.sender_allowed).toBe(true);
      expect((await call(io.key, 'GET', '/profiles/FRRLSN65S02F205E')).status).toBe(404);
      await sql`update io.profiles set is_inbox_enabled = false where fiscal_code = ${GIULIA}`.execute(io.db);
      const off = await call(io.key, 'GET', `/profiles/${GIULIA}`);
      expect(off.status).toBe(404);
      expect(off.headers.get('content-type')).toContain('application/problem+json');
      await sql`update io.profiles set is_inbox_enabled = true where fiscal_code = ${GIULIA}`.execute(io.db);
      expect((await call(io.key, 'GET', `/profiles/${WRONG_CHECK}`)).status).toBe(400);
    });

    it('reads the statuses the pipeline wrote: rejection reason, each channel’s notification', async () => {
      const rejected = (await call(io.key, 'POST', `/messages/${MARCO}`, message())).body.id;
      await sql`update io.messages set status = 'REJECTED', rejection_reason = 'SERVICE_NOT_ALLOWED' where id = ${rejected}`.execute(io.db);
      expect((await call(io.key, 'GET', `/messages/${MARCO}/${rejected}`)).body).toMatchObject({ status: 'REJECTED', rejection_reason: 'SERVICE_NOT_ALLOWED' });
      const processed = (await call(io.key, 'POST', `/messages/${MARCO}`, message())).body.id;
      await sql`update io.messages set status = 'PROCESSED', processed_at = now() where id = ${processed}`.execute(io.db);
      await sql`insert into io.notifications (message_id, fiscal_code, channel, status, expires_at) values
        (${processed}, ${MARCO}, 'EMAIL', 'SENT', now() + interval '1 hour'), (${processed}, ${MARCO}, 'WEBHOOK', null, now() + interval '1 hour')`.execute(io.db);
      const read = await call(io.key, 'GET', `/messages/${MARCO}/${processed}`);
      expect(read.body.status).toBe('PROCESSED');
      expect(read.body.notification).toEqual({ email: 'SENT' });
      expect(read.body.rejection_reason).toBeUndefined();
    });

    it('serves a past day’s subscriptions feed (global and this service’s events, hashed), 404 for today', async () => {
      const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
      const other = await io.addService({ serviceName: 'Servizio del feed' });
      await sql`insert into io.subscription_events (day, service_id, fiscal_code_hash, kind) values
        (${yesterday}, '', ${feedHash(MARCO)}, 'SUBSCRIBED'), (${yesterday}, ${io.service.serviceId}, ${feedHash(GIULIA)}, 'UNSUBSCRIBED'),
        (${yesterday}, ${other.service.serviceId}, ${feedHash('FRRLSN65S02F205E')}, 'SUBSCRIBED')`.execute(io.db);
      const feed = await call(io.key, 'GET', `/subscriptions-feed/${yesterday}`);
      expect(feed.status).toBe(200);
      expect(feed.body).toEqual({ dateUTC: yesterday, subscriptions: [feedHash(MARCO)], unsubscriptions: [feedHash(GIULIA)] });
      expect(feedHash(MARCO)).toMatch(/^[0-9a-f]{64}$/);
      expect((await call(io.key, 'GET', `/subscriptions-feed/${new Date().toISOString().slice(0, 10)}`)).status).toBe(404);
      expect((await call(io.key, 'GET', '/subscriptions-feed/ieri')).status).toBe(400);
    });

    it('lets a body manage its own services with its manage key (version increments), not another body’s', async () => {
      const manage = await organizationManageKey(io.db, io.secret, io.service.organizationFiscalCode);
      const list = await call(manage, 'GET', '/manage/services');
      expect(list.status).toBe(200);
      expect(list.body.map((s: { service_id: string }) => s.service_id)).toContain(io.service.serviceId);
      const one = await call(manage, 'GET', `/manage/services/${io.service.serviceId}`);
      expect(one.body).toMatchObject({ service_id: io.service.serviceId, organization_name: 'Comune di Bugliano', max_allowed_payment_amount: 150_000, is_test_mode: false });
      const changed = await call(manage, 'PUT', `/manage/services/${io.service.serviceId}`, {
        service_name: 'Pratiche online',
        department_name: 'Servizi demografici',
        service_metadata: { scope: 'LOCAL', description: 'Le pratiche del Comune.', phone: '+39 050 000000' },
      });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ service_name: 'Pratiche online', version: one.body.version + 1, id: `${io.service.serviceId}-${String(one.body.version + 1).padStart(16, '0')}` });
      const noContact = await call(manage, 'PUT', `/manage/services/${io.service.serviceId}`, { service_name: 'Pratiche', department_name: 'Servizi', service_metadata: { scope: 'LOCAL' } });
      expect(noContact.status).toBe(400);
      expect(pointers(noContact)).toEqual(['/body/service_metadata/email', '/body/service_metadata/description']);
      expect((await call(io.key, 'GET', '/manage/services')).status).toBe(401);
      expect((await call(manage, 'GET', '/manage/services/01JD8B0G1ANZ8C0MVNE5ERV1Z9')).status).toBe(404);
    });

    it('works through the typed client: profile, submission with an idempotency key, status, IoError', async () => {
      const client = ioClient({ baseUrl: io.url, apiKey: io.key });
      expect(await client.getProfile(MARCO)).toEqual({ sender_allowed: true, preferred_languages: ['it_IT', 'en_GB'] });
      expect(await client.getProfile('FRRLSN65S02F205E')).toBeUndefined();
      const { id } = await client.submitMessage(MARCO, message(), { idempotencyKey: 'client-1' });
      expect((await client.submitMessage(MARCO, message(), { idempotencyKey: 'client-1' })).id).toBe(id);
      expect((await client.getMessage(MARCO, id))?.status).toBe('ACCEPTED');
      expect(await client.getMessage(MARCO, '01JD8B0G1ANZ8C0MVNE5ERV1Z9')).toBeUndefined();
      const refused = await client.submitMessage(MARCO, message({ subject: 'Breve' })).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(IoError);
      expect((refused as IoError).status).toBe(400);
      expect((refused as IoError).problem.errors?.[0]?.pointer).toBe('/body/content/subject');
    });

    it('documents the API and its subscription-key scheme in /openapi.json', async () => {
      const doc = await (await fetch(`${io.url}/openapi.json`)).json();
      expect(doc.components.securitySchemes.SubscriptionKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'Ocp-Apim-Subscription-Key' });
      expect(doc.paths['/api/v1/messages/{fiscal_code}'].post.operationId).toBe('submitMessageforUser');
      expect(doc.components.schemas.NewMessage).toBeDefined();
    });
  });
}
