/** Rule ids, outcomes, statuses, findings and reminder kinds (pinned). */

export const RULE_IDS = [
  'TRAINING_BEFORE_DUTY',
  'TRAINING_GRACE_6_MONTHS',
  'LEGACY_COURSE_2027',
  'REFRESHER_3_YEARS',
  'CERTIFICATE_ON_FILE',
  'POLICY_REVIEW_BEFORE_DUTY',
  'SUBSTITUTE_60_DAYS',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** The agency's own rules (agency-rules/*.ts), in the order of every agency findings list. */
export const AGENCY_RULE_IDS = ['SRO_POLICY_ADOPTED', 'CONTRACT_FOR_EACH_ASSIGNMENT', 'CONTRACT_TERMS'] as const;
export type AgencyRuleId = (typeof AGENCY_RULE_IDS)[number];

export const OUTCOMES = ['MET', 'PENDING', 'VIOLATED', 'EXEMPT', 'NOT_APPLICABLE'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const STATUSES = ['NOT_ASSIGNED', 'EXEMPT', 'NON_COMPLIANT', 'CONDITIONAL', 'COMPLIANT'] as const;
export type Status = (typeof STATUSES)[number];

export interface Finding {
  rule: RuleId;
  citation: string;
  outcome: Outcome;
  /** Present on every VIOLATED and PENDING finding; also on MET findings that have a deadline. */
  dueDate?: string;
  /** Plain English: what was found, and the dates. */
  explanation: string;
  /** eventIds of the facts the finding rests on. */
  evidence: string[];
}

export const REMINDER_KINDS = [
  /** No subd. 3(a) course (MN_SRO_BASIC) although one was due before duty (overdue), or one is due for an assignment starting within the horizon. */
  'TRAINING_MISSING',
  /** TRAINING_GRACE_6_MONTHS pending (or missed). */
  'GRACE_DEADLINE',
  /** LEGACY_COURSE_2027 pending (or missed). */
  'LEGACY_DEADLINE',
  /** Refresher due within the horizon, or overdue. */
  'REFRESHER_DUE',
  /** The latest Minnesota SRO course has no certificate on file. */
  'CERTIFICATE_MISSING',
  /** No review of the required policy version (overdue), or one is due for an assignment starting within the horizon. */
  'POLICY_REVIEW_MISSING',
  /** A policy version adopted during the officer's duty, not yet reviewed: due adoptedOn + 30 days. */
  'POLICY_REREVIEW',
  /** A substitute at 50+ contact days in the school year: the 60th brings the training rules. */
  'SUBSTITUTE_NEARING_60_DAYS',
  /** The agency's: an SRO contract in force ends within the horizon (its last day). */
  'CONTRACT_ENDING',
  /** An assignment starting within the horizon at a school no contract will cover on its first day. */
  'CONTRACT_MISSING',
  /** The agency's: its SRO policy in force follows an older POST Board model revision (due asOf: no deadline). */
  'POLICY_MODEL_REVISION',
  /** The agency's: SRO_POLICY_ADOPTED violated on asOf (overdue since it became violated), or an SRO's duty starts within the horizon with no policy adopted. */
  'POLICY_NOT_ADOPTED',
  /** The agency's: CONTRACT_FOR_EACH_ASSIGNMENT violated on asOf: a school of an assignment in force is covered by no contract (overdue since the first uncovered day). */
  'SCHOOL_NOT_COVERED',
  /** The agency's: CONTRACT_TERMS violated for a contract in force on asOf, or for one (or an amendment) taking effect within the horizon. */
  'CONTRACT_TERMS_MISSING',
] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];
