/**
 * The projection subsystem on a real SQLite file: read models match the streams, each event is
 * applied exactly once across restarts and racing runners, a failing projection halts alone and
 * is logged with the event id, and an interrupted rebuild resumes instead of starting over.
 */
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '../../events/envelope';
import { officerStream, agencyStream } from '../../events/streams';
import {
  AGENCY_SUMMARIES,
  AgencySummaryDoc,
  OFFICER_LEDGERS,
  OfficerFactsDoc,
  officerFactsKey,
  officerFactsPrefix,
  OfficerLedgerDoc,
  Projection,
  PROJECTIONS,
} from '../../src/read-models/ledger-projections';
import { ProjectionRunner } from '../../src/read-models/projection-runner';
import { SqliteReadModelStore } from '../../src/store/sqlite/sqlite-read-model-store';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store';

let dir: string;
let file: string;
let store: SqliteEventStore;

const event = (type: string, data: object) => ({
  eventId: randomUUID(),
  type,
  schemaVersion: 1,
  data,
  metadata: { recordedBy: 'test', correlationId: 'c' },
});

/** An agency with `officers` officers of `perOfficer` substitute days each. */
async function seed(officers: number, perOfficer: number): Promise<void> {
  await store.appendToStream(agencyStream('a'), [event('AgencyRegistered', { agencyId: 'a', name: 'A PD' }), event('SroPolicyAdopted', { version: 'v1', adoptedOn: '2025-08-01' })], {
    expectedRevision: 'no_stream',
  });
  for (let o = 0; o < officers; o++) {
    const days = Array.from({ length: perOfficer }, (_, i) => event('SubstituteDayServed', { date: `2025-10-${String((i % 28) + 1).padStart(2, '0')}`, school: `S${i}` }));
    await store.appendToStream(officerStream('a', `o${o}`), [event('OfficerRegistered', { officerId: `o${o}`, name: `Officer ${o}` }), ...days], { expectedRevision: 'no_stream' });
  }
}

function runner(projections: readonly Projection[] = PROJECTIONS) {
  const readModels = new SqliteReadModelStore(file);
  return { readModels, runner: new ProjectionRunner(store, readModels, projections) };
}

async function lastPosition(): Promise<number> {
  let last = 0;
  for await (const e of store.readAll({ batchSize: 5000 })) last = e.position;
  return last;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sro-proj-'));
  file = join(dir, 'sro.db');
  store = SqliteEventStore.open(file);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

it('builds one ledger per officer and a summary per agency that match the streams', async () => {
  await seed(3, 4);
  const { readModels, runner: r } = runner();
  await r.waitUntilCaughtUp();
  const ledger = await readModels.get<OfficerLedgerDoc>(OFFICER_LEDGERS.name, 'a/o1');
  const stream = await store.readStream(officerStream('a', 'o1'));
  expect(ledger).toMatchObject({ agencyId: 'a', officerId: 'o1', name: 'Officer 1' });
  expect(ledger!.events.map((e) => e.eventId)).toEqual(stream.map((e) => e.eventId));
  expect(ledger!.events[1]).toEqual({ eventId: stream[1].eventId, type: 'SubstituteDayServed', data: stream[1].data, recordedAt: stream[1].recordedAt, recordedBy: 'test' });
  const summary = await readModels.get<AgencySummaryDoc>(AGENCY_SUMMARIES.name, 'a');
  expect(summary).toMatchObject({ name: 'A PD', officerIds: ['o0', 'o1', 'o2'] });
  expect(summary!.events.map((e) => e.type)).toEqual(['AgencyRegistered', 'SroPolicyAdopted']);
  expect((await readModels.state(OFFICER_LEDGERS.name)).checkpoint).toBe(await lastPosition());
  await readModels.close();
});

it('applies each event exactly once across restarts and racing runners', async () => {
  await seed(20, 150); // 3,000+ events: more than one batch
  const first = runner();
  const second = runner();
  await Promise.all([first.runner.catchUp(), second.runner.catchUp(), first.runner.catchUp()]);
  await first.readModels.close();
  // "Restart": a new runner on the same file, after more writes.
  await store.appendToStream(officerStream('a', 'o3'), [event('SubstituteDayServed', { date: '2025-11-03', school: 'late' })], { expectedRevision: 150 });
  const third = runner();
  await third.runner.waitUntilCaughtUp();
  for (let o = 0; o < 20; o++) {
    const ledger = await third.readModels.get<OfficerLedgerDoc>(OFFICER_LEDGERS.name, `a/o${o}`);
    const ids = ledger!.events.map((e) => e.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual((await store.readStream(officerStream('a', `o${o}`))).map((e) => e.eventId));
  }
  await second.readModels.close();
  await third.readModels.close();
});

it('a failing projection is logged with the event id and halts alone; queries then read the event store', async () => {
  await seed(2, 3);
  const poison = (await store.readStream(officerStream('a', 'o1')))[2];
  const failing: Projection = {
    name: 'failing',
    async apply(e: RecordedEvent, docs) {
      if (e.eventId === poison.eventId) throw new Error('cannot handle this one');
      docs.set(e.eventId, { seen: true });
    },
  };
  const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  const { readModels, runner: r } = runner([failing, ...PROJECTIONS]);
  await r.catchUp();
  expect(errors).toHaveBeenCalledWith(expect.stringContaining(`failed on event ${poison.eventId}`));
  expect((await readModels.state('failing')).checkpoint).toBe(poison.position - 1);
  expect(await readModels.get('failing', poison.eventId)).toBeUndefined();
  expect((await readModels.state(OFFICER_LEDGERS.name)).checkpoint).toBe(await lastPosition());
  expect(await r.freshen()).toBe(false);
  expect((await r.progress()).find((p) => p.name === 'failing')!.failed).toMatchObject({ eventId: poison.eventId });
  errors.mockRestore();
  await readModels.close();
});

it('a derive that throws halts the projection at the first event that changed that document', async () => {
  await seed(3, 2);
  const o1 = await store.readStream(officerStream('a', 'o1'));
  const deriving: Projection = {
    name: 'deriving',
    apply: OFFICER_LEDGERS.apply,
    derive(key) {
      if (key === 'a/o1') throw new Error('cannot derive o1');
      return { key: `d:${key}`, doc: { from: key } };
    },
  };
  const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  const { readModels, runner: r } = runner([deriving]);
  await r.catchUp();
  expect(errors).toHaveBeenCalledWith(expect.stringContaining(`failed on event ${o1[0].eventId}`));
  expect((await readModels.state('deriving')).checkpoint).toBe(o1[0].position - 1);
  expect(await readModels.get('deriving', 'd:a/o0')).toEqual({ from: 'a/o0' });
  expect(await readModels.get('deriving', 'a/o1')).toBeUndefined();
  errors.mockRestore();
  await readModels.close();
});

it('rebuilds from position 0, and an interrupted rebuild resumes where it stopped', async () => {
  await seed(5, 10);
  const { readModels, runner: r } = runner();
  await r.catchUp();
  const before = await readModels.getByPrefix(OFFICER_LEDGERS.name, 'a/');

  // A rebuild that "crashes" at the 30th event: the first 29 are committed, the flag stays set.
  let applied = 0;
  const crashing: Projection = {
    name: OFFICER_LEDGERS.name,
    async apply(e, docs) {
      if (++applied === 30) throw new Error('simulated crash');
      return OFFICER_LEDGERS.apply(e, docs);
    },
  };
  const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  await new ProjectionRunner(store, readModels, [crashing]).rebuild(OFFICER_LEDGERS.name);
  errors.mockRestore();
  const interrupted = await readModels.state(OFFICER_LEDGERS.name);
  expect(interrupted).toEqual({ checkpoint: 29, rebuilding: true });

  // The next rebuild resumes from 29 instead of 0, and ends with the same read model.
  let resumedCount = 0;
  const counting: Projection = { name: OFFICER_LEDGERS.name, apply: (e, docs) => (resumedCount++, OFFICER_LEDGERS.apply(e, docs)) };
  await new ProjectionRunner(store, readModels, [counting]).rebuild(OFFICER_LEDGERS.name);
  expect(resumedCount).toBe((await lastPosition()) - 29);
  expect(await readModels.state(OFFICER_LEDGERS.name)).toEqual({ checkpoint: await lastPosition(), rebuilding: false });
  expect(await readModels.getByPrefix(OFFICER_LEDGERS.name, 'a/')).toEqual(before);
  await readModels.close();
});

it('keeps roster and access events out of the ledgers the engine reads', async () => {
  await seed(1, 1);
  await store.appendToStream('roster-a', [event('OfficerEnrolled', { officerId: 'o0' })], { expectedRevision: 'any' });
  await store.appendToStream('access', [event('TokenIssued', { tokenId: 't', tokenSha256: 'x', agencyId: 'a', role: 'admin', name: 'n' })], { expectedRevision: 'any' });
  const { readModels, runner: r } = runner();
  await r.waitUntilCaughtUp();
  const summary = await readModels.get<AgencySummaryDoc>(AGENCY_SUMMARIES.name, 'a');
  expect(summary!.events.map((e) => e.type)).toEqual(['AgencyRegistered', 'SroPolicyAdopted']);
  await readModels.close();
});

it('a batch touching more documents than maxDocsPerCommit commits in parts, each with its facts snapshots', async () => {
  await seed(7, 3);
  const reference = runner();
  await reference.runner.catchUp();
  const expected = await reference.readModels.getByPrefix(OFFICER_LEDGERS.name, 'a/');
  await reference.readModels.close();

  const other = mkdtempSync(join(tmpdir(), 'sro-proj-')); // a second read-model file over the same events
  const readModels = new SqliteReadModelStore(join(other, 'rm.db'));
  const commits: string[][] = [];
  const commit = readModels.commit.bind(readModels);
  readModels.commit = async (name, from, to, changes) => {
    if (name === OFFICER_LEDGERS.name) commits.push([...changes.keys()]);
    return commit(name, from, to, changes);
  };
  const r = new ProjectionRunner(store, readModels, PROJECTIONS);
  r.maxDocsPerCommit = 2;
  await r.catchUp();
  expect(await readModels.getByPrefix(OFFICER_LEDGERS.name, 'a/')).toEqual(expected);
  expect(commits.length).toBeGreaterThanOrEqual(4);
  for (const keys of commits) {
    const ledgers = keys.filter((k) => !k.startsWith('facts:'));
    expect(ledgers.length).toBeLessThanOrEqual(2);
    expect(keys.filter((k) => k.startsWith('facts:')).sort()).toEqual(ledgers.map((k) => `facts:${k}`).sort());
  }
  const facts = await readModels.getByPrefix<OfficerFactsDoc>(OFFICER_LEDGERS.name, officerFactsPrefix('a'));
  expect(facts.map((f) => f.officerId).sort()).toEqual(Array.from({ length: 7 }, (_, o) => `o${o}`).sort());
  const o3 = await readModels.get<OfficerFactsDoc>(OFFICER_LEDGERS.name, officerFactsKey('a', 'o3'));
  expect(o3!.snapshot!.facts.contactDays.length).toBe(3);
  await readModels.close();
  rmSync(other, { recursive: true, force: true });
});
