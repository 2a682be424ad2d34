// The interop service as the comune app starts it, and `npm start` with no manual step: the demo entes
// get their PDND management API key derived from the shared SECRET (PDND's seed derives the same one,
// demoPdndApiKey), and at start-up every ente with a stored key but no working connection is connected
// over HTTP by a durable job, retried with backoff until PDND answers. A connected ente is left alone.
import type { Logger } from 'pino';
import type { Executor } from '../../core/db.ts';
import { enqueue, PermanentJobError, type JobHandler } from '../../core/jobs.ts';
import { demoPdndApiKey } from '../../clients/pdnd/index.ts';
import type { AppContext } from '../../core/runtime.ts';
import { TenantRepository } from '../tenants/tenants.ts';
import { PdndConnectError, PERMANENT_CONNECT_ERRORS } from './connect.ts';
import { createComuneInterop, type ComuneInterop } from './service.ts';
import { PdndConnectionRepository } from './store.ts';

export const PDND_CONNECT_JOB = 'pdnd.connect';

/** Seed: the derived key for each demo ente that has no PDND connection yet (an admin's own key stays). */
export async function seedDemoPdndKeys(ctx: AppContext, tenants: readonly { id: string; ipaCode: string }[]): Promise<void> {
  const connections = new PdndConnectionRepository(ctx.database.db, ctx.secret);
  for (const tenant of tenants) await connections.saveApiKey(tenant.id, demoPdndApiKey(ctx.secret, tenant.ipaCode), { onlyIfAbsent: true });
}

/** For the comune's job worker: the connect handler, and the start-up enqueue (logs, never throws). */
export function pdndConnectJobs(ctx: AppContext, interop: ComuneInterop): { handlers: Record<string, JobHandler>; enqueue(): Promise<void> } {
  const logger = ctx.logger.child({ app: 'comune', job: PDND_CONNECT_JOB });
  return {
    handlers: { [PDND_CONNECT_JOB]: pdndConnectHandler(interop, new TenantRepository(ctx.database.db), logger) },
    async enqueue() {
      try {
        const created = await enqueuePdndConnections(ctx.database.db, interop.connections);
        if (created) logger.info({ entes: created }, 'comune: connecting entes to PDND in the background');
      } catch (err) {
        logger.error({ err }, 'comune: could not schedule the PDND connections');
      }
    },
  };
}

/** The ente's PDND connection service, from the app's configuration. */
export function comuneInterop(ctx: AppContext): ComuneInterop {
  return createComuneInterop({ db: ctx.database.db, secret: ctx.secret, pdndUrl: ctx.config.urls.pdnd, anprUrl: ctx.config.urls.anpr });
}

/** Start-up: one connect job per ente waiting to be connected; the same state never gets two jobs. */
export async function enqueuePdndConnections(db: Executor, connections: PdndConnectionRepository): Promise<number> {
  let created = 0;
  for (const { tenantId, updatedAt } of await connections.pending()) {
    const { created: isNew } = await enqueue(db, 'comune', { kind: PDND_CONNECT_JOB, payload: { tenantId }, idempotencyKey: `${tenantId}@${updatedAt.toISOString()}` });
    if (isNew) created++;
  }
  return created;
}

export function pdndConnectHandler(interop: ComuneInterop, tenants: TenantRepository, logger: Logger): JobHandler<{ tenantId: string }> {
  return async ({ tenantId }) => {
    const tenant = await tenants.byId(tenantId);
    if (!tenant) throw new PermanentJobError(`No tenant ${tenantId}`);
    if ((await interop.connections.get(tenantId))?.status === 'connected') return;
    try {
      const connection = await interop.connect(tenant, {}, { type: 'system', id: 'jobs.pdnd-connect' });
      logger.info({ tenant: tenant.slug, clientId: connection.clientId, eservices: Object.keys(connection.purposes) }, 'comune: connected to PDND');
    } catch (err) {
      if (err instanceof PdndConnectError && PERMANENT_CONNECT_ERRORS.includes(err.code)) throw new PermanentJobError(`${tenant.slug}: ${err.message}`);
      throw err;
    }
  };
}
