// Versioned, forward-only migrations, one PostgreSQL schema per app.
// A migration never changes once released: fixes are new migrations.
import { sql, type Db, type Tx } from './db.ts';

export interface Migration {
  /** Unique within the schema, e.g. "core.sessions.001" or "001_tenants"; applied in list order. */
  id: string;
  up(tx: Tx, schema: string): Promise<void>;
}

/**
 * A migration written as SQL, where `{schema}` stands for the app's schema name. One statement per
 * argument: PGlite runs each as a prepared statement, which holds a single command.
 */
export function sqlMigration(id: string, ...statements: string[]): Migration {
  return {
    id,
    async up(tx, schema) {
      for (const text of statements) await sql.raw(text.replaceAll('{schema}', quoteIdent(schema))).execute(tx);
    },
  };
}

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Unsafe SQL identifier: ${name}`);
  return `"${name}"`;
}

export interface MigrationResult {
  schema: string;
  applied: string[];
}

/**
 * Applies the pending migrations of one schema in one transaction, under an advisory lock so
 * processes starting together against the same PostgreSQL never run a migration twice.
 */
export async function migrateSchema(db: Db, schema: string, migrations: Migration[]): Promise<MigrationResult> {
  const ids = migrations.map((m) => m.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new Error(`Duplicate migration id ${duplicate} in schema ${schema}`);
  const s = quoteIdent(schema);
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${'sportello.migrate.' + schema}))`.execute(tx);
    await sql.raw(`create schema if not exists ${s}`).execute(tx);
    await sql
      .raw(
        `create table if not exists ${s}.schema_migrations (
           id text primary key,
           applied_at timestamptz not null default now()
         )`,
      )
      .execute(tx);
    const done = await sql<{ id: string }>`select id from ${sql.table(`${schema}.schema_migrations`)}`.execute(tx);
    const doneIds = new Set(done.rows.map((r) => r.id));
    const unknown = [...doneIds].filter((id) => !ids.includes(id));
    if (unknown.length) {
      throw new Error(`Schema ${schema} has migrations this code does not know (${unknown.join(', ')}): is the code older than the database?`);
    }
    const applied: string[] = [];
    for (const migration of migrations) {
      if (doneIds.has(migration.id)) continue;
      await migration.up(tx, schema);
      await sql`insert into ${sql.table(`${schema}.schema_migrations`)} (id) values (${migration.id})`.execute(tx);
      applied.push(migration.id);
    }
    return { schema, applied };
  });
}
