/**
 * SUBSTITUTE_60_DAYS (SPEC §3): a substitute (not an SRO on D, at least one contact day in D's
 * school year on or before D) with fewer than 60 distinct contact days in the school year up to
 * D is exempt from the training rules (status EXEMPT, restrictedDuties (4) and (5)). From the
 * 60th contact day on, the training rules apply with S = the 60th day.
 */
import type { DayContext } from '../context';
import { schoolYearLabel } from '../dates';
import { SUBSTITUTE_PAST_LIMIT_OUTCOME } from '../interpretation';
import { SUBSTITUTE_CONTACT_DAY_LIMIT } from '../law';
import type { Finding } from '../types';
import { finding, substituteExemptExplanation } from './common';

export const id = 'SUBSTITUTE_60_DAYS' as const;
export const citation = 'policy "Substitute SROs"';

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
