// A citizen logs in to a comune with SPID or CIE over real HTTP (comune ⇄ identity), sees the
// personal area, edits contacts (bad input refused), and logs out. Isolation between entes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/core/auth/totp.ts';
import { identityDemoUsers } from '../../src/platforms/identity/users.ts';
import { listAudit } from '../../src/core/audit.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient, type Visit } from '../support/web-client.ts';

const BUGLIANO = 'comune-di-bugliano';
const OTHER = 'comune-di-vicopisano-demo';
const user = identityDemoUsers()[0]!;

let system: TestSystem;
beforeAll(async () => {
  system = await startSystem({ apps: ['mail', 'identity', 'comune'], env: { LOGIN_RATE_LIMIT: '1000' } });
  console.info(`[citizen e2e] database: ${system.databaseKind}`);
});
afterAll(() => system?.stop());

/** The whole SPID L2 journey: button → IdP password → TOTP → consent → personal area. */
export async function spidLogin(client: WebClient, tenant: string, person = user): Promise<Visit> {
  const loginPage = await client.visit(`${system.urls.comune}/${tenant}/auth/spid?idp=sportello-id`);
  expect(loginPage.url.origin).toBe(new URL(system.urls.identity).origin);
  let page = await client.submit(loginPage, '/password', { username: person.username, password: person.password });
  expect(page.html).toContain('name="code"');
  page = await client.submit(page, '/otp', { code: totpCode(person.totpSecret), action: 'verify' });
  return client.submit(page, '/consent', { decision: 'approve' });
}

describe('citizen login and personal area', () => {
  it('logs in with SPID L2 and lands in the personal area with the identity data', async () => {
    const client = new WebClient();
    const area = await spidLogin(client, BUGLIANO);
    expect(area.status).toBe(200);
    expect(area.url.pathname).toBe(`/${BUGLIANO}/area-personale`);
    expect(area.html).toContain(`Ciao, ${user.givenName}`);
    expect(area.html).toContain(user.fiscalCode);
    expect(area.html).toContain('livello 2');
    expect(area.html).toContain('Pisa (PI)');
    const entries = await listAudit(system.ctx.database.db, 'comune', { limit: 20 });
    expect(entries.some((e) => e.action === 'citizen.login' && e.actorId === user.fiscalCode)).toBe(true);
  });

  it('refuses bad contacts next to the field, in the user language, and saves good ones', async () => {
    const client = new WebClient();
    const area = await spidLogin(client, BUGLIANO);
    const bad = await client.submit(area, '/area-personale/contatti', { email: 'not-an-email', phone: '12' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('aria-invalid="true"');
    expect(bad.html).toContain('Inserisci un indirizzo e-mail valido');
    expect(bad.html).toContain('Inserisci un numero di telefono valido');
    const good = await client.submit(bad, '/area-personale/contatti', { email: 'Nuovo.Indirizzo@Example.it', phone: '+39 333 123 4567' });
    expect(good.status).toBe(200);
    expect(good.html).toContain('Le modifiche sono state salvate.');
    expect(good.html).toContain('nuovo.indirizzo@example.it');
    expect(good.html).toContain('+393331234567');
  });

  it('sends a verification link to a new e-mail address, by real SMTP, and marks it verified when followed', async () => {
    const client = new WebClient();
    const area = await spidLogin(client, BUGLIANO, identityDemoUsers()[1]!);
    const address = `verifica.${Date.now()}@example.it`;
    const saved = await client.submit(area, '/area-personale/contatti', { email: address, phone: '' });
    expect(saved.html).toContain('Ti abbiamo inviato un');
    expect(saved.html).toContain('Indirizzo non ancora verificato');
    let summary: { id: number; subject: string } | undefined;
    for (let i = 0; i < 50 && !summary; i++) {
      const list = (await (await fetch(`${system.urls.mail}/api/messages?to=${encodeURIComponent(address)}`)).json()) as { messages: { id: number; subject: string }[] };
      summary = list.messages[0];
      if (!summary) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(summary?.subject).toBe('Comune di Bugliano: conferma il tuo indirizzo e-mail');
    const mail = (await (await fetch(`${system.urls.mail}/api/messages/${summary!.id}`)).json()) as { text: string };
    const link = /https?:\/\/\S+verifica-email\S+/.exec(mail.text)![0];
    const tampered = await client.visit(link.replace(/s=[^&]+/, 's=forged'));
    expect(tampered.status).toBe(400);
    const verified = await client.visit(link);
    expect(verified.url.pathname).toBe(`/${BUGLIANO}/area-personale`);
    expect(verified.html).toContain('Il tuo indirizzo e-mail è stato verificato.');
    expect(verified.html).toContain('Indirizzo verificato.');
  });

  it('refuses a form without its CSRF token (403) and changes nothing', async () => {
    const client = new WebClient();
    const area = await spidLogin(client, BUGLIANO);
    const refused = await client.submit(area, '/area-personale/contatti', { email: 'csrf@example.it' }, { omitCsrf: true });
    expect(refused.status).toBe(403);
    const again = await client.visit(`${system.urls.comune}/${BUGLIANO}/area-personale`);
    expect(again.html).not.toContain('csrf@example.it');
  });

  it('answers the JSON API with problem+json naming the invalid field', async () => {
    const client = new WebClient();
    await spidLogin(client, BUGLIANO);
    const me = await client.request(`${system.urls.comune}/${BUGLIANO}/api/v1/me`, { headers: { accept: 'application/json' } });
    expect(me.status).toBe(200);
    const profile = (await me.json()) as { fiscalCode: string; csrfToken: string };
    expect(profile.fiscalCode).toBe(user.fiscalCode);
    const put = (body: object, token?: string) =>
      client.request(`${system.urls.comune}/${BUGLIANO}/api/v1/me/contacts`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'accept-language': 'en', ...(token ? { 'x-csrf-token': token } : {}) },
        body: JSON.stringify(body),
      });
    const noToken = await put({ email: 'a@example.it', phone: null });
    expect(noToken.status).toBe(403);
    expect(noToken.headers.get('content-type')).toContain('application/problem+json');
    const badPhone = await put({ email: 'a@example.it', phone: 'abc' }, profile.csrfToken);
    expect(badPhone.status).toBe(400);
    const problem = (await badPhone.json()) as { status: number; errors: { pointer: string; detail: string }[] };
    expect(problem.status).toBe(400);
    expect(problem.errors).toEqual([expect.objectContaining({ pointer: '/body/phone', code: 'format' })]);
    const badShape = await put({ email: { address: 'a@example.it' } }, profile.csrfToken);
    expect(badShape.status).toBe(400);
    expect(((await badShape.json()) as { errors: { pointer: string }[] }).errors.map((e) => e.pointer)).toEqual(
      expect.arrayContaining(['/body/email', '/body/phone']),
    );
    const ok = await put({ email: 'api@example.it', phone: '050 123456' }, profile.csrfToken);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { email: string }).email).toBe('api@example.it');
  });

  it("does not carry a citizen's login to another ente", async () => {
    const client = new WebClient();
    await spidLogin(client, BUGLIANO);
    const other = await client.visit(`${system.urls.comune}/${OTHER}/area-personale`);
    expect(other.url.pathname).toBe(`/${OTHER}/accedi`);
    const api = await client.request(`${system.urls.comune}/${OTHER}/api/v1/me`, { headers: { accept: 'application/json' } });
    expect(api.status).toBe(401);
  });

  it('logs in with CIE at level 3 (card and PIN)', async () => {
    const client = new WebClient();
    const login = await client.visit(`${system.urls.comune}/${BUGLIANO}/auth/cie?level=3`);
    const consent = await client.submit(login, '/card', { cardNumber: user.cardNumber, pin: user.pin });
    const area = await client.submit(consent, '/consent', { decision: 'approve' });
    expect(area.url.pathname).toBe(`/${BUGLIANO}/area-personale`);
    expect(area.html).toContain('CIE');
    expect(area.html).toContain('livello 3');
  });

  it('shows the login page again with a message when the citizen denies consent', async () => {
    const client = new WebClient();
    const loginPage = await client.visit(`${system.urls.comune}/${BUGLIANO}/auth/spid?idp=sportello-id`);
    let page = await client.submit(loginPage, '/password', { username: user.username, password: user.password });
    page = await client.submit(page, '/otp', { code: totpCode(user.totpSecret), action: 'verify' });
    const denied = await client.submit(page, '/consent', { decision: 'deny' });
    expect(denied.status).toBe(401);
    expect(denied.url.pathname).toBe('/auth/callback');
    expect(denied.html).toContain('accesso è stato annullato o negato.');
  });

  it('logs out at the comune and at the identity provider', async () => {
    const client = new WebClient();
    const area = await spidLogin(client, BUGLIANO);
    const confirm = await client.submit(area, '/esci', {});
    expect(confirm.url.pathname).toBe('/oidc/spid/session/end');
    const home = await client.submit(confirm, '/session/end/confirm', { logout: 'yes' });
    expect(home.url.pathname).toBe(`/${BUGLIANO}/`);
    const again = await client.visit(`${system.urls.comune}/${BUGLIANO}/area-personale`);
    expect(again.url.pathname).toBe(`/${BUGLIANO}/accedi`);
  });
});
