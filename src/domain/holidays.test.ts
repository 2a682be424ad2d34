import { describe, expect, it } from 'vitest';
import { addWorkingDays, easterSunday, isPublicHoliday, isWorkingDay, nextWorkingDay, publicHolidays } from './holidays.ts';

describe('easterSunday (anonymous Gregorian algorithm)', () => {
  it.each([
    [1818, '1818-03-22'], // earliest possible date
    [1943, '1943-04-25'],
    [2000, '2000-04-23'],
    [2008, '2008-03-23'],
    [2011, '2011-04-24'],
    [2019, '2019-04-21'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2038, '2038-04-25'], // latest possible date
  ])('%i -> %s', (year, date) => {
    expect(easterSunday(year)).toBe(date);
  });
});

describe('publicHolidays', () => {
  it('lists the 2026 national holidays, with San Francesco (L. 151/2025)', () => {
    expect(publicHolidays(2026).map((h) => h.date)).toEqual([
      '2026-01-01',
      '2026-01-06',
      '2026-04-05',
      '2026-04-06',
      '2026-04-25',
      '2026-05-01',
      '2026-06-02',
      '2026-08-15',
      '2026-10-04',
      '2026-11-01',
      '2026-12-08',
      '2026-12-25',
      '2026-12-26',
    ]);
    expect(publicHolidays(2026).find((h) => h.date === '2026-04-06')?.name).toBe("Lunedì dell'Angelo");
  });

  it('has no 4 October before 2026', () => {
    expect(publicHolidays(2025).map((h) => h.date)).not.toContain('2025-10-04');
    expect(publicHolidays(2025)).toHaveLength(12);
  });

  it('follows the 1977-2000 amendments', () => {
    const y1980 = publicHolidays(1980).map((h) => h.date);
    expect(y1980).not.toContain('1980-01-06'); // Epifania abolished by L. 54/1977
    expect(y1980).not.toContain('1980-06-02'); // moved to the first Sunday of June
    const y1990 = publicHolidays(1990).map((h) => h.date);
    expect(y1990).toContain('1990-01-06'); // restored by DPR 792/1985
    expect(y1990).not.toContain('1990-06-02');
    expect(publicHolidays(2001).map((h) => h.date)).toContain('2001-06-02'); // restored by L. 336/2000
  });

  it('adds the patron day as a local holiday', () => {
    const pisa = publicHolidays(2026, { patronDay: '06-17' });
    expect(pisa).toContainEqual({ date: '2026-06-17', name: 'Santo patrono', kind: 'patron' });
    expect(pisa).toHaveLength(14);
    expect(publicHolidays(2025, { patronDay: '02-29' })).toHaveLength(12);
    expect(publicHolidays(2028, { patronDay: '02-29' }).map((h) => h.date)).toContain('2028-02-29');
  });

  it('rejects unsupported years and malformed patron days', () => {
    expect(() => publicHolidays(1977)).toThrow(RangeError);
    expect(() => publicHolidays(2026.5)).toThrow(RangeError);
    expect(() => publicHolidays(2026, { patronDay: '6-17' })).toThrow(RangeError);
    expect(() => publicHolidays(2026, { patronDay: '02-30' })).toThrow(RangeError);
  });
});

describe('isPublicHoliday', () => {
  it('recognises fixed and movable holidays', () => {
    expect(isPublicHoliday('2026-04-06')).toBe(true);
    expect(isPublicHoliday('2025-04-21')).toBe(true);
    expect(isPublicHoliday('2026-04-07')).toBe(false);
    expect(isPublicHoliday('2026-10-04')).toBe(true);
    expect(isPublicHoliday('2025-10-04')).toBe(false);
    expect(isPublicHoliday('2026-11-04')).toBe(false); // Unità nazionale: not a holiday since L. 54/1977
  });

  it('counts the patron day only when given', () => {
    expect(isPublicHoliday('2026-06-29')).toBe(false);
    expect(isPublicHoliday('2026-06-29', { patronDay: '06-29' })).toBe(true); // SS. Pietro e Paolo, Roma
  });

  it('rejects malformed dates', () => {
    expect(() => isPublicHoliday('2026-02-30')).toThrow(RangeError);
    expect(() => isPublicHoliday('04/10/2026')).toThrow(RangeError);
  });
});

describe('working days', () => {
  it('excludes weekends and holidays', () => {
    expect(isWorkingDay('2026-11-23')).toBe(true); // Monday
    expect(isWorkingDay('2026-11-21')).toBe(false); // Saturday
    expect(isWorkingDay('2026-11-22')).toBe(false); // Sunday
    expect(isWorkingDay('2026-12-08')).toBe(false); // Tuesday, Immacolata
    expect(isWorkingDay('2026-06-17', { patronDay: '06-17' })).toBe(false);
  });

  it('nextWorkingDay skips weekends and holidays', () => {
    expect(nextWorkingDay('2026-04-03')).toBe('2026-04-07'); // Friday -> Easter weekend and Monday
    expect(nextWorkingDay('2027-10-01')).toBe('2027-10-05'); // Friday -> Monday 4 October
    expect(nextWorkingDay('2026-12-24')).toBe('2026-12-28');
    expect(nextWorkingDay('2026-11-23')).toBe('2026-11-24');
    expect(nextWorkingDay('2026-11-23', { inclusive: true })).toBe('2026-11-23');
    expect(nextWorkingDay('2026-11-22', { inclusive: true })).toBe('2026-11-23');
  });

  it('addWorkingDays counts forwards and backwards, excluding the start date', () => {
    expect(addWorkingDays('2025-12-23', 2)).toBe('2025-12-29');
    expect(addWorkingDays('2026-04-03', 1)).toBe('2026-04-07');
    expect(addWorkingDays('2026-04-07', -1)).toBe('2026-04-03');
    expect(addWorkingDays('2026-12-31', 1)).toBe('2027-01-04');
    expect(addWorkingDays('2026-11-23', 5)).toBe('2026-11-30');
    expect(addWorkingDays('2026-11-22', 0)).toBe('2026-11-22');
    expect(addWorkingDays('2026-06-16', 1, { patronDay: '06-17' })).toBe('2026-06-18');
  });

  it('handles long spans', () => {
    // 2026 has 261 weekdays; 7 holidays fall on one (1/1, 6/1, Easter Monday, 1/5, 2/6, 8/12, 25/12), while
    // 25/4, 15/8 and 26/12 are Saturdays and 4/10, 1/11 Sundays: 254 working days.
    expect(addWorkingDays('2025-12-31', 254)).toBe('2026-12-31');
    expect(addWorkingDays('2026-12-31', -254)).toBe('2025-12-31');
    expect(addWorkingDays('2025-12-31', 251)).toBe('2026-12-28');
  });

  it('rejects invalid arguments', () => {
    expect(() => addWorkingDays('2026-11-23', 1.5)).toThrow(RangeError);
    expect(() => addWorkingDays('2026-13-01', 1)).toThrow(RangeError);
  });
});
