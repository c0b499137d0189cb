/**
 * The admin's record forms (the console's writes; docs/decisions.md W21): for each, the
 * fields a person fills in, the API's own DTO that validates them (the same validation pipe as the
 * routes) and the API's own typed command sent through the CommandBus. A form's field names are
 * the DTO's, so a refusal's field messages land beside their field.
 */
import type { Type } from '@nestjs/common';
import type { ICommand } from '@nestjs/cqrs';
import { COURSES } from '../../events/catalogue';
import type { ImportCommandName } from '../import/bulk-import';
import { commandOf, routedSlice } from '../write-slices';
import type { WriteContext } from '../write/ledger-writer';
import { LATEST_MODEL_REVISION } from '../../projections';
import { COURSE_WORDS, describeEvent } from './event-words';
import { dateInWords, instantInWords } from './time-words';

export interface FieldSpec {
  name: string;
  label: string;
  kind: 'text' | 'date' | 'select' | 'lines' | 'dates' | 'file';
  optional?: boolean;
  hint?: string;
  options?: { value: string; label: string }[];
  /**
   * A pick-list of the records this form acts on (the officer's assignments or trainings, the
   * agency's records), built from what is recorded now; `none` is said when there is nothing to pick.
   */
  choices?: { of: (records: FormRecords) => { value: string; label: string }[]; none: string; prompt: string };
}

/** One live (not retracted) event a form's pick-lists and duplicate checks read. */
export interface RecordedFact {
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  recordedAt: string;
  recordedBy: string;
}

/**
 * What is recorded now, for the pick-lists and the likely-duplicate check: the officer's own live
 * events (an officer's form), the agency's live events, and for a registration the officers of
 * the agency with the same name or license number.
 */
export interface FormRecords {
  officer: RecordedFact[];
  agency: RecordedFact[];
  officers?: { officerId: string; name: string; licenseNumber?: string | null }[];
}

/** An earlier record a submission looks like, in words, for the "Record it anyway" step (docs/decisions.md W35). */
export interface LikelyDuplicate {
  eventId: string;
  words: string;
}

export interface RecordForm {
  /**
   * The form uploads a PDF (multipart/form-data, the `file` field; src/console/index.ts
   * UPLOAD_ROUTES), checked and hashed by the server (src/officers/certificate-file.ts):
   * `what` names it in messages, `required` whether it must be given, `into` the body fields the
   * upload fills in, `stored` whether the file itself is kept with the record.
   */
  upload?: { what: string; required: boolean; stored: boolean; into: (checked: { sha256: string; fileName: string }) => Record<string, string> };
  /** What the form needs read before it is shown or recorded: its pick-lists, its duplicate check. */
  reads?: ('officer' | 'agency' | 'officers')[];
  /** Earlier live records this submission looks like (same facts under a new id, the same day twice). */
  duplicates?: (body: Record<string, unknown>, records: FormRecords) => LikelyDuplicate[];
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
  /** The write it records, from the one list of writes (src/write-slices.ts): its DTO, path fields and command come from there. */
  write: ImportCommandName;
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

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const same = (a: unknown, b: unknown): boolean => typeof a === 'string' && typeof b === 'string' && a.trim().toLowerCase() === b.trim().toLowerCase();
const of = (facts: RecordedFact[], type: string): RecordedFact[] => facts.filter((f) => f.type === type);
/** An earlier record, as the duplicate warning lists it. */
const earlier = (f: RecordedFact): LikelyDuplicate => ({ eventId: f.eventId, words: `${describeEvent(f.type, f.data)}: recorded ${instantInWords(f.recordedAt)} by ${f.recordedBy}.` });

/** The officer's assignments, as a clerk names them: schools and first day (and the end, if recorded). */
function assignmentChoices(records: FormRecords, openOnly: boolean): { value: string; label: string }[] {
  const ended = new Map(of(records.officer, 'AssignmentEnded').map((e) => [str(e.data.assignmentId), str(e.data.endDate)]));
  return of(records.officer, 'OfficerAssigned')
    .filter((a) => !openOnly || !ended.has(str(a.data.assignmentId)))
    .map((a) => {
      const id = str(a.data.assignmentId);
      const schools = Array.isArray(a.data.schools) ? a.data.schools.join(', ') : '';
      const end = ended.get(id);
      return { value: id, label: `${schools}, from ${dateInWords(str(a.data.startDate))}${end ? ` to ${dateInWords(end)}` : ''} (${id})` };
    });
}

/** The officer's completed trainings: course and date. */
const trainingChoices = (records: FormRecords): { value: string; label: string }[] =>
  of(records.officer, 'TrainingCompleted').map((t) => {
    const course = str(t.data.course);
    const words = COURSE_WORDS[course] ?? course;
    return { value: str(t.data.trainingId), label: `${words.charAt(0).toUpperCase()}${words.slice(1)}, completed ${dateInWords(str(t.data.completedOn))} (${str(t.data.trainingId)})` };
  });

/** The agency's records a retraction may name: policy adoptions and contracts (docs/decisions.md W2, W35). */
const AGENCY_RETRACTABLE = ['SroPolicyAdopted', 'SroContractRecorded', 'SroContractAmended', 'SroContractEnded'];
const agencyEventChoices = (records: FormRecords): { value: string; label: string }[] =>
  records.agency
    .filter((e) => AGENCY_RETRACTABLE.includes(e.type))
    .map((e) => ({ value: e.eventId, label: `${describeEvent(e.type, e.data)} (recorded ${instantInWords(e.recordedAt)} by ${e.recordedBy})` }));

const contractChoices = (records: FormRecords): { value: string; label: string }[] => {
  const ended = new Set(of(records.agency, 'SroContractEnded').map((e) => str(e.data.contractId)));
  return of(records.agency, 'SroContractRecorded').map((c) => ({
    value: str(c.data.contractId),
    label: `${str(c.data.district)}, from ${dateInWords(str(c.data.effectiveFrom))}${ended.has(str(c.data.contractId)) ? ' (ended)' : ''} (${str(c.data.contractId)})`,
  }));
};

/** A form's write, from the one list of writes (src/write-slices.ts): the slice's DTO, its path fields besides the officer, its command. */
function write(name: ImportCommandName): Pick<RecordForm, 'write' | 'dto' | 'pathFields' | 'command'> {
  const slice = routedSlice(name);
  const pathFields: string[] = slice.pathFields.filter((field) => field !== 'officerId');
  return {
    write: name,
    dto: slice.dto as Type,
    ...(pathFields.length ? { pathFields } : {}),
    command: (ctx, officerId, values, body, file) => commandOf(slice, ctx, { officerId, ...Object.fromEntries(pathFields.map((field) => [field, String(values[field])])) }, body, file) as ICommand,
  };
}

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
    ...write('RegisterOfficer'),
    reads: ['officers'],
    // The same person under a new officer ID: the same name, or the same POST license number.
    duplicates: (body, records) =>
      (records.officers ?? [])
        .filter((o) => o.officerId !== body.officerId && (same(o.name, body.name) || (!!body.licenseNumber && same(o.licenseNumber ?? '', body.licenseNumber))))
        .map((o) => ({ eventId: o.officerId, words: `${o.name} is already registered as officer ${o.officerId}${o.licenseNumber ? ` (POST license ${o.licenseNumber})` : ''}.` })),
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
      {
        name: 'modelRevision',
        label: 'POST Board model policy revision it follows',
        kind: 'date',
        optional: true,
        hint: `The date of the model policy revision the agency’s policy follows (the latest is ${LATEST_MODEL_REVISION}). Minn. Stat. 626.8482 subd. 6 and Minn. R. 6700.1615 ask for a policy identical or substantially similar to the model.`,
      },
    ],
    ...write('AdoptPolicy'),
    done: (v) => `Recorded the adoption of SRO policy version ${v.version}${v.modelRevision ? `, following the POST Board model policy revision of ${dateInWords(String(v.modelRevision))}` : ''}.`,
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
      {
        name: 'file',
        label: 'Signed contract (PDF)',
        kind: 'file',
        optional: true,
        hint: 'The PDF of the signed contract, at most 10 MB. The server computes its SHA-256 and records it, so a copy can be checked against it later; keep the file itself in the agency’s records.',
      },
      ...clauseFields('Where the contract addresses it, such as § 4.2; empty when it does not.'),
    ],
    upload: { what: 'contract', required: false, stored: false, into: ({ sha256 }) => ({ documentSha256: sha256 }) },
    ...write('RecordContract'),
    reads: ['agency'],
    // The same contract under a new ID: the same district from the same first day.
    duplicates: (body, records) =>
      of(records.agency, 'SroContractRecorded')
        .filter((c) => c.data.contractId !== body.contractId && same(c.data.district, body.district) && c.data.effectiveFrom === body.effectiveFrom)
        .map(earlier),
    done: (v) => `Recorded contract ${v.contractId} with ${v.district}${v.documentSha256 ? ` (signed contract ${v.fileName}, SHA-256 ${String(v.documentSha256).slice(0, 16)}…)` : ''}.`,
  },
  {
    id: 'amend-contract',
    scope: 'agency',
    title: 'Amend a contract',
    button: 'Record the amendment',
    fields: [
      { name: 'contractId', label: 'Contract', kind: 'select', choices: { of: contractChoices, none: 'No contract is recorded yet.', prompt: 'Choose a contract' } },
      { name: 'effectiveOn', label: 'Amendment in force from', kind: 'date' },
      { name: 'schools', label: 'Schools it now covers', kind: 'lines', optional: true, hint: 'The whole new list, one per line; empty to keep the schools.' },
      { name: 'effectiveTo', label: 'New last day', kind: 'date', optional: true },
      ...clauseFields('Empty keeps the clause as it was.'),
    ],
    ...write('AmendContract'),
    reads: ['agency'],
    done: (v) => `Recorded the amendment of contract ${v.contractId}.`,
  },
  {
    id: 'end-contract',
    scope: 'agency',
    title: 'End a contract',
    button: 'Record the end',
    fields: [
      { name: 'contractId', label: 'Contract', kind: 'select', choices: { of: contractChoices, none: 'No contract is recorded yet.', prompt: 'Choose a contract' } },
      { name: 'endedOn', label: 'Last day in force', kind: 'date' },
    ],
    ...write('EndContract'),
    reads: ['agency'],
    done: (v) => `Recorded the end of contract ${v.contractId}.`,
  },
  {
    id: 'retract',
    scope: 'agency',
    title: 'Retract a policy adoption or contract',
    button: 'Retract the record',
    fields: [
      {
        name: 'eventId',
        label: 'Record to retract',
        kind: 'select',
        hint: 'It stays in the records, marked as retracted, and stops counting. “Show what it will change” shows the agency’s findings before and after, recording nothing.',
        choices: { of: agencyEventChoices, none: 'The agency has no policy adoption or contract that can be retracted.', prompt: 'Choose the record' },
      },
      { name: 'reason', label: 'Reason', kind: 'text', hint: 'What was wrong, for the record.' },
    ],
    ...write('RetractAgencyEvent'),
    reads: ['agency'],
    done: () => 'Recorded the retraction; the record stays in the ledger, marked as retracted, and no longer counts.',
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
    ...write('CorrectOfficerDetails'),
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
    ...write('SeparateOfficer'),
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
    ...write('AssignOfficer'),
    reads: ['officer'],
    // The same assignment under a new ID: the same first day and the same schools.
    duplicates: (body, records) => {
      const key = (schools: unknown) => (Array.isArray(schools) ? schools.map((x) => String(x).trim().toLowerCase()).sort().join('\n') : '');
      return of(records.officer, 'OfficerAssigned')
        .filter((a) => a.data.assignmentId !== body.assignmentId && a.data.startDate === body.startDate && key(a.data.schools) === key(body.schools))
        .map(earlier);
    },
    done: (v) => `Recorded assignment ${v.assignmentId}.`,
  },
  {
    id: 'end-assignment',
    scope: 'officer',
    title: 'End an assignment',
    button: 'Record the end',
    fields: [
      { name: 'assignmentId', label: 'Assignment', kind: 'select', choices: { of: (r) => assignmentChoices(r, true), none: 'No assignment is open: there is none to end.', prompt: 'Choose an assignment' } },
      { name: 'endDate', label: 'Last day served', kind: 'date' },
    ],
    ...write('EndAssignment'),
    reads: ['officer'],
    done: (v) => `Recorded the end of assignment ${v.assignmentId}.`,
  },
  {
    id: 'training-unavailable',
    scope: 'officer',
    title: 'Declare the training unavailable',
    button: 'Record the declaration',
    fields: [
      { name: 'assignmentId', label: 'Assignment', kind: 'select', choices: { of: (r) => assignmentChoices(r, false), none: 'No assignment is recorded yet.', prompt: 'Choose an assignment' } },
      { name: 'declaredOn', label: 'Declared on', kind: 'date' },
      { name: 'reason', label: 'Reason', kind: 'text', hint: 'Why the agency could not provide the course before duty (Minn. Stat. 626.8482 subd. 3(c)).' },
    ],
    ...write('DeclareTrainingUnavailable'),
    reads: ['officer'],
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
    ...write('RecordSubstituteDay'),
    reads: ['officer'],
    // The same day at the same school, recorded before.
    duplicates: (body, records) => of(records.officer, 'SubstituteDayServed').filter((d) => d.data.date === body.date && same(d.data.school, body.school)).map(earlier),
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
    ...write('RecordTraining'),
    reads: ['officer'],
    // The same course completed on the same day, under another training ID.
    duplicates: (body, records) =>
      of(records.officer, 'TrainingCompleted')
        .filter((t) => t.data.trainingId !== body.trainingId && t.data.course === body.course && t.data.completedOn === body.completedOn)
        .map(earlier),
    done: (v) => `Recorded training ${v.trainingId}.`,
  },
  {
    id: 'certificate',
    scope: 'officer',
    title: 'File a certificate',
    button: 'File the certificate',
    upload: { what: 'certificate', required: true, stored: true, into: (checked) => ({ ...checked }) },
    fields: [
      { name: 'trainingId', label: 'Training', kind: 'select', choices: { of: trainingChoices, none: 'No training is recorded yet: record the completed training first.', prompt: 'Choose a training' } },
      { name: 'file', label: 'Certificate (PDF)', kind: 'file', hint: 'The PDF of the certificate, at most 10 MB. Its SHA-256 is computed by the server and recorded; the file is kept with the record.' },
      { name: 'filedOn', label: 'Filed on', kind: 'date' },
    ],
    ...write('FileCertificate'),
    reads: ['officer'],
    // The same file filed before for the same training.
    duplicates: (body, records) => of(records.officer, 'CertificateFiled').filter((c) => c.data.sha256 === body.sha256 && c.data.trainingId === body.trainingId).map(earlier),
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
    ...write('RecordPolicyReview'),
    reads: ['officer'],
    // The same version reviewed on the same day.
    duplicates: (body, records) => of(records.officer, 'PolicyReviewed').filter((r) => r.data.version === body.version && r.data.reviewedOn === body.reviewedOn).map(earlier),
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
    ...write('RetractOfficerEvent'),
    done: () => 'Recorded the retraction; the event stays in the timeline, struck through.',
  },
];

export const recordForm = (scope: 'agency' | 'officer', id: string): RecordForm | undefined => RECORD_FORMS.find((f) => f.scope === scope && f.id === id);
