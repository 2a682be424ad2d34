import { describe, expect, it } from 'vitest';
import {
  activateDescriptor,
  activationState,
  agreementAllowsPurposes,
  approveAgreement,
  approvePurposeVersion,
  archive,
  descriptorAcceptsAgreements,
  descriptorServesVouchers,
  loadAllowed,
  publishDescriptor,
  reactivate,
  rejectAgreement,
  rejectPurposeVersion,
  submitAgreement,
  suspend,
  suspendDescriptor,
} from './rules.ts';

const load = { dailyCalls: 100, consumerActiveCalls: 0, allActiveCalls: 0, dailyCallsPerConsumer: 1000, dailyCallsTotal: 5000 };

describe('descriptor states', () => {
  it('serves vouchers only when Published or Deprecated, agreements only when Published', () => {
    expect(['Draft', 'Published', 'Deprecated', 'Suspended', 'Archived'].filter((s) => descriptorServesVouchers(s as never))).toEqual(['Published', 'Deprecated']);
    expect(descriptorAcceptsAgreements('Published')).toBe(true);
    expect(descriptorAcceptsAgreements('Deprecated')).toBe(false);
  });
  it('publishes drafts, suspends and reactivates to Published or Deprecated', () => {
    expect(publishDescriptor('Draft')).toBe('Published');
    expect(publishDescriptor('Published')).toBeUndefined();
    expect(suspendDescriptor('Published')).toBe('Suspended');
    expect(suspendDescriptor('Draft')).toBeUndefined();
    expect(activateDescriptor('Suspended', true)).toBe('Published');
    expect(activateDescriptor('Suspended', false)).toBe('Deprecated');
    expect(activateDescriptor('Published', true)).toBeUndefined();
  });
});

describe('agreement state machine', () => {
  it('activates at once with the Automatic policy and waits with Manual', () => {
    expect(submitAgreement('Automatic')).toBe('Active');
    expect(submitAgreement('Manual')).toBe('Pending');
  });
  it('lets the producer approve or reject only Pending agreements', () => {
    expect(approveAgreement('Pending')).toMatchObject({ ok: true, state: 'Active' });
    expect(rejectAgreement('Pending')).toMatchObject({ ok: true, state: 'Rejected' });
    expect(approveAgreement('Active').ok).toBe(false);
    expect(rejectAgreement('Suspended').ok).toBe(false);
  });
  it('keeps each party suspension apart and reactivates only when both lifted', () => {
    const active = { state: 'Active' as const, suspendedByConsumer: false, suspendedByProducer: false };
    const byProducer = suspend(active, 'producer');
    expect(byProducer).toMatchObject({ ok: true, state: 'Suspended', suspendedByProducer: true, suspendedByConsumer: false });
    if (!byProducer.ok) throw new Error();
    const byBoth = suspend(byProducer, 'consumer');
    if (!byBoth.ok) throw new Error();
    expect(reactivate(byBoth, 'producer')).toMatchObject({ ok: true, state: 'Suspended', suspendedByConsumer: true, suspendedByProducer: false });
    expect(reactivate(byProducer, 'consumer').ok).toBe(false);
    expect(reactivate(byProducer, 'producer')).toMatchObject({ ok: true, state: 'Active' });
    expect(suspend({ ...active, state: 'Pending' }, 'consumer').ok).toBe(false);
    expect(archive(active)).toMatchObject({ ok: true, state: 'Archived' });
    expect(archive({ ...active, state: 'Rejected' }).ok).toBe(false);
  });
  it('admits purposes only on an Active agreement', () => {
    expect(agreementAllowsPurposes('Active')).toBe(true);
    expect(agreementAllowsPurposes('Suspended')).toBe(false);
    expect(agreementAllowsPurposes(undefined)).toBe(false);
  });
});

describe('purpose load threshold', () => {
  it('activates within both thresholds, at the limits included', () => {
    expect(loadAllowed(load)).toBe(true);
    expect(loadAllowed({ ...load, dailyCalls: 1000 })).toBe(true);
    expect(activationState(load)).toBe('Active');
  });
  it('waits for approval above the per-consumer threshold, counting the consumer’s other purposes', () => {
    expect(activationState({ ...load, dailyCalls: 1001 })).toBe('WaitingForApproval');
    expect(activationState({ ...load, consumerActiveCalls: 950 })).toBe('WaitingForApproval');
  });
  it('waits for approval above the total threshold', () => {
    expect(activationState({ ...load, allActiveCalls: 4950 })).toBe('WaitingForApproval');
  });
  it('lets the producer approve or reject only versions waiting for approval', () => {
    expect(approvePurposeVersion('WaitingForApproval')).toBe('Active');
    expect(rejectPurposeVersion('WaitingForApproval')).toBe('Rejected');
    expect(approvePurposeVersion('Active')).toBeUndefined();
    expect(rejectPurposeVersion('Suspended')).toBeUndefined();
  });
});
