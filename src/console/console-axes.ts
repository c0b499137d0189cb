/**
 * The two time axes of a page, from its URL query (SPEC §4a: `asOf`, `knownAt`), resolved as the
 * API resolves them (src/read/time-axes.ts). A value that cannot be used is named in a message and
 * the page shows the default instead, so a mistyped date is a sentence on the page, not a dead end.
 */
import { isAcceptedDate } from '../common/validation';
import { resolveTimeAxes, type TimeAxes } from '../read/time-axes';
import { Refusal } from '../write/refusals';
import { instantInWords, knownAtFromText } from './time-words';

export interface PageAxes {
  axes: TimeAxes;
  /** knownAt was not given: the records as they stand now. */
  live: boolean;
  /** What the Known at field shows back (as given, or empty for now). */
  knownAtText: string;
  problems: string[];
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

export function pageAxes(query: Record<string, unknown>, now = new Date()): PageAxes {
  const problems: string[] = [];
  const asOfText = text(query.asOf);
  let asOf: string | undefined = asOfText;
  const validDate: boolean = asOfText === undefined || isAcceptedDate(asOfText);
  if (asOfText !== undefined && !validDate) {
    problems.push(`As of: "${asOfText.slice(0, 40)}" is not a calendar date; showing today instead`);
    asOf = undefined;
  }
  const knownAtText = text(query.knownAt);
  let knownAt = knownAtText === undefined ? undefined : knownAtFromText(knownAtText);
  if (knownAtText !== undefined && knownAt === undefined) {
    problems.push(`Known at: "${knownAtText.slice(0, 40)}" is not a time; write Minnesota time as 2026-03-01 17:00, or an ISO instant; showing now instead`);
  }
  let axes: TimeAxes;
  try {
    axes = resolveTimeAxes({ asOf, knownAt }, now);
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    // The API's message names the field and an ISO instant; a person reads the moment in Minnesota time (docs/decisions.md W36).
    problems.push(
      knownAt !== undefined && Date.parse(knownAt) > now.getTime()
        ? `Known at: ${instantInWords(knownAt)} is still to come, and the records are known only up to now (${instantInWords(now.toISOString())}); showing the records as they stand now`
        : `Known at: ${error.messages.join('; ')}; showing now instead`,
    );
    knownAt = undefined;
    axes = resolveTimeAxes({ asOf }, now);
  }
  return { axes, live: knownAt === undefined, knownAtText: knownAt === undefined ? '' : (knownAtText ?? ''), problems };
}

/** The query string that reproduces these axes (empty parts left out). */
export function axesQuery(asOf: string | undefined, knownAtText: string | undefined, more: Record<string, string | number | undefined> = {}): string {
  const params = new URLSearchParams();
  if (asOf) params.set('asOf', asOf);
  if (knownAtText) params.set('knownAt', knownAtText);
  for (const [name, value] of Object.entries(more)) if (value !== undefined && value !== '') params.set(name, String(value));
  const q = params.toString();
  return q ? `?${q}` : '';
}
