// A citizen in a real browser (headless Chromium driven by playwright-core): comune home → "Accedi
// all'area personale" → "Entra con SPID" → identity provider (password, TOTP, consent) → personal
// area in Italian → English → log out at the comune and at the IdP → back on the comune home.
// Pages are found by role and label, as assistive technology finds them, and the comune home, the
// IdP login page and the personal area are checked with axe-core (no serious or critical issues).
// Needs Chromium at /usr/bin/chromium (Debian package `chromium`) or at $CHROMIUM_PATH.
import { describe, expect, it } from 'vitest';
import { totpCode } from '../../src/core/auth/totp.ts';
import { identityDemoUsers } from '../../src/platforms/identity/users.ts';
import { browserTestSystem, Journey } from '../support/browser.ts';

const TENANT = 'comune-di-bugliano';
const user = identityDemoUsers()[0]!;

type AuditedPage = 'comune home' | 'identity provider login' | 'personal area';

const ui = browserTestSystem<AuditedPage>({ apps: ['identity', 'comune'] });

const shot: Journey<AuditedPage>['shot'] = (page, name) => ui.journey.shot(page, name);
const audit: Journey<AuditedPage>['audit'] = (name, context, url) => ui.journey.audit(name, context, url);

describe('a citizen in the browser', () => {
  it('logs in with SPID L2, reads the personal area in Italian and English, and logs out', { timeout: 90_000 }, async () => {
    const citizen = await ui.browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 900 } });
    const page = await citizen.newPage();
    ui.journey.watch(page);
    const comune = new URL(ui.system.urls.comune).origin;
    const identity = new URL(ui.system.urls.identity).origin;

    try {
      // The comune home, in Italian.
      await page.goto(`${ui.system.urls.comune}/${TENANT}/`);
      await expect.poll(() => page.title()).toContain('Bugliano');
      await shot(page, 'comune-home');
      await audit('comune home', citizen, page.url());

      // "Accedi all'area personale" in the header, then the SPID button and its list of IdPs.
      await page.getByRole('banner').getByRole('link', { name: "Accedi all'area personale" }).click();
      await page.waitForURL(`${comune}/${TENANT}/accedi`);
      const spidButton = page.getByRole('button', { name: 'Entra con SPID' });
      await spidButton.click();
      await expect.poll(() => spidButton.getAttribute('aria-expanded')).toBe('true');
      await shot(page, 'spid-idp-list');
      await page.getByRole('link', { name: 'Sportello ID (demo)' }).click();

      // The identity provider: username and password, then the TOTP, then consent.
      await page.waitForURL((url) => url.origin === identity && url.pathname.startsWith('/interaction/'));
      await page.getByRole('heading', { level: 1, name: 'Entra con SPID' }).waitFor();
      await shot(page, 'idp-login');
      await audit('identity provider login', citizen, page.url());
      await page.getByLabel('Nome utente').fill(user.username);
      await page.getByLabel('Password', { exact: true }).fill(user.password);
      await page.getByRole('button', { name: 'Entra', exact: true }).click();

      await page.getByRole('heading', { level: 1, name: 'Secondo fattore di autenticazione' }).waitFor();
      await page.getByLabel('Codice temporaneo (OTP)').fill(totpCode(user.totpSecret));
      await shot(page, 'idp-otp');
      await page.getByRole('button', { name: 'Verifica il codice' }).click();

      await page.getByRole('heading', { level: 1, name: 'Autorizza la condivisione dei dati' }).waitFor();
      await shot(page, 'idp-consent');
      await page.getByRole('button', { name: 'Acconsento', exact: true }).click();

      // The personal area, in Italian, with the identity data from SPID.
      await page.waitForURL(`${comune}/${TENANT}/area-personale`);
      const main = page.getByRole('main');
      await main.getByRole('heading', { level: 1, name: `Ciao, ${user.givenName}` }).waitFor();
      await main.getByText(user.fiscalCode, { exact: true }).waitFor();
      await shot(page, 'area-it');
      await audit('personal area', citizen, page.url());

      // The language links in the header: EN (hreflang="en").
      const english = page.getByRole('banner').getByRole('navigation', { name: 'Lingua' }).getByRole('link', { name: 'English' });
      expect(await english.getAttribute('hreflang')).toBe('en');
      expect(await english.getByText('EN', { exact: true }).isVisible()).toBe(true);
      await english.click();
      await page.waitForURL((url) => url.pathname === `/${TENANT}/area-personale` && url.searchParams.get('lang') === 'en');
      await main.getByRole('heading', { level: 1, name: `Hello, ${user.givenName}` }).waitFor();
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
      expect(await page.getByRole('banner').getByRole('navigation', { name: 'Language' }).getByRole('link', { name: 'English' }).getAttribute('aria-current')).toBe('true');
      await shot(page, 'area-en');

      // Log out at the comune, confirm at the identity provider (in English too), land on the comune home.
      await main.getByRole('button', { name: 'Log out' }).click();
      await page.waitForURL((url) => url.origin === identity && url.pathname.endsWith('/session/end'));
      await page.getByRole('heading', { level: 1, name: 'Do you want to log out?' }).waitFor();
      await shot(page, 'idp-logout');
      await page.getByRole('button', { name: 'Yes, log out' }).click();
      await page.waitForURL(`${comune}/${TENANT}/`);
      await page.getByRole('banner').getByRole('link', { name: 'Log in to your personal area' }).waitFor();
      await shot(page, 'comune-home-after-logout');

      // The comune session is gone: the personal area asks to log in again.
      await page.goto(`${ui.system.urls.comune}/${TENANT}/area-personale`);
      expect(new URL(page.url()).pathname).toBe(`/${TENANT}/accedi`);
    } finally {
      await citizen.close();
    }
  });

  it('meets no script error and no CSP violation on the way', () => {
    expect(ui.journey.shots, 'the journey did not start').toBeGreaterThan(0);
    expect(ui.journey.pageProblems).toEqual([]);
  });

  const audited: AuditedPage[] = ['comune home', 'identity provider login', 'personal area'];
  it.each(audited)('%s has no serious or critical accessibility violations (axe-core)', (name) => {
    const result = ui.journey.blocking(name);
    expect(result, `the journey did not reach the ${name}`).toBeDefined();
    expect(result!.violations, `axe on ${result!.url}`).toEqual([]);
  });
});
