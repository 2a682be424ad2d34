// A citizen in a real browser (headless Chromium): "Entra con SPID" on ANPR, the identity provider's pages,
// back to the visura; then the area's pages, a refused residence declaration shown on its form; every page
// checked with axe-core (no serious or critical issues) and under the real CSP. Needs Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Journey, launchBrowser, signInWithSpid } from '../support/browser.ts';
import { startCitizenHarness, user, type CitizenHarness } from './citizen-harness.ts';

type AuditedPage = 'login' | 'visura' | 'certificates' | 'self-declaration' | 'residence' | 'refused-declaration' | 'rectification' | 'contacts' | 'access-log';
const MARCO = user('BNCMRC78C14G702E');

let h: CitizenHarness;
let browser: Browser;
let journey: Journey<AuditedPage>;

beforeAll(async () => {
  browser = await launchBrowser();
  journey = new Journey(browser);
  h = await startCitizenHarness();
  console.info(`[browser e2e] ANPR citizen area; screenshots in ${journey.shotsDir}`);
});

afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

describe('a citizen in the browser', () => {
  it('signs in with SPID, reads the visura and uses the area, on accessible pages', { timeout: 120_000 }, async () => {
    const context = await browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    journey.watch(page);
    const anpr = new URL(h.anprUrl).origin;
    try {
      await page.goto(`${h.anprUrl}/cittadino`);
      await page.waitForURL(`${anpr}/cittadino/accedi`);
      await journey.audit('login', context, page.url());
      await signInWithSpid(page, MARCO);

      await page.waitForURL(`${anpr}/cittadino`);
      const main = page.getByRole('main');
      await main.getByRole('heading', { level: 1, name: 'I miei dati anagrafici' }).waitFor();
      await main.getByText('BNCMRC78C14G702E').first().waitFor();
      await journey.shot(page, 'visura');
      await journey.audit('visura', context, page.url());

      await page.goto(`${h.anprUrl}/cittadino/residenza?comune=Bugliano`);
      await page.getByLabel('Via o piazza').selectOption({ label: 'VIA Roma' });
      await page.getByLabel('Numero civico').fill('999');
      await page.getByRole('button', { name: 'Invia la dichiarazione' }).click();
      await expect.poll(() => page.getByText('Il numero civico non esiste su questa strada.').count()).toBeGreaterThan(0);
      await expect.poll(() => page.locator('#field-houseNumber.is-invalid').count()).toBe(1);
      await journey.shot(page, 'refused-declaration');
      await journey.audit('refused-declaration', context, page.url());

      const pages = [
        ['certificates', '/cittadino/certificati'],
        ['self-declaration', '/cittadino/autocertificazione'],
        ['residence', '/cittadino/residenza'],
        ['rectification', '/cittadino/rettifica'],
        ['contacts', '/cittadino/contatti'],
        ['access-log', '/cittadino/consultazioni'],
      ] as const;
      for (const [name, path] of pages) {
        await page.goto(`${h.anprUrl}${path}`);
        await journey.shot(page, name);
        await journey.audit(name, context, page.url());
      }
    } finally {
      await context.close();
    }
    for (const name of ['login', 'visura', 'certificates', 'self-declaration', 'residence', 'refused-declaration', 'rectification', 'contacts', 'access-log'] as const) {
      expect(journey.blocking(name)?.violations, name).toEqual([]);
    }
    expect(journey.pageProblems).toEqual([]);
  });
});
