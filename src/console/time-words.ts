/**
 * The two time axes in words (docs/reference.md#web-console: "Status on 1 March 2026, as the
 * records stood at 1 December 2026 10:15 CST"): dates as Minnesotans write them, instants in
 * Minnesota time with the zone's abbreviation (CST or CDT).
 */
import { instantFromText, minnesotaParts } from '../common/dates';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** 2026-03-01 → "1 March 2026". */
export function dateInWords(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

const partsOf = (instant: string): Record<string, string> => minnesotaParts(instant);

/** 2026-12-01T16:15:00.000Z → "1 December 2026 10:15 CST" (seconds when `seconds`). */
export function instantInWords(instant: string, options: { seconds?: boolean } = {}): string {
  const p = partsOf(instant);
  const time = options.seconds ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`;
  return `${Number(p.day)} ${MONTHS[Number(p.month) - 1]} ${p.year} ${time} ${p.timeZoneName}`;
}

/**
 * A "Known at" (or "From", "To") field's text as an ISO instant: an ISO-8601 instant with a zone as
 * it is, or a Minnesota wall-clock time in the forms of src/common/dates.ts ("2026-03-01 17:00",
 * "3/1/2026 5:00 PM", a date alone for its last millisecond); undefined when it is none of them.
 */
export const knownAtFromText = (text: string): string | undefined => instantFromText(text);
