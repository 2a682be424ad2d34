// The durable job that registers a document in the ente's protocol through its configured adapter
// (built-in or external): retried with backoff while an external system is down, so nothing is lost;
// what to register and where to record the number are the caller's (application, integration, letter).
import type { Executor, Tx } from '../../core/db.ts';
import { PermanentJobError, type JobHandler } from '../../core/jobs.ts';
import type { ProtocolReceipt } from './adapter.ts';
import type { DocumentStore } from './files.ts';
import type { RegisterDocument, RegisterInput } from './register.ts';
import { protocolAdapterFor, type AdapterDeps } from './settings.ts';

export interface ProtocolRegistration<P> {
  /** What to register for the job's payload; undefined when there is nothing (left) to register. */
  prepare(payload: P): Promise<{ tenantId: string; input: RegisterInput } | undefined>;
  /** Records the receipt, in the transaction that also completes the job. */
  record(tx: Tx, payload: P, receipt: ProtocolReceipt): Promise<void>;
}

/** A document of the store by its SHA-256, to register; a missing one cannot be registered, ever. */
export async function storedDocument(store: DocumentStore, document: { sha256: string; name: string; mime: string }): Promise<RegisterDocument> {
  const data = await store.get(document.sha256);
  if (!data) throw new PermanentJobError(`document ${document.sha256} is missing from the store`);
  return { name: document.name, mime: document.mime, data };
}

export function protocolJobHandler<P>(db: Executor, deps: AdapterDeps, registration: ProtocolRegistration<P>): JobHandler<P> {
  return async (payload, ctx) => {
    const prepared = await registration.prepare(payload);
    if (!prepared) return;
    const adapter = await protocolAdapterFor(db, prepared.tenantId, deps);
    // The job's key goes to the external system, so a repeated attempt gets the first number back; with its
    // kind, since the application's job and its letter's share the application's id as key.
    await adapter.register(prepared.tenantId, prepared.input, { idempotencyKey: `${ctx.kind}:${ctx.idempotencyKey}`, transaction: ctx.transaction }, (tx, receipt) =>
      registration.record(tx, payload, receipt),
    );
  };
}
