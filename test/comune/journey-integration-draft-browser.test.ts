// The answer in draft and the end-of-service question in headless Chromium under the real CSP: the answer
// saved with a document, resumed from "Le mie bozze", the document removed, then sent; the receipt's
// "Quanto è stato facile usare questo servizio?" answered in place. Every page checked with axe-core.
import { describe, expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { ApplicationStore } from '../../src/comune/applications/store.ts';
import { STATUS } from '../../src/comune/applications/states.ts';
import { memoryDocumentStore } from '../../src/comune/protocol/files.ts';
import { browserTestSystem, signInWithSpid, watchedPage } from '../support/browser.ts';
import { submitApplication } from './desk-fixtures.ts';
import { alice, TENANT } from './journey-fixtures.ts';

type AuditedPage = 'answer-draft' | 'drafts' | 'answer-sent' | 'receipt-rating';
const SERVICE = 'occupazione-suolo-pubblico';

const ui = browserTestSystem<AuditedPage>({ apps: ['mail', 'identity', 'comune'], env: { LOGIN_RATE_LIMIT: '1000' } });

describe('the answer in draft and the end-of-service question in the browser', () => {
  it('are accessible and work under the CSP', { timeout: 120_000 }, async () => {
    const db = ui.system.ctx.database.db;
    const { rows } = await sql<{ tenant_id: string; id: string; name: string }>`
      select s.tenant_id, s.id, s.content->'it'->>'name' as name from comune.services s join comune.tenants t on t.id = s.tenant_id where t.slug = ${TENANT} and s.slug = ${SERVICE}`.execute(db);
    const { tenant_id: tenantId, id, name } = rows[0]!;
    const staff = await sql<{ id: string }>`select id from comune.staff_users where tenant_id = ${tenantId} and role = 'operator' limit 1`.execute(db);
    const operator = { kind: 'operator', tenantId, id: staff.rows[0]!.id } as const;
    const app = await submitApplication(db, memoryDocumentStore(), tenantId, { id, name }, { fiscalCode: alice.fiscalCode, name: 'Alice' });
    const store = new ApplicationStore(db, memoryDocumentStore());
    await store.transition(operator, app.id, STATUS.pending);
    await store.transition(operator, app.id, STATUS.requestIntegration, 'Allegare la planimetria firmata.');

    const base = `${ui.system.urls.comune}/${TENANT}`;
    const receipt = `${base}/area-personale/domande/${app.id}`;
    const { context, page } = await watchedPage(ui.browser, ui.journey);
    try {
      await page.goto(receipt);
      await signInWithSpid(page, alice);
      await page.waitForURL(receipt);
      await page.getByLabel('La tua risposta').fill('Allego la planimetria, completo domani.');
      await page.getByLabel('Documento da allegare (facoltativo)').setInputFiles({ name: 'planimetria.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% plan\n%%EOF\n') });
      await page.getByRole('button', { name: 'Salva la bozza' }).click();
      await page.getByText('La tua risposta è stata salvata in bozza').waitFor();
      await ui.journey.audit('answer-draft', context, page.url());

      await page.goto(`${base}/area-personale/bozze`);
      await ui.journey.audit('drafts', context, page.url());
      await page.getByRole('link', { name: `Riprendi l’integrazione di ${name}` }).click();
      await expect.poll(() => page.getByLabel('La tua risposta').inputValue()).toBe('Allego la planimetria, completo domani.');
      await page.getByRole('button', { name: 'Rimuovi planimetria.pdf' }).click();
      await page.getByText('Il documento è stato tolto dalla risposta in bozza.').waitFor();
      await page.getByLabel('La tua risposta').fill('Ecco la risposta definitiva, senza allegati.');
      await page.getByRole('button', { name: 'Invia l’integrazione' }).click();
      await page.getByText('La tua integrazione è stata inviata all’ufficio.').waitFor();
      await ui.journey.audit('answer-sent', context, page.url());
      expect((await store.get(operator, app.id)).status).not.toBe(STATUS.draftForIntegration);

      await page.goto(`${receipt}?inviata=1`);
      await page.getByRole('heading', { name: 'Quanto è stato facile usare questo servizio?' }).waitFor();
      await ui.journey.audit('receipt-rating', context, page.url());
      await page.locator('label[for="feedback-star-5"]').click();
      await page.locator('label[for="feedback-positive-onTrack"]').click();
      await page.getByRole('button', { name: 'Invia la valutazione' }).click();
      await page.getByText('Grazie, il tuo parere ci aiuterà a migliorare il servizio!').waitFor();
      const ratings = await sql<{ stars: number; reason: string }>`select stars, reason from comune.page_ratings where tenant_id = ${tenantId} and page = ${`servizi/${SERVICE}/domanda`}`.execute(db);
      expect(ratings.rows).toEqual([{ stars: 5, reason: 'onTrack' }]);
    } finally {
      await context.close();
    }
    for (const audited of ['answer-draft', 'drafts', 'answer-sent', 'receipt-rating'] as const) {
      expect(ui.journey.blocking(audited)?.violations, audited).toEqual([]);
    }
    expect(ui.journey.pageProblems).toEqual([]);
  });
});
