// A service paid before submission in headless Chromium under the real CSPs: the citizen submits, sees the
// payment page, leaves with "Paga online" for pagoPA Checkout, pays by card, comes back to the comune's return
// page, which refreshes by itself (no script) until the receipt moved the application on. Every comune page
// axe-clean, no CSP violation. Needs Chromium.
import { describe, expect, it } from 'vitest';
import { browserTestSystem, payByCardAtCheckout, signInWithSpid, watchedPage } from '../support/browser.ts';
import { alice, TENANT } from './journey-fixtures.ts';
import { serviceInput } from './catalog-fixtures.ts';
import { TenantRepository } from '../../src/comune/tenants/tenants.ts';
import { ServiceRepository } from '../../src/comune/catalog/services.ts';
import { FormRepository } from '../../src/comune/forms/forms.ts';
import { saveServicePayment } from '../../src/comune/payments/service-payments.ts';
import { STATUS } from '../../src/comune/applications/states.ts';
import { sql } from '../../src/core/db.ts';

type AuditedPage = 'payment' | 'return' | 'my payments';
const ui = browserTestSystem<AuditedPage>({ apps: ['mail', 'identity', 'pagopa', 'comune'], env: { LOGIN_RATE_LIMIT: '1000' } });

describe('paying a service in the browser', () => {
  it('submits, pays on pagoPA Checkout and the application moves on by itself', { timeout: 120_000 }, async () => {
    const db = ui.system.ctx.database.db;
    const tenant = (await new TenantRepository(db).bySlug(TENANT))!;
    const form = await new FormRepository(db).save(tenant.id, { name: 'Diritti', schema: { components: [{ type: 'textfield', key: 'nota', label: 'Nota', validate: { required: true } }] } }, { type: 'system', id: 'test' });
    const service = (await new ServiceRepository(db).create(tenant.id, serviceInput('diritti-browser', 'Diritti di segreteria', { formId: form.id, protocolRequired: false })))!;
    await saveServicePayment(db, tenant.id, service.id, {
      mode: 'immediate',
      amount: { kind: 'fixed', cents: 1650 },
      split: [{ chapter: '3050/1', percent: 100 }],
      installments: null,
      reason: 'Diritti di segreteria',
      dueDays: 30,
    });
    const base = `${ui.system.urls.comune}/${TENANT}`;
    const { context, page } = await watchedPage(ui.browser, ui.journey);
    try {
      await page.goto(`${base}/servizi/diritti-browser/domanda`);
      await signInWithSpid(page, alice);
      await page.waitForURL(/\/domanda\/[0-9a-f-]{36}$/);
      await page.getByLabel('Nota').fill('Certificato di destinazione urbanistica');
      await page.getByRole('button', { name: 'Invia la richiesta' }).click();

      await page.waitForURL(/\/area-personale\/pagamenti\/[0-9a-f-]{36}$/);
      const main = page.locator('main');
      await main.getByRole('heading', { level: 1, name: 'Pagamento: Diritti di segreteria' }).waitFor();
      expect(await main.textContent()).toContain('16,50\u00a0€');
      await ui.journey.shot(page, 'payment');
      await ui.journey.audit('payment', context, page.url());
      const paymentId = page.url().split('/').pop()!;
      const applicationId = (await sql<{ application_id: string }>`select application_id from comune.application_payments where id = ${paymentId}`.execute(db)).rows[0]!.application_id;

      await page.getByRole('button', { name: 'Paga online: Diritti di segreteria' }).click();
      await page.waitForURL(new RegExp(`^${ui.system.urls.pagopa}/checkout/carts/`));
      await payByCardAtCheckout(page, 'Alice Rossi');

      // Back on the comune: the return page waits for the receipt (Refresh) and then says it arrived.
      await page.waitForURL(new RegExp(`/area-personale/pagamenti/${paymentId}/esito`));
      await page.getByText('Pagamento avvenuto con successo').waitFor({ timeout: 30_000 });
      await ui.journey.shot(page, 'return');
      await ui.journey.audit('return', context, page.url());
      const { rows } = await sql<{ status: number }>`select status from comune.applications where id = ${applicationId}`.execute(db);
      expect([STATUS.submitted, STATUS.registered]).toContain(rows[0]!.status);

      await page.goto(`${base}/area-personale/pagamenti`);
      await page.getByRole('heading', { level: 2, name: 'Pagati' }).waitFor();
      expect(await page.locator('main').textContent()).toContain('Diritti di segreteria');
      await ui.journey.audit('my payments', context, page.url());
    } finally {
      await context.close();
    }
    for (const name of ['payment', 'return', 'my payments'] as const) {
      expect(ui.journey.blocking(name)?.violations, name).toEqual([]);
    }
    expect(ui.journey.pageProblems).toEqual([]);
  });
});
