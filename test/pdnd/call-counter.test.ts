// The provider's daily-calls counter on both databases (src/clients/pdnd/voucher.ts postgresCallCounter):
// leases of numbered calls reserved in the day's row, never beyond the purpose's limit, whatever the
// processes (two counters on one schema stand for two processes).
import { beforeAll, expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { migrateSchema } from '../../src/core/migrations.ts';
import { leaseSize, postgresCallCounter, voucherCallCounterMigrations, type VoucherCallCounter } from '../../src/clients/pdnd/voucher.ts';
import { withTestDatabases } from '../support/database.ts';

const DAY = '2026-03-02';

await withTestDatabases('daily calls counter', ({ database }) => {
  const reserved = async (purposeId: string, day = DAY) =>
    (await sql<{ calls: number }>`select calls from counter_test.voucher_calls where purpose_id = ${purposeId} and day = ${day}`.execute(database().db)).rows[0]?.calls;
  // The day's row as other processes left it, so that a test reaches the limit in a few reservations.
  const prefill = (purposeId: string, calls: number) =>
    sql`insert into counter_test.voucher_calls (purpose_id, day, calls) values (${purposeId}, ${DAY}, ${calls})`.execute(database().db);
  const allowedOf = async (counter: VoucherCallCounter, purposeId: string, limit: number, calls: number) => {
    const results = await Promise.all(Array.from({ length: calls }, () => counter.consume(purposeId, DAY, limit)));
    return results.filter((r) => r.allowed);
  };

  beforeAll(async () => {
    await migrateSchema(database().db, 'counter_test', voucherCallCounterMigrations);
  });

  it('reserves a thousandth of the limit at once, at most 1,000, so that small limits are counted call by call', () => {
    expect([leaseSize(2), leaseSize(1999), leaseSize(10_000), leaseSize(5_000_000)]).toEqual([1, 1, 10, 1000]);
  });

  it('counts a small limit call by call in the row, and refuses beyond it', async () => {
    const counter = postgresCallCounter(database().db, 'counter_test');
    for (const n of [1, 2, 3]) {
      expect(await counter.consume('small', DAY, 3)).toEqual({ allowed: true, count: n });
      expect(await reserved('small')).toBe(n);
    }
    expect(await counter.consume('small', DAY, 3)).toEqual({ allowed: false, count: 3 });
    expect(await reserved('small')).toBe(3);
  });

  it('never allows more than the limit across processes, each call numbered once, and gives back what is unused', async () => {
    const limit = 5000; // leases of 5
    await prefill('shared', limit - 100);
    const a = postgresCallCounter(database().db, 'counter_test');
    const b = postgresCallCounter(database().db, 'counter_test');
    const allowed = (await Promise.all([allowedOf(a, 'shared', limit, 80), allowedOf(b, 'shared', limit, 80)])).flat();
    expect(allowed.length).toBeLessThanOrEqual(100);
    // Refused while the other process still held numbers: at most one lease each.
    expect(allowed.length).toBeGreaterThanOrEqual(100 - 2 * leaseSize(limit));
    expect(new Set(allowed.map((r) => r.count)).size).toBe(allowed.length);
    expect(Math.min(...allowed.map((r) => r.count))).toBe(limit - 99);
    expect(Math.max(...allowed.map((r) => r.count))).toBeLessThanOrEqual(limit);
    await a.close();
    await b.close();
    expect(await reserved('shared')).toBe(limit - 100 + allowed.length);
  });

  it('holds a lowered limit at once, even with numbers left in its lease', async () => {
    const counter = postgresCallCounter(database().db, 'counter_test');
    expect(await counter.consume('lowered', DAY, 10_000)).toEqual({ allowed: true, count: 1 });
    expect(await reserved('lowered')).toBe(10); // a lease of 10
    expect((await allowedOf(counter, 'lowered', 3, 5)).length).toBe(2);
    await counter.close();
    expect(await reserved('lowered')).toBe(3);
  });

  it('after a crash (no close), refuses at most one lease too early, never lets one call too many', async () => {
    const limit = 10_000; // leases of 10
    await prefill('crash', limit - 50);
    const crashed = postgresCallCounter(database().db, 'counter_test');
    expect((await crashed.consume('crash', DAY, limit)).allowed).toBe(true); // reserved 10, used 1
    const restarted = postgresCallCounter(database().db, 'counter_test');
    const allowed = await allowedOf(restarted, 'crash', limit, 100);
    expect(allowed.length).toBe(50 - leaseSize(limit));
    expect(await reserved('crash')).toBe(limit);
  });

  it('starts afresh on a new day', async () => {
    const counter = postgresCallCounter(database().db, 'counter_test');
    expect((await counter.consume('daily', DAY, 1)).allowed).toBe(true);
    expect((await counter.consume('daily', DAY, 1)).allowed).toBe(false);
    expect(await counter.consume('daily', '2026-03-03', 1)).toEqual({ allowed: true, count: 1 });
    expect(await reserved('daily', '2026-03-03')).toBe(1);
  });
});
