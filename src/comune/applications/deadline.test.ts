import { describe, expect, it } from 'vitest';
import { addDays, compareIsoDates } from '../../domain/dates.ts';
import { legalDeadline, MAX_SUSPENSION_DAYS, type StatusEvent } from './deadline.ts';
import { STATUS } from './states.ts';
import { randomWalk, seededRandom } from './random-walk.ts';

const S = STATUS;
const ev = (to: StatusEvent['to'], on: string): StatusEvent => ({ to, on });

describe('legal deadline', () => {
  it('is undefined before submission, then the days counted from the day after it', () => {
    expect(legalDeadline([ev(S.draft, '2031-03-01')], { deadlineDays: 30 }, '2031-03-02')).toBeUndefined();
    const history = [ev(S.draft, '2031-03-01'), ev(S.submitted, '2031-03-02'), ev(S.registered, '2031-03-02')];
    expect(legalDeadline(history, { deadlineDays: 30 }, '2031-03-05')).toEqual({ due: '2031-04-01', suspended: false, suspendedDays: 0 });
  });

  it('stands still from a request for integration to its answer (L. 241/1990 art. 2 c.7)', () => {
    const history = [ev(S.submitted, '2031-03-02'), ev(S.pending, '2031-03-03'), ev(S.requestIntegration, '2031-03-10')];
    expect(legalDeadline(history, { deadlineDays: 30 }, '2031-03-15')).toEqual({ due: '2031-04-06', suspended: true, suspendedDays: 5 });
    const answered = [...history, ev(S.submittedAfterIntegration, '2031-03-20'), ev(S.pendingAfterIntegration, '2031-03-21')];
    expect(legalDeadline(answered, { deadlineDays: 30 }, '2031-05-01')).toEqual({ due: '2031-04-11', suspended: false, suspendedDays: 10 });
  });

  it('suspends once, for at most 30 days', () => {
    const history = [ev(S.submitted, '2031-01-01'), ev(S.pending, '2031-01-01'), ev(S.requestIntegration, '2031-01-02')];
    expect(legalDeadline(history, { deadlineDays: 60 }, '2031-06-01')).toMatchObject({ suspended: false, suspendedDays: MAX_SUSPENSION_DAYS, due: addDays('2031-01-01', 60 + 30) });
    const twice = [...history, ev(S.submittedAfterIntegration, '2031-01-05'), ev(S.pendingAfterIntegration, '2031-01-06'), ev(S.requestIntegration, '2031-01-10')];
    expect(legalDeadline(twice, { deadlineDays: 60 }, '2031-02-10')).toMatchObject({ suspended: false, suspendedDays: 3 });
  });

  it('counts working days when the service says so (holidays of L. 260/1949)', () => {
    // Submitted on Thursday 23 April 2026: 25 April (Saturday) and 1 May (Friday) are not working days.
    const history = [ev(S.submitted, '2026-04-23')];
    expect(legalDeadline(history, { deadlineDays: 6, workingDays: true }, '2026-04-23')!.due).toBe('2026-05-04');
    expect(legalDeadline(history, { deadlineDays: 6 }, '2026-04-23')!.due).toBe('2026-04-29');
  });

  it('random walks: the deadline never moves earlier as days pass, and never before the unsuspended one', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = seededRandom(seed);
      const walk = randomWalk(random);
      const rule = { deadlineDays: 1 + Math.floor(random() * 60), workingDays: random() < 0.5 };
      let previous: string | undefined;
      for (let i = 0; i < walk.length; i++) {
        const history = walk.slice(0, i + 1);
        // Today runs from this event's day to the next one's: time never goes back.
        const until = walk[i + 1]?.on ?? addDays(walk[i]!.on, 40);
        for (let today = walk[i]!.on; compareIsoDates(today, until) <= 0; today = addDays(today, 1)) {
          const deadline = legalDeadline(history, rule, today);
          if (!deadline) continue;
          if (previous) expect(compareIsoDates(deadline.due, previous), `seed ${seed} step ${i}`).toBeGreaterThanOrEqual(0);
          const plain = legalDeadline(history.filter((e) => e.to !== S.requestIntegration && e.to !== S.draftForIntegration), rule, today)!;
          expect(compareIsoDates(deadline.due, plain.due)).toBeGreaterThanOrEqual(0);
          previous = deadline.due;
        }
      }
    }
  });
});
