// Group commit (src/core/batch.ts): concurrent items share one write, one write at a time, and each
// caller learns the fate of its own item.
import { expect, it } from 'vitest';
import { groupWriter } from '../../src/core/batch.ts';

/** A write that records its batches and finishes when told to. */
function controlledWrite() {
  const batches: number[][] = [];
  const pending: { resolve(): void; reject(err: Error): void }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const write = (items: number[]) =>
    new Promise<void>((resolve, reject) => {
      batches.push(items);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      pending.push({ resolve: () => (inFlight--, resolve()), reject: (err) => (inFlight--, reject(err)) });
    });
  const settle = async (how: 'resolve' | 'reject' = 'resolve') => {
    while (!pending.length) await new Promise((r) => setImmediate(r));
    const next = pending.shift()!;
    if (how === 'resolve') next.resolve();
    else next.reject(new Error('database down'));
  };
  return { write, batches, settle, maxInFlight: () => maxInFlight };
}

it('writes the items added in one turn together, and those added meanwhile in the next write, one write at a time', async () => {
  const w = controlledWrite();
  const writer = groupWriter(w.write);
  const first = [1, 2, 3].map((n) => writer.add(n));
  await w.settle();
  await Promise.all(first);
  const second = [4, 5].map((n) => writer.add(n));
  await new Promise((r) => setImmediate(r)); // the write of 4 and 5 is under way
  const third = [6, 7].map((n) => writer.add(n));
  await w.settle();
  await Promise.all(second);
  await w.settle();
  await Promise.all(third);
  expect(w.batches).toEqual([[1, 2, 3], [4, 5], [6, 7]]);
  expect(w.maxInFlight()).toBe(1);
});

it('does not settle an item before its write is done', async () => {
  const w = controlledWrite();
  const writer = groupWriter(w.write);
  let done = false;
  const added = writer.add(1).then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  expect(w.batches).toEqual([[1]]);
  expect(done).toBe(false);
  await w.settle();
  await added;
  expect(done).toBe(true);
});

it('rejects the items of a failed write only, and goes on with the next ones', async () => {
  const w = controlledWrite();
  const writer = groupWriter(w.write);
  const failed = [1, 2].map((n) => writer.add(n));
  await new Promise((r) => setImmediate(r));
  const later = writer.add(3);
  await w.settle('reject');
  for (const p of failed) await expect(p).rejects.toThrow('database down');
  await w.settle();
  await expect(later).resolves.toBeUndefined();
  expect(w.batches).toEqual([[1, 2], [3]]);
});

it('splits a long queue into batches of at most maxBatch, and drain waits for all of them', async () => {
  const batches: number[][] = [];
  const writer = groupWriter(async (items: number[]) => void batches.push(items), { maxBatch: 4 });
  const all = Array.from({ length: 10 }, (_, i) => writer.add(i));
  await writer.drain();
  expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
  await Promise.all(all);
});
