// The application wizard in a real browser (headless Chromium) under the real CSP: login from the
// service's "Compila la domanda", a page refused with its error summary, the drafts and applications
// pages; every page checked with axe-core (no serious or critical issues). Needs Chromium.
import { describe, expect, it } from 'vitest';
import { browserTestSystem, signInWithSpid, watchedPage } from '../support/browser.ts';
import { alice, TENANT } from './journey-fixtures.ts';

type AuditedPage = 'wizard' | 'refused' | 'next-page' | 'drafts' | 'applications';

const ui = browserTestSystem<AuditedPage>({ apps: ['mail', 'identity', 'comune'], env: { LOGIN_RATE_LIMIT: '1000' } });

describe('the application wizard in the browser', () => {
  it('is accessible and works under the CSP', { timeout: 120_000 }, async () => {
    const base = `${ui.system.urls.comune}/${TENANT}`;
    const { context, page } = await watchedPage(ui.browser, ui.journey);
    try {
      await page.goto(`${base}/servizi/occupazione-suolo-pubblico/domanda`);
      await signInWithSpid(page, alice);
      await page.waitForURL(/\/domanda\/[0-9a-f-]{36}$/);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await ui.journey.audit('wizard', context, page.url());

      await page.getByLabel('E-mail').fill('non-valida');
      await page.getByRole('button', { name: 'Avanti' }).click();
      await expect.poll(() => page.locator('[aria-invalid="true"]').count()).toBeGreaterThan(0);
      await ui.journey.shot(page, 'refused');
      await ui.journey.audit('refused', context, page.url());

      await page.goto(`${page.url().split('?')[0]}?pagina=1`);
      await ui.journey.audit('next-page', context, page.url());
      await page.goto(`${base}/area-personale/bozze`);
      await ui.journey.audit('drafts', context, page.url());
      await page.goto(`${base}/area-personale/domande`);
      await ui.journey.audit('applications', context, page.url());
    } finally {
      await context.close();
    }
    for (const name of ['wizard', 'refused', 'next-page', 'drafts', 'applications'] as const) {
      expect(ui.journey.blocking(name)?.violations, name).toEqual([]);
    }
    expect(ui.journey.pageProblems).toEqual([]);
  });
});
