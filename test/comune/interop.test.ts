// The comune as a PDND consumer reading ANPR, over real HTTP (pdnd, anpr, identity, comune started like
// `npm start`): the demo entes connect at start-up with their derived API key; the ANPR client reads
// demo citizens (vouchers cached, 401 retried, 404 → undefined, refusals typed); the admin page
// connects, shows and checks the connection, and only an ente's own administrator reaches it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/core/auth/totp.ts';
import { listAudit } from '../../src/core/audit.ts';
import { sql } from '../../src/core/db.ts';
import { computeFiscalCode } from '../../src/domain/fiscal-code.ts';
import { identityDemoUsers } from '../../src/platforms/identity/users.ts';
import { createVoucherSource, demoPdndApiKey, pdndEndpoints } from '../../src/clients/pdnd/index.ts';
import { AnprClientError, createAnprClient } from '../../src/clients/anpr/index.ts';
import { DEMO_STAFF } from '../../src/comune/seed.ts';
import { TenantRepository, type Tenant } from '../../src/comune/tenants/tenants.ts';
import { createComuneInterop, PdndNotConnectedError, type ComuneInterop } from '../../src/comune/interop/service.ts';
import { enqueuePdndConnections } from '../../src/comune/interop/startup.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient, type Visit } from '../support/web-client.ts';
import { formWithAction } from '../support/cookie-jar.ts';

const BUGLIANO = 'comune-di-bugliano';
const VICOPISANO = 'comune-di-vicopisano-demo';
const MARCO = 'BNCMRC78C14G702E';
const NOBODY = computeFiscalCode({ givenName: 'Zenobio', familyName: 'Qwertz', sex: 'M', birthDate: '1901-01-01', birthplaceCode: 'G702' });
const PAGE = '/backoffice/interoperabilita';
const staffOf = (tenant: string, role: string) => DEMO_STAFF.find((s) => s.tenantSlug === tenant && s.role === role)!;

let system: TestSystem;
let tenants: { bugliano: Tenant; vicopisano: Tenant };
/** Every request the test's own interop service makes, by URL. */
const calls: { url: string; body?: string }[] = [];
let interop: ComuneInterop;

beforeAll(async () => {
  system = await startSystem({ apps: ['identity', 'anpr', 'pdnd', 'comune'], env: { LOGIN_RATE_LIMIT: '1000' } });
  const repo = new TenantRepository(system.ctx.database.db);
  tenants = { bugliano: (await repo.bySlug(BUGLIANO))!, vicopisano: (await repo.bySlug(VICOPISANO))! };
  const countingFetch: typeof fetch = (input, init) => {
    calls.push({ url: String(input), body: typeof init?.body === 'string' ? init.body : undefined });
    return fetch(input, init);
  };
  interop = createComuneInterop({ db: system.ctx.database.db, secret: system.ctx.secret, pdndUrl: system.urls.pdnd, anprUrl: system.urls.anpr, fetch: countingFetch });
}, 120_000);
afterAll(() => system?.stop());

async function connectedAtStartUp(tenant: Tenant) {
  for (let i = 0; i < 150; i++) {
    const connection = await interop.connections.get(tenant.id);
    if (connection?.status === 'connected') return connection;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${tenant.slug} did not connect to PDND: ${JSON.stringify(await interop.connections.get(tenant.id))}`);
}

const tokenRequests = () => calls.filter((c) => c.url === pdndEndpoints(system.urls.pdnd).tokenUrl).length;

async function staffLogin(client: WebClient, tenant: string, role: 'tenant_admin' | 'operator'): Promise<Visit> {
  const person = staffOf(tenant, role);
  const path = `/${tenant}/backoffice/accedi`;
  let page = await client.submit(await client.visit(`${system.urls.comune}${path}`), path, { email: person.email, password: person.password });
  if (person.totpSecret) page = await client.submit(page, `${path}/totp`, { code: totpCode(person.totpSecret) });
  return page;
}

describe('start-up connection of the demo entes', () => {
  it('connects both demo entes with the API key derived from SECRET, and leaves them alone afterwards', async () => {
    for (const tenant of [tenants.bugliano, tenants.vicopisano]) {
      const connection = await connectedAtStartUp(tenant);
      expect(connection.clientId).toMatch(/^[0-9a-f-]{36}$/);
      expect(Object.keys(connection.purposes).sort()).toEqual(['C015', 'C018', 'C019', 'C020', 'C021', 'C030']);
      expect(connection.publicKeyPem).toContain('BEGIN PUBLIC KEY');
      expect(await interop.connections.apiKey(tenant.id)).toBe(demoPdndApiKey(system.ctx.secret, tenant.ipaCode));
    }
    // The secrets are sealed in the table, never in clear.
    const { rows } = await sql<{ api_key_sealed: string; private_jwk_sealed: string }>`select api_key_sealed, private_jwk_sealed from comune.pdnd_connections`.execute(system.ctx.database.db);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.api_key_sealed).toMatch(/^v1\./);
      expect(row.private_jwk_sealed).not.toContain('"d"');
    }
    expect(await enqueuePdndConnections(system.ctx.database.db, interop.connections)).toBe(0);
  });
});

describe('the ANPR client of an ente', () => {
  it("reads a demo citizen's residenza, generalità, citizenship and life, with one voucher per purpose", async () => {
    await connectedAtStartUp(tenants.bugliano);
    const anpr = await interop.anprClientFor(tenants.bugliano);
    const before = tokenRequests();
    const residenza = await anpr.residenza(MARCO, { motivo: 'pratica 2026/1' });
    expect(residenza?.generalita.cognome).toBe('BIANCHI');
    expect(residenza?.residenza[0]?.indirizzo?.toponimo.denominazioneToponimo).toBe('ROMA');
    expect(residenza?.residenza[0]?.indirizzo?.numeroCivico.numero).toBe('15');
    expect(residenza?.idAnpr).toMatch(/^\d{9}$/);
    await anpr.residenza(MARCO, { motivo: 'pratica 2026/2' });
    await anpr.residenza(MARCO, { motivo: 'pratica 2026/3', date: '2020-01-01' });
    const generalita = await anpr.generalita(MARCO, { motivo: 'pratica 2026/4' });
    expect(generalita).toMatchObject({ generalita: { nome: 'MARCO', sesso: 'M', dataNascita: '1978-03-14' }, statoCivile: { codiceStatoCivile: expect.any(String) } });
    expect((await anpr.cittadinanza(MARCO, { motivo: 'pratica 2026/5' }))?.cittadinanza.map((c) => c.codiceStato)).toContain('IT');
    expect(await anpr.esistenzaInVita(MARCO, { motivo: 'pratica 2026/6' })).toMatchObject({ alive: true });
    expect(await anpr.idAnpr(MARCO)).toBe(residenza?.idAnpr);
    // C020, C015, C018, C019, C030: five purposes, five vouchers for seven calls.
    expect(tokenRequests() - before).toBe(5);
    // The same client (and its cached vouchers) serves the next request of the ente.
    expect(await interop.anprClientFor(tenants.bugliano)).toBe(anpr);
    const ids = calls.filter((c) => c.url.endsWith('/anpr-service-e002')).map((c) => JSON.parse(c.body!).idOperazioneClient as string);
    expect(new Set(ids).size).toBe(ids.length);
    expect(calls.filter((c) => c.url.endsWith('/anpr-service-e002')).map((c) => JSON.parse(c.body!).datiRichiesta.motivoRichiesta)).toContain('pratica 2026/1');
  });

  it('answers undefined for a fiscal code ANPR does not know', async () => {
    expect(NOBODY.ok).toBe(true);
    const anpr = await interop.anprClientFor(tenants.bugliano);
    const cf = NOBODY.ok ? NOBODY.value : '';
    expect(await anpr.residenza(cf, { motivo: 'test' })).toBeUndefined();
    expect(await anpr.statoFamiglia(cf, { motivo: 'test' })).toBeUndefined();
    expect(await anpr.prefillProfile(cf)).toBeUndefined();
    // Nobody on a day before Marco was born, either.
    expect(await anpr.generalita(MARCO, { motivo: 'test', date: '1970-01-01' })).toBeUndefined();
  });

  it('composes the prefill profile (names, birth, residence, family) from one C021 call', async () => {
    const anpr = await interop.anprClientFor(tenants.bugliano);
    const before = calls.filter((c) => c.url.includes('anpr-service-e002')).length;
    const profile = await anpr.prefillProfile(MARCO);
    expect(calls.filter((c) => c.url.includes('anpr-service-e002')).length - before).toBe(1);
    expect(calls.at(-1)!.url).toContain('/C021-');
    expect(profile).toMatchObject({ fiscalCode: MARCO, givenName: 'MARCO', familyName: 'BIANCHI', sex: 'M', birthDate: '1978-03-14', birthPlace: { comune: 'PISA', province: 'PI' } });
    expect(profile?.residence).toMatchObject({ kind: 'italy', street: 'VIA ROMA 15', houseNumber: '15' });
    expect(profile?.family.map((m) => m.givenName).sort()).toEqual(['SILVIA', 'SOFIA', 'TOMMASO']);
    expect(profile?.family.every((m) => m.relationship?.description)).toBe(true);
    const family = await anpr.statoFamiglia(MARCO, { motivo: 'test' });
    expect(family?.members[0]?.generalita.codiceFiscale.codFiscale).toBe(MARCO);
    expect(family?.members).toHaveLength(4);
  });

  it('fetches a new voucher and retries once when ANPR answers 401', async () => {
    const connection = (await interop.connections.get(tenants.bugliano.id))!;
    const real = createVoucherSource({ pdndUrl: system.urls.pdnd, clientId: connection.clientId!, kid: connection.kid!, privateKey: (await interop.connections.privateJwk(tenants.bugliano.id))! });
    let handedOut = 0;
    let invalidated = 0;
    const anpr = createAnprClient({
      anprUrl: system.urls.anpr,
      purposes: connection.purposes,
      vouchers: { voucher: async (p) => (handedOut++ === 0 ? 'not.a.voucher' : real.voucher(p)), invalidate: (p) => (invalidated++, real.invalidate(p)) },
    });
    expect((await anpr.generalita(MARCO, { motivo: 'test' }))?.generalita.cognome).toBe('BIANCHI');
    expect([handedOut, invalidated]).toEqual([2, 1]);
    // A voucher refused twice is an error, not a loop.
    const never = createAnprClient({ anprUrl: system.urls.anpr, purposes: connection.purposes, vouchers: async () => 'not.a.voucher' });
    const err = await never.generalita(MARCO, { motivo: 'test' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AnprClientError);
    expect((err as AnprClientError).status).toBe(401);
  });

  it('throws AnprClientError with the problem for a voucher of another e-service (403) and a malformed fiscal code (400)', async () => {
    const connection = (await interop.connections.get(tenants.bugliano.id))!;
    const vouchers = createVoucherSource({ pdndUrl: system.urls.pdnd, clientId: connection.clientId!, kid: connection.kid!, privateKey: (await interop.connections.privateJwk(tenants.bugliano.id))! });
    const crossed = createAnprClient({ anprUrl: system.urls.anpr, vouchers, purposes: { C020: connection.purposes.C015 } });
    const forbidden = await crossed.residenza(MARCO, { motivo: 'test' }).catch((e: unknown) => e);
    expect(forbidden).toMatchObject({ status: 403, eservice: 'C020', problem: { status: 403, type: expect.stringContaining('wrong-audience') } });
    const anpr = await interop.anprClientFor(tenants.bugliano);
    const malformed = await anpr.residenza('BNCMRC78C14G702X', { motivo: 'test' }).catch((e: unknown) => e);
    expect(malformed).toBeInstanceOf(AnprClientError);
    expect((malformed as AnprClientError).problem.errors?.[0]?.pointer).toBe('/body/criteriRicerca/codiceFiscale');
  });
});

describe('Interoperabilità PDND in the back-office', () => {
  it('shows the tenant admin the connection, the public key, and checks it against ANPR', async () => {
    await connectedAtStartUp(tenants.bugliano);
    const client = new WebClient();
    const desk = await staffLogin(client, BUGLIANO, 'tenant_admin');
    expect(desk.html).toContain(`href="/${BUGLIANO}${PAGE}"`);
    const page = await client.visit(`${system.urls.comune}/${BUGLIANO}${PAGE}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('<h1>Interoperabilità PDND</h1>');
    expect(page.html).toContain('data-status="connected"');
    const connection = (await interop.connections.get(tenants.bugliano.id))!;
    expect(page.html).toContain(connection.clientId);
    expect(page.html).toContain(connection.kid);
    expect(page.html).toContain(connection.purposes.C021);
    expect(page.html).toContain('-----BEGIN PUBLIC KEY-----');
    expect(page.html).not.toContain(demoPdndApiKey(system.ctx.secret, tenants.bugliano.ipaCode));

    const bad = await client.submit(page, `${PAGE}/verifica`, { fiscalCode: 'BNCMRC78C14G702X' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('aria-invalid="true"');
    expect(bad.html).toContain('Il codice fiscale non è valido');
    const checked = await client.submit(page, `${PAGE}/verifica`, { fiscalCode: MARCO });
    expect(checked.url.pathname).toBe(`/${BUGLIANO}${PAGE}`);
    expect(checked.html).toMatch(/Collegamento funzionante: ANPR ha risposto con idANPR \d{9}\./);
    const unknown = await client.submit(checked, `${PAGE}/verifica`, { fiscalCode: NOBODY.ok ? NOBODY.value : '' });
    expect(unknown.html).toContain('ANPR non conosce questo codice fiscale');
    const english = await client.visit(`${system.urls.comune}/${BUGLIANO}${PAGE}?lang=en`);
    expect(english.html).toContain('PDND interoperability');
    const audit = await listAudit(system.ctx.database.db, 'comune', { limit: 50 });
    expect(audit.filter((e) => e.action === 'tenant.pdnd.verify' && e.tenantId === tenants.bugliano.id).map((e) => e.details.outcome)).toEqual(expect.arrayContaining(['found', 'not-found']));
  });

  it('shows the error for a wrong API key (and the ente is then not connected), and connects again with the right one', async () => {
    await connectedAtStartUp(tenants.vicopisano);
    const client = new WebClient();
    await staffLogin(client, VICOPISANO, 'tenant_admin');
    const page = await client.visit(`${system.urls.comune}/${VICOPISANO}${PAGE}`);
    const empty = await client.submit(page, `${PAGE}/collega`, { apiKey: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.html).toContain('Inserisci la chiave API della PDND.');
    const wrong = await client.submit(page, `${PAGE}/collega`, { apiKey: `sk_wrongwrong00.${'A'.repeat(43)}` });
    expect(wrong.status).toBe(200);
    expect(wrong.html).toContain('Collegamento non riuscito: la PDND non riconosce la chiave API.');
    expect(wrong.html).toContain('data-status="error"');
    await expect(interop.anprClientFor(tenants.vicopisano)).rejects.toBeInstanceOf(PdndNotConnectedError);
    const right = await client.submit(wrong, `${PAGE}/collega`, { apiKey: demoPdndApiKey(system.ctx.secret, tenants.vicopisano.ipaCode) });
    expect(right.html).toContain('Collegamento riuscito: 6 e-service ANPR disponibili.');
    expect(right.html).toContain('data-status="connected"');
    expect((await (await interop.anprClientFor(tenants.vicopisano)).residenza(MARCO, { motivo: 'test' }))?.generalita.nome).toBe('MARCO');
  });

  it('is refused to operators, citizens, anonymous visitors and the admin of another ente', async () => {
    const before = await interop.connections.get(tenants.vicopisano.id);
    const operator = new WebClient();
    const operatorDesk = await staffLogin(operator, BUGLIANO, 'operator');
    expect(operatorDesk.html).not.toContain(PAGE);
    expect((await operator.visit(`${system.urls.comune}/${BUGLIANO}${PAGE}`)).status).toBe(403);
    // A well-formed post, with the operator's own CSRF token, is refused all the same.
    const csrf = formWithAction(operatorDesk.html, '/backoffice/esci').hidden._csrf!;
    const post = await operator.request(`${system.urls.comune}/${BUGLIANO}${PAGE}/collega`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, apiKey: 'sk_attacker0000.' + 'B'.repeat(43) }),
    });
    expect(post.status).toBe(403);

    const anonymous = new WebClient();
    expect((await anonymous.visit(`${system.urls.comune}/${BUGLIANO}${PAGE}`)).url.pathname).toBe(`/${BUGLIANO}/backoffice/accedi`);

    const citizen = new WebClient();
    const person = identityDemoUsers()[0]!;
    const login = await citizen.visit(`${system.urls.comune}/${BUGLIANO}/auth/spid?idp=sportello-id`);
    let step = await citizen.submit(login, '/password', { username: person.username, password: person.password });
    step = await citizen.submit(step, '/otp', { code: totpCode(person.totpSecret), action: 'verify' });
    const area = await citizen.submit(step, '/consent', { decision: 'approve' });
    expect(area.url.pathname).toBe(`/${BUGLIANO}/area-personale`);
    const seen = await citizen.visit(`${system.urls.comune}/${BUGLIANO}${PAGE}`);
    expect(seen.url.pathname).toBe(`/${BUGLIANO}/backoffice/accedi`);
    expect(seen.html).not.toContain('Interoperabilità PDND</h1>');

    const adminA = new WebClient();
    const deskA = await staffLogin(adminA, BUGLIANO, 'tenant_admin');
    expect((await adminA.visit(`${system.urls.comune}/${VICOPISANO}${PAGE}`)).status).toBe(403);
    const tokenA = formWithAction(deskA.html, '/backoffice/esci').hidden._csrf!;
    for (const action of ['collega', 'verifica']) {
      const response = await adminA.request(`${system.urls.comune}/${VICOPISANO}${PAGE}/${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: tokenA, apiKey: demoPdndApiKey(system.ctx.secret, tenants.bugliano.ipaCode), fiscalCode: MARCO }),
      });
      expect(response.status).toBe(403);
    }
    expect(await interop.connections.get(tenants.vicopisano.id)).toEqual(before);
  });
});
