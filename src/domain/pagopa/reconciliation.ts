// Reconciliation of pagoPA payments for a creditor institution: receipt (paid) → reporting flow row (reported)
// → treasury credit (cashed) = "riconciliato", and the exceptions on the way.
// Algorithm after the pagoPA reference §5.4 (receipts, treasury feed, causale parsing, FdR matching, exceptions);
// remittance formats after §5.1 (SACI §6). Amounts in euro cents.

export interface ReceiptToReconcile {
  iuv: string;
  /** receiptId = payment token = the IUR the flow rows carry (§4.4). */
  iur: string;
  pspId: string;
  paidAt: Date;
  /** Only the transfers credited to this institution (not other beneficiaries', not stamp duties, §5.4.5). */
  transfers: { idTransfer: number; amount: number }[];
}

export type FlowRowStatus = 'EXECUTED' | 'REVOKED' | 'NO_RPT';

export interface FlowToReconcile {
  fdr: string;
  pspId: string;
  revision: number;
  /** identificativoUnivocoRegolamento: the TRN of the credit transfer. */
  regulation: string;
  /** importoTotalePagamenti. */
  sumPayments: number;
  rows: { iuv: string; iur: string; idTransfer: number; amount: number; payStatus: FlowRowStatus }[];
}

export interface MovementToReconcile {
  id: string;
  valueDate: string;
  amount: number;
  trn: string;
  remittanceInformation: string;
}

export type Remittance = { kind: 'cumulative'; fdr: string } | { kind: 'single'; iuv: string; amount: number } | { kind: 'unknown' };

const CUMULATIVE = /\/PUR\/LGPE-RIVERSAMENTO\/URI\/([a-zA-Z0-9_-]{1,35})/;
const SINGLE = /\/RF[BS]\/([A-Za-z0-9]{1,35})\/(\d{1,12}(?:[.,]\d{1,2})?)(?:\/|$)/;

/** The causale of an incoming credit (§5.1): a PSP's cumulative transfer of one flow, or one payment by IUV. */
export function parseRemittance(text: string): Remittance {
  const compact = text.replace(/\s+/g, '');
  const cumulative = CUMULATIVE.exec(compact);
  if (cumulative) return { kind: 'cumulative', fdr: cumulative[1]! };
  const single = SINGLE.exec(compact);
  if (single) {
    const [units, decimals = ''] = single[2]!.split(/[.,]/);
    return { kind: 'single', iuv: single[1]!, amount: Number(units) * 100 + Number(decimals.padEnd(2, '0')) };
  }
  return { kind: 'unknown' };
}

export type ReconciliationState = 'paid' | 'reported' | 'reconciled' | 'anomaly';

export type IssueCode =
  /** A receipt no flow reports, past the days a PSP has to report it. */
  | 'not-reported'
  /** A flow row (executed, or NO_RPT/stand-in) that matches no receipt. */
  | 'without-receipt'
  /** A row the PSP revoked (codice esito 3). */
  | 'revoked'
  /** The row's amount differs from the receipt's transfer. */
  | 'row-amount-mismatch'
  /** The credit of the flow differs from the flow's total or its TRN from the flow's regulation; a single credit from its receipt. */
  | 'movement-mismatch'
  /** A credit naming a flow that is not (yet) published to the institution, or a causale no rule reads. */
  | 'movement-without-flow'
  /** A single-payment credit whose IUV has no receipt. */
  | 'movement-without-receipt';

export interface ReconciliationItem {
  /** The payment's IUV; null for a credit that names none. */
  iuv: string | null;
  iur: string | null;
  pspId: string | null;
  /** Cents: the receipt's, else the row's, else the credit's. */
  amount: number;
  paidAt: Date | null;
  fdr: string | null;
  revision: number | null;
  movementId: string | null;
  state: ReconciliationState;
  issues: IssueCode[];
}

export interface ReconciliationOptions {
  now: Date;
  /** Days a PSP has to report a payment before its absence is an exception (a flow is due by D+1 or D+2). */
  reportingDays: number;
}

const rowKey = (iuv: string, iur: string, idTransfer: number) => `${iuv}|${iur}|${idTransfer}`;

/** Only the latest revision of each PSP's flow counts (§5.2). */
function latestRevisions(flows: readonly FlowToReconcile[]): FlowToReconcile[] {
  const latest = new Map<string, FlowToReconcile>();
  for (const flow of flows) {
    const key = `${flow.pspId}|${flow.fdr}`;
    if ((latest.get(key)?.revision ?? 0) < flow.revision) latest.set(key, flow);
  }
  return [...latest.values()];
}

/**
 * One item per receipt (by IUV), per flow row without a receipt, and per credit that matches nothing. A receipt
 * is "reported" when every transfer of it is an executed row of a flow with the same amount, "reconciled" when
 * those flows' credits arrived with their total and TRN (or a single credit named its IUV and amount).
 */
export function reconcile(receipts: readonly ReceiptToReconcile[], allFlows: readonly FlowToReconcile[], movements: readonly MovementToReconcile[], options: ReconciliationOptions): ReconciliationItem[] {
  const flows = latestRevisions(allFlows);
  const rows = new Map<string, { flow: FlowToReconcile; row: FlowToReconcile['rows'][number] }>();
  for (const flow of flows) for (const row of flow.rows) rows.set(rowKey(row.iuv, row.iur, row.idTransfer), { flow, row });

  const parsed = movements.map((movement) => ({ movement, remittance: parseRemittance(movement.remittanceInformation) }));
  const creditOfFlow = new Map<string, { movement: MovementToReconcile; matches: boolean }>();
  for (const { movement, remittance } of parsed) {
    if (remittance.kind !== 'cumulative') continue;
    const flow = flows.find((f) => f.fdr === remittance.fdr);
    if (flow) creditOfFlow.set(`${flow.pspId}|${flow.fdr}`, { movement, matches: movement.amount === flow.sumPayments && movement.trn === flow.regulation });
  }
  const singleCredits = new Map<string, { movement: MovementToReconcile; amount: number }>();
  for (const { movement, remittance } of parsed) if (remittance.kind === 'single') singleCredits.set(remittance.iuv, { movement, amount: remittance.amount });

  const items: ReconciliationItem[] = [];
  const usedRows = new Set<string>();
  const receiptIuvs = new Set<string>();
  const lateBefore = options.now.getTime() - options.reportingDays * 86_400_000;

  for (const receipt of receipts) {
    receiptIuvs.add(receipt.iuv);
    const amount = receipt.transfers.reduce((sum, t) => sum + t.amount, 0);
    const item: ReconciliationItem = { iuv: receipt.iuv, iur: receipt.iur, pspId: receipt.pspId, amount, paidAt: receipt.paidAt, fdr: null, revision: null, movementId: null, state: 'paid', issues: [] };
    items.push(item);
    const single = singleCredits.get(receipt.iuv);
    if (single) {
      item.movementId = single.movement.id;
      if (single.amount === amount && single.movement.amount === amount) item.state = 'reconciled';
      else item.issues.push('movement-mismatch');
    }
    const found = receipt.transfers.map((t) => ({ transfer: t, hit: rows.get(rowKey(receipt.iuv, receipt.iur, t.idTransfer)) }));
    for (const { transfer, hit } of found) {
      if (!hit) continue;
      usedRows.add(rowKey(receipt.iuv, receipt.iur, transfer.idTransfer));
      item.fdr = hit.flow.fdr;
      item.revision = hit.flow.revision;
      if (hit.row.payStatus === 'REVOKED') item.issues.push('revoked');
      else if (hit.row.amount !== transfer.amount) item.issues.push('row-amount-mismatch');
    }
    const reported = found.length > 0 && found.every((f) => f.hit && f.hit.row.payStatus !== 'REVOKED');
    if (reported && item.state !== 'reconciled') {
      item.state = 'reported';
      const credits = found.map((f) => creditOfFlow.get(`${f.hit!.flow.pspId}|${f.hit!.flow.fdr}`));
      if (credits.some((c) => c && !c.matches)) item.issues.push('movement-mismatch');
      else if (credits.every((c) => c)) {
        item.state = 'reconciled';
        item.movementId = credits[0]!.movement.id;
      }
    }
    if (!reported && item.state === 'paid' && receipt.paidAt.getTime() < lateBefore) item.issues.push('not-reported');
    if (item.issues.length) item.state = 'anomaly';
  }

  for (const flow of flows) {
    const credit = creditOfFlow.get(`${flow.pspId}|${flow.fdr}`);
    for (const row of flow.rows) {
      if (usedRows.has(rowKey(row.iuv, row.iur, row.idTransfer))) continue;
      items.push({
        iuv: row.iuv,
        iur: row.iur,
        pspId: flow.pspId,
        amount: row.amount,
        paidAt: null,
        fdr: flow.fdr,
        revision: flow.revision,
        movementId: credit?.movement.id ?? null,
        state: 'anomaly',
        issues: row.payStatus === 'REVOKED' ? ['revoked'] : ['without-receipt'],
      });
    }
  }

  for (const { movement, remittance } of parsed) {
    const orphan =
      remittance.kind === 'unknown' || (remittance.kind === 'cumulative' && !flows.some((f) => f.fdr === remittance.fdr))
        ? 'movement-without-flow'
        : remittance.kind === 'single' && !receiptIuvs.has(remittance.iuv)
          ? 'movement-without-receipt'
          : undefined;
    if (!orphan) continue;
    const iuv = remittance.kind === 'single' ? remittance.iuv : null;
    items.push({ iuv, iur: null, pspId: null, amount: movement.amount, paidAt: null, fdr: remittance.kind === 'cumulative' ? remittance.fdr : null, revision: null, movementId: movement.id, state: 'anomaly', issues: [orphan] });
  }
  return items;
}
