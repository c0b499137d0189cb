/**
 * The event catalogue (docs/reference.md#events): every fact the ledger records, with its data
 * shape.
 *
 * Plain TypeScript: no Nest, no I/O. Imported by the write side (src/), the projections
 * (projections/) and the stores. A new field is added as a new schema version with an
 * upcaster in ./upcasters.ts; a stored event is never rewritten.
 */

/** A Minnesota local calendar date, `YYYY-MM-DD` (America/Chicago). */
export type LocalDate = string;

/** Course codes (docs/reference.md#courses). */
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
  /** The date of the POST Board model policy revision the agency's policy follows (schema version 2; e.g. 2025-10-23). */
  modelRevision?: LocalDate;
}

/**
 * The clauses an SRO contract with a school district must (or should) address (policy "General
 * contractual agreements", "Data practices"): each the contract's section reference, or null
 * where the contract does not address it.
 */
export const CONTRACT_CLAUSES = ['dutiesPerSubd2', 'attire', 'districtRoleInSelection', 'deescalationResources', 'publicNotification', 'dataPractices'] as const;
export type ContractClause = (typeof CONTRACT_CLAUSES)[number];
export type ContractClauses = { [C in ContractClause]: string | null };

export interface SroContractRecorded {
  contractId: string;
  district: string;
  schools: string[];
  effectiveFrom: LocalDate;
  /** The contract's last day in force, when it has one. */
  effectiveTo?: LocalDate;
  documentSha256?: string;
  clauses: ContractClauses;
}
/** Terms that change from effectiveOn on; a clause absent from `clauses` is unchanged. */
export interface SroContractAmended {
  contractId: string;
  effectiveOn: LocalDate;
  schools?: string[];
  effectiveTo?: LocalDate;
  clauses?: Partial<ContractClauses>;
}
/** The contract ends early: endedOn is its last day in force. */
export interface SroContractEnded {
  contractId: string;
  endedOn: LocalDate;
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
  /**
   * Schema 2: true when the file itself was uploaded and is stored under `sha256` (the event's
   * own append, content-addressed); absent when only its hash was recorded (the JSON route).
   */
  fileStored?: boolean;
}
export interface PolicyReviewed {
  version: string;
  reviewedOn: LocalDate;
}
/** A correction of the name or license number as registered (or last corrected); shown from when it is recorded. */
export interface OfficerDetailsCorrected {
  name?: string;
  licenseNumber?: string;
  reason: string;
}
export const SEPARATION_REASONS = ['LEFT_AGENCY', 'ENTERED_IN_ERROR'] as const;
export type SeparationReason = (typeof SEPARATION_REASONS)[number];
/** The officer is off the agency's active roster from separatedOn on; the record stays. */
export interface OfficerSeparated {
  separatedOn: LocalDate;
  reason: SeparationReason;
  note?: string;
}
/** Roster stream: an officer stream was opened (with its OfficerRegistered, in one transaction). */
export interface OfficerEnrolled {
  officerId: string;
}
export interface EventRetracted {
  retractedEventId: string;
  reason: string;
}

/**
 * Proof of notice (docs/reference.md#events, docs/decisions.md W47): the daily digest of reminders
 * told a person of the agency by e-mail, in the agency's stream. One noticeId per agency, person
 * and Minnesota day.
 */
export interface NoticeRecipient {
  email: string;
  name: string;
  /** The person's role when told (chief or admin). */
  role: string;
}
/** One reminder item of a notice: whose, which rule, due when, and how many days were left that day (negative: overdue). */
export interface NoticeItem {
  officerId: string;
  rule: string;
  dueDate: LocalDate;
  daysLeft: number;
}
/** The SMTP server accepted the message: `messageId` is the message's Message-ID as sent and accepted. */
export interface ReminderNoticeSent {
  noticeId: string;
  channel: 'email';
  recipient: NoticeRecipient;
  messageId: string;
  items: NoticeItem[];
}
/** The message could not be handed over after its attempts (or a send was interrupted: docs/decisions.md W49). */
export interface ReminderNoticeFailed {
  noticeId: string;
  recipient: NoticeRecipient;
  error: string;
  attempts: number;
}
/** The recipient, signed in, pressed Acknowledge on the notice's page; `by` is the account's e-mail. */
export interface ReminderNoticeAcknowledged {
  noticeId: string;
  by: string;
}

/**
 * The agency's latest signed checkpoint was e-mailed to one of its witnesses (docs/integrity.md
 * "Witnesses"): who holds a copy of which tree. `messageId` is the Message-ID the SMTP server accepted.
 */
export interface WitnessCheckpointSent {
  email: string;
  name: string;
  treeSize: number;
  rootHash: string;
  messageId: string;
}
/** The checkpoint's message to a witness could not be handed over after its attempts (or its send was interrupted). */
export interface WitnessCheckpointFailed {
  email: string;
  name: string;
  treeSize: number;
  rootHash: string;
  error: string;
  attempts: number;
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
  OfficerDetailsCorrected: OfficerDetailsCorrected;
  OfficerSeparated: OfficerSeparated;
  SroContractRecorded: SroContractRecorded;
  SroContractAmended: SroContractAmended;
  SroContractEnded: SroContractEnded;
  OfficerEnrolled: OfficerEnrolled;
  EventRetracted: EventRetracted;
  ReminderNoticeSent: ReminderNoticeSent;
  ReminderNoticeFailed: ReminderNoticeFailed;
  ReminderNoticeAcknowledged: ReminderNoticeAcknowledged;
  WitnessCheckpointSent: WitnessCheckpointSent;
  WitnessCheckpointFailed: WitnessCheckpointFailed;
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
  'OfficerDetailsCorrected',
  'OfficerSeparated',
  'SroContractRecorded',
  'SroContractAmended',
  'SroContractEnded',
  'OfficerEnrolled',
  'EventRetracted',
  'ReminderNoticeSent',
  'ReminderNoticeFailed',
  'ReminderNoticeAcknowledged',
  'WitnessCheckpointSent',
  'WitnessCheckpointFailed',
];

/** A domain event as the domain sees it: a type and its data, no storage metadata. */
export type DomainEvent = { [T in EventType]: { type: T; data: EventDataByType[T] } }[EventType];

/**
 * The field of each event that holds its effective date (docs/reference.md#time): the day the fact
 * happened in the world. Events without one (registrations, retractions) are effective when
 * recorded.
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
  OfficerDetailsCorrected: null,
  OfficerSeparated: 'separatedOn',
  SroContractRecorded: 'effectiveFrom',
  SroContractAmended: 'effectiveOn',
  SroContractEnded: 'endedOn',
  OfficerEnrolled: null,
  EventRetracted: null,
  ReminderNoticeSent: null,
  ReminderNoticeFailed: null,
  ReminderNoticeAcknowledged: null,
  WitnessCheckpointSent: null,
  WitnessCheckpointFailed: null,
};
