// Runs the same tests on the embedded PGlite and on a real PostgreSQL, each time on a fresh database.
// PostgreSQL: TEST_DATABASE_URL (a database the user may CREATE DATABASE from), else the local default;
// when unreachable its cases are skipped with a message, unless TEST_REQUIRE_POSTGRES=1.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { openDatabase, type Database } from '../../src/core/db.ts';

export const POSTGRES_ADMIN_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export type TestDatabaseName = 'pglite' | 'postgres';

export interface TestDatabase extends Database {
  /** The connection URL of a PostgreSQL test database (for child processes); undefined on PGlite. */
  url: string | undefined;
}

export interface TestDatabaseTarget {
  name: TestDatabaseName;
  /** A fresh, empty database each call. */
  open(): Promise<TestDatabase>;
  /** Closes and deletes every database this target opened. */
  cleanup(): Promise<void>;
}

const maskUrl = (url: string) => url.replace(/:[^:@/]*@/, ':***@');

/** The same server, another database. */
function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

let probe: Promise<string | undefined> | undefined;

/** The server's version, or undefined (after saying so) when it cannot be reached. */
function probePostgres(): Promise<string | undefined> {
  probe ??= withAdmin(async (client) => (await client.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]!.v).then(
    (version) => {
      console.info(`[test databases] PostgreSQL ${version} at ${maskUrl(POSTGRES_ADMIN_URL)}; a fresh sportello_test_* database per run`);
      return version;
    },
    (err: Error) => {
      const message = `PostgreSQL unreachable at ${maskUrl(POSTGRES_ADMIN_URL)} (${err.message})`;
      if (process.env.TEST_REQUIRE_POSTGRES === '1') throw new Error(message);
      console.warn(`[test databases] ${message}: PostgreSQL cases SKIPPED, PGlite only. Set TEST_DATABASE_URL to run them.`);
      return undefined;
    },
  );
  return probe;
}

function pgliteTarget(): TestDatabaseTarget {
  const opened: { database: Database; dir: string }[] = [];
  return {
    name: 'pglite',
    async open() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sportello-test-'));
      const database = await openDatabase({ dataDir: dir });
      opened.push({ database, dir });
      return { ...database, url: undefined };
    },
    async cleanup() {
      for (const { database, dir } of opened.splice(0)) {
        await database.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function postgresTarget(): TestDatabaseTarget {
  const opened: { database: Database; name: string }[] = [];
  return {
    name: 'postgres',
    async open() {
      const name = `sportello_test_${randomBytes(6).toString('hex')}`;
      await withAdmin((client) => client.query(`create database ${name}`));
      const url = databaseUrl(POSTGRES_ADMIN_URL, name);
      const database = await openDatabase({ databaseUrl: url, dataDir: os.tmpdir() });
      opened.push({ database, name });
      return { ...database, url };
    },
    async cleanup() {
      for (const { database, name } of opened.splice(0)) {
        await database.close();
        await withAdmin((client) => client.query(`drop database if exists ${name} with (force)`));
      }
    },
  };
}

/** PGlite always; PostgreSQL when reachable. */
export async function testDatabaseTargets(): Promise<TestDatabaseTarget[]> {
  return (await probePostgres()) ? [pgliteTarget(), postgresTarget()] : [pgliteTarget()];
}

/** Only PostgreSQL (for multi-process tests), or undefined when it is unreachable. */
export async function postgresTestTarget(): Promise<TestDatabaseTarget | undefined> {
  return (await probePostgres()) ? postgresTarget() : undefined;
}

/**
 * Registers body once per database target, in a describe named after it, with a fresh database
 * opened before its tests and deleted after. Use with top-level await in the test file.
 */
export async function withTestDatabases(title: string, body: (use: { name: TestDatabaseName; database: () => TestDatabase }) => void): Promise<void> {
  for (const target of await testDatabaseTargets()) {
    describe(`${title} [${target.name}]`, () => {
      let database: TestDatabase | undefined;
      beforeAll(async () => {
        database = await target.open();
      });
      afterAll(() => target.cleanup());
      body({
        name: target.name,
        database: () => {
          if (!database) throw new Error('The test database is opened in beforeAll: use it inside tests or hooks');
          return database;
        },
      });
    });
  }
}
