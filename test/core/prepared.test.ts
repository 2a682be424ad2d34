// executePrepared (src/core/db.ts): the same answers as any query, on both databases; on PostgreSQL a named
// statement, prepared once per connection.
import { expect, it } from 'vitest';
import { executePrepared, sql, transaction } from '../../src/core/db.ts';
import { withTestDatabases } from '../support/database.ts';

await withTestDatabases('prepared statements', ({ name, database }) => {
  it('answers as a plain query would, with parameters and transactions', async () => {
    const db = database().db;
    const square = (n: number) => executePrepared(db, sql<{ n: number }>`select (${n}::int * ${n}::int) as n`);
    expect((await square(3)).rows).toEqual([{ n: 9 }]);
    expect((await square(4)).rows).toEqual([{ n: 16 }]);
    await transaction(db, async (tx) => {
      expect((await executePrepared(tx, sql<{ n: number }>`select (${5}::int * ${5}::int) as n`)).rows).toEqual([{ n: 25 }]);
      if (name === 'postgres') {
        const { rows } = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(tx);
        expect(rows.map((r) => r.statement)).toContain('select ($1::int * $2::int) as n');
      }
    });
  });
});
