// Receipts (ricevute telematiche) of paid notices: written once by the Nodo with the payment, read by the
// creditor institution (one receipt per IUV of the institution), pushed to its station by a durable job.
// Fields after ctReceipt (paForNode.xsd); amounts in euro cents as GPD keeps them.
import { sql, type Executor } from '../../../core/db.ts';
import { enqueue } from '../../../core/jobs.ts';
import type { Receipt, Subject } from '../../../clients/pagopa/nodo-wire.ts';
import type { Institution } from '../institutions.ts';
import { SCHEMA } from '../schema.ts';

/** The job that POSTs a receipt to the creditor's station (payload { receiptId }). */
export const RECEIPT_PUSH_JOB = 'pagopa.receipt-push';

interface ReceiptRow {
  receipt_id: string;
  fiscal_code: string;
  nav: string;
  iuv: string;
  iupd: string;
  debtor: Subject;
  payer: Subject | null;
  amount: string | number;
  fee: string | number;
  id_psp: string;
  psp_company_name: string;
  psp_fiscal_code: string;
  id_channel: string;
  payment_method: string;
  payment_channel: string;
  payment_date_time: Date;
  application_date: string;
  transfer_date: string;
  transfers: Receipt['transferList'];
  description: string;
  company_name: string;
  office_name: string | null;
}

const toReceipt = (r: ReceiptRow): Receipt => ({
  receiptId: r.receipt_id,
  noticeNumber: r.nav,
  fiscalCode: r.fiscal_code,
  outcome: 'OK',
  creditorReferenceId: r.iuv,
  iupd: r.iupd,
  paymentAmount: Number(r.amount),
  description: r.description,
  companyName: r.company_name,
  ...(r.office_name ? { officeName: r.office_name } : {}),
  debtor: r.debtor,
  transferList: r.transfers,
  idPSP: r.id_psp,
  pspFiscalCode: r.psp_fiscal_code,
  PSPCompanyName: r.psp_company_name,
  idChannel: r.id_channel,
  channelDescription: r.payment_channel,
  ...(r.payer ? { payer: r.payer } : {}),
  paymentMethod: r.payment_method,
  fee: Number(r.fee),
  paymentDateTime: r.payment_date_time.toISOString(),
  applicationDate: r.application_date,
  transferDate: r.transfer_date,
});

const SELECT = sql`select r.receipt_id, ci.fiscal_code, r.nav, r.iuv, r.iupd, r.debtor, r.payer, r.amount, r.fee, r.id_psp, r.psp_company_name,
  r.psp_fiscal_code, r.id_channel, r.payment_method, r.payment_channel, r.payment_date_time, r.application_date::text as application_date,
  r.transfer_date::text as transfer_date, r.transfers, r.description, r.company_name, r.office_name
  from pagopa.receipts r join pagopa.creditor_institutions ci on ci.id = r.institution_id`;

export interface NewReceipt extends Omit<Receipt, 'fiscalCode' | 'outcome'> {
  institutionId: string;
}

/** Stores a receipt, and its push to the creditor's station when it has one, in the caller's transaction. */
export async function insertReceipt(tx: Executor, receipt: NewReceipt, receiptsUrl: string | null): Promise<void> {
  await sql`insert into pagopa.receipts (receipt_id, institution_id, nav, iuv, iupd, debtor_fiscal_code, debtor, payer, amount, fee, id_psp,
      psp_company_name, psp_fiscal_code, id_channel, payment_method, payment_channel, payment_date_time, application_date, transfer_date,
      transfers, description, company_name, office_name)
    values (${receipt.receiptId}, ${receipt.institutionId}, ${receipt.noticeNumber}, ${receipt.creditorReferenceId}, ${receipt.iupd},
      ${receipt.debtor.uniqueIdentifier.entityUniqueIdentifierValue}, ${JSON.stringify(receipt.debtor)}::jsonb,
      ${receipt.payer ? JSON.stringify(receipt.payer) : null}::jsonb, ${receipt.paymentAmount}, ${receipt.fee}, ${receipt.idPSP},
      ${receipt.PSPCompanyName}, ${receipt.pspFiscalCode}, ${receipt.idChannel}, ${receipt.paymentMethod}, ${receipt.channelDescription},
      ${receipt.paymentDateTime}, ${receipt.applicationDate}, ${receipt.transferDate}, ${JSON.stringify(receipt.transferList)}::jsonb,
      ${receipt.description}, ${receipt.companyName}, ${receipt.officeName ?? null})`.execute(tx);
  if (receiptsUrl) await enqueue(tx, SCHEMA, { kind: RECEIPT_PUSH_JOB, payload: { receiptId: receipt.receiptId }, idempotencyKey: receipt.receiptId });
}

export async function receiptById(db: Executor, receiptId: string): Promise<Receipt | undefined> {
  const { rows } = await sql<ReceiptRow>`${SELECT} where r.receipt_id = ${receiptId}`.execute(db);
  return rows[0] && toReceipt(rows[0]);
}

/** The institution's receipt of the notice with this IUV; another institution's is never found. */
export async function receiptByIuv(db: Executor, institution: Institution, iuv: string): Promise<Receipt | undefined> {
  const { rows } = await sql<ReceiptRow>`${SELECT} where r.institution_id = ${institution.id} and r.iuv = ${iuv}`.execute(db);
  return rows[0] && toReceipt(rows[0]);
}

/** The receipts of the payments a PSP collected on an Italian calendar day (yyyy-MM-dd), every channel, oldest first. */
export async function receiptsOfPsp(db: Executor, idPSP: string, day: string): Promise<Receipt[]> {
  const { rows } = await sql<ReceiptRow>`${SELECT} where r.id_psp = ${idPSP}
    and r.payment_date_time >= (${day}::date::timestamp at time zone 'Europe/Rome') and r.payment_date_time < ((${day}::date + 1)::timestamp at time zone 'Europe/Rome')
    order by r.payment_date_time, r.receipt_id`.execute(db);
  return rows.map(toReceipt);
}

export interface ReceiptFilter {
  debtor?: string;
  /** Italian calendar days (yyyy-MM-dd) of the payment, both included. */
  from?: string;
  to?: string;
  page: number;
  limit: number;
}

/** The institution's receipts, newest payment first. */
export async function listReceipts(db: Executor, institution: Institution, filter: ReceiptFilter): Promise<{ receipts: Receipt[]; itemsFound: number; totalPages: number }> {
  const conditions = [sql`r.institution_id = ${institution.id}`];
  if (filter.debtor) conditions.push(sql`r.debtor_fiscal_code = ${filter.debtor.toUpperCase()}`);
  if (filter.from) conditions.push(sql`r.payment_date_time >= (${filter.from}::date::timestamp at time zone 'Europe/Rome')`);
  if (filter.to) conditions.push(sql`r.payment_date_time < ((${filter.to}::date + 1)::timestamp at time zone 'Europe/Rome')`);
  const where = sql.join(conditions, sql` and `);
  const { rows: count } = await sql<{ n: number }>`select count(*)::int as n from pagopa.receipts r where ${where}`.execute(db);
  const { rows } = await sql<ReceiptRow>`${SELECT} where ${where} order by r.payment_date_time desc, r.receipt_id
    limit ${filter.limit} offset ${filter.page * filter.limit}`.execute(db);
  const itemsFound = count[0]!.n;
  return { receipts: rows.map(toReceipt), itemsFound, totalPages: Math.ceil(itemsFound / filter.limit) };
}
