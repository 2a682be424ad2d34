import { describe, expect, it } from 'vitest';
import {
  addDays,
  compareIsoDates,
  daysInMonth,
  formatIsoDate,
  fromDayNumber,
  isIsoDate,
  isLeapYear,
  parseIsoDate,
  toDayNumber,
  weekday,
} from './dates.ts';

describe('date-only calendar', () => {
  it('applies the Gregorian leap-year rule', () => {
    expect([1900, 2000, 2024, 2025, 2100].map(isLeapYear)).toEqual([false, true, true, false, false]);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2023, 2)).toBe(28);
    expect(daysInMonth(2023, 4)).toBe(30);
    expect(daysInMonth(2023, 12)).toBe(31);
  });

  it('parses only strict, existing YYYY-MM-DD dates', () => {
    expect(parseIsoDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    for (const bad of ['2023-02-29', '2024-13-01', '2024-00-10', '2024-1-1', '20240101', '2024-01-01T00:00', ' 2024-01-01', '0000-01-01']) {
      expect(isIsoDate(bad), bad).toBe(false);
    }
  });

  it('converts to and from day numbers (1970-01-01 = 0)', () => {
    expect(toDayNumber({ year: 1970, month: 1, day: 1 })).toBe(0);
    expect(toDayNumber({ year: 2000, month: 3, day: 1 })).toBe(11017);
    expect(toDayNumber({ year: 1969, month: 12, day: 31 })).toBe(-1);
    for (const n of [-800000, -1, 0, 59, 60, 11016, 20000, 2932896]) {
      expect(toDayNumber(fromDayNumber(n))).toBe(n);
    }
  });

  it('adds days across month, year and leap-day boundaries without time zones', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2025-03-30', 1)).toBe('2025-03-31'); // DST change day in Italy: irrelevant here
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
    expect(formatIsoDate({ year: 987, month: 6, day: 5 })).toBe('0987-06-05');
  });

  it('computes ISO weekdays', () => {
    expect(weekday('1970-01-01')).toBe(4); // Thursday
    expect(weekday('2026-11-23')).toBe(1); // Monday
    expect(weekday('2000-01-01')).toBe(6); // Saturday
    expect(weekday('2026-10-04')).toBe(7); // Sunday
  });

  it('compares dates and rejects malformed input', () => {
    expect(compareIsoDates('2024-01-01', '2024-01-02')).toBeLessThan(0);
    expect(compareIsoDates('2024-01-02', '2024-01-02')).toBe(0);
    expect(() => addDays('2024-02-30', 1)).toThrow(RangeError);
  });
});
