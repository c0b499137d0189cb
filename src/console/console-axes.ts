/**
 * The two time axes of a page, from its URL query (docs/reference.md#web-console: `asOf`,
 * `knownAt`), resolved as the API resolves them (src/read/time-axes.ts). A value that cannot be
 * used is named in a message and the page shows the default instead, so a mistyped date is a
 * sentence on the page, not a dead end.
 */
import { DATE_FORMS, INSTANT_FORMS, localDateFromText } from '../common/dates';
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
  // YYYY-MM-DD or M/D/YYYY (src/common/dates.ts); the page and its links carry YYYY-MM-DD.
  let asOf: string | undefined = asOfText === undefined ? undefined : localDateFromText(asOfText);
  if (asOfText !== undefined && asOf === undefined) {
    problems.push(`As of: "${asOfText.slice(0, 40)}" is not a calendar date. Enter the date as ${DATE_FORMS}; showing today instead`);
  }
  const knownAtText = text(query.knownAt);
  let knownAt = knownAtText === undefined ? undefined : knownAtFromText(knownAtText);
  if (knownAtText !== undefined && knownAt === undefined) {
    problems.push(`Known at: "${knownAtText.slice(0, 40)}" is not a time; write ${INSTANT_FORMS}; showing now instead`);
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

/**
 * The one way to an officer's page (docs/decisions.md W45): `/officers/<id>`, the id encoded, with
 * the two time axes if given (as axesQuery) and an anchor (`event-<id>`) if given.
 */
export function officerUrl(officerId: string, options: { asOf?: string; knownAt?: string; anchor?: string } = {}): string {
  return `/officers/${encodeURIComponent(officerId)}${axesQuery(options.asOf, options.knownAt)}${options.anchor ? `#${options.anchor}` : ''}`;
}
