import { describe, expect, it } from 'vitest';
import { composeNoticeNumber } from '../../domain/pagopa/notice-number.ts';
import { checkPositionContent, decide, DEBT_POSITION_STATUSES, payOption, statusAsOf, type DebtPositionAction, type DebtPositionStatus, type PositionInput, type PositionState } from './rules.ts';

const now = new Date('2026-11-23T10:00:00Z');
const days = (n: number) => new Date(now.getTime() + n * 86_400_000);
const position = (status: DebtPositionStatus, over: Partial<PositionState> = {}): PositionState => ({
  status,
  validityDate: null,
  switchToExpired: false,
  options: [{ iuv: 'A', isPartialPayment: false, dueDate: days(30), status: 'PO_UNPAID' }],
  ...over,
});

describe('GPD state machine', () => {
  it('allows each operation only in the states GPD allows it', () => {
    const expected: Record<DebtPositionAction, Partial<Record<DebtPositionStatus, DebtPositionStatus>>> = {
      update: { DRAFT: 'DRAFT', PUBLISHED: 'DRAFT', VALID: 'DRAFT', EXPIRED: 'DRAFT' },
      delete: { DRAFT: 'DRAFT', PUBLISHED: 'PUBLISHED', VALID: 'VALID', EXPIRED: 'EXPIRED' },
      publish: { DRAFT: 'VALID' },
      invalidate: { PUBLISHED: 'INVALID', VALID: 'INVALID' },
    };
    for (const [action, allowed] of Object.entries(expected) as [DebtPositionAction, Partial<Record<DebtPositionStatus, DebtPositionStatus>>][]) {
      for (const status of DEBT_POSITION_STATUSES) {
        // A stored PUBLISHED position with a future validity date stays PUBLISHED.
        const p = position(status, status === 'PUBLISHED' ? { validityDate: days(1) } : {});
        const decision = decide(p, action, now);
        if (allowed[status]) expect(decision, `${action} from ${status}`).toEqual({ ok: true, status: allowed[status] });
        else expect(decision, `${action} from ${status}`).toMatchObject({ ok: false, status: 409 });
      }
    }
  });

  it('names the refusal as GPD does', () => {
    expect(decide(position('PAID'), 'update', now)).toMatchObject({ code: 'DEBT_POSITION_PAYMENT_FOUND' });
    expect(decide(position('INVALID'), 'update', now)).toMatchObject({ code: 'DEBT_POSITION_NOT_UPDATABLE' });
    expect(decide(position('VALID'), 'publish', now)).toMatchObject({ code: 'DEBT_POSITION_NOT_PUBLISHABLE' });
    expect(decide(position('DRAFT'), 'invalidate', now)).toMatchObject({ code: 'DEBT_POSITION_NOT_INVALIDABLE' });
  });

  it('publishes to PUBLISHED with a future validity date, then the position becomes VALID at that date', () => {
    const p = position('DRAFT', { validityDate: days(2) });
    expect(decide(p, 'publish', now)).toEqual({ ok: true, status: 'PUBLISHED' });
    const published = { ...p, status: 'PUBLISHED' as const };
    expect(statusAsOf(published, days(1))).toBe('PUBLISHED');
    expect(statusAsOf(published, days(2))).toBe('VALID');
  });

  it('refuses to publish when the dates have passed', () => {
    expect(decide(position('DRAFT', { validityDate: days(-1) }), 'publish', now)).toMatchObject({ code: 'DEBT_POSITION_PUBLISH_VALIDITY_DATE_MISMATCH' });
    expect(decide(position('DRAFT', { options: [{ iuv: 'A', isPartialPayment: false, dueDate: days(-1), status: 'PO_UNPAID' }] }), 'publish', now)).toMatchObject({
      code: 'DEBT_POSITION_PUBLISH_DUE_DATE_MISMATCH',
    });
    expect(decide(position('DRAFT', { validityDate: days(40) }), 'publish', now)).toMatchObject({ code: 'DEBT_POSITION_PUBLISH_DUE_DATE_BEFORE_VALIDITY_DATE' });
  });

  it('expires a VALID position after its last due date only with switchToExpired and nothing paid', () => {
    expect(statusAsOf(position('VALID', { switchToExpired: true }), days(31))).toBe('EXPIRED');
    expect(statusAsOf(position('VALID', { switchToExpired: true }), days(29))).toBe('VALID');
    expect(statusAsOf(position('VALID', { switchToExpired: false }), days(31))).toBe('VALID');
    expect(statusAsOf(position('PUBLISHED', { validityDate: days(1), switchToExpired: true }), days(31))).toBe('EXPIRED');
    expect(decide(position('VALID', { switchToExpired: true }), 'invalidate', days(31))).toMatchObject({ code: 'DEBT_POSITION_NOT_INVALIDABLE' });
  });

  it('pays installments to PARTIALLY_PAID then PAID, and refuses the total once an installment is paid', () => {
    const plan = position('VALID', {
      options: [
        { iuv: 'T', isPartialPayment: false, dueDate: days(30), status: 'PO_UNPAID' },
        { iuv: 'R1', isPartialPayment: true, dueDate: days(30), status: 'PO_UNPAID' },
        { iuv: 'R2', isPartialPayment: true, dueDate: days(60), status: 'PO_UNPAID' },
      ],
    });
    expect(payOption(plan, 'R1', now)).toEqual({ ok: true, status: 'PARTIALLY_PAID' });
    const afterR1 = { ...plan, status: 'PARTIALLY_PAID' as const, options: plan.options.map((o) => (o.iuv === 'R1' ? { ...o, status: 'PO_PAID' as const } : o)) };
    expect(payOption(afterR1, 'R1', now)).toMatchObject({ ok: false, code: 'PAYMENT_OPTION_ALREADY_PAID', status: 409 });
    expect(payOption(afterR1, 'T', now)).toMatchObject({ ok: false, code: 'PAYMENT_OPTION_ALREADY_PAID' });
    expect(payOption(afterR1, 'R2', now)).toEqual({ ok: true, status: 'PAID' });
    expect(payOption(plan, 'T', now)).toEqual({ ok: true, status: 'PAID' });
    expect(payOption(plan, 'X', now)).toMatchObject({ ok: false, status: 404 });
  });

  it('refuses to pay a position that is not payable (422)', () => {
    for (const status of ['DRAFT', 'INVALID'] as const) expect(payOption(position(status), 'A', now)).toMatchObject({ ok: false, code: 'PAYMENT_OPTION_NOT_PAYABLE', status: 422 });
    expect(payOption(position('PUBLISHED', { validityDate: days(1) }), 'A', now)).toMatchObject({ code: 'PAYMENT_OPTION_NOT_PAYABLE' });
    expect(payOption(position('VALID', { switchToExpired: true }), 'A', days(31))).toMatchObject({ code: 'PAYMENT_OPTION_NOT_PAYABLE' });
  });
});

describe('content of a debt position', () => {
  const IBAN = 'IT60X0542811101000000123456';
  const point = { auxDigit: 3 as const, segregationCode: '01' };
  const ctx = { now, organizationFiscalCode: '00085240950', generationPoint: point, ibansOf: (cf: string) => (cf === '00085240950' ? [IBAN] : cf === '01199250158' ? [] : undefined) };
  const input = (over: Partial<PositionInput['paymentOption'][number]> = {}): PositionInput => ({
    paymentOption: [
      {
        amount: 10_000,
        description: 'TARI 2026',
        isPartialPayment: false,
        dueDate: days(30),
        transfer: [{ idTransfer: '1', amount: 10_000, remittanceInformation: 'TARI 2026', category: '9/0101108TS/', iban: IBAN }],
        ...over,
      },
    ],
  });

  it('accepts a well-formed position', () => {
    expect(checkPositionContent(input(), ctx)).toEqual({ invalid: [], conflicts: [] });
    expect(checkPositionContent(input({ iuv: composeNoticeNumber(point, 42).iuv }), ctx)).toEqual({ invalid: [], conflicts: [] });
  });

  it('refuses transfers that do not add up to their option, or exceed it', () => {
    const over = checkPositionContent(input({ amount: 5_000 }), ctx).invalid;
    expect(over).toEqual([expect.objectContaining({ pointer: '/body/paymentOption/0/transfer', code: 'amount-mismatch' })]);
  });

  it('points at each wrong field', () => {
    const codes = (i: PositionInput) => checkPositionContent(i, ctx).invalid.map((e) => `${e.pointer} ${e.code}`);
    expect(codes(input({ dueDate: days(-1) }))).toEqual(['/body/paymentOption/0/dueDate past-date']);
    expect(codes(input({ retentionDate: days(10) }))).toEqual(['/body/paymentOption/0/retentionDate before-due-date']);
    expect(codes(input({ iuv: '01000000000004299' }))).toEqual(['/body/paymentOption/0/iuv invalid-check-digits']);
    expect(codes(input({ iuv: composeNoticeNumber({ auxDigit: 3, segregationCode: '02' }, 1).iuv }))).toEqual(['/body/paymentOption/0/iuv wrong-segregation-code']);
    const t = (over: object) => input({ transfer: [{ idTransfer: '1', amount: 10_000, remittanceInformation: 'x', category: '9/0101108TS/', iban: IBAN, ...over }] });
    expect(codes(t({ category: 'TARI' }))).toEqual(['/body/paymentOption/0/transfer/0/category taxonomy']);
    expect(codes(t({ iban: 'IT60X0542811101000000123457' }))).toEqual(['/body/paymentOption/0/transfer/0/iban invalid-checksum']);
    expect(codes(t({ iban: 'IT20S0306914000000000012345' }))).toEqual(['/body/paymentOption/0/transfer/0/iban iban-not-registered']);
    expect(codes(t({ iban: undefined }))).toEqual(['/body/paymentOption/0/transfer/0/iban required']);
    expect(codes(t({ stamp: { hashDocument: 'aGFzaA==', stampType: '01', provincialResidence: 'PI' } }))).toEqual(['/body/paymentOption/0/transfer/0/stamp iban-and-stamp']);
    expect(codes(t({ organizationFiscalCode: '12345678901' }))).toEqual(['/body/paymentOption/0/transfer/0/organizationFiscalCode fiscal-code']);
    expect(codes(t({ organizationFiscalCode: '01199250158' }))).toEqual(['/body/paymentOption/0/transfer/0/iban iban-not-registered']);
    expect(codes(t({ organizationFiscalCode: '80000990509' }))).toEqual(['/body/paymentOption/0/transfer/0/organizationFiscalCode unknown-institution']);
    expect(codes({ validityDate: days(-1), paymentOption: input().paymentOption })).toEqual(['/body/validityDate past-date']);
    expect(codes({ validityDate: days(40), paymentOption: input().paymentOption })).toEqual(['/body/paymentOption/0/dueDate past-date']);
  });

  it('reports duplicate metadata keys and IUVs as conflicts (409 in GPD)', () => {
    const iuv = composeNoticeNumber(point, 7).iuv;
    const twice: PositionInput = { paymentOption: [...input({ iuv }).paymentOption, ...input({ iuv, paymentOptionMetadata: [{ key: 'k' }, { key: 'k' }] }).paymentOption] };
    expect(checkPositionContent(twice, ctx).conflicts.map((e) => e.code)).toEqual(['duplicate-key', 'duplicate-iuv']);
  });
});
