/**
 * Every open question of interpretation, answered in ONE place (docs/decisions.md).
 * docs/decisions.md has a section per constant: the question, the default, the rationale.
 * A later statute text or Board guidance that settles a question changes the constant here.
 */
import type { ContractClause, Course } from '../events/catalogue';
import type { LocalDate } from './dates';
import { STATUTE_START } from './law';
import type { Outcome, Status } from './types';

/**
 * The 2027 deadline of subd. 3(b). The statute says "before June 1, 2027"; the POST Board web
 * page says June 30, 2027. The statute governs: the last day is May 31, 2027. It is also the
 * last duty start for which the exception applies ("a duty start after 2027-05-31 gets none").
 */
export const LEGACY_DEADLINE: LocalDate = '2027-05-31';

/**
 * "Unbroken run" of assignments: overlapping assignments always join; an assignment starting
 * the day after another ends (end E, start E+1) joins the run too (no day off SRO duty), so the
 * duty start S stays the first start. A gap of one day or more starts a new run with a new S.
 */
export const CONTIGUOUS_ASSIGNMENTS_FORM_ONE_RUN = true;

/**
 * Training (or policy review) completed on the duty start day itself counts as "before duty"
 * ("on or before S", as docs/reference.md#training_before_duty says). false would require the day
 * before.
 */
export const BEFORE_DUTY_INCLUDES_START_DAY = true;

/**
 * An exception (grace, legacy) "applies" only to an officer who had no subd. 3(a) course
 * (BEFORE_DUTY_COURSES) on or before S. An officer trained in time meets TRAINING_BEFORE_DUTY; the exceptions are then
 * NOT_APPLICABLE (not MET-and-EXEMPT), because there was nothing to except.
 */
export const EXCEPTIONS_ONLY_WITHOUT_TRAINING_AT_DUTY_START = true;

/**
 * Which course meets which training rule (docs/reference.md#courses; docs/decisions.md 23).
 * 'EACH_RULE_ITS_COURSE' (the default) reads the statute rule by rule: the three sets below.
 * The alternative readings, behind this flag as COMBINED_EXCEPTIONS is:
 * - 'ANY_MN_SRO_COURSE': every Minnesota SRO course meets every training rule (the product's
 *   former reading: MN_SRO_SUPPLEMENTAL or MN_SRO_REFRESHER before duty meets subd. 3(a));
 * - 'LEGACY_BY_STATUTE_TEXT': as the default, but LEGACY_COURSE_2027 is met only by the courses
 *   the statute's text names (MN_SRO_BASIC or MN_SRO_SUPPLEMENTAL), not by the refresher the POST
 *   Board's page names (the wording of docs/reference.md#legacy_course_2027).
 */
export const COURSE_READING: 'EACH_RULE_ITS_COURSE' | 'ANY_MN_SRO_COURSE' | 'LEGACY_BY_STATUTE_TEXT' = 'EACH_RULE_ITS_COURSE';

/**
 * TRAINING_BEFORE_DUTY and TRAINING_GRACE_6_MONTHS. Minn. Stat. 626.8482 subd. 3(a): "a training
 * course that provides instruction on the learning objectives identified in subdivision 4" before
 * assuming the duties (and subd. 3(c): that course within six months). The supplemental course
 * is for officers covered by subd. 3(b) only; the refresher repeats a course, it is not the first.
 */
export const BEFORE_DUTY_COURSES: readonly Course[] = ['MN_SRO_BASIC'];

/**
 * LEGACY_COURSE_2027. Minn. Stat. 626.8482 subd. 3(b): an officer with the SSC or NASRO basic
 * course before 2025-09-01 completes the supplemental course approved under subd. 4(b) (or the
 * full subd. 3(a) course) before June 1, 2027; the POST Board's page tells the same officers to
 * complete "a refresher approved under these MLOs by June 30, 2027", its word for that course.
 */
export const LEGACY_EXCEPTION_COURSES: readonly Course[] = ['MN_SRO_BASIC', 'MN_SRO_SUPPLEMENTAL', 'MN_SRO_REFRESHER'];

/**
 * REFRESHER_3_YEARS and CERTIFICATE_ON_FILE. POST Board model policy "Training": "a refresher
 * course at a minimum of once every three years", and the chief keeps the latest certificate:
 * the clock (and the certificate asked for) runs from the latest of any of the three Minnesota
 * SRO courses.
 */
export const REFRESHER_CLOCK_COURSES: readonly Course[] = ['MN_SRO_BASIC', 'MN_SRO_SUPPLEMENTAL', 'MN_SRO_REFRESHER'];

/**
 * When both exceptions apply (a legacy-course officer whose agency also declared the course
 * unavailable), each deadline binds on its own, as both paragraphs say "must": the earlier one
 * is the one that can be missed first. The alternative 'LATEST_DEADLINE_GOVERNS' reports the
 * earlier exception as EXEMPT (superseded) while the later one is still PENDING.
 */
export const COMBINED_EXCEPTIONS: 'EACH_DEADLINE_BINDS' | 'LATEST_DEADLINE_GOVERNS' = 'EACH_DEADLINE_BINDS';

/**
 * A TrainingUnavailableDeclared for an assignment of the run covers the whole run from S, whatever
 * its declaredOn (the declaration documents that the agency could not provide the course before
 * duty; it is often written down after the fact). false: the grace applies only from declaredOn.
 */
export const GRACE_DECLARATION_COVERS_WHOLE_RUN = true;

/**
 * The six-month grace of subd. 3(c) runs from the effective duty start max(S, 2025-09-01): an
 * officer already serving before the statute began "assumes the duties" for its purposes then.
 */
export const GRACE_RUNS_FROM_EFFECTIVE_DUTY_START = true;

/**
 * A substitute past 60 contact days cannot use the grace: a TrainingUnavailableDeclared names an
 * assignment, and a substitute has none.
 */
export const GRACE_AVAILABLE_TO_SUBSTITUTES = false;

/**
 * Which policy version POLICY_REVIEW_BEFORE_DUTY asks for: the version in force on the due date
 * (the latest adopted on or before it; if none, the first adopted after it), or a newer one.
 * 'ANY_ADOPTED_VERSION' would accept a review of any version the agency ever adopted.
 */
export const POLICY_REVIEW_VERSION: 'IN_FORCE_AT_DUE_DATE' | 'ANY_ADOPTED_VERSION' = 'IN_FORCE_AT_DUE_DATE';

/** A policy version adopted during a run is to be reviewed within this many days of adoptedOn (a reminder, never a violation). */
export const POLICY_REREVIEW_DAYS = 30;

/**
 * A substitute under 60 contact days who has not reviewed the policy is NON_COMPLIANT, not
 * EXEMPT: EXEMPT requires "every non-training rule met", and the policy "Substitute SROs" says
 * substitutes must review the agency's policies.
 */
export const SUBSTITUTE_EXEMPT_REQUIRES_POLICY_REVIEW = true;

/** The SUBSTITUTE_60_DAYS finding once the 60th contact day is reached: the exemption no longer applies. */
export const SUBSTITUTE_PAST_LIMIT_OUTCOME: Outcome = 'NOT_APPLICABLE';

/** Before 2025-09-01 an SRO, and also a substitute, is COMPLIANT (every rule NOT_APPLICABLE). */
export const PRE_STATUTE_STATUS: Status = 'COMPLIANT';

/**
 * What `restrictedDuties` lists: the two duties of Minn. Stat. 626.8482 subd. 2(a) that an officer
 * in the subd. 3(c) grace, or a substitute under 60 contact days, is not required to perform.
 */
export const RESTRICTED_DUTIES: readonly string[] = [
  'Minn. Stat. 626.8482 subd. 2(a)(4): providing advice on safety drills',
  'Minn. Stat. 626.8482 subd. 2(a)(5): identifying vulnerabilities in school facilities and safety protocols',
];

/** The grace's duty restriction lasts until the course is completed, also after a missed deadline ("until the officer has completed"). */
export const GRACE_RESTRICTION_UNTIL_COMPLETED = true;

/**
 * "Today" is the calendar date in Minnesota. The projections never read the clock: the caller
 * computes asOf (localDateAt(now, MINNESOTA_TIME_ZONE) in ./dates, where the zone is defined) and passes it.
 */
export { MINNESOTA_TIME_ZONE } from './dates';

/** Reminder heads-up for a substitute from this many contact days in the school year (before the 60th). */
export const SUBSTITUTE_HEADS_UP_DAYS = 50;

/**
 * A retraction that names another retraction has no effect (the write side refuses it; a
 * retraction's mistake is corrected by recording the fact again).
 */
export const RETRACTION_OF_RETRACTION_HAS_EFFECT = false;

/** The officer history shows the agency's events (policy adoptions) alongside the officer's, as they change the status too. */
export const HISTORY_INCLUDES_AGENCY_EVENTS = true;

/**
 * The agency findings (SRO_POLICY_ADOPTED, CONTRACT_FOR_EACH_ASSIGNMENT, CONTRACT_TERMS) apply from
 * 2025-09-01, like the officer rules: before it every agency finding is NOT_APPLICABLE (decision 25).
 */
export const AGENCY_RULES_FROM: LocalDate = STATUTE_START;

/**
 * What each contract clause is, the word the model policy binds it with, and its section
 * (policy "General contractual agreements", "Data practices"; decision 26). "must" and "shall"
 * make a missing clause VIOLATED; "should" makes it SHOULD_CLAUSE_OUTCOME.
 */
export const CONTRACT_CLAUSE_DUTIES: Record<ContractClause, { what: string; word: 'must' | 'shall' | 'should'; section: string }> = {
  dutiesPerSubd2: { what: 'the SRO duties, in compliance with Minn. Stat. 626.8482 subd. 2', word: 'shall', section: 'General contractual agreements' },
  attire: { what: 'a mutually agreed upon policy on plain clothes, modified uniforms and other changes to SRO attire', word: 'must', section: 'General contractual agreements' },
  districtRoleInSelection: { what: 'the role, if any, of the school district in the selection, vetting and retention of the SRO', word: 'shall', section: 'General contractual agreements' },
  deescalationResources: { what: 'how the SRO will be informed of school district resources to assist with de-escalation', word: 'should', section: 'General contractual agreements' },
  publicNotification: { what: 'a public notification process that an SRO will be present in the schools', word: 'shall', section: 'General contractual agreements' },
  dataPractices: { what: 'data practices policies and procedures', word: 'must', section: 'Data practices' },
};

/**
 * The outcome of CONTRACT_TERMS when a contract addresses every "must" and "shall" clause but not
 * the "should" one (de-escalation resources): ADVISORY, an outcome of agency findings only. Not
 * MET (something the model policy asks for is missing), not VIOLATED ("should" creates no duty),
 * not PENDING (nothing falls due later) (decision 26).
 */
export const SHOULD_CLAUSE_OUTCOME = 'ADVISORY' as const;
