// Reporting flows (FdR) of the PSPs: a revision is created, filled with rows and published; publishing it checks
// its totals and, in the same transaction, reports GPD's transfers, options and positions (reporting/rules.ts).
// Institutions read the published flows whose receiver they are.
import { audit } from '../../../core/audit.ts';
import { sql, transaction, type Executor } from '../../../core/db.ts';
import type { FdrCreateBody, FdrFlowInfo, FdrPaymentPage, FdrPaymentRow, FdrPublishedPage, FdrStatus, PayStatus } from '../../../clients/pagopa/fdr.ts';
import { gpdProblem } from '../positions.ts';
import { institutionByFiscalCode, type Actor } from '../institutions.ts';
import type { DebtPositionStatus, PaymentOptionStatus } from '../rules.ts';
import { SCHEMA } from '../schema.ts';
import { centsToEuros, checkPublishable, eurosToCents, reportsTransfer, reportTransfers, type ReportablePosition, type TransferStatus } from './rules.ts';

const notFound = (fdr: string) => gpdProblem(404, 'REPORTING_FLOW_NOT_FOUND', `No reporting flow ${fdr}`);

interface FlowRow {
  id: string;
  psp_id: string;
  fdr: string;
  revision: number;
  status: FdrStatus;
  fdr_date: Date;
  sender: FdrFlowInfo['sender'];
  receiver: FdrFlowInfo['receiver'];
  organization_id: string;
  regulation: string;
  regulation_date: Date;
  bic_code_pouring_bank: string | null;
  tot_payments: number;
  sum_cents: number;
  created: Date;
  updated: Date;
  published: Date | null;
  computed_tot: number;
  computed_cents: number;
}

const FLOW_COLUMNS = sql`f.id, f.psp_id, f.fdr, f.revision, f.status, f.fdr_date, f.sender, f.receiver, f.organization_id, f.regulation, f.regulation_date,
  f.bic_code_pouring_bank, f.tot_payments, f.sum_cents, f.created, f.updated, f.published,
  (select count(*)::int from pagopa.fdr_payments p where p.flow_id = f.id) as computed_tot,
  (select coalesce(sum(p.pay_cents), 0)::bigint from pagopa.fdr_payments p where p.flow_id = f.id) as computed_cents`;

function present(f: FlowRow): FdrFlowInfo {
  return {
    fdr: f.fdr,
    revision: f.revision,
    status: f.status,
    created: f.created.toISOString(),
    updated: f.updated.toISOString(),
    ...(f.published ? { published: f.published.toISOString() } : {}),
    fdrDate: f.fdr_date.toISOString(),
    sender: f.sender,
    receiver: f.receiver,
    regulation: f.regulation,
    regulationDate: f.regulation_date.toISOString(),
    ...(f.bic_code_pouring_bank ? { bicCodePouringBank: f.bic_code_pouring_bank } : {}),
    totPayments: f.tot_payments,
    sumPayments: centsToEuros(f.sum_cents),
    computedTotPayments: f.computed_tot,
    computedSumPayments: centsToEuros(Number(f.computed_cents)),
  };
}

/** The revision of the PSP's flow still being written, locked. */
async function openFlow(tx: Executor, pspId: string, fdr: string): Promise<FlowRow | undefined> {
  const { rows } = await sql<FlowRow>`select ${FLOW_COLUMNS} from pagopa.fdr_flows f
    where f.psp_id = ${pspId} and f.fdr = ${fdr} and f.status <> 'PUBLISHED' for update`.execute(tx);
  return rows[0];
}

/** The latest published revision of the PSP's flow, if any. */
async function publishedRevision(db: Executor, pspId: string, fdr: string): Promise<number | undefined> {
  const { rows } = await sql<{ revision: number | null }>`select max(revision) as revision from pagopa.fdr_flows where psp_id = ${pspId} and fdr = ${fdr} and status = 'PUBLISHED'`.execute(db);
  return rows[0]?.revision ?? undefined;
}

const amountProblem = (pointer: string) =>
  gpdProblem(400, 'REPORTING_FLOW_INVALID_AMOUNT', 'Amounts are decimal euros with at most two decimals.', [{ pointer, code: 'amount', detail: 'decimal euros, at most two decimals, e.g. 12.50' }]);

/** A new revision of the flow: 1, or one more than the last published; refused while another revision is open. */
export async function createFlow(db: Executor, actor: Actor, pspId: string, fdr: string, body: FdrCreateBody, now = new Date()): Promise<{ revision: number }> {
  const mismatch = [
    body.fdr !== fdr && { pointer: '/body/fdr', code: 'mismatch', detail: `the path names the flow ${fdr}` },
    body.sender.pspId !== pspId && { pointer: '/body/sender/pspId', code: 'mismatch', detail: `the path names the PSP ${pspId}` },
  ].filter((e) => e !== false);
  if (mismatch.length) throw gpdProblem(400, 'REPORTING_FLOW_INVALID', 'The flow does not match its path.', mismatch);
  const sumCents = eurosToCents(body.sumPayments);
  if (sumCents === undefined) throw amountProblem('/body/sumPayments');
  const receiver = await institutionByFiscalCode(db, body.receiver.organizationId);
  if (!receiver?.enabled) throw gpdProblem(404, 'REPORTING_FLOW_ORGANIZATION_NOT_FOUND', `${body.receiver.organizationId} is not a creditor institution on pagoPA`);
  return transaction(db, async (tx) => {
    if (await openFlow(tx, pspId, fdr)) throw gpdProblem(409, 'REPORTING_FLOW_ALREADY_EXIST', `The flow ${fdr} already has a revision being written: add its payments and publish it`);
    const { rows } = await sql<{ revision: number }>`
      insert into pagopa.fdr_flows (psp_id, fdr, revision, status, fdr_date, sender, receiver, organization_id, regulation, regulation_date,
                                    bic_code_pouring_bank, tot_payments, sum_cents, created, updated)
      select ${pspId}, ${fdr}, coalesce(max(revision), 0) + 1, 'CREATED', ${new Date(body.fdrDate)}, ${JSON.stringify(body.sender)}::jsonb,
             ${JSON.stringify(body.receiver)}::jsonb, ${body.receiver.organizationId}, ${body.regulation}, ${new Date(body.regulationDate)},
             ${body.bicCodePouringBank ?? null}, ${body.totPayments}, ${sumCents}, ${now}, ${now}
      from pagopa.fdr_flows where psp_id = ${pspId} and fdr = ${fdr}
      on conflict do nothing returning revision`.execute(tx);
    // A concurrent create of the same flow won the race for the open revision.
    if (!rows[0]) throw gpdProblem(409, 'REPORTING_FLOW_ALREADY_EXIST', `The flow ${fdr} already has a revision being written`);
    await audit(tx, SCHEMA, { actorType: actor.type, actorId: actor.id, tenantId: receiver.id, action: 'fdr.create', targetType: 'fdr', targetId: fdr, details: { pspId, revision: rows[0].revision }, requestId: actor.requestId });
    return rows[0];
  });
}

/** Rows added to the open revision (CREATED → INSERTED); an index already in the flow is refused. */
export async function addPayments(db: Executor, actor: Actor, pspId: string, fdr: string, payments: readonly FdrPaymentRow[], now = new Date()): Promise<void> {
  const cents = payments.map((p) => eurosToCents(p.pay));
  const wrong = cents.indexOf(undefined);
  if (wrong >= 0) throw amountProblem(`/body/payments/${wrong}/pay`);
  const indexes = payments.map((p) => p.index);
  const repeated = indexes.filter((n, i) => indexes.indexOf(n) !== i);
  if (repeated.length) throw gpdProblem(400, 'REPORTING_FLOW_PAYMENT_DUPLICATE_INDEX', `Index ${repeated[0]} appears more than once`);
  await transaction(db, async (tx) => {
    const flow = await openFlow(tx, pspId, fdr);
    if (!flow) throw notFound(fdr);
    const { rows } = await sql<{ row_index: number }>`
      insert into pagopa.fdr_payments (flow_id, row_index, iuv, iur, id_transfer, pay_cents, pay_status, pay_date)
      select ${flow.id}, * from unnest(${indexes}::int[], ${payments.map((p) => p.iuv)}::text[], ${payments.map((p) => p.iur)}::text[],
        ${payments.map((p) => p.idTransfer)}::smallint[], ${cents}::bigint[], ${payments.map((p) => p.payStatus)}::text[], ${payments.map((p) => p.payDate)}::timestamptz[])
      on conflict do nothing returning row_index`.execute(tx);
    if (rows.length !== payments.length) await checkResent(tx, flow.id, payments.filter((p) => !rows.some((r) => r.row_index === p.index)));
    await sql`update pagopa.fdr_flows set status = 'INSERTED', updated = ${now} where id = ${flow.id}`.execute(tx);
    await audit(tx, SCHEMA, { actorType: actor.type, actorId: actor.id, tenantId: null, action: 'fdr.add-payments', targetType: 'fdr', targetId: fdr, details: { pspId, revision: flow.revision, count: payments.length }, requestId: actor.requestId });
  });
}

/** Rows sent again as they are (a retry) are accepted; another row at an index already taken is a conflict. */
async function checkResent(tx: Executor, flowId: string, resent: readonly FdrPaymentRow[]): Promise<void> {
  const { rows } = await sql<{ row_index: number; iuv: string; iur: string; id_transfer: number; pay_cents: number; pay_status: PayStatus; pay_date: Date }>`
    select row_index, iuv, iur, id_transfer, pay_cents, pay_status, pay_date from pagopa.fdr_payments
    where flow_id = ${flowId} and row_index = any(${resent.map((p) => p.index)}::int[])`.execute(tx);
  for (const p of resent) {
    const stored = rows.find((r) => r.row_index === p.index);
    const same = stored && stored.iuv === p.iuv && stored.iur === p.iur && stored.id_transfer === p.idTransfer && Number(stored.pay_cents) === eurosToCents(p.pay) && stored.pay_status === p.payStatus && stored.pay_date.getTime() === new Date(p.payDate).getTime();
    if (!same) throw gpdProblem(409, 'REPORTING_FLOW_PAYMENT_DUPLICATE_INDEX', `Index ${p.index} is already in the flow with another payment`);
  }
}

/** The PSP withdraws the revision it is writing (e.g. totals it got wrong); published revisions stay. */
export async function deleteOpenFlow(db: Executor, actor: Actor, pspId: string, fdr: string): Promise<void> {
  await transaction(db, async (tx) => {
    const flow = await openFlow(tx, pspId, fdr);
    if (!flow) throw notFound(fdr);
    await sql`delete from pagopa.fdr_flows where id = ${flow.id}`.execute(tx);
    await audit(tx, SCHEMA, { actorType: actor.type, actorId: actor.id, tenantId: null, action: 'fdr.delete', targetType: 'fdr', targetId: fdr, details: { pspId, revision: flow.revision }, requestId: actor.requestId });
  });
}

/** Publishes the open revision if its rows match its totals, and reports the executed rows in GPD. */
export async function publishFlow(db: Executor, actor: Actor, pspId: string, fdr: string, now = new Date()): Promise<{ revision: number; reported: number }> {
  return transaction(db, async (tx) => {
    const flow = await openFlow(tx, pspId, fdr);
    if (!flow) throw (await publishedRevision(tx, pspId, fdr)) ? gpdProblem(409, 'REPORTING_FLOW_ALREADY_PUBLISHED', `The flow ${fdr} is already published`) : notFound(fdr);
    const check = checkPublishable({ status: flow.status, totPayments: flow.tot_payments, sumCents: Number(flow.sum_cents) }, { count: flow.computed_tot, sumCents: Number(flow.computed_cents) });
    if (!check.ok) throw gpdProblem(400, check.code, `The flow ${fdr} cannot be published: ${check.message}`);
    await sql`update pagopa.fdr_flows set status = 'PUBLISHED', published = ${now}, updated = ${now} where id = ${flow.id}`.execute(tx);
    const reported = await reportInGpd(tx, flow, now);
    await audit(tx, SCHEMA, { actorType: actor.type, actorId: actor.id, tenantId: null, action: 'fdr.publish', targetType: 'fdr', targetId: fdr, details: { pspId, revision: flow.revision, reported }, requestId: actor.requestId });
    return { revision: flow.revision, reported };
  });
}

interface TransferHit {
  position_id: string;
  iuv: string;
  id_transfer: string;
}

/**
 * GPD applies a published flow: each executed row names a transfer (receiver, IUV, idTransfer) of a paid option;
 * rows that match nothing, or a position with nothing paid, are left for the institution's reconciliation.
 */
async function reportInGpd(tx: Executor, flow: FlowRow, now: Date): Promise<number> {
  const { rows: payments } = await sql<{ iuv: string; iur: string; id_transfer: number; pay_status: PayStatus }>`
    select iuv, iur, id_transfer, pay_status from pagopa.fdr_payments where flow_id = ${flow.id}`.execute(tx);
  const executed = payments.filter((p) => reportsTransfer(p.pay_status));
  if (!executed.length) return 0;
  // The receipt id, when the Nodo stored one, must be the row's IUR: another payment of the same IUV is not this one.
  const { rows: hits } = await sql<TransferHit>`
    select distinct o.position_id, o.iuv, t.id_transfer
    from unnest(${executed.map((p) => p.iuv)}::text[], ${executed.map((p) => p.iur)}::text[], ${executed.map((p) => String(p.id_transfer))}::text[]) as r(iuv, iur, id_transfer)
    join pagopa.payment_options o on o.iuv = r.iuv and (o.id_receipt is null or o.id_receipt = r.iur)
    join pagopa.transfers t on t.option_id = o.id and t.id_transfer = r.id_transfer and t.organization_fiscal_code = ${flow.organization_id}
    order by o.position_id`.execute(tx);
  let reported = 0;
  for (const positionId of new Set(hits.map((h) => h.position_id))) {
    const position = await reportablePosition(tx, positionId);
    const outcome = reportTransfers(position, hits.filter((h) => h.position_id === positionId).map((h) => ({ iuv: h.iuv, idTransfer: h.id_transfer })));
    if (!outcome.ok || !outcome.reported.length) continue;
    for (const { iuv, idTransfer } of outcome.reported) {
      await sql`update pagopa.transfers t set status = 'T_REPORTED', last_updated_date = ${now}
        from pagopa.payment_options o where o.id = t.option_id and o.position_id = ${positionId} and o.iuv = ${iuv} and t.id_transfer = ${idTransfer}`.execute(tx);
    }
    for (const option of outcome.position.options) {
      await sql`update pagopa.payment_options set status = ${option.status}, last_updated_date = ${now}
        where position_id = ${positionId} and iuv = ${option.iuv} and status <> ${option.status}`.execute(tx);
    }
    await sql`update pagopa.debt_positions set status = ${outcome.position.status}, last_updated_date = ${now} where id = ${positionId} and status <> ${outcome.position.status}`.execute(tx);
    reported += outcome.reported.length;
  }
  return reported;
}

/** The position's states, locked for the change. */
async function reportablePosition(tx: Executor, positionId: string): Promise<ReportablePosition> {
  const { rows: position } = await sql<{ status: DebtPositionStatus }>`select status from pagopa.debt_positions where id = ${positionId} for update`.execute(tx);
  const { rows } = await sql<{ iuv: string; option_status: PaymentOptionStatus; id_transfer: string; transfer_status: TransferStatus; stamp: boolean }>`
    select o.iuv, o.status as option_status, t.id_transfer, t.status as transfer_status, t.stamp is not null as stamp
    from pagopa.payment_options o join pagopa.transfers t on t.option_id = o.id
    where o.position_id = ${positionId} order by o.position_index, t.id_transfer`.execute(tx);
  const options = [...new Set(rows.map((r) => r.iuv))].map((iuv) => {
    const own = rows.filter((r) => r.iuv === iuv);
    return { iuv, status: own[0]!.option_status, transfers: own.map((r) => ({ idTransfer: r.id_transfer, status: r.transfer_status, stamp: r.stamp })) };
  });
  return { status: position[0]!.status, options };
}

// --- The institution's side -------------------------------------------------------------------------

export interface ReceivedFilter {
  pspId?: string;
  publishedGt?: Date;
  /** From 1. */
  page: number;
  size: number;
}

/** The latest published revision of each flow the institution receives, newest first. */
export async function listReceived(db: Executor, organizationId: string, filter: ReceivedFilter): Promise<FdrPublishedPage> {
  const latest = sql`select distinct on (psp_id, fdr) fdr, psp_id, revision, published from pagopa.fdr_flows
    where organization_id = ${organizationId} and status = 'PUBLISHED'
      ${filter.pspId ? sql`and psp_id = ${filter.pspId}` : sql``} ${filter.publishedGt ? sql`and published > ${filter.publishedGt}` : sql``}
    order by psp_id, fdr, revision desc`;
  const { rows: count } = await sql<{ n: number }>`select count(*)::int as n from (${latest}) l`.execute(db);
  const { rows } = await sql<{ fdr: string; psp_id: string; revision: number; published: Date }>`
    select * from (${latest}) l order by published desc, fdr limit ${filter.size} offset ${(filter.page - 1) * filter.size}`.execute(db);
  const total = count[0]!.n;
  return {
    metadata: { pageSize: filter.size, pageNumber: filter.page, totPage: Math.max(1, Math.ceil(total / filter.size)) },
    count: total,
    data: rows.map((r) => ({ fdr: r.fdr, pspId: r.psp_id, revision: r.revision, published: r.published.toISOString() })),
  };
}

async function publishedFlow(db: Executor, organizationId: string, fdr: string, revision: number, pspId: string): Promise<FlowRow> {
  const { rows } = await sql<FlowRow>`select ${FLOW_COLUMNS} from pagopa.fdr_flows f
    where f.organization_id = ${organizationId} and f.fdr = ${fdr} and f.revision = ${revision} and f.psp_id = ${pspId} and f.status = 'PUBLISHED'`.execute(db);
  if (!rows[0]) throw notFound(`${fdr} (revision ${revision}, PSP ${pspId})`);
  return rows[0];
}

export async function getReceived(db: Executor, organizationId: string, fdr: string, revision: number, pspId: string): Promise<FdrFlowInfo> {
  return present(await publishedFlow(db, organizationId, fdr, revision, pspId));
}

export async function receivedPayments(db: Executor, organizationId: string, fdr: string, revision: number, pspId: string, page: { page: number; size: number }): Promise<FdrPaymentPage> {
  const flow = await publishedFlow(db, organizationId, fdr, revision, pspId);
  const { rows } = await sql<{ row_index: number; iuv: string; iur: string; id_transfer: number; pay_cents: number; pay_status: PayStatus; pay_date: Date }>`
    select row_index, iuv, iur, id_transfer, pay_cents, pay_status, pay_date from pagopa.fdr_payments where flow_id = ${flow.id}
    order by row_index limit ${page.size} offset ${(page.page - 1) * page.size}`.execute(db);
  return {
    metadata: { pageSize: page.size, pageNumber: page.page, totPage: Math.max(1, Math.ceil(flow.computed_tot / page.size)) },
    count: flow.computed_tot,
    data: rows.map((r) => ({ index: r.row_index, iuv: r.iuv, iur: r.iur, idTransfer: r.id_transfer, pay: centsToEuros(Number(r.pay_cents)), payStatus: r.pay_status, payDate: r.pay_date.toISOString() })),
  };
}
