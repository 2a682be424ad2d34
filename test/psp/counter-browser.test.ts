// A tobacconist's counter in Chromium: the clerk scans the QR code of a demo notice (the scanner types its
// payload and Enter into the field), reads creditor, purpose, amount and due date, collects by card and gets
// the receipt; the pages are axe-clean and CSP-clean, and the notice is PAID on pagoPA afterwards.
import { describe, expect, it } from 'vitest';
import { DEMO_PSPS } from '../../src/clients/pagopa/demo.ts';
import { noticeQrPayload } from '../../src/domain/pagopa/qr-code.ts';
import { formatNoticeNumber } from '../../src/domain/pagopa/notice-number.ts';
import { browserTestSystem, watchedPage } from '../support/browser.ts';
import { VICOPISANO, gpdOf } from './support.ts';

type AuditedPage = 'counter' | 'notice' | 'receipt' | 'day closing';
const ui = browserTestSystem<AuditedPage>({ apps: ['pagopa', 'psp'] });
const TOBACCONIST = DEMO_PSPS[2];
// A position of the pagoPA demo seed: TARI 2026 in one payment of 182,50 euro.
const DEMO_IUPD = `${VICOPISANO.iupdPrefix}-tari-2026-0002`;

describe('a tobacconist’s counter in the browser', () => {
  it('scans a demo notice, collects it by card and prints the receipt', { timeout: 90_000 }, async () => {
    const position = await gpdOf(ui.system, VICOPISANO).getPosition(DEMO_IUPD);
    const nav = position.paymentOption[0]!.nav;
    const { context, page } = await watchedPage(ui.browser, ui.journey);
    try {
      await page.goto(`${ui.system.urls.psp}/`);
      await page.getByRole('link', { name: /Tabaccheria/ }).click();
      await page.getByRole('heading', { level: 1, name: /Tabaccheria/ }).waitFor();
      await ui.journey.shot(page, 'counter');
      await ui.journey.audit('counter', context, page.url());

      // The handheld scanner types the QR payload into the focused field and presses Enter.
      await page.getByLabel('Codice avviso o codice scansionato').pressSequentially(noticeQrPayload({ noticeNumber: nav, fiscalCode: VICOPISANO.fiscalCode, amountCents: 18_250 }));
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Avviso da incassare' }).waitFor();
      const main = page.getByRole('main');
      await main.getByText(/Comune di Vicopisano/).waitFor();
      await main.getByText('TARI 2026 - rata unica').waitFor();
      await main.getByText(formatNoticeNumber(nav)).waitFor();
      await main.getByText('182,50 €').waitFor();
      await ui.journey.shot(page, 'notice');
      await ui.journey.audit('notice', context, page.url());

      await page.getByLabel('Carta').check({ force: true }); // Bootstrap Italia draws the radio under its label
      await page.getByRole('button', { name: /^Incassa/ }).click();
      await page.getByRole('heading', { level: 1, name: 'Ricevuta di pagamento' }).waitFor();
      await main.getByText('Carta').waitFor();
      await main.getByText(nav.slice(1)).waitFor(); // the IUV
      expect(new URL(page.url()).pathname).toMatch(new RegExp(`^/sportelli/${TOBACCONIST.idPSP}/ricevute/`));
      await ui.journey.shot(page, 'receipt');
      await ui.journey.audit('receipt', context, page.url());
      expect((await gpdOf(ui.system, VICOPISANO).getPosition(DEMO_IUPD)).status).toBe('PAID');

      await page.getByRole('link', { name: 'Chiusura giornata' }).click();
      await page.getByRole('heading', { level: 1, name: 'Chiusura della giornata' }).waitFor();
      await ui.journey.audit('day closing', context, page.url());
      await page.getByRole('button', { name: `Chiudi giornata — ${TOBACCONIST.companyName}` }).click();
      await page.getByText(/1 flussi pubblicati e riversati/).waitFor();
      await ui.journey.shot(page, 'day-closed');
    } finally {
      await context.close();
    }
  });

  it('meets no script error and no CSP violation on the way', () => {
    expect(ui.journey.shots, 'the journey did not start').toBeGreaterThan(0);
    expect(ui.journey.pageProblems).toEqual([]);
  });

  it.each(['counter', 'notice', 'receipt', 'day closing'] as AuditedPage[])('%s has no serious or critical accessibility violations (axe-core)', (name) => {
    const result = ui.journey.blocking(name);
    expect(result, `the journey did not reach the ${name}`).toBeDefined();
    expect(result!.violations, `axe on ${result!.url}`).toEqual([]);
  });
});
