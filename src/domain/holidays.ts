// Italian national public holidays ("giorni festivi") and working-day arithmetic, date-only.
// Base: L. 27 maggio 1949 n. 260 (art. 2; art. 1 for the festa nazionale of 2 June), as amended by
// L. 5 marzo 1977 n. 54, DPR 28 dicembre 1985 n. 792, L. 20 novembre 2000 n. 336 and L. 8 ottobre 2025 n. 151.
// Modelled from 1978, the first full year of the L. 54/1977 regime; earlier years throw RangeError.
// Sundays are also "giorni festivi" by L. 260/1949 art. 2: they are handled as weekend days, not listed here.

import { addDays, formatIsoDate, fromDayNumber, parseIsoDate, requireIsoDate, toDayNumber, weekday, type IsoDate } from './dates.ts';

export const FIRST_SUPPORTED_YEAR = 1978;

export interface PublicHoliday {
  readonly date: IsoDate;
  /** Italian name of the holiday. */
  readonly name: string;
  readonly kind: 'national' | 'patron';
}

export interface HolidayOptions {
  /** The comune's patron saint day as 'MM-DD' (e.g. '06-17' San Ranieri in Pisa): a local holiday. */
  readonly patronDay?: string;
}

interface HolidayRule {
  readonly name: string;
  readonly from?: number;
  readonly date: (year: number, easter: number) => IsoDate;
}

const fixed = (month: number, day: number) => (year: number) => formatIsoDate({ year, month, day });
const easterOffset = (days: number) => (_year: number, easter: number) => formatIsoDate(fromDayNumber(easter + days));

const RULES: readonly HolidayRule[] = [
  { name: 'Capodanno', date: fixed(1, 1) }, // L. 260/1949 art. 2
  { name: 'Epifania', from: 1986, date: fixed(1, 6) }, // abolished by L. 54/1977, restored by DPR 792/1985 (in force 1 Jan 1986)
  { name: 'Pasqua', date: easterOffset(0) }, // a Sunday; listed for completeness (DPR 792/1985: "tutte le domeniche")
  { name: "Lunedì dell'Angelo", date: easterOffset(1) }, // L. 260/1949 art. 2 "il giorno di lunedì dopo Pasqua"
  { name: 'Festa della Liberazione', date: fixed(4, 25) }, // L. 260/1949 art. 2
  { name: 'Festa del Lavoro', date: fixed(5, 1) }, // L. 260/1949 art. 2
  { name: 'Festa della Repubblica', from: 2001, date: fixed(6, 2) }, // moved to a Sunday by L. 54/1977, restored by L. 336/2000 from 2001
  { name: 'Assunzione di Maria (Ferragosto)', date: fixed(8, 15) }, // L. 260/1949 art. 2
  { name: "San Francesco d'Assisi, patrono d'Italia", from: 2026, date: fixed(10, 4) }, // L. 151/2025, in force 1 Jan 2026
  { name: 'Ognissanti', date: fixed(11, 1) }, // L. 260/1949 art. 2
  { name: 'Immacolata Concezione', date: fixed(12, 8) }, // L. 260/1949 art. 2
  { name: 'Natale', date: fixed(12, 25) }, // L. 260/1949 art. 2
  { name: 'Santo Stefano', date: fixed(12, 26) }, // L. 260/1949 art. 2 "il giorno 26 dicembre"
];

/** Easter Sunday (Gregorian) by the anonymous algorithm (Meeus/Jones/Butcher, "Nature" 1876). */
export function easterSunday(year: number): IsoDate {
  if (!Number.isInteger(year) || year < 1583 || year > 9999) throw new RangeError(`unsupported year ${year}`);
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return formatIsoDate({ year, month, day });
}

function requireSupportedYear(year: number): void {
  if (!Number.isInteger(year) || year < FIRST_SUPPORTED_YEAR || year > 9999) {
    throw new RangeError(`holidays are modelled for years ${FIRST_SUPPORTED_YEAR}-9999, got ${year}`);
  }
}

function patronHoliday(year: number, patronDay: string | undefined): PublicHoliday[] {
  if (patronDay === undefined) return [];
  // Checked against leap year 2000 so that '02-29' is accepted (it then applies in leap years only).
  if (!/^\d{2}-\d{2}$/.test(patronDay) || !parseIsoDate(`2000-${patronDay}`)) {
    throw new RangeError(`patronDay must be 'MM-DD', got ${JSON.stringify(patronDay)}`);
  }
  const date = `${String(year).padStart(4, '0')}-${patronDay}`;
  return parseIsoDate(date) ? [{ date, name: 'Santo patrono', kind: 'patron' }] : [];
}

/** National holidays of a year (plus the patron day when given), sorted by date. */
export function publicHolidays(year: number, options: HolidayOptions = {}): PublicHoliday[] {
  requireSupportedYear(year);
  const easter = toDayNumber(requireIsoDate(easterSunday(year)));
  const national: PublicHoliday[] = RULES.filter((r) => r.from === undefined || year >= r.from).map((r) => ({
    date: r.date(year, easter),
    name: r.name,
    kind: 'national',
  }));
  return [...national, ...patronHoliday(year, options.patronDay)].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** True on a national holiday or on the given patron day (Sundays are not listed: see isWorkingDay). */
export function isPublicHoliday(date: IsoDate, options: HolidayOptions = {}): boolean {
  const { year } = requireIsoDate(date);
  return publicHolidays(year, options).some((h) => h.date === date);
}

/** Monday to Friday and not a public holiday (nor the patron day, when given). */
export function isWorkingDay(date: IsoDate, options: HolidayOptions = {}): boolean {
  return weekday(date) <= 5 && !isPublicHoliday(date, options);
}

export interface NextWorkingDayOptions extends HolidayOptions {
  /** Return `date` itself when it is a working day (e.g. deadlines postponed only when they fall on a holiday). */
  readonly inclusive?: boolean;
}

/** The first working day after `date` (or on it, with `inclusive`). */
export function nextWorkingDay(date: IsoDate, options: NextWorkingDayOptions = {}): IsoDate {
  let current = options.inclusive === true ? date : addDays(date, 1);
  while (!isWorkingDay(current, options)) current = addDays(current, 1);
  return current;
}

/**
 * Moves `n` working days from `date` (backwards when n is negative); `date` itself is not counted.
 * With n = 0 the date is returned unchanged.
 */
export function addWorkingDays(date: IsoDate, n: number, options: HolidayOptions = {}): IsoDate {
  if (!Number.isInteger(n)) throw new RangeError(`n must be an integer, got ${n}`);
  requireIsoDate(date);
  const step = n < 0 ? -1 : 1;
  let current = date;
  for (let remaining = Math.abs(n); remaining > 0; ) {
    current = addDays(current, step);
    if (isWorkingDay(current, options)) remaining--;
  }
  return current;
}
