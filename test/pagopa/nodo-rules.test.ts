// The Nodo's pure rules: the fault of each state of a notice, token lifetimes, which live token blocks which
// notice, and stAmount ↔ cents.
import { describe, expect, it } from 'vitest';
import { centsOfAmount, euroAmount } from '../../src/clients/pagopa/nodo-wire.ts';
import { blockedByLiveSession, fault, noticeRefusal, tokenExpiry } from '../../src/platforms/pagopa/nodo/rules.ts';
import type { OptionState, PositionState } from '../../src/platforms/pagopa/rules.ts';

const NOW = new Date('2026-06-01T10:00:00Z');
const option = (iuv: string, isPartialPayment: boolean, status: OptionState['status'] = 'PO_UNPAID', dueDate = new Date('2026-07-01T00:00:00Z')): OptionState => ({ iuv, isPartialPayment, status, dueDate });
const position = (over: Partial<PositionState> = {}): PositionState => ({
  status: 'VALID',
  validityDate: null,
  switchToExpired: false,
  options: [option('total', false), option('rata1', true), option('rata2', true)],
  ...over,
});
const codes = (ko: ReturnType<typeof noticeRefusal>) => ko && [ko.fault.faultCode, ko.fault.originalFaultCode];

describe('noticeRefusal', () => {
  it('lets a VALID or PARTIALLY_PAID notice be paid', () => {
    expect(noticeRefusal(position(), 'total', NOW)).toBeUndefined();
    expect(noticeRefusal(position({ status: 'PARTIALLY_PAID', options: [option('total', false), option('rata1', true, 'PO_PAID'), option('rata2', true)] }), 'rata2', NOW)).toBeUndefined();
  });

  it('maps GPD’s states to the PAA faults the Nodo wraps (reference §3.5)', () => {
    expect(codes(noticeRefusal(position({ status: 'DRAFT' }), 'total', NOW))).toEqual(['PPT_ERRORE_EMESSO_DA_PAA', 'PAA_PAGAMENTO_SCONOSCIUTO']);
    expect(codes(noticeRefusal(position({ status: 'PUBLISHED', validityDate: new Date('2026-06-02T00:00:00Z') }), 'total', NOW))).toEqual(['PPT_ERRORE_EMESSO_DA_PAA', 'PAA_PAGAMENTO_SCONOSCIUTO']);
    expect(codes(noticeRefusal(position({ status: 'INVALID' }), 'total', NOW))).toEqual(['PPT_ERRORE_EMESSO_DA_PAA', 'PAA_PAGAMENTO_ANNULLATO']);
    expect(codes(noticeRefusal(position({ status: 'VALID', switchToExpired: true }), 'total', new Date('2026-08-01T00:00:00Z')))).toEqual(['PPT_ERRORE_EMESSO_DA_PAA', 'PAA_PAGAMENTO_SCADUTO']);
    expect(codes(noticeRefusal(position(), 'unknown', NOW))).toEqual(['PPT_ERRORE_EMESSO_DA_PAA', 'PAA_PAGAMENTO_SCONOSCIUTO']);
  });

  it('answers a paid notice itself (PPT_PAGAMENTO_DUPLICATO) and the rest of a paid plan as the institution (PAA_PAGAMENTO_DUPLICATO)', () => {
    const installmentPaid = position({ status: 'PARTIALLY_PAID', options: [option('total', false), option('rata1', true, 'PO_PAID'), option('rata2', true)] });
    expect(codes(noticeRefusal(installmentPaid, 'rata1', NOW))).toEqual(['PPT_PAGAMENTO_DUPLICATO', undefined]);
    expect(codes(noticeRefusal(installmentPaid, 'total', NOW))).toEqual(['PPT_ERRORE_EMESSO_DA_PAA', 'PAA_PAGAMENTO_DUPLICATO']);
    const totalPaid = position({ status: 'PAID', options: [option('total', false, 'PO_PAID'), option('rata1', true), option('rata2', true)] });
    expect(codes(noticeRefusal(totalPaid, 'rata2', NOW))).toEqual(['PPT_ERRORE_EMESSO_DA_PAA', 'PAA_PAGAMENTO_DUPLICATO']);
  });
});

it('gives a token expirationTime, 30 minutes at most and by default (reference §4.4)', () => {
  expect(tokenExpiry(NOW, 60_000).getTime() - NOW.getTime()).toBe(60_000);
  expect(tokenExpiry(NOW).getTime() - NOW.getTime()).toBe(1_800_000);
  expect(tokenExpiry(NOW, 5_000_000).getTime() - NOW.getTime()).toBe(1_800_000);
});

it('blocks a notice with a live token on it, or on another notice of the plan when either is the single payment', () => {
  expect(blockedByLiveSession('a', true, [])).toBe(false);
  expect(blockedByLiveSession('a', true, [{ nav: 'a', isPartialPayment: true }])).toBe(true);
  expect(blockedByLiveSession('a', true, [{ nav: 'b', isPartialPayment: true }])).toBe(false);
  expect(blockedByLiveSession('a', true, [{ nav: 'b', isPartialPayment: false }])).toBe(true);
  expect(blockedByLiveSession('a', false, [{ nav: 'b', isPartialPayment: true }])).toBe(true);
});

it('writes faults as the Nodo does', () => {
  expect(fault('PPT_TOKEN_SCADUTO', 'late')).toEqual({ outcome: 'KO', fault: { faultCode: 'PPT_TOKEN_SCADUTO', faultString: 'Token scaduto', id: 'NodoDeiPagamentiSPC', description: 'late' } });
  expect(fault('PPT_ERRORE_EMESSO_DA_PAA', 'x', 'PAA_PAGAMENTO_SCADUTO').fault.originalFaultCode).toBe('PAA_PAGAMENTO_SCADUTO');
});

it('converts stAmount (decimal euros, two decimals) to cents and back', () => {
  expect(euroAmount(1250)).toBe('12.50');
  expect(euroAmount(5)).toBe('0.05');
  expect(euroAmount(99_999_999_999)).toBe('999999999.99');
  expect(centsOfAmount('12.50')).toBe(1250);
  expect(centsOfAmount('0.05')).toBe(5);
  for (const bad of ['12.5', '12', '012.50', '-1.00', '1,00', '1000000000.00']) expect(centsOfAmount(bad), bad).toBeUndefined();
});
