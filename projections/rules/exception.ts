/** The shared judgement of the two exception deadlines (docs/reference.md#definitions; docs/decisions.md 6). */
import type { DayContext } from '../context';
import type { Training } from '../facts';
import { COMBINED_EXCEPTIONS } from '../interpretation';
import type { Finding, RuleId } from '../types';
import { finding, trainingPhrase } from './common';

/**
 * MET if the required course is effective on or before D; PENDING while D ≤ due; VIOLATED from
 * due + 1. With COMBINED_EXCEPTIONS = 'LATEST_DEADLINE_GOVERNS', a missed deadline while the
 * other exception is still PENDING is EXEMPT (superseded).
 */
export function judgeException(args: {
  rule: RuleId;
  citation: string;
  ctx: DayContext;
  due: string;
  completed: Training | undefined;
  what: string; // e.g. "the six-month grace (TrainingUnavailableDeclared ...)"
  required: string; // e.g. "an MN_SRO_BASIC course"
  evidence: string[];
  other: { due: string; name: string } | null;
}): Finding {
  const { rule, citation, ctx, due, completed, what, required, evidence, other } = args;
  if (completed) {
    const inTime = completed.completedOn <= due;
    return finding(
      rule,
      citation,
      'MET',
      `${what}: ${trainingPhrase(completed)} completed ${completed.completedOn}` +
        (inTime ? `, by the deadline ${due}.` : `, after the deadline ${due} (violated from the day after the deadline until then).`),
      [completed.eventId, ...evidence],
      due,
    );
  }
  if (ctx.day <= due) {
    return finding(rule, citation, 'PENDING', `${what}: ${required} is due by ${due}; none completed by ${ctx.day}.`, evidence, due);
  }
  if (COMBINED_EXCEPTIONS === 'LATEST_DEADLINE_GOVERNS' && other && ctx.day <= other.due) {
    return finding(
      rule,
      citation,
      'EXEMPT',
      `${what}: the deadline ${due} has passed without ${required}, but ${other.name} (due ${other.due}) still covers the officer.`,
      evidence,
    );
  }
  return finding(rule, citation, 'VIOLATED', `${what}: ${required} was due by ${due}; none completed by ${ctx.day}.`, evidence, due);
}
