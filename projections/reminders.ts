/**
 * Reminders: what an officer (or the agency) must do next, with a due date. Items due within
 * horizonDays of asOf, plus everything overdue (negative daysLeft).
 */
import { coursesBy, coursesFor, dayContext, policyInForce } from './context';
import { addDays, assertLocalDate, daysBetween, schoolYearLabel, type LocalDate } from './dates';
import { courseLabel, courseList, type Facts, type Training } from './facts';
import type { OfficerLedger } from './input';
import { POLICY_REREVIEW_DAYS, SUBSTITUTE_HEADS_UP_DAYS } from './interpretation';
import { STATUTE_START, SUBSTITUTE_CONTACT_DAY_LIMIT } from './law';
import { factsKnownAt, separatedBy, statusOn } from './officer-status';
import { acceptableVersions, requiredVersion } from './rules/policy-review-before-duty';
import type { AgencyRuleId } from './agency-findings';
import type { Finding, RuleId } from './types';

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

export interface Reminder {
  /** The officer the item is about; null for the agency's own obligations (docs/decisions.md W33). */
  officerId: string | null;
  rule: RuleId | AgencyRuleId;
  kind: ReminderKind;
  dueDate: LocalDate;
  /** dueDate − asOf in days; negative when overdue. */
  daysLeft: number;
  /** Plain English: who, the action, the due date and the citation. */
  message: string;
  /** The citation of the rule's finding the item comes from, as its rule module gives it (docs/decisions.md W33). */
  citation: string;
  /** Whose obligation: an officer's own rule, or the agency's (an agency rule, CONTRACT_MISSING included). */
  scope: ReminderScope;
  /** Who or what the item is about, in plain words: "Pat Officer (off-1)", "The agency", "The agency: SRO contract c1 with ISD 1". */
  subject: string;
  /** The contract an agency item is about (CONTRACT_ENDING, CONTRACT_TERMS_MISSING). */
  contractId?: string;
}

export const REMINDER_SCOPES = ['OFFICER', 'AGENCY'] as const;
export type ReminderScope = (typeof REMINDER_SCOPES)[number];

/** "Was due 2026-02-01: 3 day(s) overdue.", "Due today, 2026-02-04.", "Due 2026-03-01: 25 day(s) left." */
export function whenWords(dueDate: LocalDate, daysLeft: number): string {
  return daysLeft < 0 ? `Was due ${dueDate}: ${-daysLeft} day(s) overdue.` : daysLeft === 0 ? `Due today, ${dueDate}.` : `Due ${dueDate}: ${daysLeft} day(s) left.`;
}

/** Orders reminders by dueDate, then officerId, rule and kind. */
export function compareReminders(a: Reminder, b: Reminder): number {
  const key = (r: Reminder) => [r.dueDate, r.officerId ?? '', r.rule, r.kind];
  const ka = key(a);
  const kb = key(b);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
  return 0;
}

export function remindersFor(ledger: OfficerLedger, asOf: string, knownAt: string, horizonDays: number): Reminder[] {
  assertLocalDate(asOf, 'asOf');
  assertHorizon(horizonDays);
  return remindersFromFacts(factsKnownAt(ledger, knownAt), asOf, horizonDays);
}

function assertHorizon(horizonDays: number): void {
  if (!Number.isInteger(horizonDays) || horizonDays < 0) throw new RangeError(`horizonDays must be a non-negative integer, got ${horizonDays}`);
}

/** remindersFor with the knowledge step already done: `facts` from factsKnownAt(ledger, knownAt). */
export function remindersFromFacts(facts: Facts, asOf: string, horizonDays: number): Reminder[] {
  assertLocalDate(asOf, 'asOf');
  assertHorizon(horizonDays);
  if (separatedBy(facts, asOf)) return []; // off the active roster (SPEC §3)
  const who = `${facts.name} (${facts.officerId})`;
  const items = new Map<string, Reminder>();
  // `from`: the finding the item comes from; its citation is the item's (one citation per rule and case, from the rule module).
  const add = (from: Finding, kind: ReminderKind, dueDate: LocalDate, action: string) => {
    const daysLeft = daysBetween(asOf, dueDate);
    if (daysLeft > horizonDays) return;
    const key = `${from.rule}|${kind}|${dueDate}`;
    if (!items.has(key)) {
      items.set(key, {
        officerId: facts.officerId,
        rule: from.rule,
        kind,
        dueDate,
        daysLeft,
        message: `${who}: ${action}. ${whenWords(dueDate, daysLeft)} (${from.citation})`,
        citation: from.citation,
        scope: 'OFFICER',
        subject: who,
      });
    }
  };
  const get = (findings: Finding[], rule: RuleId) => findings.find((f) => f.rule === rule)!;

  // What the findings on asOf ask for.
  const now = statusOn(facts, asOf);
  const f = (rule: RuleId) => get(now.findings, rule);
  const qualifying = `complete the Board-approved SRO course on the learning objectives of subd. 4 (${courseList(coursesFor('BEFORE_DUTY'))})`;
  const named = (t: Training) => `${courseLabel(t)} (training ${t.trainingId}, completed ${t.completedOn})`;
  const clock = coursesBy(facts, asOf, 'REFRESHER');
  const latest = clock.length > 0 ? clock[clock.length - 1] : undefined;
  const ctx = dayContext(facts, asOf);
  if (f('TRAINING_BEFORE_DUTY').outcome === 'VIOLATED') add(f('TRAINING_BEFORE_DUTY'), 'TRAINING_MISSING', f('TRAINING_BEFORE_DUTY').dueDate!, `${qualifying}, required before assuming SRO duties`);
  const grace = f('TRAINING_GRACE_6_MONTHS');
  if (grace.outcome === 'PENDING' || grace.outcome === 'VIOLATED') add(grace, 'GRACE_DEADLINE', grace.dueDate!, `${qualifying} within six months of assuming SRO duties (the agency declared the course unavailable); until then duties (4) and (5) of subd. 2(a) are not required`);
  const legacy = f('LEGACY_COURSE_2027');
  if (legacy.outcome === 'PENDING' || legacy.outcome === 'VIOLATED') {
    const old = ctx.training?.legacy?.legacyCourse;
    add(legacy, 'LEGACY_DEADLINE', legacy.dueDate!, `complete ${courseList(coursesFor('LEGACY'))}; the earlier SSC/NASRO basic course${old ? ` ${named(old)}` : ''} suffices only before June 1, 2027`);
  }
  const refresher = f('REFRESHER_3_YEARS');
  if ((refresher.outcome === 'MET' || refresher.outcome === 'VIOLATED') && refresher.dueDate) add(refresher, 'REFRESHER_DUE', refresher.dueDate, `complete the SRO refresher course (MN_SRO_REFRESHER), required at least once every three years${latest ? `; the most recent Minnesota SRO course is ${named(latest)}` : ''}`);
  const certificate = f('CERTIFICATE_ON_FILE');
  if (certificate.outcome === 'VIOLATED') add(certificate, 'CERTIFICATE_MISSING', certificate.dueDate!, `file the certificate of the most recent Minnesota SRO course${latest ? `, ${named(latest)}` : ''} (the chief keeps a copy)`);
  const policy = f('POLICY_REVIEW_BEFORE_DUTY');
  if (policy.outcome === 'VIOLATED') add(policy, 'POLICY_REVIEW_MISSING', policy.dueDate!, "review the agency's SRO policy, required before assuming SRO duties");

  // A newly adopted policy version: review within 30 days of its adoption.
  if (ctx.policy && policy.outcome === 'MET') {
    const required = requiredVersion(facts.policies, ctx.policy.dueDate, asOf);
    const latest = policyInForce(facts.policies, asOf);
    if (required && latest && latest !== required) {
      const accepted = acceptableVersions(facts.policies, latest);
      if (!facts.reviews.some((r) => accepted.has(r.version) && r.reviewedOn <= asOf)) {
        add(policy, 'POLICY_REREVIEW', addDays(latest.adoptedOn, POLICY_REREVIEW_DAYS), `review SRO policy version ${latest.version}, adopted ${latest.adoptedOn}, within ${POLICY_REREVIEW_DAYS} days of its adoption`);
      }
    }
  }
  // A substitute nearing the 60th contact day: due = the earliest day the 60th could fall on.
  if (ctx.role.kind === 'SUBSTITUTE' && ctx.role.sixtiethDay === null && ctx.role.contactDays.length >= SUBSTITUTE_HEADS_UP_DAYS) {
    const n = ctx.role.contactDays.length;
    const earliest60th = addDays(asOf, SUBSTITUTE_CONTACT_DAY_LIMIT - n);
    if (earliest60th <= ctx.role.schoolYearEnd) {
      add(f('SUBSTITUTE_60_DAYS'), 'SUBSTITUTE_NEARING_60_DAYS', earliest60th,
        `has served ${n} substitute contact days in school year ${schoolYearLabel(asOf)}; from the 60th the SRO training requirements apply (${courseList(coursesFor('BEFORE_DUTY'))} completed, its certificate on file), so complete the training before then; the 60th day can come as early as ${earliest60th}`);
    }
  }
  // Duty starting within the horizon (a new assignment, or 2025-09-01): what it will require.
  const checkpoints = new Set<LocalDate>(facts.assignments.map((a) => a.startDate));
  checkpoints.add(STATUTE_START);
  for (const day of [...checkpoints].sort()) {
    if (day <= asOf || daysBetween(asOf, day) > horizonDays) continue;
    const then = statusOn(facts, day);
    const tbd = get(then.findings, 'TRAINING_BEFORE_DUTY');
    if (tbd.outcome === 'VIOLATED') add(tbd, 'TRAINING_MISSING', tbd.dueDate!, `${qualifying} before SRO duty starts on ${day}`);
    const review = get(then.findings, 'POLICY_REVIEW_BEFORE_DUTY');
    if (review.outcome === 'VIOLATED') add(review, 'POLICY_REVIEW_MISSING', review.dueDate!, `review the agency's SRO policy before SRO duty starts on ${day}`);
  }
  return [...items.values()].sort(compareReminders);
}
