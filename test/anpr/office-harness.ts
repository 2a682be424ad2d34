// The ANPR app for the registry office's tests: a fresh PGlite with the demo population and officers,
// listening on a free port, its day fixed.
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/core/config.ts';
import { migrateSchema } from '../../src/core/migrations.ts';
import { createContext } from '../../src/core/runtime.ts';
import { buildAnprHttp } from '../../src/platforms/anpr/app.ts';
import { anprMigrations } from '../../src/platforms/anpr/migrations.ts';
import { seedDemoOfficers } from '../../src/platforms/anpr/office/accounts.ts';
import { seedDemoPopulation } from '../../src/platforms/anpr/seed.ts';
import { testDatabaseTargets, type TestDatabase } from '../support/database.ts';

export const TODAY = '2026-03-01';
export const SECRET = 'test-secret-for-the-registry-office-0123456789';

export interface OfficeApp {
  db: TestDatabase['db'];
  url: string;
  close(): Promise<void>;
}

/** PGlite: the pages are the same on both databases (service.ts is tested on both). */
export async function startOfficeApp(): Promise<OfficeApp> {
  const target = (await testDatabaseTargets())[0]!;
  const database = await target.open();
  await migrateSchema(database.db, 'anpr', anprMigrations);
  await seedDemoPopulation(database.db);
  await seedDemoOfficers(database.db, SECRET);
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: os.tmpdir(), SECRET, LOG_LEVEL: 'warn', LOGIN_RATE_LIMIT: '200' });
  const app = await buildAnprHttp(await createContext(config, database), { today: () => TODAY });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    db: database.db,
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    async close() {
      await app.close();
      await target.cleanup();
    },
  };
}
