/**
 * The bulk import on a real SQLite file: valid commands land (in batched transactions, with the
 * same events an HTTP write records), invalid ones are reported with the route's field messages
 * or invariant messages and append nothing, and later commands see earlier ones of the import.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agencyStream, officerStream } from '../../events/streams';
import { BulkImporter, ImportCommand } from '../../src/import/bulk-import';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store';
import { idempotentEventId } from '../../src/write/new-events';

let dir: string;
let store: SqliteEventStore;
const agencyId = 'imp-pd';

async function countEvents(): Promise<number> {
  let n = 0;
  for await (const _ of store.readAll()) n++;
  return n;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sro-import-'));
  store = SqliteEventStore.open(join(dir, 'sro.db'));
  await store.appendToStream(
    agencyStream(agencyId),
    [{ eventId: randomUUID(), type: 'AgencyRegistered', schemaVersion: 1, data: { agencyId, name: 'Import PD' }, metadata: { recordedBy: 'test', correlationId: 'c' } }],
    { expectedRevision: 'no_stream' },
  );
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const valid: ImportCommand[] = [
  { command: 'AdoptPolicy', body: { version: 'v1', adoptedOn: '2025-08-01' } },
  { command: 'RegisterOfficer', body: { officerId: 'jdoe', name: 'Jordan Doe' } },
  { command: 'AssignOfficer', officerId: 'jdoe', body: { assignmentId: 'a1', schools: ['Central HS'], startDate: '2025-09-02' } },
  { command: 'RecordTraining', officerId: 'jdoe', body: { trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2025-08-20' } },
  { command: 'FileCertificate', officerId: 'jdoe', trainingId: 't1', body: { sha256: 'A'.repeat(64), fileName: 'c.pdf', filedOn: '2025-08-25' } },
  { command: 'RecordPolicyReview', officerId: 'jdoe', body: { version: 'v1', reviewedOn: '2025-08-28' }, idempotencyKey: 'review-jdoe' },
  { command: 'RecordSubstituteDay', officerId: 'jdoe', body: { date: '2025-10-01', school: 'North MS' } },
  { command: 'EndAssignment', officerId: 'jdoe', assignmentId: 'a1', body: { endDate: '2026-06-30' } },
  { command: 'RetractOfficerEvent', officerId: 'jdoe', body: { eventId: idempotentEventId(agencyId, 'review-jdoe'), reason: 'wrong date' } },
];

it('appends valid commands in batched transactions, as the HTTP writes record them', async () => {
  const report = await new BulkImporter(store).import(valid, { agencyId, recordedBy: 'importer', batchSize: 3 });
  expect(report).toMatchObject({ commands: 9, accepted: 9, rejectedCount: 0, rejected: [], eventsAppended: 9, transactions: 3 });
  const officer = await store.readStream(officerStream(agencyId, 'jdoe'));
  expect(officer.map((e) => e.type)).toEqual([
    'OfficerRegistered',
    'OfficerAssigned',
    'TrainingCompleted',
    'CertificateFiled',
    'PolicyReviewed',
    'SubstituteDayServed',
    'AssignmentEnded',
    'EventRetracted',
  ]);
  expect(officer[3].data).toEqual({ trainingId: 't1', sha256: 'a'.repeat(64), fileName: 'c.pdf', filedOn: '2025-08-25' });
  expect(officer[4].eventId).toBe(idempotentEventId(agencyId, 'review-jdoe'));
  expect(officer.every((e) => e.recordedBy === 'importer')).toBe(true);
  expect((await store.readStream(agencyStream(agencyId))).map((e) => e.type)).toEqual(['AgencyRegistered', 'SroPolicyAdopted']);

  // Importing the same keyed command again is a duplicate, not a second event.
  const again = await new BulkImporter(store).import([valid[5]], { agencyId, recordedBy: 'importer' });
  expect(again).toMatchObject({ accepted: 0, duplicates: 1, rejectedCount: 0, eventsAppended: 0 });
});

it('reports invalid commands with field messages and index, and appends nothing for them', async () => {
  const before = await countEvents();
  const commands: ImportCommand[] = [
    { command: 'RegisterOfficer', body: { officerId: 'bad id!', name: '' }, line: 2 },
    { command: 'RegisterOfficer', body: { officerId: 'ok1', name: 'Ok One', badge: 7 }, line: 3 },
    { command: 'AssignOfficer', officerId: 'nobody', body: { assignmentId: 'a1', schools: ['X'], startDate: '2025-02-30' }, line: 4 },
    { command: 'RecordPolicyReview', officerId: 'nobody', body: { version: 'v9', reviewedOn: '2025-09-01' }, line: 5 },
    { command: 'Nonsense' as never, body: {}, line: 6 },
  ];
  const report = await new BulkImporter(store).import(commands, { agencyId, recordedBy: 'importer' });
  expect(report).toMatchObject({ commands: 5, accepted: 0, rejectedCount: 5, eventsAppended: 0, transactions: 0 });
  expect(report.rejected[0]).toMatchObject({ index: 0, line: 2, command: 'RegisterOfficer', statusCode: 400 });
  expect(report.rejected[0].messages).toEqual(
    expect.arrayContaining([expect.stringMatching(/^officerId must be 1-64 letters/), 'name should not be empty']),
  );
  expect(report.rejected[1].messages).toEqual(['property badge should not exist']);
  expect(report.rejected[2].messages).toEqual(['startDate must be a real calendar date in the form YYYY-MM-DD']);
  expect(report.rejected[3]).toMatchObject({ statusCode: 404, messages: [`officer nobody is not registered with agency ${agencyId}`] });
  expect(report.rejected[4].messages[0]).toMatch(/^command must be one of AdoptPolicy/);
  expect(await countEvents()).toBe(before);
});

it('rejects an invalid path on every row that repeats it (path outcomes are remembered both ways)', async () => {
  const before = await countEvents();
  const row = { command: 'RecordPolicyReview' as const, officerId: 'bad id!', body: { version: 'v1', reviewedOn: '2025-09-01' } };
  const report = await new BulkImporter(store).import([row, row, { ...row, officerId: 'nobody' }, row], { agencyId, recordedBy: 'importer' });
  expect(report).toMatchObject({ commands: 4, accepted: 0, rejectedCount: 4 });
  for (const i of [0, 1, 3]) {
    expect(report.rejected[i]).toMatchObject({ index: i, statusCode: 400 });
    expect(report.rejected[i].messages).toEqual([expect.stringMatching(/^officerId must be 1-64 letters/)]);
  }
  expect(report.rejected[2]).toMatchObject({ statusCode: 404 }); // a valid path: on to the invariants
  expect(await countEvents()).toBe(before);
});

it('checks the invariants against the commands accepted before, skipping only the rejected ones', async () => {
  const commands: ImportCommand[] = [
    { command: 'RegisterOfficer', body: { officerId: 'o1', name: 'One' } },
    { command: 'RegisterOfficer', body: { officerId: 'o1', name: 'One again' } }, // 409
    { command: 'RecordTraining', officerId: 'o1', body: { trainingId: 't1', course: 'SSC_BASIC', completedOn: '2024-05-01' } },
    { command: 'RecordTraining', officerId: 'o1', body: { trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2025-05-01' } }, // 409
    { command: 'FileCertificate', officerId: 'o1', trainingId: 't2', body: { sha256: 'b'.repeat(64), fileName: 'x.pdf', filedOn: '2025-05-02' } }, // 404
    { command: 'EndAssignment', officerId: 'o1', assignmentId: 'a1', body: { endDate: '2025-05-02' } }, // 404
    { command: 'RecordPolicyReview', officerId: 'o1', body: { version: 'v1', reviewedOn: '2025-08-28' } }, // 400: never adopted
    { command: 'RetractOfficerEvent', officerId: 'o1', body: { eventId: randomUUID(), reason: 'no such event' } }, // 400
  ];
  const report = await new BulkImporter(store).import(commands, { agencyId, recordedBy: 'importer' });
  expect(report.accepted).toBe(2);
  expect(report.rejected.map((r) => [r.index, r.statusCode])).toEqual([
    [1, 409],
    [3, 409],
    [4, 404],
    [5, 404],
    [6, 400],
    [7, 400],
  ]);
  expect(report.rejected[0].messages).toEqual(['officerId: officer o1 is already registered']);
  expect(report.rejected[4].messages[0]).toMatch(/never adopted policy version "v1"/);
  expect((await store.readStream(officerStream(agencyId, 'o1'))).map((e) => e.type)).toEqual(['OfficerRegistered', 'TrainingCompleted']);
});

it('refuses an import into an unregistered agency', async () => {
  await expect(new BulkImporter(store).import(valid, { agencyId: 'nope', recordedBy: 'importer' })).rejects.toMatchObject({ status: 404, messages: ['agency nope is not registered'] });
});

it('aborts on a store conflict: earlier batches stay committed, the batch in flight appends nothing', async () => {
  const commands: ImportCommand[] = [
    { command: 'RegisterOfficer', body: { officerId: 'c1', name: 'C One' } },
    { command: 'RecordSubstituteDay', officerId: 'c1', body: { date: '2025-10-01', school: 'A' } },
    { command: 'RecordSubstituteDay', officerId: 'c1', body: { date: '2025-10-02', school: 'A' } },
    { command: 'RecordSubstituteDay', officerId: 'c1', body: { date: '2025-10-03', school: 'A' } },
  ];
  const importer = new BulkImporter(store);
  const run = importer.import(commands, {
    agencyId,
    recordedBy: 'importer',
    batchSize: 2,
    // Another writer appends to the same stream between the import's two transactions.
    onBatch: () =>
      void store.appendToStream(
        officerStream(agencyId, 'c1'),
        [{ eventId: randomUUID(), type: 'SubstituteDayServed', schemaVersion: 1, data: { date: '2025-11-01', school: 'B' }, metadata: { recordedBy: 'other', correlationId: 'c' } }],
        { expectedRevision: 1 },
      ),
  });
  await expect(run).rejects.toMatchObject({ name: 'ImportAbortedError', committedBefore: 2 });
  const stream = await store.readStream(officerStream(agencyId, 'c1'));
  expect(stream.map((e) => e.recordedBy)).toEqual(['importer', 'importer', 'other']);
});

it('an officer it no longer holds in memory is read again from the store, with what it committed', async () => {
  // 2,100 registrations: the first officers' models are evicted (2,000 are kept) after the
  // batches commit; their later rows must see the registration, read back from the store.
  const officers = Array.from({ length: 2100 }, (_, i) => `o${i}`);
  const commands: ImportCommand[] = [
    ...officers.map((officerId): ImportCommand => ({ command: 'RegisterOfficer', body: { officerId, name: `Officer ${officerId}` } })),
    { command: 'RecordTraining', officerId: 'o0', body: { trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2025-08-20' } },
    { command: 'RegisterOfficer', body: { officerId: 'o1', name: 'Officer o1 again' } },
  ];
  const report = await new BulkImporter(store).import(commands, { agencyId, recordedBy: 'importer', batchSize: 50 });
  expect(report).toMatchObject({ accepted: 2101, rejectedCount: 1, rejected: [{ index: 2101, statusCode: 409 }] });
  expect((await store.readStream(officerStream(agencyId, 'o0'))).map((e) => e.type)).toEqual(['OfficerRegistered', 'TrainingCompleted']);
});
