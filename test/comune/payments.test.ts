// Payments in the comune over real HTTP (comune ⇄ pagoPA ⇄ identity, real PostgreSQL): a service paid before
// submission (1000 → 1500 → 1510 → 1520 → 1900 → 2000 by itself once pagoPA's receipt arrives, whether the
// notice is paid at a PSP through the Nodo or via the return from Checkout), paSendRT idempotent and never
// trusted, the catch-up job for a lost push, the payment asked by the office during the iter, the settings
// page that never shows a key back, and who may see what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { dateInItaly, addDays } from '../../src/domain/dates.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient, type Visit } from '../support/web-client.ts';
import { alice, bob, spid as spidAt, TENANT, wizardAction } from './journey-fixtures.ts';
import { serviceInput } from './catalog-fixtures.ts';
import { DEMO_STAFF } from '../../src/comune/seed.ts';
import { TenantRepository, type Tenant } from '../../src/comune/tenants/tenants.ts';
import { ServiceRepository } from '../../src/comune/catalog/services.ts';
import { FormRepository } from '../../src/comune/forms/forms.ts';
import { ApplicationStore } from '../../src/comune/applications/store.ts';
import { STATUS, type StatusCode } from '../../src/comune/applications/states.ts';
import { diskDocumentStore } from '../../src/comune/protocol/files.ts';
import { saveServicePayment, servicePaymentOf } from '../../src/comune/payments/service-payments.ts';
import { PaymentStore, type ApplicationPayment } from '../../src/comune/payments/store.ts';
import { catchUpPayments } from '../../src/comune/payments/receipts.ts';
import { PaymentFlow } from '../../src/comune/payments/flow.ts';
import { gpdClientFor, paymentSettingsOf } from '../../src/comune/payments/settings.ts';
import type { ServicePayment } from '../../src/comune/payments/rules.ts';
import { DEMO_PSPS, demoPagopaKey, pspKeyHolder } from '../../src/clients/pagopa/demo.ts';
import { euroAmount } from '../../src/clients/pagopa/nodo-wire.ts';
import { isFault, nodoBaseUrl, nodoClient } from '../../src/clients/pagopa/nodo.ts';
import path from 'node:path';

let system: TestSystem;
let tenant: Tenant;
const db = () => system.ctx.database.db;
const comune = (p: string) => `${system.urls.comune}/${TENANT}${p}`;
const deps = () => ({ db: db(), app: system.ctx, documents: diskDocumentStore(path.join(system.ctx.config.dataDir, 'documents')) });
const payments = () => new PaymentStore(deps());
const applications = () => new ApplicationStore(db(), deps().documents);
const SYSTEM = { kind: 'system', id: 'test' } as const;

const FEE: ServicePayment = {
  mode: 'immediate',
  amount: { kind: 'fixed', cents: 3000 },
  split: [{ chapter: '3010/2', cents: 1000 }, { chapter: '3010/1', percent: 100 }],
  installments: null,
  reason: 'Diritti di prova',
  dueDays: 30,
};

/** A service with a one-field form, open to applications, with this payment. */
async function serviceWith(slug: string, payment: ServicePayment) {
  const form = await new FormRepository(db()).save(tenant.id, { name: `Modulo ${slug}`, schema: { components: [{ type: 'textfield', key: 'nota', label: 'Nota' }] } }, { type: 'system', id: 'test' });
  const service = (await new ServiceRepository(db()).create(tenant.id, serviceInput(slug, `Servizio ${slug}`, { formId: form.id, protocolRequired: false })))!;
  await saveServicePayment(db(), tenant.id, service.id, payment);
  return service;
}

async function citizen(person = alice): Promise<WebClient> {
  const client = new WebClient();
  await spidAt(system, client, person);
  return client;
}

/** The citizen fills the one-field form and submits: lands on what the comune shows next. */
async function apply(client: WebClient, slug: string): Promise<Visit> {
  const page = await client.visit(comune(`/servizi/${slug}/domanda`));
  expect(page.status).toBe(200);
  return client.submit(page, wizardAction(page), { nota: 'prova', _action: 'submit' });
}

const statusOf = async (id: string): Promise<StatusCode> => (await applications().get(SYSTEM, id)).status;
const eventsTo = async (id: string, to: StatusCode) =>
  Number((await sql<{ n: string }>`select count(*) as n from comune.application_events where application_id = ${id} and to_status = ${to}`.execute(db())).rows[0]!.n);

async function until<T>(what: () => Promise<T>, ok: (value: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await what();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Pays the notice at a PSP's counter (model 3): verify, activate, outcome OK through the Nodo. */
async function payAtPsp(nav: string, cents: number) {
  const bank = DEMO_PSPS[0];
  const nodo = nodoClient({ baseUrl: nodoBaseUrl(system.urls.pagopa), subscriptionKey: demoPagopaKey(system.ctx.secret, pspKeyHolder(bank.idPSP)) });
  const ids = { idPSP: bank.idPSP, idBrokerPSP: bank.idBrokerPSP, idChannel: bank.idChannel };
  const qrCode = { fiscalCode: tenant.fiscalCode, noticeNumber: nav };
  const verified = await nodo.verifyPaymentNotice({ ...ids, qrCode });
  if (isFault(verified)) throw new Error(verified.fault.faultCode);
  const activated = await nodo.activatePaymentNotice({ ...ids, qrCode, amount: euroAmount(cents) });
  if (isFault(activated)) throw new Error(activated.fault.faultCode);
  const today = dateInItaly(new Date());
  const outcome = await nodo.sendPaymentOutcome({ ...ids, paymentToken: activated.paymentToken, outcome: 'OK', details: { paymentMethod: 'cash', fee: '1.00', applicationDate: today, transferDate: today } });
  expect(outcome).toEqual({ outcome: 'OK' });
  return activated.paymentToken;
}

const onlyPayment = async (applicationId: string): Promise<ApplicationPayment> => {
  const list = await payments().forApplication(applicationId);
  expect(list).toHaveLength(1);
  return list[0]!;
};

beforeAll(async () => {
  system = await startSystem({ apps: ['mail', 'identity', 'pagopa', 'comune'], env: { LOGIN_RATE_LIMIT: '1000' } });
  tenant = (await new TenantRepository(db()).bySlug(TENANT))!;
}, 120_000);
afterAll(() => system?.stop());

describe('a service paid before submission', () => {
  let client: WebClient;
  let applicationId: string;
  let payment: ApplicationPayment;

  it('submitting moves the draft to 1500 and publishes a debt position on GPD with one transfer per chapter', async () => {
    await serviceWith('diritti-prova', FEE);
    client = await citizen();
    const page = await apply(client, 'diritti-prova');
    expect(page.status).toBe(200);
    expect(page.url.pathname).toMatch(new RegExp(`^/${TENANT}/area-personale/pagamenti/[0-9a-f-]{36}$`));
    expect(page.html).toContain('30,00');
    expect(page.html).toContain('Paga online');
    expect(page.html).toMatch(/Scarica l(&#39;|&#x27;|')avviso di pagamento/);
    const { rows } = await sql<{ application_id: string }>`select application_id from comune.application_payments where id = ${page.url.pathname.split('/').pop()!}`.execute(db());
    applicationId = rows[0]!.application_id;
    expect(await statusOf(applicationId)).toBe(STATUS.paymentPending);
    payment = await onlyPayment(applicationId);
    expect(payment).toMatchObject({ kind: 'immediate', iupd: applicationId, amountCents: 3000, status: 'unpaid', published: true, debtorFiscalCode: alice.fiscalCode });
    const settings = (await paymentSettingsOf(db(), tenant.id))!;
    const position = await gpdClientFor(system.ctx, settings).getPosition(applicationId);
    expect(position.status).toBe('VALID');
    expect(position.fiscalCode).toBe(alice.fiscalCode);
    expect(position.paymentOption).toHaveLength(1);
    const chapters = Object.fromEntries(settings.chapters.map((c) => [c.code, c]));
    expect(position.paymentOption[0]!.transfer.map((t) => [t.idTransfer, t.amount, t.category, t.iban])).toEqual([
      ['1', 1000, chapters['3010/2']!.taxonomy, chapters['3010/2']!.iban],
      ['2', 2000, chapters['3010/1']!.taxonomy, chapters['3010/1']!.iban],
    ]);
    // The twin of a double-clicked submission opens nothing more: the same payment, the same position.
    const flow = new PaymentFlow(deps());
    const app = await applications().get(SYSTEM, applicationId);
    const planned = await flow.planFee(tenant, { rule: FEE, cents: 3000 });
    const twins = await Promise.all([1, 2].map(() => flow.openAtSubmission(tenant, app, planned)));
    expect(twins.map((p) => p.id)).toEqual([payment.id, payment.id]);
    expect(await payments().forApplication(applicationId)).toHaveLength(1);
  });

  it('gives the printed notice as a PDF and leaves for pagoPA Checkout with a cart, then back without paying', async () => {
    const base = comune(`/area-personale/pagamenti/${payment.id}`);
    const notice = await client.request(`${base}/avviso.pdf`);
    expect(notice.status).toBe(200);
    expect(notice.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await notice.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');

    const page = await client.visit(base);
    const form = /<form method="post" action="([^"]*\/paga)">[\s\S]*?name="_csrf" value="([^"]*)"/.exec(page.html);
    expect(form).not.toBeNull();
    const leave = await client.request(new URL(form![1]!, page.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: form![2]!, nav: payment.options[0]!.nav }),
      redirect: 'manual',
    });
    expect(leave.status).toBe(302);
    expect(leave.headers.get('location')).toMatch(new RegExp(`^${system.urls.pagopa}/checkout/`));
    expect(await statusOf(applicationId)).toBe(STATUS.paymentOutcomePending);
    // Back with "ok" but no receipt yet: the page waits, refreshing itself, and proves nothing.
    const waiting = await client.visit(`${base}/esito?esito=ok`);
    expect(waiting.status).toBe(200);
    expect(waiting.headers.get('refresh')).toBe('3');
    expect(waiting.html).toMatch(/In attesa dell(&#39;|&#x27;|')esito da pagoPA/);
    expect(await statusOf(applicationId)).toBe(STATUS.paymentOutcomePending);

    const back = await client.visit(`${base}/esito?esito=annullato`);
    expect(back.html).toContain('non è stato completato');
    expect(await statusOf(applicationId)).toBe(STATUS.paymentPending);
  });

  it('moves on by itself, 1500 → 1520 → 1900 → 2000, when the notice is paid at a PSP (model 3) and pagoPA pushes the receipt', async () => {
    const receiptId = await payAtPsp(payment.options[0]!.nav, 3000);
    const status = await until(() => statusOf(applicationId), (s) => s !== STATUS.paymentPending);
    expect([STATUS.submitted, STATUS.registered]).toContain(status);
    const events = (await sql<{ from_status: number; to_status: number; actor_type: string }>`
      select from_status, to_status, actor_type from comune.application_events where application_id = ${applicationId} order by id`.execute(db())).rows;
    expect(events.map((e) => e.to_status).slice(0, 7)).toEqual([STATUS.draft, STATUS.paymentPending, STATUS.paymentOutcomePending, STATUS.paymentPending, STATUS.paymentSuccess, STATUS.preSubmit, STATUS.submitted]);
    const paid = await onlyPayment(applicationId);
    expect(paid).toMatchObject({ status: 'paid', receiptId, pspCompany: DEMO_PSPS[0].companyName });
    expect((await applications().get(SYSTEM, applicationId)).submittedAt).not.toBeNull();
    // The receipt, as the citizen downloads it from the payment's page.
    const receipt = await client.request(comune(`/area-personale/pagamenti/${payment.id}/ricevuta/${paid.options[0]!.iuv}.pdf`));
    expect(receipt.status).toBe(200);
    expect(receipt.headers.get('content-type')).toBe('application/pdf');
    const mine = await client.visit(comune('/area-personale/pagamenti'));
    expect(mine.html).toContain('Diritti di prova');
    expect(mine.html).toContain('Nessun pagamento da fare.');
    const back = await client.visit(comune(`/area-personale/pagamenti/${payment.id}/esito?esito=ok`));
    expect(back.html).toContain('Pagamento avvenuto con successo');
    expect(back.headers.get('refresh')).toBeNull();
  });

  it('takes paSendRT again for the same receipt (OK, nothing moves twice) and never trusts its body', async () => {
    const paid = await onlyPayment(applicationId);
    const push = (body: unknown) =>
      fetch(`${system.urls.comune}/pagopa/${tenant.fiscalCode}/paSendRT`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const receipt = { receiptId: paid.receiptId, noticeNumber: paid.options[0]!.nav, fiscalCode: tenant.fiscalCode, outcome: 'OK' };
    const body = { idPA: tenant.fiscalCode, idBrokerPA: tenant.fiscalCode, idStation: `${tenant.fiscalCode}_01`, receipt };
    for (let i = 0; i < 2; i++) {
      const answer = await push(body);
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ outcome: 'OK' });
    }
    expect(await eventsTo(applicationId, STATUS.paymentSuccess)).toBe(1);
    expect(await eventsTo(applicationId, STATUS.submitted)).toBe(1);

    // A forged push for a notice nobody paid: answered, but GPD says unpaid, so the application stays in 1500.
    const other = await citizen(bob);
    const page = await apply(other, 'diritti-prova');
    const unpaid = (await payments().byId(page.url.pathname.split('/').pop()!))!;
    const forged = await push({ ...body, receipt: { ...receipt, receiptId: 'forged-1', noticeNumber: unpaid.options[0]!.nav } });
    expect(forged.status).toBe(200);
    expect(await statusOf(unpaid.applicationId)).toBe(STATUS.paymentPending);
    // Another creditor in the path than in the body: refused.
    expect((await push({ ...body, idPA: '80000380503' })).status).toBe(400);

    // Bob's payment is his own: Alice gets a 404 on its page, notice and receipt; nobody signed in goes to the login.
    expect((await client.visit(comune(`/area-personale/pagamenti/${unpaid.id}`))).status).toBe(404);
    expect((await client.request(comune(`/area-personale/pagamenti/${unpaid.id}/avviso.pdf`))).status).toBe(404);
    expect((await other.request(comune(`/area-personale/pagamenti/${payment.id}/ricevuta/${paid.options[0]!.iuv}.pdf`))).status).toBe(404);
    expect((await other.visit(comune('/area-personale/pagamenti'))).html).not.toContain(payment.id);
    const anonymous = await new WebClient().visit(comune(`/area-personale/pagamenti/${unpaid.id}`));
    expect(anonymous.url.pathname).not.toContain('/pagamenti/');
  });

  it('a lost push does not block the application: the catch-up job reads GPD and moves it', async () => {
    const other = await citizen(bob);
    const list = await payments().forDebtor(tenant.id, bob.fiscalCode);
    const unpaid = list.find((p) => p.status === 'unpaid')!;
    // Paid outside the Nodo (GPD's "already paid"): no receipt is pushed to the comune.
    const settings = (await paymentSettingsOf(db(), tenant.id))!;
    await gpdClientFor(system.ctx, settings).markPaymentOptionPaid(unpaid.options[0]!.nav);
    expect(await statusOf(unpaid.applicationId)).toBe(STATUS.paymentPending);
    expect(await catchUpPayments(deps(), { recheckAfterMs: 0 })).toBeGreaterThanOrEqual(1);
    expect(await statusOf(unpaid.applicationId)).toBe(STATUS.submitted);
    expect((await payments().byId(unpaid.id))!.status).toBe('paid');
    const mine = await other.visit(comune('/area-personale/pagamenti'));
    expect(mine.html).toContain('Nessun pagamento da fare.');
  });
});

describe('"Paga online" through pagoPA Checkout (model 1)', () => {
  it('pays on the checkout pages, comes back to the comune, and the application moves on by itself', async () => {
    const client = await citizen();
    const page = await apply(client, 'diritti-prova');
    const payment = (await payments().byId(page.url.pathname.split('/').pop()!))!;
    const form = /<form method="post" action="([^"]*\/paga)">[\s\S]*?name="_csrf" value="([^"]*)"/.exec(page.html)!;
    const leave = await client.request(new URL(form[1]!, page.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: form[2]!, nav: payment.options[0]!.nav }),
      redirect: 'manual',
    });
    const cart = leave.headers.get('location')!;
    // The citizen on pagoPA's pages: e-mail, card, the PSP, "Paga" (plain form posts, as without JavaScript).
    const post = (url: string, fields: Record<string, string>) =>
      client.visit(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
    await post(cart, { email: 'alice@example.it' });
    await post(`${cart}/metodo`, { method: 'CP', holder: 'Alice Rossi', pan: '4242 4242 4242 4242', expiry: '12/30', cvv: '123' });
    await post(`${cart}/psp`, { psp: DEMO_PSPS[2].idPSP });
    const back = await post(`${cart}/paga`, {});
    // Back on the comune's return page: paid (the receipt is already in GPD) or waiting for it.
    expect(back.url.pathname).toBe(`/${TENANT}/area-personale/pagamenti/${payment.id}/esito`);
    expect(await until(() => statusOf(payment.applicationId), (s) => s === STATUS.submitted || s === STATUS.registered)).not.toBe(STATUS.paymentOutcomePending);
    const events = (await sql<{ to_status: number }>`select to_status from comune.application_events where application_id = ${payment.applicationId} order by id`.execute(db())).rows.map((r) => r.to_status);
    expect(events.slice(0, 6)).toEqual([STATUS.draft, STATUS.paymentPending, STATUS.paymentOutcomePending, STATUS.paymentSuccess, STATUS.preSubmit, STATUS.submitted]);
    expect((await payments().byId(payment.id))!).toMatchObject({ status: 'paid', pspCompany: DEMO_PSPS[2].companyName });
    const again = await client.visit(`${system.urls.comune}${back.url.pathname}?esito=ok`);
    expect(again.html).toContain('Pagamento avvenuto con successo');
  });
});

describe('a citizen who leaves for the checkout and never comes back', () => {
  it('is brought back to 1500 by the catch-up job once a checkout token cannot live any more (30 minutes)', async () => {
    const client = await citizen(bob);
    const page = await apply(client, 'diritti-prova');
    const payment = (await payments().byId(page.url.pathname.split('/').pop()!))!;
    const form = /<form method="post" action="([^"]*\/paga)">[\s\S]*?name="_csrf" value="([^"]*)"/.exec(page.html)!;
    await client.request(new URL(form[1]!, page.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: form[2]!, nav: payment.options[0]!.nav }),
      redirect: 'manual',
    });
    expect(await statusOf(payment.applicationId)).toBe(STATUS.paymentOutcomePending);
    await catchUpPayments(deps(), { recheckAfterMs: 0 });
    expect(await statusOf(payment.applicationId)).toBe(STATUS.paymentOutcomePending);
    const later = () => new Date(Date.now() + 31 * 60_000);
    await catchUpPayments({ ...deps(), now: later }, { recheckAfterMs: 0 });
    expect(await statusOf(payment.applicationId)).toBe(STATUS.paymentPending);
  });
});

describe('a payment asked by the office during the iter', () => {
  it('an operator asks for it from 4000, the citizen pays, and the application is back in 4000', async () => {
    const service = await serviceWith('oneri-prova', { ...FEE, mode: 'deferred', split: [{ chapter: '3050/1', percent: 100 }] });
    const store = applications();
    const actor = { kind: 'citizen', tenantId: tenant.id, fiscalCode: alice.fiscalCode } as const;
    const draft = await store.createDraft(actor, tenant.id, { service: { id: service.id, name: 'Servizio oneri-prova' }, citizen: { fiscalCode: alice.fiscalCode, name: `${alice.givenName} ${alice.familyName}` }, data: { nota: 'x' } });
    await store.submit(actor, draft.id, { idempotencyKey: `k-${draft.id}` });
    const admin = DEMO_STAFF.find((p) => p.tenantSlug === TENANT && p.role === 'tenant_admin')!;
    await store.transition({ kind: 'operator', tenantId: tenant.id, id: 'test' }, draft.id, STATUS.pending);

    const staff = new WebClient();
    await staff.submit(await staff.visit(comune('/backoffice/accedi')), `/${TENANT}/backoffice/accedi`, { email: admin.email, password: admin.password });
    const detail = await staff.visit(comune(`/backoffice/pratiche/${draft.id}`));
    expect(detail.html).toContain('Richiedi pagamento');
    const due = addDays(dateInItaly(new Date()), 20);
    const asked = await staff.submit(detail, `${draft.id}/pagamento`, { amount: '45,50', reason: 'Oneri istruttori', dueDate: due });
    expect(asked.status).toBe(200);
    expect(await statusOf(draft.id)).toBe(STATUS.paymentPending);
    const payment = await onlyPayment(draft.id);
    expect(payment).toMatchObject({ kind: 'deferred', amountCents: 4550, reason: 'Oneri istruttori', resumeStatus: STATUS.pending, published: true });
    expect(payment.options[0]!.dueDate.slice(0, 10)).toBe(due);
    // Still on the desk while it waits (the office asked), with its notice number.
    expect(asked.html).toContain(payment.options[0]!.nav);
    expect((await staff.visit(comune('/backoffice/pratiche'))).html).toContain(draft.id);

    const client = await citizen();
    const mine = await client.visit(comune('/area-personale/pagamenti'));
    expect(mine.html).toContain('Oneri istruttori');
    expect(mine.html).toContain('45,50');
    await payAtPsp(payment.options[0]!.nav, 4550);
    expect(await until(() => statusOf(draft.id), (s) => s === STATUS.pending)).toBe(STATUS.pending);
    const events = (await sql<{ to_status: number }>`select to_status from comune.application_events where application_id = ${draft.id} order by id`.execute(db())).rows.map((r) => r.to_status);
    expect(events.slice(-3)).toEqual([STATUS.paymentPending, STATUS.paymentSuccess, STATUS.pending]);
    const after = await staff.visit(comune(`/backoffice/pratiche/${draft.id}`));
    expect(after.html).toContain(DEMO_PSPS[0].companyName);
    expect(after.html).toContain('Scarica la ricevuta');

    // Another ente's operator does not see it, nor its receipt.
    const foreign = DEMO_STAFF.find((p) => p.tenantSlug !== TENANT && p.role === 'tenant_admin')!;
    const outsider = new WebClient();
    const at = (p: string) => `${system.urls.comune}/${foreign.tenantSlug}${p}`;
    await outsider.submit(await outsider.visit(at('/backoffice/accedi')), `/${foreign.tenantSlug}/backoffice/accedi`, { email: foreign.email, password: foreign.password });
    expect((await outsider.visit(at(`/backoffice/pratiche/${draft.id}`))).status).toBe(404);
    expect((await outsider.request(at(`/backoffice/pratiche/${draft.id}/pagamenti/${payment.id}/ricevuta/${payment.options[0]!.iuv}.pdf`))).status).toBe(404);
  });
});

describe('payment settings', () => {
  it('lets the ente admin change the key, which is sealed and never shown back', async () => {
    const admin = DEMO_STAFF.find((p) => p.tenantSlug === TENANT && p.role === 'tenant_admin')!;
    const staff = new WebClient();
    await staff.submit(await staff.visit(comune('/backoffice/accedi')), `/${TENANT}/backoffice/accedi`, { email: admin.email, password: admin.password });
    const page = await staff.visit(comune('/backoffice/pagamenti/impostazioni'));
    expect(page.status).toBe(200);
    expect(page.html).toContain('Una chiave è salvata');
    expect(page.html).toContain('3010/1');
    const before = (await paymentSettingsOf(db(), tenant.id))!;
    const demoKey = demoPagopaKey(system.ctx.secret, tenant.fiscalCode);
    expect(page.html).not.toContain(demoKey);

    const form = { creditorFiscalCode: tenant.fiscalCode, pagopaUrl: system.urls.pagopa, connection: 'direct', treasuryIban: before.treasuryIban!, postalIban: before.postalIban!, cbill: before.cbill! };
    const post = (from: Visit, fields: Record<string, string>) => staff.submit(from, '/backoffice/pagamenti/impostazioni', { ...form, ...fields });
    // A bad IBAN: refused, and the key typed is not echoed either.
    const typed = 'chiave-segreta-di-prova-1234567890';
    const refused = await post(page, { gpdKey: typed, treasuryIban: 'IT00X0000000000000000000000' });
    expect(refused.status).toBe(422);
    expect(refused.html).toContain('IBAN non valido');
    expect(refused.html).not.toContain(typed);

    // Empty key: the saved one stays; the settings change.
    const saved = await post(page, { cbill: 'ABC12' });
    expect(saved.html).toContain('Impostazioni salvate');
    expect((await paymentSettingsOf(db(), tenant.id))!.sealed.gpdKey).toBe(before.sealed.gpdKey);
    expect((await paymentSettingsOf(db(), tenant.id))!.cbill).toBe('ABC12');

    // A new key: stored sealed (not in clear in the table), never in the page.
    const changed = await post(saved, { gpdKey: typed });
    expect(changed.html).not.toContain(typed);
    const row = (await sql<Record<string, unknown>>`select * from comune.payment_settings where tenant_id = ${tenant.id}`.execute(db())).rows[0]!;
    expect(JSON.stringify(row)).not.toContain(typed);
    // The ente cannot reach GPD with a wrong key: put the demo key back for the other tests.
    await post(changed, { gpdKey: demoKey, cbill: before.cbill! });

    // Another ente's admin does not get the page.
    const foreign = DEMO_STAFF.find((p) => p.tenantSlug !== TENANT && p.role === 'tenant_admin')!;
    const outsider = new WebClient();
    await outsider.submit(await outsider.visit(`${system.urls.comune}/${foreign.tenantSlug}/backoffice/accedi`), `/${foreign.tenantSlug}/backoffice/accedi`, { email: foreign.email, password: foreign.password });
    const denied = await outsider.visit(comune('/backoffice/pagamenti/impostazioni'));
    expect(denied.status).toBe(403);
    expect(denied.html).not.toContain('Chiave di sottoscrizione GPD');
  });
});

describe('an optional payment in installments', () => {
  it('is asked at submission without holding the application, and paying an installment leaves the others payable', async () => {
    const today = dateInItaly(new Date());
    const dates = [addDays(today, 10), addDays(today, 40)];
    await serviceWith('rate-prova', { ...FEE, mode: 'optional', amount: { kind: 'fixed', cents: 10001 }, split: [{ chapter: '3050/1', percent: 100 }], installments: { dueDates: dates }, reason: 'Contributo volontario' });
    const client = await citizen();
    const page = await apply(client, 'rate-prova');
    expect(page.url.pathname).toMatch(/\/area-personale\/domande\/[0-9a-f-]{36}$/);
    const applicationId = page.url.pathname.split('/').pop()!;
    // Submitted (and maybe registered by the protocol job by now): the optional payment holds nothing.
    expect([STATUS.submitted, STATUS.registered]).toContain(await statusOf(applicationId));
    expect(page.html).toContain('Contributo volontario');
    const payment = await onlyPayment(applicationId);
    expect(payment.options.map((o) => [o.amount, o.isPartialPayment, o.dueDate.slice(0, 10)])).toEqual([
      [10001, false, dates[0]],
      [5001, true, dates[0]],
      [5000, true, dates[1]],
    ]);
    const first = payment.options[1]!;
    await payAtPsp(first.nav, first.amount);
    const after = await until(() => payments().sync(payment), (p) => p.options[1]!.status !== 'PO_UNPAID');
    expect(after.status).toBe('unpaid');
    expect([STATUS.submitted, STATUS.registered]).toContain(await statusOf(applicationId));
    const view = await client.visit(comune(`/area-personale/pagamenti/${payment.id}`));
    // Only the second installment is left to pay online: the single payment is closed once an installment is paid.
    expect([...view.html.matchAll(/name="nav" value="(\d{18})"/g)].map((m) => m[1])).toEqual([payment.options[2]!.nav]);
    expect(view.html).toContain('Scarica la ricevuta');
  });
});

describe('a fee the ente cannot collect', () => {
  it('refuses the submission and keeps the draft, never leaving an application in 1500 without a payment', async () => {
    await serviceWith('capitolo-chiuso', { ...FEE, split: [{ chapter: 'non-esiste', percent: 100 }] });
    const client = await citizen();
    const refused = await apply(client, 'capitolo-chiuso');
    expect(refused.status).toBe(422);
    const { rows } = await sql<{ status: number; n: number }>`
      select a.status, (select count(*) from comune.application_payments p where p.application_id = a.id) as n
      from comune.applications a join comune.services s on s.id = a.service_id where s.slug = 'capitolo-chiuso'`.execute(db());
    expect(rows).toEqual([{ status: STATUS.draft, n: 0 }]);
  });
});

describe('the payment of a service, set by the ente admin', () => {
  it('saves the mode, amount, split and installments, and refuses a split that does not add up', async () => {
    const admin = DEMO_STAFF.find((p) => p.tenantSlug === TENANT && p.role === 'tenant_admin')!;
    const staff = new WebClient();
    await staff.submit(await staff.visit(comune('/backoffice/accedi')), `/${TENANT}/backoffice/accedi`, { email: admin.email, password: admin.password });
    const service = (await new ServiceRepository(db()).create(tenant.id, serviceInput('tariffa-prova', 'Servizio tariffa-prova')))!;
    const edit = await staff.visit(comune(`/backoffice/servizi/${service.id}`));
    expect(edit.html).toContain(`/backoffice/servizi/${service.id}/pagamento`);
    const page = await staff.visit(comune(`/backoffice/servizi/${service.id}/pagamento`));
    expect(page.status).toBe(200);
    const fields = { mode: 'immediate', amountKind: 'priceList', amountKey: 'fascia', prices: 'a = 15,00\nb = 25,50', split: '3010/2 = 5,00\n3010/1 = 100%', installments: '', reason: 'Tariffa', dueDays: '15' };
    const bad = await staff.submit(page, `${service.id}/pagamento`, { ...fields, split: '3010/2 = 60%\n3010/1 = 30%' });
    expect(bad.status).toBe(422);
    expect(bad.html).toContain('Ripartizione non valida: le percentuali non fanno 100.');
    const ok = await staff.submit(page, `${service.id}/pagamento`, fields);
    expect(ok.status).toBe(200);
    expect(ok.html).toContain('Pagamento del servizio salvato');
    expect(await servicePaymentOf(db(), service.id)).toEqual({
      mode: 'immediate',
      amount: { kind: 'priceList', key: 'fascia', prices: { a: 1500, b: 2550 } },
      split: [{ chapter: '3010/2', cents: 500 }, { chapter: '3010/1', percent: 100 }],
      installments: null,
      reason: 'Tariffa',
      dueDays: 15,
    });
  });
});
