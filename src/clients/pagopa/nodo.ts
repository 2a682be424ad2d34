// The Nodo for PSPs as a PSP calls it (model 3: verifyPaymentNotice → activatePaymentNotice →
// sendPaymentOutcome), with the PSP's subscription key; base URL <pagoPA app URL>/nodo/node-for-psp/v1.
// A refusal of the Nodo is an answer, not an error: every call resolves to the OK body or { outcome: 'KO', fault }.
// A malformed request (400, PPT_SINTASSI_EXTRAXSD) or a refused key (401) throws NodoError.
// receiptsOfDay reads the PSP's statement of a day (its receipts on every channel), the source of its reporting.
import type { Problem } from '../../core/problem.ts';
import { ProblemError } from '../problem.ts';
import { keyedFetch } from './call.ts';
import {
  NODO_PREFIX,
  type ActivatePaymentNoticeRequest,
  type ActivatePaymentNoticeResponse,
  type Ko,
  type PspReceipts,
  type SendPaymentOutcomeRequest,
  type SendPaymentOutcomeResponse,
  type VerifyPaymentNoticeRequest,
  type VerifyPaymentNoticeResponse,
} from './nodo-wire.ts';

export type * from './nodo-wire.ts';

export interface NodoClientOptions {
  /** Base URL of node-for-psp v1, without a trailing slash. */
  baseUrl: string;
  /** A subscription key of the PSP that calls. */
  subscriptionKey: string;
  timeoutMs?: number;
}

/** The base URL of the Nodo for PSPs served by a pagoPA app at `pagopaUrl`. */
export const nodoBaseUrl = (pagopaUrl: string) => `${pagopaUrl.replace(/\/$/, '')}${NODO_PREFIX}`;

/** The Nodo did not take the request: 400 (malformed, `faultCode` PPT_SINTASSI_EXTRAXSD), 401 (key). */
export class NodoError extends ProblemError {
  constructor(status: number, problem: Problem) {
    super(status, problem, 'The Nodo');
  }
  get faultCode(): string | undefined {
    return this.member('faultCode');
  }
}

/** A refusal (outcome KO with its fault) rather than the OK body. */
export const isFault = (answer: { outcome: string }): answer is Ko => answer.outcome === 'KO';

export interface NodoClient {
  verifyPaymentNotice(request: VerifyPaymentNoticeRequest): Promise<VerifyPaymentNoticeResponse | Ko>;
  activatePaymentNotice(request: ActivatePaymentNoticeRequest): Promise<ActivatePaymentNoticeResponse | Ko>;
  sendPaymentOutcome(request: SendPaymentOutcomeRequest): Promise<SendPaymentOutcomeResponse | Ko>;
  /** The receipts of the payments `idPSP` (the key's PSP; another's is 403) collected on `date` (YYYY-MM-DD, Europe/Rome). */
  receiptsOfDay(idPSP: string, date: string): Promise<PspReceipts>;
}

export function nodoClient(options: NodoClientOptions): NodoClient {
  async function call<T>(primitive: string, body: unknown): Promise<T | Ko> {
    const response = await keyedFetch(`${options.baseUrl}/${primitive}`, { subscriptionKey: options.subscriptionKey, method: 'POST', body, accept: 'application/json', timeoutMs: options.timeoutMs ?? 10_000 }, NodoError);
    return (await response.json()) as T | Ko;
  }
  return {
    verifyPaymentNotice: (request) => call('verifyPaymentNotice', request),
    activatePaymentNotice: (request) => call('activatePaymentNotice', request),
    sendPaymentOutcome: (request) => call('sendPaymentOutcome', request),
    async receiptsOfDay(idPSP, date) {
      const url = `${options.baseUrl}/psps/${encodeURIComponent(idPSP)}/receipts?${new URLSearchParams({ date })}`;
      const response = await keyedFetch(url, { subscriptionKey: options.subscriptionKey, accept: 'application/json', timeoutMs: options.timeoutMs ?? 30_000 }, NodoError);
      return (await response.json()) as PspReceipts;
    },
  };
}
