/**
 * Calendar arithmetic on LocalDate strings ('YYYY-MM-DD', America/Chicago calendar dates).
 *
 * Every computation goes through a day number (days since 1970-01-01 on the proleptic Gregorian
 * calendar, computed with UTC fields only), so no result depends on the machine's time zone.
 * Month and year arithmetic is date-fns addMonths/addYears on a UTC-pinned TZDate, which clamp to
 * the month end (Aug 31 + 6 months = Feb 28/29; Feb 29 + 3 years = Feb 28).
 */
import { TZDate } from '@date-fns/tz';
import { addMonths as dateFnsAddMonths, format as formatDate } from 'date-fns';

export type LocalDate = string;

const MS_PER_DAY = 86_400_000;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month1: number): number {
  return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month1 - 1];
}

/** The zone of every effective date (docs/reference.md#time): "today" is the calendar date in Minnesota. */
export const MINNESOTA_TIME_ZONE = 'America/Chicago';

/** Memo of isLocalDate: a ledger repeats the same few thousand dates, and the check runs for every fact of every query. */
const localDateCache = new Map<string, boolean>();
const LOCAL_DATE_CACHE_LIMIT = 100_000;

/** True for a real calendar date written 'YYYY-MM-DD' (so '2026-02-30' is false). */
export function isLocalDate(value: unknown): value is LocalDate {
  if (typeof value !== 'string') return false;
  let known = localDateCache.get(value);
  if (known === undefined) {
    known = checkLocalDate(value);
    if (localDateCache.size >= LOCAL_DATE_CACHE_LIMIT) localDateCache.clear();
    localDateCache.set(value, known);
  }
  return known;
}

function checkLocalDate(value: string): boolean {
  const m = LOCAL_DATE.exec(value);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

export function assertLocalDate(value: unknown, name = 'date'): asserts value is LocalDate {
  if (!isLocalDate(value)) throw new RangeError(`${name} must be a calendar date YYYY-MM-DD, got ${JSON.stringify(value)}`);
}

function parts(date: LocalDate): [number, number, number] {
  assertLocalDate(date);
  return [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
}

function format(year: number, month1: number, day: number): LocalDate {
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  return `${pad(year, 4)}-${pad(month1, 2)}-${pad(day, 2)}`;
}

/** Days since 1970-01-01. */
export function toDayNumber(date: LocalDate): number {
  const [y, m, d] = parts(date);
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  return Math.round(t.getTime() / MS_PER_DAY);
}

export function fromDayNumber(day: number): LocalDate {
  const t = new Date(day * MS_PER_DAY);
  return format(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return fromDayNumber(toDayNumber(date) + days);
}

/** b − a in days. */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return toDayNumber(b) - toDayNumber(a);
}

/** A LocalDate as a date-fns date pinned to UTC, so that no result depends on the machine's zone. */
const utcDate = (date: LocalDate): TZDate => {
  const [y, m, d] = parts(date);
  return new TZDate(y, m - 1, d, 'UTC');
};
const fromUtcDate = (date: Date): LocalDate => formatDate(date, 'yyyy-MM-dd');

/** Memo of addMonths: the rules ask for the same few deadlines again and again, and TZDate is slow. */
const monthCache = new Map<string, LocalDate>();
const MONTH_CACHE_LIMIT = 100_000;

/**
 * Adds calendar months with date-fns, which clamps to the month end (Aug 31 + 6 months = Feb
 * 28/29), as docs/reference.md#rules says.
 */
export function addMonths(date: LocalDate, months: number): LocalDate {
  const key = `${date}|${months}`;
  let result = monthCache.get(key);
  if (result === undefined) {
    result = fromUtcDate(dateFnsAddMonths(utcDate(date), months));
    if (monthCache.size >= MONTH_CACHE_LIMIT) monthCache.clear();
    monthCache.set(key, result);
  }
  return result;
}

/** Adds years with date-fns (Feb 29 + 3 years = Feb 28). */
export function addYears(date: LocalDate, years: number): LocalDate {
  return addMonths(date, years * 12); // date-fns addYears is addMonths(date, 12 * years)
}

/** 'YYYY-MM-DD' strings with four-digit years order lexicographically as dates. */
export const maxDate = (a: LocalDate, b: LocalDate): LocalDate => (a >= b ? a : b);

/** First day (July 1) of the school year containing `date` (July 1 – June 30). */
export function schoolYearStart(date: LocalDate): LocalDate {
  const [y, m] = parts(date);
  return format(m >= 7 ? y : y - 1, 7, 1);
}

/** Last day (June 30) of the school year containing `date`. */
export function schoolYearEnd(date: LocalDate): LocalDate {
  return addDays(addYears(schoolYearStart(date), 1), -1);
}

/** '2025-26' for the school year containing `date`. */
export function schoolYearLabel(date: LocalDate): string {
  const start = Number(schoolYearStart(date).slice(0, 4));
  return `${start}-${String((start + 1) % 100).padStart(2, '0')}`;
}

/** The last instant parsed: consecutive events of one append share their recordedAt. */
let lastInstant = '';
let lastInstantMs = NaN;

/** Parses an ISO-8601 instant (offsets allowed) to epoch milliseconds; throws on garbage. */
export function parseInstant(instant: string, name = 'instant'): number {
  if (instant === lastInstant) return lastInstantMs;
  const ms = typeof instant === 'string' ? Date.parse(instant) : NaN;
  if (Number.isNaN(ms)) throw new RangeError(`${name} must be an ISO-8601 instant, got ${JSON.stringify(instant)}`);
  lastInstant = instant;
  lastInstantMs = ms;
  return ms;
}

/**
 * The calendar date of an instant in a time zone (default America/Chicago, docs/reference.md#time).
 * The query layer uses it to compute the default `asOf` ("today in Minnesota") from the current
 * instant; the projections themselves never read the clock.
 */
export function localDateAt(instant: Date | string | number, timeZone = MINNESOTA_TIME_ZONE): LocalDate {
  const ms = instant instanceof Date ? instant.getTime() : typeof instant === 'number' ? instant : parseInstant(instant);
  const zoned = new TZDate(ms, timeZone);
  return format(zoned.getFullYear(), zoned.getMonth() + 1, zoned.getDate());
}
