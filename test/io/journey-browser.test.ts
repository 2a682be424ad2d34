// Issue 7's journey in headless Chromium under the real CSPs, every app a real server: a comune operator takes an
// application in charge and asks for its fee; the citizen finds the payment notice in the IO app, adds its due date
// to the calendar, pays it on pagoPA Checkout and sees the receipt in the app, while the comune gets the receipt
// and the application moves on by itself; then the citizen turns the comune's service off in the app, and the
// operator's outcome is REJECTED by IO with SERVICE_NOT_ALLOWED, as the desk shows. The app's pages and the desk's
// axe-clean, no CSP violation. Needs Chromium.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { addDays, dateInItaly } from '../../src/domain/dates.ts';
import { identityDemoUsers } from '../../src/platforms/identity/users.ts';
import { DEMO_IO_SERVICES, demoIoKey } from '../../src/clients/io/demo.ts';
import { IO_API_PREFIX, SUBSCRIPTION_KEY_HEADER } from '../../src/clients/io/wire.ts';
import { DEMO_STAFF } from '../../src/comune/seed.ts';
import { TenantRepository } from '../../src/comune/tenants/tenants.ts';
import { ServiceRepository } from '../../src/comune/catalog/services.ts';
import { FormRepository } from '../../src/comune/forms/forms.ts';
import { ApplicationStore } from '../../src/comune/applications/store.ts';
import { STATUS } from '../../src/comune/applications/states.ts';
import { diskDocumentStore } from '../../src/comune/protocol/files.ts';
import { saveServicePayment } from '../../src/comune/payments/service-payments.ts';
import { browserTestSystem, payByCardAtCheckout, signInToBackoffice, signInWithSpid, watchedPage } from '../support/browser.ts';
import { serviceInput } from '../comune/catalog-fixtures.ts';

type AuditedPage = 'desk' | 'inbox' | 'message' | 'receipt' | 'payments' | 'service';
const AUDITED: readonly AuditedPage[] = ['desk', 'inbox', 'message', 'receipt', 'payments', 'service'];
const TENANT = 'comune-di-bugliano';
const MARCO = identityDemoUsers().find((u) => u.fiscalCode === 'BNCMRC78C14G702E')!;
const OPERATOR = DEMO_STAFF.find((p) => p.tenantSlug === TENANT && p.role === 'tenant_admin')!;
const IO_SERVICE = DEMO_IO_SERVICES.find((s) => s.organizationName === 'Comune di Bugliano')!;
const ui = browserTestSystem<AuditedPage>({ apps: ['mail', 'identity', 'pagopa', 'io', 'comune'], database: 'postgres', env: { LOGIN_RATE_LIMIT: '1000', LOG_LEVEL: 'error' } });

/** Asks `what` every 200 ms until `ok`; fails naming `label` after `ms`. */
async function until<T>(label: string, what: () => Promise<T>, ok: (value: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await what();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${label}: still ${JSON.stringify(value)} after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface MessageRow {
  state: string;
  io_message_id: string | null;
  io_status: string | null;
  rejection_reason: string | null;
  email_status: string | null;
}

describe('issue 7: a fee asked by the comune, paid from IO, then the service turned off', () => {
  it('notice on IO → calendar → paid at Checkout → receipt in the app and in the comune → outcome rejected SERVICE_NOT_ALLOWED', { timeout: 240_000 }, async () => {
    const db = ui.system.ctx.database.db;
    const tenant = (await new TenantRepository(db).bySlug(TENANT))!;
    const form = await new FormRepository(db).save(tenant.id, { name: 'Occupazione suolo', schema: { components: [{ type: 'textfield', key: 'nota', label: 'Nota' }] } }, { type: 'system', id: 'test' });
    const service = (await new ServiceRepository(db).create(tenant.id, serviceInput('suolo-io', 'Occupazione di suolo pubblico', { formId: form.id, protocolRequired: false })))!;
    // Paid during the iter: the office asks for the fee once it has looked at the application.
    await saveServicePayment(db, tenant.id, service.id, { mode: 'deferred', amount: { kind: 'fixed', cents: 4550 }, split: [{ chapter: '3050/1', percent: 100 }], installments: null, reason: 'Oneri istruttori', dueDays: 30 });
    const applications = new ApplicationStore(db, diskDocumentStore(path.join(ui.system.ctx.config.dataDir, 'documents')));
    const citizen = { kind: 'citizen', tenantId: tenant.id, fiscalCode: MARCO.fiscalCode } as const;
    const draft = await applications.createDraft(citizen, tenant.id, { service: { id: service.id, name: 'Occupazione di suolo pubblico' }, citizen: { fiscalCode: MARCO.fiscalCode, name: `${MARCO.givenName} ${MARCO.familyName}` }, data: { nota: 'Dehors estivo' } });
    await applications.submit(citizen, draft.id, { idempotencyKey: `io-journey-${draft.id}` });
    const statusOf = async () => (await sql<{ status: number }>`select status from comune.applications where id = ${draft.id}`.execute(db)).rows[0]!.status;
    const messageOf = async (kind: string) =>
      (await sql<MessageRow>`select state, io_message_id, io_status, rejection_reason, email_status from comune.citizen_messages where application_id = ${draft.id} and kind = ${kind}`.execute(db)).rows[0];
    const due = addDays(dateInItaly(new Date()), 20);
    const comune = `${ui.system.urls.comune}/${TENANT}`;
    const io = ui.system.urls.io;
    const detailUrl = `${comune}/backoffice/pratiche/${draft.id}`;

    const operator = await watchedPage(ui.browser, ui.journey);
    const app = await watchedPage(ui.browser, ui.journey);
    try {
      // The operator takes the application in charge and asks for the fee with its due date.
      const desk = operator.page;
      await signInToBackoffice(desk, comune, OPERATOR);
      await desk.goto(detailUrl);
      await desk.getByRole('button', { name: 'Prendi in carico' }).click();
      await desk.getByText('Pratica presa in carico.').waitFor();
      const feeForm = desk.locator('form', { has: desk.getByRole('group', { name: 'Richiedi pagamento' }) });
      await feeForm.getByLabel('Importo (euro)').fill('45,50');
      expect(await feeForm.getByLabel('Causale').inputValue()).toBe('Oneri istruttori');
      await feeForm.getByLabel('Scadenza').fill(due);
      await feeForm.getByRole('button', { name: 'Richiedi pagamento' }).click();
      await desk.waitForURL(`${detailUrl}#pagamenti`);
      expect(await statusOf()).toBe(STATUS.paymentPending);

      // The notice reaches IO with its payment data and due date, and IO delivers it.
      const notice = await until('the payment notice', () => messageOf('payment_notice'), (m) => m?.state === 'processed');
      const { rows: sent } = await sql<{ content: { payment_data?: { amount: number; notice_number: string }; due_date?: string } }>`select content from io.messages where id = ${notice!.io_message_id}`.execute(db);
      expect(sent[0]!.content.payment_data?.amount).toBe(4550);
      expect(dateInItaly(new Date(sent[0]!.content.due_date!))).toBe(due);

      // The citizen signs in to the IO app and finds the notice in the inbox.
      const { context, page } = app;
      const main = page.getByRole('main');
      await page.goto(`${io}/app/messaggi`);
      await page.waitForURL(`${io}/app/accedi`);
      await signInWithSpid(page, MARCO);
      await page.waitForURL(`${io}/app/messaggi`);
      const subject = 'Avviso di pagamento: Oneri istruttori';
      const item = main.getByRole('link', { name: new RegExp(subject) });
      await item.waitFor();
      await ui.journey.shot(page, 'inbox');
      await ui.journey.audit('inbox', context, page.url());

      // The message: the payment box with the amount and the due date, and the calendar file on that day.
      await item.click();
      await page.waitForURL(`${io}/app/messaggi/${notice!.io_message_id}`);
      await main.getByRole('heading', { level: 1, name: subject }).waitFor();
      const box = main.getByRole('region', { name: 'Avviso di pagamento' });
      expect(await box.textContent()).toContain('45,50\u00a0€');
      await ui.journey.shot(page, 'message');
      await ui.journey.audit('message', context, page.url());
      const calendar = await context.request.get(new URL((await main.getByRole('link', { name: 'Aggiungi al calendario' }).getAttribute('href'))!, page.url()).href);
      expect(calendar.status()).toBe(200);
      expect(calendar.headers()['content-type']).toMatch(/^text\/calendar/);
      const ics = await calendar.text();
      expect(ics).toMatch(/^BEGIN:VCALENDAR\r\n/);
      expect(ics).toContain(`DTSTART;VALUE=DATE:${due.replaceAll('-', '')}`);

      // Paid by card at Checkout; back in the app, which reads and keeps pagoPA's receipt.
      await box.getByRole('button', { name: 'Paga con pagoPA' }).click();
      await page.waitForURL(new RegExp(`^${ui.system.urls.pagopa}/checkout/carts/`));
      await payByCardAtCheckout(page, `${MARCO.givenName} ${MARCO.familyName}`);
      await page.waitForURL(new RegExp(`^${io}/app/pagamenti/[0-9A-Za-z-]+(/esito.*)?$`));
      await main.getByRole('heading', { level: 1, name: 'Ricevuta di pagamento' }).waitFor({ timeout: 30_000 });
      expect(await main.textContent()).toContain('45,50\u00a0€');
      await ui.journey.shot(page, 'receipt');
      await ui.journey.audit('receipt', context, page.url());
      await page.getByRole('navigation', { name: 'Sezioni dell’app' }).getByRole('link', { name: 'Pagamenti' }).click();
      await page.waitForURL(`${io}/app/pagamenti`);
      const paid = main.getByRole('row').filter({ hasText: 'Oneri istruttori' });
      expect(await paid.textContent()).toContain('Pagato');
      await ui.journey.audit('payments', context, page.url());

      // The comune gets the receipt too: the application leaves the payment's wait and is back in the office's hands.
      await until('the application after the receipt', statusOf, (s) => s === STATUS.pending);
      await desk.goto(detailUrl);
      await desk.getByRole('link', { name: 'Scarica la ricevuta' }).waitFor();

      // The citizen turns the comune's service off.
      await page.goto(`${io}/app/servizi/${IO_SERVICE.serviceId}`);
      await main.getByRole('heading', { level: 1, name: IO_SERVICE.serviceName }).waitFor();
      await ui.journey.audit('service', context, page.url());
      const inbox = main.getByRole('checkbox', { name: 'Ricevi messaggi' });
      expect(await inbox.isChecked()).toBe(true);
      // The switch's lever is what a person clicks: the label holding it.
      await main.locator('label[for=toggle-inbox]').click();
      await main.getByRole('button', { name: 'Salva le preferenze' }).click();
      await main.getByText('Preferenze salvate.').waitFor();
      expect(await main.getByRole('checkbox', { name: 'Ricevi messaggi' }).isChecked()).toBe(false);

      // The operator accepts the application: IO refuses the outcome for the citizen, as the real IO does.
      const decision = desk.locator('form', { has: desk.getByRole('group', { name: 'Esito con lettera', exact: true }) });
      await decision.getByLabel('Esito').selectOption('accepted');
      await decision.getByLabel('Motivazione (riportata nella lettera)').fill('Occupazione compatibile con la viabilità.');
      await decision.getByRole('button', { name: 'Registra l’esito e protocolla la lettera' }).click();
      await desk.getByText('Esito registrato e lettera protocollata.').waitFor();
      const outcome = await until('the outcome message', () => messageOf('outcome'), (m) => m?.state === 'rejected');
      // The citizen said no: no e-mail instead.
      expect(outcome).toMatchObject({ io_status: 'REJECTED', rejection_reason: 'SERVICE_NOT_ALLOWED', email_status: null });
      const atIo = await fetch(`${io}${IO_API_PREFIX}/messages/${MARCO.fiscalCode}/${outcome!.io_message_id}`, { headers: { [SUBSCRIPTION_KEY_HEADER]: demoIoKey(ui.system.ctx.secret, IO_SERVICE.serviceId) } });
      expect(atIo.status).toBe(200);
      expect(await atIo.json()).toMatchObject({ status: 'REJECTED', rejection_reason: 'SERVICE_NOT_ALLOWED' });

      await desk.goto(detailUrl);
      const rejected = desk.getByRole('region', { name: 'Messaggi al cittadino' }).getByRole('row').filter({ has: desk.getByText('Esito', { exact: true }) });
      expect(await rejected.textContent()).toContain('Rifiutato da IO');
      expect(await rejected.textContent()).toContain('SERVICE_NOT_ALLOWED');
      await ui.journey.shot(desk, 'desk');
      await ui.journey.audit('desk', operator.context, desk.url());

      // Not in the citizen's inbox.
      await page.goto(`${io}/app/messaggi`);
      await item.waitFor();
      expect(await main.getByRole('link', { name: /domanda accolta/ }).count()).toBe(0);
    } finally {
      await operator.context.close();
      await app.context.close();
    }
    for (const name of AUDITED) expect(ui.journey.blocking(name)?.violations, name).toEqual([]);
    expect(ui.journey.pageProblems).toEqual([]);
  });
});
