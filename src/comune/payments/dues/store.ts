// Bulk dues of one ente: an upload and its rows are stored in one transaction with the job that sends them to
// pagoPA; every read takes the tenant, so another ente's upload is never found.
import { createHash } from 'node:crypto';
import { audit } from '../../../core/audit.ts';
import { sql, transaction, type Executor } from '../../../core/db.ts';
import { enqueue } from '../../../core/jobs.ts';
import { MAX_FILE_POSITIONS } from '../../../clients/pagopa/bulk.ts';
import type { DueRow, RowError } from './csv.ts';

export const DUES_UPLOAD_JOB = 'payments.dues-upload';
/** Rows written by one statement when an upload is stored (as one JSON parameter: node-postgres escapes arrays element by element). */
const INSERT_CHUNK = 5000;

export type RowOutcome = 'pending' | 'created' | 'existing' | 'rejected' | 'failed';
export const ROW_OUTCOMES: readonly RowOutcome[] = ['pending', 'created', 'existing', 'rejected', 'failed'];

export interface DuesUpload {
  id: string;
  fileName: string;
  fileSha256: string;
  defaultChapter: string;
  totalRows: number;
  state: 'processing' | 'done';
  createdAt: Date;
  finishedAt: Date | null;
  uploadedBy: string | null;
  counts: Record<RowOutcome, number>;
}

export interface NewUpload {
  tenantId: string;
  staffId: string;
  fileName: string;
  bytes: Uint8Array;
  defaultChapter: string;
  rows: DueRow[];
  rejected: RowError[];
}

const column = <T, V>(items: readonly T[], pick: (item: T) => V | undefined): (V | null)[] => items.map((item) => pick(item) ?? null);

/** Stores the upload, its accepted rows (in files of pagoPA's size) and rejected ones, and enqueues the job. */
export async function createDuesUpload(db: Executor, upload: NewUpload, requestId?: string): Promise<string> {
  return transaction(db, async (tx) => {
    const sha = createHash('sha256').update(upload.bytes).digest('hex');
    const { rows } = await sql<{ id: string }>`
      insert into comune.dues_uploads (tenant_id, uploaded_by, file_name, file_sha256, default_chapter, total_rows, state)
      values (${upload.tenantId}, ${upload.staffId}, ${upload.fileName}, ${sha}, ${upload.defaultChapter}, ${upload.rows.length + upload.rejected.length}, 'processing')
      returning id`.execute(tx);
    const id = rows[0]!.id;
    for (let start = 0; start < upload.rows.length; start += INSERT_CHUNK) {
      const chunk = upload.rows.slice(start, start + INSERT_CHUNK);
      await sql`
        insert into comune.dues_rows (upload_id, tenant_id, line, outcome, batch, iupd, debtor_type, fiscal_code, full_name, email, amount_cents, reason, due_date, installments, chapter)
        select ${id}, ${upload.tenantId}, u.line, 'pending', u.batch, u.iupd, u.debtor_type, u.fiscal_code, u.full_name, u.email, u.amount_cents, u.reason, u.due_date, u.installments, u.chapter
        from json_to_recordset(${JSON.stringify(chunk.map((r, i) => ({
          line: r.line, batch: Math.floor((start + i) / MAX_FILE_POSITIONS), iupd: r.iupd, debtor_type: r.type, fiscal_code: r.fiscalCode, full_name: r.fullName,
          email: r.email, amount_cents: r.amountCents, reason: r.reason, due_date: r.dueDate, installments: r.installments, chapter: r.chapter,
        })))}::json)
          as u(line int, batch int, iupd text, debtor_type text, fiscal_code text, full_name text, email text, amount_cents bigint, reason text, due_date date,
               installments smallint, chapter text)`.execute(tx);
    }
    for (let start = 0; start < upload.rejected.length; start += INSERT_CHUNK) {
      const chunk = upload.rejected.slice(start, start + INSERT_CHUNK);
      await sql`
        insert into comune.dues_rows (upload_id, tenant_id, line, outcome, fiscal_code, full_name, reason, error_code, error_value, raw)
        select ${id}, ${upload.tenantId}, u.line, 'rejected', u.fiscal_code, u.full_name, u.reason, u.error_code, u.error_value, u.raw::jsonb
        from unnest(${chunk.map((r) => r.line)}::int[], ${column(chunk, (r) => r.fields.codice_fiscale)}::text[],
          ${chunk.map((r) => [r.fields.nome, r.fields.cognome].filter(Boolean).join(' '))}::text[], ${column(chunk, (r) => r.fields.causale)}::text[],
          ${chunk.map((r) => r.code)}::text[], ${chunk.map((r) => r.value)}::text[], ${chunk.map((r) => JSON.stringify(r.fields))}::text[])
          as u(line, fiscal_code, full_name, reason, error_code, error_value, raw)`.execute(tx);
    }
    const batches = Math.ceil(upload.rows.length / MAX_FILE_POSITIONS);
    await sql`insert into comune.dues_batches (upload_id, batch) select ${id}, b from generate_series(0, ${batches - 1}::int) b`.execute(tx);
    await enqueue(tx, 'comune', { kind: DUES_UPLOAD_JOB, payload: { uploadId: id }, idempotencyKey: id });
    await audit(tx, 'comune', {
      actorType: 'tenant_admin',
      actorId: upload.staffId,
      tenantId: upload.tenantId,
      action: 'payments.dues-upload',
      targetType: 'dues_upload',
      targetId: id,
      details: { fileName: upload.fileName, sha256: sha, accepted: upload.rows.length, rejected: upload.rejected.length },
      requestId,
    });
    return id;
  });
}

interface UploadRow {
  id: string;
  file_name: string;
  file_sha256: string;
  default_chapter: string;
  total_rows: number;
  state: 'processing' | 'done';
  created_at: Date;
  finished_at: Date | null;
  uploaded_by: string | null;
  counts: Partial<Record<RowOutcome, number>> | null;
}

const toUpload = (r: UploadRow): DuesUpload => ({
  id: r.id,
  fileName: r.file_name,
  fileSha256: r.file_sha256,
  defaultChapter: r.default_chapter,
  totalRows: r.total_rows,
  state: r.state,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
  uploadedBy: r.uploaded_by,
  counts: Object.fromEntries(ROW_OUTCOMES.map((o) => [o, r.counts?.[o] ?? 0])) as Record<RowOutcome, number>,
});

const UPLOAD_COLUMNS = sql`u.id, u.file_name, u.file_sha256, u.default_chapter, u.total_rows, u.state, u.created_at, u.finished_at,
  (select s.given_name || ' ' || s.family_name from comune.staff_users s where s.id = u.uploaded_by) as uploaded_by,
  (select jsonb_object_agg(c.outcome, c.n) from (select outcome, count(*)::int as n from comune.dues_rows r where r.upload_id = u.id group by outcome) c) as counts`;

export async function listDuesUploads(db: Executor, tenantId: string, limit = 50): Promise<DuesUpload[]> {
  const { rows } = await sql<UploadRow>`select ${UPLOAD_COLUMNS} from comune.dues_uploads u where u.tenant_id = ${tenantId} order by u.created_at desc limit ${limit}`.execute(db);
  return rows.map(toUpload);
}

export async function getDuesUpload(db: Executor, tenantId: string, id: string): Promise<DuesUpload | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const { rows } = await sql<UploadRow>`select ${UPLOAD_COLUMNS} from comune.dues_uploads u where u.tenant_id = ${tenantId} and u.id = ${id}`.execute(db);
  return rows[0] && toUpload(rows[0]);
}

export interface ReportRow {
  line: number;
  outcome: RowOutcome;
  iupd: string | null;
  fiscalCode: string | null;
  fullName: string | null;
  amountCents: number | null;
  reason: string | null;
  dueDate: string | null;
  installments: number | null;
  navs: string[];
  errorCode: string | null;
  errorValue: string | null;
  message: string | null;
}

interface ReportDbRow {
  line: number;
  outcome: RowOutcome;
  iupd: string | null;
  fiscal_code: string | null;
  full_name: string | null;
  amount_cents: number | null;
  reason: string | null;
  due_date: string | null;
  installments: number | null;
  navs: string[] | null;
  error_code: string | null;
  error_value: string | null;
  message: string | null;
}

const toReportRow = (r: ReportDbRow): ReportRow => ({
  line: r.line,
  outcome: r.outcome,
  iupd: r.iupd,
  fiscalCode: r.fiscal_code,
  fullName: r.full_name,
  amountCents: r.amount_cents,
  reason: r.reason,
  dueDate: r.due_date,
  installments: r.installments,
  navs: r.navs ?? [],
  errorCode: r.error_code,
  errorValue: r.error_value,
  message: r.message,
});

const REPORT_COLUMNS = sql`line, outcome, iupd, fiscal_code, full_name, amount_cents, reason, due_date, installments, navs, error_code, error_value, message`;

/** The rows not turned into a debt (rejected here or refused by pagoPA), in file order, a page at a time. */
export async function problemRows(db: Executor, tenantId: string, uploadId: string, offset: number, limit: number): Promise<ReportRow[]> {
  const { rows } = await sql<ReportDbRow>`select ${REPORT_COLUMNS} from comune.dues_rows
    where tenant_id = ${tenantId} and upload_id = ${uploadId} and outcome in ('rejected', 'failed') order by line limit ${limit} offset ${offset}`.execute(db);
  return rows.map(toReportRow);
}

/** Every row of the upload in file order, read in pages so a 100,000-row report streams. */
export async function* reportRows(db: Executor, tenantId: string, uploadId: string, pageSize = 5000): AsyncGenerator<ReportRow> {
  for (let after = 0; ; ) {
    const { rows } = await sql<ReportDbRow>`select ${REPORT_COLUMNS} from comune.dues_rows
      where tenant_id = ${tenantId} and upload_id = ${uploadId} and line > ${after} order by line limit ${pageSize}`.execute(db);
    for (const row of rows) yield toReportRow(row);
    if (rows.length < pageSize) return;
    after = rows.at(-1)!.line;
  }
}
