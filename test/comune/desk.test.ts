// The desk's pages over real HTTP: an operator sees only their office's applications (list, detail 404,
// another ente's 404), the flow to an accepted application with its letter through the forms (CSRF,
// illegal action shown on the page with 409), the CSV export, the dashboard.
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ApplicationStore } from '../../src/comune/applications/store.ts';
import { STATUS } from '../../src/comune/applications/states.ts';
import { diskDocumentStore } from '../../src/comune/protocol/files.ts';
import { TenantRepository } from '../../src/comune/tenants/tenants.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient } from '../support/web-client.ts';
import { readPdf } from '../support/pdf.ts';
import { DESK_PASSWORD, seedDesk, serviceRef, submitApplication } from './desk-fixtures.ts';

const BUGLIANO = 'comune-di-bugliano';
const OTHER = 'comune-di-vicopisano-demo';
let system: TestSystem;
let ente: Awaited<ReturnType<typeof seedDesk>>;
let other: Awaited<ReturnType<typeof seedDesk>>;
let tenantId: string;
let otherTenantId: string;
const CITIZEN = { fiscalCode: 'BNCNNA85M41G702X', name: 'Anna "Nina" Bianchi, detta =Nina' };

beforeAll(async () => {
  system = await startSystem({ apps: ['comune'], env: { LOGIN_RATE_LIMIT: '1000' } });
  const db = system.ctx.database.db;
  tenantId = (await new TenantRepository(db).bySlug(BUGLIANO))!.id;
  otherTenantId = (await new TenantRepository(db).bySlug(OTHER))!.id;
  ente = await seedDesk(db, tenantId);
  other = await seedDesk(db, otherTenantId);
});
afterAll(() => system?.stop());

const files = () => diskDocumentStore(path.join(system.ctx.config.dataDir, 'documents'));
const submit = (service = ente.serviceA, tenant = tenantId) => submitApplication(system.ctx.database.db, files(), tenant, serviceRef(service), CITIZEN);
const desk = (slug = BUGLIANO) => `${system.urls.comune}/${slug}/backoffice/pratiche`;

async function login(email: string, slug = BUGLIANO): Promise<WebClient> {
  const client = new WebClient();
  const form = await client.visit(`${system.urls.comune}/${slug}/backoffice/accedi`);
  const page = await client.submit(form, `/${slug}/backoffice/accedi`, { email, password: DESK_PASSWORD });
  expect(page.status).toBe(200);
  return client;
}

it("lists only the operator's office, answers 404 for another office's or ente's application", async () => {
  const a = await submit();
  const b = await submit(ente.serviceB);
  const c = await submit(other.serviceA, otherTenantId);
  const anna = await login(ente.people.anna.email);
  const list = await anna.visit(desk());
  expect(list.status).toBe(200);
  expect(list.html).toContain(`/pratiche/${a.id}`);
  expect(list.html).not.toContain(`/pratiche/${b.id}`);
  expect((await anna.visit(`${desk()}/${a.id}`)).status).toBe(200);
  expect((await anna.visit(`${desk()}/${b.id}`)).status).toBe(404);
  expect((await anna.visit(`${desk()}/${c.id}`)).status).toBe(404);
  expect((await anna.visit(`${desk()}/${b.id}/documenti/${b.pdfSha256}`)).status).toBe(404);
  expect((await anna.visit(desk(OTHER))).status).toBe(403);
  const admin = await login(ente.people.admin.email);
  expect((await admin.visit(desk())).html).toContain(`/pratiche/${b.id}`);
  const otherOperator = await login(other.people.anna.email, OTHER);
  expect((await otherOperator.visit(`${desk(OTHER)}/${a.id}`)).status).toBe(404);
});

it('takes in charge, asks for integration, and accepts with a protocolled letter through the pages', async () => {
  const app = await submit();
  const anna = await login(ente.people.anna.email);
  let page = await anna.visit(`${desk()}/${app.id}`);
  expect(page.html).toContain('Scuola');
  const early = await anna.submit(page, `/pratiche/${app.id}`, { action: 'decide', outcome: 'accepted', motivation: 'ok' });
  expect(early.status).toBe(409);
  expect(early.html).toContain('Azione non consentita');
  const forged = await anna.submit(page, `/pratiche/${app.id}`, { action: 'take' }, { omitCsrf: true });
  expect(forged.status).toBe(403);
  page = await anna.submit(page, `/pratiche/${app.id}`, { action: 'take' });
  expect(page.html).toContain('Pratica presa in carico.');
  page = await anna.submit(page, `/pratiche/${app.id}`, { action: 'integration', request: 'Manca il certificato.' });
  expect(page.html).toContain('Termine sospeso');
  page = await anna.submit(page, `/pratiche/${app.id}`, { action: 'note', note: 'Nota <b>riservata</b>' });
  expect(page.html).toContain('Nota &lt;b&gt;riservata&lt;/b&gt;');
  const empty = await anna.submit(page, `/pratiche/${app.id}`, { action: 'message', message: '  ' });
  expect(empty.status).toBe(400);
  const citizen = { kind: 'citizen', tenantId, fiscalCode: CITIZEN.fiscalCode } as const;
  await new ApplicationStore(system.ctx.database.db, files()).transition(citizen, app.id, STATUS.submittedAfterIntegration, 'Allegato.');
  page = await anna.submit(page, `/pratiche/${app.id}`, { action: 'take' });
  page = await anna.submit(page, `/pratiche/${app.id}`, { action: 'decide', outcome: 'accepted', motivation: 'Requisiti verificati.' });
  expect(page.html).toContain('Esito registrato e lettera protocollata.');
  // A closed application offers no more transitions.
  expect(page.html).not.toContain('>Prendi in carico</button>');
  expect(page.html).not.toContain('value="decide"');
  const link = /href="([^"]*\/documenti\/[0-9a-f]{64})">Lettera di esito, protocollo n\. (\d+)\/(\d{4})/.exec(page.html);
  expect(link).not.toBeNull();
  const response = await anna.request(new URL(link![1]!, page.url));
  expect(response.headers.get('content-type')).toBe('application/pdf');
  const pdf = await readPdf(Buffer.from(await response.arrayBuffer()));
  expect(pdf.flat).toContain('la domanda è stata ACCOLTA');
  expect(pdf.flat).toContain('Requisiti verificati.');
  expect(pdf.flat).toContain('Comune di Bugliano');
});

it('accepts a letter signed outside (PDF only) instead of the generated one', async () => {
  const app = await submit();
  const anna = await login(ente.people.anna.email);
  let page = await anna.visit(`${desk()}/${app.id}`);
  page = await anna.submit(page, `/pratiche/${app.id}`, { action: 'take' });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
  const upload = (bytes: string, name: string) => {
    const form = new FormData();
    form.set('_csrf', csrf);
    form.set('signedOutcome', 'rejected');
    form.set('signedMotivation', 'Documentazione incompleta.');
    form.set('letter', new Blob([bytes], { type: 'application/pdf' }), name);
    return anna.visit(`${desk()}/${app.id}/esito-firmato`, { method: 'POST', body: form });
  };
  const notPdf = await upload('<html>non un pdf</html>', 'finto.pdf');
  expect(notPdf.status).toBe(400);
  const signed = '%PDF-1.7\n% firmato digitalmente\n';
  page = await upload(signed, '../esito firmato.pdf');
  expect(page.html).toContain('Esito registrato e lettera protocollata.');
  expect(page.html).toContain('Respinta');
  const href = /href="([^"]*\/documenti\/[0-9a-f]{64})">Lettera di esito/.exec(page.html)![1]!;
  expect(await (await anna.request(new URL(href, page.url))).text()).toBe(signed);
});

it('exports the filtered list as CSV (BOM, escaping) and shows the dashboard with a data table', async () => {
  const app = await submit();
  const carla = await login(ente.people.carla.email);
  const response = await carla.request(`${desk()}/export.csv?q=${app.id}`);
  expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  const bytes = Buffer.from(await response.arrayBuffer());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = bytes.toString('utf8').slice(1).split('\r\n');
  expect(lines[0]).toMatch(/^id,Servizio,Ufficio,Richiedente,Codice fiscale,Stato/);
  expect(lines).toHaveLength(3);
  expect(lines[1]).toContain(`${app.id},Iscrizione alla mensa,Ufficio Scuola,"Anna ""Nina"" Bianchi, detta =Nina",BNCNNA85M41G702X,`);
  const bruno = await login(ente.people.bruno.email);
  expect((await (await bruno.request(`${desk()}/export.csv?q=${app.id}`)).text()).split('\r\n')).toHaveLength(2);
  const board = await carla.visit(`${desk()}/cruscotto`);
  expect(board.status).toBe(200);
  expect(board.html).toContain('<svg');
  expect(board.html).toMatch(/<td>Presentata<\/td><td>\d+<\/td>|<td>[^<]+<\/td><td>\d+<\/td>/);
  expect(board.html).not.toContain('style=');
  const filtered = await carla.visit(`${desk()}?stato=50000`);
  expect(filtered.html).toContain('Pratiche trovate: 0');
  expect((await carla.visit(`${desk()}?dal=ieri`)).status).toBe(400);
});
