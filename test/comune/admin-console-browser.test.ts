// The tenant admin's console pages in headless Chromium: operators, one operator, the activity log,
// the protocol configuration and a service's settings; axe finds no serious violation, no CSP violation.
import { expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { DEMO_STAFF } from '../../src/comune/seed.ts';
import { browserTestSystem, signInToBackoffice, watchedPage } from '../support/browser.ts';

const BUGLIANO = 'comune-di-bugliano';
type PageName = 'operators' | 'operator' | 'auditLog' | 'protocol' | 'service';
const ui = browserTestSystem<PageName>({ apps: ['comune'], env: { LOGIN_RATE_LIMIT: '1000' } });

it('the console pages are accessible and CSP-clean', async () => {
  const admin = DEMO_STAFF.find((s) => s.tenantSlug === BUGLIANO && s.role === 'tenant_admin')!;
  const operator = DEMO_STAFF.find((s) => s.tenantSlug === BUGLIANO && s.role === 'operator')!;
  const db = ui.system.ctx.database.db;
  const operatorId = (await sql<{ id: string }>`select id from comune.staff_users where email = ${operator.email}`.execute(db)).rows[0]!.id;
  const serviceId = (await sql<{ id: string }>`select s.id from comune.services s join comune.tenants t on t.id = s.tenant_id where t.slug = ${BUGLIANO} limit 1`.execute(db)).rows[0]!.id;
  const { context, page } = await watchedPage(ui.browser, ui.journey);
  const base = `${ui.system.urls.comune}/${BUGLIANO}`;
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
    await ui.journey.audit(name, context, url);
    expect(ui.journey.blocking(name)?.violations, name).toEqual([]);
  }
  // The operator's offices, through the form as a person fills it.
  await page.goto(pages.operator);
  // Bootstrap Italia draws the checkbox on its label, which is what a person clicks.
  await page.locator('label', { hasText: 'Ufficio Tributi e Canone unico' }).click();
  await page.getByRole('button', { name: 'Salva' }).click();
  await page.getByText('Modifiche salvate.').waitFor();
  expect(await page.getByLabel('Ufficio Tributi e Canone unico').isChecked()).toBe(true);
  expect(ui.journey.pageProblems).toEqual([]);
  await context.close();
}, 120_000);
