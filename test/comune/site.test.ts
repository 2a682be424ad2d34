// The whole system answers: every app's health and OpenAPI document, the comune sites with their
// Design Comuni markers, languages, and a 404 page for an unknown ente.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_NAMES } from '../../src/core/config.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient } from '../support/web-client.ts';

let system: TestSystem;
beforeAll(async () => {
  system = await startSystem();
});
afterAll(() => system?.stop());

describe('the running system', () => {
  it.each(APP_NAMES)('%s answers /health and publishes an OpenAPI 3 document with a reference page', async (app) => {
    const health = await fetch(`${system.urls[app]}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', app, checks: { database: 'ok' } });
    const openapi = (await (await fetch(`${system.urls[app]}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(openapi.openapi).toMatch(/^3\./);
    expect(openapi.paths).toHaveProperty('/health');
    expect((await fetch(`${system.urls[app]}/docs/`)).status).toBe(200);
  });

  it('serves each ente at its own address with the Design Comuni markers and security headers', async () => {
    const home = await fetch(`${system.urls.comune}/comune-di-bugliano/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(home.headers.get('x-request-id')).toBeTruthy();
    const html = await home.text();
    expect(html).toContain('<html lang="it">');
    for (const marker of ['personal-area-login', 'privacy-policy-link', 'legal-notes', 'accessibility-link']) {
      expect(html).toContain(`data-element="${marker}"`);
    }
    expect(html).toContain('/assets/bootstrap-italia/css/bootstrap-italia.min.css');
    expect((await fetch(`${system.urls.comune}/assets/bootstrap-italia/css/bootstrap-italia.min.css`)).status).toBe(200);
    const other = await (await fetch(`${system.urls.comune}/comune-di-vicopisano-demo/`)).text();
    expect(other).toContain('Comune di Vicopisano (demo)');
    expect(other).not.toContain('Comune di Bugliano');
  });

  it('links the FAQ and the inefficiency report from the footer with the labels the validator reads, and rates the home page', async () => {
    const home = await (await fetch(`${system.urls.comune}/comune-di-bugliano/`)).text();
    const footer = home.slice(home.indexOf('<footer'));
    expect(footer).toContain('href="/comune-di-bugliano/faq" data-element="faq">Leggi le FAQ</a>');
    expect(footer).toContain('href="/comune-di-bugliano/segnala-disservizio" data-element="report-inefficiency">Segnalazione disservizio</a>');
    expect(home).toMatch(/data-element="main-navigation">[\s\S]*?href="\/comune-di-bugliano\/servizi" data-element="all-services">Servizi</);
    for (const marker of ['feedback', 'feedback-title', 'feedback-rating-positive', 'feedback-rating-negative', 'feedback-input-text']) {
      expect(home).toContain(`data-element="${marker}"`);
    }
    expect(home).toContain('<script src="/assets/sportello/feedback.js" defer></script>');
    expect((await fetch(`${system.urls.comune}/assets/sportello/feedback.js`)).status).toBe(200);

    const faq = await (await fetch(`${system.urls.comune}/comune-di-bugliano/faq`)).text();
    expect(faq).toContain('<h1>Domande frequenti (FAQ)</h1>');
    expect(faq).toContain('data-element="feedback"');
    const report = await fetch(`${system.urls.comune}/comune-di-bugliano/segnala-disservizio`);
    expect(report.status).toBe(200);
    const reportHtml = await report.text();
    expect(reportHtml).toContain('non è ancora disponibile');
    expect(reportHtml).toMatch(/href="mailto:[^"?]+\?subject=Segnalazione%20disservizio"/);
    // Legal pages are not rated; the legal notes keep their markers.
    const notes = await (await fetch(`${system.urls.comune}/comune-di-bugliano/note-legali`)).text();
    expect(notes).not.toContain('data-element="feedback"');
    expect(notes).toContain('data-element="legal-notes-section">Licenza dei contenuti</h2>');
    expect(notes).toMatch(/data-element="legal-notes-body">In applicazione del principio open by default ai sensi dell’articolo 52 [^<]+ senza apporre restrizioni aggiuntive\.<\/p>/);
  });

  it('switches language with ?lang= and remembers it in a cookie', async () => {
    const client = new WebClient();
    const english = await client.visit(`${system.urls.comune}/comune-di-bugliano/?lang=en`);
    expect(english.html).toContain('<html lang="en">');
    expect(english.html).toContain('Log in to your personal area');
    const next = await client.visit(`${system.urls.comune}/comune-di-bugliano/privacy`);
    expect(next.html).toContain('Privacy notice');
    const german = await new WebClient('de-DE,de;q=0.9').visit(`${system.urls.comune}/comune-di-bugliano/`);
    expect(german.html).toContain('Zum persönlichen Bereich anmelden');
  });

  it('shows a 404 page for an unknown ente and problem+json to API clients', async () => {
    const page = await fetch(`${system.urls.comune}/comune-che-non-esiste/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('La pagina che cerchi non esiste');
    const api = await fetch(`${system.urls.comune}/comune-che-non-esiste/api/v1/me`, { headers: { accept: 'application/json' } });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
    expect(await api.json()).toMatchObject({ status: 404, title: 'Not Found' });
  });

  it('publishes the relying-party Entity Configuration of the comune platform', async () => {
    const response = await fetch(`${system.urls.comune}/.well-known/openid-federation`);
    expect(response.headers.get('content-type')).toContain('application/entity-statement+jwt');
    const [header, payload] = (await response.text()).split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toMatchObject({ typ: 'entity-statement+jwt', alg: 'RS256' });
    expect(payload.iss).toBe(`${system.urls.comune}/`);
    expect(payload.metadata.openid_relying_party.token_endpoint_auth_method).toBe('private_key_jwt');
  });

  it('limits the body size of requests', async () => {
    const response = await fetch(`${system.urls.comune}/api/v1/tenants`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('rate limits', () => {
  it('cannot be dodged with a forged X-Forwarded-For when no proxy is trusted', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) {
      const response = await fetch(`${system.urls.comune}/comune-di-bugliano/backoffice/accedi`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': `198.51.100.${i}` },
        body: 'email=a%40b.it&password=x',
      });
      statuses.push(response.status);
    }
    // 20 login attempts a minute per client address; the forged header does not make new clients.
    expect(statuses.slice(0, 20).every((s) => s === 403)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
  });
});

describe('identifier checks', () => {
  const get = async (path: string) => {
    const response = await fetch(`${system.urls.comune}${path}`);
    return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, any> };
  };

  it('decodes a valid codice fiscale, omocodia included', async () => {
    expect((await get('/api/v1/checks/codice-fiscale/RSSMRA85T10A562S')).body).toMatchObject({ sex: 'M', birthDate: '1985-12-10', birthplaceCode: 'A562', omocodia: false });
    expect((await get('/api/v1/checks/codice-fiscale/GLLDVD71D19D96VD')).body).toMatchObject({ omocodia: true, birthplaceCode: 'D969' });
  });

  it('names the field and the reason of a malformed codice fiscale', async () => {
    const wrongCheck = await get('/api/v1/checks/codice-fiscale/RSSMRA85T10A562X');
    expect(wrongCheck.status).toBe(400);
    expect(wrongCheck.type).toContain('application/problem+json');
    expect(wrongCheck.body.errors).toEqual([expect.objectContaining({ pointer: '/params/code', code: 'invalid-check-character' })]);
    expect((await get('/api/v1/checks/codice-fiscale/ABC')).body.errors[0].code).toBe('invalid-length');
  });

  it('checks IBANs', async () => {
    expect((await get('/api/v1/checks/iban/IT60X0542811101000000123456')).body).toMatchObject({ formatted: 'IT60 X054 2811 1010 0000 0123 456', countryCode: 'IT' });
    const bad = await get('/api/v1/checks/iban/IT61X0542811101000000123456');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ pointer: '/params/iban', code: 'invalid-checksum' });
  });
});
