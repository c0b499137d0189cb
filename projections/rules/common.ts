/** The shape of a rule module, and helpers shared by the rule modules. */
import { coursesFor, type CoursePurpose, type DayContext } from '../context';
import { courseLabel, courseList, type Facts, type Training } from '../facts';
import { schoolYearLabel, type LocalDate } from '../dates';
import type { Finding, Outcome, ReminderKind, RuleId } from '../types';

/**
 * One rule, whole, in one file (rules/*.ts; the list is RULES in rules/index.ts). Everything the
 * engine does per rule comes from here: officer-status.ts evaluates it and asks it which duties
 * it restricts, status-intervals.ts asks it on which dates its outcome can change, reminders.ts
 * asks it what the officer must do next.
 */
export interface RuleModule {
  id: RuleId;
  /** The rule's citation where no case applies (a finding may cite its case: see the rule). */
  citation: string;
  /** The first day the rule applies: before it the finding is NOT_APPLICABLE (2025-09-01 for every rule). */
  inForceFrom: LocalDate;
  /** The finding on the day of `ctx` (a day on or after inForceFrom, with a role). */
  evaluate(ctx: DayContext): Finding;
  /**
   * The dates on which, or on the day after which, the rule's outcome can change beyond those every
   * rule shares (each effective date of the facts, the day the rule comes into force, each
   * July 1): its own deadlines. status-intervals.ts evaluates the status on these days only.
   */
  changeDates(facts: Facts): LocalDate[];
  /** The subd. 2(a) duties the officer is not required to perform on the day, because of this rule's finding (none for most rules). */
  restrictedDuties(ctx: DayContext, finding: Finding): readonly string[];
  /** The kinds of reminder the rule gives (REMINDER_KINDS); `reminders` and `remindersBeforeDuty` give no other. */
  reminderKinds: readonly ReminderKind[];
  /** What the officer must do next, from the rule's finding on asOf (`now`: the day's context). */
  reminders(finding: Finding, now: ReminderContext): RuleReminder[];
  /** What the rule will ask for on `dutyStart`, a day within the horizon on which SRO duty starts, from its finding on that day. */
  remindersBeforeDuty(finding: Finding, dutyStart: LocalDate): RuleReminder[];
}

/** What a rule's reminders are computed from: the facts and the context of asOf. */
export interface ReminderContext {
  facts: Facts;
  asOf: LocalDate;
  ctx: DayContext;
}

/** A reminder as a rule gives it; reminders.ts adds who, the days left, the due-date words and the finding's citation. */
export interface RuleReminder {
  kind: ReminderKind;
  dueDate: LocalDate;
  /** The action, in plain words: "file the certificate of ...". */
  action: string;
}

/** For a rule that restricts no duty, has no deadline of its own, or gives no reminder of that sort. */
export const NONE: readonly never[] = [];
export const noDates = (): LocalDate[] => [];
export const noRestriction = (): readonly string[] => NONE;
export const noReminders = (): RuleReminder[] => [];

/** The action of completing the subd. 3(a) course (TRAINING_BEFORE_DUTY, TRAINING_GRACE_6_MONTHS reminders). */
export const completeQualifyingCourse = (): string =>
  `complete the Board-approved SRO course on the learning objectives of subd. 4 (${courseList(coursesFor('BEFORE_DUTY'))})`;

/** A training named in a reminder: "MN_SRO_BASIC (training t1, completed 2025-01-02)". */
export const namedTraining = (t: Training): string => `${courseLabel(t)} (training ${t.trainingId}, completed ${t.completedOn})`;

/** "an MN_SRO_BASIC course": the course (or courses) that meet the rules of `purpose` (decision 23). */
export const requiredCourse = (purpose: CoursePurpose): string => `an ${courseList(coursesFor(purpose))} course`;

/** A training named in an explanation: "MN_SRO_BASIC (POST course 1234) (training t1)". */
export const trainingPhrase = (t: Training): string => `${courseLabel(t)} (training ${t.trainingId})`;

export function finding(
  rule: RuleId,
  citation: string,
  outcome: Outcome,
  explanation: string,
  evidence: string[] = [],
  dueDate?: string,
): Finding {
  return dueDate === undefined
    ? { rule, citation, outcome, explanation, evidence }
    : { rule, citation, outcome, dueDate, explanation, evidence };
}

/** The finding of a training rule for a substitute under 60 contact days. */
export function substituteExemptExplanation(ctx: DayContext): string {
  if (ctx.role.kind !== 'SUBSTITUTE') return '';
  return (
    `Substitute SRO with ${ctx.role.contactDays.length} contact day(s) in school year ${schoolYearLabel(ctx.day)} ` +
    `up to ${ctx.day} (first on ${ctx.role.firstContactDay}); fewer than 60, so the training requirements do not apply.`
  );
}

/** Why a training rule does not apply on a day where no training duty exists. */
export function noTrainingDuty(rule: RuleId, citation: string, ctx: DayContext): Finding {
  if (ctx.substituteExempt) {
    const evidence = ctx.role.kind === 'SUBSTITUTE' ? ctx.role.contactDays.flatMap((c) => c.eventIds) : [];
    return finding(rule, citation, 'EXEMPT', substituteExemptExplanation(ctx), evidence);
  }
  return finding(rule, citation, 'NOT_APPLICABLE', `Not an SRO or substitute SRO on ${ctx.day}.`);
}

export function runEvidence(ctx: DayContext): string[] {
  if (ctx.role.kind === 'SRO') return ctx.role.run.map((a) => a.assignedEventId);
  if (ctx.role.kind === 'SUBSTITUTE') return ctx.role.contactDays.flatMap((c) => c.eventIds);
  return [];
}

export function dutyStartPhrase(ctx: DayContext): string {
  const t = ctx.training;
  if (!t) return '';
  const start =
    t.basis === 'ASSIGNMENT'
      ? `duty start ${t.dutyStart} (assignment ${ctx.role.kind === 'SRO' ? ctx.role.run[0].assignmentId : ''})`
      : `60th substitute contact day ${t.dutyStart}`;
  return t.dueDate === t.dutyStart ? start : `${start}, counted as ${t.dueDate} when the statute's obligations began`;
}
