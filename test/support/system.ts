// Boots the whole system (or some apps) for an end-to-end test: fresh database (PostgreSQL when
// reachable, else PGlite), every app on a free port, migrated and seeded like `npm start`.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type AppName, type Config } from '../../src/core/config.ts';
import { createContext, migrateApps, seedApps, startApps, stopApps, type AppContext } from '../../src/core/runtime.ts';
import { START_ORDER, loadApps } from '../../src/apps.ts';
import { freePortsEnv } from './ports.ts';
import { postgresTestTarget, testDatabaseTargets, type TestDatabaseTarget } from './database.ts';

export { freePort } from './ports.ts';

export interface TestSystem {
  config: Config;
  ctx: AppContext;
  urls: Record<AppName, string>;
  databaseKind: 'pglite' | 'postgres';
  stop(): Promise<void>;
}

export interface StartSystemOptions {
  apps?: AppName[];
  /** Force a database; default PostgreSQL when reachable. */
  database?: 'pglite' | 'postgres';
  /** Extra configuration, e.g. { LOGIN_RATE_LIMIT: '1000' } for tests that log in many times. */
  env?: Record<string, string>;
}

export async function startSystem(options: StartSystemOptions = {}): Promise<TestSystem> {
  let target: TestDatabaseTarget | undefined;
  if (options.database !== 'pglite') target = await postgresTestTarget();
  if (!target) {
    if (options.database === 'postgres') throw new Error('PostgreSQL is not reachable');
    target = (await testDatabaseTargets()).find((t) => t.name === 'pglite')!;
  }
  const database = await target.open();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sportello-system-'));
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    PUBLIC_HOST: '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    SECRET: 'test-secret-0123456789-0123456789-0123456789',
    ...(await freePortsEnv()),
    ...options.env,
  };
  const config = loadConfig(env);
  const ctx = await createContext(config, database);
  const modules = await loadApps(options.apps ?? START_ORDER);
  await migrateApps(ctx, modules);
  await seedApps(ctx, modules);
  const running = await startApps(ctx, modules);
  console.info(`[system] ${modules.map((m) => m.name).join(', ')} on ${target.name === 'postgres' ? 'PostgreSQL' : 'PGlite'}`);
  return {
    config,
    ctx,
    urls: config.urls,
    databaseKind: target.name,
    async stop() {
      await stopApps(running);
      ctx.mailer.close();
      await target.cleanup();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
