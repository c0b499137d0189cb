/**
 * REFRESHER_3_YEARS (docs/reference.md#refresher_3_years): the most recent Minnesota SRO course
 * (coursesFor('REFRESHER'): any of MN_SRO_BASIC, MN_SRO_SUPPLEMENTAL, MN_SRO_REFRESHER, decision
 * 23) is no more than three years old: MET while D ≤ its completedOn + 3 years (the dueDate),
 * VIOLATED after it; NOT_APPLICABLE while no such course exists.
 */
import type { DayContext } from '../context';
import { coursesBy } from '../context';
import { addYears, type LocalDate } from '../dates';
import { isQualifying, type Facts } from '../facts';
import { REFRESHER_YEARS, STATUTE_START } from '../law';
import type { Finding } from '../types';
import { finding, namedTraining, noReminders, noRestriction, noTrainingDuty, requiredCourse, trainingPhrase, type ReminderContext, type RuleReminder } from './common';

export const id = 'REFRESHER_3_YEARS' as const;
export const citation = 'policy "Training" (refresher at least once every three years)';
export const inForceFrom = STATUTE_START;

/** Three years from each Minnesota SRO course (MET up to it, VIOLATED from the day after). */
export function changeDates(facts: Facts): LocalDate[] {
  return facts.trainings.filter((t) => isQualifying(t.course)).map((t) => addYears(t.completedOn, REFRESHER_YEARS));
}
export const restrictedDuties = noRestriction;

export const reminderKinds = ['REFRESHER_DUE'] as const;

/** The refresher's due date, within the horizon or overdue. */
export function reminders(f: Finding, { facts, asOf }: ReminderContext): RuleReminder[] {
  if ((f.outcome !== 'MET' && f.outcome !== 'VIOLATED') || !f.dueDate) return [];
  const clock = coursesBy(facts, asOf, 'REFRESHER');
  const latest = clock.length > 0 ? clock[clock.length - 1] : undefined;
  return [
    {
      kind: 'REFRESHER_DUE',
      dueDate: f.dueDate,
      action: `complete the SRO refresher course (MN_SRO_REFRESHER), required at least once every three years${latest ? `; the most recent Minnesota SRO course is ${namedTraining(latest)}` : ''}`,
    },
  ];
}
export const remindersBeforeDuty = noReminders;

export function evaluate(ctx: DayContext): Finding {
  if (!ctx.training) return noTrainingDuty(id, citation, ctx);
  const courses = coursesBy(ctx.facts, ctx.day, 'REFRESHER');
  if (courses.length === 0) return finding(id, citation, 'NOT_APPLICABLE', `No ${requiredCourse('REFRESHER').replace(/^an /, '')} completed by ${ctx.day}.`);
  const last = courses[courses.length - 1];
  const due = addYears(last.completedOn, REFRESHER_YEARS);
  const what = `Most recent Minnesota SRO course ${trainingPhrase(last)} completed ${last.completedOn}`;
  return ctx.day <= due
    ? finding(id, citation, 'MET', `${what}; a refresher (MN_SRO_REFRESHER) is due by ${due}.`, [last.eventId], due)
    : finding(id, citation, 'VIOLATED', `${what}; a refresher (MN_SRO_REFRESHER) was due by ${due} and none was completed by ${ctx.day}.`, [last.eventId], due);
}
