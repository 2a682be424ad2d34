// The durable job that registers a submitted application in the ente's protocol (incoming): the PDF
// first, then the attachments; retried with backoff while an external system is down, so nothing is lost.
import { sql, type Executor } from '../../core/db.ts';
import { PermanentJobError, type JobHandler } from '../../core/jobs.ts';
import type { DocumentStore } from '../protocol/files.ts';
import { protocolAdapterFor, type AdapterDeps } from '../protocol/settings.ts';
import { ApplicationStore } from './store.ts';
import { STATUS } from './states.ts';

export { REGISTER_APPLICATION_JOB } from './store.ts';

async function bytes(files: DocumentStore, sha256: string): Promise<Buffer> {
  const data = await files.get(sha256);
  if (!data) throw new PermanentJobError(`document ${sha256} is missing from the store`);
  return data;
}

export function registerApplicationHandler(db: Executor, deps: AdapterDeps): JobHandler<{ applicationId: string }> {
  const store = new ApplicationStore(db, deps.store);
  const system = { kind: 'system', id: 'protocol' } as const;
  return async ({ applicationId }, ctx) => {
    const app = await store.get(system, applicationId);
    // Already registered (a repeated attempt) or no longer waiting for it.
    if (app.status !== STATUS.submitted || app.protocol) return;
    if (!app.pdfSha256) throw new PermanentJobError(`application ${applicationId} has no PDF`);
    const attachments = await store.attachments(db, applicationId);
    const documents = [
      { name: `domanda-${app.id}.pdf`, mime: 'application/pdf', data: await bytes(deps.store, app.pdfSha256) },
      ...(await Promise.all(attachments.map(async (a) => ({ name: a.name, mime: a.mime, data: await bytes(deps.store, a.sha256) })))),
    ];
    const adapter = await protocolAdapterFor(db, app.tenantId, deps);
    await adapter.register(
      app.tenantId,
      {
        direction: 'incoming',
        subject: `${app.serviceName} — domanda di ${app.citizenName}`,
        correspondent: { name: app.citizenName, fiscalCode: app.citizenFiscalCode },
        classification: app.classification,
        documents,
      },
      { idempotencyKey: ctx.idempotencyKey, transaction: ctx.transaction },
      async (tx, receipt) => {
        // The row lock makes a racing transition (a withdrawal) wait, then we see it.
        const { rows } = await sql<{ status: number }>`select status from comune.applications where id = ${applicationId} for update`.execute(tx);
        if (rows[0]?.status === STATUS.submitted) await store.recordRegistration(tx, applicationId, receipt);
      },
    );
  };
}
