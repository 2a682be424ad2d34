// The push of receipts to the creditor's station (paSendRT as JSON): a durable job per receipt, enqueued with
// the payment, retried with backoff until the station answers 2xx { outcome: "OK" }, so a receipt is
// delivered at least once; the station is idempotent on receipt.receiptId (docs/payments.md).
import { sql, type Executor } from '../../../core/db.ts';
import { createJobWorker, PermanentJobError, type JobHandler } from '../../../core/jobs.ts';
import type { AppContext } from '../../../core/runtime.ts';
import type { PaSendRtRequest } from '../../../clients/pagopa/nodo-wire.ts';
import { SCHEMA } from '../schema.ts';
import { RECEIPT_PUSH_JOB, receiptById } from './receipts.ts';

export function receiptPushHandler(db: Executor, options: { timeoutMs?: number } = {}): JobHandler<{ receiptId: string }> {
  return async ({ receiptId }, ctx) => {
    const receipt = await receiptById(db, receiptId);
    if (!receipt) throw new PermanentJobError(`No receipt ${receiptId}`);
    const { rows } = await sql<{ receipts_url: string | null; station_id: string }>`
      select receipts_url, station_id from pagopa.creditor_institutions where fiscal_code = ${receipt.fiscalCode}`.execute(db);
    const station = rows[0]!;
    // The endpoint was removed since: nothing to push to (the institution reads its receipts).
    if (!station.receipts_url) return;
    const body: PaSendRtRequest = { idPA: receipt.fiscalCode, idBrokerPA: station.station_id.split('_')[0]!, idStation: station.station_id, receipt };
    const response = await fetch(station.receipts_url, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/json', 'idempotency-key': ctx.idempotencyKey },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const answer = (await response.json().catch(() => undefined)) as { outcome?: unknown } | undefined;
    if (response.status < 200 || response.status > 299 || answer?.outcome !== 'OK') {
      throw new Error(`The station ${station.station_id} answered HTTP ${response.status}${answer?.outcome ? ` outcome ${String(answer.outcome)}` : ''}`);
    }
  };
}

/** The pagoPA app's job worker for the Nodo's durable work (receipt pushes); returns its stop. */
export async function startNodoWorker(ctx: AppContext): Promise<() => Promise<void>> {
  const worker = createJobWorker({
    db: ctx.database.db,
    schema: SCHEMA,
    handlers: { [RECEIPT_PUSH_JOB]: receiptPushHandler(ctx.database.db) },
    concurrency: 4,
    listenUrl: ctx.config.databaseUrl,
    logger: ctx.logger.child({ app: 'pagopa', worker: 'receipts' }),
  });
  await worker.start();
  return () => worker.stop();
}
