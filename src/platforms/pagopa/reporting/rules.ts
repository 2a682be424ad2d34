// The rules of reporting flows (FdR, reference §5.3) as pure functions: amounts in euros, what a flow must add
// up to before it is published, and how a published flow reports GPD's transfers, options and positions (§3.4).
import type { PayStatus } from '../../../clients/pagopa/fdr.ts';
import type { DebtPositionStatus, PaymentOptionStatus } from '../rules.ts';

/** Decimal euros (at most two decimals) to cents; undefined for anything else. */
export function eurosToCents(euros: number): number | undefined {
  const cents = Math.round(euros * 100);
  return Number.isSafeInteger(cents) && Math.abs(cents - euros * 100) < 1e-6 ? cents : undefined;
}

export const centsToEuros = (cents: number): number => cents / 100;

export type FlowRefusalCode =
  | 'REPORTING_FLOW_NOT_IN_PUBLISHABLE_STATUS'
  | 'REPORTING_FLOW_WRONG_TOT_PAYMENT'
  | 'REPORTING_FLOW_WRONG_SUM_PAYMENT';

export type FlowCheck = { ok: true } | { ok: false; code: FlowRefusalCode; message: string };

/** A flow may be published once it has rows, and only if they are as many and add up to as much as its header says. */
export function checkPublishable(flow: { status: string; totPayments: number; sumCents: number }, rows: { count: number; sumCents: number }): FlowCheck {
  if (flow.status !== 'INSERTED') {
    return { ok: false, code: 'REPORTING_FLOW_NOT_IN_PUBLISHABLE_STATUS', message: flow.status === 'CREATED' ? 'the flow has no payments yet' : `a flow in status ${flow.status} cannot be published` };
  }
  if (rows.count !== flow.totPayments) {
    return { ok: false, code: 'REPORTING_FLOW_WRONG_TOT_PAYMENT', message: `totPayments is ${flow.totPayments}, the flow has ${rows.count} payments` };
  }
  if (rows.sumCents !== flow.sumCents) {
    return { ok: false, code: 'REPORTING_FLOW_WRONG_SUM_PAYMENT', message: `sumPayments is ${(flow.sumCents / 100).toFixed(2)}, the payments add up to ${(rows.sumCents / 100).toFixed(2)}` };
  }
  return { ok: true };
}

/** Only executed payments credit the institution; revoked rows and rows without a receipt report nothing in GPD. */
export const reportsTransfer = (payStatus: PayStatus): boolean => payStatus === 'EXECUTED';

// --- GPD: reporting transfers -------------------------------------------------------------------------

export type TransferStatus = 'T_UNREPORTED' | 'T_REPORTED';

export interface ReportableTransfer {
  idTransfer: string;
  status: TransferStatus;
  /** A digital stamp duty goes to the State, never to the institution's account: no flow reports it (§5.4). */
  stamp: boolean;
}

export interface ReportableOption {
  iuv: string;
  status: PaymentOptionStatus;
  transfers: ReportableTransfer[];
}

export interface ReportablePosition {
  status: DebtPositionStatus;
  options: ReportableOption[];
}

export type ReportOutcome = { ok: true; position: ReportablePosition; reported: { iuv: string; idTransfer: string }[] } | { ok: false; code: 'TRANSFER_NOT_ACCOUNTABLE' | 'TRANSFER_NOT_FOUND'; message: string };

const ACCOUNTABLE: readonly DebtPositionStatus[] = ['PARTIALLY_PAID', 'PAID', 'REPORTED'];

function optionStatus(option: ReportableOption): PaymentOptionStatus {
  if (option.status === 'PO_UNPAID') return option.status;
  const credited = option.transfers.filter((t) => !t.stamp);
  const reported = credited.filter((t) => t.status === 'T_REPORTED').length;
  if (reported === 0) return credited.length === 0 ? option.status : 'PO_PAID';
  return reported === credited.length ? 'PO_REPORTED' : 'PO_PARTIALLY_REPORTED';
}

/**
 * GPD on a published flow (§3.4): each reported transfer of a paid option → T_REPORTED; its option →
 * PO_PARTIALLY_REPORTED until all its transfers are reported, then PO_REPORTED; a PAID position whose paid
 * options are all PO_REPORTED → REPORTED. Reporting a transfer already reported changes nothing.
 */
export function reportTransfers(position: ReportablePosition, transfers: readonly { iuv: string; idTransfer: string }[]): ReportOutcome {
  if (!ACCOUNTABLE.includes(position.status)) return { ok: false, code: 'TRANSFER_NOT_ACCOUNTABLE', message: `a position in state ${position.status} has no payment to report` };
  const options = position.options.map((o) => ({ ...o, transfers: o.transfers.map((t) => ({ ...t })) }));
  const reported: { iuv: string; idTransfer: string }[] = [];
  for (const { iuv, idTransfer } of transfers) {
    const option = options.find((o) => o.iuv === iuv);
    const transfer = option?.transfers.find((t) => t.idTransfer === idTransfer);
    if (!option || !transfer) return { ok: false, code: 'TRANSFER_NOT_FOUND', message: `no transfer ${idTransfer} of ${iuv} in the position` };
    if (option.status === 'PO_UNPAID') return { ok: false, code: 'TRANSFER_NOT_ACCOUNTABLE', message: `the payment option ${iuv} is not paid` };
    if (transfer.stamp) return { ok: false, code: 'TRANSFER_NOT_ACCOUNTABLE', message: `transfer ${idTransfer} of ${iuv} is a stamp duty, never credited to the institution` };
    if (transfer.status === 'T_REPORTED') continue;
    transfer.status = 'T_REPORTED';
    reported.push({ iuv, idTransfer });
  }
  for (const option of options) option.status = optionStatus(option);
  const credited = options.filter((o) => o.status !== 'PO_UNPAID' && o.transfers.some((t) => !t.stamp));
  const status = position.status === 'PAID' && credited.every((o) => o.status === 'PO_REPORTED') ? 'REPORTED' : position.status;
  return { ok: true, position: { status, options }, reported };
}
