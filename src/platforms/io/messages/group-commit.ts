// Group commit: concurrent callers' rows wait a few milliseconds (or until a batch is full) and are written by ONE
// statement, so a burst of submissions costs one round trip and one WAL flush per batch instead of one per message.
// Each caller resolves only once the statement holding its row has committed.

export interface GroupCommitOptions {
  /** A batch is written at once when it reaches this many rows. */
  maxRows: number;
  /** How long the first row of a batch waits for others. */
  maxDelayMs: number;
  /** Batches written at the same time (each holds a database connection). */
  maxInFlight: number;
}

interface Waiting<T, R> {
  row: T;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/** `write` receives a batch and answers one result (or an Error) per row, in order. */
export function groupCommit<T, R>(write: (rows: T[]) => Promise<(R | Error)[]>, options: GroupCommitOptions): (row: T) => Promise<R> {
  let queue: Waiting<T, R>[] = [];
  let timer: NodeJS.Timeout | undefined;
  let inFlight = 0;

  function flush(): void {
    clearTimeout(timer);
    timer = undefined;
    // Busy: the rows keep gathering, and the batch in flight flushes them when it ends.
    if (inFlight >= options.maxInFlight || queue.length === 0) return;
    const batch = queue.slice(0, options.maxRows);
    queue = queue.slice(batch.length);
    inFlight++;
    write(batch.map((w) => w.row)).then(
      (results) => batch.forEach((w, i) => (results[i] instanceof Error ? w.reject(results[i]) : w.resolve(results[i] as R))),
      (err) => batch.forEach((w) => w.reject(err)),
    ).finally(() => {
      inFlight--;
      // The rows that gathered meanwhile have waited at least one write: no further delay.
      if (queue.length) flush();
    });
    if (queue.length >= options.maxRows) flush();
  }

  return (row) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ row, resolve, reject });
      if (queue.length >= options.maxRows) flush();
      else timer ??= setTimeout(flush, options.maxDelayMs);
    });
}
