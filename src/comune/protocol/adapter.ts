// How an ente registers documents: its own built-in register, or an external protocol system over
// HTTP (a real-shaped REST API: POST the registration with its documents, get number and date back).
import { transaction, type Executor, type Tx } from '../../core/db.ts';
import { PermanentJobError } from '../../core/jobs.ts';
import type { DocumentStore } from './files.ts';
import { registerEntry, type RegisterInput, type Registration } from './register.ts';
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
  const url = `${options.baseUrl.replace(/\/+$/, '')}/registrations`;
  return {
    kind: 'http',
    async register(_tenantId, input, run, record) {
      let response: Response;
      try {
        response = await doFetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json', 'idempotency-key': run.idempotencyKey, accept: 'application/json' },
          body: JSON.stringify(registrationBody(input)),
          signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
        });
      } catch (error) {
        throw new ProtocolUnavailableError(`the protocol system cannot be reached: ${(error as Error).message}`);
      }
      if (response.status >= 500 || response.status === 429 || response.status === 408) {
        throw new ProtocolUnavailableError(`the protocol system answered ${response.status}`);
      }
      if (!response.ok) throw new ProtocolRejectedError(`the protocol system refused the registration: ${response.status} ${(await response.text()).slice(0, 300)}`);
      const receipt = receiptOf(await response.json().catch(() => null));
      return run.transaction((tx) => record(tx, receipt));
    },
  };
}

/** A RegisterRun outside jobs: a plain transaction on db. */
export const plainRun = (db: Executor, idempotencyKey: string): RegisterRun => ({ idempotencyKey, transaction: (fn) => transaction(db, fn) });
