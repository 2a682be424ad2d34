// The group commit behind message submissions: rows gathered within the delay share one write, a full batch goes at
// once, each caller gets its own result only after the write, and the writes in flight are bounded.
import { describe, expect, it } from 'vitest';
import { groupCommit } from '../../src/platforms/io/messages/group-commit.ts';

describe('groupCommit', () => {
  it('writes concurrent rows in one batch and answers each its own result after the write', async () => {
    const batches: number[][] = [];
    let written = false;
    const submit = groupCommit<number, string>(
      async (rows) => {
        batches.push(rows);
        await new Promise((resolve) => setTimeout(resolve, 5));
        written = true;
        return rows.map((n) => (n === 3 ? new Error('three') : `row ${n}`));
      },
      { maxRows: 100, maxDelayMs: 5, maxInFlight: 2 },
    );
    const results = await Promise.allSettled([1, 2, 3, 4].map((n) => submit(n).then((r) => (expect(written).toBe(true), r))));
    expect(batches).toEqual([[1, 2, 3, 4]]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['row 1', 'row 2', 'three', 'row 4']);
  });

  it('sends a full batch at once, keeps at most maxInFlight writes, and rejects every row of a failed write', async () => {
    const batches: number[][] = [];
    let inFlight = 0;
    let most = 0;
    const submit = groupCommit<number, number>(
      async (rows) => {
        batches.push(rows);
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 10));
        inFlight--;
        if (rows.includes(-1)) throw new Error('database down');
        return rows;
      },
      { maxRows: 3, maxDelayMs: 1_000, maxInFlight: 2 },
    );
    const began = Date.now();
    const answers = await Promise.all(Array.from({ length: 9 }, (_, i) => submit(i)));
    expect(Date.now() - began).toBeLessThan(500);
    expect(answers).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(batches.map((b) => b.length)).toEqual([3, 3, 3]);
    expect(most).toBe(2);
    await expect(Promise.all([submit(-1), submit(9), submit(10)])).rejects.toThrow('database down');
  });
});
