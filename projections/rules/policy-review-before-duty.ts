/**
 * POLICY_REVIEW_BEFORE_DUTY (docs/reference.md#policy_review_before_duty): the officer reviewed the
 * agency's SRO policy on or before S (SRO) or on or before the first contact day of the school year
 * (substitute). No policy adopted by then violates it. Before-duty semantics: MET once the required
 * review is effective on or before D. A version adopted later only raises a reminder
 * (POLICY_REREVIEW, below).
 */
import type { DayContext } from '../context';
import { policyInForce } from '../context';
import { addDays, type LocalDate } from '../dates';
import type { PolicyVersion } from '../facts';
import { POLICY_REREVIEW_DAYS, POLICY_REVIEW_VERSION } from '../interpretation';
import { STATUTE_START } from '../law';
import type { Finding } from '../types';
import { finding, noDates, noRestriction, runEvidence, type ReminderContext, type RuleReminder } from './common';

export const id = 'POLICY_REVIEW_BEFORE_DUTY' as const;
/** The rule's citation where no case applies (NOT_APPLICABLE findings, the reference). */
export const citation = 'Minn. Stat. 626.8482 subd. 3(c); policy "Substitute SROs"';
export const inForceFrom = STATUTE_START;

/** Compares effective dates only (a duty start, an adoption, a review). */
export const changeDates = noDates;
export const restrictedDuties = noRestriction;

export const reminderKinds = ['POLICY_REVIEW_MISSING', 'POLICY_REREVIEW'] as const;

/**
 * No review of the required version although one was due before duty (overdue since the due
 * date); or, the requirement met, a newer version in force not yet reviewed: due its adoption
 * + 30 days (a reminder, never a violation).
 */
export function reminders(f: Finding, { facts, asOf, ctx }: ReminderContext): RuleReminder[] {
  if (f.outcome === 'VIOLATED') return [{ kind: 'POLICY_REVIEW_MISSING', dueDate: f.dueDate!, action: "review the agency's SRO policy, required before assuming SRO duties" }];
  if (!ctx.policy || f.outcome !== 'MET') return [];
  const required = requiredVersion(facts.policies, ctx.policy.dueDate, asOf);
  const latest = policyInForce(facts.policies, asOf);
  if (!required || !latest || latest === required) return [];
  const accepted = acceptableVersions(facts.policies, latest);
  if (facts.reviews.some((r) => accepted.has(r.version) && r.reviewedOn <= asOf)) return [];
  return [
    {
      kind: 'POLICY_REREVIEW',
      dueDate: addDays(latest.adoptedOn, POLICY_REREVIEW_DAYS),
      action: `review SRO policy version ${latest.version}, adopted ${latest.adoptedOn}, within ${POLICY_REREVIEW_DAYS} days of its adoption`,
    },
  ];
}

/** Duty starting within the horizon without the review. */
export function remindersBeforeDuty(f: Finding, dutyStart: LocalDate): RuleReminder[] {
  return f.outcome === 'VIOLATED' ? [{ kind: 'POLICY_REVIEW_MISSING', dueDate: f.dueDate!, action: `review the agency's SRO policy before SRO duty starts on ${dutyStart}` }] : [];
}

/**
 * The citation of each finding, by case (decision 27): the sentence that creates the duty for
 * this officer. Subd. 3(c) says it for an officer in the six-month grace ("must review any policy
 * adopted by the agency pursuant to subdivision 6 before assuming the other duties"), the policy's
 * "Substitute SROs" section for substitutes ("must review and comply with any policies adopted by
 * the agency regarding SROs"). For any other SRO no sentence says it: the product reads the
 * policy and the statute as asking it of every SRO, and says so.
 */
export const CITATION_GRACE = 'Minn. Stat. 626.8482 subd. 3(c); policy "Training"';
export const CITATION_SUBSTITUTE = 'policy "Substitute SROs"';
export const CITATION_PRODUCT_READING =
  "the product's reading of Minn. Stat. 626.8482 subd. 3(c) and 6 and policy \"Training\": no sentence asks it of an SRO outside the six-month grace (docs/decisions.md 27)";

export function citationFor(ctx: DayContext): string {
  if (ctx.policy?.basis === 'FIRST_CONTACT_DAY') return CITATION_SUBSTITUTE;
  if (ctx.training?.grace) return CITATION_GRACE;
  return CITATION_PRODUCT_READING;
}

/**
 * The version the rule asks for on D: the one in force on the due date; when none was adopted by
 * then, the first adopted after it (on or before D). null: no policy adopted by D at all.
 */
export function requiredVersion(policies: PolicyVersion[], dueDate: string, day: string): PolicyVersion | null {
  return policyInForce(policies, dueDate) ?? policies.find((p) => p.adoptedOn <= day) ?? null;
}

/** The versions whose review satisfies the requirement for `required`. */
export function acceptableVersions(policies: PolicyVersion[], required: PolicyVersion): Set<string> {
  if (POLICY_REVIEW_VERSION === 'ANY_ADOPTED_VERSION') return new Set(policies.map((p) => p.version));
  const from = policies.indexOf(required);
  return new Set(policies.slice(from).map((p) => p.version));
}

export function evaluate(ctx: DayContext): Finding {
  const p = ctx.policy;
  if (!p) return finding(id, citation, 'NOT_APPLICABLE', `Not an SRO or substitute SRO on ${ctx.day}.`);
  const cited = citationFor(ctx);
  const anchor =
    p.basis === 'ASSIGNMENT'
      ? `duty start ${p.dueDate}`
      : `the first substitute contact day of the school year (${p.dueDate})`;
  const required = requiredVersion(ctx.facts.policies, p.dueDate, ctx.day);
  if (!required) {
    return finding(
      id,
      cited,
      'VIOLATED',
      `The agency had adopted no SRO policy by ${anchor}, nor by ${ctx.day}; the officer could not review one (see the agency finding SRO_POLICY_ADOPTED).`,
      runEvidence(ctx),
      p.dueDate,
    );
  }
  const adoptedLate = required.adoptedOn > p.dueDate;
  const accepted = acceptableVersions(ctx.facts.policies, required);
  const reviews = ctx.facts.reviews
    .filter((r) => accepted.has(r.version) && r.reviewedOn <= ctx.day)
    .sort((a, b) => (a.reviewedOn < b.reviewedOn ? -1 : a.reviewedOn > b.reviewedOn ? 1 : 0));
  const policyText = `SRO policy version ${required.version} (adopted ${required.adoptedOn}${adoptedLate ? `, after ${anchor}: none was adopted by then` : ''})`;
  const review = reviews[0];
  if (review) {
    const inTime = !adoptedLate && review.reviewedOn <= p.dueDate;
    return finding(
      id,
      cited,
      'MET',
      `Reviewed ${policyText} as version ${review.version} on ${review.reviewedOn}` +
        (inTime ? `, on or before ${anchor}.` : `, after ${anchor} (violated from ${p.dueDate} until then).`),
      [review.eventId, required.eventId],
      p.dueDate,
    );
  }
  return finding(
    id,
    cited,
    'VIOLATED',
    `No review of ${policyText} by ${ctx.day}; one was required on or before ${anchor}.`,
    [required.eventId, ...runEvidence(ctx)],
    p.dueDate,
  );
}
