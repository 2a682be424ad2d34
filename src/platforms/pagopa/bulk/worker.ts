// The worker of the massive uploads, apart from the Nodo's so that long files never delay a receipt's push.
import { createJobWorker } from '../../../core/jobs.ts';
import type { AppContext } from '../../../core/runtime.ts';
import { SCHEMA } from '../schema.ts';
import { BULK_UPLOAD_JOB, bulkUploadHandler } from './store.ts';

/** Files processed at the same time; each holds one transaction at a time. */
const CONCURRENT_FILES = 4;

export async function startBulkWorker(ctx: AppContext): Promise<() => Promise<void>> {
  const worker = createJobWorker({
    db: ctx.database.db,
    schema: SCHEMA,
    handlers: { [BULK_UPLOAD_JOB]: bulkUploadHandler(ctx.database.db) },
    concurrency: CONCURRENT_FILES,
    // A chunk of a large file may take a few seconds: room to spare before another worker takes the job over.
    leaseMs: 120_000,
    listenUrl: ctx.config.databaseUrl,
    logger: ctx.logger.child({ app: 'pagopa', worker: 'bulk' }),
  });
  await worker.start();
  return () => worker.stop();
}
