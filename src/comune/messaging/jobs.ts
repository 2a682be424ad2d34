// The durable jobs of the messages to citizens (core/jobs.ts). Submit: the message to IO with Idempotency-Key =
// the row's id (a retried attempt, or a crash between IO's answer and our commit, gets the same IO message back),
// transient refusals retried with backoff, a 4xx kept as the failure with IO's problem. Follow: IO's status until
// final; a citizen not on IO (USER_NOT_FOUND) gets the message by e-mail at the contact address they verified
// with the comune; one who refused the service (SERVICE_NOT_ALLOWED) does not. Reminder: N days before a notice's
// due date, written only while GPD says the notice is still unpaid.
import { sql, type Executor } from '../../core/db.ts';
import { backoffDelay, enqueueInsert, errorText, PermanentJobError, type JobHandler } from '../../core/jobs.ts';
import type { AppContext } from '../../core/runtime.ts';
import { IoError } from '../../clients/io/index.ts';
import type { MessageContent } from '../../clients/io/wire.ts';
import { gpdClientFor, paymentSettingsOf } from '../payments/settings.ts';
import { messagingT } from './messages.ts';
import { ioMarkdown, plainParagraphs } from './compose.ts';
import { ioClientFor, ioSettingsFor } from './settings.ts';
import { enqueueReminder, FOLLOW_JOB, messageById, type CitizenMessage } from './store.ts';
import { MESSAGES_AREA_PATH } from './paths.ts';

export { FOLLOW_JOB, REMINDER_JOB, SUBMIT_JOB } from './store.ts';

/** Reads of IO's status while it decides, each after core's backoff (2 s doubling, capped at an hour): about a day. */
const FOLLOW_POLLS = 30;
/** Attempts of one read (IO unreachable). */
const FOLLOW_MAX_ATTEMPTS = 12;
/** GPD's states in which a notice is no longer to be paid. */
const SETTLED = ['PAID', 'REPORTED', 'INVALID', 'EXPIRED'];

type Deps = Pick<AppContext, 'secret' | 'mailer' | 'config'> & { db: Executor };

/** The message's page in the personal area, where the CTA and the e-mail lead. */
async function messageUrl(deps: Deps, message: CitizenMessage): Promise<string> {
  const { rows } = await sql<{ slug: string }>`select slug from comune.tenants where id = ${message.tenantId}`.execute(deps.db);
  return `${deps.config.urls.comune}/${rows[0]!.slug}${MESSAGES_AREA_PATH}/${message.id}`;
}

/** What IO receives: the same for every attempt of the same row, so the Idempotency-Key finds the first message. */
export function ioContent(message: CitizenMessage, href: string): MessageContent {
  return {
    subject: message.subject,
    markdown: ioMarkdown(message.markdown, href),
    ...(message.dueDate ? { due_date: message.dueDate.toISOString() } : {}),
    ...(message.payment ? { payment_data: message.payment } : {}),
  };
}

/** IO's refusals that another attempt cannot change: a 4xx other than 408 and 429. */
const isPermanent = (err: unknown) => err instanceof IoError && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429;

export function submitHandler(deps: Deps): JobHandler<{ messageId: string }> {
  const { db } = deps;
  return async ({ messageId }, job) => {
    const message = await messageById(db, messageId);
    if (message?.state !== 'pending') return;
    const settings = await ioSettingsFor(db, message.tenantId, message.serviceId);
    if (!settings?.enabled) {
      await job.transaction((tx) => sql`update comune.citizen_messages set state = 'not_configured', updated_at = now() where id = ${messageId} and state = 'pending'`.execute(tx));
      return;
    }
    let created: { id: string };
    try {
      const content = ioContent(message, await messageUrl(deps, message));
      created = await ioClientFor(deps, settings).submitMessage(message.fiscalCode, { content }, { idempotencyKey: message.id });
    } catch (err) {
      const permanent = isPermanent(err);
      // Kept on the row for the operator: the attempts so far, the last error, and "failed" once no attempt is left.
      await sql`update comune.citizen_messages set attempts = attempts + 1, last_error = ${errorText(err)}, updated_at = now(),
          state = ${permanent || job.attempt >= job.maxAttempts ? 'failed' : 'pending'}
        where id = ${messageId} and state = 'pending'`.execute(db);
      throw permanent ? new PermanentJobError(errorText(err)) : err;
    }
    await job.transaction(async (tx) => {
      const { rows } = await sql<{ attempts: number }>`update comune.citizen_messages set state = 'submitted', io_message_id = ${created.id}, attempts = attempts + 1, last_error = null,
          submitted_at = now(), updated_at = now() where id = ${messageId} and state = 'pending' returning attempts`.execute(tx);
      // One follow per submission (an operator's retry submits again): keyed by the row and its attempt.
      if (rows[0]) {
        const idempotencyKey = `${messageId}:${rows[0].attempts}`;
        await enqueueInsert('comune', { kind: FOLLOW_JOB, payload: { messageId }, idempotencyKey, maxAttempts: FOLLOW_MAX_ATTEMPTS, runAt: new Date(Date.now() + 1000) }).execute(tx);
      }
    });
  };
}

/** The address the citizen confirmed with this ente (src/comune/citizens), if any. */
async function verifiedEmail(db: Executor, message: CitizenMessage): Promise<string | undefined> {
  const { rows } = await sql<{ email: string }>`
    select email from comune.citizens where tenant_id = ${message.tenantId} and fiscal_code = ${message.fiscalCode}
      and email is not null and email_verified_at is not null`.execute(db);
  return rows[0]?.email;
}

export function followHandler(deps: Deps): JobHandler<{ messageId: string; poll?: number }> {
  const { db } = deps;
  return async ({ messageId, poll = 0 }, job) => {
    const message = await messageById(db, messageId);
    if (message?.state !== 'submitted' || !message.ioMessageId) return;
    const settings = await ioSettingsFor(db, message.tenantId, message.serviceId);
    if (!settings) return;
    const found = await ioClientFor(deps, settings).getMessage(message.fiscalCode, message.ioMessageId);
    if (!found) throw new Error('IO does not show the message it accepted');
    const finish = (state: string, extra = sql``) =>
      job.transaction((tx) =>
        sql`update comune.citizen_messages set state = ${state}, io_status = ${found.status}, finished_at = now(), updated_at = now() ${extra}
          where id = ${messageId} and state = 'submitted'`.execute(tx),
      );
    if (found.status === 'ACCEPTED' || found.status === 'THROTTLED') {
      // Not decided yet: the status shown, and the next read scheduled (keyed by the submission and the read).
      const next = poll + 1;
      await job.transaction(async (tx) => {
        await sql`update comune.citizen_messages set io_status = ${found.status}, updated_at = now() where id = ${messageId}`.execute(tx);
        if (next < FOLLOW_POLLS) {
          const runAt = new Date(Date.now() + backoffDelay(next));
          await enqueueInsert('comune', { kind: FOLLOW_JOB, payload: { messageId, poll: next }, idempotencyKey: `${messageId}:${message.attempts}:${next}`, maxAttempts: FOLLOW_MAX_ATTEMPTS, runAt }).execute(tx);
        }
      });
      return;
    }
    if (found.status === 'PROCESSED') return void (await finish('processed', sql`, notification = ${JSON.stringify(found.notification ?? {})}::jsonb`));
    if (found.status === 'FAILED') return void (await finish('failed', sql`, last_error = ${'IO could not process the message (FAILED)'}`));
    const reason = found.rejection_reason ?? 'UNKNOWN';
    const rejected = sql`, rejection_reason = ${reason}`;
    if (reason !== 'USER_NOT_FOUND') return void (await finish('rejected', rejected));
    // Not on IO: the comune writes to the address the citizen verified with it, if any.
    const email = await verifiedEmail(db, message);
    if (!email) return void (await finish('rejected', sql`${rejected}, email_status = 'no_address'`));
    const tr = messagingT(message.locale);
    await deps.mailer.send({
      to: email,
      subject: message.subject,
      text: [tr('messaging.email.notOnIo'), ...plainParagraphs(message.markdown), tr('messaging.email.link', { link: await messageUrl(deps, message) })].join('\n\n'),
      // The same message retried keeps its Message-ID, so the relay or the inbox drops the repeat.
      messageId: `<${message.id}@sportello.comune>`,
    });
    await finish('emailed', sql`${rejected}, email_status = 'sent'`);
  };
}

export function reminderHandler(deps: Deps): JobHandler<{ noticeId: string }> {
  const { db } = deps;
  return async ({ noticeId }, job) => {
    const notice = await messageById(db, noticeId);
    if (!notice?.positionIupd || !notice.payment) return;
    const payments = await paymentSettingsOf(db, notice.tenantId);
    if (!payments?.hasGpdKey) return;
    // GPD, not our copy, says whether the notice is still to be paid (a receipt may not have reached us yet).
    const position = await gpdClientFor(deps, payments).findPosition(notice.positionIupd);
    const option = position?.paymentOption.find((o) => o.nav === notice.payment!.notice_number);
    if (!position || SETTLED.includes(position.status) || option?.status !== 'PO_UNPAID') return;
    const settings = await ioSettingsFor(db, notice.tenantId, notice.serviceId);
    await job.transaction((tx) => enqueueReminder(tx, notice, settings?.enabled ?? false));
  };
}
