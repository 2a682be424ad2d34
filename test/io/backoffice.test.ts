// IO's developer back-office over HTTP with a cookie jar, on PostgreSQL: sign-in with TOTP, a referent's own body
// only (another body's pages and services answer 404, no onboarding), the operator's onboarding of a body, a
// service created and edited (amounts in euro stored in cents, the go-live checklist gating production), keys
// regenerated (the old one stops working), test recipients validated, a test message through acceptMessage to its
// status page, and the usage chart with its table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/core/auth/totp.ts';
import { sql } from '../../src/core/db.ts';
import io from '../../src/platforms/io/index.ts';
import { DEMO_IO_STAFF, seedBackofficeAccounts } from '../../src/platforms/io/backoffice/accounts.ts';
import { createOrganization, createService, getService, serviceKeys, serviceOfKey, type Service } from '../../src/platforms/io/services/store.ts';
import { postgresTestTarget, testDatabaseTargets } from '../support/database.ts';
import { signInStaff, type StaffAccount } from '../support/staff-login.ts';
import { WebClient, type Visit } from '../support/web-client.ts';
import { startIo, TEST_BODY, testServiceInput, type RunningIo } from './support.ts';

const [OPERATOR, REFERENT] = DEMO_IO_STAFF;
const OTHER_BODY = { fiscalCode: '80000380503', name: 'Comune di Vicopisano (demo)', departmentName: 'Servizi al cittadino' };
const RECIPIENT = 'RSSMRA85T10A562S';
const MARKDOWN = 'Gentile cittadino, questo è un messaggio di prova inviato dal back-office di IO per verificare la configurazione del servizio.';

let running: RunningIo;
let base: string;
let otherService: Service;
let referent: WebClient;
/** The service the referent creates through the form. */
let created: Service;

async function signIn(account: StaffAccount, language = 'it'): Promise<{ client: WebClient; home: Visit }> {
  const client = new WebClient(language);
  return { client, home: await signInStaff(client, `${base}/backoffice`, account) };
}

const serviceIdOf = (page: Visit) => /\/backoffice\/servizi\/([0-9A-Z]{26})/.exec(page.url.pathname)![1]!;
const fieldError = (page: Visit, field: string) => new RegExp(`id="field-${field}-error"[^>]*>([^<]*)<`).exec(page.html)?.[1];

const SERVICE_FIELDS = {
  service_name: 'Tributi e scadenze',
  department_name: 'Ufficio tributi',
  scope: 'LOCAL',
  category: 'STANDARD',
  description: 'Promemoria delle scadenze dei tributi comunali.',
  max_allowed_payment_amount: '1.500,00',
  rate_limit_per_second: '50',
  require_secure_channels: 'on',
};

beforeAll(async () => {
  const target = (await postgresTestTarget()) ?? (await testDatabaseTargets())[0]!;
  running = await startIo(target);
  base = running.url;
  await seedBackofficeAccounts(running.db, running.secret);
  await createOrganization(running.db, OTHER_BODY);
  otherService = await createService(running.db, running.secret, testServiceInput({ organizationFiscalCode: OTHER_BODY.fiscalCode, serviceName: 'Servizi di Vicopisano' }));
  referent = (await signIn(REFERENT)).client;
}, 120_000);

afterAll(async () => {
  await running?.close();
});

describe('sign-in', () => {
  it('lists its demo accounts in the start-up table', () => {
    const logins = io.demoAccounts!(running.ctx).map((a) => a.login);
    for (const staff of DEMO_IO_STAFF) expect(logins).toContain(`${base}/backoffice/accedi  ${staff.email}`);
  });

  it('asks for e-mail, password and the TOTP code, refusing wrong ones; a referent lands on their body', async () => {
    const client = new WebClient();
    expect((await client.visit(`${base}/backoffice`)).url.pathname).toBe('/backoffice/accedi');
    const login = await client.visit(`${base}/backoffice/accedi`);
    expect((await client.submit(login, '/backoffice/accedi', { email: REFERENT.email, password: 'wrong-password-123' })).status).toBe(401);
    const totp = await client.submit(login, '/backoffice/accedi', { email: REFERENT.email, password: REFERENT.password });
    expect(totp.html).toContain('name="code"');
    expect((await client.submit(totp, '/backoffice/accedi/totp', { code: '000000' })).status).toBe(401);
    const home = await client.submit(totp, '/backoffice/accedi/totp', { code: totpCode(REFERENT.totpSecret) });
    expect(home.url.pathname).toBe(`/backoffice/enti/${TEST_BODY.fiscalCode}`);
    expect(home.html).toContain(running.service.serviceName);
    expect(home.html).toContain('I quattro passi dell’adesione');
  });
});

describe('a body’s referent', () => {
  it('sees only its own body and services: another body’s pages and services answer 404, and it cannot onboard bodies', async () => {
    for (const path of [`/backoffice/enti/${OTHER_BODY.fiscalCode}`, `/backoffice/servizi/${otherService.serviceId}`, `/backoffice/servizi/${otherService.serviceId}/chiavi`, '/backoffice/enti/nuovo']) {
      const page = await referent.visit(`${base}${path}`);
      expect(page.status, path).toBe(404);
      expect(page.html).toContain('non esiste o non è accessibile');
    }
    // A forged post to another body's service (with this session's CSRF token) is as unknown.
    const own = await referent.visit(`${base}/backoffice/servizi/${running.service.serviceId}`);
    const forged = await referent.visit(`${base}/backoffice/servizi/${otherService.serviceId}/stato`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: /name="_csrf" value="([^"]+)"/.exec(own.html)![1]!, azione: 'disabilita' }),
    });
    expect(forged.status).toBe(404);
    expect((await getService(running.db, otherService.serviceId))!.isDisabled).toBe(false);
  });

  it('creates a service (a contact required, the amount in euro stored in cents), in test mode until the go-live checklist is met', async () => {
    const form = await referent.visit(`${base}/backoffice/enti/${TEST_BODY.fiscalCode}/servizi/nuovo`);
    const noContact = await referent.submit(form, `/enti/${TEST_BODY.fiscalCode}/servizi`, SERVICE_FIELDS);
    expect(noContact.status).toBe(400);
    expect(fieldError(noContact, 'email')).toContain('almeno un contatto');
    const badAmount = await referent.submit(form, `/enti/${TEST_BODY.fiscalCode}/servizi`, { ...SERVICE_FIELDS, email: 'tributi@comune.example', max_allowed_payment_amount: 'mille' });
    expect(fieldError(badAmount, 'max_allowed_payment_amount')).toContain('importo in euro');

    const page = await referent.submit(form, `/enti/${TEST_BODY.fiscalCode}/servizi`, { ...SERVICE_FIELDS, email: 'tributi@comune.example' });
    expect(page.status).toBe(200);
    created = (await getService(running.db, serviceIdOf(page)))!;
    expect(created).toMatchObject({ organizationFiscalCode: TEST_BODY.fiscalCode, serviceName: 'Tributi e scadenze', isTestMode: true, maxAllowedPaymentAmount: 150_000, rateLimitPerSecond: 50, requireSecureChannels: true });
    expect(created.metadata).toMatchObject({ scope: 'LOCAL', email: 'tributi@comune.example' });
    expect(page.html).toContain('Modalità di test');
    expect(page.html).toMatch(/1\.500,00/);
    // No CIDRs, no privacy notice: production is refused.
    expect(page.html).toMatch(/<button type="submit" class="btn btn-primary" disabled>Passa in produzione/);
    const refused = await referent.submit(page, `/servizi/${created.serviceId}/stato`, { azione: 'produzione' });
    expect(refused.status).toBe(409);
    expect((await getService(running.db, created.serviceId))!.isTestMode).toBe(true);
  });

  it('edits the service to meet the checklist, then takes it to production', async () => {
    const form = await referent.visit(`${base}/backoffice/servizi/${created.serviceId}/modifica`);
    expect(form.html).toContain('value="1500,00"');
    const badCidr = await referent.submit(form, '/modifica', { ...SERVICE_FIELDS, email: 'tributi@comune.example', authorized_cidrs: '300.1.2.3/24' });
    expect(badCidr.status).toBe(400);
    expect(fieldError(badCidr, 'authorized_cidrs')).toBeTruthy();
    const saved = await referent.submit(form, '/modifica', { ...SERVICE_FIELDS, email: 'tributi@comune.example', privacy_url: 'https://comune.example/privacy', authorized_cidrs: '203.0.113.0/24\n198.51.100.7' });
    expect(saved.html).toContain('Modifiche salvate');
    expect(saved.html).not.toMatch(/disabled>Passa in produzione/);
    const live = await referent.submit(saved, `/servizi/${created.serviceId}/stato`, { azione: 'produzione' });
    expect(live.html).toContain('In produzione');
    const after = (await getService(running.db, created.serviceId))!;
    expect(after).toMatchObject({ isTestMode: false, authorizedCidrs: ['203.0.113.0/24', '198.51.100.7'] });
    const back = await referent.submit(live, `/servizi/${created.serviceId}/stato`, { azione: 'test' });
    expect(back.html).toContain('Modalità di test');
    const disabled = await referent.submit(back, `/servizi/${created.serviceId}/stato`, { azione: 'disabilita' });
    expect(disabled.html).toContain('Disattivato');
    const form2 = await referent.visit(`${base}/backoffice/servizi/${created.serviceId}/messaggio-di-prova`);
    const refused = await referent.submit(form2, '/messaggio-di-prova', { fiscal_code: RECIPIENT, subject: 'Prova di invio dal back-office', markdown: MARKDOWN });
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('Il servizio è disattivato');
    const enabled = await referent.submit(disabled, `/servizi/${created.serviceId}/stato`, { azione: 'abilita' });
    expect(enabled.html).not.toContain('Disattivato');
    // The breadcrumb leads back to the body by its name.
    expect(enabled.html).toContain(`<a href="/backoffice/enti/${TEST_BODY.fiscalCode}">${TEST_BODY.name}</a>`);
  });

  it('shows both keys masked (revealed on request) with a curl example, and regenerates one after a confirmation: the old key stops working', async () => {
    const before = await serviceKeys(running.db, running.secret, created.serviceId);
    const keys = await referent.visit(`${base}/backoffice/servizi/${created.serviceId}/chiavi`);
    expect(keys.html).toContain(`••••••••••••${before.primary_key.slice(-4)}`);
    expect(keys.html).toMatch(/<details[^>]*><summary>Mostra la chiave<\/summary>/);
    expect(keys.html).toContain(`Ocp-Apim-Subscription-Key: ${before.primary_key}`);
    const confirm = await referent.visit(`${base}/backoffice/servizi/${created.serviceId}/chiavi/primary/rigenera`);
    expect(confirm.html).toContain('smetterà subito di funzionare');
    const done = await referent.submit(confirm, '/chiavi/primary/rigenera', {});
    expect(done.url.pathname).toBe(`/backoffice/servizi/${created.serviceId}/chiavi`);
    const after = await serviceKeys(running.db, running.secret, created.serviceId);
    expect(after.primary_key).not.toBe(before.primary_key);
    expect(after.secondary_key).toBe(before.secondary_key);
    expect(await serviceOfKey(running.db, before.primary_key)).toBeUndefined();
    expect((await serviceOfKey(running.db, after.primary_key))?.serviceId).toBe(created.serviceId);
    // At the Services API the key is checked first: the old one gets 401, the new one gets past it.
    const profile = (key: string) => fetch(`${base}/api/v1/profiles/${RECIPIENT}`, { headers: { 'Ocp-Apim-Subscription-Key': key } }).then((r) => r.status);
    expect(await profile(before.primary_key)).toBe(401);
    expect(await profile(after.primary_key)).not.toBe(401);
    expect(await profile(after.secondary_key)).not.toBe(401);
    expect(done.html).toContain(after.primary_key);
  });

  it('edits the test recipients, naming the field and the fiscal codes that are wrong', async () => {
    const form = await referent.visit(`${base}/backoffice/servizi/${created.serviceId}/destinatari`);
    const wrong = await referent.submit(form, '/destinatari', { authorized_recipients: `${RECIPIENT}\nRSSMRA85T10A562X` });
    expect(wrong.status).toBe(400);
    expect(fieldError(wrong, 'authorized_recipients')).toContain('RSSMRA85T10A562X');
    expect(fieldError(wrong, 'authorized_recipients')).not.toContain(RECIPIENT);
    const saved = await referent.submit(form, '/destinatari', { authorized_recipients: `${RECIPIENT}\nbncmrc78c14g702e` });
    expect(saved.html).toContain('Destinatari salvati');
    expect((await getService(running.db, created.serviceId))!.authorizedRecipients).toEqual([RECIPIENT, 'BNCMRC78C14G702E']);
  });

  it('sends a test message as the Services API would (errors per field) and shows its status, found again by fiscal code and id', async () => {
    const form = await referent.visit(`${base}/backoffice/servizi/${created.serviceId}/messaggio-di-prova`);
    expect(form.html).toContain(`value="${RECIPIENT}"`);
    const short = await referent.submit(form, '/messaggio-di-prova', { fiscal_code: RECIPIENT, subject: 'Breve', markdown: 'Troppo corto' });
    expect(short.status).toBe(400);
    expect(fieldError(short, 'subject')).toContain('da 10 a 120');
    expect(fieldError(short, 'markdown')).toContain('da 80 a 10000');
    const forbidden = await referent.submit(form, '/messaggio-di-prova', { fiscal_code: 'VRDLGU80A01H501Q', subject: 'Prova di invio dal back-office', markdown: MARKDOWN });
    expect(forbidden.status).toBe(400);
    expect(fieldError(forbidden, 'fiscal_code')).toContain('destinatari autorizzati');
    const badNotice = await referent.submit(form, '/messaggio-di-prova', { fiscal_code: RECIPIENT, subject: 'Prova di invio dal back-office', markdown: MARKDOWN, notice_number: '312345678901234567', amount: '12,50' });
    expect(fieldError(badNotice, 'notice_number')).toBeTruthy();

    const status = await referent.submit(form, '/messaggio-di-prova', { fiscal_code: RECIPIENT, subject: 'Prova di invio dal back-office', markdown: MARKDOWN, due_date: '2026-12-31' });
    expect(status.status).toBe(200);
    const [, fiscalCode, id] = /\/messaggi\/([A-Z0-9]{16})\/([0-9A-Z]{26})$/.exec(status.url.pathname)!;
    expect(fiscalCode).toBe(RECIPIENT);
    expect(status.html).toContain('Accettato');
    expect(status.html).toContain('Prova di invio dal back-office');
    const { rows } = await sql<{ content: { due_date: string } }>`select content from io.messages where id = ${id!}`.execute(running.db);
    expect(rows[0]!.content.due_date).toBe('2026-12-31T22:59:59.000Z');

    // The same form sent twice (a double click) is one message.
    const again = await referent.submit(form, '/messaggio-di-prova', { fiscal_code: RECIPIENT, subject: 'Prova di invio dal back-office', markdown: MARKDOWN, due_date: '2026-12-31' });
    expect(again.url.pathname).toBe(status.url.pathname);
    const lookup = await referent.visit(`${base}/backoffice/servizi/${created.serviceId}/messaggi?codice_fiscale=${RECIPIENT.toLowerCase()}&id=${id}`);
    expect(lookup.url.pathname).toBe(status.url.pathname);
    const missing = await referent.visit(`${base}/backoffice/servizi/${running.service.serviceId}/messaggi?codice_fiscale=${RECIPIENT}&id=${id}`);
    expect(missing.status).toBe(404);
    expect(fieldError(missing, 'id')).toContain('Nessun messaggio');
  });

  it('draws the usage of the last 30 days by outcome, as an SVG chart with the same figures in a table', async () => {
    const db = running.db;
    const insert = (status: string, daysAgo: number, n: number) =>
      sql`insert into io.messages (id, fiscal_code, sender_service_id, time_to_live, content, status, created_at)
        select 'USAGE' || lpad((${status === 'PROCESSED' ? 1 : 2} * 1000 + ${daysAgo} * 10 + g)::text, 21, '0'), ${RECIPIENT}, ${created.serviceId}, 3600, '{}'::jsonb, ${status}, now() - make_interval(days => ${daysAgo})
        from generate_series(1, ${n}) g`.execute(db);
    await insert('PROCESSED', 3, 4);
    await insert('REJECTED', 3, 2);
    await insert('PROCESSED', 40, 5);
    const page = await referent.visit(`${base}/backoffice/servizi/${created.serviceId}/utilizzo`);
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/<svg role="img" aria-labelledby="usage-chart-title"/);
    expect(page.html).toContain('<title id="usage-chart-title">');
    // 4 processed and 2 rejected three days ago, plus the test message of today; the message of 40 days ago is out.
    expect(page.html).toContain('7 in tutto');
    expect(page.html).toMatch(/<td>4<\/td><td>2<\/td><td>0<\/td><td>6<\/td>/);
    expect(page.html).toContain('4 consegnati, 2 rifiutati, 0 altri');
  });
});

describe('the platform operator', () => {
  it('sees every body and service, and onboards a body (11 digits with the check digit)', async () => {
    const { client, home } = await signIn(OPERATOR);
    expect(home.url.pathname).toBe('/backoffice');
    expect(home.html).toContain(TEST_BODY.name);
    expect(home.html).toContain(OTHER_BODY.name);
    expect((await client.visit(`${base}/backoffice/servizi/${otherService.serviceId}`)).status).toBe(200);
    const form = await client.visit(`${base}/backoffice/enti/nuovo`);
    expect(form.html).toContain('Individuare servizi e messaggi');
    const wrongDigit = await client.submit(form, '/backoffice/enti', { fiscal_code: '80000990508', name: 'Comune di Prova' });
    expect(wrongDigit.status).toBe(400);
    expect(fieldError(wrongDigit, 'fiscal_code')).toContain('cifra di controllo');
    const exists = await client.submit(form, '/backoffice/enti', { fiscal_code: TEST_BODY.fiscalCode, name: 'Comune di Bugliano' });
    expect(fieldError(exists, 'fiscal_code')).toContain('già aderito');
    const body = await client.submit(form, '/backoffice/enti', { fiscal_code: '00907501001', name: 'Ente di prova', department_name: 'Innovazione' });
    expect(body.url.pathname).toBe('/backoffice/enti/00907501001');
    expect(body.html).toContain('Ente aggiunto');
    expect(body.html).toContain('Individuare servizi e messaggi');
  });

  it('reads the back-office in the browser’s language', async () => {
    const { client } = await signIn(OPERATOR, 'de');
    const page = await client.visit(`${base}/backoffice/servizi/${otherService.serviceId}`);
    expect(page.html).toContain('<html lang="de"');
    expect(page.html).toContain('Bereit für die Produktion?');
    expect(page.html).toContain('Angemeldet als Operatore IO — Plattformbetreiber');
  });
});
