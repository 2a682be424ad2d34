// The pagoPA consoles in headless Chromium: Marco signs in with SPID on "I miei pagamenti" and finds his demo
// TARI of Vicopisano with its notice; Bugliano's staff sign in with TOTP, search a notice number (a mistyped one
// first: the reason beside the field) and open its position. Each page axe-clean, no CSP violation. Needs Chromium.
import { describe, expect, it } from 'vitest';
import { formatNoticeNumber } from '../../src/domain/pagopa/notice-number.ts';
import { DEMO_CREDITOR_INSTITUTIONS } from '../../src/clients/pagopa/demo.ts';
import { institutionByFiscalCode } from '../../src/platforms/pagopa/institutions.ts';
import { getPosition } from '../../src/platforms/pagopa/positions.ts';
import { DEMO_STAFF } from '../../src/platforms/pagopa/web/accounts.ts';
import { identityDemoUsers } from '../../src/platforms/identity/users.ts';
import { browserTestSystem, signInWithSpid, watchedPage } from '../support/browser.ts';
import { fillStaffLogin } from '../support/staff-login.ts';

type AuditedPage = 'citizen login' | 'my payments' | 'backoffice login' | 'positions' | 'malformed notice' | 'position' | 'receipts' | 'flows';
const [BUGLIANO, VICOPISANO] = DEMO_CREDITOR_INSTITUTIONS;
const MARCO = identityDemoUsers().find((u) => u.fiscalCode === 'BNCMRC78C14G702E')!;
const ui = browserTestSystem<AuditedPage>({ apps: ['identity', 'pagopa'], database: 'postgres', env: { LOG_LEVEL: 'error' } });

const navOf = async (fiscalCode: string, iupd: string) => {
  const db = ui.system.ctx.database.db;
  return (await getPosition(db, (await institutionByFiscalCode(db, fiscalCode))!, iupd)).paymentOption[0]!.nav;
};

describe('the pagoPA consoles in the browser', () => {
  it('a citizen signs in with SPID and sees the TARI to pay, with its notice', { timeout: 120_000 }, async () => {
    const { context, page } = await watchedPage(ui.browser, ui.journey);
    const base = ui.system.urls.pagopa;
    try {
      await page.goto(`${base}/pagamenti`);
      await page.waitForURL(`${base}/pagamenti/accedi`);
      await ui.journey.audit('citizen login', context, page.url());
      await signInWithSpid(page, MARCO);
      await page.waitForURL(`${base}/pagamenti`);
      const main = page.getByRole('main');
      await main.getByRole('heading', { level: 1, name: 'I miei pagamenti' }).waitFor();
      const toPay = main.getByRole('region', { name: 'Da pagare' });
      const nav = formatNoticeNumber(await navOf(VICOPISANO.fiscalCode, 'vic-tari-2026-0001'));
      // Bugliano's TARI has the same notice number (both stations count from 1): the institution tells them apart.
      const row = toPay.getByRole('row').filter({ hasText: nav }).filter({ hasText: VICOPISANO.companyName });
      await row.getByText('TARI 2026 - rata unica').waitFor();
      expect(await row.textContent()).toContain('246,00');
      expect(await row.getByRole('link', { name: `Scarica l’avviso ${nav} di ${VICOPISANO.companyName} (PDF)` }).getAttribute('href')).toBe(`/pagamenti/avvisi/${VICOPISANO.fiscalCode}/vic-tari-2026-0001`);
      await row.getByRole('button', { name: `Paga l’avviso ${nav} di ${VICOPISANO.companyName}` }).waitFor();
      expect(await main.getByRole('region', { name: 'Pagati' }).textContent()).toContain('Non ci sono ricevute');
      await ui.journey.shot(page, 'my-payments');
      await ui.journey.audit('my payments', context, page.url());
    } finally {
      await context.close();
    }
    for (const name of ['citizen login', 'my payments'] as const) expect(ui.journey.blocking(name)?.violations, name).toEqual([]);
    expect(ui.journey.pageProblems).toEqual([]);
  });

  it('an institution’s staff member searches a notice number and opens its position', { timeout: 120_000 }, async () => {
    const { context, page } = await watchedPage(ui.browser, ui.journey);
    const base = ui.system.urls.pagopa;
    const staff = DEMO_STAFF[0];
    const nav = await navOf(BUGLIANO.fiscalCode, 'bug-tari-2026-0002');
    try {
      await page.goto(`${base}/backoffice/accedi`);
      await ui.journey.audit('backoffice login', context, page.url());
      await fillStaffLogin(page, staff);
      await page.waitForURL(`${base}/backoffice`);
      await page.getByRole('link', { name: BUGLIANO.companyName }).click();
      await page.getByRole('heading', { level: 1, name: `Posizioni debitorie — ${BUGLIANO.companyName}` }).waitFor();
      await ui.journey.audit('positions', context, page.url());

      // One digit mistyped: the check digits say so, next to the field.
      const mistyped = `${nav.slice(0, 10)}${(Number(nav[10]) + 1) % 10}${nav.slice(11)}`;
      await page.getByLabel('Numero avviso').fill(formatNoticeNumber(mistyped));
      await page.getByRole('button', { name: 'Cerca' }).click();
      await expect.poll(() => page.locator('#field-avviso-error').textContent()).toContain('le ultime due cifre (di controllo) non corrispondono');
      expect(await page.getByLabel('Numero avviso').getAttribute('aria-invalid')).toBe('true');
      await ui.journey.shot(page, 'malformed-notice');
      await ui.journey.audit('malformed notice', context, page.url());

      await page.getByLabel('Numero avviso').fill(formatNoticeNumber(nav));
      await page.getByRole('button', { name: 'Cerca' }).click();
      await page.getByRole('heading', { level: 1, name: 'Posizione bug-tari-2026-0002' }).waitFor();
      expect(await page.getByRole('main').textContent()).toContain('Giulia Romano');
      await page.getByRole('link', { name: 'Scarica l’avviso di pagamento (PDF)' }).waitFor();
      await ui.journey.shot(page, 'position');
      await ui.journey.audit('position', context, page.url());
      await page.getByRole('link', { name: 'Ricevute', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: `Ricevute — ${BUGLIANO.companyName}` }).waitFor();
      await ui.journey.audit('receipts', context, page.url());
      await page.getByRole('link', { name: 'Flussi di rendicontazione' }).click();
      await page.getByRole('heading', { level: 1, name: `Flussi di rendicontazione — ${BUGLIANO.companyName}` }).waitFor();
      await ui.journey.audit('flows', context, page.url());
    } finally {
      await context.close();
    }
    for (const name of ['backoffice login', 'positions', 'malformed notice', 'position', 'receipts', 'flows'] as const) expect(ui.journey.blocking(name)?.violations, name).toEqual([]);
    expect(ui.journey.pageProblems).toEqual([]);
  });
});
