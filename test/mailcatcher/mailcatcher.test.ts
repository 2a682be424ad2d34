// Real mail through core createMailer (nodemailer over SMTP) into the catcher, read back via the
// JSON API and the pages, on PGlite and PostgreSQL.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { loadConfig } from '../../src/core/config.ts';
import { missingTranslations } from '../../src/core/i18n.ts';
import { createMailer } from '../../src/core/mail.ts';
import { migrateSchema } from '../../src/core/migrations.ts';
import type { AppContext } from '../../src/core/runtime.ts';
import type { App } from '../../src/core/http.ts';
import mailcatcher, { buildMailHttp } from '../../src/devtools/mailcatcher/index.ts';
import { messages } from '../../src/devtools/mailcatcher/messages.ts';
import { formatSize, languageUrl } from '../../src/devtools/mailcatcher/pages.ts';
import { startSmtpCatcher, type SmtpCatcher } from '../../src/devtools/mailcatcher/smtp.ts';
import { headerFields } from '../../src/devtools/mailcatcher/store.ts';
import { withTestDatabases, type TestDatabase } from '../support/database.ts';

const logger = pino({ level: 'silent' });

function contextFor(database: TestDatabase, smtpPort: number, catcherEnabled = true): AppContext {
  const config = loadConfig({
    NODE_ENV: 'test',
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    SMTP_CATCHER_PORT: String(smtpPort),
    SMTP_CATCHER: String(catcherEnabled),
  });
  return { config, database, secret: 'x'.repeat(32), logger, mailer: createMailer(config) };
}

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('mail catcher helpers', () => {
  it('has every string in Italian, English and German', () => {
    expect(missingTranslations(messages)).toEqual([]);
  });
  it('unfolds header lines and keeps their order', () => {
    expect(
      headerFields([
        { key: 'subject', line: 'Subject: a long\r\n  folded subject' },
        { key: 'to', line: 'To: a@example.org' },
      ]),
    ).toEqual([
      { name: 'Subject', value: 'a long folded subject' },
      { name: 'To', value: 'a@example.org' },
    ]);
  });
  it('switches language in place and formats sizes', () => {
    expect(languageUrl('/?to=a%40b.it&lang=it', 'de')).toBe('/?to=a%40b.it&lang=de');
    expect(languageUrl('/messages/3', 'en')).toBe('/messages/3?lang=en');
    expect(formatSize(512, 'en')).toBe('512 byte');
    expect(formatSize(2048, 'it')).toBe('2 kB');
  });
});

await withTestDatabases('mail catcher', ({ database }) => {
  let catcher: SmtpCatcher;
  let ctx: AppContext;
  let app: App;

  beforeAll(async () => {
    await migrateSchema(database().db, 'mail', mailcatcher.migrations);
    catcher = await startSmtpCatcher({ db: database().db, schema: 'mail', host: '127.0.0.1', port: 0, logger });
    ctx = contextFor(database(), catcher.port);
    app = await buildMailHttp(ctx);
  });
  afterAll(async () => {
    ctx.mailer.close();
    await app.close();
    await catcher.close();
  });

  const api = async (url: string) => {
    const response = await app.inject({ url });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };

  it('catches a mail sent over SMTP and serves it through the API', async () => {
    const sent = await ctx.mailer.send({
      to: 'mario.rossi@example.org',
      subject: 'Pratica n. 42 — ricevuta',
      text: 'Gentile Mario,\nla sua pratica è stata protocollata.',
      html: '<p>Gentile <b>Mario</b></p><script>alert(1)</script><img src="https://tracker.example/p.gif">',
      messageId: '<job-42@sportello.test>',
    });
    expect(sent.messageId).toBe('<job-42@sportello.test>');

    const { messages: list } = await api('/api/messages?to=MARIO.ROSSI@example.org');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      from: 'noreply@sportello.localhost',
      to: ['mario.rossi@example.org'],
      subject: 'Pratica n. 42 — ricevuta',
      messageId: '<job-42@sportello.test>',
    });
    expect(list[0].size).toBeGreaterThan(100);
    expect(Date.parse(list[0].date)).not.toBeNaN();

    const full = await api(`/api/messages/${list[0].id}`);
    expect(full.text).toBe('Gentile Mario,\nla sua pratica è stata protocollata.');
    expect(full.html).toContain('<b>Mario</b>');
    expect(full.headers).toContainEqual({ name: 'Message-ID', value: '<job-42@sportello.test>' });
    expect(full.headers.map((h: { name: string }) => h.name)).toEqual(expect.arrayContaining(['From', 'To', 'Subject', 'Date']));
  });

  it('filters by any envelope recipient and by time received', async () => {
    const before = new Date();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await ctx.mailer.send({ to: 'anna@example.org, ufficio@comune.example', subject: 'Two recipients', text: 'hi' });
    const since = encodeURIComponent(before.toISOString());
    expect((await api(`/api/messages?to=ufficio@comune.example`)).messages.map((m: { subject: string }) => m.subject)).toEqual(['Two recipients']);
    expect((await api(`/api/messages?since=${since}`)).messages.map((m: { subject: string }) => m.subject)).toEqual(['Two recipients']);
    expect((await api(`/api/messages?to=nobody@example.org`)).messages).toEqual([]);
    expect((await api('/api/messages')).messages.map((m: { subject: string }) => m.subject)).toEqual(['Two recipients', 'Pratica n. 42 — ricevuta']);
  });

  it('answers problem+json for a bad filter or an unknown message', async () => {
    const bad = await app.inject({ url: '/api/messages?to=not-an-address' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    const missing = await app.inject({ url: '/api/messages/999999' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ status: 404, detail: 'No caught message 999999' });
  });

  it('lists mail on the inbox page, newest first, filtered by recipient, in three languages', async () => {
    const page = await app.inject({ url: '/', headers: { 'accept-language': 'it' } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('bootstrap-italia.min.css');
    expect(page.body).toContain('Posta catturata');
    expect(page.body).toContain(`In ascolto su SMTP 127.0.0.1:${catcher.port}`);
    expect(page.body.indexOf('Two recipients')).toBeLessThan(page.body.indexOf('Pratica n. 42 — ricevuta'));

    const filtered = await app.inject({ url: '/?to=anna%40example.org&lang=en' });
    expect(filtered.body).toContain('Caught mail');
    expect(filtered.body).toContain('Two recipients');
    expect(filtered.body).not.toContain('Pratica n. 42');
    expect(filtered.body).toContain('href="/?to=anna%40example.org&amp;lang=de"');

    const none = await app.inject({ url: '/?to=nobody%40example.org', headers: { 'accept-language': 'de-DE,de;q=0.9' } });
    expect(none.body).toContain('Keine Nachricht für nobody@example.org.');
  });

  it('shows a message with headers and text, and its HTML body only in a sandboxed frame', async () => {
    const [latest] = (await api('/api/messages?to=mario.rossi@example.org')).messages;
    const page = await app.inject({ url: `/messages/${latest.id}?lang=it` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('la sua pratica è stata protocollata.');
    expect(page.body).toContain('&lt;job-42@sportello.test&gt;');
    expect(page.body).toContain(`<iframe sandbox="" referrerpolicy="no-referrer" src="/messages/${latest.id}/html"`);
    expect(page.body).not.toContain('alert(1)');
    expect(page.body).not.toContain('<b>Mario</b>');

    const body = await app.inject({ url: `/messages/${latest.id}/html` });
    expect(body.statusCode).toBe(200);
    expect(body.body).toContain('<b>Mario</b>');
    const csp = body.headers['content-security-policy'] as string;
    expect(csp.split(';').map((d) => d.trim())).toEqual(expect.arrayContaining(['sandbox', "default-src 'none'", "frame-ancestors 'self'"]));
    expect(csp).not.toContain('script-src');

    const noHtml = (await api('/api/messages?to=anna@example.org')).messages[0];
    expect((await app.inject({ url: `/messages/${noHtml.id}/html` })).statusCode).toBe(404);
    const missing = await app.inject({ url: '/messages/999999?lang=en' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('text/html');
    expect(missing.body).toContain('Error 404');
  });

  it('deletes the messages of one recipient, then all', async () => {
    const deleteWith = async (query: string) => (await app.inject({ method: 'DELETE', url: `/api/messages${query}` })).json().deleted;
    expect(await deleteWith('?to=anna@example.org')).toBe(1);
    expect((await api('/api/messages')).messages).toHaveLength(1);
    expect(await deleteWith('')).toBe(1);
    expect((await api('/api/messages')).messages).toEqual([]);
  });

  it('runs the SMTP listener as the app module background, only when enabled', async () => {
    const port = await freePort();
    const disabled = contextFor(database(), port, false);
    await (await mailcatcher.startBackground!(disabled))();
    await expect(disabled.mailer.send({ to: 'x@example.org', subject: 'lost', text: '' })).rejects.toThrow(/ECONNREFUSED/);
    disabled.mailer.close();

    const enabled = contextFor(database(), port);
    const stop = await mailcatcher.startBackground!(enabled);
    await expect(mailcatcher.startBackground!(enabled)).rejects.toThrow('the port is in use');
    await enabled.mailer.send({ to: 'module@example.org', subject: 'via the module', text: 'ok' });
    expect((await api('/api/messages?to=module@example.org')).messages).toHaveLength(1);
    await stop();
    await expect(enabled.mailer.send({ to: 'module@example.org', subject: 'after stop', text: '' })).rejects.toThrow(/ECONNREFUSED/);
    enabled.mailer.close();
  });
});
