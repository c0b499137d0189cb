/**
 * The bulk import refuses the facts that cannot have happened (docs/decisions.md W12) exactly
 * as the routes do: the same status and the same messages as LedgerWriter gives for the same
 * command on the same day, and nothing appended for them.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { agencyStream, officerStream } from '../../events/streams';
import { BulkImporter, IMPORT_COMMANDS, ImportCommand } from '../../src/import/bulk-import';
import { MemoryEventStore } from '../../src/store/memory/memory-event-store';
import type { OfficerDecision } from '../../src/write/decision';
import { LedgerWriter } from '../../src/write/ledger-writer';
import { Refusal } from '../../src/write/refusals';

const agencyId = 'imp-pd';
const SHA = 'a'.repeat(64);
/** The import's (and the writer's) today in Minnesota: the day the statute's obligations began. */
const TODAY = '2025-09-01';
/** An instant on that Minnesota day (10:00 CDT). */
const ON_TODAY = '2025-09-01T15:00:00.000Z';

async function newStore(): Promise<MemoryEventStore> {
  const store = new MemoryEventStore();
  await store.appendToStream(
    agencyStream(agencyId),
    [{ eventId: randomUUID(), type: 'AgencyRegistered', schemaVersion: 1, data: { agencyId, name: 'Import PD' }, metadata: { recordedBy: 'test', correlationId: 'c' } }],
    { expectedRevision: 'no_stream' },
  );
  return store;
}

const setup: ImportCommand[] = [
  { command: 'AdoptPolicy', body: { version: 'v1', adoptedOn: '2025-08-15' } },
  { command: 'RegisterOfficer', body: { officerId: 'jdoe', name: 'Jordan Doe' } },
  { command: 'AssignOfficer', officerId: 'jdoe', body: { assignmentId: 'a1', schools: ['Central HS'], startDate: '2025-08-25' } },
  { command: 'RecordTraining', officerId: 'jdoe', body: { trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2025-08-20' } },
];

const impossible: [string, ImportCommand][] = [
  ['a training completed tomorrow', { command: 'RecordTraining', officerId: 'jdoe', body: { trainingId: 't2', course: 'MN_SRO_REFRESHER', completedOn: '2025-09-02' } }],
  ['a certificate filed tomorrow', { command: 'FileCertificate', officerId: 'jdoe', trainingId: 't1', body: { sha256: SHA, fileName: 'c.pdf', filedOn: '2025-09-02' } }],
  ['a certificate filed before its training', { command: 'FileCertificate', officerId: 'jdoe', trainingId: 't1', body: { sha256: SHA, fileName: 'c.pdf', filedOn: '2025-08-19' } }],
  ['a review tomorrow', { command: 'RecordPolicyReview', officerId: 'jdoe', body: { version: 'v1', reviewedOn: '2025-09-02' } }],
  ['a review before the adoption', { command: 'RecordPolicyReview', officerId: 'jdoe', body: { version: 'v1', reviewedOn: '2025-08-14' } }],
  ['a declaration tomorrow', { command: 'DeclareTrainingUnavailable', officerId: 'jdoe', assignmentId: 'a1', body: { declaredOn: '2025-09-02', reason: 'no seats' } }],
  ['a substitute day tomorrow', { command: 'RecordSubstituteDay', officerId: 'jdoe', body: { date: '2025-09-02', school: 'North MS' } }],
  ['an end before the start', { command: 'EndAssignment', officerId: 'jdoe', assignmentId: 'a1', body: { endDate: '2025-08-24' } }],
];

const possible: ImportCommand[] = [
  { command: 'AssignOfficer', officerId: 'jdoe', body: { assignmentId: 'planned', schools: ['South HS'], startDate: '2026-01-05' } }, // a planned assignment
  { command: 'FileCertificate', officerId: 'jdoe', trainingId: 't1', body: { sha256: SHA, fileName: 'c.pdf', filedOn: '2025-08-20' } }, // on completedOn
  { command: 'RecordPolicyReview', officerId: 'jdoe', body: { version: 'v1', reviewedOn: '2025-08-15' } }, // on adoptedOn
  { command: 'RecordSubstituteDay', officerId: 'jdoe', body: { date: TODAY, school: 'North MS' } }, // today
  { command: 'EndAssignment', officerId: 'jdoe', assignmentId: 'a1', body: { endDate: '2025-08-25' } }, // on startDate
];

/** What LedgerWriter (the routes' path) answers to the same command on the same day. */
async function viaWriter(command: ImportCommand): Promise<{ statusCode: number; messages: string[] }> {
  const store = await newStore();
  await new BulkImporter(store).import(setup, { agencyId, recordedBy: 'test', today: TODAY });
  const writer = new LedgerWriter(store, () => new Date(ON_TODAY));
  const spec = IMPORT_COMMANDS[command.command] as { decision: OfficerDecision<unknown> };
  const input = { ...(command.body as object), ...(command.assignmentId ? { assignmentId: command.assignmentId } : {}), ...(command.trainingId ? { trainingId: command.trainingId } : {}) };
  try {
    await writer.officerCommand({ agencyId, recordedBy: 'test', correlationId: 'c' }, command.officerId!, spec.decision, input);
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return { statusCode: error.status, messages: error.messages };
  }
  throw new Error('the writer accepted an impossible fact');
}

it('rejects each impossible fact with the route\'s status and message, appends none of them, and keeps the possible ones', async () => {
  const store = await newStore();
  const commands = [...setup, ...impossible.map(([, c]) => c), ...possible];
  const report = await new BulkImporter(store).import(commands, { agencyId, recordedBy: 'test', today: TODAY });
  expect(report).toMatchObject({ commands: commands.length, accepted: setup.length + possible.length, rejectedCount: impossible.length });

  for (const [i, [what, command]] of impossible.entries()) {
    const rejected = report.rejected.find((r) => r.index === setup.length + i);
    const expected = await viaWriter(command);
    expect({ what, statusCode: rejected?.statusCode, messages: rejected?.messages }).toEqual({ what, ...expected });
    expect(expected.statusCode).toBe(400);
  }
  expect(report.rejected.map((r) => r.messages[0])).toEqual([
    'completedOn must not be after today in Minnesota, 2025-09-01 (got 2025-09-02)',
    'filedOn must not be after today in Minnesota, 2025-09-01 (got 2025-09-02)',
    "filedOn must be on or after the training's completedOn 2025-08-20 (got 2025-08-19)",
    'reviewedOn must not be after today in Minnesota, 2025-09-01 (got 2025-09-02)',
    'reviewedOn must be on or after the adoptedOn 2025-08-15 of policy version "v1" (got 2025-08-14)',
    'declaredOn must not be after today in Minnesota, 2025-09-01 (got 2025-09-02)',
    'date must not be after today in Minnesota, 2025-09-01 (got 2025-09-02)',
    "endDate must be on or after the assignment's startDate 2025-08-25",
  ]);

  const officer = await store.readStream(officerStream(agencyId, 'jdoe'));
  expect(officer.map((e) => e.type)).toEqual([
    'OfficerRegistered',
    'OfficerAssigned',
    'TrainingCompleted',
    'OfficerAssigned',
    'CertificateFiled',
    'PolicyReviewed',
    'SubstituteDayServed',
    'AssignmentEnded',
  ]);
});

it('without `today`, the import takes today in Minnesota from the clock', async () => {
  const store = await newStore();
  const report = await new BulkImporter(store).import(
    [
      ...setup,
      // Far enough ahead that no midnight during the test makes it today.
      { command: 'RecordSubstituteDay', officerId: 'jdoe', body: { date: '2199-12-31', school: 'S' } },
      { command: 'RecordSubstituteDay', officerId: 'jdoe', body: { date: TODAY, school: 'S' } },
    ],
    { agencyId, recordedBy: 'test' },
  );
  expect(report).toMatchObject({ accepted: setup.length + 1, rejectedCount: 1 });
  expect(report.rejected[0]).toMatchObject({ index: setup.length, statusCode: 400, messages: [expect.stringMatching(/^date must not be after today in Minnesota, \d{4}-\d\d-\d\d \(got 2199-12-31\)$/)] });
});

it('refuses a `today` option that is not a calendar date', async () => {
  const store = await newStore();
  await expect(new BulkImporter(store).import(setup, { agencyId, recordedBy: 'test', today: '2025-02-30' })).rejects.toThrow(RangeError);
  expect(await store.readStream(officerStream(agencyId, 'jdoe'))).toEqual([]);
});
