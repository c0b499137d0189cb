/**
 * The store contract against a real EventStoreDB, when ESDB_URL names one, e.g.
 *   docker compose up -d eventstore
 *   ESDB_URL='esdb://127.0.0.1:2113?tls=false' npx jest test/store/esdb
 * The server must run the standard projections (--run-projections=All
 * --start-standard-projections; docker-compose.yml sets them): listStreams reads them.
 *
 * Without ESDB_URL these tests are skipped, loudly: the only tests in the project allowed to
 * skip, also under CI, because no EventStoreDB server can be assumed. The pure mappings are
 * tested regardless (esdb-mapping.unit.spec.ts).
 *
 * Every store opened here gets its own stream prefix (unique per run and per store) and reads
 * $all only from where it was opened, so each test sees a fresh, empty store, and repeated runs
 * against one server never collide.
 */
import { randomBytes } from 'node:crypto';
import type { EventStoreDBClient } from '@eventstore/db-client';
import { EsdbEventStore } from '../../src/store/esdb/esdb-event-store';
import type { RecordedEvent } from '../../events/envelope';
import { officerStream, rosterStream } from '../../events/streams';
import type { AppendRequest } from '../../src/store/event-store.port';
import { describeEventStoreContract, events, newEvent, verifyStore } from './event-store.contract';

const ESDB_URL = process.env.ESDB_URL?.trim();

if (!ESDB_URL) {
  console.warn(
    'EventStoreDB contract tests SKIPPED: ESDB_URL is not set, and no EventStoreDB server runs on this machine. ' +
      "To run them: docker compose up -d eventstore, then ESDB_URL='esdb://127.0.0.1:2113?tls=false' npx jest test/store/esdb",
  );
  describe.skip('EventStore contract: EventStoreDB (skipped: ESDB_URL is not set, no EventStoreDB server here)', () => {
    it('needs an EventStoreDB server (set ESDB_URL)', () => undefined);
  });
} else {
  const url = ESDB_URL;
  // Letters and digits, then '-': the prefix is also the stream category ($category-<run>n<k>).
  const run = `sroTest${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  let opened = 0;
  const open = (options: { now?: () => Date } = {}) =>
    EsdbEventStore.open(url, { now: options.now, streamPrefix: `${run}n${opened++}-`, logFloor: 'open' });

  jest.setTimeout(120_000);

  describeEventStoreContract('EventStoreDB', open, { densePositions: false, eventIdIndex: false, largeStreamSize: 2000, atomicMultiStreamAppend: false, storesFiles: false });

  describe('EventStoreDB adapter specifics', () => {
    const stores: EsdbEventStore[] = [];
    const fresh = async (options: { now?: () => Date } = {}) => {
      const store = await open(options);
      stores.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(stores.splice(0).map((s) => s.close()));
    });

    it('keeps stores with different prefixes apart', async () => {
      const [a, b] = [await fresh(), await fresh()];
      await a.appendToStream('officer-x/1', events(2), { expectedRevision: 'no_stream' });
      expect(await b.readStream('officer-x/1')).toEqual([]);
      expect(await b.listStreams('')).toEqual([]);
      await b.appendToStream('officer-x/1', events(1), { expectedRevision: 'no_stream' });
      expect((await a.listStreams('officer-x/')).map((h) => h.revision)).toEqual([1]);
      expect((await b.listStreams('officer-x/')).map((h) => h.revision)).toEqual([0]);
      expect(await verifyStore(a)).toEqual({ ok: true, eventsChecked: 2 });
    });

    it('records created close to recordedAt with the system clock, and reports drift with a skewed clock', async () => {
      const store = await fresh();
      await store.appendToStream('s', events(2), { expectedRevision: 'no_stream' });
      expect(await store.createdDrift('s', 5000)).toEqual([]);
      const skewed = await fresh({ now: () => new Date('2020-01-01T00:00:00.000Z') });
      await skewed.appendToStream('s', events(1), { expectedRevision: 'no_stream' });
      expect(await skewed.createdDrift('s')).toEqual([expect.objectContaining({ stream: 's', revision: 0, recordedAt: '2020-01-01T00:00:00.000Z' })]);
    });

    it('an identical retry (same eventIds) of a written append is a DuplicateEventIdError, not an idempotent success', async () => {
      const store = await fresh();
      const batch = events(2);
      await store.appendToStream('s', batch, { expectedRevision: 'no_stream' });
      await expect(store.appendToStream('s', batch, { expectedRevision: 'any' })).rejects.toMatchObject({ name: 'DuplicateEventIdError' });
      await expect(store.appendToStream('s', batch, { expectedRevision: 1 })).rejects.toMatchObject({ name: 'DuplicateEventIdError' });
      expect(await store.readStream('s')).toHaveLength(2);
    });

    it('subscribeToAll delivers committed events after fromPosition, in order, and stops on close', async () => {
      const store = await fresh();
      const { events: first } = await store.appendToStream('a', events(3), { expectedRevision: 'no_stream' });
      const seen: RecordedEvent[] = [];
      let release: () => void = () => undefined;
      const got5 = new Promise<void>((resolve) => (release = resolve));
      const sub = store.subscribeToAll({ fromPosition: first[0].position }, async (e) => {
        seen.push(e);
        if (seen.length === 5) release();
      });
      const { events: later } = await store.appendToStream('b', events(3), { expectedRevision: 'no_stream' });
      await got5;
      await sub.close();
      expect(seen.map((e) => e.eventId)).toEqual([...first.slice(1), ...later].map((e) => e.eventId));
      expect(seen).toEqual([...first.slice(1), ...later]);
    });

    it('a registration: the enrolment first, and one interrupted before its officer stream is completed by ledgerHead (W16)', async () => {
      const store = await fresh();
      const registration = (officerId: string): AppendRequest[] => [
        { stream: officerStream('reg-pd', officerId), events: [newEvent({ type: 'OfficerRegistered', data: { officerId } })], expectedRevision: 'no_stream' },
        { stream: rosterStream('reg-pd'), events: [newEvent({ type: 'OfficerEnrolled', data: { officerId } })], expectedRevision: 'any' },
      ];
      const [officer, roster] = await store.appendMany(registration('o1'));
      expect(roster.events[0].position).toBeLessThan(officer.events[0].position);

      // The officer append of the next registration fails as if the writer died before it.
      const client = (store as unknown as { client: EventStoreDBClient }).client;
      const original = client.appendToStream.bind(client);
      client.appendToStream = (async (...args: Parameters<typeof original>) => {
        if (args[0].endsWith(officerStream('reg-pd', 'o2'))) throw new Error('the writer died');
        return original(...args);
      }) as typeof client.appendToStream;
      const request = registration('o2');
      await expect(store.appendMany(request)).rejects.toThrow(/the writer died/);
      client.appendToStream = original;
      expect(await store.readStream(officerStream('reg-pd', 'o2'))).toEqual([]);

      await store.ledgerHead();
      expect((await store.readStream(officerStream('reg-pd', 'o2'))).map((e) => e.eventId)).toEqual([request[0].events[0].eventId]);
      expect(await verifyStore(store)).toEqual({ ok: true, eventsChecked: 4 });
    });

    it('readEvent needs the stream hint', async () => {
      const store = await fresh();
      const e = newEvent();
      await store.appendToStream('s', [e], { expectedRevision: 'no_stream' });
      expect(await store.readEvent(e.eventId)).toBeUndefined();
      expect(await store.readEvent(e.eventId, { stream: 's' })).toMatchObject({ eventId: e.eventId, stream: 's', revision: 0 });
    });
  });
}
