// WebhookNotification (reference io.md §4.2): each due WEBHOOK notification is a POST to the app backend's internal
// notify endpoint, which pushes to the citizen's browsers. 204 = SENT; a 4xx other than 429 is permanent (FAILED).
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { derivedApiKey } from '../../../core/auth/api-keys.ts';
import type { Executor } from '../../../core/db.ts';
import type { StageOptions } from './lease.ts';
import { deliverDueNotifications, PermanentDeliveryError, settleEach } from './notifications.ts';

/** The app backend's internal push API (notify.yaml, base /api/v1/messages-sending/internal). */
export const NOTIFY_PATH = '/api/v1/messages-sending/internal/notify';

/** Calls in flight at once per worker; a batch is several rounds of them. */
const WEBHOOK_CONCURRENCY = 32;
/** Four rounds: even if every call ran into the timeout, the batch ends well inside its 60 s lease. */
const WEBHOOK_BATCH = 4 * WEBHOOK_CONCURRENCY;
const WEBHOOK_TIMEOUT_MS = 10_000;

/** The bearer key of the internal notify endpoint, derived from the app secret: only the pipeline holds it. */
export const internalNotifyKey = (secret: string) => derivedApiKey(secret, 'io-internal-notify', 'pipeline');

/** Whether an Authorization header carries the internal key (compared in constant time); the key is derived once. */
export function internalNotifyKeyCheck(secret: string): (given: string) => boolean {
  const expected = Buffer.from(internalNotifyKey(secret));
  return (given) => {
    const actual = Buffer.from(given);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  };
}

export interface WebhookDeps {
  db: Executor;
  secret: string;
  ioUrl: string;
}

/** Kept-alive connections, one per call in flight: node:http costs the pipeline a fraction of fetch's CPU per call. */
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: WEBHOOK_CONCURRENCY });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: WEBHOOK_CONCURRENCY });

/** POSTs the JSON body; answers the status once the response is read through, or fails past the timeout. */
function postJson(url: URL, authorization: string, body: string): Promise<number> {
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const request = (secure ? https : http).request(
      url,
      {
        method: 'POST',
        agent: secure ? httpsAgent : httpAgent,
        headers: { authorization, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.on('error', fail).on('end', () => {
          clearTimeout(timer);
          resolve(response.statusCode ?? 0);
        });
        response.resume();
      },
    );
    const timer = setTimeout(() => request.destroy(new Error(`notify did not answer within ${WEBHOOK_TIMEOUT_MS} ms`)), WEBHOOK_TIMEOUT_MS);
    function fail(error: Error) {
      clearTimeout(timer);
      reject(error);
    }
    request.on('error', fail).end(body);
  });
}

async function callNotify(url: URL, authorization: string, fiscalCode: string, messageId: string): Promise<void> {
  const status = await postJson(url, authorization, JSON.stringify({ notification_type: 'MESSAGE', fiscal_code: fiscalCode, message_id: messageId }));
  if (status === 204) return;
  const error = `notify answered ${status}`;
  if (status >= 400 && status < 500 && status !== 429) throw new PermanentDeliveryError(error);
  throw new Error(error);
}

/** Calls the notify endpoint for one batch of due webhook notifications; returns how many were taken (0: nothing due). */
export function callDueWebhooks(deps: WebhookDeps, options: StageOptions = {}): Promise<number> {
  const url = new URL(`${deps.ioUrl}${NOTIFY_PATH}`);
  const authorization = `Bearer ${internalNotifyKey(deps.secret)}`;
  return deliverDueNotifications(
    deps.db,
    'WEBHOOK',
    (due) => settleEach(due, WEBHOOK_CONCURRENCY, (notification) => callNotify(url, authorization, notification.fiscalCode, notification.messageId)),
    // Lanes stay busy through a large batch; only its last round waits for the slowest call.
    { batchSize: WEBHOOK_BATCH, ...options },
  );
}
