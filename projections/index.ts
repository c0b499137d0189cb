/** The compliance engine's public API (see README.md). */
export type { LedgerEvent, OfficerLedger } from './input';
export { RULE_IDS, OUTCOMES, STATUSES } from './types';
export type { RuleId, Outcome, Status, Finding } from './types';
export { officerStatus, factsKnownAt, statusFromFacts, type OfficerStatus } from './officer-status';
export type { Facts } from './facts';
export { statusIntervals, candidateDates, type StatusInterval } from './status-intervals';
export { remindersFor, remindersFromFacts, compareReminders, REMINDER_KINDS, REMINDER_SCOPES, type Reminder, type ReminderKind, type ReminderScope } from './reminders';
export { agencyObligationReminders, dutyStartAhead } from './agency-reminders';
export { agencyStatus, agencyStatusFromFacts, type AgencyStatus } from './agency-summary';
export { officerFactsSnapshot, agencyFactsKnownAt, snapshotCovers, factsFromSnapshot, type OfficerFactsSnapshot, type AgencyFacts } from './facts-snapshot';
export { officerHistory, effectiveDateOfEvent, type HistoryEntry } from './history';
export { RULES, type RuleModule } from './rules';
export { isLocalDate, localDateAt, addMonths, addYears, addDays, daysBetween, schoolYearStart, type LocalDate } from './dates';
export * as interpretation from './interpretation';
export { MINNESOTA_TIME_ZONE } from './interpretation';
export { STATUTE_START } from './law';
export { agencyRecordsKnownAt, termsOn, inForceOn, schoolKey, type AgencyRecords, type Contract, type ContractTerms } from './agency-records';
export {
  agencyFindingsOn,
  officerOnDay,
  AGENCY_RULES,
  agencyRemindersOn,
  contractRemindersFor,
  AGENCY_RULE_IDS,
  AGENCY_OUTCOMES,
  AGENCY_CITATIONS,
  AGENCY_SUBJECT,
  type AgencyFinding,
  type AgencyRuleId,
  type AgencyOutcome,
  type OfficerOnDay,
  type AgencyRuleModule,
} from './agency-findings';
export { separatedBy } from './officer-status';
export { LATEST_MODEL_REVISION } from './law';
export { decideDigest, newsOf, isMonday, itemKey, NOTICE_THRESHOLDS, DIGEST_HORIZON_DAYS, type DigestItem, type DigestDecision, type DigestLine, type PastNotice, type NewsReason } from './notice-digest';
