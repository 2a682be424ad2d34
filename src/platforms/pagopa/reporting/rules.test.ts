import { describe, expect, it } from 'vitest';
import { checkPublishable, eurosToCents, reportTransfers, type ReportableOption, type ReportablePosition } from './rules.ts';

const option = (iuv: string, status: ReportableOption['status'], transfers: [string, boolean?][] = [['1']]): ReportableOption => ({
  iuv,
  status,
  transfers: transfers.map(([idTransfer, stamp]) => ({ idTransfer, status: status === 'PO_REPORTED' ? 'T_REPORTED' : 'T_UNREPORTED', stamp: stamp ?? false })),
});

describe('amounts', () => {
  it('reads decimal euros with at most two decimals as cents', () => {
    expect(eurosToCents(12.5)).toBe(1250);
    expect(eurosToCents(0.1 + 0.2)).toBe(30);
    expect(eurosToCents(246)).toBe(24_600);
    expect(eurosToCents(1.005)).toBeUndefined();
  });
});

describe('publishing a flow', () => {
  const flow = { status: 'INSERTED', totPayments: 2, sumCents: 3_000 };
  it('needs rows that are as many and add up to as much as the header says', () => {
    expect(checkPublishable(flow, { count: 2, sumCents: 3_000 })).toEqual({ ok: true });
    expect(checkPublishable(flow, { count: 1, sumCents: 3_000 })).toMatchObject({ ok: false, code: 'REPORTING_FLOW_WRONG_TOT_PAYMENT', message: 'totPayments is 2, the flow has 1 payments' });
    expect(checkPublishable(flow, { count: 2, sumCents: 2_999 })).toMatchObject({ ok: false, code: 'REPORTING_FLOW_WRONG_SUM_PAYMENT', message: 'sumPayments is 30.00, the payments add up to 29.99' });
  });
  it('needs rows at all', () => {
    expect(checkPublishable({ ...flow, status: 'CREATED' }, { count: 0, sumCents: 0 })).toMatchObject({ ok: false, code: 'REPORTING_FLOW_NOT_IN_PUBLISHABLE_STATUS' });
  });
});

describe('GPD reporting transfers (§3.4)', () => {
  it('reports a single payment: T_REPORTED, PO_REPORTED, REPORTED', () => {
    const outcome = reportTransfers({ status: 'PAID', options: [option('A', 'PO_PAID')] }, [{ iuv: 'A', idTransfer: '1' }]);
    expect(outcome).toEqual({ ok: true, reported: [{ iuv: 'A', idTransfer: '1' }], position: { status: 'REPORTED', options: [{ iuv: 'A', status: 'PO_REPORTED', transfers: [{ idTransfer: '1', status: 'T_REPORTED', stamp: false }] }] } });
  });

  it('keeps a multi-beneficiary option PO_PARTIALLY_REPORTED, and the position PAID, until every transfer is reported', () => {
    const position: ReportablePosition = { status: 'PAID', options: [option('A', 'PO_PAID', [['1'], ['2']])] };
    const first = reportTransfers(position, [{ iuv: 'A', idTransfer: '1' }]);
    expect(first).toMatchObject({ ok: true, position: { status: 'PAID', options: [{ status: 'PO_PARTIALLY_REPORTED' }] } });
    const second = reportTransfers(first.ok ? first.position : position, [{ iuv: 'A', idTransfer: '2' }]);
    expect(second).toMatchObject({ ok: true, position: { status: 'REPORTED', options: [{ status: 'PO_REPORTED' }] } });
  });

  it('leaves a partially paid plan PARTIALLY_PAID even with its paid installment reported', () => {
    const outcome = reportTransfers({ status: 'PARTIALLY_PAID', options: [option('T', 'PO_UNPAID'), option('R1', 'PO_PAID'), option('R2', 'PO_UNPAID')] }, [{ iuv: 'R1', idTransfer: '1' }]);
    expect(outcome).toMatchObject({ ok: true, position: { status: 'PARTIALLY_PAID', options: [{ status: 'PO_UNPAID' }, { status: 'PO_REPORTED' }, { status: 'PO_UNPAID' }] } });
  });

  it('reports a plan once every installment paid is reported; the unpaid total option does not count', () => {
    const outcome = reportTransfers({ status: 'PAID', options: [option('T', 'PO_UNPAID'), option('R1', 'PO_REPORTED'), option('R2', 'PO_PAID')] }, [{ iuv: 'R2', idTransfer: '1' }]);
    expect(outcome).toMatchObject({ ok: true, position: { status: 'REPORTED' } });
  });

  it('does not wait for a stamp duty, which no flow reports', () => {
    const outcome = reportTransfers({ status: 'PAID', options: [option('A', 'PO_PAID', [['1'], ['2', true]])] }, [{ iuv: 'A', idTransfer: '1' }]);
    expect(outcome).toMatchObject({ ok: true, position: { status: 'REPORTED', options: [{ status: 'PO_REPORTED' }] } });
    expect(reportTransfers({ status: 'PAID', options: [option('A', 'PO_PAID', [['1'], ['2', true]])] }, [{ iuv: 'A', idTransfer: '2' }])).toMatchObject({ ok: false, code: 'TRANSFER_NOT_ACCOUNTABLE' });
  });

  it('changes nothing for a transfer already reported (a new revision of a flow)', () => {
    const done = reportTransfers({ status: 'PAID', options: [option('A', 'PO_PAID')] }, [{ iuv: 'A', idTransfer: '1' }]);
    expect(done.ok && reportTransfers(done.position, [{ iuv: 'A', idTransfer: '1' }])).toMatchObject({ ok: true, reported: [], position: { status: 'REPORTED' } });
  });

  it('refuses what was never paid (TRANSFER_NOT_ACCOUNTABLE) and what does not exist', () => {
    for (const status of ['DRAFT', 'PUBLISHED', 'VALID', 'INVALID', 'EXPIRED'] as const) {
      expect(reportTransfers({ status, options: [option('A', 'PO_UNPAID')] }, [{ iuv: 'A', idTransfer: '1' }]), status).toMatchObject({ ok: false, code: 'TRANSFER_NOT_ACCOUNTABLE' });
    }
    expect(reportTransfers({ status: 'PARTIALLY_PAID', options: [option('R1', 'PO_PAID'), option('R2', 'PO_UNPAID')] }, [{ iuv: 'R2', idTransfer: '1' }])).toMatchObject({ ok: false, code: 'TRANSFER_NOT_ACCOUNTABLE' });
    expect(reportTransfers({ status: 'PAID', options: [option('A', 'PO_PAID')] }, [{ iuv: 'A', idTransfer: '3' }])).toMatchObject({ ok: false, code: 'TRANSFER_NOT_FOUND' });
  });
});
