// Starts the identity app for a test file: an isolated embedded database, the identity schema
// migrated and seeded, a test relying party onboarded, the app listening on a free port.
// Kept in one function so a shared harness (e.g. on PostgreSQL) can replace it.
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/core/config.ts';
import type { App } from '../../src/core/http.ts';
import { openDatabase, type Database } from '../../src/core/db.ts';
import { migrateSchema } from '../../src/core/migrations.ts';
import { createContext, migrateApps, seedApps, type AppContext } from '../../src/core/runtime.ts';
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

/** An isolated database with the identity schema migrated (no seed), for repository-level tests. */
export async function openIdentityTestDatabase(): Promise<Database & { dispose(): Promise<void> }> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sportello-identity-db-'));
  const database = await openDatabase({ dataDir });
  await migrateSchema(database.db, identity.name, identity.migrations);
  return {
    ...database,
    async dispose() {
      await database.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function startIdentityHarness(): Promise<IdentityHarness> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sportello-identity-'));
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    PUBLIC_HOST: '127.0.0.1',
    IDENTITY_PORT: String(port),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    SECRET: 'test-secret-for-the-identity-platform-0123456789',
  });
  const ctx = await createContext(config);
  await migrateApps(ctx, [identity]);
  await seedApps(ctx, [identity]);
  const rp = await startTestRelyingParty();
  await onboardRelyingParty(ctx.database.db, { entityId: rp.entityId, organizationName: 'Comune di Prova' });
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
      await ctx.database.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
