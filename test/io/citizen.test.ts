// The IO citizen app over HTTP with a cookie jar: SPID login at the identity platform, the onboarding that creates
// the profile, optimistic versions (409), per-service preferences and their 409s, messages only one's own, archive
// and read, the e-mail validation link through the mail catcher, the pages, and the PWA files.
import { createECDH, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { ulid } from '../../src/core/ulid.ts';
import { identityDemoUsers } from '../../src/platforms/identity/users.ts';
import { fiscalCodeHash } from '../../src/platforms/io/citizen/profiles.ts';
import { createOrganization, createService, type Service } from '../../src/platforms/io/services/store.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient } from '../support/web-client.ts';
import { onboardedCitizen, signInToApp } from './support.ts';

const person = (fiscalCode: string) => identityDemoUsers().find((u) => u.fiscalCode === fiscalCode)!;
const FRANCESCA = person('SPSFNC88A70F839U');
const LORENZO = person('RCCLNZ14E18D612Y');
const DAVIDE = person('GLLDVD71D19D96VD');

let system: TestSystem;
let base: string;
let service: Service;
let hidden: Service;

interface Citizen {
  client: WebClient;
  csrf: string;
  api(method: string, path: string, body?: unknown, options?: { csrf?: boolean }): Promise<{ status: number; json: any; type: string | null }>;
}

const signIn = (who: ReturnType<typeof person>) => signInToApp(base, who);

/** Signed in and onboarded: the client and the session's CSRF token for the JSON API. */
async function citizen(who: ReturnType<typeof person>): Promise<Citizen> {
  const { client, csrf } = await onboardedCitizen(base, who);
  return {
    client,
    csrf,
    async api(method, path, body, options = {}) {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (options.csrf !== false) headers['x-csrf-token'] = csrf;
      const response = await client.request(`${base}/app/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await response.text();
      return { status: response.status, json: text ? JSON.parse(text) : undefined, type: response.headers.get('content-type') };
    },
  };
}

/** A PROCESSED message in the citizen's inbox from the test service. */
async function deliver(fiscalCode: string, subject: string, extra: Record<string, unknown> = {}): Promise<string> {
  const id = ulid();
  const content = { subject, markdown: `# ${subject}\n\nTesto del messaggio di prova, abbastanza lungo da superare gli ottanta caratteri richiesti da IO.`, ...extra };
  await sql`insert into io.messages (id, fiscal_code, sender_service_id, time_to_live, content, status, processed_at)
    values (${id}, ${fiscalCode}, ${service.serviceId}, 3600, ${JSON.stringify(content)}::jsonb, 'PROCESSED', now())`.execute(system.ctx.database.db);
  return id;
}

async function events(fiscalCode: string): Promise<{ service_id: string; kind: string }[]> {
  const { rows } = await sql<{ service_id: string; kind: string }>`select service_id, kind from io.subscription_events where fiscal_code_hash = ${fiscalCodeHash(fiscalCode)} order by at`.execute(system.ctx.database.db);
  return rows;
}

beforeAll(async () => {
  system = await startSystem({ apps: ['mail', 'identity', 'io'], env: { LOGIN_RATE_LIMIT: '1000', LOG_LEVEL: 'error' } });
  base = system.urls.io;
  const db = system.ctx.database.db;
  await createOrganization(db, { fiscalCode: '09999999991', name: 'Comune di Prova' });
  const metadata = { scope: 'LOCAL' as const, description: 'Avvisi del comune di prova.', email: 'urp@prova.example.it', privacy_url: 'https://prova.example.it/privacy' };
  service = await createService(db, system.ctx.secret, { organizationFiscalCode: '09999999991', serviceName: 'Tributi', departmentName: 'Ufficio tributi', isVisible: true, isTestMode: false, metadata });
  hidden = await createService(db, system.ctx.secret, { organizationFiscalCode: '09999999991', serviceName: 'Servizio nascosto', departmentName: 'Ufficio interno', isVisible: false, isTestMode: false, metadata });
}, 120_000);
afterAll(async () => system?.stop());

describe('onboarding', () => {
  it('a first login asks to accept the terms, then creates an AUTO profile and joins the subscriptions feed', async () => {
    const { client, page } = await signIn(FRANCESCA);
    expect(page.url.pathname).toBe('/app/benvenuto');
    const refused = await client.submit(page, '/app/benvenuto', {});
    expect(refused.status).toBe(400);
    const inbox = await client.submit(page, '/app/benvenuto', { accept: 'yes' });
    expect(inbox.url.pathname).toBe('/app/messaggi');
    const { rows } = await sql<Record<string, unknown>>`select * from io.profiles where fiscal_code = ${FRANCESCA.fiscalCode}`.execute(system.ctx.database.db);
    // The e-mail SPID asserted, still to validate.
    expect(rows[0]).toMatchObject({ email: 'francesca.esposito@example.it', service_preferences_mode: 'AUTO', service_preferences_version: 0, is_inbox_enabled: true, is_email_validated: false, accepted_tos_version: 1, preferred_languages: ['it_IT'], version: 0 });
    expect(await events(FRANCESCA.fiscalCode)).toEqual([{ service_id: '', kind: 'SUBSCRIBED' }]);
    // Signed in again: straight to the inbox.
    expect((await signIn(FRANCESCA)).page.url.pathname).toBe('/app/messaggi');
  });

  it('nobody signed in is sent to the login page; the API answers 401', async () => {
    const anonymous = new WebClient();
    const login = await anonymous.visit(`${base}/app/profilo`);
    expect(login.url.pathname).toBe('/app/accedi');
    expect(login.html).toContain('Entra con SPID');
    const response = await anonymous.request(`${base}/app/api/v1/profile`, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('signing out ends the login at the provider too and comes back to the login page', async () => {
    const c = await citizen(FRANCESCA);
    const inbox = await c.client.visit(`${base}/app/messaggi`);
    const confirm = await c.client.submit(inbox, '/app/esci', {});
    expect(confirm.url.pathname).toBe('/oidc/spid/session/end');
    const back = await c.client.submit(confirm, '/session/end/confirm', { logout: 'yes' });
    expect(`${back.url.origin}${back.url.pathname}`).toBe(`${base}/app/accedi`);
    expect((await c.client.visit(`${base}/app/messaggi`)).url.pathname).toBe('/app/accedi');
  });
});

describe('profile API', () => {
  it('updates carry the version read: a stale one is 409, writes need the CSRF header', async () => {
    const c = await citizen(FRANCESCA);
    const read = await c.api('GET', '/profile');
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ fiscal_code: FRANCESCA.fiscalCode, service_preferences_settings: { mode: 'AUTO' }, is_inbox_enabled: true });
    expect((await c.api('POST', '/profile', { version: read.json.version, is_webhook_enabled: false }, { csrf: false })).status).toBe(403);
    const updated = await c.api('POST', '/profile', { version: read.json.version, email: 'francesca.nuova@example.it', preferred_languages: ['en_GB'] });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ version: read.json.version + 1, email: 'francesca.nuova@example.it', is_email_validated: false, preferred_languages: ['en_GB'] });
    const stale = await c.api('POST', '/profile', { version: read.json.version, is_email_enabled: false });
    expect(stale.status).toBe(409);
    expect(stale.type).toContain('application/problem+json');
    const invalid = await c.api('POST', '/profile', { version: updated.json.version, email: 'not-an-email' });
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(invalid.json)).toContain('/body/email');
  });
});

describe('service preferences', () => {
  it('AUTO lets a service in until turned off; a stale settings_version and LEGACY are 409; MANUAL starts with everything off', async () => {
    const c = await citizen(LORENZO);
    const path = `/services/${service.serviceId}/preferences`;
    expect((await c.api('GET', path)).json).toEqual({ is_inbox_enabled: true, is_email_enabled: true, is_webhook_enabled: true, settings_version: 0, can_access_message_read_status: true });
    expect((await c.api('GET', `/services/${hidden.serviceId}/preferences`)).status).toBe(404);
    const off = { is_inbox_enabled: false, is_email_enabled: false, is_webhook_enabled: false, settings_version: 0 };
    expect((await c.api('POST', path, { ...off, settings_version: 1 })).status).toBe(409);
    expect((await c.api('POST', path, { ...off, can_access_message_read_status: true })).status).toBe(400);
    const saved = await c.api('POST', path, off);
    expect(saved.json).toMatchObject({ is_inbox_enabled: false, settings_version: 0, can_access_message_read_status: false });
    expect(await events(LORENZO.fiscalCode)).toContainEqual({ service_id: service.serviceId, kind: 'UNSUBSCRIBED' });
    await c.api('POST', path, { ...off, is_inbox_enabled: true });
    expect(await events(LORENZO.fiscalCode)).toContainEqual({ service_id: service.serviceId, kind: 'SUBSCRIBED' });
    const listed = (await c.api('GET', '/services')).json.items.map((s: { service_id: string }) => s.service_id);
    expect(listed).toContain(service.serviceId);
    expect(listed).not.toContain(hidden.serviceId);

    const profile = (await c.api('GET', '/profile')).json;
    const manual = await c.api('POST', '/profile', { version: profile.version, service_preferences_settings: { mode: 'MANUAL' } });
    expect(manual.json.service_preferences_settings).toEqual({ mode: 'MANUAL' });
    expect((await c.api('GET', path)).json).toMatchObject({ is_inbox_enabled: false, settings_version: 1 });
    expect((await c.api('POST', path, { ...off, is_inbox_enabled: true })).status).toBe(409);
    expect((await c.api('POST', path, { ...off, is_inbox_enabled: true, settings_version: 1 })).json).toMatchObject({ is_inbox_enabled: true });
    expect((await c.api('POST', '/profile', { version: manual.json.version, service_preferences_settings: { mode: 'LEGACY' } })).status).toBe(400);

    await sql`update io.profiles set service_preferences_mode = 'LEGACY', service_preferences_version = -1 where fiscal_code = ${LORENZO.fiscalCode}`.execute(system.ctx.database.db);
    expect((await c.api('GET', path)).status).toBe(409);
    expect((await c.api('POST', path, { ...off, settings_version: 0 })).status).toBe(409);
    // LEGACY keeps its blocked channels, edited on the service's page.
    const card = await c.client.visit(`${base}/app/servizi/${service.serviceId}`);
    await c.client.submit(card, '/preferenze', { inbox: 'on' });
    const { rows } = await sql<{ blocked_inbox_or_channels: unknown }>`select blocked_inbox_or_channels from io.profiles where fiscal_code = ${LORENZO.fiscalCode}`.execute(system.ctx.database.db);
    expect(rows[0]!.blocked_inbox_or_channels).toEqual({ [service.serviceId]: ['EMAIL', 'WEBHOOK'] });
  });
});

describe('messages', () => {
  it('newest first, a page at a time; read for good, archived and back; nobody else’s message', async () => {
    const c = await citizen(DAVIDE);
    const first = await deliver(DAVIDE.fiscalCode, 'Primo avviso di prova');
    const second = await deliver(DAVIDE.fiscalCode, 'Secondo avviso di prova', { due_date: new Date(Date.now() + 7 * 86_400_000).toISOString(), payment_data: { amount: 12_345, notice_number: '302000100000019421' } });
    const foreign = await deliver(FRANCESCA.fiscalCode, 'Messaggio di un altro');
    const page1 = await c.api('GET', '/messages?page_size=1');
    expect(page1.json.items.map((m: { id: string }) => m.id)).toEqual([second]);
    expect(page1.json.items[0]).toMatchObject({ service_name: 'Tributi', organization_name: 'Comune di Prova', is_read: false, category: { tag: 'PAYMENT', rptId: '09999999991302000100000019421' } });
    const page2 = await c.api('GET', `/messages?page_size=1&maximum_id=${page1.json.next}`);
    expect(page2.json.items.map((m: { id: string }) => m.id)).toEqual([first]);
    expect(page2.json.next).toBeUndefined();
    expect((await c.api('GET', '/messages?page_size=101')).status).toBe(400);

    expect((await c.api('GET', `/messages/${foreign}`)).status).toBe(404);
    expect((await c.api('PUT', `/messages/${foreign}/message-status`, { change_type: 'reading', is_read: true })).status).toBe(404);
    const otherInbox = await c.client.visit(`${base}/app/messaggi/${foreign}`);
    expect(otherInbox.status).toBe(404);
    expect(otherInbox.html).not.toContain('Messaggio di un altro');

    expect((await c.api('PUT', `/messages/${first}/message-status`, { change_type: 'reading', is_read: false })).status).toBe(400);
    expect((await c.api('PUT', `/messages/${first}/message-status`, { change_type: 'reading', is_read: true })).json).toEqual({ is_read: true, is_archived: false });
    expect((await c.api('PUT', `/messages/${first}/message-status`, { change_type: 'archiving', is_archived: true })).json).toEqual({ is_read: true, is_archived: true });
    expect((await c.api('GET', '/messages?archived=true')).json.items.map((m: { id: string }) => m.id)).toEqual([first]);
    expect((await c.api('GET', `/messages/${first}`)).json.content.subject).toBe('Primo avviso di prova');

    // The pages: the inbox's badges, opening marks read, the archive button.
    const inbox = await c.client.visit(`${base}/app/messaggi`);
    expect(inbox.html).toContain('Secondo avviso di prova');
    expect(inbox.html).toContain('Da pagare');
    expect(inbox.html).toContain('Scade il');
    expect(inbox.html).not.toContain('Primo avviso di prova');
    const opened = await c.client.visit(`${base}/app/messaggi/${second}`);
    expect(opened.html).toContain('<h1 id="subject" class="h3">Secondo avviso di prova</h1>');
    expect((await c.api('GET', `/messages/${second}`)).json.is_read).toBe(true);
    const archived = await c.client.submit(opened, '/archivio', {});
    expect(archived.url.pathname).toBe('/app/messaggi');
    expect(archived.html).toContain('Messaggio archiviato.');
    const archive = await c.client.visit(`${base}/app/messaggi/archivio`);
    expect(archive.html).toContain('Secondo avviso di prova');
  });
});

describe('Web Push', () => {
  it('the VAPID key for PushManager.subscribe, and this browser registered as an installation', async () => {
    const c = await citizen(DAVIDE);
    const key = (await c.api('GET', '/vapid-public-key')).json.public_key as string;
    expect(Buffer.from(key, 'base64url')).toHaveLength(65);
    const browser = createECDH('prime256v1');
    const subscription = { endpoint: 'https://push.example.it/send/abc', keys: { p256dh: browser.generateKeys().toString('base64url'), auth: randomBytes(16).toString('base64url') } };
    expect((await c.api('PUT', '/installations/browser-1', subscription, { csrf: false })).status).toBe(403);
    expect((await c.api('PUT', '/installations/browser-1', { ...subscription, endpoint: 'javascript:alert(1)' })).status).toBe(400);
    expect((await c.api('PUT', '/installations/browser-1', subscription)).json).toEqual({ installation_id: 'browser-1' });
    const { rows } = await sql<{ fiscal_code: string; endpoint: string }>`select fiscal_code, endpoint from io.installations where id = 'browser-1'`.execute(system.ctx.database.db);
    expect(rows).toEqual([{ fiscal_code: DAVIDE.fiscalCode, endpoint: subscription.endpoint }]);
  });
});

describe('e-mail validation', () => {
  it('the link sent by e-mail validates the address once', async () => {
    const c = await citizen(FRANCESCA);
    const profile = (await c.api('GET', '/profile')).json;
    const address = 'francesca.verifica@example.it';
    await c.api('POST', '/profile', { version: profile.version, email: address });
    expect((await c.api('POST', '/email-validation-process')).status).toBe(202);
    let list: { messages: { id: number; subject: string }[] } = { messages: [] };
    for (let i = 0; i < 50 && !list.messages.length; i++) {
      list = await (await fetch(`${system.urls.mail}/api/messages?to=${encodeURIComponent(address)}`)).json();
      if (!list.messages.length) await new Promise((r) => setTimeout(r, 100));
    }
    const mail = (await (await fetch(`${system.urls.mail}/api/messages/${list.messages[0]!.id}`)).json()) as { text: string };
    const link = /https?:\/\/\S+verifica\?token=\S+/.exec(mail.text)![0];
    const validated = await c.client.visit(link);
    expect(validated.url.pathname).toBe('/app/profilo');
    expect(validated.html).toContain('Indirizzo e-mail verificato.');
    expect((await c.api('GET', '/profile')).json).toMatchObject({ email: address, is_email_validated: true });
    expect((await new WebClient().visit(link)).status).toBe(400);
  });
});

describe('pages', () => {
  it('the services, a service card with its switches, the profile with its forms', async () => {
    const c = await citizen(FRANCESCA);
    const services = await c.client.visit(`${base}/app/servizi?q=tribut`);
    expect(services.html).toContain('Comune di Prova');
    expect(services.html).toContain('Tributi');
    expect(services.html).not.toContain('Servizio nascosto');
    expect((await c.client.visit(`${base}/app/servizi?q=nulla`)).html).toContain('Nessun servizio trovato.');
    const card = await c.client.visit(`${base}/app/servizi/${service.serviceId}`);
    expect(card.html).toContain('Avvisi del comune di prova.');
    expect(card.html).toContain('https://prova.example.it/privacy');
    const saved = await c.client.submit(card, '/preferenze', { email: 'on' });
    expect(saved.html).toContain('Preferenze salvate.');
    expect(saved.html).not.toMatch(/id="toggle-inbox"[^>]*checked/);
    // Read receipts: ALLOW only with the inbox on (reference io.md §3.2), DENY when switched off.
    const readStatus = async () =>
      (await sql<{ can_access_message_read_status: string }>`select can_access_message_read_status from io.service_preferences
        where fiscal_code = ${FRANCESCA.fiscalCode} and service_id = ${service.serviceId} order by settings_version desc limit 1`.execute(system.ctx.database.db)).rows[0]!
        .can_access_message_read_status;
    expect(await readStatus()).toBe('DENY');
    const allowed = await c.client.submit(saved, '/preferenze', { inbox: 'on', lettura: 'on' });
    expect(allowed.html).toMatch(/id="toggle-lettura"[^>]*checked/);
    expect(await readStatus()).toBe('ALLOW');
    await c.client.submit(allowed, '/preferenze', { inbox: 'on' });
    expect(await readStatus()).toBe('DENY');
    expect((await c.client.visit(`${base}/app/servizi/${hidden.serviceId}`)).status).toBe(404);

    const profile = await c.client.visit(`${base}/app/profilo`);
    expect(profile.html).toContain('Attiva le notifiche su questo browser');
    expect(profile.html).toContain('Rapida');
    const manual = await c.client.submit(profile, '/app/profilo/modalita', { modalita: 'MANUAL' });
    expect(manual.html).toContain('Modifiche salvate.');
    // The old page's version is stale now.
    const stale = await c.client.submit(profile, '/app/profilo/canali', {});
    expect(stale.html).toContain('Il profilo è stato modificato nel frattempo');
    const badEmail = await c.client.submit(manual, '/app/profilo/email', { email: 'sbagliata' });
    expect(badEmail.status).toBe(400);
    expect(badEmail.html).toContain('Inserisci un indirizzo e-mail valido.');
    const english = await c.client.visit(`${base}/app/profilo?lang=en`);
    expect(english.html).toContain('Turn on notifications in this browser');
    // The language chosen stays for the next pages.
    expect((await c.client.visit(`${base}/app/messaggi`)).html).toContain('<h1 class="h3">Messages</h1>');
  });

  it('the manifest, the service worker and the offline page', async () => {
    const manifest = await fetch(`${base}/app/manifest.webmanifest`);
    expect(manifest.headers.get('content-type')).toContain('application/manifest+json');
    expect(await manifest.json()).toMatchObject({ short_name: 'IO', start_url: '/app/messaggi', display: 'standalone', icons: [{ type: 'image/svg+xml' }] });
    const sw = await fetch(`${base}/app/sw.js`);
    expect(sw.headers.get('content-type')).toContain('text/javascript');
    expect(await sw.text()).toContain("caches.open(READ)");
    expect((await fetch(`${base}/app/offline`)).status).toBe(200);
    expect((await fetch(`${base}/assets/sportello/io/app.js`)).status).toBe(200);
  });
});
