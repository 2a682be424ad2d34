// The per-service rate of the Services API: a token bucket per service and process, refilled at the service's
// rate_limit_per_second with one second of burst (API Management limits each subscription: reference io.md §1.7).
import { HttpProblem, problemType } from '../../../core/problem.ts';
import type { Service } from '../services/store.ts';

const buckets = new Map<string, { tokens: number; at: number }>();

/** Takes one request's token; 429 with Retry-After when the service is over its rate. */
export function takeServiceToken(service: Pick<Service, 'serviceId' | 'rateLimitPerSecond'>, now = Date.now()): void {
  const rate = service.rateLimitPerSecond;
  const bucket = buckets.get(service.serviceId) ?? { tokens: rate, at: now };
  bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
  bucket.at = now;
  buckets.set(service.serviceId, bucket);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return;
  }
  const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / rate));
  throw new HttpProblem(429, {
    type: problemType('rate-limited'),
    detail: `The service is over its rate of ${rate} requests per second: retry in ${retryAfter} seconds.`,
    headers: { 'retry-after': String(retryAfter) },
  });
}
