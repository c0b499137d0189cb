/**
 * The officer's status over time: maximal intervals of days on which the status, the outcome of
 * every rule and the restricted duties are the same. Computed by evaluating only the candidate
 * change dates (not day by day): every effective date and the day after it, the day each rule
 * comes into force (2025-09-01) and the day after, each rule's own deadlines and the day after
 * them (its changeDates: the grace, legacy and refresher deadlines), and each July 1 (school-year
 * turn). Between two consecutive candidates nothing the rules compare against changes, so the
 * answer is constant there.
 */
import { addDays, assertLocalDate, type LocalDate } from './dates';
import type { Facts } from './facts';
import type { OfficerLedger } from './input';
import { factsKnownAt, statusOn } from './officer-status';
import { RULES, type RuleModule } from './rules';
import type { Outcome, RuleId, Status } from './types';

export interface StatusInterval {
  from: LocalDate;
  /** Inclusive last day; null = open-ended. */
  to: LocalDate | null;
  status: Status;
  /** The outcome of every rule (all 7, in the order of docs/reference.md#rules) throughout the interval. */
  rules: { rule: RuleId; outcome: Outcome }[];
  restrictedDuties: string[];
}

/** The dates on which the answer can change, sorted and distinct. */
export function candidateDates(facts: Facts): LocalDate[] {
  return candidateDatesOf(facts, RULES);
}

/**
 * The dates on which the outcome of one of `rules` can change, sorted and distinct: what every
 * rule shares (each effective date, the day the rule comes into force, each July 1 from the year
 * of the earliest to the year after the latest) and each rule's own changeDates; each date and
 * the day after it.
 */
export function candidateDatesOf(facts: Facts, rules: readonly RuleModule[]): LocalDate[] {
  const points = new Set<LocalDate>();
  const add = (d: LocalDate) => {
    points.add(d);
    points.add(addDays(d, 1));
  };
  for (const d of facts.effectiveDates) add(d);
  for (const rule of rules) {
    add(rule.inForceFrom);
    for (const d of rule.changeDates(facts)) add(d);
  }
  const sorted = [...points].sort();
  const first = Number(sorted[0].slice(0, 4));
  const last = Number(sorted[sorted.length - 1].slice(0, 4));
  for (let y = first; y <= last + 1; y++) points.add(`${String(y).padStart(4, '0')}-07-01`);
  return [...points].sort();
}

/** The day the first rule comes into force (2025-09-01). */
const RULES_FROM: LocalDate = RULES.map((r) => r.inForceFrom).sort()[0];

const sameAnswer = (a: StatusInterval, b: StatusInterval) =>
  a.status === b.status &&
  a.rules.every((r, i) => r.outcome === b.rules[i].outcome) &&
  a.restrictedDuties.join('\n') === b.restrictedDuties.join('\n');

export function intervalsOf(facts: Facts, range: { from?: string; to?: string } = {}): StatusInterval[] {
  if (range.from !== undefined) assertLocalDate(range.from, 'from');
  if (range.to !== undefined) assertLocalDate(range.to, 'to');
  const candidates = candidateDates(facts);
  const earliest = facts.effectiveDates.length > 0 && facts.effectiveDates[0] < RULES_FROM ? facts.effectiveDates[0] : RULES_FROM;
  const from = range.from ?? earliest;
  const to = range.to ?? null;
  if (to !== null && to < from) return [];
  const starts = [from, ...candidates.filter((d) => d > from && (to === null || d <= to))];
  const intervals: StatusInterval[] = [];
  for (let i = 0; i < starts.length; i++) {
    const s = statusOn(facts, starts[i]);
    const interval: StatusInterval = {
      from: starts[i],
      to: i + 1 < starts.length ? addDays(starts[i + 1], -1) : to,
      status: s.status,
      rules: s.findings.map((f) => ({ rule: f.rule, outcome: f.outcome })),
      restrictedDuties: s.restrictedDuties,
    };
    const prev = intervals[intervals.length - 1];
    if (prev && sameAnswer(prev, interval)) prev.to = interval.to;
    else intervals.push(interval);
  }
  return intervals;
}

/**
 * Status intervals according to the events recorded at or before `knownAt`. Without range.from
 * they start at the earliest candidate date (the earliest effective date in the ledger, or
 * 2025-09-01, when the rules come into force, if that is earlier); without range.to the last one is open-ended (to: null).
 */
export function statusIntervals(ledger: OfficerLedger, knownAt: string, range?: { from?: string; to?: string }): StatusInterval[] {
  return intervalsOf(factsKnownAt(ledger, knownAt), range);
}
