// Accepting a message (io-functions-services CreateMessage): the checks beyond the schema in the order of reference
// io.md §4.1, idempotency, and the group-committed insert of the row that is the pipeline's durable work item.
import { createHash } from 'node:crypto';
import { executePrepared, sql, type Executor } from '../../../core/db.ts';
import { conflict, HttpProblem, invalid, problemType } from '../../../core/problem.ts';
import { ulid } from '../../../core/ulid.ts';
import { validateFiscalCode } from '../../../domain/fiscal-code.ts';
import { parseNoticeNumber } from '../../../domain/pagopa/notice-number.ts';
import { MESSAGE_LIMITS, SANDBOX_FISCAL_CODE, type NewMessage } from '../../../clients/io/wire.ts';
import { SCHEMA } from '../schema.ts';
import type { Service } from '../services/store.ts';
import { groupCommit, type GroupCommitOptions } from './group-commit.ts';

export const MAX_IDEMPOTENCY_KEY_LENGTH = 128;

/** Reference io.md §1.7 (devportal "Common errors"): the 403 of a recipient the service may not write to. */
export const recipientForbidden = () =>
  new HttpProblem(403, { type: problemType('recipient-forbidden'), title: 'Recipient forbidden', detail: 'You are not allowed to issue requests for the recipient.' });

/** Reference io.md §1.7: the 403 of a call from outside the service's authorized_cidrs, or of a feature it lacks (ADVANCED). */
export const notAllowedHere = () =>
  new HttpProblem(403, { type: problemType('forbidden'), title: 'You are not allowed here', detail: 'You do not have enough permission to complete the operation you requested' });

/** A test-mode service writes (and reads profiles) only for its authorized recipients (§1.3 step 1, §4.1). */
export function assertRecipientAllowed(service: Pick<Service, 'isTestMode' | 'authorizedRecipients'>, fiscalCode: string): void {
  if (service.isTestMode && !service.authorizedRecipients.includes(fiscalCode)) throw recipientForbidden();
}

/** 400 naming the field when the fiscal code's check character (or its coded birth date) is wrong (DM 23/12/1976). */
export function assertFiscalCode(fiscalCode: string, pointer: string): void {
  if (fiscalCode === SANDBOX_FISCAL_CODE) return;
  const checked = validateFiscalCode(fiscalCode, { requireKnownBirthplace: false });
  if (!checked.ok) throw invalid([{ pointer, detail: checked.message, code: checked.reason }], `${fiscalCode} is not a valid fiscal code.`);
}

/** The checks after the schema's, in IO's order: ADVANCED allowed, fiscal code, notice number, recipient, payment cap. */
export function checkMessage(service: Service, fiscalCode: string, message: NewMessage): void {
  // Reference io.md §1.4: ADVANCED needs the ApiMessageWriteAdvanced group (here the operator's allow_advanced).
  if (message.feature_level_type === 'ADVANCED' && !service.allowAdvanced) throw notAllowedHere();
  assertFiscalCode(fiscalCode, message.fiscal_code ? '/body/fiscal_code' : '/params/fiscal_code');
  const payment = message.content.payment_data;
  if (payment) {
    // SACI §2: the NAV's last two digits are the preceding 16 mod 93 (aux digits 0, 2, 3).
    const notice = parseNoticeNumber(payment.notice_number);
    if (!notice.ok) throw invalid([{ pointer: '/body/content/payment_data/notice_number', detail: notice.message, code: notice.reason }]);
  }
  assertRecipientAllowed(service, fiscalCode);
  if (payment && payment.amount > service.maxAllowedPaymentAmount) {
    const detail = `The requested amount (${payment.amount} cents) exceeds the maximum allowed for this service (${service.maxAllowedPaymentAmount} cents)`;
    throw invalid([{ pointer: '/body/content/payment_data/amount', detail, code: 'maximum' }], detail);
  }
}

/** A row of io.messages in its column names (the batch travels as one JSON parameter). */
interface MessageRow {
  id: string;
  fiscal_code: string;
  sender_service_id: string;
  idempotency_key: string | null;
  request_hash: string;
  time_to_live: number;
  feature_level_type: string;
  content: NewMessage['content'];
  require_secure_channels: boolean;
}

export interface Accepted {
  id: string;
  /** false: an earlier submission with the same idempotency key and body. */
  created: boolean;
}

const messages = sql.table(`${SCHEMA}.messages`);

/** Writes a batch in one statement; rows whose idempotency key exists answer the earlier id, or 409 for another body. */
async function insertBatch(db: Executor, rows: MessageRow[]): Promise<(Accepted | Error)[]> {
  // One JSON parameter rather than an array per column: node-postgres escapes array elements one by one.
  const { rows: inserted } = await executePrepared(
    db,
    sql<{ id: string }>`insert into ${messages} (id, fiscal_code, sender_service_id, idempotency_key, request_hash, time_to_live, feature_level_type, content, require_secure_channels)
      select id, fiscal_code, sender_service_id, idempotency_key, request_hash, time_to_live, feature_level_type, content, require_secure_channels
      from json_to_recordset(${JSON.stringify(rows)}::json) as t(id text, fiscal_code text, sender_service_id text, idempotency_key text, request_hash text,
        time_to_live int, feature_level_type text, content jsonb, require_secure_channels boolean)
      on conflict (fiscal_code, sender_service_id, idempotency_key) where idempotency_key is not null do nothing
      returning id`,
  );
  const created = new Set(inserted.map((r) => r.id));
  const repeated = rows.filter((r) => !created.has(r.id));
  const earlier = new Map<string, { id: string; request_hash: string }>();
  if (repeated.length) {
    const { rows: found } = await sql<{ id: string; request_hash: string; fiscal_code: string; sender_service_id: string; idempotency_key: string }>`
      select m.id, m.request_hash, m.fiscal_code, m.sender_service_id, m.idempotency_key from ${messages} m
      join unnest(${repeated.map((r) => r.fiscal_code)}::text[], ${repeated.map((r) => r.sender_service_id)}::text[], ${repeated.map((r) => r.idempotency_key)}::text[]) as k(fiscal_code, service_id, idempotency_key)
        on m.fiscal_code = k.fiscal_code and m.sender_service_id = k.service_id and m.idempotency_key = k.idempotency_key`.execute(db);
    for (const r of found) earlier.set(`${r.fiscal_code}|${r.sender_service_id}|${r.idempotency_key}`, r);
  }
  return rows.map((row) => {
    if (created.has(row.id)) return { id: row.id, created: true };
    const first = earlier.get(`${row.fiscal_code}|${row.sender_service_id}|${row.idempotency_key}`);
    if (first?.request_hash === row.request_hash) return { id: first.id, created: false };
    return conflict(`The Idempotency-Key ${row.idempotency_key} was used for another message to this citizen.`);
  });
}

/** Tuned on bench/io-submit.ts (bench/README.md): a batch waits at most 1 ms, holds up to 256 rows, at most 4 written at once. */
export const GROUP_COMMIT: GroupCommitOptions = { maxRows: 256, maxDelayMs: 1, maxInFlight: 4 };

const committers = new WeakMap<Executor, (row: MessageRow) => Promise<Accepted>>();
const committerOf = (db: Executor) => {
  let submit = committers.get(db);
  if (!submit) committers.set(db, (submit = groupCommit((rows) => insertBatch(db, rows), GROUP_COMMIT)));
  return submit;
};

/** The same citizen, content and options give the same hash, whether the fiscal code came in the path or the body. */
const requestHash = (fiscalCode: string, { fiscal_code: _, ...message }: NewMessage) => createHash('sha256').update(JSON.stringify([fiscalCode, message])).digest('base64url');

/** Accepts a message for the pipeline (status ACCEPTED) once its row is committed; HttpProblem 400/403/409 otherwise. */
export async function acceptMessage(db: Executor, service: Service, input: { fiscalCode: string; message: NewMessage; idempotencyKey?: string }): Promise<Accepted> {
  const { fiscalCode, message, idempotencyKey } = input;
  if (idempotencyKey !== undefined && (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH)) {
    throw invalid([{ pointer: '/headers/idempotency-key', detail: `1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, code: 'maxLength' }]);
  }
  checkMessage(service, fiscalCode, message);
  return committerOf(db)({
    id: ulid(),
    fiscal_code: fiscalCode,
    sender_service_id: service.serviceId,
    idempotency_key: idempotencyKey ?? null,
    request_hash: requestHash(fiscalCode, message),
    time_to_live: message.time_to_live ?? MESSAGE_LIMITS.timeToLive.default,
    feature_level_type: message.feature_level_type ?? 'STANDARD',
    content: message.content,
    require_secure_channels: message.content.require_secure_channels ?? service.requireSecureChannels,
  });
}
