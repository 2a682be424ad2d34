// IO's ADVANCED messages over the Services API: only a service the operator allows may send them (403 otherwise),
// and getMessage adds read_status (UNAVAILABLE once the citizen denies it) and, for a payment, payment_status; the
// back-office's switch is the operator's alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { noticeCheckDigits } from '../../src/domain/pagopa/notice-number.ts';
import type { NewMessage } from '../../src/clients/io/wire.ts';
import { upsertServicePreference } from '../../src/platforms/io/citizen/profiles.ts';
import { DEMO_IO_STAFF, seedBackofficeAccounts } from '../../src/platforms/io/backoffice/accounts.ts';
import { getService } from '../../src/platforms/io/services/store.ts';
import { signInStaff } from '../support/staff-login.ts';
import { WebClient } from '../support/web-client.ts';
import { testDatabaseTargets } from '../support/database.ts';
import { startIo, TEST_BODY, type RunningIo } from './support.ts';

const MARCO = 'BNCMRC78C14G702E';
const NOTICE = (() => {
  const first16 = '3010000000000077';
  return first16 + noticeCheckDigits(first16);
})();

const message = (rest: Partial<NewMessage> = {}, content: Partial<NewMessage['content']> = {}): NewMessage => ({
  content: { subject: 'La tua pratica è stata accolta', markdown: 'La domanda di iscrizione alla mensa scolastica è stata **accolta**. Trovi i dettagli nella tua area personale.', ...content },
  ...rest,
});

for (const target of await testDatabaseTargets()) {
  describe(`IO ADVANCED messages [${target.name}]`, () => {
    let io: RunningIo;
    let advancedKey: string;
    let advancedServiceId: string;
    const call = async (key: string, method: string, path: string, body?: unknown) => {
      const response = await fetch(`${io.url}/api/v1${path}`, {
        method,
        headers: { 'Ocp-Apim-Subscription-Key': key, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
    };
    const send = async (key: string, sent: NewMessage) => {
      const answer = await call(key, 'POST', `/messages/${MARCO}`, sent);
      expect(answer.status).toBe(201);
      return answer.body.id as string;
    };
    const status = async (id: string) => (await call(advancedKey, 'GET', `/messages/${MARCO}/${id}`)).body;

    beforeAll(async () => {
      io = await startIo(target);
      const allowed = await io.addService({ serviceName: 'Avvisi con conferma di lettura', allowAdvanced: true });
      advancedKey = allowed.key;
      advancedServiceId = allowed.service.serviceId;
      await sql`insert into ${sql.table('io.profiles')} (fiscal_code, email, service_preferences_mode, service_preferences_version, preferred_languages)
        values (${MARCO}, 'marco@example.it', 'AUTO', 0, '{it_IT}')`.execute(io.db);
    }, 120_000);
    afterAll(async () => io?.close());

    it('refuses ADVANCED from a service the operator has not allowed: 403 in IO’s words', async () => {
      expect(io.service.allowAdvanced).toBe(false);
      const refused = await call(io.key, 'POST', `/messages/${MARCO}`, message({ feature_level_type: 'ADVANCED' }));
      expect(refused.status).toBe(403);
      expect(refused.type).toContain('application/problem+json');
      expect(refused.body).toMatchObject({ title: 'You are not allowed here', detail: 'You do not have enough permission to complete the operation you requested' });
    });

    it('reads UNREAD, then READ once the citizen reads it, UNAVAILABLE once they deny the read receipt', async () => {
      const id = await send(advancedKey, message({ feature_level_type: 'ADVANCED' }));
      const unread = await status(id);
      expect(unread).toMatchObject({ message: { feature_level_type: 'ADVANCED' }, read_status: 'UNREAD' });
      expect(unread.payment_status).toBeUndefined();
      await sql`update ${sql.table('io.messages')} set is_read = true where id = ${id}`.execute(io.db);
      expect((await status(id)).read_status).toBe('READ');
      await upsertServicePreference(io.db, MARCO, advancedServiceId, { isInboxEnabled: true, isEmailEnabled: true, isWebhookEnabled: true, settingsVersion: 0, canAccessMessageReadStatus: 'DENY' });
      expect((await status(id)).read_status).toBe('UNAVAILABLE');
      await upsertServicePreference(io.db, MARCO, advancedServiceId, { isInboxEnabled: true, isEmailEnabled: true, isWebhookEnabled: true, settingsVersion: 0, canAccessMessageReadStatus: 'ALLOW' });
      expect((await status(id)).read_status).toBe('READ');
    });

    it('reads NOT_PAID, then PAID once the notice is paid in the app', async () => {
      const id = await send(advancedKey, message({ feature_level_type: 'ADVANCED' }, { payment_data: { amount: 12_000, notice_number: NOTICE } }));
      expect((await status(id)).payment_status).toBe('NOT_PAID');
      await sql`insert into ${sql.table('io.payments')} (fiscal_code, message_id, payee_fiscal_code, notice_number, amount, status, paid_at)
        values (${MARCO}, ${id}, ${TEST_BODY.fiscalCode}, ${NOTICE}, 12000, 'PAID', now())`.execute(io.db);
      expect(await status(id)).toMatchObject({ read_status: 'UNREAD', payment_status: 'PAID' });
    });

    it('gives neither field for a STANDARD message, even a paid one', async () => {
      const id = await send(advancedKey, message({}, { payment_data: { amount: 12_000, notice_number: NOTICE } }));
      const standard = await status(id);
      expect(standard.message.feature_level_type).toBe('STANDARD');
      expect(standard.read_status).toBeUndefined();
      expect(standard.payment_status).toBeUndefined();
    });

    it('the back-office shows the ADVANCED switch to the operator only; a body’s staff cannot forge it', async () => {
      await seedBackofficeAccounts(io.db, io.secret);
      const { service } = await io.addService({ serviceName: 'Servizio del back-office' });
      const fields = {
        service_name: service.serviceName,
        department_name: service.departmentName,
        scope: 'LOCAL',
        description: 'Le pratiche e i pagamenti del Comune.',
        privacy_url: 'https://comune.example/privacy',
        email: 'urp@comune.example',
        max_allowed_payment_amount: '1500,00',
        is_visible: 'on',
      };
      const edit = `${io.url}/backoffice/servizi/${service.serviceId}/modifica`;
      const [operator, referent] = [new WebClient(), new WebClient()];
      await signInStaff(operator, `${io.url}/backoffice`, DEMO_IO_STAFF[0]);
      await signInStaff(referent, `${io.url}/backoffice`, DEMO_IO_STAFF[1]);
      const referentForm = await referent.visit(edit);
      expect(referentForm.html).not.toContain('name="allow_advanced"');
      expect((await referent.submit(referentForm, '/modifica', { ...fields, allow_advanced: 'on' })).html).toContain('Modifiche salvate');
      expect((await getService(io.db, service.serviceId))!.allowAdvanced).toBe(false);
      const operatorForm = await operator.visit(edit);
      expect(operatorForm.html).toContain('name="allow_advanced"');
      expect((await operator.submit(operatorForm, '/modifica', { ...fields, allow_advanced: 'on' })).html).toContain('Messaggi ADVANCED');
      expect((await getService(io.db, service.serviceId))!.allowAdvanced).toBe(true);
      await referent.submit(await referent.visit(edit), '/modifica', fields);
      expect((await getService(io.db, service.serviceId))!.allowAdvanced).toBe(true);
    });
  });
}
