// comune.citizen_messages: each message written in the transaction of its cause (an application's new status, a
// debt position published, a due created, a reminder), with its submission job when the ente sends through IO
// (state not_configured otherwise: the message is still in the personal area); the reads of the personal area,
// the desk and the back-office; the operator's retry, which re-runs the same job with the same Idempotency-Key.
import { randomUUID } from 'node:crypto';
import { sql, type Executor } from '../../core/db.ts';
import { DEFAULT_MAX_ATTEMPTS, enqueueInsert, retryDeadJob } from '../../core/jobs.ts';
import { DEFAULT_LOCALE, isLocale, type Locale } from '../../core/i18n.ts';
import { conflict, notFound } from '../../core/problem.ts';
import { dateInItaly } from '../../domain/dates.ts';
import type { PaymentData } from '../../clients/io/wire.ts';
import { STATUS, type StatusCode } from '../applications/states.ts';
import { composeMessage, kindOfStatus, type MessageFacts, type MessageKind, type PaymentFacts } from './compose.ts';
import { ioEnabledSql, ioSettingsFor } from './settings.ts';
import type { MESSAGE_STATES } from './migrations.ts';

export const SUBMIT_JOB = 'comune.messaging.submit';
export const FOLLOW_JOB = 'comune.messaging.follow';
export const REMINDER_JOB = 'comune.messaging.reminder';
/** About a day of attempts once the backoff reaches its hourly cap: an IO outage that long loses nothing. */
export const SUBMIT_MAX_ATTEMPTS = 30;

export type MessageState = (typeof MESSAGE_STATES)[number];

export interface CitizenMessage {
  id: string;
  tenantId: string;
  applicationId: string | null;
  serviceId: string | null;
  fiscalCode: string;
  kind: MessageKind;
  locale: Locale;
  subject: string;
  markdown: string;
  facts: Partial<PaymentFacts>;
  dueDate: Date | null;
  payment: PaymentData | null;
  positionIupd: string | null;
  state: MessageState;
  ioMessageId: string | null;
  ioStatus: string | null;
  notification: { email?: string; webhook?: string } | null;
  rejectionReason: string | null;
  emailStatus: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  submittedAt: Date | null;
  finishedAt: Date | null;
  readAt: Date | null;
}

interface Row {
  id: string;
  tenant_id: string;
  application_id: string | null;
  service_id: string | null;
  fiscal_code: string;
  kind: MessageKind;
  locale: Locale;
  subject: string;
  markdown: string;
  facts: Partial<PaymentFacts>;
  due_date: Date | null;
  payment: PaymentData | null;
  position_iupd: string | null;
  state: MessageState;
  io_message_id: string | null;
  io_status: string | null;
  notification: { email?: string; webhook?: string } | null;
  rejection_reason: string | null;
  email_status: string | null;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  submitted_at: Date | null;
  finished_at: Date | null;
  read_at: Date | null;
}

const fromRow = (r: Row): CitizenMessage => ({
  id: r.id,
  tenantId: r.tenant_id,
  applicationId: r.application_id,
  serviceId: r.service_id,
  fiscalCode: r.fiscal_code,
  kind: r.kind,
  locale: r.locale,
  subject: r.subject,
  markdown: r.markdown,
  facts: r.facts,
  dueDate: r.due_date,
  payment: r.payment,
  positionIupd: r.position_iupd,
  state: r.state,
  ioMessageId: r.io_message_id,
  ioStatus: r.io_status,
  notification: r.notification,
  rejectionReason: r.rejection_reason,
  emailStatus: r.email_status,
  attempts: r.attempts,
  lastError: r.last_error,
  createdAt: r.created_at,
  submittedAt: r.submitted_at,
  finishedAt: r.finished_at,
  readAt: r.read_at,
});

const localeOr = (value: unknown): Locale => (isLocale(value) ? value : DEFAULT_LOCALE);

interface NewMessage {
  tenantId: string;
  applicationId: string | null;
  serviceId: string | null;
  fiscalCode: string;
  locale: Locale;
  facts: MessageFacts;
  /** Once per (ente, cause); null for status changes, each its own. */
  cause: string | null;
  dueDate?: Date;
  payment?: PaymentData;
  positionIupd?: string;
  configured: boolean;
}

/** Writes the message and, when the ente sends through IO, its submission job (Idempotency-Key: the row's id); undefined when its cause already wrote one. */
async function writeMessage(tx: Executor, message: NewMessage): Promise<string | undefined> {
  if (message.cause) {
    const { rows: known } = await sql`select 1 from comune.citizen_messages where tenant_id = ${message.tenantId} and cause = ${message.cause}`.execute(tx);
    if (known.length) return undefined;
  }
  const id = randomUUID();
  const { subject, markdown } = composeMessage(message.facts, message.locale);
  // A notice's facts are kept for its reminder; the others say all in their text.
  const facts = message.facts.kind === 'status_change' || message.facts.kind === 'outcome' ? {} : { ...message.facts, kind: undefined };
  const { rows } = await sql<{ id: string }>`
    with written as (
      insert into comune.citizen_messages (id, tenant_id, application_id, service_id, fiscal_code, kind, cause, locale, subject, markdown, facts, due_date, payment, position_iupd, state)
      values (${id}, ${message.tenantId}, ${message.applicationId}, ${message.serviceId}, ${message.fiscalCode}, ${message.facts.kind}, ${message.cause}, ${message.locale},
        ${subject}, ${markdown}, ${JSON.stringify(facts)}::jsonb, ${message.dueDate ?? null}, ${message.payment ? JSON.stringify(message.payment) : null}::jsonb,
        ${message.positionIupd ?? null}, ${message.configured ? 'pending' : 'not_configured'})
      returning id)
    ${message.configured ? sql`, job as (${enqueueInsert('comune', { kind: SUBMIT_JOB, payload: { messageId: id }, idempotencyKey: id, maxAttempts: SUBMIT_MAX_ATTEMPTS })})` : sql``}
    select id from written`.execute(tx);
  return rows[0]?.id;
}

/**
 * The citizen's message about an application's new status, in the transaction of the change: drafts and the
 * payment's own steps say nothing; 7000/9000 are the outcome, with the motivation and the way to the letter.
 */
export async function enqueueStatusMessage(tx: Executor, applicationId: string, status: StatusCode): Promise<void> {
  const kind = kindOfStatus(status);
  if (!kind) return;
  const { rows } = await sql<{
    tenant_id: string; service_id: string; citizen_fiscal_code: string; service_name: string; tenant_name: string; locale: string | null;
    protocol_number: number | null; protocol_year: number | null; note: string | null; configured: boolean;
  }>`
    select a.tenant_id, a.service_id, a.citizen_fiscal_code, a.service_name, a.protocol_number, a.protocol_year, t.name as tenant_name, c.locale,
      (select e.message from comune.application_events e where e.application_id = a.id order by e.id desc limit 1) as note,
      ${ioEnabledSql(sql`a.tenant_id`, sql`a.service_id`)} as configured
    from comune.applications a join comune.tenants t on t.id = a.tenant_id
    left join comune.citizens c on c.tenant_id = a.tenant_id and c.fiscal_code = a.citizen_fiscal_code
    where a.id = ${applicationId}`.execute(tx);
  const a = rows[0];
  if (!a) return;
  const common = { tenantName: a.tenant_name, serviceName: a.service_name, applicationId };
  // The office's words: the request for integration, the revocation's, the outcome's motivation (not the citizen's own, nor the protocol's).
  const note = status === STATUS.requestIntegration || status === STATUS.revoked ? a.note : null;
  const facts: MessageFacts =
    kind === 'outcome'
      ? { kind, ...common, accepted: status === STATUS.complete, motivation: a.note }
      : { kind, ...common, status, note, protocol: a.protocol_number === null ? null : { number: a.protocol_number, year: a.protocol_year! } };
  await writeMessage(tx, { tenantId: a.tenant_id, applicationId, serviceId: a.service_id, fiscalCode: a.citizen_fiscal_code, locale: localeOr(a.locale), facts, cause: null, configured: a.configured });
}

export interface NoticeInput {
  tenantId: string;
  applicationId: string | null;
  fiscalCode: string;
  reason: string;
  creditorFiscalCode: string;
  iupd: string;
  /** The option the message pays: its notice number, amount and due instant (GPD's). */
  option: { nav: string; amount: number; dueDate: string };
  kind: 'payment_notice' | 'dues';
}

const paymentData = (facts: PaymentFacts): PaymentData => ({ notice_number: facts.noticeNumber, amount: facts.amountCents, payee: { fiscal_code: facts.payeeFiscalCode } });

/** When the reminder of a notice due at `due` goes: `days` before, if that is still ahead; undefined otherwise. */
export function reminderAt(due: Date, days: number, now: Date): Date | undefined {
  if (days <= 0) return undefined;
  const at = new Date(due.getTime() - days * 86_400_000);
  return at > now ? at : undefined;
}

/**
 * The payment notice of a debt position just published on GPD (the first time only), in the transaction that
 * records it, with its reminder scheduled `reminderDays` before the due date (keyed by position and due date).
 */
export async function enqueuePaymentNotice(tx: Executor, input: NoticeInput, now = new Date()): Promise<void> {
  const { rows } = await sql<{ tenant_name: string; service_id: string | null; locale: string | null }>`
    select t.name as tenant_name, a.service_id, (select c.locale from comune.citizens c where c.tenant_id = t.id and c.fiscal_code = ${input.fiscalCode}) as locale
    from comune.tenants t left join comune.applications a on a.id = ${input.applicationId} where t.id = ${input.tenantId}`.execute(tx);
  const found = rows[0];
  if (!found) return;
  const settings = await ioSettingsFor(tx, input.tenantId, found.service_id);
  const due = new Date(input.option.dueDate);
  const facts: PaymentFacts = {
    tenantName: found.tenant_name,
    reason: input.reason,
    amountCents: input.option.amount,
    noticeNumber: input.option.nav,
    payeeFiscalCode: input.creditorFiscalCode,
    dueDay: dateInItaly(due),
  };
  const configured = settings?.enabled ?? false;
  const id = await writeMessage(tx, {
    tenantId: input.tenantId,
    applicationId: input.applicationId,
    serviceId: found.service_id,
    fiscalCode: input.fiscalCode,
    locale: localeOr(found.locale),
    facts: { kind: input.kind, ...facts },
    cause: `${input.kind}:${input.iupd}`,
    dueDate: due,
    payment: paymentData(facts),
    positionIupd: input.iupd,
    configured,
  });
  const runAt = configured && id ? reminderAt(due, settings!.reminderDays, now) : undefined;
  if (runAt) await enqueueInsert('comune', { kind: REMINDER_JOB, payload: { noticeId: id }, idempotencyKey: `${input.iupd}:${facts.dueDay}`, runAt }).execute(tx);
}

/**
 * The reminder of a notice, written by the reminder job once GPD says it is still unpaid: the notice's facts,
 * the same payment, once per (position, due date).
 */
export async function enqueueReminder(tx: Executor, notice: CitizenMessage, configured: boolean): Promise<void> {
  const facts = notice.facts as PaymentFacts;
  await writeMessage(tx, {
    tenantId: notice.tenantId,
    applicationId: notice.applicationId,
    serviceId: notice.serviceId,
    fiscalCode: notice.fiscalCode,
    locale: notice.locale,
    facts: { ...facts, kind: 'payment_reminder' },
    cause: `reminder:${notice.positionIupd}:${facts.dueDay}`,
    dueDate: notice.dueDate ?? undefined,
    payment: notice.payment ?? undefined,
    positionIupd: notice.positionIupd ?? undefined,
    configured,
  });
}

/** Jobs of one kind in one statement (enqueueInsert writes one): a bulk upload's thousands of messages. */
async function enqueueMany(tx: Executor, kind: string, jobs: readonly { payload: unknown; key: string; runAt?: Date }[], maxAttempts: number): Promise<void> {
  if (!jobs.length) return;
  await sql`
    insert into comune.jobs (kind, payload, idempotency_key, run_at, max_attempts)
    select ${kind}, j.payload, j.key, coalesce(j.run_at, now()), ${maxAttempts}
    from json_to_recordset(${JSON.stringify(jobs.map((j) => ({ payload: j.payload, key: j.key, run_at: j.runAt ?? null })))}::json) as j(payload jsonb, key text, run_at timestamptz)
    on conflict (kind, idempotency_key) do nothing`.execute(tx);
  // core/jobs.ts wakes a schema's workers on the channel jobs_<schema>.
  await sql`select pg_notify('jobs_comune', ${kind})`.execute(tx);
}

/** Rows written per statement for a bulk upload (one JSON parameter each). */
const DUES_CHUNK = 5000;

/**
 * The notices of the dues an upload created (each debtor a person: IO writes to fiscal codes of people), in the
 * transaction that closes the upload, with their reminders; nothing when the ente does not send through IO. A due
 * in installments is announced with its first installment. Returns how many were written.
 */
export async function enqueueDuesNotices(tx: Executor, uploadId: string, now = new Date()): Promise<number> {
  const { rows: uploads } = await sql<{ tenant_id: string; tenant_name: string }>`
    select u.tenant_id, t.name as tenant_name from comune.dues_uploads u join comune.tenants t on t.id = u.tenant_id where u.id = ${uploadId}`.execute(tx);
  const upload = uploads[0];
  const settings = upload && (await ioSettingsFor(tx, upload.tenant_id));
  if (!upload || !settings?.enabled) return 0;
  const { rows: creditor } = await sql<{ creditor_fiscal_code: string }>`select creditor_fiscal_code from comune.payment_settings where tenant_id = ${upload.tenant_id}`.execute(tx);
  const payee = creditor[0]?.creditor_fiscal_code;
  if (!payee) return 0;
  const { rows } = await sql<{ iupd: string; fiscal_code: string; amount_cents: string; reason: string; due_date: string; due_at: Date; installments: number; nav: string; locale: string | null }>`
    select r.iupd, r.fiscal_code, r.amount_cents, r.reason, r.due_date::text as due_date, r.installments, r.navs[1] as nav, c.locale,
      (r.due_date + time '23:59:59') at time zone 'Europe/Rome' as due_at
    from comune.dues_rows r left join comune.citizens c on c.tenant_id = r.tenant_id and c.fiscal_code = r.fiscal_code
    where r.upload_id = ${uploadId} and r.outcome = 'created' and r.debtor_type = 'F' and cardinality(r.navs) > 0
      and not exists (select 1 from comune.citizen_messages m where m.tenant_id = r.tenant_id and m.cause = 'dues:' || r.iupd)`.execute(tx);
  for (let start = 0; start < rows.length; start += DUES_CHUNK) {
    const messages = rows.slice(start, start + DUES_CHUNK).map((r) => {
      const total = Number(r.amount_cents);
      // splitInstallments (dues/csv.ts): the first installments carry the cents the division leaves.
      const first = Math.floor(total / r.installments) + (total % r.installments > 0 ? 1 : 0);
      const facts: PaymentFacts = { tenantName: upload.tenant_name, reason: r.reason, amountCents: first, noticeNumber: r.nav, payeeFiscalCode: payee, dueDay: r.due_date };
      return { r, facts, id: randomUUID(), locale: localeOr(r.locale) };
    });
    await sql`
      insert into comune.citizen_messages (id, tenant_id, fiscal_code, kind, cause, locale, subject, markdown, facts, due_date, payment, position_iupd, state)
      select m.id, ${upload.tenant_id}, m.fiscal_code, 'dues', m.cause, m.locale, m.subject, m.markdown, m.facts, m.due_date, m.payment, m.iupd, 'pending'
      from json_to_recordset(${JSON.stringify(
        messages.map(({ r, facts, id, locale }) => ({
          id, fiscal_code: r.fiscal_code, cause: `dues:${r.iupd}`, locale, ...composeMessage({ kind: 'dues', ...facts }, locale),
          facts, due_date: r.due_at, payment: paymentData(facts), iupd: r.iupd,
        })),
      )}::json) as m(id uuid, fiscal_code text, cause text, locale text, subject text, markdown text, facts jsonb, due_date timestamptz, payment jsonb, iupd text)`.execute(tx);
    await enqueueMany(tx, SUBMIT_JOB, messages.map((m) => ({ payload: { messageId: m.id }, key: m.id })), SUBMIT_MAX_ATTEMPTS);
    const reminders = messages.flatMap((m) => {
      const runAt = reminderAt(new Date(m.r.due_at), settings.reminderDays, now);
      return runAt ? [{ payload: { noticeId: m.id }, key: `${m.r.iupd}:${m.facts.dueDay}`, runAt }] : [];
    });
    await enqueueMany(tx, REMINDER_JOB, reminders, DEFAULT_MAX_ATTEMPTS);
  }
  return rows.length;
}

export async function messageById(db: Executor, id: string): Promise<CitizenMessage | undefined> {
  const { rows } = await sql<Row>`select * from comune.citizen_messages where id = ${id}`.execute(db);
  return rows[0] && fromRow(rows[0]);
}

/** The citizen's messages from this ente, newest first. */
export async function messagesOfCitizen(db: Executor, tenantId: string, fiscalCode: string, limit = 200): Promise<CitizenMessage[]> {
  const { rows } = await sql<Row>`
    select * from comune.citizen_messages where tenant_id = ${tenantId} and fiscal_code = ${fiscalCode} order by created_at desc, id limit ${limit}`.execute(db);
  return rows.map(fromRow);
}

/** One of the citizen's own messages, marked read; 404 for anyone else's. */
export async function readOwnMessage(db: Executor, tenantId: string, fiscalCode: string, id: string): Promise<CitizenMessage> {
  const { rows } = await sql<Row>`
    update comune.citizen_messages set read_at = coalesce(read_at, now())
    where id = ${id} and tenant_id = ${tenantId} and fiscal_code = ${fiscalCode} returning *`.execute(db);
  if (!rows[0]) throw notFound('No such message.');
  return fromRow(rows[0]);
}

/** An application's messages, oldest first (the caller has checked the operator may see the application). */
export async function messagesOfApplication(db: Executor, applicationId: string): Promise<CitizenMessage[]> {
  const { rows } = await sql<Row>`select * from comune.citizen_messages where application_id = ${applicationId} order by created_at, id`.execute(db);
  return rows.map(fromRow);
}

export const TROUBLE_STATES = ['failed', 'rejected'] as const satisfies readonly MessageState[];

export interface TroubleFilters {
  state?: (typeof TROUBLE_STATES)[number];
  kind?: MessageKind;
  /** Written on or after this day (YYYY-MM-DD, Italy). */
  from?: string;
  to?: string;
}

/** The ente's messages IO rejected or that could not be sent, newest first. */
export async function troubleMessages(db: Executor, tenantId: string, filters: TroubleFilters = {}, limit = 200): Promise<CitizenMessage[]> {
  const states = filters.state ? [filters.state] : [...TROUBLE_STATES];
  const { rows } = await sql<Row>`
    select * from comune.citizen_messages where tenant_id = ${tenantId} and state = any(${states}::text[])
      ${filters.kind ? sql`and kind = ${filters.kind}` : sql``}
      ${filters.from ? sql`and created_at >= (${filters.from}::date)::timestamp at time zone 'Europe/Rome'` : sql``}
      ${filters.to ? sql`and created_at < (${filters.to}::date + 1)::timestamp at time zone 'Europe/Rome'` : sql``}
    order by created_at desc limit ${limit}`.execute(db);
  return rows.map(fromRow);
}

/**
 * Sends a failed message again: the same submission job put back in the queue, so IO receives the same
 * Idempotency-Key (the row's id) and answers with the message it may already have; 409 unless failed.
 */
export async function retryMessage(db: Executor, message: CitizenMessage): Promise<void> {
  if (message.state !== 'failed') throw conflict('Only a message that could not be sent is sent again.');
  const { rows } = await sql<{ id: number }>`select id from comune.jobs where kind = ${SUBMIT_JOB} and idempotency_key = ${message.id}`.execute(db);
  await sql`update comune.citizen_messages set state = 'pending', last_error = null, updated_at = now() where id = ${message.id} and state = 'failed'`.execute(db);
  if (!rows[0] || !(await retryDeadJob(db, 'comune', rows[0].id))) {
    await enqueueInsert('comune', { kind: SUBMIT_JOB, payload: { messageId: message.id }, idempotencyKey: `${message.id}:retry:${Date.now()}`, maxAttempts: SUBMIT_MAX_ATTEMPTS }).execute(db);
  }
}
