// Starts the PDND app for a test file on a fresh database (from test/support/database.ts, or a
// private PGlite), migrated and seeded like `npm start`, listening on a free port; plus helpers to
// act as the demo bodies.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/core/config.ts';
import type { App } from '../../src/core/http.ts';
import { openDatabase, type Database } from '../../src/core/db.ts';
import { createApiKey } from '../../src/core/auth/api-keys.ts';
import { createMailer } from '../../src/core/mail.ts';
import { migrateApps, seedApps, type AppContext } from '../../src/core/runtime.ts';
import pdnd from '../../src/platforms/pdnd/index.ts';
import { API_KEY_OWNER } from '../../src/platforms/pdnd/api.ts';
import { CLIENT_NAME } from '../../src/platforms/pdnd/seed.ts';
import * as store from '../../src/platforms/pdnd/store.ts';
import { freePort } from '../support/system.ts';
import { generateClientKeyPair, registerClientKey, type ClientKeyPair } from '../../src/clients/pdnd/consumer.ts';
import { ANPR_ESERVICES, anprAudience } from '../../src/clients/pdnd/anpr.ts';

export interface Body {
  tenant: store.Tenant;
  apiKey: string;
  api(pathname: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: any; headers: Headers }>;
}

export interface Consumer extends Body {
  clientId: string;
  keyPair: ClientKeyPair;
  /** Purpose id per ANPR e-service code. */
  purposes: Record<string, string>;
}

export interface PdndHarness {
  ctx: AppContext;
  app: App;
  url: string;
  anprUrl: string;
  db: Database['db'];
  audience(code: string): string;
  body(ipaCode: string): Promise<Body>;
  /** A seeded comune with a fresh key registered on its client through the API. */
  consumer(ipaCode: string): Promise<Consumer>;
  close(): Promise<void>;
}

export async function startPdndHarness(database?: Database): Promise<PdndHarness> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sportello-pdnd-'));
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    PUBLIC_HOST: '127.0.0.1',
    PDND_PORT: String(port),
    ANPR_PORT: String(await freePort()),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    SECRET: 'test-secret-for-the-pdnd-platform-0123456789',
  });
  const ownDatabase = !database;
  const db = database ?? (await openDatabase({ dataDir }));
  const ctx: AppContext = { config, database: db, secret: config.secret!, logger: pino({ level: config.logLevel }), mailer: createMailer(config) };
  await migrateApps(ctx, [pdnd]);
  await seedApps(ctx, [pdnd]);
  const app = await pdnd.buildHttp(ctx);
  await app.listen({ port, host: '127.0.0.1' });
  const url = config.urls.pdnd;

  async function body(ipaCode: string): Promise<Body> {
    const tenant = (await store.tenantByIpa(db.db, ipaCode))!;
    const { key } = await createApiKey(db.db, 'pdnd', { ownerType: API_KEY_OWNER, ownerId: tenant.id, label: 'test' });
    return {
      tenant,
      apiKey: key,
      async api(pathname, init = {}) {
        const response = await fetch(`${url}/api/v1${pathname}`, {
          method: init.method ?? (init.body ? 'POST' : 'GET'),
          headers: { authorization: `Bearer ${key}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
          body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
        });
        const text = await response.text();
        return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
      },
    };
  }

  return {
    ctx,
    app,
    url,
    anprUrl: config.urls.anpr,
    db: db.db,
    audience: (code) => anprAudience(config.urls.anpr, code as never),
    body,
    async consumer(ipaCode) {
      const b = await body(ipaCode);
      const clients = (await b.api('/clients')).body.results as { id: string; name: string }[];
      const clientId = clients.find((c) => c.name === CLIENT_NAME)!.id;
      const keyPair = await generateClientKeyPair();
      const kid = await registerClientKey({ pdndUrl: url, apiKey: b.apiKey, clientId, publicKeyPem: keyPair.publicKeyPem, name: 'test key' });
      if (kid !== keyPair.kid) throw new Error('kid mismatch');
      const purposes: Record<string, string> = {};
      for (const p of (await b.api('/purposes?role=consumer')).body.results as { id: string; eserviceName: string }[]) {
        purposes[ANPR_ESERVICES.find((e) => e.name === p.eserviceName)!.code] = p.id;
      }
      return { ...b, clientId, keyPair, purposes };
    },
    async close() {
      await app.close();
      ctx.mailer.close();
      if (ownDatabase) await db.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

import { afterAll, beforeAll, describe } from 'vitest';
import { postgresTestTarget, testDatabaseTargets } from '../support/database.ts';

/**
 * Registers body with one started harness: on PostgreSQL when reachable, else PGlite (the token
 * tests run on both through withTestDatabases; the rest need only one to stay fast).
 */
export async function withPdnd(title: string, body: (h: () => PdndHarness) => void): Promise<void> {
  const target = (await postgresTestTarget()) ?? (await testDatabaseTargets())[0]!;
  describe(`${title} [${target.name}]`, () => {
    let harness: PdndHarness | undefined;
    beforeAll(async () => {
      harness = await startPdndHarness(await target.open());
    });
    afterAll(async () => {
      await harness?.close();
      await target.cleanup();
    });
    body(() => harness!);
  });
}
