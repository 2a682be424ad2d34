// The tenant admin's console pages in headless Chromium: operators, one operator, the activity log,
// the protocol configuration and a service's settings; axe finds no serious violation, no CSP violation.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { sql } from '../../src/core/db.ts';
import { DEMO_STAFF } from '../../src/comune/seed.ts';
import { Journey, launchBrowser, signInToBackoffice, watchedPage } from '../support/browser.ts';
import { startSystem, type TestSystem } from '../support/system.ts';

const BUGLIANO = 'comune-di-bugliano';
type PageName = 'operators' | 'operator' | 'auditLog' | 'protocol' | 'service';
let system: TestSystem;
let browser: Browser;
let journey: Journey<PageName>;

beforeAll(async () => {
  browser = await launchBrowser();
  journey = new Journey(browser);
  system = await startSystem({ apps: ['comune'], env: { LOGIN_RATE_LIMIT: '1000' } });
});
afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

it('the console pages are accessible and CSP-clean', async () => {
  const admin = DEMO_STAFF.find((s) => s.tenantSlug === BUGLIANO && s.role === 'tenant_admin')!;
  const operator = DEMO_STAFF.find((s) => s.tenantSlug === BUGLIANO && s.role === 'operator')!;
  const db = system.ctx.database.db;
  const operatorId = (await sql<{ id: string }>`select id from comune.staff_users where email = ${operator.email}`.execute(db)).rows[0]!.id;
  const serviceId = (await sql<{ id: string }>`select s.id from comune.services s join comune.tenants t on t.id = s.tenant_id where t.slug = ${BUGLIANO} limit 1`.execute(db)).rows[0]!.id;
  const { context, page } = await watchedPage(browser, journey);
  const base = `${system.urls.comune}/${BUGLIANO}`;
  await signInToBackoffice(page, base, admin);
  const pages: Record<PageName, string> = {
    operators: `${base}/backoffice/operatori`,
    operator: `${base}/backoffice/operatori/${operatorId}`,
    auditLog: `${base}/backoffice/registro-attivita`,
    protocol: `${base}/backoffice/protocollo`,
    service: `${base}/backoffice/servizi/${serviceId}`,
  };
  for (const [name, url] of Object.entries(pages) as [PageName, string][]) {
    await page.goto(url);
    await journey.audit(name, context, url);
    expect(journey.blocking(name)?.violations, name).toEqual([]);
  }
  // The operator's offices, through the form as a person fills it.
  await page.goto(pages.operator);
  // Bootstrap Italia draws the checkbox on its label, which is what a person clicks.
  await page.locator('label', { hasText: 'Ufficio Tributi e Canone unico' }).click();
  await page.getByRole('button', { name: 'Salva' }).click();
  await page.getByText('Modifiche salvate.').waitFor();
  expect(await page.getByLabel('Ufficio Tributi e Canone unico').isChecked()).toBe(true);
  expect(journey.pageProblems).toEqual([]);
  await context.close();
}, 120_000);
