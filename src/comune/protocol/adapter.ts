// How an ente registers and annuls documents: its own built-in register, or an external protocol system
// over HTTP (a real-shaped REST API: POST the registration with its documents, get number and date back;
// POST /registrations/{id}/annulment with reason and authorisation).
import { transaction, type Executor, type Tx } from '../../core/db.ts';
import { PermanentJobError } from '../../core/jobs.ts';
import { conflict, notFound } from '../../core/problem.ts';
import type { DocumentStore } from './files.ts';
import { annulEntry, auditAnnulment, checkAnnulment, registerEntry, type AnnulmentInput, type RegisterInput, type Registration } from './register.ts';
import { sha256Hex } from './segnatura.ts';

export interface ProtocolReceipt extends Registration {
  /** Which register gave the number. */
  system: 'builtin' | 'http';
}

export interface RegisterRun {
  /** Passed to the external system so a repeated attempt gets the first number back. */
  idempotencyKey: string;
  /** The transaction the receipt is recorded in (a job's ctx.transaction, or a plain one). */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
}

export interface ProtocolAdapter {
  readonly kind: 'builtin' | 'http';
  /**
   * Registers and runs `record` with the receipt in one transaction: with the registration itself
   * (built-in, so number and caller's change commit together), or after the external system answered.
   */
  register<T>(tenantId: string, input: RegisterInput, run: RegisterRun, record: (tx: Tx, receipt: ProtocolReceipt) => Promise<T>): Promise<T>;
  /**
   * Annuls the registration `id` given by this register (DPCM 3/12/2013 art. 8): it stays, marked annulled,
   * and its number is never given again. 404 for an unknown one, 409 for one already annulled.
   */
  annul(tenantId: string, id: string, input: AnnulmentInput, run: RegisterRun): Promise<void>;
}

/** The external system cannot answer now (down, timeout, 5xx, 429): try again later. */
export class ProtocolUnavailableError extends Error {
  override name = 'ProtocolUnavailableError';
}

/** The external system refused the registration (4xx): retrying the same request cannot help. */
export class ProtocolRejectedError extends PermanentJobError {
  override name = 'ProtocolRejectedError';
}

export function builtinProtocolAdapter(store: DocumentStore, now?: () => Date): ProtocolAdapter {
  return {
    kind: 'builtin',
    register: (tenantId, input, run, record) =>
      run.transaction(async (tx) => record(tx, { ...(await registerEntry(tx, tenantId, input, { store, now })), system: 'builtin' })),
    annul: (tenantId, id, input, run) => run.transaction((tx) => annulEntry(tx, tenantId, id, input)),
  };
}

export interface HttpProtocolOptions {
  baseUrl: string;
  token: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** The registration as sent to the external system (JSON; documents inline, base64). */
export function registrationBody(input: RegisterInput) {
  return {
    direction: input.direction,
    subject: input.subject,
    correspondent: input.correspondent,
    classification: input.classification,
    linkedTo: input.linkedTo ?? null,
    documents: input.documents.map((d) => ({
      name: d.name,
      mimeType: d.mime,
      sha256: sha256Hex(d.data),
      content: Buffer.from(d.data).toString('base64'),
    })),
  };
}

function receiptOf(body: unknown): ProtocolReceipt {
  const b = body as Record<string, unknown> | null;
  const registeredAt = new Date(String(b?.registeredAt));
  if (!b || typeof b.id !== 'string' || !Number.isInteger(b.number) || !Number.isInteger(b.year) || Number.isNaN(registeredAt.getTime())) {
    throw new ProtocolUnavailableError('the protocol system answered without id, number, year and registeredAt');
  }
  return { id: b.id, number: b.number as number, year: b.year as number, registeredAt, system: 'http' };
}

export function httpProtocolAdapter(options: HttpProtocolOptions): ProtocolAdapter {
  const doFetch = options.fetch ?? fetch;
  const base = `${options.baseUrl.replace(/\/+$/, '')}/registrations`;
  /** POSTs JSON; "try later" for no answer, 408, 429 and 5xx; the response otherwise. */
  async function post(url: string, idempotencyKey: string, body: unknown): Promise<Response> {
    let response: Response;
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey, accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      });
    } catch (error) {
      throw new ProtocolUnavailableError(`the protocol system cannot be reached: ${(error as Error).message}`);
    }
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      throw new ProtocolUnavailableError(`the protocol system answered ${response.status}`);
    }
    return response;
  }
  const refused = async (what: string, response: Response) =>
    new ProtocolRejectedError(`the protocol system refused the ${what}: ${response.status} ${(await response.text()).slice(0, 300)}`);
  return {
    kind: 'http',
    async register(_tenantId, input, run, record) {
      const response = await post(base, run.idempotencyKey, registrationBody(input));
      if (!response.ok) throw await refused('registration', response);
      const receipt = receiptOf(await response.json().catch(() => null));
      return run.transaction((tx) => record(tx, receipt));
    },
    async annul(tenantId, id, annulment, run) {
      const input = checkAnnulment(annulment);
      const response = await post(`${base}/${encodeURIComponent(id)}/annulment`, run.idempotencyKey, { reason: input.reason, authorisedBy: input.authorisedBy });
      if (response.status === 404) throw notFound('No such protocol registration.');
      if (response.status === 409) throw conflict('This registration is already annulled.');
      if (!response.ok) throw await refused('annulment', response);
      // The external register keeps the annulment; our audit log keeps who asked for it.
      await run.transaction((tx) => auditAnnulment(tx, tenantId, id, input, { system: 'http' }));
    },
  };
}

/** A RegisterRun outside jobs: a plain transaction on db. */
export const plainRun = (db: Executor, idempotencyKey: string): RegisterRun => ({ idempotencyKey, transaction: (fn) => transaction(db, fn) });
