/**
 * US dates in CSV imports (src/common/dates.ts, decisions W34): `8/20/2025` in a date column is
 * recorded as 2025-08-20, in the product's format and in another system's mapped file; a date
 * that is neither form, or has a two-digit year, is refused with a message naming both forms, and
 * the row records nothing. On a real SQLite file, through the bulk import.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agencyStream, officerStream } from '../../events/streams';
import { importKind, mappedCommands, parseCsvText } from '../../src/console/csv-import';
import { BulkImporter } from '../../src/import/bulk-import';
import { readCsvCommands } from '../../src/import/csv-commands';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store';

const AGENCY = 'us-pd';
const FORMS = 'Enter the date as YYYY-MM-DD or M/D/YYYY, e.g. 2025-08-12 or 8/12/2025';
let dir: string;
let store: SqliteEventStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sro-us-'));
  store = SqliteEventStore.open(join(dir, 'sro.db'));
  await store.appendToStream(
    agencyStream(AGENCY),
    [{ eventId: randomUUID(), type: 'AgencyRegistered', schemaVersion: 1, data: { agencyId: AGENCY, name: 'US PD' }, metadata: { recordedBy: 'test', correlationId: 'c' } }],
    { expectedRevision: 'no_stream' },
  );
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const importer = () => new BulkImporter(store);
const data = async (officerId: string) => (await store.readStream(officerStream(AGENCY, officerId))).map((e) => [e.type, e.data]);

describe('US dates in a CSV of the product’s format', () => {
  it('M/D/YYYY and MM/DD/YYYY are recorded as YYYY-MM-DD; 13/1/2025 and 8/12/25 are refused naming both forms', async () => {
    const file = join(dir, 'import.csv');
    writeFileSync(
      file,
      [
        'command,officerId,name,assignmentId,schools,startDate,trainingId,course,completedOn,date,school',
        'RegisterOfficer,jdoe,Jordan Doe,,,,,,,,',
        'AssignOfficer,jdoe,,hs-2025,Central High,9/2/2025,,,,,',
        'RecordTraining,jdoe,,,,,basic-1,MN_SRO_BASIC,08/20/2025,,',
        'RecordSubstituteDay,jdoe,,,,,,,,13/1/2025,Central High',
        'RecordSubstituteDay,jdoe,,,,,,,,10/6/25,',
      ].join('\r\n') + '\r\n',
    );
    const report = await importer().import(readCsvCommands(file), { agencyId: AGENCY, recordedBy: 'cli:test', mode: 'rows', today: '2026-02-01' });
    expect(report).toMatchObject({ commands: 5, accepted: 3, rejectedCount: 2 });
    expect(report.rejected).toEqual([
      { index: 3, line: 5, command: 'RecordSubstituteDay', statusCode: 400, messages: [`date must be a real calendar date ("13/1/2025" is not). ${FORMS}`] },
      // Every problem of the row at once: the date's, and the DTO's of its other fields.
      { index: 4, line: 6, command: 'RecordSubstituteDay', statusCode: 400, messages: [`date must be a real calendar date with a four-digit year ("10/6/25" has two). ${FORMS}`, expect.stringMatching(/^school /), expect.stringMatching(/^school /), expect.stringMatching(/^school /)] },
    ]);
    expect(await data('jdoe')).toEqual([
      ['OfficerRegistered', expect.objectContaining({ name: 'Jordan Doe' })],
      ['OfficerAssigned', expect.objectContaining({ startDate: '2025-09-02' })],
      ['TrainingCompleted', expect.objectContaining({ completedOn: '2025-08-20' })],
    ]);
  });
});

describe('US dates in another system’s file (the console’s mapping)', () => {
  it('a provider roster’s "8/20/2025" is recorded as 2025-08-20, with the same training ID as 2025-08-20 would give', async () => {
    const table = parseCsvText('Officer ID,Course,Date Completed\r\njdoe,MN SRO Basic,8/20/2025\r\nroe,MN SRO Basic,2/30/2025\r\n');
    const kind = importKind('trainings')!;
    const commands = mappedCommands(kind, table, { officerId: 'Officer ID', course: 'Course', completedOn: 'Date Completed' }, {});
    expect(commands[0]).toMatchObject({ command: 'RecordTraining', officerId: 'jdoe', body: { trainingId: 'mn_sro_basic-2025-08-20', completedOn: '2025-08-20' } });
    expect(commands[0].problems).toBeUndefined();
    expect(commands[1].problems).toEqual([`completedOn must be a real calendar date ("2/30/2025" is not). ${FORMS}`]);
    await importer().import([{ command: 'RegisterOfficer', body: { officerId: 'jdoe', name: 'Jordan Doe' } }], { agencyId: AGENCY, recordedBy: 'test' });
    const report = await importer().import(commands, { agencyId: AGENCY, recordedBy: 'test', mode: 'dry-run', today: '2026-02-01' });
    expect(report.rejected).toEqual([{ index: 1, line: 3, command: 'RecordTraining', statusCode: 400, messages: [`completedOn must be a real calendar date ("2/30/2025" is not). ${FORMS}`] }]);
    expect(report.recorded).toEqual([expect.objectContaining({ type: 'TrainingCompleted', data: expect.objectContaining({ completedOn: '2025-08-20' }) })]);
  });
});
