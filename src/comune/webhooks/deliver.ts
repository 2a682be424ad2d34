// The delivery job: POSTs the event (OpenCity's Application DTO plus event_id, event_created_at,
// event_version) signed with the webhook's secret; 200/201/202/204 is success (OpenCity
// WebhookService), anything else is retried by the job worker with exponential backoff.
import { performance } from 'node:perf_hooks';
import type { Executor } from '../../core/db.ts';
import { PermanentJobError, type JobHandler } from '../../core/jobs.ts';
import { checkEndpoint } from './endpoint.ts';
import { APP_VERSION, eventBody, eventType } from './payload.ts';
import { signPayload, SIGNATURE_HEADER } from './signature.ts';
import { WebhookRepository } from './store.ts';

export const SUCCESS_CODES = [200, 201, 202, 204];
const MAX_ERROR = 500;

export interface DeliveryOptions {
  appSecret: string;
  /** Public base URL of the comune app, for the links in the payload. */
  publicUrl: string;
  allowPrivateNetworks: boolean;
  timeoutMs?: number;
  now?: () => Date;
}

export function webhookDeliveryHandler(db: Executor, options: DeliveryOptions): JobHandler<{ eventId: string }> {
  const webhooks = new WebhookRepository(db, options.appSecret);
  const now = options.now ?? (() => new Date());
  return async ({ eventId }, ctx) => {
    const event = await webhooks.event(eventId);
    if (!event) throw new PermanentJobError(`No webhook event ${eventId}`);
    const webhook = await webhooks.forDelivery(event.webhookId);
    // A webhook switched off after the event was queued is not called any more.
    if (!webhook?.active) return;
    const record = (outcome: 'delivered' | 'failed', responseCode: number | null, durationMs: number, error: string | null) =>
      webhooks.recordAttempt(eventId, ctx.jobId, { attempt: ctx.attempt, outcome, responseCode, durationMs: Math.round(durationMs), error: error && error.slice(0, MAX_ERROR) });

    // Checked again at each attempt: the name may resolve elsewhere since registration.
    const target = await checkEndpoint(webhook.endpoint, { allowPrivateNetworks: options.allowPrivateNetworks });
    if (!target.ok) {
      await record('failed', null, 0, `endpoint refused: ${target.reason}`);
      throw new PermanentJobError(`Endpoint refused: ${target.reason}`);
    }
    const body = await eventBody(db, event, { publicUrl: options.publicUrl, version: webhook.version });
    const began = performance.now();
    let response: Response;
    try {
      response = await fetch(target.url, {
        method: 'POST',
        // Never follow a redirect: it could lead to an internal address the check above refused.
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        headers: {
          ...webhook.headers,
          'content-type': 'application/json',
          'user-agent': `Sportello-Webhooks/${APP_VERSION}`,
          [SIGNATURE_HEADER]: signPayload(webhook.secret, body, now()),
          'x-sportello-event': eventType(event),
          // The same for every attempt and replay of this event: the receiver's dedupe key.
          'x-sportello-event-id': eventId,
        },
        body,
      });
      await response.body?.cancel();
    } catch (err) {
      await record('failed', null, performance.now() - began, (err as Error).message);
      throw err;
    }
    const duration = performance.now() - began;
    if (!SUCCESS_CODES.includes(response.status)) {
      await record('failed', response.status, duration, `HTTP ${response.status}`);
      throw new Error(`Webhook endpoint answered HTTP ${response.status}`);
    }
    await record('delivered', response.status, duration, null);
  };
}
