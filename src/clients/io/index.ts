// IO's Services API as a public body's service calls it: one service, one of its keys (primary or secondary), the
// base URL of the IO app (ours: <IO app URL>; production: https://api.io.pagopa.it). Refusals come back as IoError.
import type { Problem } from '../../core/problem.ts';
import { ProblemError, readProblem } from '../problem.ts';
import {
  IDEMPOTENCY_KEY_HEADER,
  IO_API_PREFIX,
  SUBSCRIPTION_KEY_HEADER,
  type CreatedMessage,
  type ExternalMessageResponseWithContent,
  type LimitedProfile,
  type NewMessage,
} from './wire.ts';

export type { CreatedMessage, ExternalMessageResponseWithContent, LimitedProfile, MessageContent, NewMessage, PaymentData } from './wire.ts';

export interface IoClientOptions {
  /** The IO app's URL (the API is under /api/v1), without a trailing slash. */
  baseUrl: string;
  /** A key of the service: Ocp-Apim-Subscription-Key. */
  apiKey: string;
  timeoutMs?: number;
}

/** IO refused the call: 400 (the field named in `problem.errors`), 401 (key), 403 (disabled, test mode), 404, 409 (idempotency key reused), 429. */
export class IoError extends ProblemError {
  constructor(status: number, problem: Problem) {
    super(status, problem, 'IO');
  }
}

export interface SubmitOptions {
  /** The same key and body again answer the first message's id (≤ 128 characters). */
  idempotencyKey?: string;
}

export interface IoClient {
  /** May this service write to the citizen? undefined when the citizen is not on IO or the inbox is off (404). */
  getProfile(fiscalCode: string): Promise<LimitedProfile | undefined>;
  /** Accepted (not yet delivered): the message's id. */
  submitMessage(fiscalCode: string, message: NewMessage, options?: SubmitOptions): Promise<CreatedMessage>;
  /** The message and its processing and notification statuses; undefined when unknown to this service. */
  getMessage(fiscalCode: string, id: string): Promise<ExternalMessageResponseWithContent | undefined>;
}

export function ioClient(options: IoClientOptions): IoClient {
  const api = `${options.baseUrl.replace(/\/$/, '')}${IO_API_PREFIX}`;
  async function call<T>(method: string, path: string, { body, headers = {}, absent }: { body?: unknown; headers?: Record<string, string>; absent?: number } = {}): Promise<T | undefined> {
    const response = await fetch(`${api}${path}`, {
      method,
      headers: { [SUBSCRIPTION_KEY_HEADER]: options.apiKey, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    if (response.status === absent) return undefined;
    if (!response.ok) throw new IoError(response.status, await readProblem(response));
    return (await response.json()) as T;
  }
  const fc = (fiscalCode: string) => encodeURIComponent(fiscalCode);
  return {
    getProfile: (fiscalCode) => call<LimitedProfile>('POST', '/profiles', { body: { fiscal_code: fiscalCode }, absent: 404 }),
    async submitMessage(fiscalCode, message, { idempotencyKey } = {}) {
      const headers: Record<string, string> = idempotencyKey ? { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey } : {};
      return (await call<CreatedMessage>('POST', `/messages/${fc(fiscalCode)}`, { body: message, headers }))!;
    },
    getMessage: (fiscalCode, id) => call<ExternalMessageResponseWithContent>('GET', `/messages/${fc(fiscalCode)}/${encodeURIComponent(id)}`, { absent: 404 }),
  };
}
