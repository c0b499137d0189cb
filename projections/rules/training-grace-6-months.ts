/**
 * TRAINING_GRACE_6_MONTHS (SPEC §3): when a TrainingUnavailableDeclared exists for an assignment
 * of the run that starts at S, the subd. 3(a) course (coursesFor('BEFORE_DUTY'): MN_SRO_BASIC,
 * decision 23) is due S + 6 months. Until it is completed, the officer is not required to perform
 * subd. 2(a)(4) and (5) (see officer-status restrictedDuties).
 */
import type { DayContext } from '../context';
import { coursesBy } from '../context';
import type { Finding } from '../types';
import { dutyStartPhrase, finding, noTrainingDuty, requiredCourse, trainingPhrase } from './common';
import { judgeException } from './exception';

export const id = 'TRAINING_GRACE_6_MONTHS' as const;
export const citation = 'Minn. Stat. 626.8482 subd. 3(c); policy "Training"';

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
