// Starts the identity app for a test file: the identity schema migrated and seeded on a fresh
// database, a test relying party onboarded, the app listening on a free port. The database comes
// from test/support/database.ts (PGlite, and PostgreSQL when reachable) or is a private PGlite.
import fs from 'node:fs/promises';
import pino from 'pino';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/core/config.ts';
import type { App } from '../../src/core/http.ts';
import { openDatabase, type Database } from '../../src/core/db.ts';
import { migrateSchema } from '../../src/core/migrations.ts';
import { createMailer } from '../../src/core/mail.ts';
import { migrateApps, seedApps, type AppContext } from '../../src/core/runtime.ts';
import identity from '../../src/platforms/identity/index.ts';
import { onboardRelyingParty } from '../../src/platforms/identity/onboarding.ts';
import { Browser } from './browser.ts';
import { startTestRelyingParty, type TestRelyingParty } from './rp.ts';

export interface IdentityHarness {
  ctx: AppContext;
  app: App;
  url: string;
  issuers: { spid: string; cie: string };
  rp: TestRelyingParty;
  browser(): Browser;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts the identity app on the given database (a fresh, empty one; the caller closes it), or on
 * an embedded PGlite in a temporary directory (closed and deleted by close()).
 */
export async function startIdentityHarness(database?: Database): Promise<IdentityHarness> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sportello-identity-'));
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    PUBLIC_HOST: '127.0.0.1',
    IDENTITY_PORT: String(port),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    SECRET: 'test-secret-for-the-identity-platform-0123456789',
    // Every test logs in from 127.0.0.1: the per-address route limit would be what gets tested.
    LOGIN_RATE_LIMIT: '1000',
  });
  const ownDatabase = !database;
  const db = database ?? (await openDatabase({ dataDir }));
  const ctx: AppContext = { config, database: db, secret: config.secret!, logger: pino({ level: config.logLevel }), mailer: createMailer(config) };
  await migrateApps(ctx, [identity]);
  await seedApps(ctx, [identity]);
  const rp = await startTestRelyingParty();
  await onboardRelyingParty(db.db, { entityId: rp.entityId, organizationName: 'Comune di Prova' });
  const app = await identity.buildHttp(ctx);
  await app.listen({ port, host: '127.0.0.1' });
  const url = config.urls.identity;
  return {
    ctx,
    app,
    url,
    issuers: { spid: `${url}/oidc/spid`, cie: `${url}/oidc/cie` },
    rp,
    browser: () => new Browser(new URL(url).origin),
    async close() {
      await app.close();
      await rp.close();
      ctx.mailer.close();
      if (ownDatabase) await db.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Migrates the identity schema on a fresh database, for repository-level tests. */
export async function migrateIdentity(database: Database): Promise<void> {
  await migrateSchema(database.db, identity.name, identity.migrations);
}
