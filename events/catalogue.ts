/**
 * The event catalogue (SPEC §2): every fact the ledger records, with its data shape.
 *
 * Plain TypeScript: no Nest, no I/O. Imported by the write side (src/), the projections
 * (projections/) and the stores. A new field is added as a new schema version with an
 * upcaster in ./upcasters.ts; a stored event is never rewritten.
 */

/** A Minnesota local calendar date, `YYYY-MM-DD` (America/Chicago). */
export type LocalDate = string;

/** Course codes (SPEC §2, pinned). */
export const COURSES = [
  'MN_SRO_BASIC',
  'MN_SRO_SUPPLEMENTAL',
  'MN_SRO_REFRESHER',
  'SSC_BASIC',
  'NASRO_BASIC',
] as const;
export type Course = (typeof COURSES)[number];

/**
 * Qualifying courses: a Board-approved course on the 626.8482 subd. 4 learning objectives,
 * a Board-approved supplemental course (subd. 3(b)) and the refresher (policy "Training").
 */
export const QUALIFYING_COURSES: readonly Course[] = ['MN_SRO_BASIC', 'MN_SRO_SUPPLEMENTAL', 'MN_SRO_REFRESHER'];
/** Older basic courses that open the 2027 exception of subd. 3(b) when completed before 2025-09-01. */
export const LEGACY_COURSES: readonly Course[] = ['SSC_BASIC', 'NASRO_BASIC'];

export interface AgencyRegistered {
  agencyId: string;
  name: string;
}
export interface SroPolicyAdopted {
  version: string;
  adoptedOn: LocalDate;
  documentSha256?: string;
}
export interface OfficerRegistered {
  officerId: string;
  name: string;
  licenseNumber?: string;
}
export interface OfficerAssigned {
  assignmentId: string;
  schools: string[];
  startDate: LocalDate;
}
export interface AssignmentEnded {
  assignmentId: string;
  endDate: LocalDate;
}
export interface TrainingUnavailableDeclared {
  assignmentId: string;
  declaredOn: LocalDate;
  reason: string;
}
export interface SubstituteDayServed {
  date: LocalDate;
  school: string;
}
export interface TrainingCompleted {
  trainingId: string;
  course: Course;
  completedOn: LocalDate;
  provider?: string;
  courseNumber?: string;
}
export interface CertificateFiled {
  trainingId: string;
  sha256: string;
  fileName: string;
  filedOn: LocalDate;
}
export interface PolicyReviewed {
  version: string;
  reviewedOn: LocalDate;
}
/** Roster stream: an officer stream was opened (with its OfficerRegistered, in one transaction). */
export interface OfficerEnrolled {
  officerId: string;
}
export interface EventRetracted {
  retractedEventId: string;
  reason: string;
}

/** Every domain event type with its (current schema version) data. */
export interface EventDataByType {
  AgencyRegistered: AgencyRegistered;
  SroPolicyAdopted: SroPolicyAdopted;
  OfficerRegistered: OfficerRegistered;
  OfficerAssigned: OfficerAssigned;
  AssignmentEnded: AssignmentEnded;
  TrainingUnavailableDeclared: TrainingUnavailableDeclared;
  SubstituteDayServed: SubstituteDayServed;
  TrainingCompleted: TrainingCompleted;
  CertificateFiled: CertificateFiled;
  PolicyReviewed: PolicyReviewed;
  OfficerEnrolled: OfficerEnrolled;
  EventRetracted: EventRetracted;
}
export type EventType = keyof EventDataByType;

export const EVENT_TYPES: readonly EventType[] = [
  'AgencyRegistered',
  'SroPolicyAdopted',
  'OfficerRegistered',
  'OfficerAssigned',
  'AssignmentEnded',
  'TrainingUnavailableDeclared',
  'SubstituteDayServed',
  'TrainingCompleted',
  'CertificateFiled',
  'PolicyReviewed',
  'OfficerEnrolled',
  'EventRetracted',
];

/** A domain event as the domain sees it: a type and its data, no storage metadata. */
export type DomainEvent = { [T in EventType]: { type: T; data: EventDataByType[T] } }[EventType];

/**
 * The field of each event that holds its effective date (SPEC §1): the day the fact happened
 * in the world. Events without one (registrations, retractions) are effective when recorded.
 */
export const EFFECTIVE_DATE_FIELD: { readonly [T in EventType]: keyof EventDataByType[T] | null } = {
  AgencyRegistered: null,
  SroPolicyAdopted: 'adoptedOn',
  OfficerRegistered: null,
  OfficerAssigned: 'startDate',
  AssignmentEnded: 'endDate',
  TrainingUnavailableDeclared: 'declaredOn',
  SubstituteDayServed: 'date',
  TrainingCompleted: 'completedOn',
  CertificateFiled: 'filedOn',
  PolicyReviewed: 'reviewedOn',
  OfficerEnrolled: null,
  EventRetracted: null,
};
