// The protocol register pages in headless Chromium: the paged list, an entry with its annulment form (sent
// empty), an annulled entry, the daily register; axe finds no serious violation, no CSP violation.
import path from 'node:path';
import { expect, it } from 'vitest';
import { sql, transaction } from '../../src/core/db.ts';
import { DEMO_STAFF } from '../../src/comune/seed.ts';
import { diskDocumentStore } from '../../src/comune/protocol/files.ts';
import { annulEntry, registerEntry } from '../../src/comune/protocol/register.ts';
import { browserTestSystem, signInToBackoffice, watchedPage } from '../support/browser.ts';

const BUGLIANO = 'comune-di-bugliano';
type PageName = 'list' | 'entry' | 'annulled' | 'daily';
const ui = browserTestSystem<PageName>({ apps: ['comune'], env: { LOGIN_RATE_LIMIT: '1000' } });

it('the register pages are accessible and CSP-clean', async () => {
  const admin = DEMO_STAFF.find((s) => s.tenantSlug === BUGLIANO && s.role === 'tenant_admin')!;
  const db = ui.system.ctx.database.db;
  const tenantId = (await sql<{ id: string }>`select id from comune.tenants where slug = ${BUGLIANO}`.execute(db)).rows[0]!.id;
  const store = diskDocumentStore(path.join(ui.system.ctx.config.dataDir, 'documents'));
  const ids: string[] = [];
  for (let i = 1; i <= 27; i++) {
    const at = new Date(Date.UTC(2025, 4, 6, 8, i));
    const input = { direction: i % 2 ? 'incoming' : 'outgoing', subject: `Pratica n. ${i}`, correspondent: { name: 'Mario Rossi', fiscalCode: 'RSSMRA85T10A562S' }, classification: 'VI.3', documents: [{ name: `doc-${i}.pdf`, mime: 'application/pdf', data: new TextEncoder().encode(`documento ${i}`) }] } as const;
    ids.push((await transaction(db, (tx) => registerEntry(tx, tenantId, input, { store, now: () => at }))).id);
  }
  await transaction(db, (tx) => annulEntry(tx, tenantId, ids[1]!, { reason: 'Registrata per errore', authorisedBy: 'Provv. 1/2025', actor: { type: 'system', id: 'test' } }));

  const { context, page } = await watchedPage(ui.browser, ui.journey);
  const base = `${ui.system.urls.comune}/${BUGLIANO}`;
  await signInToBackoffice(page, base, admin);
  const register = `${base}/backoffice/protocollo/registro`;
  const pages: Record<PageName, string> = {
    list: `${register}?anno=2025`,
    entry: `${register}/${ids[0]}`,
    annulled: `${register}/${ids[1]}`,
    daily: `${register}/giornaliero?giorno=2025-05-06`,
  };
  for (const [name, url] of Object.entries(pages) as [PageName, string][]) {
    await page.goto(url);
    await ui.journey.audit(name, context, url);
    expect(ui.journey.blocking(name)?.violations, name).toEqual([]);
  }
  // The annulment form sent empty, as a hurried person would: the errors are listed, nothing annulled.
  await page.goto(pages.entry);
  await page.getByRole('button', { name: 'Annulla la registrazione' }).click();
  await page.locator('#error-summary').waitFor();
  expect(await page.locator('#field-reason').getAttribute('aria-invalid')).toBe('true');
  expect((await sql`select 1 from comune.protocol_annulments where entry_id = ${ids[0]!}`.execute(db)).rows).toHaveLength(0);
  expect(ui.journey.pageProblems).toEqual([]);
  await context.close();
}, 120_000);
