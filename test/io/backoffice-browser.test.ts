// IO's developer back-office in headless Chromium: the platform operator signs in with TOTP, onboards a body,
// creates its service through the form, reveals a key, meets the test message's errors beside their fields and
// reads the usage chart. Each page axe-clean, no CSP violation. Needs Chromium.
import { describe, expect, it } from 'vitest';
import { DEMO_IO_STAFF } from '../../src/platforms/io/backoffice/accounts.ts';
import { browserTestSystem, watchedPage } from '../support/browser.ts';
import { fillStaffLogin } from '../support/staff-login.ts';

type AuditedPage = 'login' | 'onboarding' | 'service' | 'keys' | 'test message errors' | 'usage';
const [OPERATOR] = DEMO_IO_STAFF;
const ui = browserTestSystem<AuditedPage>({ apps: ['io'], database: 'postgres', env: { LOG_LEVEL: 'error' } });

describe('the IO back-office in the browser', () => {
  it('an operator onboards a body, creates its service, reveals its key and sends a test message', { timeout: 120_000 }, async () => {
    const { context, page } = await watchedPage(ui.browser, ui.journey);
    const base = ui.system.urls.io;
    try {
      await page.goto(`${base}/backoffice`);
      await page.waitForURL(`${base}/backoffice/accedi`);
      await ui.journey.audit('login', context, page.url());
      await fillStaffLogin(page, OPERATOR);
      await page.waitForURL(`${base}/backoffice`);

      const main = page.getByRole('main');
      await main.getByRole('link', { name: 'Aggiungi un ente' }).click();
      await page.getByLabel('Codice fiscale dell’ente').fill('00907501001');
      await page.getByLabel('Denominazione dell’ente').fill('Ente di prova');
      await ui.journey.audit('onboarding', context, page.url());
      await page.getByRole('button', { name: 'Aggiungi l’ente' }).click();
      await page.waitForURL(`${base}/backoffice/enti/00907501001?creato=1`);

      await main.getByRole('link', { name: 'Nuovo servizio' }).click();
      await page.getByLabel('Nome del servizio').fill('Avvisi e scadenze');
      await page.getByLabel('Ufficio o dipartimento').fill('Ufficio tributi');
      await page.getByLabel('Descrizione').fill('Promemoria delle scadenze.');
      await page.getByLabel('E-mail', { exact: true }).fill('tributi@ente.example');
      await page.getByLabel('Importo massimo di un avviso di pagamento (euro)').fill('250,00');
      await page.getByRole('button', { name: 'Crea il servizio' }).click();
      await page.waitForURL(/\/backoffice\/servizi\/[0-9A-Z]{26}\?esito=creato$/);
      const serviceUrl = page.url().replace(/\?.*$/, '');
      await main.getByText('250,00').waitFor();
      await ui.journey.shot(page, 'service');
      await ui.journey.audit('service', context, page.url());

      await page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name: 'Chiavi' }).click();
      const primary = page.locator('code[data-key="primary"]');
      expect(await primary.isVisible()).toBe(false);
      await page.getByText('Mostra la chiave').first().click();
      await primary.waitFor({ state: 'visible' });
      expect((await primary.textContent())!.length).toBeGreaterThan(20);
      await ui.journey.audit('keys', context, page.url());

      await page.goto(`${serviceUrl}/messaggio-di-prova`);
      await page.getByLabel('Oggetto').fill('Breve');
      await page.getByRole('button', { name: 'Invia' }).click();
      await main.getByRole('alert').waitFor();
      expect(await page.locator('#field-subject-error').textContent()).toContain('da 10 a 120');
      await ui.journey.shot(page, 'test-message-errors');
      await ui.journey.audit('test message errors', context, page.url());

      await page.goto(`${serviceUrl}/utilizzo`);
      await page.getByRole('img', { name: /Messaggi al giorno di Avvisi e scadenze/ }).waitFor();
      await ui.journey.shot(page, 'usage');
      await ui.journey.audit('usage', context, page.url());
    } finally {
      await context.close();
    }
    for (const name of ['login', 'onboarding', 'service', 'keys', 'test message errors', 'usage'] as const) expect(ui.journey.blocking(name)?.violations, name).toEqual([]);
    expect(ui.journey.pageProblems).toEqual([]);
  });
});
