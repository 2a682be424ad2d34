// Date-only (civil) calendar arithmetic on 'YYYY-MM-DD' strings: no Date objects, no time zones.

/** A calendar date as 'YYYY-MM-DD' (ISO 8601 calendar date, proleptic Gregorian). */
export type IsoDate = string;

export interface CivilDate {
  readonly year: number;
  readonly month: number; // 1-12
  readonly day: number; // 1-31
}

export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7; // ISO 8601: 1 = Monday ... 7 = Sunday

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

// Gregorian leap-year rule (bull "Inter gravissimas", 1582).
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function isValidCivilDate(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day) &&
    year >= 1 &&
    year <= 9999 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  );
}

/** Parses a strict 'YYYY-MM-DD' string; undefined when malformed or not a real date. */
export function parseIsoDate(text: string): CivilDate | undefined {
  const m = ISO_DATE.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return isValidCivilDate(year, month, day) ? { year, month, day } : undefined;
}

export function isIsoDate(text: string): boolean {
  return parseIsoDate(text) !== undefined;
}

/** Parses or throws RangeError: for values that callers must already have validated. */
export function requireIsoDate(text: IsoDate): CivilDate {
  const d = parseIsoDate(text);
  if (!d) throw new RangeError(`not a valid YYYY-MM-DD date: ${JSON.stringify(text)}`);
  return d;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export function formatIsoDate({ year, month, day }: CivilDate): IsoDate {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

// Days since 1970-01-01 (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", days_from_civil).
export function toDayNumber({ year, month, day }: CivilDate): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

// Inverse of toDayNumber (H. Hinnant, civil_from_days).
export function fromDayNumber(days: number): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return formatIsoDate(fromDayNumber(toDayNumber(requireIsoDate(date)) + days));
}

/** ISO weekday: 1 = Monday ... 7 = Sunday (1970-01-01 was a Thursday). */
export function weekday(date: IsoDate): Weekday {
  const n = toDayNumber(requireIsoDate(date));
  return ((((((n + 3) % 7) + 7) % 7) + 1) as Weekday);
}

export function compareIsoDates(a: IsoDate, b: IsoDate): number {
  return toDayNumber(requireIsoDate(a)) - toDayNumber(requireIsoDate(b));
}

/** Today's date in UTC; the only clock read of the domain, used as a default that callers can override. */
export function todayUtc(): IsoDate {
  return new Date().toISOString().slice(0, 10);
}

// Built once: a DateTimeFormat costs far more to build than to use.
const ITALIAN_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar day in Italy (Europe/Rome) at an instant: the day offices, deadlines and registers count in. */
export function dateInItaly(at: Date): IsoDate {
  return ITALIAN_DAY.format(at);
}
