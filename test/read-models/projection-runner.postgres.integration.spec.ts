/**
 * The projection runner on PostgreSQL (events and read models in one database, as the server
 * runs them there): each event applied exactly once across restarts and runners racing through
 * their own connections, and an interrupted rebuild that resumes instead of starting over. The
 * same guarantees as projection-runner.integration.spec.ts checks on SQLite; a fresh database per test.
 */
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { agencyStream, officerStream } from '../../events/streams';
import { OFFICER_LEDGERS, OfficerLedgerDoc, Projection, PROJECTIONS } from '../../src/read-models/ledger-projections';
import { PostgresReadModelStore } from '../../src/store/postgres/postgres-read-model-store';
import { ProjectionRunner } from '../../src/read-models/projection-runner';
import { PostgresEventStore } from '../../src/store/postgres/postgres-event-store';
import { createTestDatabase, describeWithPostgres, TestDatabase } from '../support/postgres';

const event = (type: string, data: object) => ({
  eventId: randomUUID(),
  type,
  schemaVersion: 1,
  data,
  metadata: { recordedBy: 'test', correlationId: 'c' },
});

/**
 * Counts, in one document, every event it is applied to: an event applied twice in what is
 * committed would count twice. (A runner working from a stale checkpoint may see the document a
 * racing runner committed meanwhile and count on top of it; its commit must then be refused.)
 */
const COUNTING: Projection = {
  name: 'counting',
  async apply(e, docs) {
    const seen = (await docs.get<{ n: number; last: number }>('count')) ?? { n: 0, last: 0 };
    docs.set('count', { n: seen.n + 1, last: e.position });
  },
};

describeWithPostgres('ProjectionRunner on PostgreSQL', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  const readModelStores: PostgresReadModelStore[] = [];

  beforeEach(async () => {
    db = await createTestDatabase();
    store = await PostgresEventStore.open(db.url);
  });
  afterEach(async () => {
    await Promise.all(readModelStores.splice(0).map((r) => r.close()));
    await store.close();
    await db.drop();
  });

  async function runner(projections: readonly Projection[] = PROJECTIONS) {
    const readModels = await PostgresReadModelStore.open(db.url);
    readModelStores.push(readModels);
    return { readModels, runner: new ProjectionRunner(store, readModels, projections) };
  }

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

  async function lastPosition(): Promise<number> {
    let last = 0;
    for await (const e of store.readAll({ batchSize: 5000 })) last = e.position;
    return last;
  }

  it('applies each event exactly once across restarts and runners racing through their own connections', async () => {
    await seed(20, 150); // 3,000+ events: more than one batch
    const projections = [...PROJECTIONS, COUNTING];
    const first = await runner(projections);
    const second = await runner(projections);
    await Promise.all([first.runner.catchUp(), second.runner.catchUp(), first.runner.catchUp(), second.runner.catchUp()]);
    expect(await first.runner.progress()).toEqual(projections.map((p) => ({ name: p.name, checkpoint: expect.any(Number), rebuilding: false })));
    // "Restart": a new runner on its own connections, after more writes.
    await store.appendToStream(officerStream('a', 'o3'), [event('SubstituteDayServed', { date: '2025-11-03', school: 'late' })], { expectedRevision: 150 });
    const third = await runner(projections);
    await third.runner.waitUntilCaughtUp();
    const last = await lastPosition();
    for (const p of projections) expect({ name: p.name, ...(await third.readModels.state(p.name)) }).toEqual({ name: p.name, checkpoint: last, rebuilding: false });
    expect(await third.readModels.get('counting', 'count')).toEqual({ n: 20 * 151 + 2 + 1, last });
    for (let o = 0; o < 20; o++) {
      const ledger = await third.readModels.get<OfficerLedgerDoc>(OFFICER_LEDGERS.name, `a/o${o}`);
      const ids = ledger!.events.map((e) => e.eventId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual((await store.readStream(officerStream('a', `o${o}`))).map((e) => e.eventId));
    }
  }, 60_000);

  it('rebuilds from position 0, and an interrupted rebuild resumes where it stopped', async () => {
    await seed(5, 10);
    const { readModels, runner: r } = await runner();
    await r.catchUp();
    const before = await readModels.getByPrefix(OFFICER_LEDGERS.name, 'a/');
    expect(before).toHaveLength(5);

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
    try {
      await new ProjectionRunner(store, readModels, [crashing]).rebuild(OFFICER_LEDGERS.name);
    } finally {
      errors.mockRestore();
    }
    expect(await readModels.state(OFFICER_LEDGERS.name)).toEqual({ checkpoint: 29, rebuilding: true });

    // Another process (its own connections) resumes from 29 instead of 0, and ends with the same read model.
    const other = await runner();
    let resumed = 0;
    const counting: Projection = { name: OFFICER_LEDGERS.name, apply: (e, docs) => (resumed++, OFFICER_LEDGERS.apply(e, docs)) };
    await new ProjectionRunner(store, other.readModels, [counting]).rebuild(OFFICER_LEDGERS.name);
    expect(resumed).toBe((await lastPosition()) - 29);
    expect(await readModels.state(OFFICER_LEDGERS.name)).toEqual({ checkpoint: await lastPosition(), rebuilding: false });
    expect(await readModels.getByPrefix(OFFICER_LEDGERS.name, 'a/')).toEqual(before);
  }, 60_000);
});
