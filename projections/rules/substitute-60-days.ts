/**
 * SUBSTITUTE_60_DAYS (docs/reference.md#substitute_60_days): a substitute (not an SRO on D, at
 * least one contact day in D's school year on or before D) with fewer than 60 distinct contact days
 * in the school year up to D is exempt from the training rules (status EXEMPT, restrictedDuties (4)
 * and (5)). From the 60th contact day on, the training rules apply with S = the 60th day.
 */
import { coursesFor, type DayContext } from '../context';
import { addDays, schoolYearLabel } from '../dates';
import { courseList } from '../facts';
import { RESTRICTED_DUTIES, SUBSTITUTE_HEADS_UP_DAYS, SUBSTITUTE_PAST_LIMIT_OUTCOME } from '../interpretation';
import { STATUTE_START, SUBSTITUTE_CONTACT_DAY_LIMIT } from '../law';
import type { Finding } from '../types';
import { finding, NONE, noDates, noReminders, substituteExemptExplanation, type ReminderContext, type RuleReminder } from './common';

export const id = 'SUBSTITUTE_60_DAYS' as const;
export const citation = 'policy "Substitute SROs"';
export const inForceFrom = STATUTE_START;

/** Counts contact days (effective dates) within a school year; the July 1 turns are every rule's. */
export const changeDates = noDates;

/** A substitute under 60 contact days is not required to perform duties (4) and (5) of subd. 2(a). */
export function restrictedDuties(ctx: DayContext): readonly string[] {
  return ctx.substituteExempt ? RESTRICTED_DUTIES : NONE;
}

export const reminderKinds = ['SUBSTITUTE_NEARING_60_DAYS'] as const;

/** A substitute at 50 or more contact days: due the earliest day the 60th could fall on, within the school year. */
export function reminders(_f: Finding, { asOf, ctx }: ReminderContext): RuleReminder[] {
  if (ctx.role.kind !== 'SUBSTITUTE' || ctx.role.sixtiethDay !== null || ctx.role.contactDays.length < SUBSTITUTE_HEADS_UP_DAYS) return [];
  const n = ctx.role.contactDays.length;
  const earliest60th = addDays(asOf, SUBSTITUTE_CONTACT_DAY_LIMIT - n);
  if (earliest60th > ctx.role.schoolYearEnd) return [];
  return [
    {
      kind: 'SUBSTITUTE_NEARING_60_DAYS',
      dueDate: earliest60th,
      action: `has served ${n} substitute contact days in school year ${schoolYearLabel(asOf)}; from the 60th the SRO training requirements apply (${courseList(coursesFor('BEFORE_DUTY'))} completed, its certificate on file), so complete the training before then; the 60th day can come as early as ${earliest60th}`,
    },
  ];
}
export const remindersBeforeDuty = noReminders;

export function evaluate(ctx: DayContext): Finding {
  const role = ctx.role;
  if (role.kind === 'SRO') {
    return finding(id, citation, 'NOT_APPLICABLE', `An SRO on ${ctx.day} (assignment ${role.run[role.run.length - 1].assignmentId}), not a substitute.`);
  }
  if (role.kind !== 'SUBSTITUTE') {
    return finding(id, citation, 'NOT_APPLICABLE', `No substitute contact day in school year ${schoolYearLabel(ctx.day)} up to ${ctx.day}.`);
  }
  const evidence = role.contactDays.flatMap((c) => c.eventIds);
  if (role.sixtiethDay === null) return finding(id, citation, 'EXEMPT', substituteExemptExplanation(ctx), evidence);
  const sixtieth = role.contactDays[SUBSTITUTE_CONTACT_DAY_LIMIT - 1];
  return finding(
    id,
    citation,
    SUBSTITUTE_PAST_LIMIT_OUTCOME,
    `Substitute SRO with ${role.contactDays.length} contact days in school year ${schoolYearLabel(ctx.day)} up to ${ctx.day}; ` +
      `the 60th was ${role.sixtiethDay}, so the training requirements apply with that day as the duty start.`,
    sixtieth.eventIds,
  );
}
