/**
 * Dates and instants as people type them into the console and CSV files (docs/reference.md "Dates
 * a person types"; decisions W34): the one place where such text becomes the product's
 * `YYYY-MM-DD` and ISO instants. The JSON API takes ISO forms only (validation.ts).
 *
 * - A date: `YYYY-MM-DD`, or the US `M/D/YYYY` (`MM/DD/YYYY`; month first, a four-digit year),
 *   as provider exports and Excel write it: `8/12/2025` is 12 August 2025. A two-digit year
 *   (`8/12/25`) is refused: which century is not said.
 * - An instant ("Known at", "From", "To"): an ISO-8601 instant with a zone as it is, or a date in
 *   either form with an optional time `H:MM[:SS]` (24-hour) or `h:MM[:SS] AM/PM`, read as
 *   Minnesota wall-clock time (CST or CDT); a date alone is its last millisecond (its first where
 *   it starts a range: the access log's From). Over the autumn
 *   change of clocks the earlier of two equal wall-clock times is taken.
 */
import { getMetadataStorage } from 'class-validator';
import { MINNESOTA_TIME_ZONE } from '../../projections';
import { isAcceptedDate } from './validation';

/** The forms a typed date may take, as the messages and hints name them. */
export const DATE_FORMS = 'YYYY-MM-DD or M/D/YYYY, e.g. 2025-08-12 or 8/12/2025';
/** The forms a typed instant may take. */
export const INSTANT_FORMS = 'Minnesota time as 2026-03-01 17:00 or 3/1/2026 5:00 PM, or an ISO instant';

const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const TWO_DIGIT_YEAR = /^\d{1,2}\/\d{1,2}\/\d{2}$/;

/** A typed date as `YYYY-MM-DD`, or undefined when it is not a real calendar date in either form. */
export function localDateFromText(text: string): string | undefined {
  const trimmed = text.trim();
  if (isAcceptedDate(trimmed)) return trimmed;
  const us = US_DATE.exec(trimmed);
  if (!us) return undefined;
  const iso = `${us[3]}-${us[1].padStart(2, '0')}-${us[2].padStart(2, '0')}`;
  return isAcceptedDate(iso) ? iso : undefined;
}

/** The message for a date field whose text is not a date: the field's name first, as the DTOs' messages. */
export function dateProblem(field: string, text: string): string {
  const shown = text.trim().slice(0, 40);
  if (TWO_DIGIT_YEAR.test(shown)) return `${field} must be a real calendar date with a four-digit year ("${shown}" has two). Enter the date as ${DATE_FORMS}`;
  return `${field} must be a real calendar date ("${shown}" is not). Enter the date as ${DATE_FORMS}`;
}

/**
 * Reads the date fields of a body in place: each typed date becomes `YYYY-MM-DD`; the problems of
 * those that are not dates are returned (their text is left, and the DTO refuses it too).
 */
export function readDateFields(body: Record<string, unknown>, fields: Iterable<string>): string[] {
  const problems: string[] = [];
  for (const field of fields) {
    const value = body[field];
    if (typeof value !== 'string' || value.trim() === '') continue;
    const date = localDateFromText(value);
    if (date === undefined) problems.push(dateProblem(field, value));
    else body[field] = date;
  }
  return problems;
}

const dateFieldsByClass = new Map<Function, string[]>();

/** The properties of a DTO class checked by IsLocalDate (validation.ts): its date fields. */
export function localDateFields(dto: Function): string[] {
  let fields = dateFieldsByClass.get(dto);
  if (!fields) {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
    fields = [...new Set(metadata.filter((m) => m.name === 'isLocalDate').map((m) => m.propertyName))];
    dateFieldsByClass.set(dto, fields);
  }
  return fields;
}

/** Drops the DTO's own format message of a field already named by a problem (one message a field). */
export function withoutRepeats(problems: string[], messages: string[]): string[] {
  const named = problems.map((p) => p.slice(0, p.indexOf(' ')));
  return [...problems, ...messages.filter((m) => !named.some((field) => m.startsWith(`${field} must be a real calendar date in the form YYYY-MM-DD`)))];
}

const PARTS = new Intl.DateTimeFormat('en-US', {
  timeZone: MINNESOTA_TIME_ZONE,
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});

/** An instant's wall clock in Minnesota: year, month, day, hour, minute, second and the zone's abbreviation (CST or CDT). */
export function minnesotaParts(instant: Date | string): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const part of PARTS.formatToParts(typeof instant === 'string' ? new Date(instant) : instant)) parts[part.type] = part.value;
  return parts;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const WALL_CLOCK = /^(\S+?)(?:(?:[ T]|,\s*|\s+)(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?[Mm]\.?)?)?$/;

/**
 * A typed instant as an ISO instant (UTC or as given with its zone), or undefined when it is none
 * of the forms above.
 */
export function instantFromText(text: string, options: { dateAlone?: 'end' | 'start' } = {}): string | undefined {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  if (ISO_INSTANT.test(trimmed)) return Number.isNaN(Date.parse(trimmed)) || !isAcceptedDate(trimmed.slice(0, 10)) ? undefined : trimmed;
  const m = WALL_CLOCK.exec(trimmed);
  if (!m) return undefined;
  const date = localDateFromText(m[1]);
  if (!date) return undefined;
  const [y, mo, d] = date.split('-').map(Number);
  // A date alone: its last millisecond (the records as they stood that day), or its first (the start of a range).
  const start = options.dateAlone === 'start';
  let h = start ? 0 : 23;
  let mi = start ? 0 : 59;
  let s = start ? 0 : 59;
  let ms = start ? 0 : 999;
  if (m[2] !== undefined) {
    h = Number(m[2]);
    mi = Number(m[3]);
    s = m[4] === undefined ? 0 : Number(m[4]);
    ms = 0;
    if (m[5] !== undefined) {
      // 12-hour clock: 12:xx AM is just after midnight, 12:xx PM just after noon; 0 and 13-23 are not 12-hour times.
      if (h < 1 || h > 12) return undefined;
      h = (h % 12) + (/p/i.test(m[5]) ? 12 : 0);
    }
    if (h > 23 || mi > 59 || s > 59) return undefined;
  }
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Minnesota is UTC−6 (CST) or UTC−5 (CDT): take the offset that maps back to the same wall clock.
  for (const offsetHours of [6, 5]) {
    const candidate = new Date(wall + offsetHours * 3_600_000);
    const p = minnesotaParts(candidate);
    if (+p.hour === h && +p.minute === mi && +p.day === d) return candidate.toISOString();
  }
  return new Date(wall + 6 * 3_600_000).toISOString();
}
