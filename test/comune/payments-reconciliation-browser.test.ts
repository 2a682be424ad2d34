// "Riconciliazione pagamenti" in headless Chromium: the outcome paged (anomalies first) and filtered, and
// "Aggiorna ora" while pagoPA does not answer; axe finds no serious violation, no CSP violation.
import { expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { DEMO_STAFF } from '../../src/comune/seed.ts';
import { saveReconciliation } from '../../src/comune/payments/reconciliation/store.ts';
import type { ReconciliationItem } from '../../src/domain/pagopa/reconciliation.ts';
import { browserTestSystem, signInToBackoffice, watchedPage } from '../support/browser.ts';

const BUGLIANO = 'comune-di-bugliano';
type PageName = 'list' | 'second' | 'anomalies' | 'unavailable';
// pagoPA and the bank are not started: the pull cannot reach them.
const ui = browserTestSystem<PageName>({ apps: ['comune'], env: { LOGIN_RATE_LIMIT: '1000' } });

const item = (n: number, over: Partial<ReconciliationItem>): ReconciliationItem => ({
  iuv: `010000000000${String(n).padStart(5, '0')}`,
  iur: `tok${n}`,
  pspId: 'BDEBITM1XXX',
  amount: 1_000 + n,
  paidAt: new Date(Date.UTC(2026, 10, 1, 8, n)),
  fdr: '2026-11-02BDEBITM1XXX-0000001',
  revision: 1,
  movementId: 'b6b3c1e2-0000-4000-8000-000000000001',
  state: 'reconciled',
  issues: [],
  ...over,
});

it('the reconciliation page is paged in SQL, filtered, accessible and CSP-clean', async () => {
  const admin = DEMO_STAFF.find((s) => s.tenantSlug === BUGLIANO && s.role === 'tenant_admin')!;
  const db = ui.system.ctx.database.db;
  const tenantId = (await sql<{ id: string }>`select id from comune.tenants where slug = ${BUGLIANO}`.execute(db)).rows[0]!.id;
  const items = [
    ...Array.from({ length: 27 }, (_, i) => item(i + 1, {})),
    item(40, { state: 'anomaly', issues: ['row-amount-mismatch'] }),
    item(41, { state: 'anomaly', issues: ['not-reported'], fdr: null, revision: null, movementId: null }),
    item(42, { state: 'paid', fdr: null, revision: null, movementId: null }),
  ];
  await saveReconciliation(db, tenantId, items, { ranAt: new Date('2026-11-03T06:00:00Z'), receipts: 30, flows: 1, movements: 1 });

  const { context, page } = await watchedPage(ui.browser, ui.journey);
  const base = `${ui.system.urls.comune}/${BUGLIANO}`;
  await signInToBackoffice(page, base, admin);
  const reconciliation = `${base}/backoffice/pagamenti/riconciliazione`;

  await page.goto(reconciliation);
  await ui.journey.audit('list', context, reconciliation);
  expect(await page.getByRole('status').first().textContent()).toContain('30 voci');
  const rows = page.locator('tbody tr');
  expect(await rows.count()).toBe(25);
  // What does not match comes first.
  expect(await rows.nth(0).textContent()).toContain('Da verificare');
  expect(await rows.nth(1).textContent()).toContain('Da verificare');
  await page.getByRole('link', { name: 'Pagina 2 di 2' }).click();
  await ui.journey.audit('second', context, page.url());
  expect(await rows.count()).toBe(5);

  await page.goto(reconciliation);
  await page.getByLabel('Cosa non torna').selectOption('not-reported');
  await page.getByRole('button', { name: 'Filtra' }).click();
  await page.waitForURL(/anomalia=not-reported/);
  await ui.journey.audit('anomalies', context, page.url());
  expect(await rows.count()).toBe(1);
  expect(await rows.first().textContent()).toContain('Pagamento non ancora rendicontato dal PSP oltre i termini');

  await page.getByRole('button', { name: 'Aggiorna ora' }).click();
  await page.locator('.alert-danger').waitFor();
  await ui.journey.audit('unavailable', context, page.url());
  expect(await page.locator('.alert-danger').textContent()).toContain('non rispondono');
  // The stored outcome is still there.
  expect(await page.getByRole('status').last().textContent()).toContain('30 voci');

  for (const name of ['list', 'second', 'anomalies', 'unavailable'] as const) expect(ui.journey.blocking(name)?.violations, name).toEqual([]);
  expect(ui.journey.pageProblems).toEqual([]);
  await context.close();
}, 120_000);
