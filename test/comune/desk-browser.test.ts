// The desk's pages in headless Chromium: an operator signs in and goes list (paginated) → detail → dashboard (two charts);
// axe finds no serious violation, and the pages meet no CSP violation (the chart is plain SVG).
import path from 'node:path';
import { expect, it } from 'vitest';
import { TenantRepository } from '../../src/comune/tenants/tenants.ts';
import { diskDocumentStore } from '../../src/comune/protocol/files.ts';
import { browserTestSystem, signInToBackoffice, watchedPage } from '../support/browser.ts';
import { DeskStore } from '../../src/comune/desk/store.ts';
import { DESK_PASSWORD, seedDesk, serviceRef, submitApplication } from './desk-fixtures.ts';

const BUGLIANO = 'comune-di-bugliano';
const ui = browserTestSystem<'list' | 'detail' | 'dashboard'>({ apps: ['comune'], env: { LOGIN_RATE_LIMIT: '1000' } });

it('list, detail and dashboard are accessible and CSP-clean', async () => {
  const db = ui.system.ctx.database.db;
  const tenantId = (await new TenantRepository(db).bySlug(BUGLIANO))!.id;
  const ente = await seedDesk(db, tenantId);
  const documents = diskDocumentStore(path.join(ui.system.ctx.config.dataDir, 'documents'));
  const citizen = { fiscalCode: 'BNCNNA85M41G702X', name: 'Anna Bianchi' };
  const app = await submitApplication(db, documents, tenantId, serviceRef(ente.serviceA), citizen);
  // More than a page of 10, one closed: the pagination and the time-to-close chart are on the pages.
  for (let i = 0; i < 10; i++) await submitApplication(db, documents, tenantId, serviceRef(ente.serviceA), citizen, { now: () => new Date(Date.now() - (i + 1) * 86_400_000) });
  const closed = await submitApplication(db, documents, tenantId, serviceRef(ente.serviceA), citizen, { now: () => new Date(Date.now() - 40 * 86_400_000) });
  const desk = new DeskStore(db, documents);
  await desk.takeInCharge(ente.users.carla, closed.id);
  await desk.decide(ente.users.carla, closed.id, { outcome: 'rejected', motivation: 'Fuori termine.' });
  const { context, page } = await watchedPage(ui.browser, ui.journey);
  const base = `${ui.system.urls.comune}/${BUGLIANO}`;
  await signInToBackoffice(page, base, { email: ente.people.anna.email, password: DESK_PASSWORD });
  const pages = { list: `${base}/backoffice/pratiche?dimensione=10&ordina=scadenza`, detail: `${base}/backoffice/pratiche/${app.id}`, dashboard: `${base}/backoffice/pratiche/cruscotto` } as const;
  for (const [name, url] of Object.entries(pages) as [keyof typeof pages, string][]) {
    await page.goto(url);
    await ui.journey.audit(name, context, url);
    expect(ui.journey.blocking(name)?.violations, name).toEqual([]);
  }
  await page.goto(pages.list);
  expect(await page.getByRole('navigation', { name: 'Pagine dei risultati' }).getByRole('link', { name: 'Pagina 2 di 2' }).count()).toBe(1);
  await page.goto(pages.dashboard);
  expect(await page.getByRole('img', { name: 'Grafico del tempo medio di chiusura per servizio, in giorni' }).count()).toBe(1);
  await page.goto(pages.detail);
  await page.getByRole('button', { name: 'Prendi in carico' }).click();
  await page.getByText('Pratica presa in carico.').waitFor();
  expect(ui.journey.pageProblems).toEqual([]);
  await context.close();
}, 120_000);
