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
import { AssignOfficerCommand, AssignOfficerDto } from '../officers/assign-officer';
import { DeclareTrainingUnavailableCommand, DeclareTrainingUnavailableDto } from '../officers/declare-training-unavailable';
import { EndAssignmentCommand, EndAssignmentDto } from '../officers/end-assignment';
import { FileCertificateCommand, FileCertificateDto } from '../officers/file-certificate';
import { RecordPolicyReviewCommand, RecordPolicyReviewDto } from '../officers/record-policy-review';
import { RecordSubstituteDayCommand, RecordSubstituteDayDto } from '../officers/record-substitute-day';
import { RecordTrainingCommand, RecordTrainingDto } from '../officers/record-training';
import { RegisterOfficerCommand, RegisterOfficerDto } from '../officers/register-officer';
import { RetractionDto, RetractOfficerEventCommand } from '../officers/retract-event';
import type { WriteContext } from '../write/ledger-writer';
import { COURSE_WORDS } from './event-words';

export interface FieldSpec {
  name: string;
  label: string;
  kind: 'text' | 'date' | 'select' | 'lines';
  optional?: boolean;
  hint?: string;
  options?: { value: string; label: string }[];
}

export interface RecordForm {
  id: string;
  /** agency: on the dashboard; officer: on an officer's record. */
  scope: 'agency' | 'officer';
  title: string;
  button: string;
  fields: FieldSpec[];
  dto: Type;
  /** Fields of the form that are path parameters of the API route, not body fields. */
  pathFields?: string[];
  command(ctx: WriteContext, officerId: string, values: Record<string, unknown>, body: object): ICommand;
  done(values: Record<string, unknown>): string;
}

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
    title: 'Record a substitute day',
    button: 'Record the day',
    fields: [
      { name: 'date', label: 'Date served', kind: 'date' },
      { name: 'school', label: 'School', kind: 'text' },
    ],
    dto: RecordSubstituteDayDto,
    command: (ctx, officerId, _v, body) => new RecordSubstituteDayCommand(ctx, officerId, body as RecordSubstituteDayDto),
    done: (v) => `Recorded a substitute day on ${v.date}.`,
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
    button: 'Record the certificate',
    fields: [
      { name: 'trainingId', label: 'Training ID', kind: 'text' },
      { name: 'fileName', label: 'File name', kind: 'text' },
      { name: 'sha256', label: 'SHA-256 of the file', kind: 'text', hint: '64 hexadecimal characters (for example from sha256sum).' },
      { name: 'filedOn', label: 'Filed on', kind: 'date' },
    ],
    dto: FileCertificateDto,
    pathFields: ['trainingId'],
    command: (ctx, officerId, v, body) => new FileCertificateCommand(ctx, officerId, String(v.trainingId), body as FileCertificateDto),
    done: (v) => `Recorded the certificate for training ${v.trainingId}.`,
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
