// Operators, tenant admins and platform admins: login (password, TOTP, throttling), creating entes
// and accounts (bad input refused, nothing half-written), and isolation between entes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/core/auth/totp.ts';
import { createApiKey } from '../../src/core/auth/api-keys.ts';
import { sql } from '../../src/core/db.ts';
import { DEMO_STAFF } from '../../src/comune/seed.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient, type Visit } from '../support/web-client.ts';
import { formWithAction } from '../support/cookie-jar.ts';

const BUGLIANO = 'comune-di-bugliano';
const OTHER = 'comune-di-vicopisano-demo';
const staffOf = (tenant: string | null, role: string) => DEMO_STAFF.find((s) => s.tenantSlug === tenant && s.role === role)!;

let system: TestSystem;
beforeAll(async () => {
  system = await startSystem({ apps: ['comune'], env: { LOGIN_RATE_LIMIT: '1000' } });
});
afterAll(() => system?.stop());

async function staffLogin(client: WebClient, tenant: string | null, person = staffOf(tenant, 'tenant_admin')): Promise<Visit> {
  const path = tenant ? `/${tenant}/backoffice/accedi` : '/admin/accedi';
  const form = await client.visit(`${system.urls.comune}${path}`);
  let page = await client.submit(form, path, { email: person.email, password: person.password });
  if (person.totpSecret) page = await client.submit(page, `${path}/totp`, { code: totpCode(person.totpSecret) });
  return page;
}

const count = async (table: string) => Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(`comune.${table}`)}`.execute(system.ctx.database.db)).rows[0]!.n);

describe('staff', () => {
  it('logs an operator in with password and TOTP, and shows only their ente', async () => {
    const client = new WebClient();
    const desk = await staffLogin(client, BUGLIANO, staffOf(BUGLIANO, 'operator'));
    expect(desk.url.pathname).toBe(`/${BUGLIANO}/backoffice`);
    expect(desk.html).toContain('Marco Neri, operatore di Comune di Bugliano');
    const other = await client.visit(`${system.urls.comune}/${OTHER}/backoffice`);
    expect(other.status).toBe(403);
    const operators = await client.visit(`${system.urls.comune}/${BUGLIANO}/backoffice/operatori`);
    expect(operators.status).toBe(403);
  });

  it("refuses an account of another ente at an ente's login page, as a wrong password", async () => {
    const client = new WebClient();
    const page = await staffLogin(client, OTHER, staffOf(BUGLIANO, 'tenant_admin'));
    expect(page.status).toBe(401);
    expect(page.html).toContain('E-mail o password non corretti.');
  });

  it('rejects a wrong TOTP code', async () => {
    const client = new WebClient();
    const person = staffOf(BUGLIANO, 'operator');
    const form = await client.visit(`${system.urls.comune}/${BUGLIANO}/backoffice/accedi`);
    const totp = await client.submit(form, `/${BUGLIANO}/backoffice/accedi`, { email: person.email, password: person.password });
    const wrong = await client.submit(totp, `/${BUGLIANO}/backoffice/accedi/totp`, { code: '000000' === totpCode(person.totpSecret!) ? '111111' : '000000' });
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain('Il codice di verifica non è corretto.');
  });

  it('rate-limits an account after 5 wrong passwords, then lets it in after the wait', async () => {
    const client = new WebClient();
    const person = staffOf(OTHER, 'operator');
    const path = `/${OTHER}/backoffice/accedi`;
    const form = await client.visit(`${system.urls.comune}${path}`);
    const statuses: number[] = [];
    let last = form;
    for (let i = 0; i < 5; i++) {
      last = await client.submit(form, path, { email: person.email, password: 'wrong-password' });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    expect(last.html).toMatch(/riprova tra \d+ secondi/);
    // Even the right password waits while the account is throttled.
    const right = await client.submit(form, path, { email: person.email, password: person.password });
    expect(right.status).toBe(429);
    // Not locked forever: once the wait is over the account logs in.
    await sql`update comune.login_throttle set locked_until = now() - interval '1 second' where account = ${person.email}`.execute(system.ctx.database.db);
    const after = await client.submit(form, path, { email: person.email, password: person.password });
    expect(after.url.pathname).toBe(`/${OTHER}/backoffice`);
  });

  it('refuses a login form without CSRF token', async () => {
    const client = new WebClient();
    const person = staffOf(BUGLIANO, 'tenant_admin');
    const form = await client.visit(`${system.urls.comune}/${BUGLIANO}/backoffice/accedi`);
    const refused = await client.submit(form, `/${BUGLIANO}/backoffice/accedi`, { email: person.email, password: person.password }, { omitCsrf: true });
    expect(refused.status).toBe(403);
  });

  it('lets a tenant admin create an operator (bad input re-shown, duplicates refused) and see the audit log', async () => {
    const client = new WebClient();
    const desk = await staffLogin(client, BUGLIANO);
    expect(desk.html).toContain('Giulia Ferri, amministratore di Comune di Bugliano');
    const page = await client.visit(`${system.urls.comune}/${BUGLIANO}/backoffice/operatori`);
    const before = await count('staff_users');
    const bad = await client.submit(page, '/backoffice/operatori', { givenName: 'Anna', familyName: 'Verdi', email: 'anna', password: 'short', role: 'operator' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('La password deve avere almeno 12 caratteri.');
    expect(bad.html).toContain('id="field-email-error"');
    expect(await count('staff_users')).toBe(before);
    const ok = await client.submit(page, '/backoffice/operatori', { givenName: 'Anna', familyName: 'Verdi', email: 'anna.verdi@comune.bugliano.pi.it', password: 'una-password-lunga', role: 'operator', totp: '1' });
    expect(ok.status).toBe(201);
    const secret = /mostrata una sola volta\): ([A-Z2-7]+)/.exec(ok.html)?.[1];
    expect(secret).toBeDefined();
    const duplicate = await client.submit(page, '/backoffice/operatori', { givenName: 'Anna', familyName: 'Verdi', email: 'anna.verdi@comune.bugliano.pi.it', password: 'una-password-lunga', role: 'operator' });
    expect(duplicate.status).toBe(409);
    const anna = new WebClient();
    const annaDesk = await staffLogin(anna, BUGLIANO, { tenantSlug: BUGLIANO, role: 'operator', email: 'anna.verdi@comune.bugliano.pi.it', givenName: 'Anna', familyName: 'Verdi', password: 'una-password-lunga', totpSecret: secret });
    expect(annaDesk.url.pathname).toBe(`/${BUGLIANO}/backoffice`);
    const log = await client.visit(`${system.urls.comune}/${BUGLIANO}/backoffice/registro-attivita`);
    expect(log.html).toContain('staff.create');
    expect(log.html).not.toContain(OTHER);
  });

  it('lets the platform admin create an ente, refusing invalid fields by name', async () => {
    const client = new WebClient();
    const admin = await staffLogin(client, null, staffOf(null, 'platform_admin'));
    expect(admin.url.pathname).toBe('/admin');
    const before = await count('tenants');
    const bad = await client.submit(admin, '/admin/enti', { name: 'Comune di Prova', slug: 'Comune Prova', ipaCode: 'c_x', fiscalCode: '80000990508', istatCode: '999999' });
    expect(bad.status).toBe(400);
    for (const field of ['slug', 'fiscalCode', 'istatCode']) expect(bad.html).toContain(`id="field-${field}-error"`);
    expect(await count('tenants')).toBe(before);
    const ok = await client.submit(admin, '/admin/enti', { name: 'Comune di Calci', slug: 'comune-di-calci', ipaCode: 'c_b390', fiscalCode: '80000030504', istatCode: '050003' });
    expect(ok.status, ok.html.match(/alert[^<]*<[^<]*/g)?.join()).toBe(201);
    const site = await client.visit(`${system.urls.comune}/comune-di-calci/`);
    expect(site.status).toBe(200);
    expect(site.html).toContain('Comune di Calci');
    const operator = new WebClient();
    await staffLogin(operator, BUGLIANO, staffOf(BUGLIANO, 'operator'));
    expect((await operator.visit(`${system.urls.comune}/admin`)).status).toBe(403);
  });

  it('creates entes through the API only with a platform key allowed to', async () => {
    const db = system.ctx.database.db;
    const writer = await createApiKey(db, 'comune', { ownerType: 'platform', ownerId: 'platform', label: 'test', scopes: ['tenants:write'] });
    const reader = await createApiKey(db, 'comune', { ownerType: 'platform', ownerId: 'platform', label: 'test', scopes: ['tenants:read'] });
    const post = (body: object, key?: string) =>
      fetch(`${system.urls.comune}/api/v1/tenants`, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) }, body: JSON.stringify(body) });
    const body = { slug: 'comune-di-cascina', name: 'Comune di Cascina', ipaCode: 'c_b950', fiscalCode: '80000080509', istatCode: '050008' };
    expect((await post(body)).status).toBe(401);
    expect((await post(body, 'sk_aaaaaaaaaaaa.' + 'x'.repeat(43))).status).toBe(401);
    expect((await post(body, reader.key)).status).toBe(403);
    const bad = await post({ ...body, fiscalCode: '12345678901', pec: 'nope' }, writer.key);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await bad.json()) as { errors: { pointer: string }[] };
    expect(problem.errors.map((e) => e.pointer).sort()).toEqual(['/body/fiscalCode', '/body/pec']);
    const created = await post(body, writer.key);
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/api/v1/tenants/comune-di-cascina');
    expect((await post(body, writer.key)).status).toBe(409);
    const list = (await (await fetch(`${system.urls.comune}/api/v1/tenants`)).json()) as { slug: string }[];
    expect(list.map((x) => x.slug)).toEqual(expect.arrayContaining([BUGLIANO, OTHER, 'comune-di-cascina']));
  });

  it("lets a tenant admin change the ente's colour, languages, contacts and logo, checking each", async () => {
    const client = new WebClient();
    await staffLogin(client, OTHER);
    const page = await client.visit(`${system.urls.comune}/${OTHER}/backoffice/ente`);
    expect(page.status).toBe(200);
    const fields = { name: 'Comune di Vicopisano (demo)', primaryColor: '#8a1538', email: 'urp@demo.comune.vicopisano.example', pec: '', phone: '', website: '', street: 'Via del Pretorio 1', postcode: '56010', accessibilityUrl: '', parentEntity: 'Regione Toscana' };
    const unreadable = await client.submit(page, '/backoffice/ente', { ...fields, primaryColor: '#ffff00', phone: 'abc' });
    expect(unreadable.status).toBe(400);
    expect(unreadable.html).toContain('id="field-primaryColor-error"');
    expect(unreadable.html).toContain('id="field-phone-error"');
    const saved = await client.submit(page, '/backoffice/ente', { ...fields, primaryColor: '#1b5e20', languages: 'de', phone: '050 799111' });
    expect(saved.status).toBe(200);
    expect(await (await fetch(`${system.urls.comune}/${OTHER}/theme.css`)).text()).toContain('#1b5e20');
    const site = await (await fetch(`${system.urls.comune}/${OTHER}/`)).text();
    expect(site).toContain('hreflang="de"');
    expect(site).not.toContain('hreflang="en"');
    expect(site).toContain('050 799111');

    const upload = async (svg: string) => {
      const form = formWithAction(saved.html, '/backoffice/ente/logo');
      const body = new FormData();
      body.set('_csrf', form.hidden._csrf!);
      body.set('logo', new Blob([svg], { type: 'image/svg+xml' }), 'stemma.svg');
      return client.request(`${system.urls.comune}/${OTHER}/backoffice/ente/logo`, { method: 'POST', body });
    };
    expect((await upload('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')).status).toBe(400);
    expect((await upload('<svg onload="alert(1)"></svg>')).status).toBe(400);
    expect((await upload('not an svg')).status).toBe(400);
    const logo = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#1b5e20"/></svg>';
    expect((await upload(logo)).status).toBe(200);
    const served = await fetch(`${system.urls.comune}/${OTHER}/logo.svg`);
    expect(await served.text()).toBe(logo);
    expect(served.headers.get('content-security-policy')).toContain('sandbox');

    const operator = new WebClient();
    await staffLogin(operator, OTHER, staffOf(OTHER, 'operator'));
    expect((await operator.visit(`${system.urls.comune}/${OTHER}/backoffice/ente`)).status).toBe(403);
    const bugliano = new WebClient();
    await staffLogin(bugliano, BUGLIANO);
    expect((await bugliano.visit(`${system.urls.comune}/${OTHER}/backoffice/ente`)).status).toBe(403);
  });
});
