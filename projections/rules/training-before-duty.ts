/**
 * TRAINING_BEFORE_DUTY (SPEC §3): an SRO has a qualifying course completed on or before the duty
 * start S (2025-09-01 for an SRO already serving then); a substitute from the 60th contact day.
 * Before-duty semantics: due S; on D ≥ S MET if a qualifying course is effective on or before D,
 * else VIOLATED. EXEMPT while an exception (grace, legacy) applies.
 */
import type { DayContext } from '../context';
import { qualifyingBy } from '../context';
import type { Finding } from '../types';
import { QUALIFYING_LIST, dutyStartPhrase, finding, noTrainingDuty, runEvidence } from './common';

export const id = 'TRAINING_BEFORE_DUTY' as const;
export const citation = 'Minn. Stat. 626.8482 subd. 3(a); policy "Training"';

export function evaluate(ctx: DayContext): Finding {
  const t = ctx.training;
  if (!t) return noTrainingDuty(id, citation, ctx);
  if (t.trainedAtDutyStart) {
    const c = t.trainedAtDutyStart;
    return finding(
      id,
      citation,
      'MET',
      `${c.course} (training ${c.trainingId}) completed ${c.completedOn}, on or before ${dutyStartPhrase(ctx)}.`,
      [c.eventId],
      t.dueDate,
    );
  }
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
      `No qualifying course by ${dutyStartPhrase(ctx)}; exempt from training before duty because ${which.join(' and ')} applies.`,
      evidence,
    );
  }
  const late = qualifyingBy(ctx.facts, ctx.day)[0];
  if (late) {
    return finding(
      id,
      citation,
      'MET',
      `${late.course} (training ${late.trainingId}) completed ${late.completedOn}, after ${dutyStartPhrase(ctx)}: ` +
        `the requirement was violated from ${t.dueDate} until that day and is met since.`,
      [late.eventId, ...runEvidence(ctx)],
      t.dueDate,
    );
  }
  return finding(
    id,
    citation,
    'VIOLATED',
    `No ${QUALIFYING_LIST.replace(/^a /, '')} completed by ${ctx.day}; one was required on or before ${dutyStartPhrase(ctx)}, and no exception applies.`,
    runEvidence(ctx),
    t.dueDate,
  );
}
