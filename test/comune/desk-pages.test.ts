// The desk's list over HTTP: pages (size, links, total, accessible pagination), the overdue and due-within
// filters and the order by due date, the CSV of the whole filtered set; the form's files in the detail
// (name, size, SHA-256, a download only for who may read the application); the dashboard's charts and tables.
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { diskDocumentStore } from '../../src/comune/protocol/files.ts';
import { FormRepository } from '../../src/comune/forms/forms.ts';
import { LocalFileStore } from '../../src/comune/forms/files.ts';
import { DeskStore } from '../../src/comune/desk/store.ts';
import { TenantRepository } from '../../src/comune/tenants/tenants.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient } from '../support/web-client.ts';
import { DESK_PASSWORD, seedDesk, serviceRef, submitApplication } from './desk-fixtures.ts';

const BUGLIANO = 'comune-di-bugliano';
const OTHER = 'comune-di-vicopisano-demo';
const CITIZEN = { fiscalCode: 'BNCNNA85M41G702X', name: 'Anna Bianchi' };
const DAY = 86_400_000;
let system: TestSystem;
let tenantId: string;
let ente: Awaited<ReturnType<typeof seedDesk>>;
let other: Awaited<ReturnType<typeof seedDesk>>;

beforeAll(async () => {
  system = await startSystem({ apps: ['comune'], env: { LOGIN_RATE_LIMIT: '1000' } });
  const db = system.ctx.database.db;
  const tenants = new TenantRepository(db);
  tenantId = (await tenants.bySlug(BUGLIANO))!.id;
  ente = await seedDesk(db, tenantId);
  other = await seedDesk(db, (await tenants.bySlug(OTHER))!.id);
});
afterAll(() => system?.stop());

const documents = () => diskDocumentStore(path.join(system.ctx.config.dataDir, 'documents'));
const desk = (slug = BUGLIANO) => `${system.urls.comune}/${slug}/backoffice/pratiche`;
const listed = (html: string) => [...html.matchAll(/href="\/[^"]+\/backoffice\/pratiche\/([0-9a-f-]{36})"/g)].map((m) => m[1]!);

async function login(email: string, slug = BUGLIANO): Promise<WebClient> {
  const client = new WebClient();
  const form = await client.visit(`${system.urls.comune}/${slug}/backoffice/accedi`);
  expect((await client.submit(form, `/${slug}/backoffice/accedi`, { email, password: DESK_PASSWORD })).status).toBe(200);
  return client;
}

it('pages the list with accessible links, filters overdue and due within N days, orders by due date, exports every match', async () => {
  const db = system.ctx.database.db;
  const old = await submitApplication(db, documents(), tenantId, serviceRef(ente.serviceA), CITIZEN, { now: () => new Date(Date.now() - 60 * DAY) });
  const recent = [];
  for (let i = 0; i < 11; i++) recent.push(await submitApplication(db, documents(), tenantId, serviceRef(ente.serviceA), CITIZEN, { now: () => new Date(Date.now() - i * 60_000) }));
  const anna = await login(ente.people.anna.email);

  const first = await anna.visit(`${desk()}?dimensione=10`);
  expect(first.status).toBe(200);
  expect(first.html).toContain('Pratiche trovate: 12');
  expect(first.html).toContain('mostrate da 1 a 10 di 12');
  expect(first.html).toMatch(/<nav class="pagination-wrapper" aria-label="Pagine dei risultati"><ul class="pagination">/);
  expect(first.html).toMatch(/<li class="page-item active"><a class="page-link" href="[^"]*pagina=1[^"]*" aria-current="page">/);
  expect(first.html).toContain('<li class="page-item disabled"><span class="page-link">Precedente</span></li>');
  const next = /<a class="page-link" href="([^"]+)" rel="next">Successiva<\/a>/.exec(first.html)?.[1]?.replaceAll('&amp;', '&');
  expect(next).toContain('pagina=2');
  expect(next).toContain('dimensione=10');
  const second = await anna.visit(new URL(next!, first.url));
  expect(second.html).toContain('mostrate da 11 a 12 di 12');
  expect(second.html).toMatch(/rel="prev">Precedente<\/a>/);
  expect([...listed(first.html), ...listed(second.html)].sort()).toEqual([old, ...recent].map((a) => a.id).sort());
  // A page past the end shows the last one.
  expect(listed((await anna.visit(`${desk()}?dimensione=10&pagina=9`)).html)).toEqual(listed(second.html));

  expect(listed((await anna.visit(`${desk()}?scadute=1`)).html)).toEqual([old.id]);
  expect(listed((await anna.visit(`${desk()}?ordina=scadenza&dimensione=10`)).html)[0]).toBe(old.id);
  expect(listed((await anna.visit(`${desk()}?ordina=presentazione&dimensione=10`)).html)[0]).toBe(recent[0]!.id);
  const dueSoon = listed((await anna.visit(`${desk()}?entro=31&dimensione=25`)).html);
  expect(dueSoon.sort()).toEqual(recent.map((a) => a.id).sort());
  expect((await anna.visit(`${desk()}?entro=366`)).status).toBe(400);
  expect((await anna.visit(`${desk()}?dimensione=7`)).status).toBe(400);
  expect((await anna.visit(`${desk()}?ordina=caso`)).status).toBe(400);

  // The export link carries the filters, not the page; the CSV holds every match, however many pages.
  const exportHref = /href="([^"]*export\.csv[^"]*)"/.exec(second.html)![1]!.replaceAll('&amp;', '&');
  expect(exportHref).not.toContain('pagina');
  const csv = (await (await anna.request(new URL(exportHref, second.url))).text()).slice(1).split('\r\n');
  expect(csv[0]).toMatch(/,Scadenza,Termine sospeso$/);
  expect(csv.slice(1, -1).map((line) => line.split(',')[0]).sort()).toEqual([old, ...recent].map((a) => a.id).sort());
  const overdueCsv = (await (await anna.request(`${desk()}/export.csv?scadute=1&pagina=2`)).text()).split('\r\n');
  expect(overdueCsv).toHaveLength(3);
  expect(overdueCsv[1]).toMatch(new RegExp(`^${old.id},.*,\\d{4}-\\d{2}-\\d{2},no$`));
  const bruno = await login(ente.people.bruno.email);
  expect((await (await bruno.request(`${desk()}/export.csv`)).text()).split('\r\n')).toHaveLength(2);
});

it("shows each file of the form with name, size and SHA-256; only who may read the application downloads it", async () => {
  const db = system.ctx.database.db;
  const form = await new FormRepository(db).save(
    tenantId,
    { name: 'Mensa con certificato', schema: { components: [{ type: 'textfield', key: 'scuola', label: 'Scuola' }, { type: 'file', key: 'certificato', label: 'Certificato medico', storage: 'sportello' }] } },
    { type: 'system', id: 'test' },
  );
  const bytes = Buffer.from('%PDF-1.7\n% certificato medico di prova\n');
  const upload = await new LocalFileStore(db, system.ctx.config.dataDir).put({ tenantId, owner: CITIZEN.fiscalCode, formId: form.id, filename: 'certificato medico.pdf', body: Readable.from([bytes]) });
  const { sha256, size } = await documents().put(bytes);
  const app = await submitApplication(db, documents(), tenantId, serviceRef(ente.serviceA), CITIZEN, {
    form: { id: form.id, version: form.version },
    data: { scuola: 'Pascoli', certificato: [upload.id] },
    attachments: [{ sha256, name: upload.name, size, mime: 'application/pdf' }],
  });
  const anna = await login(ente.people.anna.email);
  const page = await anna.visit(`${desk()}/${app.id}`);
  expect(page.status).toBe(200);
  const field = /<dt class="col-sm-4">Certificato medico<\/dt><dd class="col-sm-8">([\s\S]*?)<\/dd>/.exec(page.html)?.[1];
  expect(field).toContain(`<a href="/${BUGLIANO}/backoffice/pratiche/${app.id}/documenti/${sha256}">certificato medico.pdf</a>`);
  expect(field).toContain(`(${bytes.length} byte)`);
  expect(field).toContain(`<code>${sha256}</code>`);
  expect(page.html).toMatch(/<dt class="col-sm-4">Scuola<\/dt><dd class="col-sm-8">Pascoli<\/dd>/);

  const download = `${desk()}/${app.id}/documenti/${sha256}`;
  const response = await anna.request(download);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/pdf');
  expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
  expect((await (await login(ente.people.admin.email)).request(download)).status).toBe(200);
  // Another office of the ente, another ente (even at its own address), a document the application does not have.
  expect((await (await login(ente.people.bruno.email)).request(download)).status).toBe(404);
  const stranger = await login(other.people.anna.email, OTHER);
  expect((await stranger.request(download)).status).toBe(403);
  expect((await stranger.request(`${desk(OTHER)}/${app.id}/documenti/${sha256}`)).status).toBe(404);
  expect((await anna.request(`${desk()}/${app.id}/documenti/${'0'.repeat(64)}`)).status).toBe(404);
});

it('shows the dashboard: counts per status, overdue, average time to close per service, each chart with its table', async () => {
  const db = system.ctx.database.db;
  const fresh = await seedDesk(db, tenantId);
  const late = await submitApplication(db, documents(), tenantId, serviceRef(fresh.serviceB), CITIZEN, { now: () => new Date(Date.now() - 45 * DAY) });
  const closed = await submitApplication(db, documents(), tenantId, serviceRef(fresh.serviceB), CITIZEN, { now: () => new Date(Date.now() - 4 * DAY) });
  const store = new DeskStore(db, documents());
  await store.takeInCharge(fresh.users.bruno, closed.id);
  await store.decide(fresh.users.bruno, closed.id, { outcome: 'accepted', motivation: 'Requisiti presenti.' });
  const bruno = await login(fresh.people.bruno.email);
  const board = await bruno.visit(`${desk()}/cruscotto`);
  expect(board.status).toBe(200);
  expect(board.html).toContain('Totale pratiche: 2');
  expect(board.html).toContain('Pratiche scadute: 1');
  expect(board.html).toContain('<title id="chart-status">Grafico delle pratiche per stato</title>');
  expect(board.html).toContain('<title id="chart-closing">Grafico del tempo medio di chiusura per servizio, in giorni</title>');
  // Submitted, or registered by then if the protocol job ran.
  expect(board.html).toMatch(/<td>(Inviata|Protocollata)<\/td><td>1<\/td>/);
  expect(board.html).toContain('<td>Accolta</td><td>1</td>');
  expect(board.html).toContain('<title id="chart-overdue">Grafico delle pratiche scadute per servizio</title>');
  // Open and overdue per service, then closed and average days per service.
  expect(board.html).toMatch(/<th scope="col">Aperte<\/th><th scope="col">Scadute<\/th><\/tr><\/thead>\s*<tbody><tr><td>Riduzione TARI<\/td><td>1<\/td><td>1<\/td>/);
  expect(board.html).toMatch(/<th scope="col">Pratiche chiuse<\/th><th scope="col">Giorni medi dalla presentazione all’esito<\/th><\/tr><\/thead>\s*<tbody><tr><td>Riduzione TARI<\/td><td>1<\/td><td>4<\/td>/);
  expect(board.html).not.toContain('style=');
  const overdue = /href="([^"]*scadute=1[^"]*)"/.exec(board.html)![1]!.replaceAll('&amp;', '&');
  expect(listed((await bruno.visit(new URL(overdue, board.url))).html)).toEqual([late.id]);
});
