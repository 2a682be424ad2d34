// Group commit: the items that callers add while a write is under way are written together by the next
// one, one write at a time, and each caller's promise settles with the write that holds its item — so
// nothing is acknowledged before it is stored, and N concurrent inserts cost one statement and one commit.

export interface GroupWriter<T> {
  /** Resolves once the item is written (rejects if its batch failed). */
  add(item: T): Promise<void>;
  /** Resolves once everything added so far is written or failed. */
  drain(): Promise<void>;
}

interface Waiting<T> {
  item: T;
  resolve(): void;
  reject(err: unknown): void;
}

export function groupWriter<T>(write: (items: T[]) => Promise<void>, options: { maxBatch?: number } = {}): GroupWriter<T> {
  const maxBatch = options.maxBatch ?? 1000;
  let queue: Waiting<T>[] = [];
  let running: Promise<void> | undefined;

  async function run(): Promise<void> {
    while (queue.length) {
      const batch = queue.length > maxBatch ? queue.splice(0, maxBatch) : queue;
      if (batch === queue) queue = [];
      try {
        await write(batch.map((w) => w.item));
        for (const w of batch) w.resolve();
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    running = undefined;
  }

  return {
    add(item) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        // Started after the current microtasks, so that the items added in this turn share the first write.
        running ??= Promise.resolve().then(run);
      });
    },
    async drain() {
      while (running) await running;
    },
  };
}
