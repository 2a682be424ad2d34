// The ANPR pages' frame: the home page in three languages, the session cookie only on page routes,
// HTML error pages for browsers and problem+json for the rest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import { loadConfig } from '../../src/core/config.ts';
import { migrateSchema } from '../../src/core/migrations.ts';
import { createContext } from '../../src/core/runtime.ts';
import type { App } from '../../src/core/http.ts';
import { buildAnprHttp } from '../../src/platforms/anpr/app.ts';
import { anprMigrations } from '../../src/platforms/anpr/migrations.ts';
import { testDatabaseTargets, type TestDatabase } from '../support/database.ts';

const target = (await testDatabaseTargets())[0]!;
describe('anpr web frame', () => {
  let database: TestDatabase;
  let app: App;

  beforeAll(async () => {
    database = await target.open();
    await migrateSchema(database.db, 'anpr', anprMigrations);
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: os.tmpdir(), SECRET: 'test-secret-0123456789-0123456789-0123456789', LOG_LEVEL: 'warn' });
    app = await buildAnprHttp(await createContext(config, database));
  });
  afterAll(async () => {
    await app?.close();
    await target.cleanup();
  });

  it.each([
    ['it', 'Anagrafe Nazionale della Popolazione Residente', 'Accedi con SPID o CIE'],
    ['en', 'National Resident Population Registry', 'Sign in with SPID or CIE'],
    ['de', 'Nationales Melderegister der ansässigen Bevölkerung', 'Mit SPID oder CIE anmelden'],
  ])('the home page speaks %s and links the three entries', async (lang, heading, citizenLink) => {
    const r = await app.inject({ url: `/?lang=${lang}` });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    expect(r.body).toContain(`<html lang="${lang}">`);
    expect(r.body).toContain(`<h1>${heading}</h1>`);
    expect(r.body).toContain(citizenLink);
    expect(r.body).toContain('href="/cittadino/accedi"');
    expect(r.body).toContain('href="/ufficio/accedi"');
    expect(r.body).toContain('href="/verifica"');
    expect(r.body).toContain('/assets/bootstrap-italia/css/bootstrap-italia.min.css');
  });

  it('serves Bootstrap Italia', async () => {
    const r = await app.inject({ url: '/assets/bootstrap-italia/css/bootstrap-italia.min.css' });
    expect(r.statusCode).toBe(200);
  });

  it('gives an HTML error page to browsers and problem+json to API clients', async () => {
    const page = await app.inject({ url: '/nowhere', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('Errore 404');
    const api = await app.inject({ url: '/nowhere', headers: { accept: 'application/json' } });
    expect(api.statusCode).toBe(404);
    expect(api.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('sets no session cookie on e-service routes', async () => {
    const r = await app.inject({ url: '/C020-servizioAccertamentoResidenza/v1/soggetti/RSSMRA80A01H501U' });
    expect(r.statusCode).toBe(401);
    expect(r.headers['set-cookie']).toBeUndefined();
  });
});
