// `npm start` with no manual step: the demo entes get their PDND management API key derived from the
// shared SECRET (the PDND seed derives the same one, demoPdndApiKey), and at start-up every ente with
// a stored key but no working connection is connected over HTTP by a durable job, retried with backoff
// until PDND answers. A connected ente is left alone.
import type { Logger } from 'pino';
import type { Executor } from '../../core/db.ts';
import { enqueue, PermanentJobError, type JobHandler } from '../../core/jobs.ts';
import { demoPdndApiKey } from '../../clients/pdnd/index.ts';
import type { TenantRepository } from '../tenants/tenants.ts';
import { PdndConnectError, PERMANENT_CONNECT_ERRORS } from './connect.ts';
import type { ComuneInterop } from './service.ts';
import type { PdndConnectionRepository } from './store.ts';

export const PDND_CONNECT_JOB = 'pdnd.connect';

/** Seed: the derived key for each demo ente that has no PDND connection yet (an admin's own key stays). */
export async function seedDemoPdndKeys(connections: PdndConnectionRepository, secret: string, tenants: readonly { id: string; ipaCode: string }[]): Promise<void> {
  for (const tenant of tenants) await connections.saveApiKey(tenant.id, demoPdndApiKey(secret, tenant.ipaCode), { onlyIfAbsent: true });
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
