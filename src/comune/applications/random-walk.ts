// Seeded random walks over the state machine, for property tests (here and in test/comune).
import { seededRandom } from '../../domain/random.ts';
import { addDays, type IsoDate } from '../../domain/dates.ts';
import { isFinal, STATUS, transitionsFrom, type PaymentKind, type StatusCode, type TransitionActor } from './states.ts';

// The walks take a seeded generator, so a failing seed can be replayed.
export { seededRandom };

export interface Step {
  to: StatusCode;
  by: TransitionActor;
  on: IsoDate;
  /** The payment the application waits for after this step, if any. */
  payment?: PaymentKind;
}

/** A path from draft taking allowed transitions at random, 0-5 days apart, until a final state or `maxSteps`. */
export function randomWalk(random: () => number, start: IsoDate = '2031-01-10', maxSteps = 40): Step[] {
  const steps: Step[] = [{ to: STATUS.draft, by: 'citizen', on: start }];
  let current: StatusCode = STATUS.draft;
  let on = start;
  let payment: PaymentKind | undefined;
  while (!isFinal(current) && steps.length < maxSteps) {
    const options = transitionsFrom(current, payment);
    const next = options[Math.floor(random() * options.length)]!;
    on = addDays(on, Math.floor(random() * 6));
    // A payment asked from a draft is the immediate one; asked from any other status, the deferred one.
    if (next.to === STATUS.paymentPending && next.from !== STATUS.paymentOutcomePending) payment = current === STATUS.draft ? 'immediate' : 'deferred';
    if (next.to === STATUS.draft || next.from === STATUS.paymentSuccess) payment = undefined;
    steps.push({ to: next.to, by: next.by[Math.floor(random() * next.by.length)]!, on, payment });
    current = next.to;
  }
  return steps;
}
