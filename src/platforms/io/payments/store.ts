// The payments a citizen started in the app (io.payments): one row per attempt, PENDING until pagoPA's receipt
// is read back and kept on the row (PAID, paid_at the receipt's payment time). A citizen reads only their own
// rows. Also the citizen's payable message, as the payment box and the "Paga" route need it.
import { sql, type Executor } from '../../../core/db.ts';
import type { Receipt } from '../../../clients/pagopa/ecommerce.ts';
import type { PaymentData } from '../../../clients/io/wire.ts';

export const PAYMENT_STATUSES = ['PENDING', 'PAID', 'CANCELLED', 'FAILED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export interface Payment {
  id: string;
  fiscalCode: string;
  messageId: string | null;
  payeeFiscalCode: string;
  noticeNumber: string;
  amount: number;
  description: string;
  status: PaymentStatus;
  cartUrl: string | null;
  receipt: Receipt | null;
  paidAt: Date | null;
  createdAt: Date;
}

interface PaymentRow {
  id: string;
  fiscal_code: string;
  message_id: string | null;
  payee_fiscal_code: string;
  notice_number: string;
  amount: string | number;
  description: string;
  status: PaymentStatus;
  cart_url: string | null;
  receipt: Receipt | null;
  paid_at: Date | null;
  created_at: Date;
}

const toPayment = (r: PaymentRow): Payment => ({
  id: r.id,
  fiscalCode: r.fiscal_code,
  messageId: r.message_id,
  payeeFiscalCode: r.payee_fiscal_code,
  noticeNumber: r.notice_number,
  amount: Number(r.amount),
  description: r.description,
  status: r.status,
  cartUrl: r.cart_url,
  receipt: r.receipt,
  paidAt: r.paid_at,
  createdAt: r.created_at,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface NewPayment {
  fiscalCode: string;
  messageId: string;
  payeeFiscalCode: string;
  noticeNumber: string;
  amount: number;
  description: string;
}

export async function insertPayment(db: Executor, payment: NewPayment): Promise<Payment> {
  const { rows } = await sql<PaymentRow>`insert into io.payments (fiscal_code, message_id, payee_fiscal_code, notice_number, amount, description)
    values (${payment.fiscalCode}, ${payment.messageId}, ${payment.payeeFiscalCode}, ${payment.noticeNumber}, ${payment.amount}, ${payment.description})
    returning *`.execute(db);
  return toPayment(rows[0]!);
}

export async function setCartUrl(db: Executor, id: string, cartUrl: string): Promise<void> {
  await sql`update io.payments set cart_url = ${cartUrl}, updated_at = now() where id = ${id}`.execute(db);
}

/**
 * Keeps pagoPA's receipt on the payment: PAID at the receipt's time. The notice is paid once (a unique index), so
 * when another row of the notice already holds it (a second attempt, another tab) this one is closed as CANCELLED.
 */
export async function recordReceipt(db: Executor, id: string, receipt: Receipt): Promise<void> {
  await sql`update io.payments p set
      status = case when exists (select 1 from io.payments o where o.payee_fiscal_code = p.payee_fiscal_code and o.notice_number = p.notice_number and o.status = 'PAID' and o.id <> p.id) then 'CANCELLED' else 'PAID' end,
      receipt = ${JSON.stringify(receipt)}::jsonb, paid_at = ${new Date(receipt.paymentDateTime)}, updated_at = now()
    where id = ${id} and status <> 'PAID'`.execute(db);
}

/** The citizen's own payment; undefined for another citizen's or an id that is not one. */
export async function paymentOf(db: Executor, fiscalCode: string, id: string): Promise<Payment | undefined> {
  if (!UUID.test(id)) return undefined;
  const { rows } = await sql<PaymentRow>`select * from io.payments where id = ${id} and fiscal_code = ${fiscalCode}`.execute(db);
  return rows[0] && toPayment(rows[0]);
}

/** The citizen's payments, paid and pending, newest first (closed attempts left out). */
export async function paymentsOf(db: Executor, fiscalCode: string, limit = 100): Promise<Payment[]> {
  const { rows } = await sql<PaymentRow>`select * from io.payments where fiscal_code = ${fiscalCode} and status in ('PAID', 'PENDING')
    order by coalesce(paid_at, created_at) desc, id limit ${limit}`.execute(db);
  return rows.map(toPayment);
}

/** The citizen's latest payment of a notice: the paid one when there is one, else the newest pending one. */
export async function paymentOfNotice(db: Executor, fiscalCode: string, payee: string, noticeNumber: string): Promise<Payment | undefined> {
  const { rows } = await sql<PaymentRow>`select * from io.payments where fiscal_code = ${fiscalCode} and payee_fiscal_code = ${payee}
      and notice_number = ${noticeNumber} and status in ('PAID', 'PENDING')
    order by status = 'PAID' desc, created_at desc limit 1`.execute(db);
  return rows[0] && toPayment(rows[0]);
}

/** Whether a notice was paid through the app (a receipt kept): a message's payment_status for its sender. */
export async function isNoticePaid(db: Executor, payee: string, noticeNumber: string): Promise<boolean> {
  const { rows } = await sql`select 1 from io.payments where payee_fiscal_code = ${payee} and notice_number = ${noticeNumber} and status = 'PAID'`.execute(db);
  return rows.length > 0;
}

export interface PayableMessage {
  id: string;
  subject: string;
  dueDate?: string;
  paymentData?: PaymentData;
  /** The notice's creditor: payment_data.payee, else the service's organization (filled when processed). */
  payeeFiscalCode: string;
  serviceName: string;
  organizationName: string;
}

const MESSAGE_ID = /^[0-9A-Z]{26}$/;

/** The citizen's own delivered (PROCESSED) message, with its sender; undefined otherwise. */
export async function citizenMessage(db: Executor, fiscalCode: string, id: string): Promise<PayableMessage | undefined> {
  if (!MESSAGE_ID.test(id)) return undefined;
  const { rows } = await sql<{ id: string; content: { subject: string; due_date?: string; payment_data?: PaymentData }; service_name: string; organization_name: string; organization_fiscal_code: string }>`
    select m.id, m.content, s.service_name, o.name as organization_name, o.fiscal_code as organization_fiscal_code
    from io.messages m join io.services s on s.service_id = m.sender_service_id join io.organizations o on o.fiscal_code = s.organization_fiscal_code
    where m.fiscal_code = ${fiscalCode} and m.id = ${id} and m.status = 'PROCESSED'`.execute(db);
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    subject: row.content.subject,
    ...(row.content.due_date ? { dueDate: row.content.due_date } : {}),
    ...(row.content.payment_data ? { paymentData: row.content.payment_data } : {}),
    payeeFiscalCode: row.content.payment_data?.payee?.fiscal_code ?? row.organization_fiscal_code,
    serviceName: row.service_name,
    organizationName: row.organization_name,
  };
}

/** Past its due date, a message whose notice is invalid after it can no longer be paid (reference io.md §5.3: EXPIRABLE). */
export const isExpiredNotice = (message: Pick<PayableMessage, 'dueDate' | 'paymentData'>, now = new Date()) =>
  Boolean(message.paymentData?.invalid_after_due_date && message.dueDate && new Date(message.dueDate).getTime() < now.getTime());

/** Closes the citizen's pending attempts at a notice that pagoPA has just said is unpaid (abandoned at Checkout). */
export async function closePendingAttempts(db: Executor, fiscalCode: string, payee: string, noticeNumber: string): Promise<void> {
  await sql`update io.payments set status = 'CANCELLED', updated_at = now()
    where fiscal_code = ${fiscalCode} and payee_fiscal_code = ${payee} and notice_number = ${noticeNumber} and status = 'PENDING'`.execute(db);
}
