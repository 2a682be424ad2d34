// One database per process: PGlite (embedded, under dataDir) or PostgreSQL (DATABASE_URL).
// Both speak the same SQL and return the same JS types, so every room behaves identically on either.
import fs from 'node:fs';
import path from 'node:path';
import {
  CompiledQuery,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  type RawBuilder,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';

export { sql };

/** A LIKE pattern matching the text anywhere, literally (%, _ and \ escaped). */
export const likeContaining = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
export type Db<T = any> = Kysely<T>;
export type Tx<T = any> = Transaction<T>;
export type Executor<T = any> = Kysely<T> | Transaction<T>;

// pg type OIDs whose default parsing differs between drivers; we pick one behaviour for both.
const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;
const parseInt8 = (v: string) => Number(v); // counts and ids stay well under 2^53
const keepString = (v: string) => v; // dates are calendar days, never shifted by a time zone

pg.types.setTypeParser(INT8, parseInt8);
pg.types.setTypeParser(NUMERIC, keepString);
pg.types.setTypeParser(DATE, keepString);

/** A mutex so the single PGlite connection serves one query or one transaction at a time. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const acquired = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return acquired;
  }
}

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly pglite: PGlite) {}
  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.pglite.query<R>(query.sql, [...query.parameters], { rowMode: 'object' });
    return {
      rows: result.rows,
      numAffectedRows: result.affectedRows === undefined ? undefined : BigInt(result.affectedRows),
    };
  }
  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming queries are not supported on the embedded database');
  }
}

class PGliteDriver implements Driver {
  private readonly mutex = new Mutex();
  private readonly connection: PGliteConnection;
  private readonly releases = new WeakMap<DatabaseConnection, () => void>();
  constructor(private readonly pglite: PGlite) {
    this.connection = new PGliteConnection(pglite);
  }
  async init(): Promise<void> {
    await this.pglite.waitReady;
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.mutex.lock();
    this.releases.set(this.connection, release);
    return this.connection;
  }
  async beginTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('begin'));
  }
  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('rollback'));
  }
  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    const release = this.releases.get(conn);
    this.releases.delete(conn);
    release?.();
  }
  async destroy(): Promise<void> {
    if (!this.pglite.closed) await this.pglite.close();
  }
}

class PGliteDialect implements Dialect {
  constructor(private readonly pglite: PGlite) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver() {
    return new PGliteDriver(this.pglite);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
}

export interface Database {
  kind: 'pglite' | 'postgres';
  /** Where the data lives, for the start-up table (credentials masked). */
  location: string;
  db: Kysely<any>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  dataDir: string;
  poolSize?: number;
}

/** SQL text → statement name of the queries run with executePrepared. */
const preparedNames = new Map<string, string>();

/**
 * Runs a query as a named prepared statement on PostgreSQL: parsed and planned once per connection rather
 * than at every call, for the hottest queries (list the columns: a prepared `select *` fails once a
 * migration adds one). On PGlite, as any query.
 */
export async function executePrepared<R>(db: Executor, query: RawBuilder<R>): Promise<QueryResult<R>> {
  const compiled = query.compile(db);
  if (!preparedNames.has(compiled.sql)) preparedNames.set(compiled.sql, `sportello_${preparedNames.size + 1}`);
  return db.executeQuery(compiled);
}

/** Makes a pool connection run the texts of executePrepared as named statements (Kysely passes plain text). */
function prepareOnConnect(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((text: unknown, ...rest: unknown[]) => {
    const name = typeof text === 'string' ? preparedNames.get(text) : undefined;
    return name ? query({ name, text, values: rest[0] }, ...rest.slice(1)) : query(text, ...rest);
  }) as typeof client.query;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    // An idle connection the server closes (restart, admin termination) must not crash the process: the pool replaces it.
    pool.on('error', (err) => console.error(`PostgreSQL connection lost: ${err.message}`));
    pool.on('connect', prepareOnConnect);
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
    await sql`select 1`.execute(db);
    return {
      kind: 'postgres',
      location: options.databaseUrl.replace(/:[^:@/]*@/, ':***@'),
      db,
      close: () => db.destroy(),
    };
  }
  const dir = path.join(options.dataDir, 'pglite');
  fs.mkdirSync(dir, { recursive: true });
  const pglite = new PGlite({
    dataDir: dir,
    parsers: { [INT8]: parseInt8, [NUMERIC]: keepString, [DATE]: keepString },
  });
  await pglite.waitReady;
  const db = new Kysely<any>({ dialect: new PGliteDialect(pglite) });
  return { kind: 'pglite', location: dir, db, close: () => db.destroy() };
}

/** Runs fn inside a transaction on the given executor (joins it when already in one). */
export async function transaction<T>(db: Executor, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as Tx);
  return db.transaction().execute(fn);
}
