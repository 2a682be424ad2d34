// The pure rules of PDND: state machines of descriptors, agreements and purpose versions, and the
// load threshold that sends a purpose to the producer for approval. No I/O: tested in rules.test.ts.
// Source of names and transitions: pagopa/interop-be-monorepo packages/models and the
// agreement-process / purpose-process services; reference: shared/reference/identity-and-pdnd.md §5.1.

export const DESCRIPTOR_STATES = ['Draft', 'Published', 'Deprecated', 'Suspended', 'Archived', 'WaitingForApproval'] as const;
export type DescriptorState = (typeof DESCRIPTOR_STATES)[number];

export const AGREEMENT_STATES = ['Draft', 'Pending', 'Active', 'Suspended', 'Archived', 'MissingCertifiedAttributes', 'Rejected'] as const;
export type AgreementState = (typeof AGREEMENT_STATES)[number];

export const PURPOSE_VERSION_STATES = ['Draft', 'WaitingForApproval', 'Active', 'Suspended', 'Archived', 'Rejected'] as const;
export type PurposeVersionState = (typeof PURPOSE_VERSION_STATES)[number];

export const APPROVAL_POLICIES = ['Manual', 'Automatic'] as const;
export type ApprovalPolicy = (typeof APPROVAL_POLICIES)[number];

export type Party = 'consumer' | 'producer';

/** A rule's answer: the next state, or why the transition is refused. */
export type Transition<S> = { ok: true; state: S; suspendedByConsumer: boolean; suspendedByProducer: boolean } | { ok: false; reason: string };

interface Suspendable<S> {
  state: S;
  suspendedByConsumer: boolean;
  suspendedByProducer: boolean;
}

const refuse = (reason: string) => ({ ok: false as const, reason });

// --- Descriptors ---------------------------------------------------------------------------------

/** Vouchers are issued only for a Published or Deprecated descriptor (reference §5.1 "whole chain active"). */
export function descriptorServesVouchers(state: DescriptorState): boolean {
  return state === 'Published' || state === 'Deprecated';
}

/** Agreements may be requested only on the Published descriptor (interop agreement-process: descriptor must be Published). */
export function descriptorAcceptsAgreements(state: DescriptorState): boolean {
  return state === 'Published';
}

/** Draft → Published; publishing a new version deprecates the previous Published one (catalog-process publishDescriptor). */
export function publishDescriptor(state: DescriptorState): DescriptorState | undefined {
  return state === 'Draft' ? 'Published' : undefined;
}

/** Published/Deprecated ⇄ Suspended by the producer (catalog-process suspendDescriptor / activateDescriptor). */
export function suspendDescriptor(state: DescriptorState): DescriptorState | undefined {
  return state === 'Published' || state === 'Deprecated' ? 'Suspended' : undefined;
}

export function activateDescriptor(state: DescriptorState, isLatestPublishable: boolean): DescriptorState | undefined {
  if (state !== 'Suspended') return undefined;
  return isLatestPublishable ? 'Published' : 'Deprecated';
}

// --- Agreements ----------------------------------------------------------------------------------

/** Submission: Automatic policy activates at once, Manual waits for the producer (agreement-process submitAgreement). */
export function submitAgreement(policy: ApprovalPolicy): AgreementState {
  return policy === 'Automatic' ? 'Active' : 'Pending';
}

/** The producer approves a Pending agreement (agreement-process activateAgreement from Pending). */
export function approveAgreement(current: AgreementState): Transition<AgreementState> {
  if (current !== 'Pending') return refuse(`an agreement in state ${current} is not awaiting approval`);
  return { ok: true, state: 'Active', suspendedByConsumer: false, suspendedByProducer: false };
}

/** The producer rejects a Pending agreement, giving a reason (agreement-process rejectAgreement). */
export function rejectAgreement(current: AgreementState): Transition<AgreementState> {
  if (current !== 'Pending') return refuse(`an agreement in state ${current} is not awaiting approval`);
  return { ok: true, state: 'Rejected', suspendedByConsumer: false, suspendedByProducer: false };
}

/** Either party suspends an Active (or already Suspended) agreement; each party's flag is kept apart (suspendedByConsumer/ByProducer). */
export function suspend<S extends AgreementState | PurposeVersionState>(current: Suspendable<S>, by: Party): Transition<S> {
  if (current.state !== 'Active' && current.state !== 'Suspended') return refuse(`cannot suspend from state ${current.state}`);
  return {
    ok: true,
    state: 'Suspended' as S,
    suspendedByConsumer: current.suspendedByConsumer || by === 'consumer',
    suspendedByProducer: current.suspendedByProducer || by === 'producer',
  };
}

/** A party lifts its own suspension; the object is Active again only when no party still suspends it. */
export function reactivate<S extends AgreementState | PurposeVersionState>(current: Suspendable<S>, by: Party): Transition<S> {
  if (current.state !== 'Suspended') return refuse(`cannot reactivate from state ${current.state}`);
  const suspendedByConsumer = by === 'consumer' ? false : current.suspendedByConsumer;
  const suspendedByProducer = by === 'producer' ? false : current.suspendedByProducer;
  if (suspendedByConsumer === current.suspendedByConsumer && suspendedByProducer === current.suspendedByProducer) {
    return refuse(`the ${by} has not suspended it`);
  }
  const state = (suspendedByConsumer || suspendedByProducer ? 'Suspended' : 'Active') as S;
  return { ok: true, state, suspendedByConsumer, suspendedByProducer };
}

/** The consumer archives an Active or Suspended agreement or purpose version (it is then final). */
export function archive<S extends AgreementState | PurposeVersionState>(current: Suspendable<S>): Transition<S> {
  if (current.state !== 'Active' && current.state !== 'Suspended') return refuse(`cannot archive from state ${current.state}`);
  return { ok: true, state: 'Archived' as S, suspendedByConsumer: false, suspendedByProducer: false };
}

// --- Purposes ------------------------------------------------------------------------------------

export interface LoadInput {
  /** Daily calls the new purpose version declares. */
  dailyCalls: number;
  /** Daily calls of this consumer's other Active purposes on the same e-service. */
  consumerActiveCalls: number;
  /** Daily calls of every consumer's Active purposes on the e-service (the consumer's included). */
  allActiveCalls: number;
  dailyCallsPerConsumer: number;
  dailyCallsTotal: number;
}

/**
 * Whether a purpose version fits the descriptor's load thresholds: the consumer's total must stay
 * within dailyCallsPerConsumer and everyone's within dailyCallsTotal (purpose-process isLoadAllowed).
 */
export function loadAllowed(input: LoadInput): boolean {
  return (
    input.consumerActiveCalls + input.dailyCalls <= input.dailyCallsPerConsumer &&
    input.allActiveCalls + input.dailyCalls <= input.dailyCallsTotal
  );
}

/** A new purpose version activates at once within thresholds, otherwise awaits the producer (WaitingForApproval). */
export function activationState(input: LoadInput): PurposeVersionState {
  return loadAllowed(input) ? 'Active' : 'WaitingForApproval';
}

/** The producer approves a version WaitingForApproval (purpose-process activatePurposeVersion by producer). */
export function approvePurposeVersion(current: PurposeVersionState): PurposeVersionState | undefined {
  return current === 'WaitingForApproval' ? 'Active' : undefined;
}

/** The producer rejects a version WaitingForApproval with a reason (purpose-process rejectPurposeVersion). */
export function rejectPurposeVersion(current: PurposeVersionState): PurposeVersionState | undefined {
  return current === 'WaitingForApproval' ? 'Rejected' : undefined;
}

/** Purposes need an Active agreement of the consumer on the e-service (purpose-process: agreementNotFound). */
export function agreementAllowsPurposes(state: AgreementState | undefined): boolean {
  return state === 'Active';
}
