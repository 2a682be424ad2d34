// The comune's messages to citizens through IO over real HTTP (comune ⇄ IO ⇄ pagoPA, mail catcher, real
// PostgreSQL): a status change is one IO message (a retry, or a crash between IO's answer and our commit, gives
// the same one back: Idempotency-Key = the row's id); the payment notice with payment_data and due_date; the
// reminder only while GPD says unpaid; a citizen not on IO gets an e-mail; one who refused the service does not
// and the operator sees it; IO down retried and shown; a 4xx failed and retried by the operator; an ente without
// IO; the App IO page and its connection test; who may see and retry what.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { dateInItaly } from '../../src/domain/dates.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient } from '../support/web-client.ts';
import { totpCode } from '../../src/core/auth/totp.ts';
import { alice, bob, spid, TENANT } from './journey-fixtures.ts';
import { serviceInput } from './catalog-fixtures.ts';
import { DEMO_STAFF } from '../../src/comune/seed.ts';
import { TenantRepository, type Tenant } from '../../src/comune/tenants/tenants.ts';
import { ServiceRepository } from '../../src/comune/catalog/services.ts';
import { ApplicationStore } from '../../src/comune/applications/store.ts';
import { diskDocumentStore } from '../../src/comune/protocol/files.ts';
import { deskUser, DeskStore } from '../../src/comune/desk/store.ts';
import { STATUS } from '../../src/comune/applications/states.ts';
import { saveServicePayment } from '../../src/comune/payments/service-payments.ts';
import { PaymentFlow } from '../../src/comune/payments/flow.ts';
import type { ServicePayment } from '../../src/comune/payments/rules.ts';
import { ioClientFor, ioSettingsFor, saveIoSettings } from '../../src/comune/messaging/settings.ts';
import { messagesOfApplication, REMINDER_JOB, retryMessage, type CitizenMessage } from '../../src/comune/messaging/store.ts';
import { DEMO_IO_SERVICES, demoIoKey } from '../../src/clients/io/demo.ts';
import { DEMO_PSPS, demoPagopaKey, pspKeyHolder } from '../../src/clients/pagopa/demo.ts';
import { euroAmount } from '../../src/clients/pagopa/nodo-wire.ts';
import { isFault, nodoBaseUrl, nodoClient } from '../../src/clients/pagopa/nodo.ts';
import { DUES_PATH } from '../../src/comune/payments/dues/routes.ts';
import { duesCsv } from './payments-dues-fixtures.ts';

const VICOPISANO = 'comune-di-vicopisano-demo';
/** Demo people on IO (src/platforms/io/citizen/seed-profiles.ts): MANUAL with nothing enabled, and not on IO at all. */
const REFUSES_SERVICE = { fiscalCode: 'FRRLSN65S02F205E', name: 'Alessandro Ferrari' };
const NOT_ON_IO = { fiscalCode: 'LMBSVT49B27G273V', name: 'Salvatore Lombardi' };

let system: TestSystem;
let bugliano: Tenant;
let vicopisano: Tenant;
let serviceId: string;
const db = () => system.ctx.database.db;
const documents = () => diskDocumentStore(path.join(system.ctx.config.dataDir, 'documents'));
const applications = () => new ApplicationStore(db(), documents());
const comune = (p: string) => `${system.urls.comune}${p}`;
const staffOf = (tenant: string, role: string) => DEMO_STAFF.find((s) => s.tenantSlug === tenant && s.role === role)!;

async function until<T>(what: () => Promise<T>, ok: (value: T) => boolean, ms = 40_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await what();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A citizen's application, drafted and submitted through the store (2000, then 3000 once the protocol numbers it). */
async function apply(tenant: Tenant, citizen: { fiscalCode: string; name: string }, service = serviceId, awaitPayment = false): Promise<string> {
  const actor = { kind: 'citizen', tenantId: tenant.id, fiscalCode: citizen.fiscalCode } as const;
  const draft = await applications().createDraft(actor, tenant.id, { service: { id: service, name: 'Contributo di prova' }, citizen: { fiscalCode: citizen.fiscalCode, name: citizen.name }, data: { nota: 'prova' } });
  await applications().submit(actor, draft.id, { idempotencyKey: draft.id, awaitPayment });
  return draft.id;
}

/** The application's first message once it reaches a state `ok` accepts. */
const firstMessage = async (applicationId: string, ok: (m: CitizenMessage) => boolean = () => true): Promise<CitizenMessage> =>
  (await until(async () => (await messagesOfApplication(db(), applicationId))[0], (m) => m !== undefined && ok(m)))!;

const final = (m: CitizenMessage) => ['processed', 'rejected', 'emailed', 'failed', 'not_configured'].includes(m.state);

/** The IO messages the comune's row became (IO keeps the Idempotency-Key with each). */
const ioMessagesOf = async (rowId: string) =>
  (await sql<{ id: string; status: string }>`select id, status from io.messages where idempotency_key = ${rowId}`.execute(db())).rows;

async function staffLogin(tenant: string, role: 'tenant_admin' | 'operator'): Promise<WebClient> {
  const person = staffOf(tenant, role);
  const client = new WebClient();
  const loginPath = `/${tenant}/backoffice/accedi`;
  let page = await client.submit(await client.visit(comune(loginPath)), loginPath, { email: person.email, password: person.password });
  if (person.totpSecret) page = await client.submit(page, `${loginPath}/totp`, { code: totpCode(person.totpSecret) });
  expect(page.url.pathname).toBe(`/${tenant}/backoffice`);
  return client;
}

async function setIo(change: { ioUrl?: string; apiKey?: string; enabled?: boolean }, tenant = bugliano) {
  const saved = (await ioSettingsFor(db(), tenant.id))!;
  await saveIoSettings(db(), system.ctx.secret, tenant.id, null, { ioServiceId: saved.ioServiceId, ioUrl: change.ioUrl ?? saved.ioUrl, apiKey: change.apiKey, reminderDays: saved.reminderDays, enabled: change.enabled ?? saved.enabled });
}

/** Runs a waiting job now (its backoff or schedule skipped). */
const runNow = (kind: string, key: string) => sql`update comune.jobs set run_at = now() where kind = ${kind} and idempotency_key = ${key} and state = 'pending'`.execute(db());

beforeAll(async () => {
  system = await startSystem({ apps: ['mail', 'identity', 'pagopa', 'io', 'comune'], env: { LOGIN_RATE_LIMIT: '1000' } });
  const tenants = new TenantRepository(db());
  bugliano = (await tenants.bySlug(TENANT))!;
  vicopisano = (await tenants.bySlug(VICOPISANO))!;
  const service = await new ServiceRepository(db()).create(bugliano.id, serviceInput('contributo-io', 'Contributo di prova', { protocolRequired: true }));
  serviceId = service!.id;
}, 120_000);
afterAll(() => system?.stop());

describe('the demo configuration', () => {
  it('sends each demo ente through its demo IO service, the key sealed', async () => {
    const settings = (await ioSettingsFor(db(), bugliano.id))!;
    const demo = DEMO_IO_SERVICES.find((s) => s.organizationFiscalCode === bugliano.fiscalCode)!;
    expect(settings).toMatchObject({ ioServiceId: demo.serviceId, ioUrl: system.urls.io, reminderDays: 3, enabled: true });
    expect(settings.sealedKey).not.toContain(demoIoKey(system.ctx.secret, demo.serviceId));
    expect((await ioSettingsFor(db(), vicopisano.id))?.ioServiceId).toBe(DEMO_IO_SERVICES[1].serviceId);
  });
});

describe('a status change', () => {
  let applicationId: string;
  let first: CitizenMessage;

  it('is one message on IO, processed, in the citizen’s personal area', async () => {
    const client = new WebClient();
    await spid(system, client, alice);
    applicationId = await apply(bugliano, { fiscalCode: alice.fiscalCode, name: 'Alice' });
    first = await firstMessage(applicationId, final);
    expect(first).toMatchObject({ kind: 'status_change', state: 'processed', fiscalCode: alice.fiscalCode, locale: 'it', ioStatus: 'PROCESSED' });
    expect(first.subject).toBe('Contributo di prova: Inviata');
    const onIo = await ioMessagesOf(first.id);
    expect(onIo).toEqual([{ id: first.ioMessageId, status: 'PROCESSED' }]);
    // The protocol's number (3000) is its own message, once.
    const both = await until(() => messagesOfApplication(db(), applicationId), (list) => list.length === 2 && list.every(final));
    expect(both.map((m) => m.subject)).toEqual(['Contributo di prova: Inviata', 'Contributo di prova: Protocollata']);

    const list = await client.visit(comune(`/${TENANT}/area-personale/messaggi`));
    expect(list.status).toBe(200);
    expect(list.html).toContain(`data-message-id="${first.id}" data-unread`);
    const detail = await client.visit(comune(`/${TENANT}/area-personale/messaggi/${first.id}`));
    expect(detail.html).toContain('id="message"');
    expect(detail.html).toContain('la tua domanda &quot;Contributo di prova&quot; è stata inviata');
    expect((await client.visit(comune(`/${TENANT}/area-personale/messaggi`))).html).not.toContain(`data-message-id="${first.id}" data-unread`);
    expect((await client.visit(comune(`/${TENANT}/area-personale`))).html).toContain(`/${TENANT}/area-personale/messaggi`);
  });

  it('is the same IO message after a crash between IO’s answer and our commit: the same Idempotency-Key', async () => {
    // As if the worker had died after IO's 201: the row never learned the id, and the job runs again.
    await sql`update comune.citizen_messages set state = 'failed', io_message_id = null, io_status = null where id = ${first.id}`.execute(db());
    await retryMessage(db(), { ...first, state: 'failed' });
    const again = await until(async () => (await messagesOfApplication(db(), applicationId))[0]!, (m) => m.state === 'processed');
    expect(again.ioMessageId).toBe(first.ioMessageId);
    expect(await ioMessagesOf(first.id)).toHaveLength(1);
  });

  it('is only the citizen’s: another citizen does not find it', async () => {
    const other = new WebClient();
    await spid(system, other, bob);
    expect((await other.visit(comune(`/${TENANT}/area-personale/messaggi/${first.id}`))).status).toBe(404);
    expect((await other.visit(comune(`/${TENANT}/area-personale/messaggi`))).html).not.toContain(first.id);
  });
});

describe('the outcome', () => {
  it('tells the decision with its motivation and leads to the letter in the personal area', async () => {
    const id = await apply(bugliano, { fiscalCode: alice.fiscalCode, name: 'Alice' });
    await until(() => applications().get({ kind: 'system', id: 'test' }, id), (a) => a.status === STATUS.registered);
    const person = staffOf(TENANT, 'tenant_admin');
    const staffId = (await sql<{ id: string }>`select id from comune.staff_users where email = ${person.email}`.execute(db())).rows[0]!.id;
    const user = await deskUser(db(), { id: staffId, role: 'tenant_admin', tenantId: bugliano.id, name: 'Giulia Ferri' });
    const desk = new DeskStore(db(), documents());
    await desk.takeInCharge(user, id);
    await desk.decide(user, id, { outcome: 'accepted', motivation: 'Requisiti verificati' });
    const outcome = await until(async () => (await messagesOfApplication(db(), id)).find((m) => m.kind === 'outcome'), (m) => m !== undefined && final(m));
    expect(outcome).toMatchObject({ state: 'processed', subject: 'Contributo di prova: domanda accolta' });
    expect(outcome!.markdown).toContain('Motivazione: Requisiti verificati');
    const client = new WebClient();
    await spid(system, client, alice);
    const page = await client.visit(comune(`/${TENANT}/area-personale/messaggi/${outcome!.id}`));
    expect(page.html).toContain(`/${TENANT}/area-personale/domande/${id}/lettera.pdf`);
    // Every status the citizen hears about, once each: sent, registered, taken in charge, accepted.
    expect((await messagesOfApplication(db(), id)).map((m) => m.kind)).toEqual(['status_change', 'status_change', 'status_change', 'outcome']);
  });
});

describe('payments', () => {
  const FEE: ServicePayment = { mode: 'immediate', amount: { kind: 'fixed', cents: 3000 }, split: [{ chapter: '3010/1', percent: 100 }], installments: null, reason: 'Diritti di prova', dueDays: 30 };
  let feeService: string;

  /** An application waiting for its fee (1500) with the position published on GPD. */
  async function withFee() {
    const id = await apply(bugliano, { fiscalCode: alice.fiscalCode, name: 'Alice' }, feeService, true);
    const flow = new PaymentFlow({ db: db(), app: system.ctx, documents: documents() });
    const app = await applications().get({ kind: 'system', id: 'test' }, id);
    const payment = await flow.openAtSubmission(bugliano, app, await flow.planFee(bugliano, { rule: FEE, cents: 3000 }));
    expect(payment.published).toBe(true);
    return { id, payment };
  }

  beforeAll(async () => {
    feeService = (await new ServiceRepository(db()).create(bugliano.id, serviceInput('diritti-io', 'Diritti di prova', { protocolRequired: false })))!.id;
    await saveServicePayment(db(), bugliano.id, feeService, FEE);
  });

  it('sends the payment notice with payment_data and due_date, and schedules its reminder 3 days before', async () => {
    const { id, payment } = await withFee();
    const option = payment.options[0]!;
    const notice = await firstMessage(id, final);
    expect(notice).toMatchObject({ kind: 'payment_notice', state: 'processed', positionIupd: payment.iupd });
    expect(notice.payment).toEqual({ notice_number: option.nav, amount: 3000, payee: { fiscal_code: bugliano.fiscalCode } });
    expect(notice.dueDate?.toISOString()).toBe(new Date(option.dueDate).toISOString());
    const onIo = await ioClientFor(system.ctx, (await ioSettingsFor(db(), bugliano.id))!).getMessage(alice.fiscalCode, notice.ioMessageId!);
    expect(onIo?.message.content.payment_data).toMatchObject({ notice_number: option.nav, amount: 3000 });
    expect(onIo?.message.content.due_date).toBe(new Date(option.dueDate).toISOString());
    expect(onIo?.message.content.markdown).toMatch(/^---\nit:\n/);

    const key = `${payment.iupd}:${dateInItaly(new Date(option.dueDate))}`;
    const { rows } = await sql<{ run_at: Date }>`select run_at from comune.jobs where kind = ${REMINDER_JOB} and idempotency_key = ${key}`.execute(db());
    expect(rows[0]!.run_at.getTime()).toBe(new Date(option.dueDate).getTime() - 3 * 86_400_000);
    // Run now: GPD says unpaid, so the reminder is written and sent.
    await runNow(REMINDER_JOB, key);
    const reminder = await until(async () => (await messagesOfApplication(db(), id)).find((m) => m.kind === 'payment_reminder'), (m) => m !== undefined && final(m));
    expect(reminder).toMatchObject({ state: 'processed', payment: notice.payment });
    expect(reminder!.subject).toMatch(/^Promemoria: Diritti di prova, scadenza/);
  });

  it('sends no reminder for a notice already paid', async () => {
    const { id, payment } = await withFee();
    const option = payment.options[0]!;
    const bank = DEMO_PSPS[0];
    const nodo = nodoClient({ baseUrl: nodoBaseUrl(system.urls.pagopa), subscriptionKey: demoPagopaKey(system.ctx.secret, pspKeyHolder(bank.idPSP)) });
    const ids = { idPSP: bank.idPSP, idBrokerPSP: bank.idBrokerPSP, idChannel: bank.idChannel };
    const qrCode = { fiscalCode: bugliano.fiscalCode, noticeNumber: option.nav };
    const activated = await nodo.activatePaymentNotice({ ...ids, qrCode, amount: euroAmount(3000) });
    if (isFault(activated)) throw new Error(activated.fault.faultCode);
    const today = dateInItaly(new Date());
    const outcome = await nodo.sendPaymentOutcome({ ...ids, paymentToken: activated.paymentToken, outcome: 'OK', details: { paymentMethod: 'cash', fee: '1.00', applicationDate: today, transferDate: today } });
    expect(outcome).toEqual({ outcome: 'OK' });
    const key = `${payment.iupd}:${dateInItaly(new Date(option.dueDate))}`;
    await runNow(REMINDER_JOB, key);
    const job = await until(async () => (await sql<{ state: string }>`select state from comune.jobs where kind = ${REMINDER_JOB} and idempotency_key = ${key}`.execute(db())).rows[0]!.state, (s) => s === 'done');
    expect(job).toBe('done');
    expect((await messagesOfApplication(db(), id)).filter((m) => m.kind === 'payment_reminder')).toEqual([]);
  });
});

describe('a citizen IO cannot write to', () => {
  it('not on IO (USER_NOT_FOUND): the comune e-mails the address the citizen verified with it', async () => {
    const address = 'salvatore.lombardi@example.it';
    await sql`insert into comune.citizens (tenant_id, fiscal_code, given_name, family_name, email, email_verified_at)
      values (${bugliano.id}, ${NOT_ON_IO.fiscalCode}, 'Salvatore', 'Lombardi', ${address}, now())`.execute(db());
    const id = await apply(bugliano, NOT_ON_IO);
    const message = await firstMessage(id, final);
    expect(message).toMatchObject({ state: 'emailed', ioStatus: 'REJECTED', rejectionReason: 'USER_NOT_FOUND', emailStatus: 'sent' });
    const mails = await until(
      async () => ((await (await fetch(`${system.urls.mail}/api/messages?to=${encodeURIComponent(address)}`)).json()) as { messages: { id: number; subject: string }[] }).messages,
      (list) => list.some((m) => m.subject === message.subject),
    );
    const mail = (await (await fetch(`${system.urls.mail}/api/messages/${mails.find((m) => m.subject === message.subject)!.id}`)).json()) as { text: string };
    expect(mail.text).toContain('non risulti iscritto all’app IO');
    expect(mail.text).toContain(`/${TENANT}/area-personale/messaggi/${message.id}`);
  });

  it('refused the service (SERVICE_NOT_ALLOWED): rejected, no e-mail, shown to the operator', async () => {
    const id = await apply(bugliano, REFUSES_SERVICE);
    const message = await firstMessage(id, final);
    expect(message).toMatchObject({ state: 'rejected', rejectionReason: 'SERVICE_NOT_ALLOWED', emailStatus: null });
    const admin = await staffLogin(TENANT, 'tenant_admin');
    const page = await admin.visit(comune(`/${TENANT}/backoffice/pratiche/${id}`));
    expect(page.html).toContain('id="messaggi"');
    expect(page.html).toContain('data-state="rejected"');
    expect(page.html).toContain('SERVICE_NOT_ALLOWED');
    const undelivered = await admin.visit(comune(`/${TENANT}/backoffice/messaggi-non-recapitati?stato=rejected`));
    expect(undelivered.html).toContain(message.subject);
    expect((await admin.visit(comune(`/${TENANT}/backoffice/messaggi-non-recapitati?stato=failed`))).html).not.toContain(`/backoffice/pratiche/${id}#messaggi`);
  });
});

describe('when IO fails', () => {
  it('IO down: retried with backoff, the error shown as it happens, delivered once IO is back', async () => {
    await setIo({ ioUrl: 'http://127.0.0.1:9' });
    const id = await apply(bugliano, { fiscalCode: alice.fiscalCode, name: 'Alice' });
    const failing = await firstMessage(id, (m) => m.attempts >= 1);
    expect(failing).toMatchObject({ state: 'pending' });
    expect(failing.lastError).toBeTruthy();
    const admin = await staffLogin(TENANT, 'tenant_admin');
    expect((await admin.visit(comune(`/${TENANT}/backoffice/pratiche/${id}`))).html).toContain('data-state="pending"');
    await setIo({ ioUrl: system.urls.io });
    await runNow('comune.messaging.submit', failing.id);
    const delivered = await firstMessage(id, (m) => m.state === 'processed');
    expect(delivered.state).toBe('processed');
    expect(await ioMessagesOf(failing.id)).toHaveLength(1);
  });

  it('a refusal (401): failed with IO’s problem; the operator retries with the same key once fixed; another ente’s staff cannot', async () => {
    await setIo({ apiKey: 'not-the-service-key' });
    const id = await apply(bugliano, { fiscalCode: alice.fiscalCode, name: 'Alice' });
    const failed = await firstMessage(id, final);
    expect(failed.state).toBe('failed');
    expect(failed.lastError).toContain('401');
    const demo = DEMO_IO_SERVICES.find((s) => s.organizationFiscalCode === bugliano.fiscalCode)!;
    await setIo({ apiKey: demoIoKey(system.ctx.secret, demo.serviceId, 'primary') });

    const stranger = await staffLogin(VICOPISANO, 'tenant_admin');
    const refused = await stranger.visit(comune(`/${TENANT}/backoffice/pratiche/${id}/messaggi/${failed.id}/riprova`), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect([403, 404]).toContain(refused.status);

    const admin = await staffLogin(TENANT, 'tenant_admin');
    const page = await admin.visit(comune(`/${TENANT}/backoffice/pratiche/${id}`));
    expect(page.html).toContain('data-state="failed"');
    await admin.submit(page, `/messaggi/${failed.id}/riprova`, {});
    const retried = await firstMessage(id, (m) => m.state === 'processed');
    expect(retried.state).toBe('processed');
    expect(await ioMessagesOf(failed.id)).toHaveLength(1);
  });
});

describe('bulk dues', () => {
  /** Uploads a file of dues as the ente's admin and waits for its job; the upload's id. */
  async function uploadDues(csv: string): Promise<string> {
    const admin = await staffLogin(TENANT, 'tenant_admin');
    const page = await admin.visit(comune(`/${TENANT}${DUES_PATH}`));
    const form = new FormData();
    form.set('_csrf', /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!);
    form.set('chapter', '3050/1');
    form.set('file', new Blob([csv], { type: 'text/csv' }), 'dovuti.csv');
    const done = await admin.visit(comune(`/${TENANT}${DUES_PATH}`), { method: 'POST', body: form });
    const id = done.url.pathname.split('/').at(-1)!;
    await until(async () => (await sql<{ state: string }>`select state from comune.dues_uploads where id = ${id}`.execute(db())).rows[0]?.state, (s) => s === 'done');
    return id;
  }
  const duesMessages = async () =>
    (await sql<{ cause: string; payment: { notice_number: string; amount: number }; due_date: Date; state: string }>`
      select cause, payment, due_date, state from comune.citizen_messages where tenant_id = ${bugliano.id} and kind = 'dues' order by cause`.execute(db())).rows;

  it('gives each created due one message with its (first) notice, and nothing again for the same file', async () => {
    const csv = duesCsv({ rows: 6 });
    const uploadId = await uploadDues(csv);
    const rows = (await sql<{ iupd: string; navs: string[]; amount_cents: string; installments: number }>`
      select iupd, navs, amount_cents, installments from comune.dues_rows where upload_id = ${uploadId} and outcome = 'created' order by iupd`.execute(db())).rows;
    expect(rows).toHaveLength(6);
    const messages = await duesMessages();
    expect(messages.map((m) => m.cause)).toEqual(rows.map((r) => `dues:${r.iupd}`));
    for (const [i, r] of rows.entries()) {
      expect(messages[i]!.payment.notice_number).toBe(r.navs[0]);
      expect(messages[i]!.payment.amount).toBe(Math.ceil(Number(r.amount_cents) / r.installments));
    }
    // The synthetic debtors are not on IO and gave the comune no address: rejected, each once.
    await until(duesMessages, (list) => list.every((m) => m.state === 'rejected'));
    await uploadDues(csv);
    expect(await duesMessages()).toHaveLength(6);
  });
});

describe('an ente that does not send through IO', () => {
  it('keeps the message in the personal area, state not_configured, nothing submitted', async () => {
    await setIo({ enabled: false }, vicopisano);
    const service = await new ServiceRepository(db()).create(vicopisano.id, serviceInput('contributo-vico', 'Contributo di Vicopisano', { protocolRequired: false }));
    const id = await apply(vicopisano, { fiscalCode: alice.fiscalCode, name: 'Alice' }, service!.id);
    const [message] = await messagesOfApplication(db(), id);
    expect(message).toMatchObject({ state: 'not_configured', ioMessageId: null });
    expect((await sql`select 1 from comune.jobs where kind = 'comune.messaging.submit' and idempotency_key = ${message!.id}`.execute(db())).rows).toEqual([]);
  });

  it('nor for a catalog service switched off on its own, while the ente’s other services send', async () => {
    const quiet = (await new ServiceRepository(db()).create(bugliano.id, serviceInput('senza-io', 'Servizio senza IO', { protocolRequired: false })))!;
    await saveIoSettings(db(), system.ctx.secret, bugliano.id, quiet.id, { ioServiceId: DEMO_IO_SERVICES[0].serviceId, ioUrl: system.urls.io, apiKey: 'another-service-key', reminderDays: 3, enabled: false });
    const id = await apply(bugliano, { fiscalCode: alice.fiscalCode, name: 'Alice' }, quiet.id);
    expect((await messagesOfApplication(db(), id)).map((m) => m.state)).toEqual(['not_configured']);
    expect((await ioSettingsFor(db(), bugliano.id, serviceId))?.serviceId).toBeNull();
  });
});

describe('the App IO page', () => {
  it('is the ente admin’s: the connection test proves the key or says it is not valid', async () => {
    const admin = await staffLogin(TENANT, 'tenant_admin');
    const page = await admin.visit(comune(`/${TENANT}/backoffice/app-io`));
    expect(page.status).toBe(200);
    expect(page.html).toContain('id="io-settings"');
    expect(page.html).not.toContain(demoIoKey(system.ctx.secret, DEMO_IO_SERVICES[0].serviceId));
    const ok = await admin.submit(page, '/app-io/prova', { fiscalCode: alice.fiscalCode });
    expect(ok.html).toContain('data-outcome="ok"');
    await setIo({ apiKey: 'not-the-service-key' });
    const bad = await admin.submit(page, '/app-io/prova', { fiscalCode: alice.fiscalCode });
    expect(bad.html).toContain('data-outcome="invalid-key"');
    expect(bad.html).toContain('Chiave non valida');
    await setIo({ apiKey: demoIoKey(system.ctx.secret, DEMO_IO_SERVICES[0].serviceId, 'primary') });
    const saved = await admin.submit(page, '/app-io', { ioServiceId: DEMO_IO_SERVICES[0].serviceId, ioUrl: system.urls.io, apiKey: '', reminderDays: '5', enabled: '1' });
    expect(saved.status).toBe(200);
    expect((await ioSettingsFor(db(), bugliano.id))?.reminderDays).toBe(5);
    await setIo({});
  });

  it('is refused to operators and to another ente’s admin', async () => {
    const operator = await staffLogin(TENANT, 'operator');
    expect((await operator.visit(comune(`/${TENANT}/backoffice/app-io`))).status).toBe(403);
    expect((await operator.visit(comune(`/${TENANT}/backoffice/messaggi-non-recapitati`))).status).toBe(403);
    const stranger = await staffLogin(VICOPISANO, 'tenant_admin');
    expect((await stranger.visit(comune(`/${TENANT}/backoffice/app-io`))).status).toBe(403);
  });
});
