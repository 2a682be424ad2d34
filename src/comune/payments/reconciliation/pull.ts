// The ente's reconciliation run: its receipts (pagoPA receipts service), the reporting flows it receives (FdR,
// institution side) and the credits on its treasury account (the bank's statement), through their HTTP clients
// only; the pure reconcile() of domain/pagopa decides, the outcome is stored per IUV (store.ts).
import type { AppContext } from '../../../core/runtime.ts';
import { dateInItaly } from '../../../domain/dates.ts';
import { reconcile, type FlowToReconcile, type MovementToReconcile, type ReceiptToReconcile } from '../../../domain/pagopa/reconciliation.ts';
import { fdrOrganizationClient } from '../../../clients/pagopa/fdr.ts';
import { receiptsBaseUrl, receiptsClient, type Receipt } from '../../../clients/pagopa/receipts.ts';
import { treasuryClient } from '../../../clients/psp/treasury.ts';
import { pagopaKeyOf, paymentSettingsOf, PaymentsNotConfiguredError, treasuryKeyOf, type PaymentSettings } from '../settings.ts';
import { saveReconciliation, type ReconciliationRun } from './store.ts';

/** How far back a run looks: receipts, flows and credits of the last 90 days. */
export const WINDOW_DAYS = 90;
/** A PSP reports a payment by the next working days (§5.1: D+1); past three days its absence is an exception. */
export const REPORTING_DAYS = 3;
const RECEIPTS_PAGE = 100;

/** The ente's own transfers of a receipt: another beneficiary's share is reported to that beneficiary. */
export function receiptToReconcile(receipt: Receipt, creditorFiscalCode: string): ReceiptToReconcile {
  return {
    iuv: receipt.creditorReferenceId,
    iur: receipt.receiptId,
    pspId: receipt.idPSP,
    paidAt: new Date(receipt.paymentDateTime),
    transfers: receipt.transferList.filter((t) => t.fiscalCodePA === creditorFiscalCode && t.IBAN).map((t) => ({ idTransfer: t.idTransfer, amount: t.transferAmount })),
  };
}

async function receiptsOf(settings: PaymentSettings, key: string, from: string): Promise<ReceiptToReconcile[]> {
  const client = receiptsClient({ baseUrl: receiptsBaseUrl(settings.pagopaUrl), subscriptionKey: key, organizationFiscalCode: settings.creditorFiscalCode });
  const receipts: ReceiptToReconcile[] = [];
  for (let page = 0; ; page++) {
    const answer = await client.listReceipts({ from, page, limit: RECEIPTS_PAGE });
    receipts.push(...answer.receipts_list.map((r) => receiptToReconcile(r, settings.creditorFiscalCode)).filter((r) => r.transfers.length > 0));
    if (page + 1 >= answer.page_info.total_pages) return receipts;
  }
}

async function flowsOf(settings: PaymentSettings, key: string, since: Date): Promise<FlowToReconcile[]> {
  const client = fdrOrganizationClient({ pagopaUrl: settings.pagopaUrl, subscriptionKey: key, organizationId: settings.creditorFiscalCode });
  const listed = [];
  for (let page = 1; ; page++) {
    const answer = await client.list({ publishedGt: since, page });
    listed.push(...answer.data);
    if (page >= answer.metadata.totPage) break;
  }
  return Promise.all(
    listed.map(async ({ fdr, revision, pspId }) => {
      const [flow, rows] = await Promise.all([client.get(fdr, revision, pspId), client.allPayments(fdr, revision, pspId)]);
      return {
        fdr,
        pspId,
        revision,
        regulation: flow.regulation,
        sumPayments: Math.round(flow.sumPayments * 100),
        rows: rows.map((r) => ({ iuv: r.iuv, iur: r.iur, idTransfer: r.idTransfer, amount: Math.round(r.pay * 100), payStatus: r.payStatus })),
      };
    }),
  );
}

async function movementsOf(ctx: Pick<AppContext, 'secret' | 'config'>, settings: PaymentSettings, from: string): Promise<MovementToReconcile[]> {
  const key = treasuryKeyOf(ctx, settings);
  if (!key || !settings.treasuryIban) return [];
  return treasuryClient({ baseUrl: ctx.config.urls.psp, apiKey: key }).movements(settings.treasuryIban, { from });
}

/** Pulls the three sources for the ente, reconciles them and stores the outcome; throws PaymentsNotConfiguredError without settings. */
export async function runReconciliation(ctx: AppContext, tenantId: string, now = new Date()): Promise<ReconciliationRun> {
  const settings = await paymentSettingsOf(ctx.database.db, tenantId);
  if (!settings) throw new PaymentsNotConfiguredError(`no pagoPA settings for tenant ${tenantId}`);
  const key = pagopaKeyOf(ctx, settings);
  const since = new Date(now.getTime() - WINDOW_DAYS * 86_400_000);
  const from = dateInItaly(since);
  const [receipts, flows, movements] = await Promise.all([receiptsOf(settings, key, from), flowsOf(settings, key, since), movementsOf(ctx, settings, from)]);
  const items = reconcile(receipts, flows, movements, { now, reportingDays: REPORTING_DAYS });
  const run = { ranAt: now, receipts: receipts.length, flows: flows.length, movements: movements.length };
  await saveReconciliation(ctx.database.db, tenantId, items, run);
  return run;
}
