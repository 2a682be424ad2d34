// The protocol register in the back-office, as the ente's administrator uses it: browse with filters and
// pages, an entry with its documents and segnatura, annulment (400, 200, 409), the daily register PDF,
// an external system's annulment through its adapter; refused to operators and across entes.
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/core/auth/totp.ts';
import { sql, transaction } from '../../src/core/db.ts';
import { DEMO_STAFF } from '../../src/comune/seed.ts';
import { diskDocumentStore, type DocumentStore } from '../../src/comune/protocol/files.ts';
import { registerEntry, type RegisterInput } from '../../src/comune/protocol/register.ts';
import { saveProtocolSettings } from '../../src/comune/protocol/settings.ts';
import { registrationBody } from '../../src/comune/protocol/adapter.ts';
import { DAILY_REGISTER_JOB, dailyRegisterRunAt, enqueueDailyRegisters, keepDailyRegisters, keptDailyRegister } from '../../src/comune/protocol/daily.ts';
import { listJobs } from '../../src/core/jobs.ts';
import { addDays, dateInItaly } from '../../src/domain/dates.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient } from '../support/web-client.ts';
import { formBody, formWithAction } from '../support/cookie-jar.ts';
import { readPdf } from '../support/pdf.ts';
import { startProtocolSimulator, type ProtocolSimulator } from '../support/protocol-simulator.ts';

const BUGLIANO = 'comune-di-bugliano';
const OTHER = 'comune-di-vicopisano-demo';
const REGISTER = `/${BUGLIANO}/backoffice/protocollo/registro`;
const staffOf = (tenant: string, role: string) => DEMO_STAFF.find((s) => s.tenantSlug === tenant && s.role === role)!;

let system: TestSystem;
let store: DocumentStore;
let simulator: ProtocolSimulator;
const ids: string[] = [];
let otherId = '';
const primary = new TextEncoder().encode('%PDF-1.7 istanza di prova');

beforeAll(async () => {
  system = await startSystem({ apps: ['comune'], env: { LOGIN_RATE_LIMIT: '1000' } });
  store = diskDocumentStore(path.join(system.ctx.config.dataDir, 'documents'));
  simulator = await startProtocolSimulator('sim-token');
  const bugliano = await tenantId(BUGLIANO);
  // 20 incoming on 10 March 2025, 8 outgoing on 11 March (Italian time), the first answer linked to the first application.
  for (let i = 1; i <= 28; i++) {
    const incoming = i <= 20;
    const at = new Date(Date.UTC(2025, 2, incoming ? 10 : 11, 8, i));
    const input: RegisterInput = {
      direction: incoming ? 'incoming' : 'outgoing',
      subject: incoming ? `Istanza n. ${i}` : `Risposta n. ${i}`,
      correspondent: incoming ? { name: 'Mario Rossi', fiscalCode: 'RSSMRA85T10A562S', email: 'mario@example.org' } : { name: 'Ditta Alfa srl' },
      classification: 'VI.3',
      documents: i === 2 ? [{ name: 'domanda.pdf', mime: 'application/pdf', data: primary }, { name: 'allegato.txt', mime: 'text/plain', data: new TextEncoder().encode('allegato') }] : [{ name: `doc-${i}.pdf`, mime: 'application/pdf', data: new TextEncoder().encode(`documento ${i}`) }],
      linkedTo: i === 21 ? { id: ids[0]!, number: 1, year: 2025 } : null,
    };
    ids.push((await transaction(db(), (tx) => registerEntry(tx, bugliano, input, { store, now: () => at }))).id);
  }
  const other = await tenantId(OTHER);
  otherId = (await transaction(db(), (tx) =>
    registerEntry(tx, other, { direction: 'incoming', subject: 'Pratica di Vicopisano', correspondent: { name: 'Anna Verdi' }, classification: 'I.1', documents: [{ name: 'v.pdf', mime: 'application/pdf', data: primary }] }, { store, now: () => new Date('2025-03-10T10:00:00Z') }),
  )).id;
});
afterAll(async () => {
  await simulator?.close();
  await system?.stop();
});

const db = () => system.ctx.database.db;
const url = (p: string) => `${system.urls.comune}${p}`;
async function tenantId(slug: string): Promise<string> {
  return (await sql<{ id: string }>`select id from comune.tenants where slug = ${slug}`.execute(db())).rows[0]!.id;
}

async function login(tenant: string, role = 'tenant_admin'): Promise<WebClient> {
  const person = staffOf(tenant, role);
  const client = new WebClient();
  const loginPath = `/${tenant}/backoffice/accedi`;
  let page = await client.submit(await client.visit(url(loginPath)), loginPath, { email: person.email, password: person.password });
  if (person.totpSecret) page = await client.submit(page, `${loginPath}/totp`, { code: totpCode(person.totpSecret) });
  expect(page.url.pathname).toBe(`/${tenant}/backoffice`);
  return client;
}

const rows = (html: string) => [...html.matchAll(/<tr><td><a href="[^"]*\/registro\/[0-9a-f-]{36}"/g)].length;

describe('browsing the register', () => {
  it('filters by year, direction, number, days and text, a page at a time, newest first', async () => {
    const admin = await login(BUGLIANO);
    const page1 = await admin.visit(url(`${REGISTER}?anno=2025`));
    expect(page1.status).toBe(200);
    expect(page1.html).toContain('28 registrazioni');
    expect(rows(page1.html)).toBe(25);
    expect(page1.html.indexOf('>28/2025<')).toBeLessThan(page1.html.indexOf('>27/2025<'));
    expect(page1.html).toMatch(/class="page-link" href="[^"]*pagina=1" aria-current="page"/);
    expect(page1.html).not.toContain('Pratica di Vicopisano');
    const page2 = await admin.visit(url(`${REGISTER}?anno=2025&pagina=2`));
    expect(rows(page2.html)).toBe(3);
    expect(page2.html).toContain('>1/2025<');

    const count = async (query: string) => /(\d+) registrazioni/.exec((await admin.visit(url(`${REGISTER}?anno=2025&${query}`))).html)![1];
    expect(await count('verso=uscita')).toBe('8');
    expect(await count('verso=entrata')).toBe('20');
    expect(await count('numero=5')).toBe('1');
    expect(await count('dal=2025-03-11')).toBe('8');
    expect(await count('dal=2025-03-10&al=2025-03-10')).toBe('20');
    expect(await count('q=alfa')).toBe('8');
    expect(await count('q=RSSMRA85T10A562S')).toBe('20');
    expect(await count('q=100%25')).toBe('0');
    expect(await count('')).toBe('28');
    expect((await admin.visit(url(`${REGISTER}?anno=2026`))).html).toContain('Nessuna registrazione corrisponde alla ricerca.');
    expect((await admin.visit(url(`${REGISTER}?anno=2025&dal=ieri`))).status).toBe(400);
    // In German where the ente offers it.
    const german = await admin.visit(url(`${REGISTER}?anno=2025&verso=uscita&lang=de`));
    expect(german.html).toContain('<h1>Protokollregister</h1>');
    expect(german.html).toContain('8 Eintragungen');
    expect(german.html).toContain('Ausgang');
  });

  it('shows an entry with its fields, documents, segnatura and linked registration', async () => {
    const admin = await login(BUGLIANO);
    const entry = await admin.visit(url(`${REGISTER}/${ids[1]}`));
    expect(entry.status).toBe(200);
    expect(entry.html).toContain('Registrazione n. 2/2025');
    for (const text of ['Istanza n. 2', 'Mario Rossi', 'RSSMRA85T10A562S', 'VI.3', 'Entrata', 'domanda.pdf', 'allegato.txt', 'documento principale']) expect(entry.html).toContain(text);
    const sha = (await store.put(primary)).sha256;
    expect(entry.html).toContain(`<code>${sha}</code>`);

    const download = await admin.request(url(`${REGISTER}/${ids[1]}/documenti/0`));
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="domanda.pdf"');
    expect(Buffer.from(await download.arrayBuffer())).toEqual(Buffer.from(primary));
    expect((await admin.request(url(`${REGISTER}/${ids[1]}/documenti/5`))).status).toBe(404);

    const xml = await admin.request(url(`${REGISTER}/${ids[1]}/segnatura.xml`));
    expect(xml.headers.get('content-type')).toContain('application/xml');
    const segnatura = await xml.text();
    expect(segnatura).toContain('<NumeroRegistrazione>0000002</NumeroRegistrazione>');
    expect(segnatura).toContain(`<Impronta prot:algoritmo="SHA-256">${Buffer.from(sha, 'hex').toString('base64')}</Impronta>`);

    const answer = await admin.visit(url(`${REGISTER}/${ids[20]}`));
    expect(answer.html).toContain('Destinatario');
    expect(answer.html).toContain(`<a href="${REGISTER}/${ids[0]}">1/2025</a>`);
  });

  it("never shows another ente's entry or its documents", async () => {
    const admin = await login(BUGLIANO);
    expect((await admin.visit(url(`${REGISTER}/${otherId}`))).status).toBe(404);
    expect((await admin.request(url(`${REGISTER}/${otherId}/documenti/0`))).status).toBe(404);
    expect((await admin.request(url(`${REGISTER}/${otherId}/segnatura.xml`))).status).toBe(404);
    // Another ente's administrator is refused Bugliano's register outright.
    const otherAdmin = await login(OTHER);
    expect((await otherAdmin.visit(url(`${REGISTER}?anno=2025`))).status).toBe(403);
  });

  it('is refused to operators: list, entry, documents, daily register and annulment', async () => {
    const operator = await login(BUGLIANO, 'operator');
    const home = await operator.visit(url(`/${BUGLIANO}/backoffice`));
    expect(home.html).not.toContain('/backoffice/protocollo/registro');
    for (const p of [`${REGISTER}?anno=2025`, `${REGISTER}/${ids[0]}`, `${REGISTER}/${ids[0]}/documenti/0`, `${REGISTER}/giornaliero?giorno=2025-03-10`, `${REGISTER}/giornaliero.pdf?giorno=2025-03-10`]) {
      expect((await operator.request(url(p))).status, p).toBe(403);
    }
    // With a valid token of their own session: still refused, nothing annulled.
    const token = formWithAction(home.html, '/backoffice/esci').hidden._csrf!;
    const response = await operator.request(url(`${REGISTER}/${ids[0]}/annullamento`), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: token, reason: 'Errore', authorisedBy: 'Provv. 1/2025' }),
    });
    expect(response.status).toBe(403);
    expect((await sql`select 1 from comune.protocol_annulments where entry_id = ${ids[0]}`.execute(db())).rows).toHaveLength(0);
  });
});

describe('annulment', () => {
  it('needs reason and authorisation and the CSRF token; annuls once, audited; a second time is 409', async () => {
    const admin = await login(BUGLIANO);
    const entryUrl = url(`${REGISTER}/${ids[2]}`);
    const page = await admin.visit(entryUrl);
    const empty = await admin.submit(page, '/annullamento', { reason: ' ', authorisedBy: '' });
    expect(empty.status).toBe(400);
    expect(empty.html).toContain('id="error-summary"');
    expect(empty.html).toMatch(/id="field-authorisedBy-error"[^>]*>Campo obbligatorio\./);
    expect((await admin.submit(page, '/annullamento', { reason: 'Errore', authorisedBy: 'Provv. 1' }, { omitCsrf: true })).status).toBe(403);

    const done = await admin.submit(page, '/annullamento', { reason: 'Registrata due volte', authorisedBy: 'Provv. n. 12/2025 del RGD' });
    expect(done.status).toBe(200);
    expect(done.html).toContain('Registrazione annullata.');
    expect(done.html).toContain('Registrata due volte');
    expect(done.html).toContain('Provv. n. 12/2025 del RGD');
    expect(done.html).not.toContain('/annullamento"');
    const audit = await sql<{ actor_type: string; details: { number: number; reason: string } }>`
      select actor_type, details from comune.audit_log where action = 'protocol.annul' and target_id = ${ids[2]}`.execute(db());
    expect(audit.rows).toEqual([{ actor_type: 'tenant_admin', details: expect.objectContaining({ number: 3, reason: 'Registrata due volte' }) }]);

    // The stale form posted again: refused, the first annulment unchanged.
    const again = await admin.visit(new URL(formWithAction(page.html, '/annullamento').action, page.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: formBody(formWithAction(page.html, '/annullamento'), { reason: 'Altro', authorisedBy: 'Altro' }),
    });
    expect(again.status).toBe(409);
    expect(again.html).toContain('La registrazione è già annullata.');
    expect((await sql<{ reason: string }>`select reason from comune.protocol_annulments where entry_id = ${ids[2]}`.execute(db())).rows).toEqual([{ reason: 'Registrata due volte' }]);

    const list = await admin.visit(url(`${REGISTER}?anno=2025&numero=3`));
    expect(list.html).toContain('<span class="badge bg-danger">Annullata</span>');
    // The number is not given again: the next registration of 2025 would be 29.
    expect((await sql<{ last_number: number }>`select last_number from comune.protocol_registers where tenant_id = ${await tenantId(BUGLIANO)} and year = 2025`.execute(db())).rows[0]!.last_number).toBe(28);
  });

  it("annuls an external system's registration through its adapter (404 unknown, 409 twice)", async () => {
    const other = await tenantId(OTHER);
    await transaction(db(), (tx) => saveProtocolSettings(tx, system.ctx.secret, other, { aooCode: 'AOO_VIC', adapter: 'http', baseUrl: simulator.baseUrl, token: 'sim-token' }));
    const created = await fetch(`${simulator.baseUrl}/registrations`, {
      method: 'POST',
      headers: { authorization: 'Bearer sim-token', 'content-type': 'application/json', 'idempotency-key': 'test-1' },
      body: JSON.stringify(registrationBody({ direction: 'incoming', subject: 'Esterna', correspondent: { name: 'Anna Verdi' }, classification: '', documents: [{ name: 'a.pdf', mime: 'application/pdf', data: primary }] })),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const admin = await login(OTHER);
    const base = `/${OTHER}/backoffice/protocollo/registro`;
    const page = await admin.visit(url(base));
    expect(page.html).toContain('protocolla con un sistema esterno');

    const unknown = await admin.submit(page, '/esterno/annullamento', { registration: 'nessuna', reason: 'Errore', authorisedBy: 'Provv. 3/2026' });
    expect(unknown.status).toBe(404);
    expect(unknown.html).toContain('Il sistema esterno non conosce questa registrazione.');
    expect((await admin.submit(page, '/esterno/annullamento', { registration: id, reason: '', authorisedBy: 'Provv. 3/2026' })).status).toBe(400);

    const done = await admin.submit(page, '/esterno/annullamento', { registration: id, reason: 'Documento errato', authorisedBy: 'Provv. 3/2026' });
    expect(done.status).toBe(200);
    expect(done.html).toContain(`Il sistema esterno ha annullato la registrazione ${id}.`);
    expect(simulator.registrations.find((r) => r.id === id)?.annulment).toMatchObject({ reason: 'Documento errato', authorisedBy: 'Provv. 3/2026' });
    expect((await sql`select 1 from comune.audit_log where action = 'protocol.annul' and target_id = ${id} and tenant_id = ${other}`.execute(db())).rows).toHaveLength(1);
    expect((await admin.submit(page, '/esterno/annullamento', { registration: id, reason: 'Ancora', authorisedBy: 'Provv. 4/2026' })).status).toBe(409);

    simulator.down = true;
    const down = await admin.submit(page, '/esterno/annullamento', { registration: id, reason: 'Ancora', authorisedBy: 'Provv. 4/2026' });
    simulator.down = false;
    expect(down.status).toBe(503);
    expect(down.html).toContain('non risponde ora');
  });
});

describe('daily register', () => {
  it("is a PDF of the day's registrations with its SHA-256, the same bytes every time", async () => {
    const admin = await login(BUGLIANO);
    const page = await admin.visit(url(`${REGISTER}/giornaliero?giorno=2025-03-10`));
    expect(page.status).toBe(200);
    expect(page.html).toContain('Registrazioni della giornata: 20.');
    const shown = /<code>([0-9a-f]{64})<\/code>/.exec(page.html)![1]!;

    const first = await admin.request(url(`${REGISTER}/giornaliero.pdf?giorno=2025-03-10`));
    expect(first.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await first.arrayBuffer());
    expect(first.headers.get('repr-digest')).toBe(`sha-256=:${Buffer.from(shown, 'hex').toString('base64')}:`);
    const second = Buffer.from(await (await admin.request(url(`${REGISTER}/giornaliero.pdf?giorno=2025-03-10`))).arrayBuffer());
    expect(second.equals(pdf)).toBe(true);

    const read = await readPdf(pdf);
    expect(read.info.Title).toBe('Registro giornaliero di protocollo del 10/03/2025');
    expect(read.flat).toContain('Registro giornaliero di protocollo del 10/03/2025');
    expect(read.flat).toContain('20 registrazioni, dal numero 1 al numero 20.');
    for (const text of ['Istanza n. 1', 'Istanza n. 20', 'Mario Rossi', 'RSSMRA85T10A562S', 'Classificazione: VI.3', 'Principale: domanda.pdf', 'Allegato 1: allegato.txt', 'ore 09:01:00']) expect(read.flat).toContain(text);
    expect(read.flat).not.toContain('Risposta n. 21');
    expect(read.flat).not.toContain('Pratica di Vicopisano');
    // Entry 3 was annulled on a later day: the register of 10 March stays as it was at the day's end.
    expect(read.flat).not.toContain('ANNULLATA');

    const empty = await readPdf(Buffer.from(await (await admin.request(url(`${REGISTER}/giornaliero.pdf?giorno=2025-03-12`))).arrayBuffer()));
    expect(empty.flat).toContain('Nessuna registrazione in questa giornata.');
    expect((await admin.request(url(`${REGISTER}/giornaliero.pdf?giorno=2999-01-01`))).status).toBe(400);
    expect((await admin.visit(url(`${REGISTER}/giornaliero?giorno=2999-01-01`))).status).toBe(400);
  });
});

describe('kept daily registers', () => {
  it('are produced once per ente and day, the same bytes as on demand, and served from the store', async () => {
    const admin = await login(BUGLIANO);
    const onDemand = /<code>([0-9a-f]{64})<\/code>/.exec((await admin.visit(url(`${REGISTER}/giornaliero?giorno=2025-03-10`))).html)![1]!;
    expect(await keepDailyRegisters(db(), store, '2025-03-10')).toBeGreaterThanOrEqual(2);
    expect(await keepDailyRegisters(db(), store, '2025-03-10')).toBe(0);
    const bugliano = await tenantId(BUGLIANO);
    expect(await keptDailyRegister(db(), bugliano, '2025-03-10')).toMatchObject({ day: '2025-03-10', entries: 20, sha256: onDemand });
    // Vicopisano now registers externally, but its built-in register had an entry that day: it is kept too.
    expect(await keptDailyRegister(db(), await tenantId(OTHER), '2025-03-10')).toMatchObject({ entries: 1 });
    await expect(sql`update comune.protocol_daily_registers set entries = 0`.execute(db())).rejects.toThrow(/append-only/);

    const page = await admin.visit(url(`${REGISTER}/giornaliero?giorno=2025-03-10`));
    expect(page.html).toContain('Registro prodotto e conservato il');
    expect(page.html).toContain(`<code>${onDemand}</code>`);
    const pdf = Buffer.from(await (await admin.request(url(`${REGISTER}/giornaliero.pdf?giorno=2025-03-10`))).arrayBuffer());
    expect(createHash('sha256').update(pdf).digest('hex')).toBe(onDemand);
    expect((await admin.visit(url(REGISTER))).html).toContain(`href="${REGISTER}/giornaliero?giorno=2025-03-10"`);
  });

  it("run nightly: the start-up job keeps yesterday's registers and schedules today's after midnight", async () => {
    const today = dateInItaly(new Date());
    const yesterday = addDays(today, -1);
    const jobs = () => listJobs(db(), 'comune', { kind: DAILY_REGISTER_JOB, limit: 10 });
    for (let i = 0; i < 100 && !(await jobs()).some((j) => j.idempotencyKey === yesterday && j.state === 'done'); i++) await new Promise((r) => setTimeout(r, 100));
    const all = await jobs();
    expect(all.find((j) => j.idempotencyKey === yesterday)?.state).toBe('done');
    expect(all.find((j) => j.idempotencyKey === today)).toMatchObject({ state: 'pending', payload: { day: today }, runAt: dailyRegisterRunAt(today) });
    expect(await keptDailyRegister(db(), await tenantId(BUGLIANO), yesterday)).toMatchObject({ day: yesterday });
    // Start-up again: the same job, not a second one.
    await enqueueDailyRegisters(db());
    expect((await jobs()).filter((j) => j.idempotencyKey === yesterday)).toHaveLength(1);
  });
});
