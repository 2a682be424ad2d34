import { describe, expect, it } from 'vitest';
import { parseRemittance, reconcile, type FlowToReconcile, type MovementToReconcile, type ReceiptToReconcile } from './reconciliation.ts';

const now = new Date('2026-11-24T10:00:00Z');
const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000);
const options = { now, reportingDays: 3 };
const FDR = '2026-11-23BDEBITM1XXX-0000001';

const receipt = (iuv: string, amount: number, over: Partial<ReceiptToReconcile> = {}): ReceiptToReconcile => ({
  iuv,
  iur: `tok-${iuv}`,
  pspId: 'BDEBITM1XXX',
  paidAt: daysAgo(1),
  transfers: [{ idTransfer: 1, amount }],
  ...over,
});
const row = (iuv: string, amount: number, payStatus: FlowToReconcile['rows'][number]['payStatus'] = 'EXECUTED', idTransfer = 1) => ({ iuv, iur: `tok-${iuv}`, idTransfer, amount, payStatus });
const flow = (rows: FlowToReconcile['rows'], over: Partial<FlowToReconcile> = {}): FlowToReconcile => ({
  fdr: FDR,
  pspId: 'BDEBITM1XXX',
  revision: 1,
  regulation: 'TRN0001',
  sumPayments: rows.reduce((s, r) => s + r.amount, 0),
  rows,
  ...over,
});
const credit = (amount: number, remittanceInformation = `/PUR/LGPE-RIVERSAMENTO/URI/${FDR}`, trn = 'TRN0001'): MovementToReconcile => ({ id: `m-${amount}-${trn}`, valueDate: '2026-11-24', amount, trn, remittanceInformation });

describe('parseRemittance (§5.1)', () => {
  it('reads a cumulative transfer, a single one, and nothing else', () => {
    expect(parseRemittance(`/PUR/LGPE-RIVERSAMENTO/URI/${FDR}`)).toEqual({ kind: 'cumulative', fdr: FDR });
    expect(parseRemittance('/PUR/LGPE-RIVERSAMENTO/URI/2025-09-23BPPIITRRXXX-000038102790 ')).toEqual({ kind: 'cumulative', fdr: '2025-09-23BPPIITRRXXX-000038102790' });
    expect(parseRemittance('/RFB/01000000000012345/150.00/TXT/TARI 2026')).toEqual({ kind: 'single', iuv: '01000000000012345', amount: 15_000 });
    expect(parseRemittance('/RFS/RF23567483937849450550875/12.5')).toEqual({ kind: 'single', iuv: 'RF23567483937849450550875', amount: 1_250 });
    expect(parseRemittance('Bonifico da Mario Rossi per TARI')).toEqual({ kind: 'unknown' });
  });
});

describe('reconcile (§5.4)', () => {
  it('follows a receipt to its flow and its credit: riconciliato', () => {
    const items = reconcile([receipt('A', 10_000), receipt('B', 5_000)], [flow([row('A', 10_000), row('B', 5_000)])], [credit(15_000)], options);
    expect(items).toEqual([
      { iuv: 'A', iur: 'tok-A', pspId: 'BDEBITM1XXX', amount: 10_000, paidAt: daysAgo(1), fdr: FDR, revision: 1, movementId: 'm-15000-TRN0001', state: 'reconciled', issues: [] },
      expect.objectContaining({ iuv: 'B', state: 'reconciled', movementId: 'm-15000-TRN0001' }),
    ]);
  });

  it('stops at paid, then at reported, while the flow and the credit have not arrived', () => {
    expect(reconcile([receipt('A', 10_000)], [], [], options)).toMatchObject([{ iuv: 'A', state: 'paid', issues: [] }]);
    expect(reconcile([receipt('A', 10_000)], [flow([row('A', 10_000)])], [], options)).toMatchObject([{ iuv: 'A', state: 'reported', fdr: FDR, movementId: null, issues: [] }]);
  });

  it('flags a receipt no flow reports after the days allowed', () => {
    expect(reconcile([receipt('A', 10_000, { paidAt: daysAgo(4) })], [], [], options)).toMatchObject([{ state: 'anomaly', issues: ['not-reported'] }]);
  });

  it('flags a flow row without a receipt, and a revoked row', () => {
    const items = reconcile([receipt('A', 10_000)], [flow([row('A', 10_000, 'REVOKED'), row('Z', 700, 'NO_RPT')])], [], options);
    expect(items).toMatchObject([
      { iuv: 'A', state: 'anomaly', issues: ['revoked'] },
      { iuv: 'Z', amount: 700, fdr: FDR, state: 'anomaly', issues: ['without-receipt'] },
    ]);
  });

  it('flags a credit whose amount or TRN differs from its flow, and a row whose amount differs from the receipt', () => {
    expect(reconcile([receipt('A', 10_000)], [flow([row('A', 10_000)])], [credit(9_999)], options)).toMatchObject([{ state: 'anomaly', issues: ['movement-mismatch'] }]);
    expect(reconcile([receipt('A', 10_000)], [flow([row('A', 10_000)])], [credit(10_000, undefined, 'TRN-OTHER')], options)).toMatchObject([{ state: 'anomaly', issues: ['movement-mismatch'] }]);
    expect(reconcile([receipt('A', 10_000)], [flow([row('A', 9_000)])], [], options)).toMatchObject([{ state: 'anomaly', issues: ['row-amount-mismatch'] }]);
  });

  it('flags a credit without a flow, with an unreadable causale, or a single credit without a receipt', () => {
    const items = reconcile([], [], [credit(500), credit(600, 'Bonifico generico', 'TRN9'), credit(700, '/RFB/01000000000099999/7.00', 'TRN10')], options);
    expect(items).toMatchObject([
      { iuv: null, fdr: FDR, amount: 500, state: 'anomaly', issues: ['movement-without-flow'] },
      { iuv: null, fdr: null, amount: 600, issues: ['movement-without-flow'] },
      { iuv: '01000000000099999', amount: 700, issues: ['movement-without-receipt'] },
    ]);
  });

  it('reconciles a single transfer by IUV and amount, without a flow', () => {
    const single = credit(4_500, '/RFB/A/45.00', 'TRN7');
    expect(reconcile([receipt('A', 4_500)], [], [single], options)).toMatchObject([{ iuv: 'A', state: 'reconciled', movementId: single.id, issues: [] }]);
    expect(reconcile([receipt('A', 4_000)], [], [single], options)).toMatchObject([{ iuv: 'A', state: 'anomaly', issues: ['movement-mismatch'] }]);
  });

  it('needs every transfer of the institution reported, and counts only the latest revision of a flow', () => {
    const two = receipt('A', 0, { transfers: [{ idTransfer: 1, amount: 7_000 }, { idTransfer: 2, amount: 3_000 }] });
    expect(reconcile([two], [flow([row('A', 7_000)])], [], options)).toMatchObject([{ amount: 10_000, state: 'paid' }]);
    const revised = [flow([row('A', 7_000)]), flow([row('A', 7_000), row('A', 3_000, 'EXECUTED', 2)], { revision: 2 })];
    expect(reconcile([two], revised, [credit(10_000)], options)).toMatchObject([{ state: 'reconciled', revision: 2 }]);
  });
});
