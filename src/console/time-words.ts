/**
 * The two time axes in words (issue 11: "Status on 1 March 2026, as the records stood at
 * 1 December 2026 10:15 CST"): dates as Minnesotans write them, instants in Minnesota time with
 * the zone's abbreviation (CST or CDT).
 */
import { MINNESOTA_TIME_ZONE } from '../../projections';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** 2026-03-01 → "1 March 2026". */
export function dateInWords(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
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

function partsOf(instant: string): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const p of PARTS.formatToParts(new Date(instant))) parts[p.type] = p.value;
  return parts;
}

/** 2026-12-01T16:15:00.000Z → "1 December 2026 10:15 CST" (seconds when `seconds`). */
export function instantInWords(instant: string, options: { seconds?: boolean } = {}): string {
  const p = partsOf(instant);
  const time = options.seconds ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`;
  return `${Number(p.day)} ${MONTHS[Number(p.month) - 1]} ${p.year} ${time} ${p.timeZoneName}`;
}

/**
 * A "Known at" field's text as an ISO instant: an ISO-8601 instant with a zone as it is, or a
 * Minnesota wall-clock time "YYYY-MM-DD HH:MM[:SS]" (or with a T) converted; undefined when it is
 * neither. Over a DST change the earlier of two equal wall-clock times is taken.
 */
export function knownAtFromText(text: string): string | undefined {
  const trimmed = text.trim();
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(trimmed)) {
    return Number.isNaN(Date.parse(trimmed)) ? undefined : trimmed;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(trimmed);
  if (!m) return undefined;
  const [y, mo, d, h = '23', mi = '59', s = m[4] === undefined ? '59' : '00'] = m.slice(1);
  const wall = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, m[4] === undefined ? 999 : 0);
  if (new Date(wall).getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 59) return undefined;
  // Minnesota is UTC−6 (CST) or UTC−5 (CDT): take the offset that maps back to the same wall clock.
  for (const offsetHours of [6, 5]) {
    const candidate = new Date(wall + offsetHours * 3_600_000).toISOString();
    const p = partsOf(candidate);
    if (+p.hour === +h && +p.minute === +mi && +p.day === +d) return candidate;
  }
  return new Date(wall + 6 * 3_600_000).toISOString();
}
