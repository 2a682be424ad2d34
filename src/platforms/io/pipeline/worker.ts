// The pipeline's workers beside the IO app: processing of accepted messages, e-mail and webhook notifications, each a
// loop that takes batches while there is work and otherwise sleeps until polled or woken (LISTEN on PostgreSQL, or
// by the processing stage after it started notifications). On PGlite the loops share the one connection.
import pg from 'pg';
import type { Logger } from 'pino';
import type { AppContext } from '../../../core/runtime.ts';
import { createWakeup } from '../../../core/jobs.ts';
import { quoteIdent } from '../../../core/migrations.ts';
import { sendDueEmails } from './email.ts';
import { PIPELINE_CHANNEL, type StageOptions } from './lease.ts';
import { processDueMessages } from './process.ts';
import { callDueWebhooks } from './webhook.ts';

export interface PipelineOptions extends StageOptions {
  /** Processing loops at once (default 2 on PostgreSQL, for 2 cores; 1 on PGlite). */
  processors?: number;
  /** Sleep between looks for due work when not woken (default 250 ms). */
  pollIntervalMs?: number;
}

interface StageLoop {
  wake(): void;
  stop(): Promise<void>;
}

/** Repeats step while it finds work; sleeps pollIntervalMs (or until woken) when it finds none or fails. */
function stageLoop(name: string, step: () => Promise<number>, pollIntervalMs: number, logger: Logger): StageLoop {
  let stopping = false;
  const wakeup = createWakeup();
  const running = (async () => {
    while (!stopping) {
      let taken = 0;
      try {
        taken = await step();
      } catch (err) {
        logger.error({ err, stage: name }, 'io pipeline: a batch failed; its leases will expire and it is taken again');
      }
      if (!taken && !stopping) await wakeup.wait(pollIntervalMs);
    }
  })();
  return {
    wake: wakeup.wake,
    async stop() {
      stopping = true;
      wakeup.wake();
      await running;
    },
  };
}

/** Starts the pipeline; the returned function stops taking work and waits for the batches under way. */
export async function startPipeline(ctx: AppContext, options: PipelineOptions = {}): Promise<() => Promise<void>> {
  const db = ctx.database.db;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const processors = options.processors ?? (ctx.database.kind === 'postgres' ? 2 : 1);
  const ioUrl = ctx.config.urls.io;
  const notifiers = [
    stageLoop('email', () => sendDueEmails({ db, mailer: ctx.mailer, ioUrl }, options), pollIntervalMs, ctx.logger),
    stageLoop('webhook', () => callDueWebhooks({ db, secret: ctx.secret, ioUrl }, options), pollIntervalMs, ctx.logger),
  ];
  const processing = Array.from({ length: processors }, (_, i) =>
    stageLoop(
      `process-${i}`,
      async () => {
        const taken = await processDueMessages(db, options);
        if (taken) for (const loop of notifiers) loop.wake();
        return taken;
      },
      pollIntervalMs,
      ctx.logger,
    ),
  );
  const loops = [...processing, ...notifiers];
  let listener: pg.Client | undefined;
  if (ctx.database.kind === 'postgres' && ctx.config.databaseUrl) {
    // Messages accepted by another process (wakePipeline) are taken at once rather than at the next poll.
    const client = new pg.Client({ connectionString: ctx.config.databaseUrl });
    client.on('error', (err) => ctx.logger.warn({ err }, 'io pipeline: notifications lost; polling only'));
    client.on('notification', () => loops.forEach((loop) => loop.wake()));
    try {
      await client.connect();
      await client.query(`listen ${quoteIdent(PIPELINE_CHANNEL)}`);
      listener = client;
    } catch (err) {
      ctx.logger.warn({ err }, 'io pipeline: could not listen; polling only');
      await client.end().catch(() => undefined);
    }
  }
  return async () => {
    await Promise.all(loops.map((loop) => loop.stop()));
    await listener?.end().catch(() => undefined);
  };
}
