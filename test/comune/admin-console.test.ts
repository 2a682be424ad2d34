// The tenant admin's console, walked through as the ente's administrator: the site's languages, the
// activity log (filters, pages, CSV, never another ente's entries), operators (role, offices, disabling),
// the protocol configuration with its connection test, and the service settings' pending integrations.
// Each page is refused to operators and to other entes' administrators.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/core/auth/totp.ts';
import { audit } from '../../src/core/audit.ts';
import { sql } from '../../src/core/db.ts';
import { DEMO_STAFF } from '../../src/comune/seed.ts';
import { startSystem, freePort, type TestSystem } from '../support/system.ts';
import { WebClient, type Visit } from '../support/web-client.ts';
import { formWithAction } from '../support/cookie-jar.ts';
import { startProtocolSimulator } from '../support/protocol-simulator.ts';

const BUGLIANO = 'comune-di-bugliano';
const OTHER = 'comune-di-vicopisano-demo';
type DemoStaff = (typeof DEMO_STAFF)[number];
const staffOf = (tenant: string, role: string) => DEMO_STAFF.find((s) => s.tenantSlug === tenant && s.role === role)!;

let system: TestSystem;
beforeAll(async () => {
  system = await startSystem({ apps: ['comune'], env: { LOGIN_RATE_LIMIT: '1000' } });
});
afterAll(() => system?.stop());

const db = () => system.ctx.database.db;
const url = (path: string) => `${system.urls.comune}${path}`;

async function login(tenant: string, person: Pick<DemoStaff, 'email' | 'password'> & { totpSecret?: string } = staffOf(tenant, 'tenant_admin'), client = new WebClient()): Promise<WebClient> {
  const path = `/${tenant}/backoffice/accedi`;
  const form = await client.visit(url(path));
  let page = await client.submit(form, path, { email: person.email, password: person.password });
  if (person.totpSecret) page = await client.submit(page, `${path}/totp`, { code: totpCode(person.totpSecret) });
  expect(page.url.pathname).toBe(`/${tenant}/backoffice`);
  return client;
}

/** Posts the page's form with repeated fields (checkbox lists), which WebClient.submit cannot express. */
async function post(client: WebClient, page: Visit, action: string, fields: [string, string][], omitCsrf = false): Promise<Visit> {
  const form = formWithAction(page.html, action);
  const body = new URLSearchParams(omitCsrf ? [] : [['_csrf', form.hidden._csrf!]]);
  for (const [name, value] of fields) body.append(name, value);
  return client.visit(new URL(form.action, page.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
}

const idOf = async (email: string) => (await sql<{ id: string }>`select id from comune.staff_users where email = ${email}`.execute(db())).rows[0]!.id;
const tenantId = async (slug: string) => (await sql<{ id: string }>`select id from comune.tenants where slug = ${slug}`.execute(db())).rows[0]!.id;

describe('languages', () => {
  it('offers only the languages the ente chose; a request for another falls back to Italian', async () => {
    const admin = await login(OTHER);
    const settings = await admin.visit(url(`/${OTHER}/backoffice/ente`));
    const fields = { name: 'Comune di Vicopisano (demo)', primaryColor: '#0066cc', email: '', pec: '', phone: '', website: '', street: '', postcode: '', accessibilityUrl: '', parentEntity: '' };
    expect((await admin.submit(settings, '/backoffice/ente', fields)).status).toBe(200);
    expect((await sql<{ languages: string[] }>`select languages from comune.tenants where slug = ${OTHER}`.execute(db())).rows[0]!.languages).toEqual(['it']);

    const visitor = new WebClient('de');
    const asked = await visitor.visit(url(`/${OTHER}/?lang=en`));
    expect(asked.html).toContain('<html lang="it">');
    expect(asked.html).not.toContain('hreflang="en"');
    expect((await visitor.visit(url(`/${OTHER}/`))).html).toContain('<html lang="it">');
    // Bugliano offers German: the same browser is served in German there.
    expect((await visitor.visit(url(`/${BUGLIANO}/?lang=de`))).html).toContain('<html lang="de">');

    const back = await admin.submit(settings, '/backoffice/ente', { ...fields, languages: 'en' });
    expect(back.html).toMatch(/id="field-lang-en"[^>]*checked/);
    expect((await new WebClient().visit(url(`/${OTHER}/?lang=en`))).html).toContain('<html lang="en">');
    // A German-first browser that also reads English gets English where German is not offered.
    expect((await new WebClient('de-DE,de;q=0.9,en;q=0.8').visit(url(`/${OTHER}/`))).html).toContain('<html lang="en">');
  });
});

describe('activity log', () => {
  it("shows the ente's entries with who, when, what and on which object, filtered and page by page", async () => {
    const admin = await login(BUGLIANO);
    const bugliano = await tenantId(BUGLIANO);
    const other = await tenantId(OTHER);
    const adminId = await idOf(staffOf(BUGLIANO, 'tenant_admin').email);
    for (let i = 0; i < 55; i++) {
      await audit(db(), 'comune', { actorType: 'tenant_admin', actorId: adminId, tenantId: bugliano, action: 'office.update', targetType: 'office', targetId: `office-${i}` });
    }
    await audit(db(), 'comune', { actorType: 'tenant_admin', actorId: 'someone-else', tenantId: other, action: 'secret.other-ente', targetType: 'office', targetId: 'not-yours' });

    const log = await admin.visit(url(`/${BUGLIANO}/backoffice/registro-attivita`));
    expect(log.status).toBe(200);
    expect(log.html).toContain('Giulia Ferri');
    expect(log.html).toContain('<code>office.update</code>');
    expect(log.html).not.toContain('secret.other-ente');
    const older = /href="([^"]*registro-attivita\?before=\d+)"/.exec(log.html)?.[1];
    expect(older).toBeDefined();
    const page2 = await admin.visit(url(older!.replaceAll('&amp;', '&')));
    expect(page2.html).toContain('office-4<');
    expect(page2.html).not.toContain('office-54<');
    expect(log.html).toContain('office-54<');

    const onlyLogins = await admin.visit(url(`/${BUGLIANO}/backoffice/registro-attivita?action=staff.login`));
    expect(onlyLogins.html).toContain('<code>staff.login</code>');
    expect(onlyLogins.html).toContain('Giulia Ferri');
    expect(onlyLogins.html).not.toContain('<code>office.update</code>');
    const operatorId = await idOf(staffOf(BUGLIANO, 'operator').email);
    const byOperator = await admin.visit(url(`/${BUGLIANO}/backoffice/registro-attivita?actor=${operatorId}`));
    expect(byOperator.html).not.toContain('<code>office.update</code>');
    const tomorrow = new Date(Date.now() + 2 * 86400_000).toISOString().slice(0, 10);
    expect((await admin.visit(url(`/${BUGLIANO}/backoffice/registro-attivita?from=${tomorrow}`))).html).toContain('Nessuna attività corrisponde ai filtri.');
    const bad = await admin.visit(url(`/${BUGLIANO}/backoffice/registro-attivita?from=31/12/2025`));
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('id="field-from-error"');
    // Asking for the other ente's action by name still shows nothing of it.
    expect((await admin.visit(url(`/${BUGLIANO}/backoffice/registro-attivita?action=secret.other-ente`))).html).not.toContain('not-yours');
  });

  it("exports the filtered entries as CSV, only the ente's own, and records the export", async () => {
    const admin = await login(BUGLIANO);
    const response = await admin.request(url(`/${BUGLIANO}/backoffice/registro-attivita/export.csv?action=office.update`));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    expect(response.headers.get('content-disposition')).toMatch(/attachment; filename="registro-attivita-comune-di-bugliano-\d{4}-\d{2}-\d{2}\.csv"/);
    const lines = (await response.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('id,at,actor_type,actor_id,actor_name,action,target_type,target_id,request_id,details');
    expect(lines.length).toBeGreaterThanOrEqual(56);
    expect(lines.slice(1).every((l) => l.includes(',office.update,'))).toBe(true);
    expect(lines[1]).toContain('Giulia Ferri');
    const all = await (await admin.request(url(`/${BUGLIANO}/backoffice/registro-attivita/export.csv`))).text();
    expect(all).not.toContain('secret.other-ente');
    const log = await admin.visit(url(`/${BUGLIANO}/backoffice/registro-attivita?action=audit_log.export`));
    expect(log.html).toContain('<code>audit_log.export</code>');
  });

  it('is refused to operators, to other entes and to anonymous visitors', async () => {
    const operator = await login(BUGLIANO, staffOf(BUGLIANO, 'operator'));
    expect((await operator.visit(url(`/${BUGLIANO}/backoffice/registro-attivita`))).status).toBe(403);
    expect((await operator.request(url(`/${BUGLIANO}/backoffice/registro-attivita/export.csv`))).status).toBe(403);
    const otherAdmin = await login(OTHER);
    expect((await otherAdmin.visit(url(`/${BUGLIANO}/backoffice/registro-attivita`))).status).toBe(403);
    expect((await otherAdmin.request(url(`/${BUGLIANO}/backoffice/registro-attivita/export.csv`))).status).toBe(403);
    const anonymous = await new WebClient().request(url(`/${BUGLIANO}/backoffice/registro-attivita/export.csv`), { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe(`/${BUGLIANO}/backoffice/accedi`);
  });
});

describe('operators', () => {
  it("sets an operator's offices and role, shows the services they handle, and disables the account at once", async () => {
    const admin = await login(BUGLIANO);
    const list = await admin.submit(await admin.visit(url(`/${BUGLIANO}/backoffice/operatori`)), '/backoffice/operatori', {
      givenName: 'Paola', familyName: 'Conti', email: 'paola.conti@comune.bugliano.pi.it', password: 'una-password-lunga', role: 'operator',
    });
    expect(list.status).toBe(201);
    const paolaId = await idOf('paola.conti@comune.bugliano.pi.it');
    expect(list.html).toContain(`/operatori/${paolaId}`);
    const offices = (await sql<{ id: string; name: string }>`select o.id, o.name from comune.offices o join comune.tenants t on t.id = o.tenant_id where t.slug = ${BUGLIANO} order by o.name`.execute(db())).rows;
    const scuola = offices.find((o) => o.name.startsWith('Ufficio Scuola'))!;
    const polizia = offices.find((o) => o.name.startsWith('Polizia'))!;

    const page = await admin.visit(url(`/${BUGLIANO}/backoffice/operatori/${paolaId}`));
    expect(page.status).toBe(200);
    expect(page.html).toContain('Nessuno: non lavora in un ufficio responsabile di un servizio.');
    const saved = await post(admin, page, `/operatori/${paolaId}`, [['role', 'operator'], ['active', '1'], ['offices', ''], ['offices', scuola.id], ['offices', polizia.id]]);
    expect(saved.status).toBe(200);
    expect(saved.html).toContain('Modifiche salvate.');
    expect(saved.html).toMatch(new RegExp(`value="${scuola.id}" checked`));
    expect(saved.html).toContain('Iscrizione alla mensa scolastica');
    const members = (await sql<{ office_id: string }>`select office_id from comune.office_members where staff_user_id = ${paolaId} order by office_id`.execute(db())).rows.map((r) => r.office_id);
    expect(members).toEqual([scuola.id, polizia.id].sort());

    // An office of another ente is refused, and nothing changes.
    const otherOffice = (await sql<{ id: string }>`insert into comune.offices (tenant_id, name) values (${await tenantId(OTHER)}, 'Ufficio altrui') returning id`.execute(db())).rows[0]!.id;
    const foreign = await post(admin, page, `/operatori/${paolaId}`, [['role', 'operator'], ['active', '1'], ['offices', otherOffice]]);
    expect(foreign.status).toBe(400);
    expect(foreign.html).toContain('id="field-offices-error"');
    expect((await sql`select 1 from comune.office_members where staff_user_id = ${paolaId}`.execute(db())).rows).toHaveLength(2);

    // Removing an office keeps the other; the office page agrees.
    await post(admin, page, `/operatori/${paolaId}`, [['role', 'operator'], ['active', '1'], ['offices', ''], ['offices', scuola.id]]);
    expect((await sql<{ office_id: string }>`select office_id from comune.office_members where staff_user_id = ${paolaId}`.execute(db())).rows.map((r) => r.office_id)).toEqual([scuola.id]);
    expect((await admin.visit(url(`/${BUGLIANO}/backoffice/uffici/${scuola.id}`))).html).toMatch(new RegExp(`value="${paolaId}" checked`));

    // Paola works; made administrator, her open session ends so the new role applies at her next login.
    const paola = await login(BUGLIANO, { email: 'paola.conti@comune.bugliano.pi.it', password: 'una-password-lunga' });
    expect((await paola.visit(url(`/${BUGLIANO}/backoffice/operatori`))).status).toBe(403);
    const promoted = await post(admin, page, `/operatori/${paolaId}`, [['role', 'tenant_admin'], ['active', '1'], ['offices', scuola.id]]);
    expect(promoted.html).toContain('le sessioni aperte di questo account sono state chiuse');
    expect((await paola.visit(url(`/${BUGLIANO}/backoffice`))).url.pathname).toBe(`/${BUGLIANO}/backoffice/accedi`);
    await login(BUGLIANO, { email: 'paola.conti@comune.bugliano.pi.it', password: 'una-password-lunga' }, paola);
    expect((await paola.visit(url(`/${BUGLIANO}/backoffice/operatori`))).status).toBe(200);

    // Disabled: thrown out at once, and cannot log in again.
    const disabled = await post(admin, page, `/operatori/${paolaId}`, [['role', 'operator'], ['offices', scuola.id]]);
    expect(disabled.html).toContain('Disattivato');
    expect((await paola.visit(url(`/${BUGLIANO}/backoffice`))).url.pathname).toBe(`/${BUGLIANO}/backoffice/accedi`);
    const form = await paola.visit(url(`/${BUGLIANO}/backoffice/accedi`));
    expect((await paola.submit(form, `/${BUGLIANO}/backoffice/accedi`, { email: 'paola.conti@comune.bugliano.pi.it', password: 'una-password-lunga' })).status).toBe(401);
    expect((await admin.visit(url(`/${BUGLIANO}/backoffice/operatori`))).html).toMatch(/paola\.conti@comune\.bugliano\.pi\.it<\/td>(?:\s*<td>[^<]*<\/td>){2}\s*<td>Disattivato/);

    const log = await admin.visit(url(`/${BUGLIANO}/backoffice/registro-attivita?action=staff.update`));
    expect(log.html).toContain('<code>staff.update</code>');
    expect(log.html).toContain(paolaId);
  });

  it("refuses to demote or disable one's own account, and CSRF-less posts", async () => {
    const admin = await login(BUGLIANO);
    const selfId = await idOf(staffOf(BUGLIANO, 'tenant_admin').email);
    const page = await admin.visit(url(`/${BUGLIANO}/backoffice/operatori/${selfId}`));
    expect(page.html).toContain('È il tuo account');
    const demoted = await post(admin, page, `/operatori/${selfId}`, [['role', 'operator'], ['active', '1']]);
    expect(demoted.status).toBe(400);
    expect(demoted.html).toContain('id="field-role-error"');
    const disabled = await post(admin, page, `/operatori/${selfId}`, [['role', 'tenant_admin']]);
    expect(disabled.status).toBe(400);
    expect((await sql<{ role: string; active: boolean }>`select role, active from comune.staff_users where id = ${selfId}`.execute(db())).rows[0]).toEqual({ role: 'tenant_admin', active: true });
    const operatorId = await idOf(staffOf(BUGLIANO, 'operator').email);
    const noCsrf = await post(admin, page, `/operatori/${selfId}`, [['role', 'tenant_admin'], ['active', '1']], true);
    expect(noCsrf.status).toBe(403);
    expect((await admin.visit(url(`/${BUGLIANO}/backoffice/operatori/${operatorId}`))).status).toBe(200);
  });

  it("is refused to operators and to other entes' administrators; another ente's account is not found", async () => {
    const operatorId = await idOf(staffOf(BUGLIANO, 'operator').email);
    const otherOperatorId = await idOf(staffOf(OTHER, 'operator').email);
    const operator = await login(BUGLIANO, staffOf(BUGLIANO, 'operator'));
    expect((await operator.visit(url(`/${BUGLIANO}/backoffice/operatori/${operatorId}`))).status).toBe(403);
    const otherAdmin = await login(OTHER);
    expect((await otherAdmin.visit(url(`/${BUGLIANO}/backoffice/operatori/${operatorId}`))).status).toBe(403);
    const admin = await login(BUGLIANO);
    expect((await admin.visit(url(`/${BUGLIANO}/backoffice/operatori/${otherOperatorId}`))).status).toBe(404);
    const page = await admin.visit(url(`/${BUGLIANO}/backoffice/operatori/${operatorId}`));
    const form = formWithAction(page.html, `/operatori/${operatorId}`);
    const response = await admin.request(url(`/${BUGLIANO}/backoffice/operatori/${otherOperatorId}`), {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: form.hidden._csrf!, role: 'operator' }),
    });
    expect(response.status).toBe(404);
    expect((await sql<{ active: boolean }>`select active from comune.staff_users where id = ${otherOperatorId}`.execute(db())).rows[0]!.active).toBe(true);
  });
});

describe('protocol configuration', () => {
  it('saves the built-in register or an external system with its token sealed, and tests the connection', async () => {
    const simulator = await startProtocolSimulator('giusto');
    const baseUrl = simulator.baseUrl;
    try {
      const admin = await login(BUGLIANO);
      const page = await admin.visit(url(`/${BUGLIANO}/backoffice/protocollo`));
      expect(page.status).toBe(200);
      expect(page.html).toContain('Il protocollo non è ancora configurato');

      const bad = await admin.submit(page, '/backoffice/protocollo', { aooCode: 'AOO con spazi', registerCode: '', adapter: 'http', baseUrl: 'ftp://x', token: '', intent: 'save' });
      expect(bad.status).toBe(400);
      for (const field of ['aooCode', 'baseUrl', 'token']) expect(bad.html).toContain(`id="field-${field}-error"`);
      expect((await sql`select 1 from comune.protocol_settings`.execute(db())).rows).toHaveLength(0);

      const wrong = await admin.submit(page, '/backoffice/protocollo', { aooCode: 'AOO_BUG', adapter: 'http', baseUrl, token: 'sbagliato', intent: 'test' });
      expect(wrong.html).toContain('Il sistema di protocollo ha rifiutato il token (HTTP 401).');
      const right = await admin.submit(page, '/backoffice/protocollo', { aooCode: 'AOO_BUG', adapter: 'http', baseUrl, token: 'giusto', intent: 'test' });
      expect(right.html).toContain('Connessione riuscita');
      expect((await sql`select 1 from comune.protocol_settings`.execute(db())).rows).toHaveLength(0);
      simulator.down = true;
      expect((await admin.submit(page, '/backoffice/protocollo', { aooCode: 'AOO_BUG', adapter: 'http', baseUrl, token: 'giusto', intent: 'test' })).html).toContain('ha risposto con un errore (HTTP 503)');
      simulator.down = false;
      const closed = `http://127.0.0.1:${await freePort()}/api/v1`;
      expect((await admin.submit(page, '/backoffice/protocollo', { aooCode: 'AOO_BUG', adapter: 'http', baseUrl: closed, token: 'giusto', intent: 'test' })).html).toContain('non è raggiungibile');

      const saved = await admin.submit(page, '/backoffice/protocollo', { aooCode: 'AOO_BUG', registerCode: 'PROT_GEN', adapter: 'http', baseUrl: `${baseUrl}/`, token: 'giusto', intent: 'save' });
      expect(saved.status).toBe(200);
      expect(saved.html).toContain('Modifiche salvate.');
      expect(saved.html).toContain('Un token è salvato.');
      expect(saved.html).not.toContain('giusto');
      const row = (await sql<{ aoo_code: string; http_base_url: string; http_token_sealed: string }>`select aoo_code, http_base_url, http_token_sealed from comune.protocol_settings`.execute(db())).rows[0]!;
      expect(row).toMatchObject({ aoo_code: 'AOO_BUG', http_base_url: baseUrl });
      expect(row.http_token_sealed).not.toContain('giusto');
      expect(simulator.registrations).toEqual([]);

      // An empty token keeps the saved one for the saved address, and for no other.
      expect((await admin.submit(saved, '/backoffice/protocollo', { aooCode: 'AOO_BUG', adapter: 'http', baseUrl, token: '', intent: 'test' })).html).toContain('Connessione riuscita');
      const moved = await admin.submit(saved, '/backoffice/protocollo', { aooCode: 'AOO_BUG', adapter: 'http', baseUrl: 'https://altro.example/api', token: '', intent: 'test' });
      expect(moved.status).toBe(400);
      expect(moved.html).toContain('id="field-token-error"');

      const builtin = await admin.submit(saved, '/backoffice/protocollo', { aooCode: 'AOO_BUG', adapter: 'builtin', baseUrl: '', token: '', intent: 'save' });
      expect(builtin.status).toBe(200);
      expect((await sql<{ adapter: string; http_token_sealed: string | null }>`select adapter, http_token_sealed from comune.protocol_settings`.execute(db())).rows[0]).toEqual({ adapter: 'builtin', http_token_sealed: null });
      const log = await admin.visit(url(`/${BUGLIANO}/backoffice/registro-attivita?action=protocol.settings.update`));
      expect(log.html).toContain('<code>protocol.settings.update</code>');
      expect(log.html).not.toContain('giusto');
    } finally {
      await simulator.close();
    }
  });

  it("is refused to operators and to other entes' administrators, and without CSRF", async () => {
    const operator = await login(BUGLIANO, staffOf(BUGLIANO, 'operator'));
    expect((await operator.visit(url(`/${BUGLIANO}/backoffice/protocollo`))).status).toBe(403);
    const otherAdmin = await login(OTHER);
    expect((await otherAdmin.visit(url(`/${BUGLIANO}/backoffice/protocollo`))).status).toBe(403);
    const admin = await login(BUGLIANO);
    const page = await admin.visit(url(`/${BUGLIANO}/backoffice/protocollo`));
    expect((await admin.submit(page, '/backoffice/protocollo', { aooCode: 'AOO_X', adapter: 'builtin', intent: 'save' }, { omitCsrf: true })).status).toBe(403);
  });
});

describe('service workflow settings', () => {
  it('shows office, deadline and protocol, and the pagoPA and IO sections as not yet enabled, without controls', async () => {
    const admin = await login(BUGLIANO);
    const list = await admin.visit(url(`/${BUGLIANO}/backoffice/servizi`));
    const first = /href="(\/comune-di-bugliano\/backoffice\/servizi\/[0-9a-f-]{36})"/.exec(list.html)![1]!;
    const page = await admin.visit(url(first));
    for (const name of ['officeId', 'deadlineDays', 'protocolRequired']) expect(page.html).toContain(`name="${name}"`);
    const payments = /<section[^>]*aria-labelledby="workflow-payments"[\s\S]*?<\/section>/.exec(page.html)?.[0];
    const messages = /<section[^>]*aria-labelledby="workflow-messages"[\s\S]*?<\/section>/.exec(page.html)?.[0];
    expect(payments).toContain('Pagamenti (pagoPA)');
    expect(messages).toContain('Messaggi (app IO)');
    for (const section of [payments!, messages!]) expect(section).not.toMatch(/<(input|select|textarea|button)\b/);
    expect((await admin.visit(url(`${first}?lang=en`))).html).toContain('Payments (pagoPA)');
  });
});
