// The legal deadline of an application: the service's days to answer counted from submission
// (L. 241/1990 art. 2 c.6), the clock standing still from a request for integration to its answer (art. 2 c.7). Pure.
import { addDays, compareIsoDates, type IsoDate } from '../../domain/dates.ts';
import { isWorkingDay, type HolidayOptions } from '../../domain/holidays.ts';
import { STATUS, SUSPENDING_STATUSES, type StatusCode } from './states.ts';

export interface StatusEvent {
  to: StatusCode;
  /** The Italian calendar day of the change. */
  on: IsoDate;
}

export interface DeadlineRule extends HolidayOptions {
  deadlineDays: number;
  /** Count only working days (Monday to Friday, not holidays) when the service's rules say so. */
  workingDays?: boolean;
}

/** L. 241/1990 art. 2 c.7: suspended "per una sola volta e per un periodo non superiore a trenta giorni". */
export const MAX_SUSPENSION_DAYS = 30;

export interface Deadline {
  due: IsoDate;
  /** The clock is standing still today. */
  suspended: boolean;
  suspendedDays: number;
}

/**
 * The days the clock stood still: after the first request for integration up to its answer (or today),
 * at most MAX_SUSPENSION_DAYS; later requests do not suspend again.
 */
function suspension(history: readonly StatusEvent[], today: IsoDate): { days: Set<IsoDate>; running: boolean } {
  const first = history.findIndex((e) => SUSPENDING_STATUSES.includes(e.to));
  const days = new Set<IsoDate>();
  if (first < 0) return { days, running: false };
  const answer = history.slice(first).find((e) => !SUSPENDING_STATUSES.includes(e.to))?.on;
  for (let d = addDays(history[first]!.on, 1); compareIsoDates(d, answer ?? today) <= 0 && days.size < MAX_SUSPENSION_DAYS; d = addDays(d, 1)) days.add(d);
  return { days, running: answer === undefined && days.size < MAX_SUSPENSION_DAYS };
}

/**
 * The due date given the status history (oldest first) and today's date; undefined before submission.
 * The day of submission is not counted (dies a quo non computatur, c.c. art. 2963 c.3).
 */
export function legalDeadline(history: readonly StatusEvent[], rule: DeadlineRule, today: IsoDate): Deadline | undefined {
  const start = history.find((e) => e.to === STATUS.submitted)?.on;
  if (start === undefined) return undefined;
  const { days: suspended, running } = suspension(history, today);
  let due = start;
  for (let counted = 0; counted < rule.deadlineDays; ) {
    due = addDays(due, 1);
    if (suspended.has(due)) continue;
    if (rule.workingDays && !isWorkingDay(due, rule)) continue;
    counted++;
  }
  return { due, suspended: running, suspendedDays: suspended.size };
}
