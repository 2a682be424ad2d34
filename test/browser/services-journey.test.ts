// The services journey of issue 5, in a real browser against the real apps (identity, ANPR, PDND, comune over
// HTTP): Marco Bianchi finds "Accesso agli atti" in Bugliano's catalog, applies with the form prefilled from
// ANPR through PDND and a delegation PDF, gets a protocol number; the demo operator (password + TOTP) takes it
// in charge and asks for an integration, Marco answers, the operator accepts with a letter, and Marco downloads
// the letter from his application. Needs Chromium (test/support/browser.ts).
import fs from 'node:fs';
import PDFDocument from 'pdfkit';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { identityDemoUsers } from '../../src/platforms/identity/users.ts';
import { PdndConnectionRepository } from '../../src/comune/interop/store.ts';
import { TenantRepository } from '../../src/comune/tenants/tenants.ts';
import { browserTestSystem, signInToBackoffice, signInWithSpid } from '../support/browser.ts';
import { readPdf } from '../support/pdf.ts';

type AuditedPage = 'service' | 'form' | 'applications' | 'outcome';
const TENANT = 'comune-di-bugliano';
const marco = identityDemoUsers().find((u) => u.fiscalCode === 'BNCMRC78C14G702E')!;
const delegator = identityDemoUsers().find((u) => u !== marco)!;
// README, "Staff": the demo operator of Bugliano, in the URP (which handles access to records).
const operator = { email: 'operatore@comune.bugliano.pi.it', password: 'Bugliano-Operatore-2026', totpSecret: 'KVKFKRCPNZQUYMLX' };

const ui = browserTestSystem<AuditedPage>({ apps: ['identity', 'anpr', 'pdnd', 'comune'], env: { LOGIN_RATE_LIMIT: '1000' } });

/** The demo ente connects to PDND in a start-up job: the ANPR prefill needs it done. */
async function connectedToPdnd(): Promise<void> {
  const tenant = (await new TenantRepository(ui.system.ctx.database.db).bySlug(TENANT))!;
  const connections = new PdndConnectionRepository(ui.system.ctx.database.db, ui.system.ctx.secret);
  await expect.poll(async () => (await connections.get(tenant.id))?.status, { timeout: 30_000, interval: 200 }).toBe('connected');
}

/** A small real PDF: the signed delegation the citizen attaches. */
async function delegationPdf(): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4' });
  doc.text('Delega per l’accesso agli atti: il delegante delega Marco Bianchi.');
  doc.end();
  return buffer(doc);
}

async function newPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  ui.journey.watch(page);
  page.setDefaultTimeout(15_000);
  return page;
}

// Bootstrap Italia draws its own radios and checkboxes over the inputs: the label takes the click.
const next = (page: Page) => page.getByRole('button', { name: 'Avanti' }).click();

describe('municipal services in the browser: application, integration, outcome letter', () => {
  it('goes from the catalog to the outcome letter', { timeout: 240_000 }, async () => {
    await connectedToPdnd();
    const base = `${ui.system.urls.comune}/${TENANT}`;
    const citizen = await ui.browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const officeContext = await ui.browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 900 } });
    try {
      // The catalog, searched; the service page; "Compila la domanda" asks for SPID.
      const page = await newPage(citizen);
      await page.goto(`${base}/servizi`);
      await page.getByLabel('Cerca un servizio').fill('accesso agli atti');
      await page.getByRole('button', { name: 'Cerca', exact: true }).click();
      await page.getByRole('main').getByRole('link', { name: /Accesso agli atti/ }).first().click();
      await page.getByRole('heading', { level: 1, name: /Accesso agli atti/ }).waitFor();
      await ui.journey.audit('service', citizen, page.url());
      await page.getByRole('link', { name: 'Compila la domanda' }).first().click();
      await signInWithSpid(page, marco);
      await page.waitForURL(/\/domanda\/[0-9a-f-]{36}$/);

      // Page 1: the applicant, prefilled from ANPR through PDND.
      const main = page.getByRole('main');
      await expect.poll(() => main.textContent()).toContain('Dato fornito da ANPR tramite PDND');
      expect(await page.getByLabel('Codice fiscale', { exact: true }).inputValue()).toBe(marco.fiscalCode);
      await ui.journey.audit('form', citizen, page.url());
      const email = page.getByLabel('E-mail');
      if (!(await email.inputValue())) await email.fill('marco.bianchi@example.it');
      await ui.journey.shot(page, 'form-applicant');
      await next(page);

      // Page 2: the request, on delegation.
      await page.getByLabel('Accesso documentale (L. 241/1990, art. 22)').check({ force: true });
      await page.getByLabel('Documenti richiesti').fill('Permesso di costruire n. 12/2019 di via Roma 15.');
      await page.getByLabel('Interesse diretto, concreto e attuale che motiva la richiesta').fill('Devo ristrutturare l’immobile del delegante.');
      await page.getByLabel('Copia digitale via e-mail').check({ force: true });
      await page.getByLabel('Presento la richiesta su delega di un’altra persona').or(page.getByLabel("Presento la richiesta su delega di un'altra persona")).check({ force: true });
      await next(page);

      // Page 3: the delegation, with a real PDF.
      await page.getByLabel('Codice fiscale del delegante').fill(delegator.fiscalCode);
      await page.getByLabel('Delega firmata e documento del delegante').setInputFiles({ name: 'delega.pdf', mimeType: 'application/pdf', buffer: await delegationPdf() });
      await next(page);
      await page.getByRole('heading', { name: 'Dichiarazioni' }).first().waitFor();
      await page.getByLabel(/Dichiaro che i dati forniti sono veritieri/).check({ force: true });
      await page.getByLabel(/Ho letto l.informativa sul trattamento/).check({ force: true });
      await next(page);

      // The summary, then the receipt: reloaded until the protocol job has registered it.
      await expect.poll(() => main.textContent()).toContain('delega.pdf');
      await ui.journey.shot(page, 'summary');
      await page.getByRole('button', { name: 'Invia la richiesta' }).click();
      await page.waitForURL(/\/area-personale\/domande\/[0-9a-f-]{36}\?inviata=1$/);
      const receipt = page.url().split('?')[0]!;
      const applicationId = receipt.split('/').pop()!;
      await expect
        .poll(async () => {
          await page.reload();
          return main.textContent();
        }, { timeout: 30_000, interval: 500 })
        .toMatch(/Protocollo\s*n\. \d+\/\d{4} del/);
      await ui.journey.shot(page, 'receipt');

      // The operator signs in (password + TOTP), takes it in charge and asks for an integration.
      const office = await newPage(officeContext);
      await signInToBackoffice(office, base, operator);
      await office.goto(`${base}/backoffice/pratiche?q=${marco.fiscalCode}`);
      await office.locator(`a[href$="/backoffice/pratiche/${applicationId}"]`).first().click();
      await expect.poll(() => office.getByRole('main').textContent()).toContain('Delega firmata e documento del delegante');
      await office.getByRole('button', { name: 'Prendi in carico' }).click();
      await office.getByText('Pratica presa in carico.').waitFor();
      await office.getByLabel('Cosa deve integrare il richiedente').fill('Allegare il documento di identità del delegante.');
      await office.getByRole('button', { name: 'Invia' }).first().click();
      await office.getByText('Integrazione richiesta al cittadino.').waitFor();

      // Marco answers the request from his application.
      await page.goto(receipt);
      await page.getByLabel('La tua risposta').fill('Ecco il documento di identità del delegante.');
      await page.getByLabel('Documento da allegare (facoltativo)').setInputFiles({ name: 'documento.pdf', mimeType: 'application/pdf', buffer: await delegationPdf() });
      await page.getByRole('button', { name: 'Invia l’integrazione' }).click();
      await page.getByText('La tua integrazione è stata inviata all’ufficio.').waitFor();

      // The operator takes it again and accepts it with a letter, registered in the protocol.
      await office.reload();
      await office.getByRole('button', { name: 'Prendi in carico' }).click();
      await office.getByText('Pratica presa in carico.').waitFor();
      await office.getByLabel('Esito', { exact: true }).first().selectOption({ label: 'Accogli' });
      await office.getByLabel('Motivazione (riportata nella lettera)').first().fill('I documenti sono disponibili presso l’ufficio tecnico.');
      await office.getByRole('button', { name: 'Registra l’esito e protocolla la lettera' }).first().click();
      await office.getByText('Esito registrato e lettera protocollata.').waitFor();
      await ui.journey.shot(office, 'accepted');

      // Marco sees the outcome and downloads the letter.
      await page.goto(`${base}/area-personale/domande`);
      await ui.journey.audit('applications', citizen, page.url());
      await page.getByRole('link', { name: /Accesso agli atti/ }).first().click();
      await expect.poll(() => main.textContent()).toContain('Accolta');
      await ui.journey.audit('outcome', citizen, page.url());
      await ui.journey.shot(page, 'outcome');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Lettera di esito \(PDF\), protocollo n\. \d+\/\d{4}/ }).click()]);
      const letter = await readPdf(fs.readFileSync((await download.path())!));
      expect(letter.flat).toContain('I documenti sono disponibili presso l’ufficio tecnico.');
      expect(letter.flat.toUpperCase()).toContain('BIANCHI');
    } finally {
      await citizen.close();
      await officeContext.close();
    }
    for (const name of ['service', 'form', 'applications', 'outcome'] as const) {
      expect(ui.journey.blocking(name)?.violations, name).toEqual([]);
    }
    expect(ui.journey.pageProblems).toEqual([]);
  });
});
