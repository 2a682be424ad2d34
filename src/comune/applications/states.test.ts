import { describe, expect, it } from 'vitest';
import { checkTransition, FINAL_STATUSES, isFinal, STATUS, STATUS_CODES, TRANSITIONS, transitionsFrom, type StatusCode, type TransitionActor } from './states.ts';
import { randomWalk, seededRandom } from './random-walk.ts';

const ACTORS: TransitionActor[] = ['citizen', 'operator', 'system'];

function reachableFrom(start: StatusCode): Set<StatusCode> {
  const seen = new Set<StatusCode>([start]);
  const queue = [start];
  while (queue.length) for (const t of transitionsFrom(queue.shift()!)) if (!seen.has(t.to)) (seen.add(t.to), queue.push(t.to));
  return seen;
}

describe('application state machine', () => {
  it('reaches every status from draft, and a final status from every status', () => {
    expect([...reachableFrom(STATUS.draft)].sort()).toEqual([...STATUS_CODES].sort());
    for (const code of STATUS_CODES) expect([...reachableFrom(code)].some(isFinal), `${code} is a dead end`).toBe(true);
  });

  it('has no way out of a final status', () => {
    for (const code of FINAL_STATUSES) {
      expect(transitionsFrom(code)).toEqual([]);
      for (const to of STATUS_CODES) for (const actor of ACTORS) expect(checkTransition(code, to, actor).ok).toBe(false);
    }
  });

  it('names who may trigger each transition', () => {
    expect(checkTransition(STATUS.draft, STATUS.submitted, 'citizen').ok).toBe(true);
    expect(checkTransition(STATUS.draft, STATUS.submitted, 'operator')).toEqual({ ok: false, reason: 'wrong-actor' });
    expect(checkTransition(STATUS.draft, STATUS.complete, 'operator')).toEqual({ ok: false, reason: 'not-allowed' });
    expect(checkTransition(STATUS.submitted, STATUS.registered, 'system').ok).toBe(true);
    expect(checkTransition(STATUS.submitted, STATUS.registered, 'operator').ok).toBe(false);
    expect(checkTransition(STATUS.pending, STATUS.complete, 'citizen').ok).toBe(false);
    expect(checkTransition(STATUS.requestIntegration, STATUS.submittedAfterIntegration, 'citizen').ok).toBe(true);
    // The answer in draft (4200) is the applicant's: saved and sent by the citizen only; the office may still reject it unsent.
    expect(checkTransition(STATUS.requestIntegration, STATUS.draftForIntegration, 'citizen').ok).toBe(true);
    expect(checkTransition(STATUS.requestIntegration, STATUS.draftForIntegration, 'operator')).toEqual({ ok: false, reason: 'wrong-actor' });
    expect(checkTransition(STATUS.draftForIntegration, STATUS.submittedAfterIntegration, 'citizen').ok).toBe(true);
    expect(checkTransition(STATUS.draftForIntegration, STATUS.submittedAfterIntegration, 'operator')).toEqual({ ok: false, reason: 'wrong-actor' });
    expect(checkTransition(STATUS.draftForIntegration, STATUS.cancelled, 'operator').ok).toBe(true);
    expect(checkTransition(STATUS.draftForIntegration, STATUS.pending, 'operator')).toEqual({ ok: false, reason: 'not-allowed' });
    expect(new Set(TRANSITIONS.map((t) => `${t.from}>${t.to}`)).size).toBe(TRANSITIONS.length);
  });

  it('random walks: from every reachable status exactly the listed transitions succeed; every path to an outcome passes through submitted', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const walk = randomWalk(seededRandom(seed));
      for (let i = 1; i < walk.length; i++) {
        const { to: from, payment } = walk[i - 1]!;
        for (const to of STATUS_CODES)
          for (const actor of ACTORS) {
            const listed = TRANSITIONS.some((t) => t.from === from && t.to === to && t.by.includes(actor) && (t.payment === undefined || t.payment === payment));
            expect(checkTransition(from, to, actor, payment).ok, `seed ${seed}: ${from}>${to} by ${actor}`).toBe(listed);
          }
        expect(checkTransition(from, walk[i]!.to, walk[i]!.by, payment).ok).toBe(true);
      }
      const last = walk.at(-1)!.to;
      if (isFinal(last)) expect(walk.some((s) => s.to === STATUS.submitted), `seed ${seed} reached ${last} unsubmitted`).toBe(true);
    }
  });

  it('pays before submission (immediate) or during the iter (deferred), and moves on only with the receipt', () => {
    // Immediate: 1000 → 1500 → 1510 → 1520 → 1900 → 2000, all after the citizen's first step by the system.
    expect(checkTransition(STATUS.draft, STATUS.paymentPending, 'citizen').ok).toBe(true);
    expect(checkTransition(STATUS.paymentPending, STATUS.paymentOutcomePending, 'citizen').ok).toBe(true);
    expect(checkTransition(STATUS.paymentOutcomePending, STATUS.paymentSuccess, 'system').ok).toBe(true);
    expect(checkTransition(STATUS.paymentOutcomePending, STATUS.paymentSuccess, 'citizen')).toEqual({ ok: false, reason: 'wrong-actor' });
    expect(checkTransition(STATUS.paymentPending, STATUS.paymentSuccess, 'system').ok).toBe(true); // paid at a PSP with the notice
    expect(checkTransition(STATUS.paymentSuccess, STATUS.preSubmit, 'system', 'immediate').ok).toBe(true);
    expect(checkTransition(STATUS.paymentPending, STATUS.preSubmit, 'system', 'immediate')).toEqual({ ok: false, reason: 'not-allowed' });
    expect(checkTransition(STATUS.paymentPending, STATUS.draft, 'citizen', 'immediate').ok).toBe(true);
    // Deferred: the office asks from 4000/4500; the receipt brings it back, never to submission nor to draft.
    expect(checkTransition(STATUS.pending, STATUS.paymentPending, 'operator').ok).toBe(true);
    expect(checkTransition(STATUS.pendingAfterIntegration, STATUS.paymentPending, 'operator').ok).toBe(true);
    expect(checkTransition(STATUS.pending, STATUS.paymentPending, 'citizen')).toEqual({ ok: false, reason: 'wrong-actor' });
    expect(checkTransition(STATUS.paymentSuccess, STATUS.pending, 'system', 'deferred').ok).toBe(true);
    expect(checkTransition(STATUS.paymentSuccess, STATUS.pendingAfterIntegration, 'system', 'deferred').ok).toBe(true);
    expect(checkTransition(STATUS.paymentSuccess, STATUS.pending, 'system', 'immediate')).toEqual({ ok: false, reason: 'not-allowed' });
    expect(checkTransition(STATUS.paymentSuccess, STATUS.preSubmit, 'system', 'deferred')).toEqual({ ok: false, reason: 'not-allowed' });
    expect(checkTransition(STATUS.paymentPending, STATUS.draft, 'citizen', 'deferred')).toEqual({ ok: false, reason: 'not-allowed' });
    expect(transitionsFrom(STATUS.paymentSuccess, 'immediate').map((t) => t.to)).toEqual([STATUS.preSubmit]);
    expect(transitionsFrom(STATUS.paymentSuccess, 'deferred').map((t) => t.to).sort()).toEqual([STATUS.pending, STATUS.pendingAfterIntegration]);
  });
});
