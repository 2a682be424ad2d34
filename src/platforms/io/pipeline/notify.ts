// The app backend's internal push endpoint (notify.yaml: POST /api/v1/messages-sending/internal/notify → 204): a
// Web Push to every live browser of the citizen, encrypted for it (RFC 8291 aes128gcm) and signed with the platform's
// VAPID key (RFC 8292). A push service answering 404/410 forgot the subscription (RFC 8030 §7.3): the browser is
// disabled. The text is generic when the message requires secure channels or the citizen chose ANONYMOUS (§4.2).
import { Type, type Static } from '@sinclair/typebox';
import webPush from 'web-push';
import type { FastifyBaseLogger } from 'fastify';
import { sql, type Executor } from '../../../core/db.ts';
import type { App } from '../../../core/http.ts';
import { forbidden, HttpProblem, notFound, problemResponses, problemType, unauthorized } from '../../../core/problem.ts';
import { FiscalCode } from '../../../clients/io/wire.ts';
import { SCHEMA } from '../schema.ts';
import { disableInstallation, installationsOf, type Installation } from './installations.ts';
import { citizenLocale, pipelineT } from './messages.ts';
import { secureChannels } from './process.ts';
import { vapidKeyPair } from './vapid.ts';
import { internalNotifyKeyCheck, NOTIFY_PATH } from './webhook.ts';

const PUSH_TIMEOUT_MS = 10_000;

export const NotifyRequest = Type.Object(
  {
    notification_type: Type.Unsafe<'MESSAGE' | 'REMINDER_READ' | 'REMINDER_PAYMENT' | 'REMINDER_PAYMENT_LAST'>({
      type: 'string',
      enum: ['MESSAGE', 'REMINDER_READ', 'REMINDER_PAYMENT', 'REMINDER_PAYMENT_LAST'],
    }),
    fiscal_code: FiscalCode,
    message_id: Type.String({ pattern: '^[0-9A-Z]{26}$' }),
  },
  { additionalProperties: false },
);
export type NotifyRequest = Static<typeof NotifyRequest>;

/** What the service worker shows: a title, a text, and the page to open on click. */
export interface PushPayload {
  title: string;
  body: string;
  url: string;
}

export interface PushOutcome {
  sent: number;
  /** Disabled: the push service no longer knows the subscription. */
  gone: number;
  failed: number;
}

export interface PushDeps {
  db: Executor;
  secret: string;
  /** The contact the push services may write to about our pushes (VAPID "sub", a mailto: or https: URL). */
  vapidSubject: string;
  logger?: FastifyBaseLogger;
}

/** The VAPID contact from a mail sender like "Sportello <noreply@host>". */
export const vapidSubjectOf = (mailFrom: string) => `mailto:${/<([^>]+)>/.exec(mailFrom)?.[1] ?? mailFrom}`;

/** Pushes the payload to each installation; a 404/410 disables it, other failures are counted. */
/** `topic` (RFC 8030 §5.4, ≤ 32 base64url characters): a push sent again replaces the one not yet delivered. */
export async function pushToInstallations(deps: PushDeps, installations: Installation[], payload: PushPayload, ttlSeconds: number, topic?: string): Promise<PushOutcome> {
  const outcome: PushOutcome = { sent: 0, gone: 0, failed: 0 };
  if (!installations.length) return outcome;
  const { publicKey, privateKey } = await vapidKeyPair(deps.db, deps.secret);
  const body = JSON.stringify(payload);
  await Promise.all(
    installations.map(async (installation) => {
      try {
        const request = webPush.generateRequestDetails({ endpoint: installation.endpoint, keys: installation.keys }, body, {
          vapidDetails: { subject: deps.vapidSubject, publicKey, privateKey },
          TTL: Math.max(0, Math.floor(ttlSeconds)),
          contentEncoding: 'aes128gcm',
          topic,
        });
        const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
        const response = await fetch(request.endpoint, { method: 'POST', headers, body: request.body && new Uint8Array(request.body), signal: AbortSignal.timeout(PUSH_TIMEOUT_MS) });
        await response.body?.cancel();
        if (response.ok) outcome.sent++;
        else if (response.status === 404 || response.status === 410) {
          outcome.gone++;
          await disableInstallation(deps.db, installation.installationId, `push service answered ${response.status}`);
        } else {
          outcome.failed++;
          deps.logger?.warn({ installation: installation.installationId, status: response.status }, 'io: a push service refused a push');
        }
      } catch (err) {
        outcome.failed++;
        deps.logger?.warn({ err, installation: installation.installationId }, 'io: a push could not be sent');
      }
    }),
  );
  return outcome;
}

interface PushedMessage {
  subject: string;
  secure: boolean;
  ttl_seconds: number;
  service_name: string | null;
  push_notifications_content_type: string | null;
  preferred_languages: string[] | null;
  has_installations: boolean;
}

/** The push of a processed message: its subject, or the generic text in the citizen's language. */
export function messagePush(message: PushedMessage, messageId: string): PushPayload {
  const t = pipelineT(citizenLocale(message.preferred_languages));
  const url = `/app/messaggi/${messageId}`;
  if (message.secure || message.push_notifications_content_type === 'ANONYMOUS') return { title: t('pushTitle'), body: t('pushGeneric'), url };
  return { title: message.service_name ?? t('pushTitle'), body: message.subject, url };
}

async function loadPushedMessage(db: Executor, fiscalCode: string, messageId: string): Promise<PushedMessage | undefined> {
  const { rows } = await sql<PushedMessage>`
    select m.content ->> 'subject' as subject, ${secureChannels} as secure, s.service_name, p.push_notifications_content_type, p.preferred_languages,
      extract(epoch from m.created_at + make_interval(secs => m.time_to_live) - now())::float8 as ttl_seconds,
      exists (select from ${sql.table(`${SCHEMA}.installations`)} i where i.fiscal_code = m.fiscal_code and i.disabled_at is null) as has_installations
    from ${sql.table(`${SCHEMA}.messages`)} m
    left join ${sql.table(`${SCHEMA}.services`)} s on s.service_id = m.sender_service_id
    left join ${sql.table(`${SCHEMA}.profiles`)} p on p.fiscal_code = m.fiscal_code
    where m.fiscal_code = ${fiscalCode} and m.id = ${messageId} and m.status = 'PROCESSED'`.execute(db);
  return rows[0];
}

/** POST /api/v1/messages-sending/internal/notify, for the pipeline only (hidden from the OpenAPI document). */
export function registerNotifyRoute(app: App, deps: PushDeps): void {
  const isInternalNotifyKey = internalNotifyKeyCheck(deps.secret);
  app.post(
    NOTIFY_PATH,
    {
      schema: { hide: true, body: NotifyRequest, response: problemResponses(400, 401, 403, 404, 503) },
      onRequest: async (request) => {
        const header = request.headers.authorization;
        if (!header?.startsWith('Bearer ')) throw unauthorized('Authorization: Bearer <internal key> is required.');
        if (!isInternalNotifyKey(header.slice('Bearer '.length))) throw forbidden('This key may not notify.');
      },
    },
    async (request, reply) => {
      const { fiscal_code: fiscalCode, message_id: messageId } = request.body;
      const message = await loadPushedMessage(deps.db, fiscalCode, messageId);
      if (!message) throw notFound(`No processed message ${messageId} for this fiscal code.`);
      // Most citizens have no browser registered: then the one query above is all the call costs.
      const installations = message.has_installations ? await installationsOf(deps.db, fiscalCode) : [];
      const outcome = await pushToInstallations({ ...deps, logger: request.log }, installations, messagePush(message, messageId), message.ttl_seconds, messageId);
      // Nothing reached any browser and it may next time: the pipeline retries (a browser that did get it is not pushed twice).
      if (outcome.failed > 0 && outcome.sent === 0) {
        throw new HttpProblem(503, { type: problemType('push-unavailable'), detail: 'No push service accepted the push; retry later.' });
      }
      return reply.status(204).send();
    },
  );
}
