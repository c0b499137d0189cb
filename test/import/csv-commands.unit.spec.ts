/**
 * CSV import: rows become the same writes as the HTTP routes, through the bulk import. Valid rows
 * land, bad rows are reported with their file line and field messages and append nothing.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agencyStream, officerStream } from '../../events/streams';
import { BulkImporter } from '../../src/import/bulk-import';
import { commandFromRecord, CsvFormatError, readCsvCommands } from '../../src/import/csv-commands';
import { MemoryEventStore } from '../../src/store/memory/memory-event-store';

const csv = (text: string): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'sro-csv-')), 'import.csv');
  writeFileSync(file, text);
  return file;
};

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of iterable) all.push(item);
  return all;
}

describe('commandFromRecord: contracts and officer records (docs/decisions.md W19)', () => {
  it('takes contractId in the path of an amendment, and clauses.* columns as the clauses object', () => {
    expect(commandFromRecord({ command: 'RecordContract', contractId: 'c1', district: 'ISD 1', schools: 'A;B', effectiveFrom: '2025-08-01', 'clauses.attire': '§3', 'clauses.dataPractices': '' }, 2)).toEqual({
      command: 'RecordContract',
      body: { contractId: 'c1', district: 'ISD 1', schools: ['A', 'B'], effectiveFrom: '2025-08-01', clauses: { attire: '§3' } },
      line: 2,
    });
    expect(commandFromRecord({ command: 'AmendContract', contractId: 'c1', effectiveOn: '2025-10-01', schools: 'A;B;C' }, 3)).toEqual({
      command: 'AmendContract',
      contractId: 'c1',
      body: { effectiveOn: '2025-10-01', schools: ['A', 'B', 'C'] },
      line: 3,
    });
  });

  it('imports contracts, amendments, ends, corrections and separations as the routes record them', async () => {
    const store = new MemoryEventStore();
    await store.appendToStream(agencyStream('csv-pd'), [{ eventId: '00000000-0000-4000-8000-000000000001', type: 'AgencyRegistered', schemaVersion: 1, data: { agencyId: 'csv-pd', name: 'CSV PD' }, metadata: { recordedBy: 't', correlationId: 'c' } }], { expectedRevision: 'no_stream' });
    const file = csv(
      [
        'command,officerId,name,contractId,district,schools,effectiveFrom,effectiveOn,endedOn,clauses.attire,clauses.deescalationResources,reason,separatedOn',
        'RecordContract,,,c1,ISD 1,Central High,2025-08-01,,,§3,,,',
        'AmendContract,,,c1,,Central High;North Middle,,2025-10-01,,,§5,,',
        'EndContract,,,c1,,,,,2026-06-30,,,,',
        'EndContract,,,c1,,,,,2026-07-31,,,,',
        'RegisterOfficer,jdoe,Jordan Doe,,,,,,,,,,',
        'CorrectOfficerDetails,jdoe,Jordan Dough,,,,,,,,,misspelled,',
        'SeparateOfficer,jdoe,,,,,,,,,,LEFT_AGENCY,2026-01-15',
      ].join('\n'),
    );
    const report = await new BulkImporter(store).import(readCsvCommands(file), { agencyId: 'csv-pd', recordedBy: 'cli:test', today: '2026-02-01' });
    expect(report).toMatchObject({ accepted: 6, rejectedCount: 1, rejected: [{ line: 5, statusCode: 409, messages: ['contractId: contract c1 already ended on 2026-06-30'] }] });
    const agency = await store.readStream(agencyStream('csv-pd'));
    expect(agency.map((e) => [e.type, e.schemaVersion])).toEqual([
      ['AgencyRegistered', 1],
      ['SroContractRecorded', 1],
      ['SroContractAmended', 1],
      ['SroContractEnded', 1],
    ]);
    expect(agency[1].data).toEqual({
      contractId: 'c1',
      district: 'ISD 1',
      schools: ['Central High'],
      effectiveFrom: '2025-08-01',
      clauses: { dutiesPerSubd2: null, attire: '§3', districtRoleInSelection: null, deescalationResources: null, publicNotification: null, dataPractices: null },
    });
    expect(agency[2].data).toEqual({ contractId: 'c1', effectiveOn: '2025-10-01', schools: ['Central High', 'North Middle'], clauses: { deescalationResources: '§5' } });
    const officer = await store.readStream(officerStream('csv-pd', 'jdoe'));
    expect(officer.map((e) => e.type)).toEqual(['OfficerRegistered', 'OfficerDetailsCorrected', 'OfficerSeparated']);
  });

  it('refuses a clauses.__proto__ column as a format error', async () => {
    await expect(collect(readCsvCommands(csv('command,clauses.__proto__\nRecordContract,x\n')))).rejects.toThrow(CsvFormatError);
  });
});

describe('commandFromRecord', () => {
  it('puts path parameters in the path, the rest in the body, drops empty cells, splits schools', () => {
    expect(commandFromRecord({ command: 'AssignOfficer', officerId: 'jdoe', assignmentId: 'a1', schools: 'Central High; North Middle', startDate: '2025-09-02', course: '' }, 3)).toEqual({
      command: 'AssignOfficer',
      officerId: 'jdoe',
      body: { assignmentId: 'a1', schools: ['Central High', 'North Middle'], startDate: '2025-09-02' },
      line: 3,
    });
    // RegisterOfficer takes officerId in its body; FileCertificate takes trainingId in its path.
    expect(commandFromRecord({ command: 'RegisterOfficer', officerId: 'jdoe', name: 'Jordan' }, 2).body).toEqual({ officerId: 'jdoe', name: 'Jordan' });
    expect(commandFromRecord({ command: 'FileCertificate', officerId: 'jdoe', trainingId: 't1', idempotencyKey: 'k' }, 4)).toMatchObject({
      trainingId: 't1',
      idempotencyKey: 'k',
      body: {},
    });
  });
});

describe('readCsvCommands + BulkImporter', () => {
  it('imports valid rows and reports each bad row with its line and messages', async () => {
    const store = new MemoryEventStore();
    await store.appendToStream(agencyStream('csv-pd'), [{ eventId: '0190d6d4-0000-7000-8000-000000000001', type: 'AgencyRegistered', schemaVersion: 1, data: { agencyId: 'csv-pd', name: 'CSV PD' }, metadata: { recordedBy: 't', correlationId: 'c' } }], {
      expectedRevision: 'no_stream',
    });
    const file = csv(
      [
        'command,officerId,name,assignmentId,schools,startDate,trainingId,course,completedOn',
        'RegisterOfficer,jdoe,"Doe, Jordan",,,,,,',
        'AssignOfficer,jdoe,,hs,"Central High;North Middle",2025-09-02,,,',
        'RecordTraining,jdoe,,,,,t1,MN_SRO_BASIC,2025-02-30',
        'AssignOfficer,ghost,,hs,Central High,2025-09-02,,,',
        'RecordTraining,jdoe,,,,,t2,MN_SRO_BASIC,2025-08-20',
      ].join('\n'),
    );
    const report = await new BulkImporter(store).import(readCsvCommands(file), { agencyId: 'csv-pd', recordedBy: 'cli:test' });
    expect(report).toMatchObject({ commands: 5, accepted: 3, rejectedCount: 2 });
    expect(report.rejected).toEqual([
      expect.objectContaining({ line: 4, command: 'RecordTraining', statusCode: 400, messages: ['completedOn must be a real calendar date ("2025-02-30" is not). Enter the date as YYYY-MM-DD or M/D/YYYY, e.g. 2025-08-12 or 8/12/2025'] }),
      expect.objectContaining({ line: 5, command: 'AssignOfficer', statusCode: 404 }),
    ]);
    const events = await store.readStream(officerStream('csv-pd', 'jdoe'));
    expect(events.map((e) => e.type)).toEqual(['OfficerRegistered', 'OfficerAssigned', 'TrainingCompleted']);
    expect(events[0].data).toEqual({ officerId: 'jdoe', name: 'Doe, Jordan' });
    expect(events[1].data).toMatchObject({ schools: ['Central High', 'North Middle'] });
    expect(events[2].recordedBy).toBe('cli:test');
  });

  it('refuses a file without a command column, and a row with too many cells', async () => {
    await expect(collect(readCsvCommands(csv('officerId,name\nx,y\n')))).rejects.toBeInstanceOf(CsvFormatError);
    await expect(collect(readCsvCommands(csv('command,officerId\nRegisterOfficer,a,b\n')))).rejects.toThrow(/line 2/);
  });
});

describe('re-importing a corrected file with idempotency keys', () => {
  it('skips the rows already recorded and records only the corrected ones', async () => {
    const store = new MemoryEventStore();
    await store.appendToStream(agencyStream('csv-pd'), [{ eventId: '0190d6d4-0000-7000-8000-000000000002', type: 'AgencyRegistered', schemaVersion: 1, data: { agencyId: 'csv-pd', name: 'CSV PD' }, metadata: { recordedBy: 't', correlationId: 'c' } }], {
      expectedRevision: 'no_stream',
    });
    const header = 'command,officerId,name,trainingId,course,completedOn,idempotencyKey';
    const rows = ['RegisterOfficer,jdoe,Jordan Doe,,,,k1', 'RecordTraining,jdoe,,t1,MN_SRO_BASIC,2025-08-20,k2'];
    const first = await new BulkImporter(store).import(readCsvCommands(csv([header, ...rows, 'RecordTraining,jdoe,,t2,MN_SRO_BASIC,2025-02-30,k3'].join('\n'))), {
      agencyId: 'csv-pd',
      recordedBy: 'cli:test',
    });
    expect(first).toMatchObject({ accepted: 2, rejectedCount: 1 });
    const second = await new BulkImporter(store).import(readCsvCommands(csv([header, ...rows, 'RecordTraining,jdoe,,t2,MN_SRO_BASIC,2025-02-28,k3'].join('\n'))), {
      agencyId: 'csv-pd',
      recordedBy: 'cli:test',
    });
    expect(second).toMatchObject({ accepted: 1, duplicates: 2, rejectedCount: 0 });
    expect((await store.readStream(officerStream('csv-pd', 'jdoe'))).map((e) => e.type)).toEqual(['OfficerRegistered', 'TrainingCompleted', 'TrainingCompleted']);
  });
});
