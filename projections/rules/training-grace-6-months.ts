/**
 * TRAINING_GRACE_6_MONTHS (docs/reference.md#training_grace_6_months): when a
 * TrainingUnavailableDeclared exists for an assignment of the run that starts at S, the subd. 3(a)
 * course (coursesFor('BEFORE_DUTY'): MN_SRO_BASIC, decision 23) is due S + 6 months. Until it is
 * completed, the officer is not required to perform subd. 2(a)(4) and (5) (see officer-status
 * restrictedDuties).
 */
import type { DayContext } from '../context';
import { coursesBy } from '../context';
import { addMonths, maxDate, type LocalDate } from '../dates';
import type { Facts } from '../facts';
import { GRACE_RESTRICTION_UNTIL_COMPLETED, RESTRICTED_DUTIES } from '../interpretation';
import { GRACE_MONTHS, STATUTE_START } from '../law';
import type { Finding } from '../types';
import { completeQualifyingCourse, dutyStartPhrase, finding, NONE, noReminders, noTrainingDuty, requiredCourse, trainingPhrase, type RuleReminder } from './common';
import { judgeException } from './exception';

export const id = 'TRAINING_GRACE_6_MONTHS' as const;
export const citation = 'Minn. Stat. 626.8482 subd. 3(c); policy "Training"';
export const inForceFrom = STATUTE_START;

/**
 * The possible grace deadlines: six months from a duty start, which is an assignment's start (or
 * 2025-09-01 for one before it) or, for a substitute, a 60th contact day (a contact date).
 */
export function changeDates(facts: Facts): LocalDate[] {
  return [
    ...facts.assignments.map((a) => addMonths(maxDate(a.startDate, STATUTE_START), GRACE_MONTHS)),
    addMonths(STATUTE_START, GRACE_MONTHS),
    ...facts.contactDays.map((c) => addMonths(maxDate(c.date, STATUTE_START), GRACE_MONTHS)),
  ];
}

/** Subd. 3(c): until the course is completed, duties (4) and (5) of subd. 2(a) are not required. */
export function restrictedDuties(ctx: DayContext, f: Finding): readonly string[] {
  const open = ctx.training?.grace != null && (f.outcome === 'PENDING' || (GRACE_RESTRICTION_UNTIL_COMPLETED && f.outcome === 'VIOLATED'));
  return open ? RESTRICTED_DUTIES : NONE;
}

export const reminderKinds = ['GRACE_DEADLINE'] as const;

/** The grace's course deadline, pending or missed. */
export function reminders(f: Finding): RuleReminder[] {
  if (f.outcome !== 'PENDING' && f.outcome !== 'VIOLATED') return [];
  return [
    {
      kind: 'GRACE_DEADLINE',
      dueDate: f.dueDate!,
      action: `${completeQualifyingCourse()} within six months of assuming SRO duties (the agency declared the course unavailable); until then duties (4) and (5) of subd. 2(a) are not required`,
    },
  ];
}
export const remindersBeforeDuty = noReminders;

export function evaluate(ctx: DayContext): Finding {
  const t = ctx.training;
  if (!t) return noTrainingDuty(id, citation, ctx);
  const g = t.grace;
  if (!g) {
    const why = t.trainedAtDutyStart
      ? `${trainingPhrase(t.trainedAtDutyStart)} was completed ${t.trainedAtDutyStart.completedOn}, on or before ${dutyStartPhrase(ctx)}; no grace is needed.`
      : t.basis === 'SIXTIETH_CONTACT_DAY'
        ? 'The grace follows a TrainingUnavailableDeclared for an assignment; a substitute has none.'
        : `No TrainingUnavailableDeclared for an assignment of the run starting ${t.dutyStart}.`;
    return finding(id, citation, 'NOT_APPLICABLE', why);
  }
  const declared = g.declarations.map((d) => `${d.declaredOn} for assignment ${d.assignmentId}`).join('; ');
  return judgeException({
    rule: id,
    citation,
    ctx,
    due: g.due,
    completed: coursesBy(ctx.facts, ctx.day, 'BEFORE_DUTY')[0],
    what: `Training declared unavailable (${declared}); six months from ${dutyStartPhrase(ctx)}`,
    required: requiredCourse('BEFORE_DUTY'),
    evidence: g.declarations.map((d) => d.eventId),
    other: t.legacy ? { due: t.legacy.due, name: 'the legacy-course exception of subd. 3(b)' } : null,
  });
}
