// What a counter does with the Nodo (model 3, SANP "Pagamento di un avviso presso PSP"): verify the notice, then
// activate it with an idempotency key and send the outcome, keeping each payment and its transfers. The key is
// drawn when the notice is shown, so a double click on "Incassa" sends the same key and makes one payment.
import { randomInt } from 'node:crypto';
import { sql, transaction, type Executor } from '../../core/db.ts';
import { centsOfAmount, euroAmount, type ActivatePaymentNoticeResponse, type NodoFault, type VerifyPaymentNoticeResponse } from '../../clients/pagopa/nodo-wire.ts';
import { NodoError, type NodoClient } from '../../clients/pagopa/nodo.ts';
import type { Counter } from './counters.ts';
import { iuvOf } from './notice-input.ts';
import { SCHEMA } from './schema.ts';

export type PaymentMethod = 'cash' | 'creditCard';

/** A refusal in the counter's words: the Nodo's fault code, or the institution's when the Nodo forwards one. */
export interface Refusal {
  code: string;
  detail: string;
}

export interface Payment {
  id: string;
  idPSP: string;
  fiscalCode: string;
  noticeNumber: string;
  iuv: string;
  amountCents: number;
  feeCents: number;
  paymentMethod: PaymentMethod;
  companyName: string | null;
  description: string | null;
  paymentToken: string | null;
  status: 'ACTIVATING' | 'PAID' | 'REFUSED';
  refusal: Refusal | null;
  paidAt: Date | null;
}

/** A calendar day in Italy, where the PSPs' operating day runs. */
export const romeDay = (at: Date) => at.toLocaleDateString('sv-SE', { timeZone: 'Europe/Rome' });

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** idempotencyKey "<idPSP>_<10 random alphanumerics>" (SANP stIdempotencyKey). */
export function newIdempotencyKey(idPSP: string): string {
  return `${idPSP}_${Array.from({ length: 10 }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('')}`;
}

/** The code a person should read: the institution's own (PAA_…) when the Nodo wraps one. */
export function refusalOf(fault: NodoFault): Refusal {
  return { code: fault.originalFaultCode ?? fault.faultCode, detail: fault.description };
}

/** A call that threw: the Nodo refused the request itself (its fault code), or did not answer (PPT_SYSTEM_ERROR). */
function unreachable(err: unknown): Refusal {
  if (err instanceof NodoError && err.faultCode) return { code: err.faultCode, detail: err.problem.detail ?? err.message };
  return { code: 'PPT_SYSTEM_ERROR', detail: err instanceof Error ? err.message : String(err) };
}

const ids = (counter: Counter) => ({ idPSP: counter.idPSP, idBrokerPSP: counter.idBrokerPSP, idChannel: counter.idChannel });

export type Verification = { ok: true; notice: VerifyPaymentNoticeResponse; amountCents: number } | { ok: false; refusal: Refusal };

export async function verifyNotice(nodo: NodoClient, counter: Counter, qrCode: { fiscalCode: string; noticeNumber: string }): Promise<Verification> {
  try {
    const answer = await nodo.verifyPaymentNotice({ ...ids(counter), qrCode });
    if (answer.outcome === 'KO') return { ok: false, refusal: refusalOf(answer.fault) };
    return { ok: true, notice: answer, amountCents: centsOfAmount(answer.paymentList[0]!.amount)! };
  } catch (err) {
    return { ok: false, refusal: unreachable(err) };
  }
}

interface PaymentRow {
  id: string;
  id_psp: string;
  fiscal_code: string;
  notice_number: string;
  iuv: string;
  amount_cents: number;
  fee_cents: number;
  payment_method: PaymentMethod;
  company_name: string | null;
  description: string | null;
  payment_token: string | null;
  status: Payment['status'];
  fault_code: string | null;
  fault_detail: string | null;
  paid_at: Date | null;
}

const toPayment = (r: PaymentRow): Payment => ({
  id: r.id,
  idPSP: r.id_psp,
  fiscalCode: r.fiscal_code,
  noticeNumber: r.notice_number,
  iuv: r.iuv,
  amountCents: r.amount_cents,
  feeCents: r.fee_cents,
  paymentMethod: r.payment_method,
  companyName: r.company_name,
  description: r.description,
  paymentToken: r.payment_token,
  status: r.status,
  refusal: r.fault_code ? { code: r.fault_code, detail: r.fault_detail ?? '' } : null,
  paidAt: r.paid_at,
});

const payments = sql.table(`${SCHEMA}.payments`);

export async function paymentById(db: Executor, idPSP: string, id: string): Promise<Payment | undefined> {
  const { rows } = await sql<PaymentRow>`select * from ${payments} where id = ${id} and id_psp = ${idPSP}`.execute(db);
  return rows[0] && toPayment(rows[0]);
}

async function paymentByKey(db: Executor, idPSP: string, idempotencyKey: string): Promise<Payment | undefined> {
  const { rows } = await sql<PaymentRow>`select * from ${payments} where id_psp = ${idPSP} and idempotency_key = ${idempotencyKey}`.execute(db);
  return rows[0] && toPayment(rows[0]);
}

/** Today's payments of a counter (Europe/Rome), newest first. */
export async function paymentsOfDay(db: Executor, idPSP: string, day: string): Promise<Payment[]> {
  const { rows } = await sql<PaymentRow>`select * from ${payments}
    where id_psp = ${idPSP} and status = 'PAID' and (paid_at at time zone 'Europe/Rome')::date = ${day}::date order by paid_at desc`.execute(db);
  return rows.map(toPayment);
}

export interface CollectInput {
  noticeNumber: string;
  fiscalCode: string;
  amountCents: number;
  idempotencyKey: string;
  paymentMethod: PaymentMethod;
}

const SETTLE_POLL_MS = 100;
const SETTLE_WAIT_MS = 20_000;
/** A counter keeps a notice locked while the clerk hands over the money: 5 minutes, well within the Nodo's 30. */
const TOKEN_MS = 5 * 60_000;

/**
 * Collects a verified notice: activate, then outcome OK. The payment is claimed by its idempotency key first,
 * so a second submission of the same form waits for the first and returns the same payment.
 */
export async function collect(db: Executor, nodo: NodoClient, counter: Counter, input: CollectInput, now = () => new Date()): Promise<Payment> {
  const { rows } = await sql<{ id: string }>`insert into ${payments}
      (id_psp, idempotency_key, fiscal_code, notice_number, iuv, amount_cents, fee_cents, payment_method, status)
    values (${counter.idPSP}, ${input.idempotencyKey}, ${input.fiscalCode}, ${input.noticeNumber}, ${iuvOf(input.noticeNumber)}, ${input.amountCents}, ${counter.feeCents}, ${input.paymentMethod}, 'ACTIVATING')
    on conflict (id_psp, idempotency_key) do nothing returning id`.execute(db);
  const id = rows[0]?.id;
  if (!id) return settled(db, counter.idPSP, input.idempotencyKey);

  const refuse = async (refusal: Refusal) => {
    await sql`update ${payments} set status = 'REFUSED', fault_code = ${refusal.code}, fault_detail = ${refusal.detail} where id = ${id}`.execute(db);
    return (await paymentById(db, counter.idPSP, id))!;
  };
  let activation: ActivatePaymentNoticeResponse;
  try {
    const answer = await nodo.activatePaymentNotice({
      ...ids(counter),
      idempotencyKey: input.idempotencyKey,
      qrCode: { fiscalCode: input.fiscalCode, noticeNumber: input.noticeNumber },
      expirationTime: TOKEN_MS,
      amount: euroAmount(input.amountCents),
    });
    if (answer.outcome === 'KO') return await refuse(refusalOf(answer.fault));
    activation = answer;
  } catch (err) {
    return refuse(unreachable(err));
  }
  await transaction(db, async (tx) => {
    await sql`update ${payments} set payment_token = ${activation.paymentToken}, company_name = ${activation.companyName}, description = ${activation.paymentDescription}
      where id = ${id}`.execute(tx);
    for (const t of activation.transferList) {
      await sql`insert into ${sql.table(`${SCHEMA}.payment_transfers`)} (payment_id, id_transfer, amount_cents, fiscal_code_pa, iban, remittance_information, transfer_category)
        values (${id}, ${t.idTransfer}, ${centsOfAmount(t.transferAmount)!}, ${t.fiscalCodePA}, ${t.IBAN ?? ''}, ${t.remittanceInformation}, ${t.transferCategory})`.execute(tx);
    }
  });
  const today = romeDay(now());
  try {
    const answer = await nodo.sendPaymentOutcome({
      ...ids(counter),
      idempotencyKey: input.idempotencyKey,
      paymentToken: activation.paymentToken,
      outcome: 'OK',
      details: { paymentMethod: input.paymentMethod, paymentChannel: 'frontOffice', fee: euroAmount(counter.feeCents), applicationDate: today, transferDate: today },
    });
    if (answer.outcome === 'KO') return await refuse(refusalOf(answer.fault));
  } catch (err) {
    return refuse(unreachable(err));
  }
  await sql`update ${payments} set status = 'PAID', paid_at = ${now()} where id = ${id}`.execute(db);
  return (await paymentById(db, counter.idPSP, id))!;
}

/** The payment another submission of the same form is making, once it has an outcome. */
async function settled(db: Executor, idPSP: string, idempotencyKey: string): Promise<Payment> {
  const deadline = Date.now() + SETTLE_WAIT_MS;
  for (;;) {
    const payment = (await paymentByKey(db, idPSP, idempotencyKey))!;
    if (payment.status !== 'ACTIVATING' || Date.now() > deadline) return payment;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }
}
