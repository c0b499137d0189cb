/**
 * REFRESHER_3_YEARS (SPEC §3): the most recent qualifying course is no more than three years
 * old: MET while D ≤ last qualifying completedOn + 3 years (the dueDate), VIOLATED after it;
 * NOT_APPLICABLE while no qualifying course exists.
 */
import type { DayContext } from '../context';
import { qualifyingBy } from '../context';
import { addYears } from '../dates';
import { REFRESHER_YEARS } from '../law';
import type { Finding } from '../types';
import { finding, noTrainingDuty } from './common';

export const id = 'REFRESHER_3_YEARS' as const;
export const citation = 'policy "Training" (refresher at least once every three years)';

export function evaluate(ctx: DayContext): Finding {
  if (!ctx.training) return noTrainingDuty(id, citation, ctx);
  const courses = qualifyingBy(ctx.facts, ctx.day);
  if (courses.length === 0) return finding(id, citation, 'NOT_APPLICABLE', `No qualifying course completed by ${ctx.day}.`);
  const last = courses[courses.length - 1];
  const due = addYears(last.completedOn, REFRESHER_YEARS);
  const what = `Most recent qualifying course ${last.course} (training ${last.trainingId}) completed ${last.completedOn}`;
  return ctx.day <= due
    ? finding(id, citation, 'MET', `${what}; a refresher is due by ${due}.`, [last.eventId], due)
    : finding(id, citation, 'VIOLATED', `${what}; a refresher was due by ${due} and none was completed by ${ctx.day}.`, [last.eventId], due);
}
