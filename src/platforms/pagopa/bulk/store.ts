// GPD's massive upload: a file of debt positions is stored as received and a durable job creates and
// publishes them chunk by chunk, each chunk in one transaction with multi-row inserts (positions, IUVs,
// options, transfers) and its outcomes, so a crash resumes at the next chunk and a retried file never
// duplicates a position: an IUPD the organization already has is answered 409 for that position only.
import { randomUUID } from 'node:crypto';
import { audit } from '../../../core/audit.ts';
import { sql, transaction, type Executor, type Tx } from '../../../core/db.ts';
import { enqueue, type JobHandler } from '../../../core/jobs.ts';
import { composeNoticeNumber, noticeNumberOfIuv } from '../../../domain/pagopa/notice-number.ts';
import type { UploadReport, UploadStatus } from '../../../clients/pagopa/bulk.ts';
import type { PaymentPositionBody } from '../../../clients/pagopa/wire.ts';
import { toInput } from '../api.ts';
import { generationPoint, ibansOf, institutionById, nextIuvProgressives, type Actor, type Institution } from '../institutions.ts';
import type { DebtPositionInput } from '../positions.ts';
import { checkDebtor, checkPositionContent, decide } from '../rules.ts';
import { SCHEMA } from '../schema.ts';

export const BULK_UPLOAD_JOB = 'pagopa.bulk-upload';
/** Positions created in one transaction: large enough for few round trips, small enough for short locks. */
export const CHUNK_SIZE = 2000;

export interface Outcome {
  iupd: string;
  statusCode: 201 | 400 | 409;
  statusMessage: string;
  /** Notice numbers of the position now on the platform (created, or already there with this IUPD). */
  nav: string[];
}

const CREATED = 'created and published';

let lastMs = 0;
let sequence = 0;
/** A UUIDv7 (RFC 9562), ordered within a process: a chunk's rows land on the right edge of the id indexes, not on random pages of them. */
function timeOrderedUuid(): string {
  let ms = Date.now();
  if (ms > lastMs) sequence = 0;
  else if (++sequence > 0xfff) [ms, sequence] = [lastMs + 1, 0];
  else ms = lastMs;
  lastMs = ms;
  const time = ms.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8)}-7${sequence.toString(16).padStart(3, '0')}-${randomUUID().slice(19)}`;
}

/** The broker of an institution's station: the fiscal code before `_NN` of the station id. */
export const brokerOf = (institution: Institution) => institution.stationId.split('_')[0]!;

/** Stores the file and enqueues its processing, in one transaction; returns the upload id. */
export async function createUpload(db: Executor, actor: Actor, institution: Institution, brokerCode: string, positions: PaymentPositionBody[]): Promise<string> {
  return transaction(db, async (tx) => {
    const { rows } = await sql<{ id: string }>`
      insert into pagopa.bulk_uploads (institution_id, broker_code, positions, submitted_item)
      values (${institution.id}, ${brokerCode}, ${JSON.stringify(positions)}::json, ${positions.length}) returning id`.execute(tx);
    const id = rows[0]!.id;
    await enqueue(tx, SCHEMA, { kind: BULK_UPLOAD_JOB, payload: { uploadId: id }, idempotencyKey: id });
    await audit(tx, SCHEMA, { actorType: actor.type, actorId: actor.id, tenantId: institution.id, action: 'debt-position.bulk-upload', targetType: 'bulk_upload', targetId: id, details: { positions: positions.length }, requestId: actor.requestId });
    return id;
  });
}

/** What is wrong with one position, or the state publishing it leads to. */
function screen(input: DebtPositionInput, institution: Institution, registered: Map<string, string[]>, now: Date): { refusal: Omit<Outcome, 'iupd' | 'nav'> } | { status: 'VALID' | 'PUBLISHED' } {
  const problems = checkPositionContent(input, { now, organizationFiscalCode: institution.fiscalCode, generationPoint: generationPoint(institution), ibansOf: (cf) => registered.get(cf) });
  const debtor = checkDebtor(input.type, input.fiscalCode);
  if (debtor) problems.invalid.unshift(debtor);
  const explain = (fields: typeof problems.invalid) => fields.map((f) => `${f.pointer.replace(/^\/body/, '')}: ${f.detail}`).join('; ');
  if (problems.invalid.length) return { refusal: { statusCode: 400, statusMessage: `DEBT_POSITION_REQUEST_DATA_ERROR: ${explain(problems.invalid)}` } };
  if (problems.conflicts.length) return { refusal: { statusCode: 409, statusMessage: `DEBT_POSITION_UNIQUE_VIOLATION: ${explain(problems.conflicts)}` } };
  const options = input.paymentOption.map((o, i) => ({ iuv: o.iuv ?? `#${i}`, isPartialPayment: o.isPartialPayment, dueDate: o.dueDate, status: 'PO_UNPAID' as const }));
  const decision = decide({ status: 'DRAFT', validityDate: input.validityDate ?? null, switchToExpired: input.switchToExpired, options }, 'publish', now);
  if (!decision.ok) return { refusal: { statusCode: decision.status === 404 ? 400 : 409, statusMessage: `${decision.code}: ${decision.message}` } };
  return { status: decision.status === 'PUBLISHED' ? 'PUBLISHED' : 'VALID' };
}

/** The rows of a multi-row insert as one JSON parameter for json_to_recordset: one string to send and parse, not an array per column (dates as strings: a Date takes JSON.stringify off its fast path). */
const recordset = <T>(items: readonly T[], row: (item: T) => object): string => JSON.stringify(items.map(row));
const normalizeIban = (iban: string | undefined) => iban?.replace(/\s+/g, '').toUpperCase();

/** Creates and publishes the valid positions of one chunk with one statement per table; the outcome of each, in order. */
export async function createChunk(tx: Tx, actor: Actor, institution: Institution, registered: Map<string, string[]>, bodies: readonly PaymentPositionBody[], now: Date): Promise<Outcome[]> {
  const outcomes: Outcome[] = bodies.map((b) => ({ iupd: b.iupd, statusCode: 201, statusMessage: CREATED, nav: [] }));
  const candidates: { index: number; id: string; input: DebtPositionInput; status: 'VALID' | 'PUBLISHED' }[] = [];
  bodies.forEach((body, index) => {
    const input = toInput(body);
    const screened = screen(input, institution, registered, now);
    if ('refusal' in screened) outcomes[index] = { iupd: body.iupd, ...screened.refusal, nav: [] };
    else candidates.push({ index, id: timeOrderedUuid(), input, status: screened.status });
  });

  const { rows: inserted } = candidates.length
    ? await sql<{ id: string }>`
        insert into pagopa.debt_positions (id, institution_id, iupd, type, debtor_fiscal_code, full_name, street_name, civic_number, postal_code, city, province,
          region, country, email, phone, switch_to_expired, pay_stand_in, company_name, office_name, validity_date, status, inserted_date, publish_date,
          last_updated_date, max_due_date)
        select u.id, ${institution.id}, u.iupd, u.type, u.fiscal_code, u.full_name, u.street_name, u.civic_number, u.postal_code, u.city, u.province,
          u.region, u.country, u.email, u.phone, u.switch_to_expired, u.pay_stand_in, u.company_name, u.office_name, u.validity_date, u.status,
          ${now}, ${now}, ${now}, u.max_due_date
        from json_to_recordset(${recordset(candidates, ({ id, input: i, status }) => ({
          id, iupd: i.iupd, type: i.type, fiscal_code: i.fiscalCode.toUpperCase(), full_name: i.fullName, street_name: i.streetName, civic_number: i.civicNumber,
          postal_code: i.postalCode, city: i.city, province: i.province, region: i.region, country: i.country, email: i.email, phone: i.phone,
          switch_to_expired: i.switchToExpired, pay_stand_in: i.payStandIn ?? true, company_name: i.companyName, office_name: i.officeName,
          validity_date: i.validityDate?.toISOString(), status, max_due_date: new Date(Math.max(...i.paymentOption.map((o) => o.dueDate.getTime()))).toISOString(),
        }))}::json)
          as u(id uuid, iupd text, type text, fiscal_code text, full_name text, street_name text, civic_number text, postal_code text, city text, province text,
               region text, country text, email text, phone text, switch_to_expired boolean, pay_stand_in boolean, company_name text, office_name text,
               validity_date timestamptz, status text, max_due_date timestamptz)
        on conflict (institution_id, iupd) do nothing
        returning id`.execute(tx)
    : { rows: [] };
  const insertedIds = new Set(inserted.map((r) => r.id));
  const existing: string[] = [];
  const created = candidates.filter((c) => {
    if (insertedIds.has(c.id)) return true;
    outcomes[c.index] = { iupd: c.input.iupd, statusCode: 409, statusMessage: `DEBT_POSITION_UNIQUE_VIOLATION: the organization already has a debt position ${c.input.iupd}`, nav: [] };
    existing.push(c.input.iupd);
    return false;
  });

  // IUVs: the omitted ones drawn from the institution's sequence in one call; every one issued for ever.
  const point = generationPoint(institution);
  const fresh = await nextIuvProgressives(tx, institution, created.reduce((n, c) => n + c.input.paymentOption.filter((o) => o.iuv === undefined).length, 0));
  const options = created.flatMap((c) =>
    c.input.paymentOption.map((option, position_index) => {
      const given = option.iuv === undefined ? undefined : noticeNumberOfIuv(point, option.iuv);
      if (given && !given.ok) throw new Error(`IUV ${option.iuv} passed the checks but does not fit: ${given.message}`);
      const { iuv, noticeNumber } = given ? given.value : composeNoticeNumber(point, fresh.shift()!);
      return { id: timeOrderedUuid(), candidate: c, option, position_index, iuv, nav: noticeNumber };
    }),
  );
  const { rows: issued } = options.length
    ? await sql<{ iuv: string }>`
        insert into pagopa.issued_iuvs (institution_id, iuv, iupd)
        select ${institution.id}, u.iuv, u.iupd from unnest(${options.map((o) => o.iuv)}::text[], ${options.map((o) => o.candidate.input.iupd)}::text[]) as u(iuv, iupd)
        on conflict (institution_id, iuv) do nothing returning iuv`.execute(tx)
    : { rows: [] };
  // A given IUV already issued (to another position) refuses its position, as a single creation would.
  const issuedIuvs = new Set(issued.map((r) => r.iuv));
  const clashing = new Set(options.filter((o) => !issuedIuvs.has(o.iuv)).map((o) => o.candidate));
  if (clashing.size) {
    await sql`delete from pagopa.debt_positions where id = any(${[...clashing].map((c) => c.id)}::uuid[])`.execute(tx);
    for (const c of clashing) outcomes[c.index] = { iupd: c.input.iupd, statusCode: 409, statusMessage: 'DEBT_POSITION_UNIQUE_VIOLATION: an IUV of the position has already been used by this organization', nav: [] };
  }
  const kept = options.filter((o) => !clashing.has(o.candidate));
  if (kept.length) {
    await sql`
      insert into pagopa.payment_options (id, position_id, institution_id, iuv, nav, amount, description, is_partial_payment, due_date, retention_date, fee, metadata,
        position_index, inserted_date, last_updated_date)
      select u.id, u.position_id, ${institution.id}, u.iuv, u.nav, u.amount, u.description, u.is_partial_payment, u.due_date, u.retention_date, u.fee, u.metadata,
        u.position_index, ${now}, ${now}
      from json_to_recordset(${recordset(kept, ({ id, candidate, iuv, nav, option: o, position_index }) => ({
        id, position_id: candidate.id, iuv, nav, amount: o.amount, description: o.description, is_partial_payment: o.isPartialPayment, due_date: o.dueDate.toISOString(),
        retention_date: o.retentionDate?.toISOString(), fee: o.fee ?? 0, metadata: o.paymentOptionMetadata ?? [], position_index,
      }))}::json)
        as u(id uuid, position_id uuid, iuv text, nav text, amount bigint, description text, is_partial_payment boolean, due_date timestamptz,
             retention_date timestamptz, fee bigint, metadata jsonb, position_index smallint)`.execute(tx);
    const transfers = kept.flatMap((o) => o.option.transfer.map((t) => ({ optionId: o.id, t })));
    await sql`
      insert into pagopa.transfers (option_id, id_transfer, amount, organization_fiscal_code, company_name, remittance_information, category, iban, postal_iban, stamp,
        metadata, inserted_date, last_updated_date)
      select u.option_id, u.id_transfer, u.amount, u.organization_fiscal_code, u.company_name, u.remittance_information, u.category, u.iban, u.postal_iban,
        u.stamp, u.metadata, ${now}, ${now}
      from json_to_recordset(${recordset(transfers, ({ optionId, t }) => ({
        option_id: optionId, id_transfer: t.idTransfer, amount: t.amount, organization_fiscal_code: t.organizationFiscalCode ?? institution.fiscalCode,
        company_name: t.companyName, remittance_information: t.remittanceInformation, category: t.category, iban: normalizeIban(t.iban),
        postal_iban: normalizeIban(t.postalIban), stamp: t.stamp, metadata: t.transferMetadata ?? [],
      }))}::json)
        as u(option_id uuid, id_transfer text, amount bigint, organization_fiscal_code text, company_name text, remittance_information text, category text,
             iban text, postal_iban text, stamp jsonb, metadata jsonb)`.execute(tx);
    for (const o of kept) outcomes[o.candidate.index]!.nav.push(o.nav);
  }

  // The positions already there answer with their notice numbers, so a retried file tells the caller everything.
  if (existing.length) {
    const { rows } = await sql<{ iupd: string; nav: string[] }>`
      select p.iupd, array_agg(o.nav order by o.position_index) as nav from pagopa.debt_positions p join pagopa.payment_options o on o.position_id = p.id
      where p.institution_id = ${institution.id} and p.iupd = any(${existing}::text[]) group by p.iupd`.execute(tx);
    const navs = new Map(rows.map((r) => [r.iupd, r.nav]));
    for (const outcome of outcomes) if (outcome.statusCode === 409 && outcome.nav.length === 0) outcome.nav = navs.get(outcome.iupd) ?? [];
  }
  const createdCount = outcomes.filter((o) => o.statusCode === 201).length;
  if (createdCount) {
    await audit(tx, SCHEMA, { actorType: actor.type, actorId: actor.id, tenantId: institution.id, action: 'debt-position.bulk-create', targetType: 'debt_position', targetId: `${createdCount} positions`, details: { created: outcomes.filter((o) => o.statusCode === 201).map((o) => o.iupd) }, requestId: actor.requestId });
  }
  return outcomes;
}

interface UploadRow {
  id: string;
  institution_id: string;
  positions: PaymentPositionBody[] | null;
  submitted_item: number;
  processed_item: number;
  next_chunk: number;
  start_time: Date;
  end_time: Date | null;
}

/** The job: the chunks not yet processed, each in its own transaction (the upload's row lock makes a chunk happen once). */
export function bulkUploadHandler(db: Executor): JobHandler<{ uploadId: string }> {
  return async ({ uploadId }, job) => {
    const { rows } = await sql<UploadRow>`select * from pagopa.bulk_uploads where id = ${uploadId}`.execute(db);
    const upload = rows[0];
    if (!upload?.positions) return;
    const institution = (await institutionById(db, upload.institution_id))!;
    const positions = upload.positions;
    const registered = await ibansOf(db, [institution.fiscalCode, ...positions.flatMap((p) => p.paymentOption.flatMap((o) => o.transfer.map((t) => t.organizationFiscalCode ?? institution.fiscalCode)))]);
    const actor: Actor = { type: 'system', id: `bulk-upload:${uploadId}`, requestId: job.idempotencyKey };
    const chunks = Math.ceil(positions.length / CHUNK_SIZE);
    for (let chunk = upload.next_chunk; chunk < chunks; chunk++) {
      await transaction(db, async (tx) => {
        const { rows: locked } = await sql<{ next_chunk: number }>`select next_chunk from pagopa.bulk_uploads where id = ${uploadId} for update`.execute(tx);
        if (locked[0]!.next_chunk !== chunk) return;
        const bodies = positions.slice(chunk * CHUNK_SIZE, (chunk + 1) * CHUNK_SIZE);
        const outcomes = await createChunk(tx, actor, institution, registered, bodies, new Date());
        const last = chunk === chunks - 1;
        await sql`insert into pagopa.bulk_upload_chunks (upload_id, chunk, outcomes) values (${uploadId}, ${chunk}, ${JSON.stringify(outcomes)}::jsonb)`.execute(tx);
        await sql`update pagopa.bulk_uploads set processed_item = processed_item + ${bodies.length}, next_chunk = ${chunk + 1},
          end_time = ${last ? sql`now()` : null}, positions = ${last ? null : sql`positions`} where id = ${uploadId}`.execute(tx);
      });
    }
  };
}

async function uploadOf(db: Executor, institution: Institution, brokerCode: string, uploadId: string): Promise<UploadRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(uploadId)) return undefined;
  const { rows } = await sql<UploadRow>`
    select id, institution_id, null as positions, submitted_item, processed_item, next_chunk, start_time, end_time from pagopa.bulk_uploads
    where id = ${uploadId} and institution_id = ${institution.id} and broker_code = ${brokerCode}`.execute(db);
  return rows[0];
}

const statusOf = (u: UploadRow): UploadStatus => ({
  uploadID: u.id,
  processedItem: u.processed_item,
  submittedItem: u.submitted_item,
  startTime: u.start_time.toISOString(),
  ...(u.end_time ? { endTime: u.end_time.toISOString() } : {}),
});

export async function uploadStatus(db: Executor, institution: Institution, brokerCode: string, uploadId: string): Promise<UploadStatus | undefined> {
  const upload = await uploadOf(db, institution, brokerCode, uploadId);
  return upload && statusOf(upload);
}

/** The outcomes so far, grouped by status code and message as GPD's report groups its request ids. */
export async function uploadReport(db: Executor, institution: Institution, brokerCode: string, uploadId: string): Promise<UploadReport | undefined> {
  const upload = await uploadOf(db, institution, brokerCode, uploadId);
  if (!upload) return undefined;
  const { rows } = await sql<{ outcomes: Outcome[] }>`select outcomes from pagopa.bulk_upload_chunks where upload_id = ${uploadId} order by chunk`.execute(db);
  const groups = new Map<string, UploadReport['responses'][number]>();
  const notices: UploadReport['notices'] = [];
  for (const outcome of rows.flatMap((r) => r.outcomes)) {
    const key = `${outcome.statusCode} ${outcome.statusMessage}`;
    const group = groups.get(key) ?? { statusCode: outcome.statusCode, statusMessage: outcome.statusMessage, requestIDs: [] };
    group.requestIDs.push(outcome.iupd);
    groups.set(key, group);
    if (outcome.nav.length) notices.push({ iupd: outcome.iupd, nav: outcome.nav });
  }
  return { ...statusOf(upload), responses: [...groups.values()], notices };
}
