// The pagoPA journey of the issue in headless Chromium against the whole system, through real pages only:
// a parent enrols a child (picked from the ANPR family through PDND) in the school canteen, pays the fee on
// pagoPA Checkout and the comune's return page refreshes itself until the application moved on; a second
// parent reads the notice number and the creditor's fiscal code from the notice PDF, a tobacconist's clerk
// types them at the counter and cashes the notice, and that application moves on too; the PSP closes the day
// and the ente's admin finds the second payment reconciled. Every page axe-clean, no CSP violation.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_PSPS } from '../../src/clients/pagopa/demo.ts';
import { DEMO_STAFF } from '../../src/comune/seed.ts';
import { PdndConnectionRepository } from '../../src/comune/interop/store.ts';
import { TenantRepository } from '../../src/comune/tenants/tenants.ts';
import { browserTestSystem, payByCardAtCheckout, signInToBackoffice, signInWithSpid, watchedPage } from '../support/browser.ts';
import { readPdf } from '../support/pdf.ts';
import { alice, bob, TENANT } from './journey-fixtures.ts';

type AuditedPage = 'wizard' | 'children' | 'payment' | 'checkout' | 'return' | 'application paid' | 'counter' | 'notice' | 'receipt' | 'day closing' | 'reconciliation';
const AUDITED: AuditedPage[] = ['wizard', 'children', 'payment', 'checkout', 'return', 'application paid', 'counter', 'notice', 'receipt', 'day closing', 'reconciliation'];
const ui = browserTestSystem<AuditedPage>({ env: { LOGIN_RATE_LIMIT: '1000' } });
const TOBACCONIST = DEMO_PSPS[2];
const ADMIN = DEMO_STAFF.find((s) => s.tenantSlug === TENANT && s.role === 'tenant_admin')!;
// Past "In attesa di pagamento": sent to the comune (2000) or already registered in the protocol.
const MOVED_ON = /^(Inviata|Protocollata)$/;

/** The "Stato" shown on the citizen's page of an application. */
const statusOf = async (page: Page) => ((await page.locator('dt', { hasText: /^Stato$/ }).locator('xpath=following-sibling::dd').textContent()) ?? '').trim();

async function pdndConnected(): Promise<void> {
  const db = ui.system.ctx.database.db;
  const tenant = (await new TenantRepository(db).bySlug(TENANT))!;
  const connections = new PdndConnectionRepository(db, ui.system.ctx.secret);
  await expect.poll(async () => (await connections.get(tenant.id))?.status, { timeout: 30_000, interval: 200 }).toBe('connected');
}

/** Ticks a radio or a checkbox as a person does, on its label (Bootstrap Italia draws the input under it). */
async function choose(page: Page, label: string | RegExp): Promise<void> {
  const input = page.getByLabel(label, { exact: typeof label === 'string' });
  await page.locator(`label[for="${await input.getAttribute('id')}"]`).click();
  await expect.poll(() => input.isChecked()).toBe(true);
}

/** The canteen enrolment from the service's page to "Invia la richiesta", the child chosen among the ANPR family's minors. */
async function enrolInCanteen(page: Page, person: typeof alice, child: RegExp, audit = false): Promise<void> {
  const { journey } = ui;
  await page.goto(`${ui.system.urls.comune}/${TENANT}/servizi/iscrizione-mensa-scolastica/domanda`);
  await signInWithSpid(page, person);
  await page.waitForURL(/\/domanda\/[0-9a-f-]{36}$/);
  await page.getByText('Dato fornito da ANPR tramite PDND').first().waitFor();
  if (audit) await journey.audit('wizard', page.context(), page.url());
  await page.getByRole('button', { name: 'Avanti' }).click();
  await page.waitForURL(/pagina=1/);
  await page.getByRole('button', { name: /^Aggiungi a/ }).click();
  await page.getByText('Elenco fornito da ANPR tramite PDND').first().waitFor();
  await choose(page, child);
  await page.getByLabel('Scuola').selectOption('primaria-collodi');
  await page.getByLabel('Classe e sezione').fill('3B');
  await choose(page, 'Standard');
  if (audit) await journey.audit('children', page.context(), page.url());
  await page.getByRole('button', { name: 'Avanti' }).click();
  await page.waitForURL(/pagina=2/);
  await page.getByRole('button', { name: 'Avanti' }).click();
  await page.waitForURL(/pagina=3/);
  await choose(page, /^Dichiaro che i dati forniti sono veritieri/);
  await choose(page, /^Ho letto l'informativa/);
  await page.getByRole('button', { name: 'Avanti' }).click();
  await page.getByRole('button', { name: 'Invia la richiesta' }).click();
  await page.waitForURL(/\/area-personale\/pagamenti\/[0-9a-f-]{36}$/);
  await page.getByRole('heading', { level: 1, name: 'Pagamento: Iscrizione mensa scolastica' }).waitFor();
  expect(await page.locator('main').textContent()).toContain('30,00\u00a0€');
}

/** From the payment page to the application's page: it waits for the payment, with the fee. */
async function expectWaitingForPayment(page: Page): Promise<string> {
  const paymentUrl = page.url();
  await page.getByRole('link', { name: 'Vai alla domanda' }).click();
  await page.getByRole('heading', { level: 1, name: 'Domanda: Iscrizione alla mensa scolastica' }).waitFor();
  expect(await statusOf(page)).toBe('In attesa di pagamento');
  expect(await page.locator('main').textContent()).toMatch(/Iscrizione mensa scolastica: 30,00\u00a0€ — Da pagare/);
  const applicationUrl = page.url();
  await page.goto(paymentUrl);
  return applicationUrl;
}

describe('the pagoPA journey in the browser', () => {
  it('pays one canteen fee on Checkout and one at a tobacconist, and the ente reconciles it', { timeout: 180_000 }, async () => {
    const { journey, browser, system } = ui;
    await pdndConnected();

    // 1. Marco Bianchi enrols Sofia and pays online.
    const first = await watchedPage(browser, journey);
    let page = first.page;
    let onlineIuv: string;
    try {
      await enrolInCanteen(page, alice, /^SOFIA BIANCHI/, true);
      await journey.shot(page, 'payment');
      await journey.audit('payment', first.context, page.url());
      const paymentId = page.url().split('/').pop()!;
      const applicationUrl = await expectWaitingForPayment(page);
      onlineIuv = (await page.locator('main table code').first().textContent())!.trim().slice(1);

      await page.getByRole('button', { name: /^Paga online/ }).click();
      await page.waitForURL(new RegExp(`^${system.urls.pagopa}/checkout/carts/`));
      await journey.audit('checkout', first.context, page.url());
      await payByCardAtCheckout(page, 'Marco Bianchi');

      // Back on the comune: nobody touches the page, its Refresh header brings the outcome.
      await page.waitForURL(new RegExp(`/area-personale/pagamenti/${paymentId}/esito`));
      await page.getByText('Pagamento avvenuto con successo').waitFor({ timeout: 30_000 });
      await journey.shot(page, 'return');
      await journey.audit('return', first.context, page.url());
      await page.getByRole('link', { name: 'Vai alla domanda' }).click();
      expect(page.url()).toBe(applicationUrl);
      // The receipt moved the application on in the same transaction that marked it paid.
      expect(await statusOf(page)).toMatch(MOVED_ON);
      await journey.audit('application paid', first.context, page.url());
    } finally {
      await first.context.close();
    }

    // 2. Giulia Romano enrols Lorenzo and takes the notice to the tobacconist.
    const second = await watchedPage(browser, journey);
    page = second.page;
    const clerk = await watchedPage(browser, journey);
    let iuv: string;
    try {
      await enrolInCanteen(page, bob, /^LORENZO RICCI/);
      const applicationUrl = await expectWaitingForPayment(page);
      const nav = (await page.locator('main table code').first().textContent())!.trim();
      expect(nav).toMatch(/^3\d{17}$/);
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: "Scarica l'avviso di pagamento" }).click()]);
      const notice = await readPdf(await readFile(await download.path()));
      const creditor = /Cod\. fiscale ente creditore\s*(\d{11})/i.exec(notice.flat)?.[1];
      expect(creditor, notice.flat).toBeDefined();
      expect(notice.flat.replace(/\s/g, '')).toContain(nav);
      iuv = nav.slice(1);

      const counter = clerk.page;
      await counter.goto(`${system.urls.psp}/`);
      await counter.getByRole('link', { name: /Tabaccheria/ }).click();
      await counter.getByRole('heading', { level: 1, name: /Tabaccheria/ }).waitFor();
      await journey.audit('counter', clerk.context, counter.url());
      await counter.getByLabel('Codice avviso o codice scansionato').pressSequentially(nav);
      await counter.getByLabel('Codice fiscale dell’ente creditore').pressSequentially(creditor!);
      await counter.getByRole('button', { name: 'Verifica l’avviso' }).click();
      await counter.getByRole('heading', { level: 1, name: 'Avviso da incassare' }).waitFor();
      await counter.getByRole('main').getByText('30,00 €').first().waitFor();
      await journey.audit('notice', clerk.context, counter.url());
      await choose(counter, 'Contanti');
      await counter.getByRole('button', { name: /^Incassa/ }).click();
      await counter.getByRole('heading', { level: 1, name: 'Ricevuta di pagamento' }).waitFor();
      await counter.getByRole('main').getByText(iuv).waitFor();
      await journey.shot(counter, 'counter-receipt');
      await journey.audit('receipt', clerk.context, counter.url());

      // The citizen reloads the application's page until the receipt moved it on.
      await page.goto(applicationUrl);
      await expect
        .poll(async () => {
          await page.reload();
          return statusOf(page);
        }, { timeout: 30_000, interval: 500 })
        .toMatch(MOVED_ON);
      await journey.shot(page, 'second-application');

      // 3. The tobacconist closes the day: a reporting flow on pagoPA and a credit transfer to the treasury.
      await counter.getByRole('link', { name: 'Chiusura giornata' }).click();
      await counter.getByRole('heading', { level: 1, name: 'Chiusura della giornata' }).waitFor();
      await journey.audit('day closing', clerk.context, counter.url());
      await counter.getByRole('button', { name: `Chiudi giornata — ${TOBACCONIST.companyName}` }).click();
      await counter.getByText(/flussi pubblicati e riversati/).waitFor();
    } finally {
      await second.context.close();
      await clerk.context.close();
    }

    // The ente's admin reconciles.
    const office = await watchedPage(browser, journey);
    page = office.page;
    try {
      const base = `${system.urls.comune}/${TENANT}`;
      await signInToBackoffice(page, base, ADMIN);
      await page.getByRole('link', { name: 'Riconciliazione pagamenti' }).first().click();
      await page.getByRole('heading', { level: 1, name: 'Riconciliazione pagamenti' }).waitFor();
      await page.getByRole('button', { name: 'Aggiorna ora' }).click();
      await page.getByText('Riconciliazione aggiornata.').waitFor();
      const row = page.locator('tbody tr', { hasText: iuv });
      await expect.poll(() => row.textContent()).toMatch(/Riconciliato/i);
      // The card payment on Checkout with the tobacconists' network: in the same PSP's flow and credit transfer.
      await expect.poll(() => page.locator('tbody tr', { hasText: onlineIuv }).textContent()).toMatch(/Riconciliato/i);
      await journey.shot(page, 'reconciliation');
      await journey.audit('reconciliation', office.context, page.url());
    } finally {
      await office.context.close();
    }

    for (const name of AUDITED) expect(journey.blocking(name), `the journey did not reach the ${name}`).toBeDefined();
    for (const name of AUDITED) expect(journey.blocking(name)!.violations, name).toEqual([]);
    expect(journey.pageProblems).toEqual([]);
  });
});
