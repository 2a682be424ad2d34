// What the three stages of the pipeline share: how long a lease lasts and how a lease is written (to the millisecond,
// so the value a worker read back fences its own outcome: a worker whose lease expired and was taken over writes nothing).
import { sql } from '../../../core/db.ts';
import { backoffDelay } from '../../../core/jobs.ts';

export interface StageOptions {
  /** Rows leased at once (default 500 messages, 128 webhook and 16 e-mail notifications). */
  batchSize?: number;
  /** How long a leased row stays reserved for the worker that took it (default 60 s). */
  leaseMs?: number;
  /** Attempts before a row is FAILED (default 10). */
  maxAttempts?: number;
  /** Delay before the next attempt after the given (1-based) failed one (default core/jobs backoffDelay). */
  retryDelay?: (attempt: number) => number;
}

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_MAX_ATTEMPTS = 10;

export function stageSettings(options: StageOptions, defaultBatchSize: number) {
  return {
    batchSize: options.batchSize ?? defaultBatchSize,
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryDelay: options.retryDelay ?? backoffDelay,
  };
}

/** now() plus ms, truncated to the millisecond a JavaScript Date keeps. */
export const leaseUntil = (ms: number) => sql`date_trunc('milliseconds', now() + make_interval(secs => ${ms / 1000}))`;

/** The NOTIFY channel the pipeline's workers LISTEN on: a message was accepted, or a notification is due. */
export const PIPELINE_CHANNEL = 'io_pipeline';

