/**
 * The agency's own obligations (docs/reference.md#agency-findings), judged on one day D from the
 * agency's records (agency-records.ts) and what its officers do on D:
 * - SRO_POLICY_ADOPTED: an SRO policy version is in force on D;
 * - CONTRACT_FOR_EACH_ASSIGNMENT: every school of every SRO assignment in force on D is covered
 *   by a contract in force on D;
 * - CONTRACT_TERMS: each contract in force on D addresses the clauses the model policy asks for
 *   (one finding per contract).
 * Pure: the caller gives the officers' facts (as known at knownAt) and D. Each rule is one file
 * (agency-rules/*.ts, listed in AGENCY_RULES): its citation, the day it comes into force, its
 * findings and its reminders; this file iterates the list.
 */
import { AGENCY_RULES } from './agency-rules';
import { contractEndingReminders, contractMissingReminders } from './agency-rules/contract-for-each-assignment';
import { modelRevisionReminders } from './agency-rules/sro-policy-adopted';
import { agencyFinding, type AgencyFinding, type AgencyReminderItem, type OfficerOnDay } from './agency-rules/common';
import type { AgencyRecords } from './agency-records';
import { covers, roleOn } from './context';
import { maxDate, type LocalDate } from './dates';
import type { Facts } from './facts';
import { STATUTE_START } from './law';
import { separatedBy } from './officer-status';
import type { AgencyRuleId } from './types';

export { AGENCY_RULE_IDS, type AgencyRuleId } from './types';
export {
  AGENCY_OUTCOMES,
  AGENCY_SUBJECT,
  contractSubject,
  type AgencyFinding,
  type AgencyOutcome,
  type AgencyReminderItem,
  type OfficerOnDay,
} from './agency-rules/common';
export { contractTerms } from './agency-rules/contract-terms';
export { AGENCY_RULES, type AgencyRuleModule } from './agency-rules';

/** Each agency rule's citation, as its module gives it. */
export const AGENCY_CITATIONS = Object.fromEntries(AGENCY_RULES.map((r) => [r.id, r.citation])) as Record<AgencyRuleId, string>;

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

/** The agency findings on `day`: SRO_POLICY_ADOPTED, CONTRACT_FOR_EACH_ASSIGNMENT, then one CONTRACT_TERMS per contract in force (or one NOT_APPLICABLE). */
export function agencyFindingsOn(records: AgencyRecords, officers: (OfficerOnDay | null)[], day: LocalDate): AgencyFinding[] {
  const active = officers.filter((o): o is OfficerOnDay => o !== null);
  return AGENCY_RULES.flatMap((r) =>
    day < r.inForceFrom
      ? [agencyFinding(r.id, r.citation, 'NOT_APPLICABLE', `${day} is before ${r.inForceFrom}, when the obligations of Minn. Stat. 626.8482 begin.`, [])]
      : r.findingsOn(records, active, day),
  );
}

/**
 * Reminders of the agency itself: a contract in force on asOf whose last day falls within the
 * horizon (CONTRACT_ENDING), and a policy in force that follows an older model revision
 * (POLICY_MODEL_REVISION, due asOf: the rule sets no deadline).
 */
export function agencyRemindersOn(records: AgencyRecords, asOf: LocalDate, horizonDays: number): AgencyReminderItem[] {
  return [...contractEndingReminders(records, asOf, horizonDays), ...modelRevisionReminders(records, asOf)];
}

/** An officer's assignments starting within the horizon at a school no contract will cover on its first day (CONTRACT_MISSING). */
export function contractRemindersFor(facts: Facts, records: AgencyRecords, asOf: LocalDate, horizonDays: number): AgencyReminderItem[] {
  return contractMissingReminders(facts, records, asOf, horizonDays);
}
