/**
 * The refusal paths of the CSV import (readCsvCommands + BulkImporter, on a real SQLite file):
 * an Idempotency-Key used twice in one file, a keyed row re-imported with other content, a
 * header naming a column twice, and the DeclareTrainingUnavailable and RetractAgencyEvent rows.
 * Each refusal is checked for its status, its messages, and that it appended nothing: the whole
 * store (every event, every stream head) is as it was, except for the rows that were accepted.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '../../events/envelope';
import { agencyStream, officerStream, rosterStream } from '../../events/streams';
import { BulkImporter, ImportReport } from '../../src/import/bulk-import';
import { CsvFormatError, readCsvCommands } from '../../src/import/csv-commands';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store';
import { idempotentEventId } from '../../src/write/new-events';

const AGENCY = 'refuse-pd';
const HEADER = 'command,officerId,name,assignmentId,schools,startDate,trainingId,course,completedOn,declaredOn,reason,eventId,version,adoptedOn,reviewedOn,idempotencyKey';

let dir: string;
let store: SqliteEventStore;
let files = 0;
let registration: RecordedEvent;

/** A CSV of HEADER with `rows` (objects by column name; missing columns are empty cells). */
function csv(rows: Record<string, string>[], header = HEADER): string {
  const columns = header.split(',');
  const file = join(dir, `import-${++files}.csv`);
  writeFileSync(file, [header, ...rows.map((r) => columns.map((c) => r[c] ?? '').join(','))].join('\n') + '\n');
  return file;
}

const run = (file: string): Promise<ImportReport> => new BulkImporter(store).import(readCsvCommands(file), { agencyId: AGENCY, recordedBy: 'cli:test' });

async function snapshot() {
  const all: RecordedEvent[] = [];
  for await (const e of store.readAll()) all.push(e);
  return { all, heads: await store.listStreams('') };
}

/** Runs an import of rows that must all be refused, and checks that the store did not change at all. */
async function refusedWhole(file: string): Promise<ImportReport> {
  const before = await snapshot();
  const report = await run(file);
  expect(report).toMatchObject({ accepted: 0, duplicates: 0, eventsAppended: 0, transactions: 0 });
  expect(report.rejectedCount).toBe(report.commands);
  expect(await snapshot()).toEqual(before);
  return report;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sro-refuse-'));
  store = SqliteEventStore.open(join(dir, 'sro.db'));
  [registration] = (
    await store.appendToStream(
      agencyStream(AGENCY),
      [{ eventId: randomUUID(), type: 'AgencyRegistered', schemaVersion: 1, data: { agencyId: AGENCY, name: 'Refuse PD' }, metadata: { recordedBy: 'test', correlationId: 'c' } }],
      { expectedRevision: 'no_stream' },
    )
  ).events;
  const setup = await run(
    csv([
      { command: 'AdoptPolicy', version: 'v1', adoptedOn: '2025-08-01', idempotencyKey: 'policy-v1' },
      { command: 'RegisterOfficer', officerId: 'jdoe', name: 'Jordan Doe', idempotencyKey: 'reg-jdoe' },
      { command: 'AssignOfficer', officerId: 'jdoe', assignmentId: 'a1', schools: 'Central High', startDate: '2025-09-02', idempotencyKey: 'assign-a1' },
      { command: 'AssignOfficer', officerId: 'jdoe', assignmentId: 'a2', schools: 'North Middle', startDate: '2025-09-03', idempotencyKey: 'assign-a2' },
      { command: 'RetractOfficerEvent', officerId: 'jdoe', eventId: idempotentEventId(AGENCY, 'assign-a2'), reason: 'entered twice' },
      { command: 'RecordTraining', officerId: 'jdoe', trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2025-08-20', idempotencyKey: 'training-t1' },
    ]),
  );
  expect(setup).toMatchObject({ commands: 6, accepted: 6, rejectedCount: 0 });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Idempotency-Key', () => {
  it('one key on two rows of one file: the second row is a 422 naming the first, and appends nothing', async () => {
    const before = await snapshot();
    const report = await run(
      csv([
        { command: 'RegisterOfficer', officerId: 'first', name: 'First Row', idempotencyKey: 'dup-key' },
        { command: 'RegisterOfficer', officerId: 'second', name: 'Second Row', idempotencyKey: 'dup-key' },
        // The same row again, word for word: still a 422 (a key names one row of a file).
        { command: 'RegisterOfficer', officerId: 'first', name: 'First Row', idempotencyKey: 'dup-key' },
      ]),
    );
    expect(report).toMatchObject({ commands: 3, accepted: 1, duplicates: 0, rejectedCount: 2, eventsAppended: 1 });
    expect(report.rejected).toEqual([
      { index: 1, line: 3, command: 'RegisterOfficer', statusCode: 422, messages: ['This repeats line 2 of this import (the same Idempotency-Key "dup-key"): each record is recorded once, so leave one of the two out'] },
      { index: 2, line: 4, command: 'RegisterOfficer', statusCode: 422, messages: ['This repeats line 2 of this import (the same Idempotency-Key "dup-key"): each record is recorded once, so leave one of the two out'] },
    ]);
    const after = await snapshot();
    // Exactly the first row's registration and its enrolment were appended.
    expect(after.all.slice(before.all.length).map((e) => [e.stream, e.type])).toEqual([
      [officerStream(AGENCY, 'first'), 'OfficerRegistered'],
      [rosterStream(AGENCY), 'OfficerEnrolled'],
    ]);
    expect(await store.readStream(officerStream(AGENCY, 'second'))).toEqual([]);
  });

  it('a keyed row re-imported with other content (or for another command) is a 422, and appends nothing', async () => {
    const report = await refusedWhole(
      csv([
        { command: 'RecordTraining', officerId: 'jdoe', trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2025-08-21', idempotencyKey: 'training-t1' },
        { command: 'RegisterOfficer', officerId: 'other', name: 'Other Officer', idempotencyKey: 'training-t1' },
        { command: 'AdoptPolicy', version: 'v1', adoptedOn: '2025-08-02', idempotencyKey: 'policy-v1' },
      ]),
    );
    const first = (key: string, type: string) =>
      `Idempotency-Key was already used for a different request (event ${idempotentEventId(AGENCY, key)}, ${type}); use a new key for a new request`;
    expect(report.rejected).toEqual([
      { index: 0, line: 2, command: 'RecordTraining', statusCode: 422, messages: [first('training-t1', 'TrainingCompleted')] },
      { index: 1, line: 3, command: 'RegisterOfficer', statusCode: 422, messages: [first('training-t1', 'TrainingCompleted')] },
      { index: 2, line: 4, command: 'AdoptPolicy', statusCode: 422, messages: [first('policy-v1', 'SroPolicyAdopted')] },
    ]);
    // The same rows, unchanged, are duplicates: skipped, not refused.
    const again = await run(csv([{ command: 'RecordTraining', officerId: 'jdoe', trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2025-08-20', idempotencyKey: 'training-t1' }]));
    expect(again).toMatchObject({ accepted: 0, duplicates: 1, rejectedCount: 0, eventsAppended: 0 });
  });
});

describe('the header', () => {
  it.each([
    ['officerId', 'command,officerId,name,officerId'],
    ['name', 'command,officerId,name, name'],
  ])('naming column %s twice refuses the whole file before any row, appending nothing', async (column, header) => {
    const before = await snapshot();
    const file = join(dir, 'twice.csv');
    writeFileSync(file, `${header}\nRegisterOfficer,x1,X One,x1\n`);
    const failure = await run(file).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(CsvFormatError);
    expect((failure as Error).message).toBe(`the header names column "${column}" twice`);
    expect(await snapshot()).toEqual(before);
  });
});

describe('DeclareTrainingUnavailable rows', () => {
  it('are recorded for an assignment of the officer, as the route records them', async () => {
    const report = await run(csv([{ command: 'DeclareTrainingUnavailable', officerId: 'jdoe', assignmentId: 'a1', declaredOn: '2025-08-20', reason: 'no seats before September' }]));
    expect(report).toMatchObject({ accepted: 1, rejectedCount: 0, eventsAppended: 1 });
    const last = (await store.readStream(officerStream(AGENCY, 'jdoe'))).at(-1)!;
    expect(last).toMatchObject({ type: 'TrainingUnavailableDeclared', data: { assignmentId: 'a1', declaredOn: '2025-08-20', reason: 'no seats before September' }, recordedBy: 'cli:test' });
  });

  it('are refused for an unknown or retracted assignment (404), an unknown officer (404), a bad date or a missing reason (400), appending nothing', async () => {
    const report = await refusedWhole(
      csv([
        { command: 'DeclareTrainingUnavailable', officerId: 'jdoe', assignmentId: 'nope', declaredOn: '2025-08-20', reason: 'r' },
        { command: 'DeclareTrainingUnavailable', officerId: 'jdoe', assignmentId: 'a2', declaredOn: '2025-08-20', reason: 'r' },
        { command: 'DeclareTrainingUnavailable', officerId: 'ghost', assignmentId: 'a1', declaredOn: '2025-08-20', reason: 'r' },
        { command: 'DeclareTrainingUnavailable', officerId: 'jdoe', assignmentId: 'a1', declaredOn: '2025-02-30', reason: 'r' },
        { command: 'DeclareTrainingUnavailable', officerId: 'jdoe', assignmentId: 'a1', declaredOn: '2025-08-20' },
        { command: 'DeclareTrainingUnavailable', officerId: 'jdoe', declaredOn: '2025-08-20', reason: 'r' },
      ]),
    );
    expect(report.rejected.map((r) => [r.line, r.command, r.statusCode])).toEqual([
      [2, 'DeclareTrainingUnavailable', 404],
      [3, 'DeclareTrainingUnavailable', 404],
      [4, 'DeclareTrainingUnavailable', 404],
      [5, 'DeclareTrainingUnavailable', 400],
      [6, 'DeclareTrainingUnavailable', 400],
      [7, 'DeclareTrainingUnavailable', 400],
    ]);
    expect(report.rejected[0].messages).toEqual(['assignmentId: officer jdoe has no assignment nope']);
    expect(report.rejected[1].messages).toEqual(['assignmentId: officer jdoe has no assignment a2']); // retracted: as if never recorded
    expect(report.rejected[2].messages).toEqual([`officer ghost is not registered with agency ${AGENCY}`]);
    expect(report.rejected[3].messages).toEqual(['declaredOn must be a real calendar date ("2025-02-30" is not). Enter the date as YYYY-MM-DD or M/D/YYYY, e.g. 2025-08-12 or 8/12/2025']);
    expect(report.rejected[4].messages.join('\n')).toMatch(/^reason /m);
    expect(report.rejected[5].messages.join('\n')).toMatch(/assignmentId/);
  });
});

describe('RetractAgencyEvent rows', () => {
  it('retract a policy adoption: later rows of the same file see it retracted', async () => {
    const adoption = idempotentEventId(AGENCY, 'policy-v1');
    const report = await run(
      csv([
        { command: 'RetractAgencyEvent', eventId: adoption, reason: 'wrong version label' },
        { command: 'RecordPolicyReview', officerId: 'jdoe', version: 'v1', reviewedOn: '2025-08-28' },
      ]),
    );
    expect(report).toMatchObject({ commands: 2, accepted: 1, rejectedCount: 1, eventsAppended: 1 });
    expect(report.rejected[0]).toMatchObject({ line: 3, statusCode: 400, messages: [expect.stringMatching(/never adopted policy version "v1"/)] });
    expect((await store.readStream(agencyStream(AGENCY))).at(-1)).toMatchObject({ type: 'EventRetracted', data: { retractedEventId: adoption, reason: 'wrong version label' } });
  });

  it('are refused for an event retracted already (409), the registration, an unknown or an officer event, or a malformed id (400), appending nothing', async () => {
    const adoption = idempotentEventId(AGENCY, 'policy-v1');
    expect(await run(csv([{ command: 'RetractAgencyEvent', eventId: adoption, reason: 'first' }]))).toMatchObject({ accepted: 1 });
    const unknown = randomUUID();
    const officerEvent = idempotentEventId(AGENCY, 'training-t1');
    const report = await refusedWhole(
      csv([
        { command: 'RetractAgencyEvent', eventId: adoption, reason: 'again' },
        { command: 'RetractAgencyEvent', eventId: registration.eventId, reason: 'r' },
        { command: 'RetractAgencyEvent', eventId: unknown, reason: 'r' },
        { command: 'RetractAgencyEvent', eventId: officerEvent, reason: 'an officer event and not the agency’s' },
        { command: 'RetractAgencyEvent', eventId: 'not-a-uuid', reason: 'r' },
        { command: 'RetractAgencyEvent', eventId: unknown },
      ]),
    );
    expect(report.rejected.map((r) => [r.line, r.command, r.statusCode])).toEqual([
      [2, 'RetractAgencyEvent', 409],
      [3, 'RetractAgencyEvent', 400],
      [4, 'RetractAgencyEvent', 400],
      [5, 'RetractAgencyEvent', 400],
      [6, 'RetractAgencyEvent', 400],
      [7, 'RetractAgencyEvent', 400],
    ]);
    expect(report.rejected[0].messages).toEqual([`eventId: event ${adoption} is already retracted`]);
    expect(report.rejected[1].messages).toEqual(['eventId: a AgencyRegistered event cannot be retracted; record a corrected fact instead']);
    expect(report.rejected[2].messages).toEqual([`eventId: agency ${AGENCY} has no event ${unknown}`]);
    expect(report.rejected[3].messages).toEqual([`eventId: agency ${AGENCY} has no event ${officerEvent}`]);
    expect(report.rejected[4].messages.join('\n')).toMatch(/eventId must be a UUID/);
    expect(report.rejected[5].messages.join('\n')).toMatch(/^reason /m);
  });
});
