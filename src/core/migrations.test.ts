import { describe, expect, it } from 'vitest';
import { sql } from './db.ts';
import { migrateSchema, sqlMigration } from './migrations.ts';
import { withTestDatabases } from '../../test/support/database.ts';

const first = sqlMigration('001_things', 'create table {schema}.things (id serial primary key, name text not null)');
const second = sqlMigration('002_things_note', 'alter table {schema}.things add column note text', "insert into {schema}.things (name) values ('seeded')");

await withTestDatabases('migrations', ({ database }) => {
  it('applies pending migrations once, in order, per schema', async () => {
    const { db } = database();
    expect((await migrateSchema(db, 'app_a', [first])).applied).toEqual(['001_things']);
    expect((await migrateSchema(db, 'app_a', [first, second])).applied).toEqual(['002_things_note']);
    expect((await migrateSchema(db, 'app_a', [first, second])).applied).toEqual([]);
    expect((await migrateSchema(db, 'app_b', [first])).applied).toEqual(['001_things']);
    const rows = await sql<{ name: string; note: string | null }>`select name, note from app_a.things`.execute(db);
    expect(rows.rows).toEqual([{ name: 'seeded', note: null }]);
  });

  it('refuses to run when the database is ahead of the code', async () => {
    const { db } = database();
    await expect(migrateSchema(db, 'app_a', [first])).rejects.toThrow(/does not know \(002_things_note\)/);
  });

  it('rolls back a failing migration entirely', async () => {
    const { db } = database();
    const broken = sqlMigration('003_broken', 'create table {schema}.half (id int)', 'select * from no_such_table');
    await expect(migrateSchema(db, 'app_a', [first, second, broken])).rejects.toThrow();
    const tables = await sql<{ n: number }>`select count(*) as n from information_schema.tables where table_schema = 'app_a' and table_name = 'half'`.execute(db);
    expect(tables.rows[0]!.n).toBe(0);
  });

  it('serialises concurrent migrations of the same schema', async () => {
    const { db } = database();
    const results = await Promise.all([1, 2, 3].map(() => migrateSchema(db, 'app_c', [first, second])));
    expect(results.flatMap((r) => r.applied).sort()).toEqual(['001_things', '002_things_note']);
  });
});
