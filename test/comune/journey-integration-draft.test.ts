// The answer to a request for integration as a resumable draft (4200), over real HTTP on PostgreSQL and
// PGlite: saved with documents (the upload checks as before), listed in the personal area, resumed, a
// document removed, sent once for a double click and registered by the same job; another citizen and
// the operator kept out. And the end-of-service question on the submission receipt, stored per service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { totpCode } from '../../src/core/auth/totp.ts';
import { HttpProblem } from '../../src/core/problem.ts';
import { ApplicationStore } from '../../src/comune/applications/store.ts';
import { STATUS } from '../../src/comune/applications/states.ts';
import { memoryDocumentStore } from '../../src/comune/protocol/files.ts';
import { deskT } from '../../src/comune/desk/messages.ts';
import { journeyT } from '../../src/comune/journey/messages.ts';
import { procedurePage, ratedPage, ratingSubject, returnPath } from '../../src/comune/ratings/model.ts';
import { DEMO_STAFF } from '../../src/comune/seed.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient, type Visit } from '../support/web-client.ts';
import { formWithAction } from '../support/cookie-jar.ts';
import { readPdf } from '../support/pdf.ts';
import { submitApplication } from './desk-fixtures.ts';
import { alice, answerAction, bob, spid, TENANT } from './journey-fixtures.ts';

const SERVICE = 'occupazione-suolo-pubblico';
const pdfBytes = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(`%PDF-1.4\n% ${text}\n%%EOF\n`) as Uint8Array<ArrayBuffer>;

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 150; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not reached in 15 s');
}

describe('ratings model: a service’s online procedure', () => {
  it('is a rated page of its own, and a plain form goes back only to a path of the same ente', () => {
    expect(procedurePage('permesso-ztl')).toBe('servizi/permesso-ztl/domanda');
    expect(ratingSubject('comune-x', 'servizi/permesso-ztl/domanda')).toEqual({ kind: 'procedure', page: 'servizi/permesso-ztl/domanda', slug: 'permesso-ztl' });
    expect(ratingSubject('comune-x', 'servizi/permesso-ztl')).toEqual({ kind: 'service', page: 'servizi/permesso-ztl', slug: 'permesso-ztl' });
    // Rated on the receipt only: the procedure's own pages carry no widget at their foot.
    expect(ratedPage('comune-x', '/comune-x/servizi/permesso-ztl/domanda')).toBeUndefined();
    expect(ratingSubject('comune-x', 'servizi/categoria/domanda')?.kind).toBe('category');
    for (const page of ['servizi/permesso-ztl/domanda/1', 'servizi/ZTL/domanda', 'area-personale']) expect(ratingSubject('comune-x', page), page).toBeUndefined();
    expect(returnPath('comune-x', '/comune-x/area-personale/domande/0b8e2f6c-1d2a-4b7e-9c3f-5a6b7c8d9e0f')).toBe('/comune-x/area-personale/domande/0b8e2f6c-1d2a-4b7e-9c3f-5a6b7c8d9e0f');
    for (const bad of ['https://evil.example/comune-x/a', '//evil.example/x', '/comune-y/area-personale', '/comune-x/../admin', '/comune-x/a?b=c', undefined]) expect(returnPath('comune-x', bad), String(bad)).toBeUndefined();
  });
});

describe.each(['postgres', 'pglite'] as const)('answer in draft and end-of-service rating (%s)', (database) => {
  let system: TestSystem;
  let store: ApplicationStore;
  let tenantId: string;
  let operator: { kind: 'operator'; tenantId: string; id: string };
  let service: { id: string; name: string };
  let applicationId: string;
  let receipt: string;
  const client = new WebClient();
  const db = () => system.ctx.database.db;
  const comune = (p: string) => `${system.urls.comune}/${TENANT}${p}`;

  beforeAll(async () => {
    system = await startSystem({ apps: ['mail', 'identity', 'comune'], database, env: { LOGIN_RATE_LIMIT: '1000' } });
    store = new ApplicationStore(db(), memoryDocumentStore());
    const { rows } = await sql<{ tenant_id: string; id: string; name: string }>`
      select s.tenant_id, s.id, s.content->'it'->>'name' as name from comune.services s join comune.tenants t on t.id = s.tenant_id where t.slug = ${TENANT} and s.slug = ${SERVICE}`.execute(db());
    tenantId = rows[0]!.tenant_id;
    service = { id: rows[0]!.id, name: rows[0]!.name };
    const staff = await sql<{ id: string }>`select id from comune.staff_users where tenant_id = ${tenantId} and role = 'operator' limit 1`.execute(db());
    operator = { kind: 'operator', tenantId, id: staff.rows[0]!.id };
    const app = await submitApplication(db(), memoryDocumentStore(), tenantId, service, { fiscalCode: alice.fiscalCode, name: 'Alice' });
    applicationId = app.id;
    receipt = comune(`/area-personale/domande/${applicationId}`);
    await store.transition(operator, applicationId, STATUS.pending);
    await store.transition(operator, applicationId, STATUS.requestIntegration, 'Allegare la planimetria firmata.');
    await spid(system, client, alice);
  }, 120_000);
  afterAll(() => system?.stop());

  /** Posts the answer form of `page` as multipart: its hidden fields, these fields and at most one file. */
  function postAnswer(page: Visit, fields: Record<string, string>, file?: { name: string; bytes: Uint8Array<ArrayBuffer> }, who = client): Promise<Visit> {
    const form = formWithAction(page.html, answerAction(page));
    const body = new FormData();
    for (const [k, v] of Object.entries({ ...form.hidden, ...fields })) body.append(k, v);
    if (file) body.append('file', new Blob([file.bytes], { type: 'application/pdf' }), file.name);
    return who.visit(new URL(form.action, page.url), { method: 'POST', body });
  }
  const draftRow = async () =>
    (await sql<{ message: string; documents: { name: string; sha256: string }[] }>`select message, documents from comune.application_integration_drafts where application_id = ${applicationId}`.execute(db())).rows[0];
  const shaOf = (page: Visit, name: string) => new RegExp(`href="[^"]*/allegati/([0-9a-f]{64})"[^>]*>${name.replace('.', '\\.')}<`).exec(page.html)?.[1];

  it('saves the answer without sending it: 4100 → 4200, the document kept with the draft, not yet the office’s', async () => {
    const detail = await client.visit(receipt);
    expect(detail.html).toContain('Salva la bozza');
    const saved = await postAnswer(detail, { _action: 'save', message: 'Prima parte della risposta.' }, { name: 'planimetria.pdf', bytes: pdfBytes('plan v1') });
    expect(saved.status).toBe(200);
    expect(saved.url.searchParams.get('bozza')).toBe('1');
    expect(saved.html).toContain('La tua risposta è stata salvata in bozza');
    expect(saved.html).toContain('Integrazione in bozza');
    expect(saved.html).toContain('Prima parte della risposta.');
    expect(saved.html).toContain('Rimuovi planimetria.pdf');
    expect((await store.get(operator, applicationId)).status).toBe(STATUS.draftForIntegration);
    expect((await draftRow())!.documents.map((d) => d.name)).toEqual(['planimetria.pdf']);
    expect((await store.attachments(db(), applicationId)).map((a) => a.name)).not.toContain('planimetria.pdf');
    // The legal clock stays suspended and both the citizen's and the office's labels name the status.
    expect(deskT('it')('status.draftForIntegration')).toBe('Integrazione in bozza');
    expect(journeyT('it')('status.draftForIntegration')).toBe('Integrazione in bozza');
  });

  it('refuses a wrong file type on save with nothing changed, adds a second document, and keeps the citizen’s own copy downloadable', async () => {
    const detail = await client.visit(receipt);
    const wrong = new FormData();
    const form = formWithAction(detail.html, answerAction(detail));
    for (const [k, v] of Object.entries({ ...form.hidden, _action: 'save', message: 'Cambiata' })) wrong.append(k, v);
    wrong.append('file', new Blob(['not a pdf'], { type: 'application/pdf' }), 'finto.pdf');
    const refused = await client.visit(new URL(form.action, detail.url), { method: 'POST', body: wrong });
    expect(refused.status).toBe(422);
    expect(refused.html).toContain('formato del file non accettato');
    expect((await draftRow())!.message).toBe('Prima parte della risposta.');

    const again = await postAnswer(detail, { _action: 'save', message: 'Risposta completa.' }, { name: 'relazione.pdf', bytes: pdfBytes('report') });
    expect(again.status).toBe(200);
    expect((await draftRow())!.documents.map((d) => d.name)).toEqual(['planimetria.pdf', 'relazione.pdf']);
    const sha = shaOf(again, 'relazione.pdf');
    expect(sha).toBeDefined();
    const file = await client.request(`${receipt}/allegati/${sha}`);
    expect(file.status).toBe(200);
    expect(new TextDecoder().decode(await file.arrayBuffer())).toContain('report');
  });

  it('shows the answer in draft in the personal area with the action to resume it', async () => {
    const drafts = await client.visit(comune('/area-personale/bozze'));
    expect(drafts.html).toContain('Integrazioni in bozza');
    expect(drafts.html).toContain(`href="/${TENANT}/area-personale/domande/${applicationId}#integration"`);
    expect(drafts.html).toContain(`Riprendi l’integrazione di ${service.name}`);
    const list = await client.visit(comune('/area-personale/domande'));
    expect(list.html).toContain('Integrazione in bozza');
    const resumed = await client.visit(`${receipt}#integration`);
    expect(resumed.html).toContain('Risposta in bozza, salvata il');
    expect(resumed.html).toContain('Risposta completa.');
  });

  it('keeps another citizen out (404) and the operator off the draft (403), the office seeing the status only', async () => {
    const other = new WebClient();
    await spid(system, other, bob);
    expect((await other.visit(receipt)).status).toBe(404);
    const sha = (await draftRow())!.documents[0]!.sha256;
    expect((await other.request(`${receipt}/allegati/${sha}`)).status).toBe(404);
    // Bob's own form token, posted to Alice's application: the application is not his to answer.
    const own = await other.visit(comune('/area-personale/bozze'));
    const token = /name="_csrf" value="([^"]*)"/.exec(own.html)?.[1] ?? '';
    const forged = new FormData();
    forged.append('_csrf', token);
    forged.append('_action', 'save');
    forged.append('message', 'Non è mia.');
    expect((await other.visit(`${receipt}/integrazione?k=${crypto.randomUUID()}`, { method: 'POST', body: forged })).status).toBe(404);
    expect((await draftRow())!.message).toBe('Risposta completa.');

    const refuses = async (attempt: Promise<unknown>, status: number) => {
      const error = await attempt.then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(HttpProblem);
      expect((error as HttpProblem).status).toBe(status);
    };
    await refuses(store.integrationDraft(operator, applicationId), 403);
    await refuses(store.saveIntegrationDraft(operator, applicationId, { message: 'Operatore' }), 403);
    await refuses(store.removeIntegrationDraftAttachment(operator, applicationId, sha), 403);
    await refuses(store.answerIntegration(operator, applicationId, { message: 'Operatore', attachments: [] }), 403);
    await refuses(store.transition(operator, applicationId, STATUS.submittedAfterIntegration), 403);
    const bobActor = { kind: 'citizen', tenantId, fiscalCode: bob.fiscalCode } as const;
    await refuses(store.saveIntegrationDraft(bobActor, applicationId, { message: 'Bob' }), 404);
    await refuses(store.answerIntegration(bobActor, applicationId, { message: 'Bob', attachments: [] }), 404);
    expect((await store.get(operator, applicationId)).status).toBe(STATUS.draftForIntegration);
  });

  it('removes a document from the draft, keeping what was typed; an unknown document is a 404', async () => {
    const detail = await client.visit(receipt);
    const sha = shaOf(detail, 'planimetria.pdf')!;
    const removed = await postAnswer(detail, { _action: `remove:${sha}`, message: 'Risposta completa, con la relazione.' });
    expect(removed.status).toBe(200);
    expect(removed.html).toContain('Il documento è stato tolto dalla risposta in bozza.');
    expect(removed.html).not.toContain('Rimuovi planimetria.pdf');
    expect(removed.html).toContain('Rimuovi relazione.pdf');
    expect(await draftRow()).toMatchObject({ message: 'Risposta completa, con la relazione.', documents: [{ name: 'relazione.pdf' }] });
    expect((await postAnswer(removed, { _action: `remove:${sha}`, message: 'Altro testo' })).status).toBe(404);
    expect((await draftRow())!.message).toBe('Risposta completa, con la relazione.');
  });

  it('sends the draft once for a double click (same key): 4200 → 4300, the saved documents the office’s, registered by the job', async () => {
    const detail = await client.visit(receipt);
    const tooShort = await postAnswer(detail, { _action: 'send', message: 'no' });
    expect(tooShort.status).toBe(422);
    expect(tooShort.html).toContain('Scrivi la tua risposta');
    expect((await store.get(operator, applicationId)).status).toBe(STATUS.draftForIntegration);

    const send = () => postAnswer(detail, { _action: 'send', message: 'Risposta definitiva con la relazione.' });
    const [one, two] = await Promise.all([send(), send()]);
    for (const done of [one, two]) {
      expect(done.status).toBe(200);
      expect(done.url.pathname).toBe(`/${TENANT}/area-personale/domande/${applicationId}`);
      expect(done.html).toContain('La tua integrazione è stata inviata');
    }
    const answers = await sql<{ id: string; documents: { name: string }[] }>`select id, documents from comune.application_integrations where application_id = ${applicationId}`.execute(db());
    expect(answers.rows).toHaveLength(1);
    expect(answers.rows[0]!.documents.map((d) => d.name)).toEqual(['relazione.pdf']);
    expect(new URL(formWithAction(detail.html, answerAction(detail)).action, detail.url).searchParams.get('k')).toBe(answers.rows[0]!.id);
    const events = await sql<{ n: number }>`select count(*)::int as n from comune.application_events where application_id = ${applicationId} and to_status = ${STATUS.submittedAfterIntegration}`.execute(db());
    expect(events.rows[0]!.n).toBe(1);
    expect(await draftRow()).toBeUndefined();
    const names = (await store.attachments(db(), applicationId)).map((a) => a.name);
    expect(names).toContain('relazione.pdf');
    expect(names).not.toContain('planimetria.pdf');
    expect(one.html).not.toContain('Salva la bozza');

    const answer = (await store.integrationAnswer(db(), answers.rows[0]!.id))!;
    const pdf = await client.request(`${receipt}/allegati/${answer.pdf.sha256}`);
    expect(pdf.status).toBe(200);
    const text = await readPdf(Buffer.from(await pdf.arrayBuffer()));
    expect(text.flat).toContain('Risposta definitiva con la relazione.');
    expect(text.flat).toContain('relazione.pdf');
    await eventually(() => store.get(operator, applicationId), (a) => a.status === STATUS.registeredAfterIntegration);
    expect((await client.visit(comune('/area-personale/bozze'))).html).not.toContain('Integrazioni in bozza');
  });

  it('asks on the submission receipt how easy the service was, stores it for the service, and shows it to the admin per service', async () => {
    const page = await client.visit(`${receipt}?inviata=1`);
    expect(page.html).toContain('data-element="feedback-title">Quanto è stato facile usare questo servizio?</h2>');
    expect(page.html).toContain('data-element="feedback-rate-5"');
    expect(page.html).toContain('<script src="/assets/sportello/feedback.js" defer></script>');
    const form = formWithAction(page.html, '/valutazioni');
    expect(form.hidden).toMatchObject({ page: `servizi/${SERVICE}/domanda`, returnTo: `/${TENANT}/area-personale/domande/${applicationId}` });
    // Without the submission's notice the receipt does not ask again.
    expect((await client.visit(receipt)).html).not.toContain('Quanto è stato facile usare questo servizio?');

    const sent = await client.request(new URL(form.action, page.url), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form.hidden, rating: '4', positiveReason: 'onTrack', comment: 'Semplice e veloce.' }),
    });
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toBe(`/${TENANT}/area-personale/domande/${applicationId}?valutazione=grazie#feedback`);
    const thanked = await client.visit(new URL(sent.headers.get('location')!, page.url));
    expect(thanked.html).toContain('Grazie, il tuo parere ci aiuterà a migliorare il servizio!');
    expect(thanked.html).not.toContain('feedback-rate-5');

    // Another origin as the way back is ignored: the procedure's own page is where it would go.
    const elsewhere = await fetch(`${system.urls.comune}/${TENANT}/valutazioni`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ page: `servizi/${SERVICE}/domanda`, rating: '2', negativeReason: 'lost', returnTo: 'https://evil.example/x' }),
    });
    expect(elsewhere.status).toBe(303);
    expect(elsewhere.headers.get('location')).toBe(`/${TENANT}/servizi/${SERVICE}/domanda?valutazione=grazie#feedback`);
    const unknown = await fetch(`${system.urls.comune}/${TENANT}/valutazioni`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ page: 'servizi/non-esiste/domanda', rating: '5' }),
    });
    expect(unknown.status).toBe(400);

    const { rows } = await sql<{ stars: number; reason: string; comment: string | null }>`
      select stars, reason, comment from comune.page_ratings where tenant_id = ${tenantId} and page = ${`servizi/${SERVICE}/domanda`} order by stars desc`.execute(db());
    expect(rows).toEqual([
      { stars: 4, reason: 'onTrack', comment: 'Semplice e veloce.' },
      { stars: 2, reason: 'lost', comment: null },
    ]);

    const admin = new WebClient();
    const person = DEMO_STAFF.find((s) => s.tenantSlug === TENANT && s.role === 'tenant_admin')!;
    const path = `/${TENANT}/backoffice/accedi`;
    let signedIn = await admin.submit(await admin.visit(`${system.urls.comune}${path}`), path, { email: person.email, password: person.password });
    if (person.totpSecret) signedIn = await admin.submit(signedIn, `${path}/totp`, { code: totpCode(person.totpSecret) });
    const figures = await admin.visit(comune('/backoffice/valutazioni'));
    expect(figures.status).toBe(200);
    const row = new RegExp(`<tr><th scope="row"><a href="/${TENANT}/servizi/${SERVICE}">Servizio online: ${service.name}</a></th><td class="text-end">2</td><td class="text-end">3,0 su 5</td>`);
    expect(figures.html).toMatch(row);
  });
});
