/**
 * What the rules need to know about one day D, derived from the facts once and shared by every
 * rule: the officer's role on D (SRO, substitute, neither), the duty start S, the due dates of
 * the before-duty rules, and which training exceptions apply.
 */
import { addDays, addMonths, maxDate, schoolYearEnd, schoolYearStart, type LocalDate } from './dates';
import type { Course } from '../events/catalogue';
import { isLegacy, isQualifying, type Assignment, type ContactDay, type Facts, type PolicyVersion, type Training } from './facts';
import {
  BEFORE_DUTY_COURSES,
  BEFORE_DUTY_INCLUDES_START_DAY,
  COURSE_READING,
  CONTIGUOUS_ASSIGNMENTS_FORM_ONE_RUN,
  EXCEPTIONS_ONLY_WITHOUT_TRAINING_AT_DUTY_START,
  GRACE_AVAILABLE_TO_SUBSTITUTES,
  GRACE_DECLARATION_COVERS_WHOLE_RUN,
  GRACE_RUNS_FROM_EFFECTIVE_DUTY_START,
  LEGACY_DEADLINE,
  LEGACY_EXCEPTION_COURSES,
  REFRESHER_CLOCK_COURSES,
} from './interpretation';
import { GRACE_MONTHS, STATUTE_START, SUBSTITUTE_CONTACT_DAY_LIMIT } from './law';

export interface SroRole {
  kind: 'SRO';
  /** Start of the earliest assignment of the unbroken run covering D. */
  dutyStart: LocalDate;
  /** The run's assignments that have started by D. */
  run: Assignment[];
}
export interface SubstituteRole {
  kind: 'SUBSTITUTE';
  schoolYearStart: LocalDate;
  schoolYearEnd: LocalDate;
  /** Distinct contact days of D's school year up to and including D. */
  contactDays: ContactDay[];
  firstContactDay: LocalDate;
  /** The 60th contact day, once reached. */
  sixtiethDay: LocalDate | null;
}
export interface NoRole {
  kind: 'NONE';
}
export type Role = SroRole | SubstituteRole | NoRole;

export interface GraceException {
  due: LocalDate;
  declarations: { declaredOn: LocalDate; eventId: string; assignmentId: string }[];
}
export interface LegacyException {
  due: LocalDate;
  legacyCourse: Training;
}

/** The training rules apply on D: an SRO, or a substitute from the 60th contact day on. */
export interface TrainingDuty {
  /** S as the facts give it: the run's start, or the 60th contact day. */
  dutyStart: LocalDate;
  /** The before-duty due date: S, or 2025-09-01 when S is earlier. */
  dueDate: LocalDate;
  basis: 'ASSIGNMENT' | 'SIXTIETH_CONTACT_DAY';
  /** A course meeting subd. 3(a) (coursesFor('BEFORE_DUTY')) completed on or before the due date (the latest such), if any. */
  trainedAtDutyStart: Training | null;
  grace: GraceException | null;
  legacy: LegacyException | null;
}

/** POLICY_REVIEW_BEFORE_DUTY applies on D. */
export interface PolicyDuty {
  dueDate: LocalDate;
  basis: 'ASSIGNMENT' | 'FIRST_CONTACT_DAY';
}

export interface DayContext {
  day: LocalDate;
  facts: Facts;
  role: Role;
  /** D is before 2025-09-01: every rule NOT_APPLICABLE. */
  preStatute: boolean;
  /** A substitute under 60 contact days in the school year. */
  substituteExempt: boolean;
  training: TrainingDuty | null;
  policy: PolicyDuty | null;
}

/** Covers D: started on or before D and not ended before D (endDate is the last day served). */
export const covers = (a: Assignment, day: LocalDate): boolean =>
  a.startDate <= day && (a.endDate === null || a.endDate >= day);

/** The unbroken run of assignments (started by D) that covers D, or null when not an SRO on D. */
export function runCovering(assignments: Assignment[], day: LocalDate): Assignment[] | null {
  const started = assignments.filter((a) => a.startDate <= day && (a.endDate === null || a.endDate >= a.startDate));
  // Merge into runs, in start order.
  let run: Assignment[] = [];
  let runEnd: LocalDate | null = null; // null = open-ended
  let covering: Assignment[] | null = null;
  const joins = (a: Assignment) =>
    run.length > 0 &&
    (runEnd === null || a.startDate <= (CONTIGUOUS_ASSIGNMENTS_FORM_ONE_RUN ? addDays(runEnd, 1) : runEnd));
  const closeRun = () => {
    if (run.length > 0 && (runEnd === null || runEnd >= day)) covering = run;
  };
  for (const a of started) {
    if (joins(a)) {
      run.push(a);
      runEnd = runEnd === null || a.endDate === null ? null : maxDate(runEnd, a.endDate);
    } else {
      closeRun();
      run = [a];
      runEnd = a.endDate;
    }
  }
  closeRun();
  return covering;
}

export function roleOn(facts: Facts, day: LocalDate): Role {
  const run = runCovering(facts.assignments, day);
  if (run) return { kind: 'SRO', dutyStart: run[0].startDate, run };
  const syStart = schoolYearStart(day);
  const contactDays = facts.contactDays.filter((c) => c.date >= syStart && c.date <= day);
  if (contactDays.length === 0) return { kind: 'NONE' };
  return {
    kind: 'SUBSTITUTE',
    schoolYearStart: syStart,
    schoolYearEnd: schoolYearEnd(day),
    contactDays,
    firstContactDay: contactDays[0].date,
    sixtiethDay: contactDays.length >= SUBSTITUTE_CONTACT_DAY_LIMIT ? contactDays[SUBSTITUTE_CONTACT_DAY_LIMIT - 1].date : null,
  };
}

/**
 * Which training rules a course set is for (docs/reference.md#courses; docs/decisions.md 23):
 * 'BEFORE_DUTY' (TRAINING_BEFORE_DUTY, TRAINING_GRACE_6_MONTHS), 'LEGACY' (LEGACY_COURSE_2027),
 * 'REFRESHER' (REFRESHER_3_YEARS, CERTIFICATE_ON_FILE).
 */
export type CoursePurpose = 'BEFORE_DUTY' | 'LEGACY' | 'REFRESHER';

/** The courses that meet the rules of `purpose`, under COURSE_READING (read at each call). */
export function coursesFor(purpose: CoursePurpose): readonly Course[] {
  if (COURSE_READING === 'ANY_MN_SRO_COURSE') return REFRESHER_CLOCK_COURSES;
  if (purpose === 'BEFORE_DUTY') return BEFORE_DUTY_COURSES;
  if (purpose === 'LEGACY') {
    return COURSE_READING === 'LEGACY_BY_STATUTE_TEXT' ? LEGACY_EXCEPTION_COURSES.filter((c) => c !== 'MN_SRO_REFRESHER') : LEGACY_EXCEPTION_COURSES;
  }
  return REFRESHER_CLOCK_COURSES;
}

/** The courses of `purpose` completed on or before `day`, oldest first. */
export const coursesBy = (facts: Facts, day: LocalDate, purpose: CoursePurpose): Training[] => {
  const courses = coursesFor(purpose);
  return facts.trainings.filter((t) => courses.includes(t.course) && t.completedOn <= day);
};

/** Minnesota SRO courses completed on or before `day` that do not meet the rules of `purpose`, oldest first. */
export const notMeetingBy = (facts: Facts, day: LocalDate, purpose: CoursePurpose): Training[] => {
  const courses = coursesFor(purpose);
  return facts.trainings.filter((t) => isQualifying(t.course) && !courses.includes(t.course) && t.completedOn <= day);
};

/** "Before duty": on or before the due date (or strictly before, per the interpretation flag). */
export const inTimeFor = (date: LocalDate, due: LocalDate) => (BEFORE_DUTY_INCLUDES_START_DAY ? date <= due : date < due);

function trainingDuty(facts: Facts, role: SroRole | SubstituteRole, day: LocalDate): TrainingDuty | null {
  let dutyStart: LocalDate;
  let basis: TrainingDuty['basis'];
  if (role.kind === 'SRO') {
    dutyStart = role.dutyStart;
    basis = 'ASSIGNMENT';
  } else {
    if (role.sixtiethDay === null) return null;
    dutyStart = role.sixtiethDay;
    basis = 'SIXTIETH_CONTACT_DAY';
  }
  const dueDate = maxDate(dutyStart, STATUTE_START);
  const beforeDuty = coursesFor('BEFORE_DUTY');
  const trained = facts.trainings.filter((t) => beforeDuty.includes(t.course) && inTimeFor(t.completedOn, dueDate));
  const trainedAtDutyStart = trained.length > 0 ? trained[trained.length - 1] : null;
  const exceptionsPossible = !(EXCEPTIONS_ONLY_WITHOUT_TRAINING_AT_DUTY_START && trainedAtDutyStart);

  let grace: GraceException | null = null;
  // A declaration names an assignment: an SRO's run has them; a substitute has none of its own.
  const graceAssignments = role.kind === 'SRO' ? role.run : GRACE_AVAILABLE_TO_SUBSTITUTES ? facts.assignments : [];
  if (exceptionsPossible) {
    const declarations = graceAssignments.flatMap((a) =>
      a.declarations
        .filter((d) => GRACE_DECLARATION_COVERS_WHOLE_RUN || d.declaredOn <= day)
        .map((d) => ({ ...d, assignmentId: a.assignmentId })),
    );
    if (declarations.length > 0) {
      grace = { due: addMonths(GRACE_RUNS_FROM_EFFECTIVE_DUTY_START ? dueDate : dutyStart, GRACE_MONTHS), declarations };
    }
  }

  let legacy: LegacyException | null = null;
  if (exceptionsPossible && dutyStart <= LEGACY_DEADLINE) {
    const legacyCourse = facts.trainings.find((t) => isLegacy(t.course) && t.completedOn < STATUTE_START);
    if (legacyCourse) legacy = { due: LEGACY_DEADLINE, legacyCourse };
  }
  return { dutyStart, dueDate, basis, trainedAtDutyStart, grace, legacy };
}

export function dayContext(facts: Facts, day: LocalDate): DayContext {
  const role = roleOn(facts, day);
  const preStatute = day < STATUTE_START;
  const base = { day, facts, role, preStatute };
  if (role.kind === 'NONE' || preStatute) return { ...base, substituteExempt: false, training: null, policy: null };
  const training = trainingDuty(facts, role, day);
  const policy: PolicyDuty =
    role.kind === 'SRO'
      ? { dueDate: maxDate(role.dutyStart, STATUTE_START), basis: 'ASSIGNMENT' }
      : { dueDate: maxDate(role.firstContactDay, STATUTE_START), basis: 'FIRST_CONTACT_DAY' };
  return { ...base, substituteExempt: role.kind === 'SUBSTITUTE' && role.sixtiethDay === null, training, policy };
}

/** The policy version in force on `day`: the latest adopted on or before it. */
export function policyInForce(policies: PolicyVersion[], day: LocalDate): PolicyVersion | null {
  const adopted = policies.filter((p) => p.adoptedOn <= day);
  return adopted.length > 0 ? adopted[adopted.length - 1] : null;
}
