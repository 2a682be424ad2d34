// Verifying a certificate in a real browser (headless Chromium): the ANPR app started as `npm start` does,
// a certificate issued, then the verification form → the authentic page → a mistyped code → the "not
// found" page; each page checked with axe-core (no serious or critical issues) and for CSP violations.
// Needs Chromium at /usr/bin/chromium or $CHROMIUM_PATH.
import { afterAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { formatCertificateCode } from '../../src/platforms/anpr/certificates/code.ts';
import { issueCertificate } from '../../src/platforms/anpr/certificates/service.ts';
import { todayUtc } from '../../src/domain/dates.ts';
import { Journey, launchBrowser } from '../support/browser.ts';
import { startSystem, type TestSystem } from '../support/system.ts';

type AuditedPage = 'verification form' | 'authentic certificate' | 'certificate not found';

let system: TestSystem | undefined;
let browser: Browser | undefined;
afterAll(async () => Promise.all([browser?.close(), system?.stop()]));

it('someone handed a certificate checks its code on the verification page', { timeout: 90_000 }, async () => {
  [browser, system] = await Promise.all([launchBrowser(), startSystem({ apps: ['anpr'] })]);
  const journey = new Journey<AuditedPage>(browser);
  console.info(`[browser e2e] database: ${system.databaseKind}; screenshots in ${journey.shotsDir}`);
  const anpr = system.urls.anpr;
  const { code } = await issueCertificate(system.ctx.database.db, {
    requesterFiscalCode: 'BNCMRC78C14G702E',
    subjectFiscalCode: 'BNCMRC78C14G702E',
    kind: 'stato-di-famiglia-parentela',
    use: 'pensione',
    today: todayUtc(),
    publicUrl: anpr,
  });
  const context = await browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  journey.watch(page);
  try {
    await page.goto(`${anpr}/verifica`);
    await expect.poll(() => page.title()).toContain('Verifica un certificato');
    await journey.audit('verification form', context, page.url());
    await page.getByLabel('Codice del certificato').fill(formatCertificateCode(code).toLowerCase());
    await page.getByRole('button', { name: 'Verifica' }).click();
    await page.waitForURL(`${anpr}/verifica/${code}`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Certificato autentico');
    await expect(page.getByRole('table').textContent()).resolves.toContain('NERI SILVIA');
    await journey.shot(page, 'authentic');
    await journey.audit('authentic certificate', context, page.url());

    const i = [...code].findIndex((c, j) => c !== code[j + 1]);
    const wrong = formatCertificateCode(code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2)); // two symbols swapped
    await page.goto(`${anpr}/verifica?codice=${encodeURIComponent(wrong)}`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Certificato non trovato');
    await journey.shot(page, 'not-found');
    await journey.audit('certificate not found', context, page.url());
  } finally {
    await context.close();
  }
  for (const name of ['verification form', 'authentic certificate', 'certificate not found'] as const) {
    expect(journey.blocking(name), name).toMatchObject({ violations: [] });
  }
  expect(journey.pageProblems).toEqual([]);
});
