// The ANPR journey of the issue, in a real browser against the real apps (identity + ANPR over HTTP): a
// citizen signs in with SPID, downloads a stato di famiglia certificate, opens the link its QR code says and
// sees it verified; declares a change of residence; the Bugliano registry officer signs in (password + TOTP)
// and confirms it; the citizen's visura then shows the new address. Needs Chromium (test/support/browser.ts).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { totpCode } from '../../src/core/auth/totp.ts';
import { DEMO_OFFICERS } from '../../src/platforms/anpr/office/accounts.ts';
import { identityDemoUsers } from '../../src/platforms/identity/users.ts';
import { browserTestSystem, signInWithSpid } from '../support/browser.ts';
import { readPdf } from '../support/pdf.ts';

type AuditedPage = 'certificates' | 'verification' | 'residence' | 'declaration detail';
const marco = identityDemoUsers().find((u) => u.fiscalCode === 'BNCMRC78C14G702E')!;
const officer = DEMO_OFFICERS.find((o) => o.istatCode === '050999')!;

const ui = browserTestSystem<AuditedPage>({ apps: ['identity', 'anpr'], env: { LOGIN_RATE_LIMIT: '1000' } });

async function newPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  ui.journey.watch(page);
  return page;
}

async function spidLogin(page: Page): Promise<void> {
  const anpr = new URL(ui.system.urls.anpr).origin;
  await page.goto(`${ui.system.urls.anpr}/`);
  await page.getByRole('link', { name: 'Accedi con SPID o CIE' }).click();
  await page.waitForURL(`${anpr}/cittadino/accedi`);
  await signInWithSpid(page, marco);
  await page.waitForURL(`${anpr}/cittadino`);
}

describe('ANPR in the browser: certificate, verification, change of residence confirmed by the office', () => {
  it('goes from SPID login to the new address in the visura', { timeout: 180_000 }, async () => {
    const citizen = await ui.browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const officeContext = await ui.browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 900 } });
    try {
      const page = await newPage(citizen);
      await spidLogin(page);
      const main = page.getByRole('main');
      await main.getByRole('heading', { level: 1, name: 'I miei dati anagrafici' }).waitFor();
      await expect.poll(() => main.textContent()).toMatch(/via roma 15/i);

      // The stato di famiglia, exempt from stamp duty, downloaded as a PDF.
      await page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name: 'Certificati' }).click();
      await page.getByLabel('Tipo di certificato').selectOption({ label: 'Stato di famiglia' });
      await page.getByLabel('Uso del certificato').selectOption({ index: 1 });
      await ui.journey.shot(page, 'certificate-form');
      await ui.journey.audit('certificates', citizen, page.url());
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Scarica il certificato (PDF)' }).click()]);
      const pdf = await readPdf(fs.readFileSync((await download.path())!));
      expect(pdf.flat).toContain('CERTIFICATO DI STATO DI FAMIGLIA');
      expect(pdf.flat).toContain('NERI SILVIA');
      expect(pdf.flat).toContain('BIANCHI MARCO');
      expect(pdf.flat).toContain('BNCMRC78C14G702E');

      // The QR code, read from the PDF's pixels, leads to the public verification page.
      expect(pdf.qrCodes).toHaveLength(1);
      const verificationUrl = pdf.qrCodes[0]!;
      expect(verificationUrl.startsWith(`${ui.system.urls.anpr}/verifica/`)).toBe(true);
      const anyone = await newPage(await ui.browser.newContext({ locale: 'it-IT' }));
      await anyone.goto(verificationUrl);
      await anyone.getByRole('heading', { level: 1, name: 'Certificato autentico' }).waitFor();
      await expect.poll(() => anyone.getByRole('main').textContent()).toContain('BIANCHI');
      await ui.journey.shot(anyone, 'verified');
      await ui.journey.audit('verification', anyone.context(), anyone.url());
      await anyone.context().close();

      // The declaration of change of residence, to another street of Bugliano, for Marco alone.
      await page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name: 'Cambio di residenza' }).click();
      await page.getByLabel('Comune').fill('Bugliano');
      await page.getByRole('button', { name: 'Cerca il comune' }).click();
      await page.getByLabel('Via o piazza').selectOption({ label: 'VIA della Chiesa' });
      await page.getByLabel('Numero civico').fill('7');
      await page.getByLabel('CAP').fill('56000');
      for (const box of await page.getByRole('group', { name: 'Chi si trasferisce con te' }).getByRole('checkbox').all()) await box.uncheck();
      await ui.journey.audit('residence', citizen, page.url());
      await page.getByRole('button', { name: 'Invia la dichiarazione' }).click();
      await expect.poll(() => page.getByRole('main').textContent()).toMatch(/via della chiesa 7/i);
      await ui.journey.shot(page, 'declared');

      // The Bugliano registry officer confirms it.
      const office = await newPage(officeContext);
      await office.goto(`${ui.system.urls.anpr}/ufficio`);
      await office.getByLabel('Indirizzo e-mail').fill(officer.email);
      await office.getByLabel('Password').fill(officer.password);
      await office.getByRole('button', { name: 'Accedi' }).click();
      await office.getByLabel('Codice di verifica').fill(totpCode(officer.totpSecret));
      await office.getByRole('button', { name: 'Continua' }).click();
      await expect.poll(() => new URL(office.url()).pathname).toBe('/ufficio');
      await office.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name: 'Dichiarazioni di residenza' }).click();
      const row = office.getByRole('row').filter({ hasText: 'Bianchi Marco' }).filter({ hasText: /della chiesa 7/i });
      await row.getByRole('link').first().click();
      await ui.journey.audit('declaration detail', officeContext, office.url());
      await office.getByRole('button', { name: 'Conferma la dichiarazione' }).click();
      await expect.poll(() => office.getByRole('main').textContent()).toMatch(/confermata/i);
      await ui.journey.shot(office, 'confirmed');

      // The citizen's visura shows the new address.
      await page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name: 'I miei dati', exact: true }).click();
      await expect.poll(() => page.getByRole('main').textContent()).toMatch(/via della chiesa 7/i);
      expect(await page.getByRole('main').textContent()).not.toMatch(/via roma 15/i);
      await ui.journey.shot(page, 'visura-after');
    } finally {
      await citizen.close();
      await officeContext.close();
    }
    for (const name of ['certificates', 'verification', 'residence', 'declaration detail'] as const) {
      expect(ui.journey.blocking(name)?.violations, name).toEqual([]);
    }
    expect(ui.journey.pageProblems).toEqual([]);
  });
});
