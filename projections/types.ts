/** Rule ids, outcomes, statuses and findings (SPEC §3, pinned). */

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
