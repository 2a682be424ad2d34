// The IO app in headless Chromium: Marco (a demo profile) signs in with SPID, finds a message in his inbox, opens
// it (read: the unread mark goes), then turns a service off on its card. Each page axe-clean, no CSP violation (the
// service worker is registered by an external script). Needs Chromium.
import { describe, expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { ulid } from '../../src/core/ulid.ts';
import { identityDemoUsers } from '../../src/platforms/identity/users.ts';
import { createOrganization, createService } from '../../src/platforms/io/services/store.ts';
import { browserTestSystem, signInWithSpid, watchedPage } from '../support/browser.ts';

type AuditedPage = 'login' | 'inbox' | 'message' | 'services' | 'service' | 'profile';
const MARCO = identityDemoUsers().find((u) => u.fiscalCode === 'BNCMRC78C14G702E')!;
const ui = browserTestSystem<AuditedPage>({ apps: ['identity', 'io'], database: 'postgres', env: { LOG_LEVEL: 'error' } });

describe('the IO app in the browser', () => {
  it('a citizen signs in, reads a message and turns a service off', { timeout: 120_000 }, async () => {
    const db = ui.system.ctx.database.db;
    await createOrganization(db, { fiscalCode: '09999999992', name: 'Comune di Esempio' });
    const service = await createService(db, ui.system.ctx.secret, {
      organizationFiscalCode: '09999999992',
      serviceName: 'Servizi demografici',
      departmentName: 'Anagrafe',
      isVisible: true,
      isTestMode: false,
      metadata: { scope: 'LOCAL', description: 'Certificati e cambi di residenza.', email: 'anagrafe@esempio.example.it' },
    });
    const id = ulid();
    const content = { subject: 'La tua carta d’identità è pronta', markdown: 'Puoi ritirare la **carta d’identità elettronica** allo sportello anagrafe, dal lunedì al venerdì dalle 9 alle 12.' };
    await sql`insert into io.messages (id, fiscal_code, sender_service_id, time_to_live, content, status, processed_at)
      values (${id}, ${MARCO.fiscalCode}, ${service.serviceId}, 3600, ${JSON.stringify(content)}::jsonb, 'PROCESSED', now())`.execute(db);

    const { context, page } = await watchedPage(ui.browser, ui.journey);
    const base = ui.system.urls.io;
    try {
      await page.goto(`${base}/app/messaggi`);
      await page.waitForURL(`${base}/app/accedi`);
      await ui.journey.audit('login', context, page.url());
      await signInWithSpid(page, MARCO);
      await page.waitForURL(`${base}/app/messaggi`);
      const main = page.getByRole('main');
      await main.getByRole('heading', { level: 1, name: 'Messaggi' }).waitFor();
      const item = main.getByRole('link', { name: /La tua carta d’identità è pronta/ });
      expect(await item.textContent()).toContain('Non letto');
      await ui.journey.shot(page, 'inbox');
      await ui.journey.audit('inbox', context, page.url());

      await item.click();
      await page.waitForURL(`${base}/app/messaggi/${id}`);
      await main.getByRole('heading', { level: 1, name: 'La tua carta d’identità è pronta' }).waitFor();
      expect(await main.locator('strong').filter({ hasText: 'carta d’identità elettronica' }).count()).toBe(1);
      await ui.journey.shot(page, 'message');
      await ui.journey.audit('message', context, page.url());
      await page.getByRole('navigation', { name: 'Sezioni dell’app' }).getByRole('link', { name: 'Messaggi' }).click();
      await page.waitForURL(`${base}/app/messaggi`);
      expect(await main.getByRole('link', { name: /La tua carta d’identità è pronta/ }).textContent()).not.toContain('Non letto');

      await page.getByRole('navigation', { name: 'Sezioni dell’app' }).getByRole('link', { name: 'Servizi' }).click();
      await page.waitForURL(`${base}/app/servizi`);
      await ui.journey.audit('services', context, page.url());
      await main.getByRole('link', { name: 'Servizi demografici' }).click();
      await page.waitForURL(`${base}/app/servizi/${service.serviceId}`);
      await ui.journey.audit('service', context, page.url());
      const inbox = main.getByRole('checkbox', { name: 'Ricevi messaggi' });
      expect(await inbox.isChecked()).toBe(true);
      // The switch's lever is what a person clicks: the label holding it.
      await main.locator('label[for=toggle-inbox]').click();
      expect(await inbox.isChecked()).toBe(false);
      await main.getByRole('button', { name: 'Salva le preferenze' }).click();
      await main.getByText('Preferenze salvate.').waitFor();
      expect(await main.getByRole('checkbox', { name: 'Ricevi messaggi' }).isChecked()).toBe(false);
      await ui.journey.shot(page, 'service-off');

      await page.getByRole('navigation', { name: 'Sezioni dell’app' }).getByRole('link', { name: 'Profilo' }).click();
      await page.waitForURL(`${base}/app/profilo`);
      await main.getByRole('button', { name: 'Attiva le notifiche su questo browser' }).waitFor();
      await ui.journey.audit('profile', context, page.url());
    } finally {
      await context.close();
    }
    const { rows } = await sql<{ is_inbox_enabled: boolean }>`select is_inbox_enabled from io.service_preferences where fiscal_code = ${MARCO.fiscalCode} and service_id = ${service.serviceId}`.execute(db);
    expect(rows).toEqual([{ is_inbox_enabled: false }]);
    for (const name of ['login', 'inbox', 'message', 'services', 'service', 'profile'] as const) expect(ui.journey.blocking(name)?.violations, name).toEqual([]);
    expect(ui.journey.pageProblems).toEqual([]);
  });
});
