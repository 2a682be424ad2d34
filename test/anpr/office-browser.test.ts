// A registry officer in a real browser (headless Chromium): sign-in with password and TOTP, search, the
// scheda, a refused death form, births, declarations and rectifications; every page checked with axe-core
// (no serious or critical issues) and under the real CSP. Needs Chromium (see test/support/browser.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { totpCode } from '../../src/core/auth/totp.ts';
import { DEMO_OFFICERS } from '../../src/platforms/anpr/office/accounts.ts';
import { requestRectification } from '../../src/platforms/anpr/service.ts';
import { idByFiscalCode } from '../../src/platforms/anpr/store.ts';
import { Journey, launchBrowser } from '../support/browser.ts';
import { startOfficeApp, type OfficeApp } from './office-harness.ts';

type AuditedPage = 'login' | 'search' | 'scheda' | 'birth' | 'declarations' | 'rectifications';
const officer = DEMO_OFFICERS[0]!;

let office: OfficeApp;
let browser: Browser;
let journey: Journey<AuditedPage>;

beforeAll(async () => {
  browser = await launchBrowser();
  journey = new Journey(browser);
  office = await startOfficeApp();
  console.info(`[browser e2e] registry office; screenshots in ${journey.shotsDir}`);
});

afterAll(async () => {
  await browser?.close();
  await office?.close();
});

describe('a registry officer in the browser', () => {
  it('signs in with TOTP, finds a resident, reads the scheda and meets a refusal on a form, on accessible pages', { timeout: 120_000 }, async () => {
    const marco = (await idByFiscalCode(office.db, 'BNCMRC78C14G702E'))!;
    await requestRectification(office.db, { idAnpr: marco, fields: { givenName: 'Marcello' }, motivation: 'Prova', requestedBy: 'BNCMRC78C14G702E', date: '2026-02-20' });
    const context = await browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    journey.watch(page);
    try {
      await page.goto(`${office.url}/ufficio`);
      expect(new URL(page.url()).pathname).toBe('/ufficio/accedi');
      await journey.audit('login', context, page.url());
      await page.getByLabel('Indirizzo e-mail').fill(officer.email);
      await page.getByLabel('Password').fill(officer.password);
      await page.getByRole('button', { name: 'Accedi' }).click();
      await page.getByLabel('Codice di verifica').fill(totpCode(officer.totpSecret));
      await page.getByRole('button', { name: 'Continua' }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe('/ufficio');

      await page.getByLabel('Cognome').fill('Bianchi');
      await page.getByLabel('Data di nascita').fill('1978-03-14');
      await page.getByRole('button', { name: 'Cerca' }).click();
      await page.getByRole('link', { name: 'Bianchi Marco' }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe(`/ufficio/schede/${marco}`);
      await journey.shot(page, 'scheda');
      await journey.audit('search', context, `${office.url}/ufficio?cognome=Bianchi`);
      await journey.audit('scheda', context, page.url());

      await page.getByLabel('Data del decesso').fill('2027-01-01');
      await page.getByRole('button', { name: 'Registra il decesso' }).click();
      await expect.poll(() => page.getByText('La data non può essere successiva a oggi.').count()).toBeGreaterThan(0);
      await expect.poll(() => page.locator('#field-deathDate.is-invalid').count()).toBe(1);
      await journey.shot(page, 'refused-death');
      expect(await page.getByLabel('Data del decesso').inputValue()).toBe('2027-01-01');

      for (const [name, path] of [['birth', '/ufficio/nascita'], ['declarations', '/ufficio/dichiarazioni'], ['rectifications', '/ufficio/rettifiche']] as const) {
        await page.goto(`${office.url}${path}`);
        await journey.shot(page, name);
        await journey.audit(name, context, page.url());
      }
    } finally {
      await context.close();
    }
    for (const name of ['login', 'search', 'scheda', 'birth', 'declarations', 'rectifications'] as const) expect(journey.blocking(name)?.violations).toEqual([]);
    expect(journey.pageProblems).toEqual([]);
  });
});
