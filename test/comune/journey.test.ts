// The citizen journey over real HTTP (comune ⇄ identity, SPID L2): a demo service's multi-page form
// with prefill, validation errors, uploads (one kept, oversize and wrong type refused with nothing
// stored), a double-clicked submit making one application, the protocol number from the job, the
// answer to a request for integration, drafts, and another citizen kept out.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { ApplicationStore } from '../../src/comune/applications/store.ts';
import { STATUS } from '../../src/comune/applications/states.ts';
import { memoryDocumentStore } from '../../src/comune/protocol/files.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient, type Visit } from '../support/web-client.ts';
import { formWithAction } from '../support/cookie-jar.ts';
import { readPdf } from '../support/pdf.ts';
import { alice, answerAction, bob, spid as spidAt, TENANT, wizardAction } from './journey-fixtures.ts';
import { DEMO_STAFF } from '../../src/comune/seed.ts';
import { serviceFromForm } from '../../src/comune/catalog/admin.ts';
import { updateService } from '../../src/comune/catalog/commands.ts';
import { ServiceRepository } from '../../src/comune/catalog/services.ts';
import { HttpProblem } from '../../src/core/problem.ts';

const SERVICE = 'occupazione-suolo-pubblico';

let system: TestSystem;
beforeAll(async () => {
  system = await startSystem({ apps: ['mail', 'identity', 'comune'], env: { LOGIN_RATE_LIMIT: '1000' } });
});
afterAll(() => system?.stop());

const db = () => system.ctx.database.db;
const comune = (p: string) => `${system.urls.comune}/${TENANT}${p}`;
const spid = (client: WebClient, person = alice) => spidAt(system, client, person);

/** Posts the wizard page with its hidden fields plus these (urlencoded). */
const post = (client: WebClient, page: Visit, fields: Record<string, string>) => client.submit(page, wizardAction(page), fields);

/** Posts the wizard page as multipart, with one file. */
function postFile(client: WebClient, page: Visit, fields: Record<string, string>, file: { field: string; name: string; type: string; bytes: Uint8Array<ArrayBuffer> }): Promise<Visit> {
  const form = formWithAction(page.html, wizardAction(page));
  const body = new FormData();
  for (const [k, v] of Object.entries({ ...form.hidden, ...fields })) body.append(k, v);
  body.append(file.field, new Blob([file.bytes], { type: file.type }), file.name);
  return client.visit(new URL(form.action, page.url), { method: 'POST', body });
}

const pdfBytes = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(`%PDF-1.4\n% ${text}\n%%EOF\n`) as Uint8Array<ArrayBuffer>;
const uploadsCount = async () => Number((await sql<{ n: string }>`select count(*) as n from comune.uploaded_files`.execute(db())).rows[0]!.n);
const uploadsOnDisk = () => {
  const root = path.join(system.ctx.config.dataDir, 'uploads');
  return fs.existsSync(root) ? fs.readdirSync(root, { recursive: true }).filter((f) => !fs.statSync(path.join(root, String(f))).isDirectory()).length : 0;
};

describe('citizen journey', () => {
  let client: WebClient;
  let applicationId: string;

  it('the demo services have their demo forms attached by the seed', async () => {
    const { rows } = await sql<{ slug: string; form_id: string | null }>`
      select s.slug, s.form_id from comune.services s join comune.tenants t on t.id = s.tenant_id where t.slug = ${TENANT}`.execute(db());
    expect(rows.length).toBeGreaterThanOrEqual(6);
    expect(rows.every((r) => r.form_id)).toBe(true);
  });

  it('asks for the login, comes back to the form, prefills from SPID only (no PDND) and refuses a page with errors', async () => {
    client = new WebClient();
    const first = await client.visit(comune(`/servizi/${SERVICE}/domanda`));
    expect(first.url.pathname).toBe(`/${TENANT}/accedi`);
    const page0 = await spid(client);
    expect(page0.status).toBe(200);
    const match = new RegExp(`^/${TENANT}/servizi/${SERVICE}/domanda/([0-9a-f-]{36})$`).exec(page0.url.pathname);
    expect(match).not.toBeNull();
    applicationId = match![1]!;
    expect(page0.html).toContain('Dato fornito dal tuo SPID');
    expect(page0.html).toContain('non è ancora collegato');
    expect(page0.html).toMatch(new RegExp(`value="${alice.fiscalCode}"[^>]*readonly|readonly[^>]*value="${alice.fiscalCode}"`));
    expect(page0.html).toContain('salvate automaticamente');
    // The conditional fields' progressive enhancement, served from the same origin (CSP: no inline script).
    expect(page0.html).toContain('<script src="/assets/sportello/forms.js" defer></script>');
    expect((await client.request(`${system.urls.comune}/assets/sportello/forms.js`)).status).toBe(200);

    // The same service again: the same draft.
    const again = await client.visit(comune(`/servizi/${SERVICE}/domanda`));
    expect(again.url.pathname).toBe(page0.url.pathname);

    const bad = await post(client, page0, { _action: 'next', applicantEmail: 'not-an-email', applicantFiscalCode: 'RSSMRA80A01H501U' });
    expect(bad.status).toBe(422);
    expect(bad.html).toContain('aria-invalid="true"');
    expect(bad.html).toContain('indirizzo e-mail non valido');
    expect(bad.html).toContain('campo obbligatorio');
    // Saved anyway ("automatically"), and the locked fiscal code is the login's, whatever was posted.
    const saved = await sql<{ data: Record<string, unknown> }>`select data from comune.applications where id = ${applicationId}`.execute(db());
    expect(saved.rows[0]!.data.applicantEmail).toBe('not-an-email');
    expect(saved.rows[0]!.data.applicantFiscalCode).toBe(alice.fiscalCode);
  });

  let summary: Visit;
  it('goes page by page, with an upload refused when too big or of the wrong type and nothing stored, then one kept', async () => {
    let page = await client.visit(comune(`/servizi/${SERVICE}/domanda/${applicationId}`));
    page = await post(client, page, {
      _action: 'next',
      applicantBirthDate: '1980-01-01',
      'applicantResidence[street]': 'Via Roma',
      'applicantResidence[houseNumber]': '1',
      'applicantResidence[postcode]': '56000',
      'applicantResidence[comune]': 'Bugliano',
      'applicantResidence[province]': 'PI',
      applicantEmail: 'alice@example.it',
    });
    expect(page.url.search).toBe('?pagina=1');
    page = await post(client, page, {
      _action: 'next',
      purpose: 'cantiere',
      'place[street]': 'Piazza del Municipio',
      'place[houseNumber]': '2',
      'place[postcode]': '56000',
      'place[comune]': 'Bugliano',
      'place[province]': 'PI',
      startDate: '2030-05-01',
      endDate: '2030-05-10',
      area: '12,5',
    });
    expect(page.url.search).toBe('?pagina=2');
    expect(page.html).toContain('enctype="multipart/form-data"');

    const before = { rows: await uploadsCount(), disk: uploadsOnDisk() };
    const big = new Uint8Array(10 * 1024 * 1024 + 10);
    big.set(pdfBytes('big'));
    const tooBig = await postFile(client, page, { _action: 'next' }, { field: '_upload[sitePlan]', name: 'planimetria.pdf', type: 'application/pdf', bytes: big });
    expect(tooBig.status).toBe(422);
    expect(tooBig.html).toContain('supera la dimensione massima');
    const wrongType = await postFile(client, page, { _action: 'next' }, { field: '_upload[sitePlan]', name: 'planimetria.pdf', type: 'application/pdf', bytes: new TextEncoder().encode('#!/bin/sh\necho not a pdf\n') as Uint8Array<ArrayBuffer> });
    expect(wrongType.status).toBe(422);
    expect(wrongType.html).toContain('formato del file non accettato');
    expect({ rows: await uploadsCount(), disk: uploadsOnDisk() }).toEqual(before);

    page = await postFile(client, page, { _action: 'next' }, { field: '_upload[sitePlan]', name: 'planimetria.pdf', type: 'application/pdf', bytes: pdfBytes('site plan') });
    expect(page.url.search).toBe('?pagina=3');
    expect(await uploadsCount()).toBe(before.rows + 1);
    summary = await post(client, page, { _action: 'next', truthful: 'true', privacy: 'true' });
    expect(summary.url.search).toBe('?pagina=4');
    expect(summary.html).toContain('Riepilogo');
    expect(summary.html).toContain('planimetria.pdf');
    expect(summary.html).toContain('01/05/2030');
  });

  it('submits once for a double click (same key), shows the receipt, and the protocol number once the job ran', async () => {
    const form = formWithAction(summary.html, wizardAction(summary));
    const send = () => client.visit(new URL(form.action, summary.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...form.hidden, _action: 'submit' }) });
    const [one, two] = await Promise.all([send(), send()]);
    for (const receipt of [one, two]) {
      expect(receipt.status).toBe(200);
      expect(receipt.url.pathname).toBe(`/${TENANT}/area-personale/domande/${applicationId}`);
    }
    expect(one.html).toContain(applicationId);
    const { rows } = await sql<{ n: string }>`select count(*) as n from comune.applications where citizen_fiscal_code = ${alice.fiscalCode} and status <> ${STATUS.draft}`.execute(db());
    expect(Number(rows[0]!.n)).toBe(1);
    const events = await sql<{ n: string }>`select count(*) as n from comune.application_events where application_id = ${applicationId} and to_status = ${STATUS.submitted}`.execute(db());
    expect(Number(events.rows[0]!.n)).toBe(1);

    let receipt = one;
    for (let i = 0; i < 100 && !/n\. \d+\/\d{4} del/.test(receipt.html); i++) {
      expect(receipt.html).toMatch(/In registrazione|Protocollata/);
      await new Promise((r) => setTimeout(r, 100));
      receipt = await client.visit(comune(`/area-personale/domande/${applicationId}`));
    }
    expect(receipt.html).toMatch(/n\. \d+\/\d{4} del/);
    expect(receipt.html).toContain('Protocollata');

    const pdf = await client.request(comune(`/area-personale/domande/${applicationId}/domanda.pdf`));
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toContain('application/pdf');
    const text = await readPdf(Buffer.from(await pdf.arrayBuffer()));
    expect(text.flat).toContain('occupazione di suolo pubblico');
    expect(text.flat).toContain('Dal: 01/05/2030');
    expect(text.flat).toContain('planimetria.pdf');

    const list = await client.visit(comune('/area-personale/domande'));
    expect(list.html).toContain('Protocollata');
    expect(list.html).toContain(`/area-personale/domande/${applicationId}`);
    const area = await client.visit(comune('/area-personale'));
    expect(area.html).toContain('Le mie domande');
    expect(area.html).toContain('Le mie bozze');
  });

  it('answers a request for integration with a message and an attachment', async () => {
    const store = new ApplicationStore(db(), memoryDocumentStore());
    const { rows } = await sql<{ id: string; tenant_id: string }>`select s.id, s.tenant_id from comune.staff_users s join comune.tenants t on t.id = s.tenant_id where t.slug = ${TENANT} and s.role = 'operator'`.execute(db());
    const operator = { kind: 'operator' as const, tenantId: rows[0]!.tenant_id, id: rows[0]!.id };
    await store.transition(operator, applicationId, STATUS.pending);
    await store.transition(operator, applicationId, STATUS.requestIntegration, 'Allegare la planimetria firmata.');

    const detail = await client.visit(comune(`/area-personale/domande/${applicationId}`));
    expect(detail.html).toContain('Rispondi alla richiesta di integrazione');
    expect(detail.html).toContain('Allegare la planimetria firmata.');
    const form = formWithAction(detail.html, answerAction(detail));
    const empty = new FormData();
    for (const [k, v] of Object.entries(form.hidden)) empty.append(k, v);
    empty.append('message', '');
    const refused = await client.visit(new URL(form.action, detail.url), { method: 'POST', body: empty });
    expect(refused.status).toBe(422);
    expect(refused.html).toContain('Scrivi la tua risposta');

    const before = await uploadsCount();
    const wrong = new FormData();
    for (const [k, v] of Object.entries(form.hidden)) wrong.append(k, v);
    wrong.append('message', 'Ecco la planimetria firmata.');
    wrong.append('file', new Blob(['not a pdf at all'], { type: 'application/pdf' }), 'planimetria.pdf');
    const wrongType = await client.visit(new URL(form.action, detail.url), { method: 'POST', body: wrong });
    expect(wrongType.status).toBe(422);
    expect(wrongType.html).toContain('formato del file non accettato');
    expect(await uploadsCount()).toBe(before);
    expect((await store.get(operator, applicationId)).status).toBe(STATUS.requestIntegration);

    const body = new FormData();
    for (const [k, v] of Object.entries(form.hidden)) body.append(k, v);
    body.append('message', 'Ecco la planimetria firmata.');
    body.append('file', new Blob([pdfBytes('signed plan')], { type: 'application/pdf' }), 'planimetria-firmata.pdf');
    const done = await client.visit(new URL(form.action, detail.url), { method: 'POST', body });
    expect(done.status).toBe(200);
    expect(done.html).toContain('La tua integrazione è stata inviata');
    expect(done.html).toContain('Integrazione inviata');
    expect(done.html).toContain('Ecco la planimetria firmata.');
    const link = /href="([^"]*\/allegati\/[0-9a-f]{64})"[^>]*>Allegato: planimetria-firmata\.pdf/.exec(done.html)?.[1];
    expect(link).toBeDefined();
    const file = await client.request(new URL(link!, done.url));
    expect(file.status).toBe(200);
    expect(new TextDecoder().decode(await file.arrayBuffer())).toContain('signed plan');
    const app = await store.get(operator, applicationId);
    expect(app.status).toBe(STATUS.submittedAfterIntegration);
  });

  it('keeps another citizen out of the application, its PDF and its attachments (404)', async () => {
    const other = new WebClient();
    await spid(other, bob);
    const base = comune(`/area-personale/domande/${applicationId}`);
    expect((await other.visit(base)).status).toBe(404);
    expect((await other.request(`${base}/domanda.pdf`)).status).toBe(404);
    const { rows } = await sql<{ sha256: string }>`select sha256 from comune.application_attachments where application_id = ${applicationId}`.execute(db());
    expect(rows.length).toBeGreaterThan(0);
    expect((await other.request(`${base}/allegati/${rows[0]!.sha256}`)).status).toBe(404);
    const list = await other.visit(comune('/area-personale/domande'));
    expect(list.html).not.toContain(applicationId);
    expect((await other.visit(comune(`/servizi/${SERVICE}/domanda/${applicationId}`))).status).toBe(404);
  });

  it('adds and removes rows of a repeating group, lists the draft and deletes it', async () => {
    const start = await client.visit(comune('/servizi/iscrizione-mensa-scolastica/domanda'));
    const draftPath = start.url.pathname;
    let page = await client.visit(`${system.urls.comune}${draftPath}?pagina=1`);
    expect(page.html).toContain('Nessun elemento');
    page = await post(client, page, { _action: 'add:children' });
    expect(page.url.search).toBe('?pagina=1');
    expect(page.html).toContain('name="children[0][schoolClass]"');
    page = await post(client, page, { _action: 'add:children', 'children[0][schoolClass]': 'Primo' });
    expect(page.html).toContain('name="children[1][schoolClass]"');
    expect(page.html).toContain('value="Primo"');
    page = await post(client, page, { _action: 'remove:children:0', 'children[0][schoolClass]': 'Primo', 'children[1][schoolClass]': 'Secondo' });
    expect(page.html).not.toContain('name="children[1][schoolClass]"');
    expect(page.html).toContain('value="Secondo"');

    const drafts = await client.visit(comune('/area-personale/bozze'));
    expect(drafts.html).toContain(draftPath);
    const deleted = await client.submit(drafts, `${draftPath.split('/').pop()}/elimina`, {});
    expect(deleted.url.pathname).toBe(`/${TENANT}/area-personale/bozze`);
    expect(deleted.html).toContain('La bozza è stata eliminata');
    expect(deleted.html).not.toContain(draftPath);
  });

  it('lets the ente admin attach one of its forms to a service, and refuses another ente’s form', async () => {
    const admin = new WebClient();
    const person = DEMO_STAFF.find((p) => p.tenantSlug === TENANT && p.role === 'tenant_admin')!;
    const loginPath = `/${TENANT}/backoffice/accedi`;
    await admin.submit(await admin.visit(comune('/backoffice/accedi')), loginPath, { email: person.email, password: person.password });
    const { rows } = await sql<{ id: string; tenant_id: string; form_id: string }>`
      select s.id, s.tenant_id, s.form_id from comune.services s join comune.tenants t on t.id = s.tenant_id where t.slug = ${TENANT} and s.slug = 'permesso-ztl'`.execute(db());
    const service = rows[0]!;
    const edit = await admin.visit(comune(`/backoffice/servizi/${service.id}`));
    expect(edit.status).toBe(200);
    expect(edit.html).toContain('name="formId"');
    expect(edit.html).toMatch(new RegExp(`<option value="${service.form_id}"\\s*selected`));

    // The select's value reaches the input; absent from a post (the API), the form stays as it was.
    const stored = (await new ServiceRepository(db()).byId(service.tenant_id, service.id))!;
    expect(serviceFromForm({ formId: '' }, stored.formId).formId).toBeNull();
    expect(serviceFromForm({}, stored.formId).formId).toBe(stored.formId);
    const { rows: foreign } = await sql<{ id: string }>`select f.id from comune.forms f join comune.tenants t on t.id = f.tenant_id where t.slug <> ${TENANT} limit 1`.execute(db());
    const refused = await updateService(db(), service.tenant_id, service.id, { ...stored, formId: foreign[0]!.id }, { type: 'system', id: 'test' }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(HttpProblem);
    expect((refused as HttpProblem).errors?.[0]?.pointer).toBe('/body/formId');
  });
});
