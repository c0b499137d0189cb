/**
 * TRAINING_BEFORE_DUTY (docs/reference.md#training_before_duty): an SRO has the subd. 3(a) course
 * (coursesFor('BEFORE_DUTY'): MN_SRO_BASIC, decision 23) completed on or before the duty start S
 * (2025-09-01 for an SRO already serving then); a substitute from the 60th contact day. Before-duty
 * semantics: due S; on D ≥ S MET if such a course is effective on or before D, else VIOLATED.
 * EXEMPT while an exception (grace, legacy) applies. A Minnesota SRO course that does not meet
 * subd. 3(a) (the supplemental course or the refresher, for an officer the legacy exception does
 * not cover) is named in the explanation and the evidence, with what it does not satisfy.
 */
import type { DayContext } from '../context';
import { coursesBy, coursesFor, notMeetingBy } from '../context';
import { courseLabel, courseList, isLegacy } from '../facts';
import { LEGACY_DEADLINE } from '../interpretation';
import { STATUTE_START } from '../law';
import type { LocalDate } from '../dates';
import type { Finding } from '../types';
import {
  completeQualifyingCourse,
  dutyStartPhrase,
  finding,
  noDates,
  noRestriction,
  noTrainingDuty,
  requiredCourse,
  runEvidence,
  trainingPhrase,
  type RuleReminder,
} from './common';

export const id = 'TRAINING_BEFORE_DUTY' as const;
export const citation = 'Minn. Stat. 626.8482 subd. 3(a); policy "Training"';
export const inForceFrom = STATUTE_START;

/** Due on the duty start, which is an effective date: no deadline of its own. */
export const changeDates = noDates;
export const restrictedDuties = noRestriction;

export const reminderKinds = ['TRAINING_MISSING'] as const;

/** No subd. 3(a) course although one was due before duty: overdue since the duty start. */
export function reminders(f: Finding): RuleReminder[] {
  return f.outcome === 'VIOLATED' ? [{ kind: 'TRAINING_MISSING', dueDate: f.dueDate!, action: `${completeQualifyingCourse()}, required before assuming SRO duties` }] : [];
}

/** Duty starting within the horizon without the course. */
export function remindersBeforeDuty(f: Finding, dutyStart: LocalDate): RuleReminder[] {
  return f.outcome === 'VIOLATED' ? [{ kind: 'TRAINING_MISSING', dueDate: f.dueDate!, action: `${completeQualifyingCourse()} before SRO duty starts on ${dutyStart}` }] : [];
}

/** Why the officer's other Minnesota SRO courses (by D) do not meet subd. 3(a); '' when there are none. */
function notMeetingNote(ctx: DayContext): { text: string; evidence: string[] } {
  const others = notMeetingBy(ctx.facts, ctx.day, 'BEFORE_DUTY');
  if (others.length === 0) return { text: '', evidence: [] };
  const legacyCourse = ctx.facts.trainings.find((c) => isLegacy(c.course) && c.completedOn < STATUTE_START);
  const which = others.map((c) => `${courseLabel(c)} completed ${c.completedOn} (training ${c.trainingId})`);
  const listed = which.length === 1 ? which[0] : `${which.slice(0, -1).join(', ')} and ${which[which.length - 1]}`;
  const doWhat = others.length === 1 ? 'does' : 'do';
  const whom = legacyCourse
    ? `: it stands in for that course only under the legacy exception of subd. 3(b), which does not apply to ${dutyStartPhrase(ctx)} (after ${LEGACY_DEADLINE})`
    : ` for an officer who completed no SSC or NASRO basic course before ${STATUTE_START}`;
  return {
    text: ` ${listed} ${doWhat} not satisfy subd. 3(a)${whom}; ${courseList(coursesFor('BEFORE_DUTY'))} is required.`,
    evidence: others.map((c) => c.eventId),
  };
}

export function evaluate(ctx: DayContext): Finding {
  const t = ctx.training;
  if (!t) return noTrainingDuty(id, citation, ctx);
  if (t.trainedAtDutyStart) {
    const c = t.trainedAtDutyStart;
    return finding(
      id,
      citation,
      'MET',
      `${trainingPhrase(c)} completed ${c.completedOn}, on or before ${dutyStartPhrase(ctx)}.`,
      [c.eventId],
      t.dueDate,
    );
  }
  const required = requiredCourse('BEFORE_DUTY');
  if (t.grace || t.legacy) {
    const which = [
      t.grace ? `the six-month grace of subd. 3(c) (course due ${t.grace.due})` : null,
      t.legacy ? `the legacy-course exception of subd. 3(b) (course due ${t.legacy.due})` : null,
    ].filter(Boolean);
    const evidence = [
      ...(t.grace?.declarations.map((d) => d.eventId) ?? []),
      ...(t.legacy ? [t.legacy.legacyCourse.eventId] : []),
    ];
    return finding(
      id,
      citation,
      'EXEMPT',
      `No ${required.replace(/^an /, '')} by ${dutyStartPhrase(ctx)}; exempt from training before duty because ${which.join(' and ')} applies.`,
      evidence,
    );
  }
  const note = notMeetingNote(ctx);
  const late = coursesBy(ctx.facts, ctx.day, 'BEFORE_DUTY')[0];
  if (late) {
    return finding(
      id,
      citation,
      'MET',
      `${trainingPhrase(late)} completed ${late.completedOn}, after ${dutyStartPhrase(ctx)}: ` +
        `the requirement was violated from ${t.dueDate} until that day and is met since.${note.text}`,
      [late.eventId, ...note.evidence, ...runEvidence(ctx)],
      t.dueDate,
    );
  }
  return finding(
    id,
    citation,
    'VIOLATED',
    `No ${required.replace(/^an /, '')} completed by ${ctx.day}; one was required on or before ${dutyStartPhrase(ctx)}, and no exception applies.${note.text}`,
    [...note.evidence, ...runEvidence(ctx)],
    t.dueDate,
  );
}
