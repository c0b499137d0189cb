/**
 * LEGACY_COURSE_2027 (docs/reference.md#legacy_course_2027): an officer who completed SSC_BASIC or
 * NASRO_BASIC before 2025-09-01 needs an MN_SRO_BASIC, MN_SRO_SUPPLEMENTAL or MN_SRO_REFRESHER
 * course (coursesFor('LEGACY'), decision 23) before June 1, 2027 (due 2027-05-31: the statute
 * governs over the POST web page's June 30, 2027). A duty start after 2027-05-31 gets no exception.
 */
import type { DayContext } from '../context';
import { coursesBy, coursesFor } from '../context';
import type { LocalDate } from '../dates';
import type { Finding } from '../types';
import { dutyStartPhrase, finding, namedTraining, noReminders, noRestriction, noTrainingDuty, requiredCourse, trainingPhrase, type ReminderContext, type RuleReminder } from './common';
import { judgeException } from './exception';
import { courseList, isLegacy } from '../facts';
import { LEGACY_DEADLINE } from '../interpretation';
import { STATUTE_START } from '../law';

export const id = 'LEGACY_COURSE_2027' as const;
export const citation = 'Minn. Stat. 626.8482 subd. 3(b); policy "Training"';
export const inForceFrom = STATUTE_START;

/** The 2027 deadline (PENDING up to it, VIOLATED from the day after). */
export const changeDates = (): LocalDate[] => [LEGACY_DEADLINE];
export const restrictedDuties = noRestriction;

export const reminderKinds = ['LEGACY_DEADLINE'] as const;

/** The 2027 deadline, pending or missed. */
export function reminders(f: Finding, { ctx }: ReminderContext): RuleReminder[] {
  if (f.outcome !== 'PENDING' && f.outcome !== 'VIOLATED') return [];
  const old = ctx.training?.legacy?.legacyCourse;
  return [
    {
      kind: 'LEGACY_DEADLINE',
      dueDate: f.dueDate!,
      action: `complete ${courseList(coursesFor('LEGACY'))}; the earlier SSC/NASRO basic course${old ? ` ${namedTraining(old)}` : ''} suffices only before June 1, 2027`,
    },
  ];
}
export const remindersBeforeDuty = noReminders;

export function evaluate(ctx: DayContext): Finding {
  const t = ctx.training;
  if (!t) return noTrainingDuty(id, citation, ctx);
  const l = t.legacy;
  if (!l) {
    const legacyCourse = ctx.facts.trainings.find((c) => isLegacy(c.course) && c.completedOn < STATUTE_START);
    const why = !legacyCourse
      ? `No SSC_BASIC or NASRO_BASIC course completed before ${STATUTE_START}.`
      : t.trainedAtDutyStart
        ? `${trainingPhrase(t.trainedAtDutyStart)} was completed ${t.trainedAtDutyStart.completedOn}, on or before ${dutyStartPhrase(ctx)}; the legacy exception is not needed.`
        : `${trainingPhrase(legacyCourse)} completed ${legacyCourse.completedOn}, but the ${dutyStartPhrase(ctx)} is after ${LEGACY_DEADLINE}: the exception no longer applies.`;
    return finding(id, citation, 'NOT_APPLICABLE', why, legacyCourse ? [legacyCourse.eventId] : []);
  }
  return judgeException({
    rule: id,
    citation,
    ctx,
    due: l.due,
    completed: coursesBy(ctx.facts, ctx.day, 'LEGACY')[0],
    what: `${trainingPhrase(l.legacyCourse)} completed ${l.legacyCourse.completedOn}, before ${STATUTE_START}; under subd. 3(b) (before June 1, 2027; the statute governs over the POST web page's June 30, 2027)`,
    required: requiredCourse('LEGACY'),
    evidence: [l.legacyCourse.eventId],
    other: t.grace ? { due: t.grace.due, name: 'the six-month grace of subd. 3(c)' } : null,
  });
}
