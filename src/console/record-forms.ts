/**
 * The admin's record forms (the console's first writes; issue 12 extends them): for each, the
 * fields a person fills in, the API's own DTO that validates them (the same validation pipe as the
 * routes) and the API's own typed command sent through the CommandBus. A form's field names are
 * the DTO's, so a refusal's field messages land beside their field.
 */
import type { Type } from '@nestjs/common';
import type { ICommand } from '@nestjs/cqrs';
import { COURSES } from '../../events/catalogue';
import { AdoptPolicyCommand, AdoptPolicyDto } from '../agencies/adopt-policy';
import { AmendContractCommand, AmendContractDto } from '../agencies/amend-contract';
import { EndContractCommand, EndContractDto } from '../agencies/end-contract';
import { RecordContractCommand, RecordContractDto } from '../agencies/record-contract';
import { CorrectOfficerDetailsCommand, CorrectOfficerDetailsDto } from '../officers/correct-officer-details';
import { SeparateOfficerCommand, SeparateOfficerDto } from '../officers/separate-officer';
import { AssignOfficerCommand, AssignOfficerDto } from '../officers/assign-officer';
import { DeclareTrainingUnavailableCommand, DeclareTrainingUnavailableDto } from '../officers/declare-training-unavailable';
import { EndAssignmentCommand, EndAssignmentDto } from '../officers/end-assignment';
import { FileCertificateCommand, FileCertificateDto } from '../officers/file-certificate';
import { RecordPolicyReviewCommand, RecordPolicyReviewDto } from '../officers/record-policy-review';
import { RecordSubstituteDayCommand, RecordSubstituteDayDto } from '../officers/record-substitute-day';
import { RecordTrainingCommand, RecordTrainingDto } from '../officers/record-training';
import { RegisterOfficerCommand, RegisterOfficerDto } from '../officers/register-officer';
import { RetractionDto, RetractOfficerEventCommand } from '../officers/retract-event';
import type { ImportCommandName } from '../import/bulk-import';
import type { WriteContext } from '../write/ledger-writer';
import { COURSE_WORDS } from './event-words';

export interface FieldSpec {
  name: string;
  label: string;
  kind: 'text' | 'date' | 'select' | 'lines' | 'dates' | 'file';
  optional?: boolean;
  hint?: string;
  options?: { value: string; label: string }[];
}

export interface RecordForm {
  /** The form uploads a file (multipart/form-data, the `file` field; src/console/index.ts UPLOAD_ROUTES). */
  upload?: boolean;
  /**
   * A field of dates (one per line) that makes one write per date (several substitute days at
   * once): each date is the body's `as` field, and the writes are recorded all or none.
   */
  many?: { field: string; as: string; command: ImportCommandName };
  id: string;
  /** agency: on the dashboard; officer: on an officer's record. */
  scope: 'agency' | 'officer';
  title: string;
  button: string;
  fields: FieldSpec[];
  dto: Type;
  /** Fields of the form that are path parameters of the API route, not body fields. */
  pathFields?: string[];
  command(ctx: WriteContext, officerId: string, values: Record<string, unknown>, body: object, file?: Buffer): ICommand;
  done(values: Record<string, unknown>): string;
}

const CLAUSES: { name: string; label: string }[] = [
  { name: 'dutiesPerSubd2', label: 'Section on the SRO’s duties (subd. 2)' },
  { name: 'attire', label: 'Section on attire' },
  { name: 'districtRoleInSelection', label: 'Section on the district’s role in selecting the SRO' },
  { name: 'deescalationResources', label: 'Section on de-escalation resources' },
  { name: 'publicNotification', label: 'Section on public notice' },
  { name: 'dataPractices', label: 'Section on data practices' },
];
const clauseFields = (hint: string): FieldSpec[] => CLAUSES.map((c) => ({ name: `clauses.${c.name}`, label: c.label, kind: 'text' as const, optional: true, hint }));

const courseOptions = COURSES.map((c) => ({ value: c, label: `${c}: ${COURSE_WORDS[c] ?? c}` }));

export const RECORD_FORMS: RecordForm[] = [
  {
    id: 'register-officer',
    scope: 'agency',
    title: 'Register an officer',
    button: 'Register the officer',
    fields: [
      { name: 'officerId', label: 'Officer ID', kind: 'text', hint: 'A short code for the officer, such as a badge number; it cannot be changed later.' },
      { name: 'name', label: 'Full name', kind: 'text' },
      { name: 'licenseNumber', label: 'POST license number', kind: 'text', optional: true },
    ],
    dto: RegisterOfficerDto,
    command: (ctx, _o, _v, body) => new RegisterOfficerCommand(ctx, body as RegisterOfficerDto),
    done: (v) => `Registered ${v.name} (${v.officerId}).`,
  },
  {
    id: 'adopt-policy',
    scope: 'agency',
    title: 'Adopt an SRO policy version',
    button: 'Record the adoption',
    fields: [
      { name: 'version', label: 'Policy version', kind: 'text', hint: 'As the agency names it, such as 2025-10.' },
      { name: 'adoptedOn', label: 'Adopted on', kind: 'date' },
    ],
    dto: AdoptPolicyDto,
    command: (ctx, _o, _v, body) => new AdoptPolicyCommand(ctx, body as AdoptPolicyDto),
    done: (v) => `Recorded the adoption of SRO policy version ${v.version}.`,
  },
  {
    id: 'record-contract',
    scope: 'agency',
    title: 'Record a contract with a school district',
    button: 'Record the contract',
    fields: [
      { name: 'contractId', label: 'Contract ID', kind: 'text', hint: 'A short code, such as isd-625-2025.' },
      { name: 'district', label: 'School district', kind: 'text' },
      { name: 'schools', label: 'Schools it covers', kind: 'lines', hint: 'One school per line, named as in the assignments.' },
      { name: 'effectiveFrom', label: 'In force from', kind: 'date' },
      { name: 'effectiveTo', label: 'In force until (last day)', kind: 'date', optional: true },
      { name: 'documentSha256', label: 'SHA-256 of the signed contract', kind: 'text', optional: true },
      ...clauseFields('Where the contract addresses it, such as § 4.2; empty when it does not.'),
    ],
    dto: RecordContractDto,
    command: (ctx, _o, _v, body) => new RecordContractCommand(ctx, body as RecordContractDto),
    done: (v) => `Recorded contract ${v.contractId} with ${v.district}.`,
  },
  {
    id: 'amend-contract',
    scope: 'agency',
    title: 'Amend a contract',
    button: 'Record the amendment',
    fields: [
      { name: 'contractId', label: 'Contract ID', kind: 'text' },
      { name: 'effectiveOn', label: 'Amendment in force from', kind: 'date' },
      { name: 'schools', label: 'Schools it now covers', kind: 'lines', optional: true, hint: 'The whole new list, one per line; empty to keep the schools.' },
      { name: 'effectiveTo', label: 'New last day', kind: 'date', optional: true },
      ...clauseFields('Empty keeps the clause as it was.'),
    ],
    dto: AmendContractDto,
    pathFields: ['contractId'],
    command: (ctx, _o, v, body) => new AmendContractCommand(ctx, String(v.contractId), body as AmendContractDto),
    done: (v) => `Recorded the amendment of contract ${v.contractId}.`,
  },
  {
    id: 'end-contract',
    scope: 'agency',
    title: 'End a contract',
    button: 'Record the end',
    fields: [
      { name: 'contractId', label: 'Contract ID', kind: 'text' },
      { name: 'endedOn', label: 'Last day in force', kind: 'date' },
    ],
    dto: EndContractDto,
    pathFields: ['contractId'],
    command: (ctx, _o, v, body) => new EndContractCommand(ctx, String(v.contractId), body as EndContractDto),
    done: (v) => `Recorded the end of contract ${v.contractId}.`,
  },
  {
    id: 'correct',
    scope: 'officer',
    title: 'Correct the name or license number',
    button: 'Record the correction',
    fields: [
      { name: 'name', label: 'Correct full name', kind: 'text', optional: true },
      { name: 'licenseNumber', label: 'Correct POST license number', kind: 'text', optional: true },
      { name: 'reason', label: 'Reason', kind: 'text', hint: 'What was wrong, for the record.' },
    ],
    dto: CorrectOfficerDetailsDto,
    command: (ctx, officerId, _v, body) => new CorrectOfficerDetailsCommand(ctx, officerId, body as CorrectOfficerDetailsDto),
    done: () => 'Recorded the correction; earlier records keep the old details as they were known.',
  },
  {
    id: 'separate',
    scope: 'officer',
    title: 'Record a separation',
    button: 'Record the separation',
    fields: [
      { name: 'separatedOn', label: 'Separated on', kind: 'date' },
      {
        name: 'reason',
        label: 'Reason',
        kind: 'select',
        options: [
          { value: 'LEFT_AGENCY', label: 'Left the agency' },
          { value: 'ENTERED_IN_ERROR', label: 'Registered in error' },
        ],
      },
      { name: 'note', label: 'Note', kind: 'text', optional: true },
    ],
    dto: SeparateOfficerDto,
    command: (ctx, officerId, _v, body) => new SeparateOfficerCommand(ctx, officerId, body as SeparateOfficerDto),
    done: () => 'Recorded the separation: the officer leaves the roster and the report from that day; the history stays.',
  },
  {
    id: 'assign',
    scope: 'officer',
    title: 'Assign as SRO',
    button: 'Record the assignment',
    fields: [
      { name: 'assignmentId', label: 'Assignment ID', kind: 'text', hint: 'A short code for this assignment, such as hs-2025.' },
      { name: 'schools', label: 'Schools', kind: 'lines', hint: 'One school per line.' },
      { name: 'startDate', label: 'First day of duty', kind: 'date' },
    ],
    dto: AssignOfficerDto,
    command: (ctx, officerId, _v, body) => new AssignOfficerCommand(ctx, officerId, body as AssignOfficerDto),
    done: (v) => `Recorded assignment ${v.assignmentId}.`,
  },
  {
    id: 'end-assignment',
    scope: 'officer',
    title: 'End an assignment',
    button: 'Record the end',
    fields: [
      { name: 'assignmentId', label: 'Assignment ID', kind: 'text' },
      { name: 'endDate', label: 'Last day served', kind: 'date' },
    ],
    dto: EndAssignmentDto,
    pathFields: ['assignmentId'],
    command: (ctx, officerId, v, body) => new EndAssignmentCommand(ctx, officerId, String(v.assignmentId), body as EndAssignmentDto),
    done: (v) => `Recorded the end of assignment ${v.assignmentId}.`,
  },
  {
    id: 'training-unavailable',
    scope: 'officer',
    title: 'Declare the training unavailable',
    button: 'Record the declaration',
    fields: [
      { name: 'assignmentId', label: 'Assignment ID', kind: 'text' },
      { name: 'declaredOn', label: 'Declared on', kind: 'date' },
      { name: 'reason', label: 'Reason', kind: 'text', hint: 'Why the agency could not provide the course before duty (Minn. Stat. 626.8482 subd. 3(c)).' },
    ],
    dto: DeclareTrainingUnavailableDto,
    pathFields: ['assignmentId'],
    command: (ctx, officerId, v, body) => new DeclareTrainingUnavailableCommand(ctx, officerId, String(v.assignmentId), body as DeclareTrainingUnavailableDto),
    done: () => 'Recorded that the training was unavailable.',
  },
  {
    id: 'substitute-day',
    scope: 'officer',
    title: 'Record substitute days',
    button: 'Record the days',
    fields: [
      { name: 'dates', label: 'Dates served', kind: 'dates', hint: 'One date per line (YYYY-MM-DD or M/D/YYYY, e.g. 2025-08-12 or 8/12/2025), or pick them one at a time and press Add.' },
      { name: 'school', label: 'School', kind: 'text' },
    ],
    many: { field: 'dates', as: 'date', command: 'RecordSubstituteDay' },
    dto: RecordSubstituteDayDto,
    command: (ctx, officerId, _v, body) => new RecordSubstituteDayCommand(ctx, officerId, body as RecordSubstituteDayDto),
    done: (v) => `Recorded ${String(v.dates).split(/\s+/).filter(Boolean).length} substitute day(s) at ${v.school}.`,
  },
  {
    id: 'training',
    scope: 'officer',
    title: 'Record a completed training',
    button: 'Record the training',
    fields: [
      { name: 'trainingId', label: 'Training ID', kind: 'text', hint: 'A short code for this completion, such as basic-2025.' },
      { name: 'course', label: 'Course', kind: 'select', options: courseOptions },
      { name: 'completedOn', label: 'Completed on', kind: 'date' },
      { name: 'provider', label: 'Provider', kind: 'text', optional: true },
      { name: 'courseNumber', label: 'POST course approval number', kind: 'text', optional: true },
    ],
    dto: RecordTrainingDto,
    command: (ctx, officerId, _v, body) => new RecordTrainingCommand(ctx, officerId, body as RecordTrainingDto),
    done: (v) => `Recorded training ${v.trainingId}.`,
  },
  {
    id: 'certificate',
    scope: 'officer',
    title: 'File a certificate',
    button: 'File the certificate',
    upload: true,
    fields: [
      { name: 'trainingId', label: 'Training ID', kind: 'text' },
      { name: 'file', label: 'Certificate (PDF)', kind: 'file', hint: 'The PDF of the certificate, at most 10 MB. Its SHA-256 is computed by the server and recorded; the file is kept with the record.' },
      { name: 'filedOn', label: 'Filed on', kind: 'date' },
    ],
    dto: FileCertificateDto,
    pathFields: ['trainingId'],
    command: (ctx, officerId, v, body, file) => new FileCertificateCommand(ctx, officerId, String(v.trainingId), body as FileCertificateDto, file && { bytes: file }),
    done: (v) => `Filed the certificate ${v.fileName} for training ${v.trainingId} (SHA-256 ${String(v.sha256).slice(0, 16)}…).`,
  },
  {
    id: 'policy-review',
    scope: 'officer',
    title: 'Record a policy review',
    button: 'Record the review',
    fields: [
      { name: 'version', label: 'Policy version reviewed', kind: 'text' },
      { name: 'reviewedOn', label: 'Reviewed on', kind: 'date' },
    ],
    dto: RecordPolicyReviewDto,
    command: (ctx, officerId, _v, body) => new RecordPolicyReviewCommand(ctx, officerId, body as RecordPolicyReviewDto),
    done: (v) => `Recorded the review of policy version ${v.version}.`,
  },
  {
    id: 'retract',
    scope: 'officer',
    title: 'Retract an event',
    button: 'Retract the event',
    fields: [
      { name: 'eventId', label: 'Event ID', kind: 'text', hint: 'From the timeline of events.' },
      { name: 'reason', label: 'Reason', kind: 'text' },
    ],
    dto: RetractionDto,
    command: (ctx, officerId, _v, body) => new RetractOfficerEventCommand(ctx, officerId, body as RetractionDto),
    done: () => 'Recorded the retraction; the event stays in the timeline, struck through.',
  },
];

export const recordForm = (scope: 'agency' | 'officer', id: string): RecordForm | undefined => RECORD_FORMS.find((f) => f.scope === scope && f.id === id);
