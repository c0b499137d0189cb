/** The shape of an agency rule module, the agency findings and reminders, and helpers shared by the agency rule modules. */
import type { AgencyRecords } from '../agency-records';
import type { LocalDate } from '../dates';
import { OUTCOMES, type AgencyRuleId } from '../types';

/**
 * The outcomes of agency findings: the officer outcomes, and ADVISORY, for a clause the model
 * policy says a contract "should" address and it does not (decision 26): reported, never a
 * violation.
 */
export const AGENCY_OUTCOMES = [...OUTCOMES, 'ADVISORY'] as const;
export type AgencyOutcome = (typeof AGENCY_OUTCOMES)[number];

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

/** The agency's reminders: an item as projections/reminders.ts gives an officer's (its `Reminder`). */
export interface AgencyReminderItem {
  officerId: string | null;
  rule: AgencyRuleId;
  kind: AgencyReminderKind;
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
export type AgencyReminderKind = 'CONTRACT_ENDING' | 'CONTRACT_MISSING' | 'POLICY_MODEL_REVISION' | 'POLICY_NOT_ADOPTED' | 'SCHOOL_NOT_COVERED' | 'CONTRACT_TERMS_MISSING';

/** What an agency rule's reminders ahead are computed from (agency-reminders.ts). */
export interface AgencyAheadInput {
  records: AgencyRecords;
  /** The agency findings on asOf. */
  now: AgencyFinding[];
  /** Each officer's first duty day within the horizon (dutyStartAhead), or null. */
  dutyStarts: (LocalDate | null)[];
  asOf: LocalDate;
  horizonDays: number;
}

/** A reminder ahead as an agency rule gives it; agency-reminders.ts adds the subject, the days left and the due-date words. */
export interface AgencyAheadItem {
  finding: Pick<AgencyFinding, 'rule' | 'citation' | 'contractId'>;
  kind: AgencyReminderKind;
  dueDate: LocalDate;
  text: string;
}

/**
 * One agency rule, whole, in one file (agency-rules/*.ts; the list is AGENCY_RULES in
 * agency-rules/index.ts): agency-findings.ts evaluates it, agency-reminders.ts turns its
 * violated findings into overdue reminders and asks it what falls due ahead.
 */
export interface AgencyRuleModule {
  id: AgencyRuleId;
  citation: string;
  /** The first day the rule applies: before it every agency finding is NOT_APPLICABLE (2025-09-01). */
  inForceFrom: LocalDate;
  /** The rule's findings on `day` (on or after inForceFrom): one, or for CONTRACT_TERMS one per contract in force. */
  findingsOn(records: AgencyRecords, officers: OfficerOnDay[], day: LocalDate): AgencyFinding[];
  /** The kinds of reminder the rule gives. */
  reminderKinds: readonly AgencyReminderKind[];
  /** The kind of the overdue reminder a VIOLATED finding gives, and the action it asks for. */
  violated: { kind: AgencyReminderKind; action: string };
  /** What falls due within the horizon although not violated on asOf. */
  remindersAhead(input: AgencyAheadInput): AgencyAheadItem[];
}

/** The words an agency item names itself by (docs/decisions.md W33). */
export const AGENCY_SUBJECT = 'The agency';
export const contractSubject = (c: { contractId: string; district: string }): string => `${AGENCY_SUBJECT}: SRO contract ${c.contractId} with ${c.district}`;

export const agencyFinding = (
  rule: AgencyRuleId,
  citation: string,
  outcome: AgencyOutcome,
  explanation: string,
  evidence: string[],
  dueDate?: LocalDate,
  contractId?: string,
): AgencyFinding => ({
  rule,
  citation,
  outcome,
  ...(dueDate !== undefined ? { dueDate } : {}),
  explanation,
  evidence,
  ...(contractId !== undefined ? { contractId } : {}),
});

/** "A", "A and B", "A, B and C". */
export const list = (items: string[]): string => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

export const noAgencyReminders = (): AgencyAheadItem[] => [];
