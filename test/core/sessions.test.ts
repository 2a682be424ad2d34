// Sessions (src/core/auth/sessions.ts): a request slides the idle expiry at most once a minute, and a
// change of the data is saved at once whatever the expiry, on both databases.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { createHttpApp, type App } from '../../src/core/http.ts';
import { migrateSchema } from '../../src/core/migrations.ts';
import { IDLE_TIMEOUT_SECONDS, insertSession, newSessionId, registerSessions, sessionMigrations } from '../../src/core/auth/sessions.ts';
import { withTestDatabases } from '../support/database.ts';

await withTestDatabases('sessions', ({ database }) => {
  let app: App;
  beforeAll(async () => {
    await sql`create schema if not exists s`.execute(database().db);
    await migrateSchema(database().db, 's', sessionMigrations);
    app = await createHttpApp({ name: 'sessions-test', title: 'Sessions', description: 'test', publicUrl: 'http://localhost', logLevel: 'silent', cookieSecret: 'test-secret-of-the-app-0123456789' });
    registerSessions(app, { db: database().db, schema: 's', secret: 'test-secret-of-the-app-0123456789', secure: false });
    app.get('/', async (request) => ({ visits: request.session.get('visits') ?? null }));
    app.get('/count', async (request) => {
      request.session.set('visits', Number(request.session.get('visits') ?? 0) + 1);
      return {};
    });
    await app.ready();
  });
  afterAll(() => app?.close());

  /** A signed-in session whose idle expiry was last slid `ago` seconds before now. */
  async function sessionSlid(ago: number): Promise<string> {
    const id = newSessionId();
    await insertSession(database().db, 's', id, { csrfSeed: 'seed' });
    await sql`update s.sessions set expires_at = now() + make_interval(secs => ${IDLE_TIMEOUT_SECONDS - ago})`.execute(database().db);
    return id;
  }
  const secondsLeft = async () =>
    (await sql<{ left: number }>`select extract(epoch from expires_at - now())::int as left from s.sessions`.execute(database().db)).rows[0]!.left;
  const get = (path: string, id: string) => app.inject({ method: 'GET', url: path, cookies: { sportello_sid: id } });

  it('does not write the session for a request less than a minute after the last slide', async () => {
    await sql`delete from s.sessions`.execute(database().db);
    const id = await sessionSlid(20);
    expect((await get('/', id)).statusCode).toBe(200);
    expect(await secondsLeft()).toBeLessThanOrEqual(IDLE_TIMEOUT_SECONDS - 20);
  });

  it('slides the idle expiry when the last slide is a minute old or more', async () => {
    await sql`delete from s.sessions`.execute(database().db);
    const id = await sessionSlid(90);
    expect((await get('/', id)).statusCode).toBe(200);
    expect(await secondsLeft()).toBeGreaterThan(IDLE_TIMEOUT_SECONDS - 5);
  });

  it('saves changed data at once, and slides the expiry with it', async () => {
    await sql`delete from s.sessions`.execute(database().db);
    const id = await sessionSlid(20);
    await get('/count', id);
    expect((await get('/', id)).json()).toEqual({ visits: 1 });
    expect(await secondsLeft()).toBeGreaterThan(IDLE_TIMEOUT_SECONDS - 5);
  });
});
