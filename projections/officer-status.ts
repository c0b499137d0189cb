/**
 * The status of one officer on one day (docs/reference.md#rules), from the events known at
 * `knownAt`.
 */
import { dayContext, type DayContext } from './context';
import { assertLocalDate, type LocalDate } from './dates';
import { buildFacts, type Facts } from './facts';
import type { OfficerLedger } from './input';
import { PRE_STATUTE_STATUS, SUBSTITUTE_EXEMPT_REQUIRES_POLICY_REVIEW } from './interpretation';
import { know } from './knowledge';
import { STATUTE_START } from './law';
import { RULES } from './rules';
import type { Finding, Status } from './types';

export type { Finding, Outcome, RuleId, Status } from './types';

export interface OfficerStatus {
  status: Status;
  /** The subd. 2(a) duties the officer is not required to perform on the day; each names its clause. */
  restrictedDuties: string[];
  /** One per rule id, always all 7, in the order of docs/reference.md#rules. */
  findings: Finding[];
}

/** The knowledge step and the fact model, once per (ledger, knownAt). */
export function factsKnownAt(ledger: OfficerLedger, knownAt: string): Facts {
  return buildFacts(ledger.officerId, ledger.name, know(ledger, knownAt));
}

function notApplicable(ctx: DayContext, why: string): Finding[] {
  return RULES.map((r) => ({ rule: r.id, citation: r.citation, outcome: 'NOT_APPLICABLE' as const, explanation: why, evidence: [] }));
}

/** Evaluates every rule on `day` against already known facts. */
/** True when the officer is off the agency's active roster on `day` (separated on or before it). */
export const separatedBy = (facts: Facts, day: LocalDate): boolean => facts.separation !== null && facts.separation.separatedOn <= day;

export function statusOn(facts: Facts, day: LocalDate): OfficerStatus {
  if (separatedBy(facts, day)) {
    const s = facts.separation!;
    const why = `Separated from the agency on ${s.separatedOn} (${s.reason}): off the active roster from that day; no rule applies.`;
    return { status: 'NOT_ASSIGNED', restrictedDuties: [], findings: RULES.map((r) => ({ rule: r.id, citation: r.citation, outcome: 'NOT_APPLICABLE' as const, explanation: why, evidence: [s.eventId] })) };
  }
  const ctx = dayContext(facts, day);
  if (ctx.role.kind === 'NONE') {
    return {
      status: 'NOT_ASSIGNED',
      restrictedDuties: [],
      findings: notApplicable(ctx, `Not an SRO on ${day} (no assignment covers it) and no substitute contact day in its school year up to ${day}.`),
    };
  }
  if (ctx.preStatute) {
    return {
      status: PRE_STATUTE_STATUS,
      restrictedDuties: [],
      findings: notApplicable(ctx, `${day} is before ${STATUTE_START}, when the obligations of Minn. Stat. 626.8482 subd. 3 begin.`),
    };
  }
  // A rule not yet in force on the day is NOT_APPLICABLE (every rule is in force from 2025-09-01, the day preStatute ends).
  const findings = RULES.map((r) =>
    day < r.inForceFrom
      ? { rule: r.id, citation: r.citation, outcome: 'NOT_APPLICABLE' as const, explanation: `${day} is before ${r.inForceFrom}, when this rule (${r.citation}) comes into force.`, evidence: [] }
      : r.evaluate(ctx),
  );
  // The duties the rules' findings lift, each once, in the order the rules give them.
  const restrictedDuties = [...new Set(RULES.flatMap((r, i) => (day < r.inForceFrom ? [] : r.restrictedDuties(ctx, findings[i]))))];

  let status: Status;
  const violated = findings.some((f) => f.outcome === 'VIOLATED');
  if (violated && (!ctx.substituteExempt || SUBSTITUTE_EXEMPT_REQUIRES_POLICY_REVIEW)) status = 'NON_COMPLIANT';
  else if (ctx.substituteExempt) status = 'EXEMPT';
  else if (findings.some((f) => f.outcome === 'PENDING')) status = 'CONDITIONAL';
  else status = 'COMPLIANT';
  return { status, restrictedDuties, findings };
}

/** The officer's status on `asOf` (a LocalDate) according to the events recorded at or before `knownAt`. */
export function officerStatus(ledger: OfficerLedger, asOf: string, knownAt: string): OfficerStatus {
  assertLocalDate(asOf, 'asOf');
  return statusOn(factsKnownAt(ledger, knownAt), asOf);
}

/**
 * officerStatus with the knowledge step already done: `facts` from factsKnownAt(ledger, knownAt).
 * For callers that keep facts between queries (the same facts answer every asOf).
 */
export function statusFromFacts(facts: Facts, asOf: string): OfficerStatus {
  assertLocalDate(asOf, 'asOf');
  return statusOn(facts, asOf);
}
