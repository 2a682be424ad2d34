// The life of an application ("pratica"): OpenCity's numeric status codes (Stanza del Cittadino,
// src/Entity/Pratica.php), the allowed transitions and who may trigger each. Pure.

export const STATUS = {
  draft: 1000,
  paymentPending: 1500,
  paymentOutcomePending: 1510, // the citizen went to pay online: waiting for the receipt
  paymentSuccess: 1520,
  preSubmit: 1900, // paid, about to be submitted
  submitted: 2000,
  registered: 3000, // protocollata
  pending: 4000, // taken in charge
  requestIntegration: 4100,
  draftForIntegration: 4200,
  submittedAfterIntegration: 4300,
  registeredAfterIntegration: 4400,
  pendingAfterIntegration: 4500,
  complete: 7000, // accepted
  cancelled: 9000, // rejected
  withdrawn: 20000,
  revoked: 50000,
} as const;

export type StatusName = keyof typeof STATUS;
export type StatusCode = (typeof STATUS)[StatusName];
export const STATUS_CODES = Object.values(STATUS) as StatusCode[];
export const statusName = (code: StatusCode): StatusName => (Object.keys(STATUS) as StatusName[]).find((k) => STATUS[k] === code)!;
export const isStatusCode = (value: unknown): value is StatusCode => STATUS_CODES.includes(value as StatusCode);

export type TransitionActor = 'citizen' | 'operator' | 'system';

/** Which payment the application waits for: asked at submission (immediate) or by the office during the iter (deferred). */
export type PaymentKind = 'immediate' | 'deferred';

export interface Transition {
  from: StatusCode;
  to: StatusCode;
  /** Who may trigger it: the applicant, an operator of the ente, or the platform itself. */
  by: readonly TransitionActor[];
  /** Only for an application waiting for this kind of payment. */
  payment?: PaymentKind;
}

const S = STATUS;
/** Still being handled: the applicant may withdraw, the administration may revoke. */
const IN_PROGRESS = [S.submitted, S.registered, S.pending, S.requestIntegration, S.draftForIntegration, S.submittedAfterIntegration, S.registeredAfterIntegration, S.pendingAfterIntegration];

export const TRANSITIONS: readonly Transition[] = [
  { from: S.draft, to: S.paymentPending, by: ['citizen'] }, // a service with a fee: submit starts the payment
  { from: S.paymentPending, to: S.draft, by: ['citizen'], payment: 'immediate' }, // back to edit before paying
  // OpenCity: 1500 → 1510 when the citizen leaves for pagoPA; the receipt (pushed or polled) moves either to 1520.
  { from: S.paymentPending, to: S.paymentOutcomePending, by: ['citizen'] },
  { from: S.paymentOutcomePending, to: S.paymentPending, by: ['citizen', 'system'] }, // back from pagoPA without paying
  { from: S.paymentPending, to: S.paymentSuccess, by: ['system'] }, // a notice paid at a PSP (model 3)
  { from: S.paymentOutcomePending, to: S.paymentSuccess, by: ['system'] },
  { from: S.paymentSuccess, to: S.preSubmit, by: ['system'], payment: 'immediate' },
  { from: S.preSubmit, to: S.submitted, by: ['system'] },
  { from: S.draft, to: S.submitted, by: ['citizen'] },
  { from: S.submitted, to: S.registered, by: ['system'] }, // the protocol number came back
  { from: S.submitted, to: S.pending, by: ['operator'] }, // services without protocol
  { from: S.registered, to: S.pending, by: ['operator'] },
  { from: S.pending, to: S.requestIntegration, by: ['operator'] },
  { from: S.pendingAfterIntegration, to: S.requestIntegration, by: ['operator'] },
  { from: S.requestIntegration, to: S.draftForIntegration, by: ['citizen'] },
  { from: S.requestIntegration, to: S.submittedAfterIntegration, by: ['citizen'] },
  { from: S.draftForIntegration, to: S.submittedAfterIntegration, by: ['citizen'] },
  { from: S.submittedAfterIntegration, to: S.registeredAfterIntegration, by: ['system'] },
  { from: S.submittedAfterIntegration, to: S.pendingAfterIntegration, by: ['operator'] },
  { from: S.registeredAfterIntegration, to: S.pendingAfterIntegration, by: ['operator'] },
  ...[S.pending, S.pendingAfterIntegration].flatMap((from) => [
    { from, to: S.complete, by: ['operator'] as const },
    { from, to: S.cancelled, by: ['operator'] as const },
    // A payment asked during the iter (deferred): the receipt brings the application back where it was.
    { from, to: S.paymentPending, by: ['operator'] as const },
    { from: S.paymentSuccess, to: from, by: ['system'] as const, payment: 'deferred' as const },
  ]),
  // An unanswered request for integration may end in a rejection, an answer kept in draft being still unsent.
  { from: S.requestIntegration, to: S.cancelled, by: ['operator'] },
  { from: S.draftForIntegration, to: S.cancelled, by: ['operator'] },
  ...IN_PROGRESS.flatMap((from) => [
    { from, to: S.withdrawn, by: ['citizen'] as const },
    { from, to: S.revoked, by: ['operator'] as const },
  ]),
];

/** No way out: the outcome is decided (OpenCity: 7000, 9000, 20000; and revoked). */
export const FINAL_STATUSES: readonly StatusCode[] = [S.complete, S.cancelled, S.withdrawn, S.revoked];
export const isFinal = (code: StatusCode) => FINAL_STATUSES.includes(code);

/** From request for integration to its answer the legal clock stands still (L. 241/1990 art. 2 c.7). */
export const SUSPENDING_STATUSES: readonly StatusCode[] = [S.requestIntegration, S.draftForIntegration];

/** The transitions out of `from`; with `payment`, only those open to an application waiting for that kind of payment. */
export const transitionsFrom = (from: StatusCode, payment?: PaymentKind) =>
  TRANSITIONS.filter((t) => t.from === from && (payment === undefined || t.payment === undefined || t.payment === payment));

export type TransitionCheck = { ok: true; transition: Transition } | { ok: false; reason: 'not-allowed' | 'wrong-actor' };

/** Whether `actor` may move an application (waiting for a `payment` of that kind, if any) from `from` to `to`. */
export function checkTransition(from: StatusCode, to: StatusCode, actor: TransitionActor, payment?: PaymentKind): TransitionCheck {
  const transition = TRANSITIONS.find((t) => t.from === from && t.to === to && (t.payment === undefined || t.payment === payment));
  if (!transition) return { ok: false, reason: 'not-allowed' };
  if (!transition.by.includes(actor)) return { ok: false, reason: 'wrong-actor' };
  return { ok: true, transition };
}
