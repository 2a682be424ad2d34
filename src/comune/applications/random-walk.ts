// Seeded random walks over the state machine, for property tests (here and in test/comune).
import { addDays, type IsoDate } from '../../domain/dates.ts';
import { isFinal, STATUS, transitionsFrom, type StatusCode, type TransitionActor } from './states.ts';

/** mulberry32: a small deterministic PRNG, so a failing seed can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Step {
  to: StatusCode;
  by: TransitionActor;
  on: IsoDate;
}

/** A path from draft taking allowed transitions at random, 0-5 days apart, until a final state or `maxSteps`. */
export function randomWalk(random: () => number, start: IsoDate = '2031-01-10', maxSteps = 40): Step[] {
  const steps: Step[] = [{ to: STATUS.draft, by: 'citizen', on: start }];
  let current: StatusCode = STATUS.draft;
  let on = start;
  while (!isFinal(current) && steps.length < maxSteps) {
    const options = transitionsFrom(current);
    const next = options[Math.floor(random() * options.length)]!;
    on = addDays(on, Math.floor(random() * 6));
    steps.push({ to: next.to, by: next.by[Math.floor(random() * next.by.length)]!, on });
    current = next.to;
  }
  return steps;
}
