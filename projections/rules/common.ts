/** Shared helpers of the rule modules. */
import { coursesFor, type CoursePurpose, type DayContext } from '../context';
import { courseLabel, courseList, type Training } from '../facts';
import { schoolYearLabel } from '../dates';
import type { Finding, Outcome, RuleId } from '../types';

export interface RuleModule {
  id: RuleId;
  citation: string;
  evaluate(ctx: DayContext): Finding;
}

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
