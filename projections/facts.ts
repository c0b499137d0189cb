/**
 * The officer's known facts, shaped for the rules. Built once per (ledger, knownAt) from the
 * knowledge step; evaluating a day is then a pure function of (Facts, day).
 *
 * Malformed data (an effective date that is not a calendar date) is skipped rather than
 * trusted. Where the write side would refuse a duplicate (a second OfficerAssigned or
 * TrainingCompleted with the same id, a second AssignmentEnded), the first recorded one is used.
 */
import { COURSES, LEGACY_COURSES, QUALIFYING_COURSES, type Course } from '../events/catalogue';
import { isLocalDate, type LocalDate } from './dates';
import type { KnownEvent, Knowledge } from './knowledge';

export interface Assignment {
  assignmentId: string;
  schools: string[];
  startDate: LocalDate;
  /** Last day served (inclusive); null while not ended. */
  endDate: LocalDate | null;
  assignedEventId: string;
  endedEventId?: string;
  declarations: { declaredOn: LocalDate; eventId: string }[];
}

export interface Training {
  trainingId: string;
  course: Course;
  completedOn: LocalDate;
  /** The POST Board's course approval number, when recorded. */
  courseNumber?: string;
  eventId: string;
  certificates: { filedOn: LocalDate; eventId: string }[];
}

export interface PolicyVersion {
  version: string;
  adoptedOn: LocalDate;
  /** The POST Board model policy revision it follows, when recorded. */
  modelRevision?: LocalDate;
  eventId: string;
}

/** The officer's separation from the agency (the first known, not retracted OfficerSeparated). */
export interface Separation {
  separatedOn: LocalDate;
  reason: string;
  eventId: string;
}

export interface PolicyReview {
  version: string;
  reviewedOn: LocalDate;
  eventId: string;
}

export interface ContactDay {
  date: LocalDate;
  schools: string[];
  eventIds: string[];
}

export interface Facts {
  officerId: string;
  /** The name as known: registered, then as last corrected (OfficerDetailsCorrected). */
  name: string;
  /** The license number as known (registered or corrected); null when none was recorded. */
  licenseNumber: string | null;
  /** Off the agency's active roster from separatedOn on; null when not separated. */
  separation: Separation | null;
  /** Sorted by startDate. */
  assignments: Assignment[];
  /** Sorted by completedOn. */
  trainings: Training[];
  /** Sorted by adoptedOn, then recorded order. */
  policies: PolicyVersion[];
  reviews: PolicyReview[];
  /** Distinct contact dates, sorted. */
  contactDays: ContactDay[];
  /** Every effective date in the facts (for the status-interval candidates). */
  effectiveDates: LocalDate[];
}

/** One of the three Minnesota SRO courses (which rule each meets: context.ts coursesFor). */
const isQualifying = (c: Course) => QUALIFYING_COURSES.includes(c);
const isLegacy = (c: Course) => LEGACY_COURSES.includes(c);
export { isQualifying, isLegacy };

/** A training as the explanations and reminders name it: its course, and its POST course number when recorded. */
export const courseLabel = (t: Pick<Training, 'course' | 'courseNumber'>): string =>
  t.courseNumber ? `${t.course} (POST course ${t.courseNumber})` : t.course;

/** "A", "A or B", "A, B or C". */
export const courseList = (courses: readonly string[]): string =>
  courses.length <= 1 ? courses.join('') : `${courses.slice(0, -1).join(', ')} or ${courses[courses.length - 1]}`;

type Data = Record<string, unknown>;
const str = (v: unknown): v is string => typeof v === 'string';

export function buildFacts(officerId: string, name: string, knowledge: Knowledge): Facts {
  const assignments = new Map<string, Assignment>();
  const trainings = new Map<string, Training>();
  const policies = new Map<string, PolicyVersion>();
  const reviews: PolicyReview[] = [];
  const contact = new Map<LocalDate, ContactDay>();
  const ends: { data: Data; e: KnownEvent }[] = [];
  const declarations: { data: Data; e: KnownEvent }[] = [];
  const certificates: { data: Data; e: KnownEvent }[] = [];
  const dates: LocalDate[] = [];
  let currentName = name;
  let licenseNumber: string | null = null;
  let separation: Separation | null = null;
  const date = (v: unknown): v is LocalDate => {
    if (!isLocalDate(v)) return false;
    dates.push(v);
    return true;
  };

  for (const e of knowledge.facts) {
    const d = (e.data ?? {}) as Data;
    switch (e.type) {
      case 'OfficerRegistered':
        if (e.stream === 'officer') {
          if (str(d.name)) currentName = d.name;
          if (str(d.licenseNumber)) licenseNumber = d.licenseNumber;
        }
        break;
      case 'OfficerDetailsCorrected':
        // In recorded order: the latest known correction of each field is the one shown.
        if (e.stream === 'officer') {
          if (str(d.name)) currentName = d.name;
          if (str(d.licenseNumber)) licenseNumber = d.licenseNumber;
        }
        break;
      case 'OfficerSeparated':
        if (e.stream === 'officer' && separation === null && date(d.separatedOn)) {
          separation = { separatedOn: d.separatedOn, reason: str(d.reason) ? d.reason : '', eventId: e.eventId };
        }
        break;
      case 'OfficerAssigned':
        if (e.stream === 'officer' && str(d.assignmentId) && !assignments.has(d.assignmentId) && date(d.startDate)) {
          assignments.set(d.assignmentId, {
            assignmentId: d.assignmentId,
            schools: Array.isArray(d.schools) ? d.schools.filter(str) : [],
            startDate: d.startDate,
            endDate: null,
            assignedEventId: e.eventId,
            declarations: [],
          });
        }
        break;
      case 'AssignmentEnded':
        if (e.stream === 'officer') ends.push({ data: d, e });
        break;
      case 'TrainingUnavailableDeclared':
        if (e.stream === 'officer') declarations.push({ data: d, e });
        break;
      case 'TrainingCompleted':
        if (
          e.stream === 'officer' &&
          str(d.trainingId) &&
          !trainings.has(d.trainingId) &&
          (COURSES as readonly unknown[]).includes(d.course) &&
          date(d.completedOn)
        ) {
          trainings.set(d.trainingId, {
            trainingId: d.trainingId,
            course: d.course as Course,
            completedOn: d.completedOn,
            ...(str(d.courseNumber) && d.courseNumber !== '' ? { courseNumber: d.courseNumber } : {}),
            eventId: e.eventId,
            certificates: [],
          });
        }
        break;
      case 'CertificateFiled':
        if (e.stream === 'officer') certificates.push({ data: d, e });
        break;
      case 'SroPolicyAdopted':
        if (e.stream === 'agency' && str(d.version) && !policies.has(d.version) && date(d.adoptedOn)) {
          policies.set(d.version, {
            version: d.version,
            adoptedOn: d.adoptedOn,
            ...(isLocalDate(d.modelRevision) ? { modelRevision: d.modelRevision } : {}),
            eventId: e.eventId,
          });
        }
        break;
      case 'PolicyReviewed':
        if (e.stream === 'officer' && str(d.version) && date(d.reviewedOn)) {
          reviews.push({ version: d.version, reviewedOn: d.reviewedOn, eventId: e.eventId });
        }
        break;
      case 'SubstituteDayServed':
        if (e.stream === 'officer' && date(d.date)) {
          const day = contact.get(d.date) ?? { date: d.date, schools: [], eventIds: [] };
          if (str(d.school)) day.schools.push(d.school);
          day.eventIds.push(e.eventId);
          contact.set(d.date, day);
        }
        break;
      default:
        break; // registrations and unknown types carry no compliance fact
    }
  }
  // Facts that refer to others are attached once every referent is known (recorded order is
  // kept, so a reference to a later-recorded id, which the write side refuses, still resolves).
  for (const { data, e } of ends) {
    const a = str(data.assignmentId) ? assignments.get(data.assignmentId) : undefined;
    if (a && a.endedEventId === undefined && date(data.endDate)) {
      a.endDate = data.endDate;
      a.endedEventId = e.eventId;
    }
  }
  for (const { data, e } of declarations) {
    const a = str(data.assignmentId) ? assignments.get(data.assignmentId) : undefined;
    if (a && date(data.declaredOn)) a.declarations.push({ declaredOn: data.declaredOn, eventId: e.eventId });
  }
  for (const { data, e } of certificates) {
    const t = str(data.trainingId) ? trainings.get(data.trainingId) : undefined;
    if (t && date(data.filedOn)) t.certificates.push({ filedOn: data.filedOn, eventId: e.eventId });
  }

  const byDate = <T>(key: (t: T) => LocalDate) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  return {
    officerId,
    name: currentName,
    licenseNumber,
    separation,
    assignments: [...assignments.values()].sort(byDate((a) => a.startDate)),
    trainings: [...trainings.values()].sort(byDate((t) => t.completedOn)),
    policies: [...policies.values()].sort(byDate((p) => p.adoptedOn)),
    reviews,
    contactDays: [...contact.values()].sort(byDate((c) => c.date)),
    effectiveDates: [...new Set(dates)].sort(),
  };
}
