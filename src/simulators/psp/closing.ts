// A PSP's day closing (reference §5.1–5.3): the PSP reports every payment it collected, whatever the channel
// (its counters, pagoPA Checkout), as the Nodo's statement of the day lists them (GET /psps/{idPSP}/receipts).
// For each beneficiary account with payments of the day not yet reported, one reporting flow (identificativoFlusso
// "<YYYY-MM-DD><idPSP>-<progressive>", regulation = the TRN) created, filled and published on pagoPA's FdR API, and
// one cumulative SEPA credit transfer of the flow's sum with remittance "/PUR/LGPE-RIVERSAMENTO/URI/<fdr>" booked
// at the treasury bank.
// Rows are assigned to a flow once (in a transaction), and each flow moves forward step by step, so closing
// again resumes what stopped and never reports or transfers twice.
import { sql, transaction, type Executor } from '../../core/db.ts';
import type { FdrCreateBody, FdrPaymentRow, FdrPspClient } from '../../clients/pagopa/fdr.ts';
import { FdrError } from '../../clients/pagopa/fdr.ts';
import type { NodoClient } from '../../clients/pagopa/nodo.ts';
import { cumulativeRemittance } from '../../clients/psp/treasury.ts';
import type { Counter } from './counters.ts';
import { romeDay } from './payments.ts';
import { SCHEMA } from './schema.ts';
import { bookTransfer } from './treasury.ts';

export type FlowStatus = 'TO_REPORT' | 'CREATED' | 'INSERTED' | 'PUBLISHED';

export interface Flow {
  fdr: string;
  idPSP: string;
  regulationDate: string;
  trn: string;
  fiscalCodePA: string;
  companyName: string;
  iban: string;
  totalPayments: number;
  sumCents: number;
  status: FlowStatus;
  publishedAt: Date | null;
}

interface FlowRow {
  fdr: string;
  id_psp: string;
  regulation_date: string;
  trn: string;
  fiscal_code_pa: string;
  company_name: string;
  iban: string;
  total_payments: number;
  sum_cents: number;
  status: FlowStatus;
  published_at: Date | null;
}

const toFlow = (r: FlowRow): Flow => ({
  fdr: r.fdr,
  idPSP: r.id_psp,
  regulationDate: r.regulation_date,
  trn: r.trn,
  fiscalCodePA: r.fiscal_code_pa,
  companyName: r.company_name,
  iban: r.iban,
  totalPayments: r.total_payments,
  sumCents: r.sum_cents,
  status: r.status,
  publishedAt: r.published_at,
});

const flows = sql.table(`${SCHEMA}.flows`);
const transfers = sql.table(`${SCHEMA}.receipt_transfers`);

/** SACI §6 / reference §5.2: the regulation date, the PSP, a progressive unique to the PSP. */
export const flowId = (regulationDate: string, idPSP: string, progressive: number) => `${regulationDate}${idPSP}-${String(progressive).padStart(7, '0')}`;

/** The credit transfer's reference: unique per flow, at most 35 characters as identificativoUnivocoRegolamento. */
const trnOf = (regulationDate: string, idPSP: string, progressive: number) => `${idPSP}${regulationDate.replaceAll('-', '')}${String(progressive).padStart(12, '0')}`;

export async function flowsOf(db: Executor, idPSP: string): Promise<Flow[]> {
  const { rows } = await sql<FlowRow>`select * from ${flows} where id_psp = ${idPSP} order by created_at desc, fdr desc`.execute(db);
  return rows.map(toFlow);
}

/** Takes the Nodo's statement of `day` for the PSP: each share of its receipts paid to an account, once. */
export async function takeStatement(db: Executor, nodo: NodoClient, idPSP: string, day: string): Promise<void> {
  const { receipts } = await nodo.receiptsOfDay(idPSP, day);
  const rows = receipts.flatMap((r) =>
    r.transferList
      // Reference §5.4: a share without an account (stamp duty) is not transferred to the institution.
      .filter((t) => t.IBAN)
      .map((t) => ({ receipt_id: r.receiptId, id_transfer: t.idTransfer, iuv: r.creditorReferenceId, creditor_fiscal_code: r.fiscalCode, company_name: r.companyName, fiscal_code_pa: t.fiscalCodePA, iban: t.IBAN, amount_cents: t.transferAmount, paid_at: r.paymentDateTime })),
  );
  if (!rows.length) return;
  await sql`insert into ${transfers} (receipt_id, id_transfer, id_psp, iuv, creditor_fiscal_code, company_name, fiscal_code_pa, iban, amount_cents, paid_at)
    select x.receipt_id, x.id_transfer, ${idPSP}, x.iuv, x.creditor_fiscal_code, x.company_name, x.fiscal_code_pa, x.iban, x.amount_cents, x.paid_at
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(receipt_id text, id_transfer smallint, iuv text, creditor_fiscal_code text, company_name text,
      fiscal_code_pa text, iban text, amount_cents bigint, paid_at timestamptz)
    on conflict (receipt_id, id_transfer) do nothing`.execute(db);
}

const ofDay = (idPSP: string, day: string) => sql`t.id_psp = ${idPSP} and (t.paid_at at time zone 'Europe/Rome')::date = ${day}::date and t.fdr is null`;

/** Shares of the PSP's receipts of `day` taken from the Nodo that no flow reports yet. */
export async function unreportedCount(db: Executor, idPSP: string, day: string): Promise<number> {
  const { rows } = await sql<{ count: number }>`select count(*)::int as count from ${transfers} t where ${ofDay(idPSP, day)}`.execute(db);
  return rows[0]!.count;
}

/** Gives the day's unreported transfers their flows, one per beneficiary account. */
async function assignFlows(db: Executor, counter: Counter, day: string, regulationDate: string): Promise<void> {
  await transaction(db, async (tx) => {
    // Another process closing for the same PSP waits here, then finds the rows taken.
    await sql`select pg_advisory_xact_lock(hashtext(${`psp.close:${counter.idPSP}`}))`.execute(tx);
    const { rows: groups } = await sql<{ fiscal_code_pa: string; iban: string; company_name: string | null; total: number; sum: number }>`
      select t.fiscal_code_pa, t.iban, max(t.company_name) filter (where t.creditor_fiscal_code = t.fiscal_code_pa) as company_name,
             count(*)::int as total, sum(t.amount_cents)::bigint as sum
      from ${transfers} t where ${ofDay(counter.idPSP, day)}
      group by t.fiscal_code_pa, t.iban order by t.fiscal_code_pa, t.iban`.execute(tx);
    for (const group of groups) {
      const { rows } = await sql<{ n: number }>`select nextval(${`${SCHEMA}.flow_progressive`})::int as n`.execute(tx);
      const n = rows[0]!.n;
      const fdr = flowId(regulationDate, counter.idPSP, n);
      await sql`insert into ${flows} (fdr, id_psp, regulation_date, trn, fiscal_code_pa, company_name, iban, total_payments, sum_cents, status)
        values (${fdr}, ${counter.idPSP}, ${regulationDate}, ${trnOf(regulationDate, counter.idPSP, n)}, ${group.fiscal_code_pa}, ${group.company_name ?? group.fiscal_code_pa},
                ${group.iban}, ${group.total}, ${group.sum}, 'TO_REPORT')`.execute(tx);
      await sql`update ${transfers} t set fdr = ${fdr} where ${ofDay(counter.idPSP, day)} and t.fiscal_code_pa = ${group.fiscal_code_pa} and t.iban = ${group.iban}`.execute(tx);
    }
  });
}

async function flowRows(db: Executor, fdr: string): Promise<FdrPaymentRow[]> {
  const { rows } = await sql<{ iuv: string; receipt_id: string; id_transfer: number; amount_cents: number; paid_at: Date }>`
    select t.iuv, t.receipt_id, t.id_transfer, t.amount_cents, t.paid_at from ${transfers} t
    where t.fdr = ${fdr} order by t.paid_at, t.receipt_id, t.id_transfer`.execute(db);
  return rows.map((r, i) => ({ index: i + 1, iuv: r.iuv, iur: r.receipt_id, idTransfer: r.id_transfer, pay: Number(r.amount_cents) / 100, payStatus: 'EXECUTED', payDate: r.paid_at.toISOString() }));
}

const setStatus = (db: Executor, fdr: string, status: FlowStatus) => sql`update ${flows} set status = ${status} where fdr = ${fdr}`.execute(db);

/** The FdR API already holds what a step sends (a step that reached pagoPA before the closing stopped). */
const alreadyDone = (err: unknown) => err instanceof FdrError && err.status === 409;

/** Moves one flow to PUBLISHED: create, add its rows, publish, and the credit transfer with it. */
async function report(db: Executor, fdrApi: FdrPspClient, counter: Counter, flow: Flow, now: Date): Promise<void> {
  let status = flow.status;
  if (status === 'TO_REPORT') {
    const body: FdrCreateBody = {
      fdr: flow.fdr,
      fdrDate: now.toISOString(),
      sender: { type: 'BIC_CODE', id: counter.idPSP, pspId: counter.idPSP, pspName: counter.pspName, pspBrokerId: counter.idBrokerPSP, channelId: counter.idChannel },
      receiver: { id: flow.fiscalCodePA, organizationId: flow.fiscalCodePA, organizationName: flow.companyName },
      regulation: flow.trn,
      regulationDate: `${flow.regulationDate}T00:00:00.000Z`,
      bicCodePouringBank: counter.idPSP,
      totPayments: flow.totalPayments,
      sumPayments: flow.sumCents / 100,
    };
    await fdrApi.create(body).catch((err) => {
      if (!alreadyDone(err)) throw err;
    });
    await setStatus(db, flow.fdr, (status = 'CREATED'));
  }
  if (status === 'CREATED') {
    await fdrApi.addPayments(flow.fdr, await flowRows(db, flow.fdr)).catch((err) => {
      if (!alreadyDone(err)) throw err;
    });
    await setStatus(db, flow.fdr, (status = 'INSERTED'));
  }
  if (status === 'INSERTED') {
    await fdrApi.publish(flow.fdr).catch((err) => {
      if (!alreadyDone(err)) throw err;
    });
    await transaction(db, async (tx) => {
      await sql`update ${flows} set status = 'PUBLISHED', published_at = ${now} where fdr = ${flow.fdr}`.execute(tx);
      await bookTransfer(tx, {
        iban: flow.iban,
        valueDate: flow.regulationDate,
        amountCents: flow.sumCents,
        trn: flow.trn,
        remittanceInformation: cumulativeRemittance(flow.fdr),
        debtorName: counter.pspName,
        debtorIban: counter.iban,
        fdr: flow.fdr,
      });
    });
  }
}

// One closing at a time per PSP in this process: the second waits and finds nothing left to do.
const closings = new Map<string, Promise<unknown>>();

export interface Closing {
  day: string;
  /** The flows this closing published (including ones an interrupted closing had started). */
  published: Flow[];
}

/** Closes `day` (YYYY-MM-DD, Europe/Rome) for the counter's PSP, as the Nodo lists it; the money moves with today's value date. */
export async function closeDay(db: Executor, apis: { fdr: FdrPspClient; nodo: NodoClient }, counter: Counter, day: string, now = new Date()): Promise<Closing> {
  const previous = closings.get(counter.idPSP) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(async () => {
    await takeStatement(db, apis.nodo, counter.idPSP, day);
    await assignFlows(db, counter, day, romeDay(now));
    const pending = (await flowsOf(db, counter.idPSP)).filter((f) => f.status !== 'PUBLISHED').reverse();
    for (const flow of pending) await report(db, apis.fdr, counter, flow, now);
    const published = new Set(pending.map((f) => f.fdr));
    return { day, published: (await flowsOf(db, counter.idPSP)).filter((f) => published.has(f.fdr)) };
  });
  closings.set(counter.idPSP, run);
  try {
    return await run;
  } finally {
    if (closings.get(counter.idPSP) === run) closings.delete(counter.idPSP);
  }
}
