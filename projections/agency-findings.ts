/**
 * The agency's own obligations (SPEC §3 "Agency findings"), judged on one day D from the agency's
 * records (agency-records.ts) and what its officers do on D:
 * - SRO_POLICY_ADOPTED: an SRO policy version is in force on D;
 * - CONTRACT_FOR_EACH_ASSIGNMENT: every school of every SRO assignment in force on D is covered
 *   by a contract in force on D;
 * - CONTRACT_TERMS: each contract in force on D addresses the clauses the model policy asks for
 *   (one finding per contract).
 * Pure: the caller gives the officers' facts (as known at knownAt) and D.
 */
import { CONTRACT_CLAUSES, type ContractClause } from '../events/catalogue';
import { contractsCovering, inForceOn, termsOn, type AgencyRecords, type Contract, type ContractTerms } from './agency-records';
import { covers, policyInForce, roleOn } from './context';
import { addDays, daysBetween, maxDate, type LocalDate } from './dates';
import type { Facts } from './facts';
import { AGENCY_RULES_FROM, CONTRACT_CLAUSE_DUTIES, SHOULD_CLAUSE_OUTCOME } from './interpretation';
import { LATEST_MODEL_REVISION, STATUTE_START } from './law';
import { separatedBy } from './officer-status';
import { OUTCOMES } from './types';

export const AGENCY_RULE_IDS = ['SRO_POLICY_ADOPTED', 'CONTRACT_FOR_EACH_ASSIGNMENT', 'CONTRACT_TERMS'] as const;
export type AgencyRuleId = (typeof AGENCY_RULE_IDS)[number];

/**
 * The outcomes of agency findings: the officer outcomes, and ADVISORY, for a clause the model
 * policy says a contract "should" address and it does not (decision 26): reported, never a
 * violation.
 */
export const AGENCY_OUTCOMES = [...OUTCOMES, 'ADVISORY'] as const;
export type AgencyOutcome = (typeof AGENCY_OUTCOMES)[number];

export const AGENCY_CITATIONS: Record<AgencyRuleId, string> = {
  SRO_POLICY_ADOPTED: 'Minn. Stat. 626.8482 subd. 6; Minn. R. 6700.1615',
  CONTRACT_FOR_EACH_ASSIGNMENT: 'Minn. Stat. 626.8482 subd. 1(c); policy "Definitions"',
  CONTRACT_TERMS: 'policy "General contractual agreements"; policy "Data practices"',
};

export interface AgencyFinding {
  rule: AgencyRuleId;
  citation: string;
  outcome: AgencyOutcome;
  /** On every VIOLATED finding. */
  dueDate?: LocalDate;
  explanation: string;
  evidence: string[];
  /** CONTRACT_TERMS: the contract judged. */
  contractId?: string;
}

/** What the agency findings need of one officer on D. null: separated by D, off the roster. */
export interface OfficerOnDay {
  officerId: string;
  /** An SRO or a substitute on D. */
  inRole: boolean;
  /** The before-duty due date of the policy review (the policy had to exist by then), when in role. */
  policyDueDate: LocalDate | null;
  /** The officer's assignments in force on D. */
  assignments: { assignmentId: string; schools: string[]; startDate: LocalDate; eventId: string }[];
}

export function officerOnDay(facts: Facts, day: LocalDate): OfficerOnDay | null {
  if (separatedBy(facts, day)) return null;
  const role = roleOn(facts, day);
  const policyDueDate =
    role.kind === 'SRO' ? maxDate(role.dutyStart, STATUTE_START) : role.kind === 'SUBSTITUTE' ? maxDate(role.firstContactDay, STATUTE_START) : null;
  return {
    officerId: facts.officerId,
    inRole: role.kind !== 'NONE',
    policyDueDate,
    assignments: facts.assignments
      .filter((a) => covers(a, day))
      .map((a) => ({ assignmentId: a.assignmentId, schools: a.schools, startDate: a.startDate, eventId: a.assignedEventId })),
  };
}

const finding = (rule: AgencyRuleId, outcome: AgencyOutcome, explanation: string, evidence: string[], dueDate?: LocalDate, contractId?: string): AgencyFinding => ({
  rule,
  citation: AGENCY_CITATIONS[rule],
  outcome,
  ...(dueDate !== undefined ? { dueDate } : {}),
  explanation,
  evidence,
  ...(contractId !== undefined ? { contractId } : {}),
});

const list = (items: string[]): string => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

function policyAdopted(records: AgencyRecords, officers: OfficerOnDay[], day: LocalDate): AgencyFinding {
  const rule = 'SRO_POLICY_ADOPTED';
  const inRole = officers.filter((o) => o.inRole);
  const policy = policyInForce(records.policies, day);
  if (inRole.length === 0 && !policy) return finding(rule, 'NOT_APPLICABLE', `No SRO or substitute SRO of the agency on ${day}, and no SRO policy adopted by then.`, []);
  if (!policy) {
    const due = inRole.map((o) => o.policyDueDate!).sort()[0];
    return finding(
      rule,
      'VIOLATED',
      `No SRO policy adopted by ${day}; ${inRole.length} officer(s) serve as SRO or substitute SRO on that day, the first of them due to review it by ${due}.`,
      [],
      due,
    );
  }
  const adopted = `SRO policy version ${policy.version} (adopted ${policy.adoptedOn}) is in force on ${day}`;
  if (!policy.modelRevision) {
    return finding(rule, 'MET', `${adopted}; which POST Board model policy revision it follows was not recorded (the latest the product knows is ${LATEST_MODEL_REVISION}).`, [policy.eventId]);
  }
  if (policy.modelRevision < LATEST_MODEL_REVISION) {
    return finding(
      rule,
      'MET',
      `${adopted}, following the POST Board model policy revision of ${policy.modelRevision}, older than the latest the product knows (${LATEST_MODEL_REVISION}): ` +
        'a reminder to update it, not a violation (Minn. R. 6700.1615 asks for a policy identical or substantially similar to the model).',
      [policy.eventId],
    );
  }
  return finding(rule, 'MET', `${adopted}, following the POST Board model policy revision of ${policy.modelRevision}.`, [policy.eventId]);
}

/** The days on which a contract's coverage can change, in ascending order. */
function changePoints(records: AgencyRecords): LocalDate[] {
  const points = new Set<LocalDate>();
  for (const c of records.contracts) {
    points.add(c.effectiveFrom);
    for (const a of c.amendments) points.add(a.effectiveOn);
    for (const d of [c.effectiveTo, c.endedOn, ...c.amendments.map((a) => a.effectiveTo ?? null)]) if (d) points.add(addDays(d, 1));
  }
  return [...points].sort();
}

/** The first day of the uncovered stretch of `school` that includes `day`, for an assignment since `start`. */
function uncoveredSince(records: AgencyRecords, points: LocalDate[], school: string, start: LocalDate, day: LocalDate): LocalDate {
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i];
    if (p > day || p <= start) continue;
    if (contractsCovering(records, school, addDays(p, -1)).length > 0) return p;
  }
  return start;
}

/** At most the first 10 uncovered schools by name, and how many more (an agency without contracts would list every assignment). */
const SHOWN_UNCOVERED = 10;
function uncoveredList(texts: string[]): string {
  if (texts.length <= SHOWN_UNCOVERED) return list(texts);
  return `${list(texts.slice(0, SHOWN_UNCOVERED))} and ${texts.length - SHOWN_UNCOVERED} more assignment school(s) (the evidence lists every assignment)`;
}

function contractForEachAssignment(records: AgencyRecords, officers: OfficerOnDay[], day: LocalDate): AgencyFinding {
  const rule = 'CONTRACT_FOR_EACH_ASSIGNMENT';
  const assignments = officers.flatMap((o) => o.assignments.map((a) => ({ ...a, officerId: o.officerId })));
  if (assignments.length === 0) return finding(rule, 'NOT_APPLICABLE', `No SRO assignment of the agency is in force on ${day}.`, []);
  const points = changePoints(records);
  const covered: string[] = [];
  const uncovered: { text: string; since: LocalDate; eventId: string }[] = [];
  const evidence = new Set<string>();
  for (const a of assignments) {
    for (const school of a.schools) {
      const by = contractsCovering(records, school, day);
      if (by.length > 0) {
        for (const t of by) t.evidence.forEach((e) => evidence.add(e));
        evidence.add(a.eventId);
        covered.push(school);
        continue;
      }
      const since = uncoveredSince(records, points, school, maxDate(a.startDate, STATUTE_START), day);
      uncovered.push({ text: `${school} (officer ${a.officerId}, assignment ${a.assignmentId}, uncovered since ${since})`, since, eventId: a.eventId });
    }
  }
  if (uncovered.length === 0) {
    return finding(rule, 'MET', `Every school of the ${assignments.length} SRO assignment(s) in force on ${day} is covered by an SRO contract in force that day.`, [...evidence]);
  }
  const due = uncovered.map((u) => u.since).sort()[0];
  return finding(
    rule,
    'VIOLATED',
    `No SRO contract in force on ${day} covers ${uncoveredList(uncovered.map((u) => u.text))}: an SRO is assigned to a school through the terms of a contract with its district or charter school.`,
    [...new Set(uncovered.map((u) => u.eventId))],
    due,
  );
}

/** CONTRACT_TERMS of one contract's terms on `day` (also the agency's reminders, for terms taking effect within the horizon). */
export function contractTerms(t: ContractTerms, day: LocalDate): AgencyFinding {
  const rule = 'CONTRACT_TERMS';
  const missing = (binding: boolean) => CONTRACT_CLAUSES.filter((c) => t.clauses[c] === null && (CONTRACT_CLAUSE_DUTIES[c].word !== 'should') === binding);
  const describe = (c: ContractClause) => `${CONTRACT_CLAUSE_DUTIES[c].what} (${c}; "${CONTRACT_CLAUSE_DUTIES[c].word}", policy "${CONTRACT_CLAUSE_DUTIES[c].section}")`;
  const required = missing(true);
  const advised = missing(false);
  const which = `SRO contract ${t.contractId} with ${t.district}, in force on ${day}`;
  const advice = advised.length > 0 ? ` It does not address ${list(advised.map(describe))}: the model policy says a contract should, so this is reported without making the agency non-compliant.` : '';
  if (required.length > 0) {
    const due = maxDate(required.map((c) => t.clauseSince[c]).sort()[0], STATUTE_START);
    return finding(rule, 'VIOLATED', `${which}, does not address ${list(required.map(describe))}.${advice}`, t.evidence, due, t.contractId);
  }
  if (advised.length > 0) return finding(rule, SHOULD_CLAUSE_OUTCOME, `${which}, addresses every clause the model policy requires.${advice}`, t.evidence, undefined, t.contractId);
  const refs = CONTRACT_CLAUSES.map((c) => `${c} ${t.clauses[c]}`).join(', ');
  return finding(rule, 'MET', `${which}, addresses every clause the model policy asks for (${refs}).`, t.evidence, undefined, t.contractId);
}

/** The agency findings on `day`: SRO_POLICY_ADOPTED, CONTRACT_FOR_EACH_ASSIGNMENT, then one CONTRACT_TERMS per contract in force (or one NOT_APPLICABLE). */
export function agencyFindingsOn(records: AgencyRecords, officers: (OfficerOnDay | null)[], day: LocalDate): AgencyFinding[] {
  const active = officers.filter((o): o is OfficerOnDay => o !== null);
  if (day < AGENCY_RULES_FROM) {
    const why = `${day} is before ${AGENCY_RULES_FROM}, when the obligations of Minn. Stat. 626.8482 begin.`;
    return AGENCY_RULE_IDS.map((rule) => finding(rule, 'NOT_APPLICABLE', why, []));
  }
  const inForce = records.contracts.map((c) => inForceOn(c, day)).filter((t): t is ContractTerms => t !== null);
  return [
    policyAdopted(records, active, day),
    contractForEachAssignment(records, active, day),
    ...(inForce.length > 0 ? inForce.map((t) => contractTerms(t, day)) : [finding('CONTRACT_TERMS', 'NOT_APPLICABLE', `No SRO contract of the agency is in force on ${day}.`, [])]),
  ];
}

/** The agency's reminders: an item as projections/reminders.ts gives an officer's (its `Reminder`). */
export interface AgencyReminderItem {
  officerId: string | null;
  rule: AgencyRuleId;
  kind: 'CONTRACT_ENDING' | 'CONTRACT_MISSING' | 'POLICY_MODEL_REVISION' | 'POLICY_NOT_ADOPTED' | 'SCHOOL_NOT_COVERED' | 'CONTRACT_TERMS_MISSING';
  dueDate: LocalDate;
  daysLeft: number;
  message: string;
  /** AGENCY_CITATIONS[rule]: the citation of the rule's findings. */
  citation: string;
  scope: 'AGENCY';
  /** "The agency", "The agency: SRO contract c1 with ISD 1", or the officer whose assignment it concerns. */
  subject: string;
  contractId?: string;
}

/** The words an agency item names itself by (docs/decisions.md W33). */
export const AGENCY_SUBJECT = 'The agency';
export const contractSubject = (c: { contractId: string; district: string }): string => `${AGENCY_SUBJECT}: SRO contract ${c.contractId} with ${c.district}`;

/** The last day in force of a contract in force on `asOf`, as the terms will stand on that day. */
function lastDayFrom(c: Contract, asOf: LocalDate): LocalDate | null {
  let day = asOf;
  for (let i = 0; i <= c.amendments.length + 1; i++) {
    const t = termsOn(c, day);
    if (t.lastDay === null || t.lastDay === day) return t.lastDay;
    day = t.lastDay; // amendments effective by then may move it again
  }
  return termsOn(c, day).lastDay;
}

/**
 * Reminders of the agency itself: a contract in force on asOf whose last day falls within the
 * horizon (CONTRACT_ENDING), and a policy in force that follows an older model revision
 * (POLICY_MODEL_REVISION, due asOf: the rule sets no deadline).
 */
export function agencyRemindersOn(records: AgencyRecords, asOf: LocalDate, horizonDays: number): AgencyReminderItem[] {
  const items: AgencyReminderItem[] = [];
  for (const c of records.contracts) {
    const now = inForceOn(c, asOf);
    if (!now) continue;
    const last = lastDayFrom(c, asOf);
    if (last === null) continue;
    const daysLeft = daysBetween(asOf, last);
    if (daysLeft < 0 || daysLeft > horizonDays) continue;
    const schools = termsOn(c, last).schools;
    items.push({
      officerId: null,
      rule: 'CONTRACT_FOR_EACH_ASSIGNMENT',
      kind: 'CONTRACT_ENDING',
      dueDate: last,
      daysLeft,
      message:
        `SRO contract ${c.contractId} with ${c.district} ends on ${last} (its last day in force; ${daysLeft} day(s) left): renew or amend it, or record the contract that follows, ` +
        `for ${list(schools)}. (${AGENCY_CITATIONS.CONTRACT_FOR_EACH_ASSIGNMENT})`,
      citation: AGENCY_CITATIONS.CONTRACT_FOR_EACH_ASSIGNMENT,
      scope: 'AGENCY',
      subject: contractSubject(c),
      contractId: c.contractId,
    });
  }
  const policy = policyInForce(records.policies, asOf);
  if (policy?.modelRevision && policy.modelRevision < LATEST_MODEL_REVISION) {
    items.push({
      officerId: null,
      rule: 'SRO_POLICY_ADOPTED',
      kind: 'POLICY_MODEL_REVISION',
      dueDate: asOf,
      daysLeft: 0,
      message:
        `SRO policy version ${policy.version} follows the POST Board model policy revision of ${policy.modelRevision}; the latest is ${LATEST_MODEL_REVISION}: ` +
        `review it against the model and adopt an updated version (a reminder, not a violation). (${AGENCY_CITATIONS.SRO_POLICY_ADOPTED})`,
      citation: AGENCY_CITATIONS.SRO_POLICY_ADOPTED,
      scope: 'AGENCY',
      subject: AGENCY_SUBJECT,
    });
  }
  return items;
}

/** An officer's assignments starting within the horizon at a school no contract will cover on its first day (CONTRACT_MISSING). */
export function contractRemindersFor(facts: Facts, records: AgencyRecords, asOf: LocalDate, horizonDays: number): AgencyReminderItem[] {
  const items: AgencyReminderItem[] = [];
  for (const a of facts.assignments) {
    const start = maxDate(a.startDate, AGENCY_RULES_FROM);
    if (start <= asOf || daysBetween(asOf, start) > horizonDays || separatedBy(facts, start) || !covers(a, start)) continue;
    const missing = a.schools.filter((s) => contractsCovering(records, s, start).length === 0);
    if (missing.length === 0) continue;
    const daysLeft = daysBetween(asOf, start);
    items.push({
      officerId: facts.officerId,
      rule: 'CONTRACT_FOR_EACH_ASSIGNMENT',
      kind: 'CONTRACT_MISSING',
      dueDate: start,
      daysLeft,
      message:
        `${facts.name} (${facts.officerId}): assignment ${a.assignmentId} starts on ${start} at ${list(missing)}, which no SRO contract in force that day covers: ` +
        `record the contract with the district (or amend one) before then. Due ${start}: ${daysLeft} day(s) left. (${AGENCY_CITATIONS.CONTRACT_FOR_EACH_ASSIGNMENT})`,
      citation: AGENCY_CITATIONS.CONTRACT_FOR_EACH_ASSIGNMENT,
      scope: 'AGENCY',
      subject: `${facts.name} (${facts.officerId})`,
    });
  }
  return items;
}
