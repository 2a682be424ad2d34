// Shared by IO's tests: the IO app alone on a fresh database of a target, migrated, on a free port, with one body
// and one service out of test mode (payments up to 1 500 €) and the service's primary key; a citizen signed in
// to the IO app with SPID at the identity platform and onboarded.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/core/config.ts';
import { createContext, migrateApps, type AppContext } from '../../src/core/runtime.ts';
import type { Executor } from '../../src/core/db.ts';
import io from '../../src/platforms/io/index.ts';
import { createOrganization, createService, serviceKeys, type Service, type ServiceInput } from '../../src/platforms/io/services/store.ts';
import type { TestDatabaseTarget } from '../support/database.ts';
import { freePortsEnv } from '../support/ports.ts';
import { WebClient, type Visit } from '../support/web-client.ts';
import { totpCode } from '../../src/core/auth/totp.ts';

export const TEST_BODY = { fiscalCode: '80000990509', name: 'Comune di Bugliano', departmentName: 'Servizi al cittadino' };

/** A service of TEST_BODY, complete enough to be visible, out of test mode, that may ask for payments up to 1 500 €. */
export const testServiceInput = (over: Partial<ServiceInput> = {}): ServiceInput => ({
  organizationFiscalCode: TEST_BODY.fiscalCode,
  serviceName: 'Pratiche e pagamenti online',
  departmentName: TEST_BODY.departmentName,
  isVisible: true,
  isTestMode: false,
  maxAllowedPaymentAmount: 150_000,
  metadata: { scope: 'LOCAL', description: 'Le pratiche e i pagamenti del Comune.', privacy_url: 'https://comune.example/privacy', email: 'urp@comune.example' },
  ...over,
});

export interface RunningIo {
  url: string;
  db: Executor;
  secret: string;
  ctx: AppContext;
  /** The seeded service and its primary key. */
  service: Service;
  key: string;
  /** One more service of the body (and its primary key). */
  addService(over?: Partial<ServiceInput>): Promise<{ service: Service; key: string }>;
  close(): Promise<void>;
}

export async function startIo(target: TestDatabaseTarget): Promise<RunningIo> {
  const database = await target.open();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sportello-io-'));
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, PUBLIC_HOST: '127.0.0.1', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', SECRET: 'test-secret-0123456789-0123456789-0123456789', ...(await freePortsEnv()) });
  const ctx = await createContext(config, database);
  await migrateApps(ctx, [io]);
  const db = database.db;
  await createOrganization(db, TEST_BODY);
  const addService = async (over: Partial<ServiceInput> = {}) => {
    const service = await createService(db, ctx.secret, testServiceInput(over));
    return { service, key: (await serviceKeys(db, ctx.secret, service.serviceId)).primary_key };
  };
  const { service, key } = await addService();
  const http = await io.buildHttp(ctx);
  await http.listen({ port: config.ports.io, host: '127.0.0.1' });
  return {
    url: config.urls.io,
    db,
    secret: ctx.secret,
    ctx,
    service,
    key,
    addService,
    async close() {
      await http.close();
      ctx.mailer.close();
      await target.cleanup();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A demo user of the identity platform. */
export interface DemoPerson {
  username: string;
  password: string;
  totpSecret: string;
}

/** SPID sign-in to the IO app at `base`: the client and the page it lands on (the onboarding or the inbox). */
export async function signInToApp(base: string, who: DemoPerson): Promise<{ client: WebClient; page: Visit }> {
  const client = new WebClient();
  const login = await client.visit(`${base}/auth/spid?idp=sportello-id`);
  let page = await client.submit(login, '/password', { username: who.username, password: who.password });
  page = await client.submit(page, '/otp', { code: totpCode(who.totpSecret), action: 'verify' });
  page = await client.submit(page, '/consent', { decision: 'approve' });
  return { client, page };
}

export const csrfOf = (page: Visit) => /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;

/** Signed in and onboarded (the terms accepted if asked): the client and the session's CSRF token. */
export async function onboardedCitizen(base: string, who: DemoPerson): Promise<{ client: WebClient; csrf: string }> {
  const { client, page } = await signInToApp(base, who);
  const inbox = page.url.pathname === '/app/benvenuto' ? await client.submit(page, '/app/benvenuto', { accept: 'yes' }) : page;
  if (inbox.url.pathname !== '/app/messaggi') throw new Error(`Onboarding ended on ${inbox.url.pathname}, not the inbox`);
  return { client, csrf: csrfOf(inbox) };
}
