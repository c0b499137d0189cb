/**
 * The event store contract (docs/decisions.md W16): one suite, run against every adapter by its own
 * spec file. `open` must give a fresh, empty store each call; the suite closes what it opens.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { NewEvent, RecordedEvent } from '../../events/envelope';
import { ChainVerifier, GENESIS_HASH, hashEvent, IntegrityReport } from '../../events/integrity';
import {
  DuplicateEventIdError,
  EventStore,
  revisionOf,
  WrongExpectedRevisionError,
} from '../../src/store/event-store.port';

export interface OpenStoreOptions {
  /** The clock the store takes recordedAt from. */
  now?: () => Date;
}

export type OpenStore = (options?: OpenStoreOptions) => Promise<EventStore>;

export interface ContractOptions {
  /** Files commit with their events (capabilities.filesInTransaction). Default true. */
  filesInTransaction?: boolean;
  /** The adapter stores files itself (false: EventStoreDB, whose files its backend, src/store/esdb/esdb-backend.ts, keeps in a directory). Default true. */
  storesFiles?: boolean;
  /** Events in the large-stream case. Default 5000. */
  largeStreamSize?: number;
  /**
   * Positions are 1, 2, 3, ... with no gaps (memory, SQLite). false: only strictly increasing
   * in commit order (EventStoreDB, whose positions are transaction-log offsets). Default true.
   */
  densePositions?: boolean;
  /**
   * The store has an index by event id: readEvent finds an event without the stream hint, and
   * an eventId is refused as a duplicate in any stream. false (EventStoreDB): the contract passes
   * the stream hint, checks that readEvent without it answers undefined, and checks duplicates
   * within the target stream only. Default true.
   */
  eventIdIndex?: boolean;
  /**
   * The adapter appends synchronously inside one process (memory; SQLite, whose driver is
   * synchronous): appends issued together do not interleave there, so the "concurrent appends"
   * cases check the guard on appends that run one after the other, and say so in their names.
   * The race across processes, on SQLite and PostgreSQL, is test/store/multi-process-race.integration.spec.ts.
   * Default false (PostgreSQL, EventStoreDB: the appends of one process really race).
   */
  serialAppends?: boolean;
  /**
   * What the adapter must declare as `capabilities.atomicMultiStreamAppend`, and what the suite
   * then holds it to: true, a batch whose later request fails leaves nothing of the earlier ones;
   * false (EventStoreDB), it may, and its error then says which requests were written. Default true.
   */
  atomicMultiStreamAppend?: boolean;
}

export const ISO_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let counter = 0;
export function newEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  counter++;
  return {
    eventId: randomUUID(),
    type: 'TestHappened',
    schemaVersion: 1,
    data: { n: counter, on: '2026-03-01', nested: { list: [1, 'two', null, true], empty: {} } },
    metadata: { recordedBy: 'contract-test', correlationId: randomUUID() },
    ...overrides,
  };
}

export const events = (n: number, overrides: Partial<NewEvent> = {}): NewEvent[] =>
  Array.from({ length: n }, () => newEvent(overrides));

export async function collect(iterable: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const e of iterable) out.push(e);
  return out;
}

/** The integrity check the app's `verify` does: every chain over readAll, then the stream heads. */
export async function verifyStore(store: EventStore): Promise<IntegrityReport> {
  const verifier = new ChainVerifier();
  for await (const e of store.readAll({ batchSize: 100 })) verifier.add(e);
  verifier.checkHeads(await store.listStreams(''));
  return verifier.report();
}

/** A snapshot of everything observable, to show that a failed append changed nothing. */
async function snapshot(store: EventStore) {
  return { all: await collect(store.readAll()), heads: await store.listStreams('') };
}

export function describeEventStoreContract(name: string, open: OpenStore, options: ContractOptions = {}): void {
  const largeStreamSize = options.largeStreamSize ?? 5000;
  const densePositions = options.densePositions ?? true;
  const eventIdIndex = options.eventIdIndex ?? true;
  const atomicMultiStreamAppend = options.atomicMultiStreamAppend ?? true;
  const filesInTransaction = options.filesInTransaction ?? true;
  const storesFiles = options.storesFiles ?? true;
  const together = options.serialAppends
    ? 'issued together (run one after the other by this adapter, which appends synchronously)'
    : 'racing in one process';
  /** readEvent as the adapter can answer it: with the stream hint unless it has an index by id. */
  const find = (store: EventStore, eventId: string, stream: string) =>
    eventIdIndex ? store.readEvent(eventId) : store.readEvent(eventId, { stream });
  const expectIncreasing = (positions: number[]) => {
    for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeGreaterThan(positions[i - 1]);
  };

  describe(`EventStore contract: ${name}`, () => {
    const opened: EventStore[] = [];
    const fresh = async (opts?: OpenStoreOptions) => {
      const store = await open(opts);
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    describe('append and read', () => {
      it('round-trips every field, with data deep-equal and the right types', async () => {
        const store = await fresh();
        const input = newEvent({
          type: 'OfficerRegistered',
          schemaVersion: 2,
          data: { officerId: 'o-1', name: 'Ann Ó\'Brien – ✓', count: 3, ratio: 0.5, ok: false, none: null, list: [{ a: 1 }], unicode: '😀' },
          metadata: { recordedBy: 'token-admin', correlationId: 'corr-1' },
        });
        const result = await store.appendToStream('officer-a/o-1', [input], { expectedRevision: 'no_stream' });
        expect(result.nextExpectedRevision).toBe(0);
        expect(result.events).toHaveLength(1);

        const [read] = await store.readStream('officer-a/o-1');
        expect(read).toEqual(result.events[0]);
        expect(read).toEqual({
          eventId: input.eventId,
          stream: 'officer-a/o-1',
          revision: 0,
          position: densePositions ? 1 : expect.any(Number),
          type: 'OfficerRegistered',
          schemaVersion: 2,
          data: input.data,
          recordedAt: expect.stringMatching(ISO_UTC_MS),
          recordedBy: 'token-admin',
          correlationId: 'corr-1',
          prevHash: GENESIS_HASH,
          hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        });
        expect(typeof read.revision).toBe('number');
        expect(typeof read.position).toBe('number');
        expect(typeof read.schemaVersion).toBe('number');
        expect(read.hash).toBe(hashEvent(read));
        expect(await find(store, input.eventId, 'officer-a/o-1')).toEqual(read);
        expect(await collect(store.readAll())).toEqual([read]);
      });

      it('normalises data as JSON (undefined members dropped, Dates as ISO strings) and hashes what it stores', async () => {
        const store = await fresh();
        const input = newEvent({ data: { keep: 1, drop: undefined, when: new Date('2026-01-02T03:04:05.678Z') } });
        const { events: [appended] } = await store.appendToStream('s', [input], { expectedRevision: 'any' });
        const [read] = await store.readStream('s');
        expect(read.data).toStrictEqual({ keep: 1, when: '2026-01-02T03:04:05.678Z' });
        expect(appended.data).toStrictEqual(read.data);
        expect(hashEvent(read)).toBe(read.hash);
      });

      it('refuses data that is not JSON', async () => {
        const store = await fresh();
        await expect(store.appendToStream('s', [newEvent({ data: undefined })], { expectedRevision: 'any' })).rejects.toThrow(TypeError);
        await expect(store.appendToStream('s', [newEvent({ data: { big: BigInt(1) } })], { expectedRevision: 'any' })).rejects.toThrow(TypeError);
        expect(await store.listStreams('')).toEqual([]);
      });

      it('numbers revisions 0..n-1 and chains each event to the previous one', async () => {
        const store = await fresh();
        await store.appendToStream('s', events(3), { expectedRevision: 'no_stream' });
        const second = await store.appendToStream('s', events(4), { expectedRevision: 2 });
        expect(second.nextExpectedRevision).toBe(6);
        expect(second.events.map((e) => e.revision)).toEqual([3, 4, 5, 6]);
        const read = await store.readStream('s');
        expect(read.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5, 6]);
        expect(read[0].prevHash).toBe(GENESIS_HASH);
        for (let i = 1; i < read.length; i++) expect(read[i].prevHash).toBe(read[i - 1].hash);
        expect(revisionOf(read)).toBe(6);
        expect((await store.readStream('s', { fromRevision: 5 })).map((e) => e.revision)).toEqual([5, 6]);
        expect(await store.readStream('s', { fromRevision: 7 })).toEqual([]);
        expect(await store.readStream('missing')).toEqual([]);
      });

      it('returns copies: changing a returned event does not change the store', async () => {
        const store = await fresh();
        const input = newEvent({ data: { list: [1, 2] } });
        const result = await store.appendToStream('s', [input], { expectedRevision: 'any' });
        (input.data as { list: number[] }).list.push(3);
        (result.events[0].data as { list: number[] }).list.push(4);
        const [read] = await store.readStream('s');
        (read.data as { list: number[] }).list.push(5);
        read.type = 'Changed';
        expect((await store.readStream('s'))[0]).toMatchObject({ type: 'TestHappened', data: { list: [1, 2] } });
        expect((await find(store, input.eventId, 's'))!.data).toEqual({ list: [1, 2] });
        expect((await collect(store.readAll()))[0].data).toEqual({ list: [1, 2] });
        expect(await verifyStore(store)).toEqual({ ok: true, eventsChecked: 1 });
      });

      it('readEvent finds an event by id in any stream, undefined for an unknown id', async () => {
        const store = await fresh();
        const [a, b] = [newEvent(), newEvent()];
        await store.appendToStream('one', [newEvent(), a], { expectedRevision: 'no_stream' });
        await store.appendToStream('two', [b], { expectedRevision: 'no_stream' });
        const [pa, pb] = densePositions ? [2, 3] : [expect.any(Number), expect.any(Number)];
        expect(await find(store, a.eventId, 'one')).toMatchObject({ eventId: a.eventId, stream: 'one', revision: 1, position: pa });
        expect(await find(store, b.eventId, 'two')).toMatchObject({ eventId: b.eventId, stream: 'two', revision: 0, position: pb });
        expect(await find(store, randomUUID(), 'one')).toBeUndefined();
        if (!eventIdIndex) {
          // Without an index by event id, readEvent looks in the hinted stream only, and nowhere without a hint.
          expect(await store.readEvent(a.eventId, { stream: 'two' })).toBeUndefined();
          expect(await store.readEvent(a.eventId)).toBeUndefined();
        }
      });

      it('an empty append checks the revision and writes nothing', async () => {
        const store = await fresh();
        expect(await store.appendToStream('s', [], { expectedRevision: 'no_stream' })).toEqual({ nextExpectedRevision: -1, events: [] });
        expect(await store.listStreams('')).toEqual([]);
        await store.appendToStream('s', events(2), { expectedRevision: -1 });
        expect(await store.appendToStream('s', [], { expectedRevision: 1 })).toEqual({ nextExpectedRevision: 1, events: [] });
        await expect(store.appendToStream('s', [], { expectedRevision: 0 })).rejects.toThrow(WrongExpectedRevisionError);
      });
    });

    describe('expected revision', () => {
      it("'no_stream' on an existing stream is refused and writes nothing", async () => {
        const store = await fresh();
        await store.appendToStream('s', events(2), { expectedRevision: 'no_stream' });
        const before = await snapshot(store);
        const err = await store.appendToStream('s', events(1), { expectedRevision: 'no_stream' }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(WrongExpectedRevisionError);
        expect(err).toMatchObject({ stream: 's', expected: 'no_stream', actual: 1 });
        expect(await snapshot(store)).toEqual(before);
      });

      it('a numeric revision that does not match is refused and writes nothing', async () => {
        const store = await fresh();
        await store.appendToStream('s', events(3), { expectedRevision: 'no_stream' });
        const before = await snapshot(store);
        for (const expected of [0, 1, 3, 10]) {
          const err = await store.appendToStream('s', events(2), { expectedRevision: expected }).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(WrongExpectedRevisionError);
          expect(err).toMatchObject({ stream: 's', expected, actual: 2 });
        }
        const missing = await store.appendToStream('other', events(1), { expectedRevision: 0 }).catch((e: unknown) => e);
        expect(missing).toMatchObject({ name: 'WrongExpectedRevisionError', stream: 'other', actual: 'no_stream' });
        expect(await snapshot(store)).toEqual(before);
      });

      it("'any' appends to a new or an existing stream", async () => {
        const store = await fresh();
        expect((await store.appendToStream('s', events(2), { expectedRevision: 'any' })).nextExpectedRevision).toBe(1);
        expect((await store.appendToStream('s', events(1), { expectedRevision: 'any' })).nextExpectedRevision).toBe(2);
        expect((await store.readStream('s')).map((e) => e.revision)).toEqual([0, 1, 2]);
      });

      it('rejects an expected revision that is not a revision', async () => {
        const store = await fresh();
        for (const bad of [-2, 1.5, Number.NaN, '0', null, undefined]) {
          await expect(store.appendToStream('s', events(1), { expectedRevision: bad as never })).rejects.toThrow(TypeError);
        }
        expect(await store.listStreams('')).toEqual([]);
      });

      it(`of 10 appends ${together} with the same expected revision exactly one succeeds`, async () => {
        const store = await fresh();
        await store.appendToStream('s', events(1), { expectedRevision: 'no_stream' });
        const attempts = Array.from({ length: 10 }, () => events(3));
        const outcomes = await Promise.allSettled(attempts.map((batch) => store.appendToStream('s', batch, { expectedRevision: 0 })));
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(9);
        for (const o of lost) expect(o.reason).toBeInstanceOf(WrongExpectedRevisionError);
        const winner = attempts[outcomes.findIndex((o) => o.status === 'fulfilled')];
        const read = await store.readStream('s');
        expect(read.map((e) => e.revision)).toEqual([0, 1, 2, 3]);
        expect(read.slice(1).map((e) => e.eventId)).toEqual(winner.map((e) => e.eventId));
        expect(await verifyStore(store)).toMatchObject({ ok: true, eventsChecked: 4 });
      });

      it(`of 10 'no_stream' appends ${together} to a new stream exactly one succeeds`, async () => {
        const store = await fresh();
        const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => store.appendToStream('new', events(2), { expectedRevision: 'no_stream' })));
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        expect((await store.readStream('new')).map((e) => e.revision)).toEqual([0, 1]);
      });
    });

    describe('duplicate eventIds', () => {
      it('an eventId already stored (in any stream) is refused and nothing is written', async () => {
        const store = await fresh();
        const first = newEvent();
        await store.appendToStream('a', [first], { expectedRevision: 'no_stream' });
        const before = await snapshot(store);
        // Without an index by event id only the target stream is checked (EventStoreDB).
        for (const [stream, expectedRevision] of eventIdIndex ? ([['a', 0], ['b', 'no_stream']] as const) : ([['a', 0]] as const)) {
          const err = await store.appendToStream(stream, [newEvent({ eventId: first.eventId })], { expectedRevision }).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(DuplicateEventIdError);
          expect(err).toMatchObject({ eventId: first.eventId });
        }
        expect(await snapshot(store)).toEqual(before);
      });

      it('a duplicate inside one append is refused and nothing is written', async () => {
        const store = await fresh();
        const dup = newEvent();
        const err = await store.appendToStream('a', [dup, newEvent(), { ...newEvent(), eventId: dup.eventId }], { expectedRevision: 'any' }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DuplicateEventIdError);
        expect(await snapshot(store)).toEqual({ all: [], heads: [] });
      });

      it('an append that fails on its 3rd of 5 events writes none of them', async () => {
        const store = await fresh();
        const existing = newEvent();
        await store.appendToStream('a', [existing, newEvent()], { expectedRevision: 'no_stream' });
        const before = await snapshot(store);
        const batch = events(5);
        batch[2] = newEvent({ eventId: existing.eventId });
        await expect(store.appendToStream('a', batch, { expectedRevision: 1 })).rejects.toThrow(DuplicateEventIdError);
        if (eventIdIndex) await expect(store.appendToStream('b', batch, { expectedRevision: 'no_stream' })).rejects.toThrow(DuplicateEventIdError);
        expect(await snapshot(store)).toEqual(before);
        for (const e of [batch[0], batch[1], batch[3], batch[4]]) expect(await find(store, e.eventId, 'a')).toBeUndefined();
        // The same events, without the duplicate, can then be appended.
        batch.splice(2, 1);
        const ok = await store.appendToStream('a', batch, { expectedRevision: 1 });
        expect(ok.events.map((e) => e.revision)).toEqual([2, 3, 4, 5]);
        expect(await verifyStore(store)).toMatchObject({ ok: true });
      });

      it('a retried append (same eventIds) is refused as a duplicate, the basis of idempotent retries', async () => {
        const store = await fresh();
        const batch = events(2);
        await store.appendToStream('a', batch, { expectedRevision: 'any' });
        await expect(store.appendToStream('a', batch, { expectedRevision: 'any' })).rejects.toThrow(DuplicateEventIdError);
        expect(await store.readStream('a')).toHaveLength(2);
      });
    });

    describe('readAll', () => {
      it('returns every stream in append order with strictly increasing positions, fromPosition exclusive, in small batches', async () => {
        const store = await fresh();
        const appended: RecordedEvent[] = [];
        for (let i = 0; i < 100; i++) {
          const stream = `s-${i % 3}`;
          const { events: rec } = await store.appendToStream(stream, [newEvent()], { expectedRevision: 'any' });
          appended.push(...rec);
        }
        const all = await collect(store.readAll({ batchSize: 7 }));
        expect(all).toHaveLength(100);
        expect(all.map((e) => e.eventId)).toEqual(appended.map((e) => e.eventId));
        expect(all).toEqual(appended);
        for (let i = 1; i < all.length; i++) expect(all[i].position).toBeGreaterThan(all[i - 1].position);
        if (densePositions) expect(all[0].position).toBe(1);
        expect(await collect(store.readAll())).toEqual(all);
        expect(await collect(store.readAll({ batchSize: 1 }))).toEqual(all);
        expect(await collect(store.readAll({ batchSize: 1000 }))).toEqual(all);

        const from = all[41].position;
        const rest = await collect(store.readAll({ fromPosition: from, batchSize: 7 }));
        expect(rest).toEqual(all.slice(42));
        expect(await collect(store.readAll({ fromPosition: all[99].position }))).toEqual([]);
        expect(await collect(store.readAll({ fromPosition: 0 }))).toEqual(all);
      });

      it('positions of one append are consecutive and keep the events in order', async () => {
        const store = await fresh();
        const { events: earlier } = await store.appendToStream('a', events(2), { expectedRevision: 'any' });
        const { events: rec } = await store.appendToStream('b', events(5), { expectedRevision: 'any' });
        if (densePositions) expect(rec.map((e) => e.position)).toEqual([3, 4, 5, 6, 7]);
        else expectIncreasing([...earlier, ...rec].map((e) => e.position));
      });

      it('is empty for an empty store and rejects bad options', async () => {
        const store = await fresh();
        expect(await collect(store.readAll())).toEqual([]);
        await expect(collect(store.readAll({ batchSize: 0 }))).rejects.toThrow(TypeError);
        await expect(collect(store.readAll({ fromPosition: -1 }))).rejects.toThrow(TypeError);
      });

      it('lets the consumer append while iterating (no cursor held open across awaits)', async () => {
        const store = await fresh();
        await store.appendToStream('a', events(10), { expectedRevision: 'no_stream' });
        const seen: RecordedEvent[] = [];
        for await (const e of store.readAll({ batchSize: 3 })) {
          seen.push(e);
          if (seen.length <= 2) await store.appendToStream('b', [newEvent()], { expectedRevision: 'any' });
        }
        expect(seen.length).toBeGreaterThanOrEqual(10);
        expect((await collect(store.readAll())).length).toBe(12);
      });
    });

    describe('recordedAt', () => {
      it('is ISO-8601 UTC with milliseconds and comes from the store clock', async () => {
        const store = await fresh({ now: () => new Date('2026-03-01T12:34:56.789Z') });
        const { events: rec } = await store.appendToStream('s', events(2), { expectedRevision: 'any' });
        expect(rec.map((e) => e.recordedAt)).toEqual(['2026-03-01T12:34:56.789Z', '2026-03-01T12:34:56.789Z']);
        const [read] = await store.readStream('s');
        expect(read.recordedAt).toMatch(ISO_UTC_MS);
      });

      it('with the system clock is close to now', async () => {
        const store = await fresh();
        const before = Date.now();
        const { events: [e] } = await store.appendToStream('s', [newEvent()], { expectedRevision: 'any' });
        expect(e.recordedAt).toMatch(ISO_UTC_MS);
        expect(Date.parse(e.recordedAt)).toBeGreaterThanOrEqual(before);
        expect(Date.parse(e.recordedAt)).toBeLessThanOrEqual(Date.now());
      });

      it('never decreases within a stream even when the clock goes backwards', async () => {
        let clock = new Date('2026-03-01T10:00:00.500Z');
        const store = await fresh({ now: () => clock });
        await store.appendToStream('s', events(1), { expectedRevision: 'any' });
        clock = new Date('2026-03-01T09:00:00.000Z'); // an hour back
        const { events: [back] } = await store.appendToStream('s', events(1), { expectedRevision: 'any' });
        expect(back.recordedAt).toBe('2026-03-01T10:00:00.500Z');
        // Another stream has its own floor: it gets the (earlier) clock time.
        const { events: [other] } = await store.appendToStream('t', events(1), { expectedRevision: 'any' });
        expect(other.recordedAt).toBe('2026-03-01T09:00:00.000Z');
        clock = new Date('2026-03-01T11:00:00.001Z');
        const { events: [ahead] } = await store.appendToStream('s', events(1), { expectedRevision: 'any' });
        expect(ahead.recordedAt).toBe('2026-03-01T11:00:00.001Z');
        const times = (await store.readStream('s')).map((e) => e.recordedAt);
        expect(times).toEqual([...times].sort());
        expect(await verifyStore(store)).toMatchObject({ ok: true });
      });
    });

    describe('integrity', () => {
      it('the hash chains verify with ChainVerifier over readAll and the stream heads', async () => {
        const store = await fresh();
        for (let i = 0; i < 30; i++) await store.appendToStream(`s-${i % 4}`, events(1 + (i % 3)), { expectedRevision: 'any' });
        const report = await verifyStore(store);
        expect(report).toEqual({ ok: true, eventsChecked: (await collect(store.readAll())).length });
        const heads = await store.listStreams('');
        for (const head of heads) {
          const stream = await store.readStream(head.stream);
          const last = stream[stream.length - 1];
          expect(head).toEqual({ stream: head.stream, revision: last.revision, hash: last.hash, lastRecordedAt: last.recordedAt });
        }
      });

      it('a verifier that misses a stream head reports it', async () => {
        const store = await fresh();
        await store.appendToStream('s', events(3), { expectedRevision: 'any' });
        const verifier = new ChainVerifier();
        for (const e of (await store.readStream('s')).slice(0, 2)) verifier.add(e);
        verifier.checkHeads(await store.listStreams(''));
        expect(verifier.report()).toMatchObject({ ok: false, firstBroken: { stream: 's', revision: 2 } });
      });
    });

    describe('listStreams', () => {
      it('lists the heads whose name starts with the prefix, sorted by name', async () => {
        const store = await fresh();
        const names = ['officer-a/z', 'officer-ab/x', 'officer-a/b', 'agency-a', 'officer-a/a_1', 'officer-a%/q', 'officer-b/a', 'officer-a/'];
        for (const s of names) await store.appendToStream(s, events(2), { expectedRevision: 'no_stream' });
        const list = await store.listStreams('officer-a/');
        expect(list.map((h) => h.stream)).toEqual(['officer-a/', 'officer-a/a_1', 'officer-a/b', 'officer-a/z']);
        expect(list[0]).toEqual({ stream: 'officer-a/', revision: 1, hash: expect.stringMatching(/^[0-9a-f]{64}$/), lastRecordedAt: expect.stringMatching(ISO_UTC_MS) });
        expect((await store.listStreams('')).map((h) => h.stream)).toEqual([...names].sort());
        expect((await store.listStreams('officer-a')).map((h) => h.stream)).toEqual(['officer-a%/q', 'officer-a/', 'officer-a/a_1', 'officer-a/b', 'officer-a/z', 'officer-ab/x']);
        // LIKE wildcards in a prefix are literal.
        expect((await store.listStreams('officer-a%')).map((h) => h.stream)).toEqual(['officer-a%/q']);
        expect((await store.listStreams('officer-a/a_')).map((h) => h.stream)).toEqual(['officer-a/a_1']);
        expect((await store.listStreams('officer-a/a%'))).toEqual([]);
        expect(await store.listStreams('nothing')).toEqual([]);
        expect((await store.listStreams('agency-a')).map((h) => h.stream)).toEqual(['agency-a']);
      });

      it('handles prefixes that end in the highest characters', async () => {
        const store = await fresh();
        const names = ['x\uffff', 'x\uffffa', 'x\u{10ffff}', 'x\u{10ffff}b', 'y', 'x~', 'x\u007f'];
        for (const s of names) await store.appendToStream(s, events(1), { expectedRevision: 'no_stream' });
        expect((await store.listStreams('x\uffff')).map((h) => h.stream)).toEqual(['x\uffff', 'x\uffffa']);
        expect((await store.listStreams('x\u{10ffff}')).map((h) => h.stream)).toEqual(['x\u{10ffff}', 'x\u{10ffff}b']);
        expect((await store.listStreams('x~')).map((h) => h.stream)).toEqual(['x~']);
        expect((await store.listStreams('x'))).toHaveLength(6);
      });
    });

    describe('appendMany', () => {
      it('appends to many streams in one go and returns one result per request', async () => {
        const store = await fresh();
        await store.appendToStream('b', events(2), { expectedRevision: 'no_stream' });
        const results = await store.appendMany([
          { stream: 'a', events: events(3), expectedRevision: 'no_stream' },
          { stream: 'b', events: events(1), expectedRevision: 1 },
          { stream: 'c', events: events(2), expectedRevision: 'any' },
        ]);
        expect(results.map((r) => r.nextExpectedRevision)).toEqual([2, 2, 1]);
        expect(results.map((r) => r.events.map((e) => e.stream))).toEqual([['a', 'a', 'a'], ['b'], ['c', 'c']]);
        if (densePositions) expect(results.flatMap((r) => r.events.map((e) => e.position))).toEqual([3, 4, 5, 6, 7, 8]);
        else expectIncreasing(results.flatMap((r) => r.events.map((e) => e.position)));
        expect((await store.listStreams('')).map((h) => [h.stream, h.revision])).toEqual([['a', 2], ['b', 2], ['c', 1]]);
        expect(await verifyStore(store)).toEqual({ ok: true, eventsChecked: 8 });
        expect(await store.appendMany([])).toEqual([]);
      });

      it('applies requests for the same stream in order', async () => {
        const store = await fresh();
        const results = await store.appendMany([
          { stream: 'a', events: events(2), expectedRevision: 'no_stream' },
          { stream: 'a', events: events(1), expectedRevision: 1 },
        ]);
        expect(results.map((r) => r.nextExpectedRevision)).toEqual([1, 2]);
        expect(await verifyStore(store)).toMatchObject({ ok: true, eventsChecked: 3 });
        await expect(store.appendMany([
          { stream: 'b', events: events(1), expectedRevision: 'no_stream' },
          { stream: 'b', events: events(1), expectedRevision: 'no_stream' },
        ])).rejects.toThrow(WrongExpectedRevisionError);
        expect(await store.readStream('b')).toEqual([]);
      });

      it('is all or nothing across streams: a wrong revision in the last request writes nothing', async () => {
        const store = await fresh();
        await store.appendToStream('c', events(1), { expectedRevision: 'no_stream' });
        const before = await snapshot(store);
        const batch = [
          { stream: 'a', events: events(3), expectedRevision: 'no_stream' as const },
          { stream: 'b', events: events(2), expectedRevision: 'any' as const },
          { stream: 'c', events: events(1), expectedRevision: 5 },
        ];
        await expect(store.appendMany(batch)).rejects.toThrow(WrongExpectedRevisionError);
        expect(await snapshot(store)).toEqual(before);
        for (const r of batch) for (const e of r.events) expect(await find(store, e.eventId, r.stream)).toBeUndefined();
      });

      it('is all or nothing across streams: a duplicate eventId (stored, or repeated across requests) writes nothing', async () => {
        const store = await fresh();
        const stored = newEvent();
        await store.appendToStream('z', [stored], { expectedRevision: 'no_stream' });
        const before = await snapshot(store);
        const repeated = newEvent();
        await expect(store.appendMany([
          { stream: 'a', events: [newEvent(), repeated], expectedRevision: 'no_stream' },
          { stream: 'b', events: [newEvent({ eventId: repeated.eventId })], expectedRevision: 'no_stream' },
        ])).rejects.toThrow(DuplicateEventIdError);
        // A stored eventId in another stream: only stores with an index by event id can see it.
        if (eventIdIndex) {
          await expect(store.appendMany([
            { stream: 'a', events: events(2), expectedRevision: 'no_stream' },
            { stream: 'b', events: [newEvent(), newEvent({ eventId: stored.eventId })], expectedRevision: 'no_stream' },
          ])).rejects.toThrow(DuplicateEventIdError);
        }
        expect(await snapshot(store)).toEqual(before);
      });
    });

    describe('capabilities', () => {
      it(
        atomicMultiStreamAppend
          ? 'atomicMultiStreamAppend: an appendMany whose second request loses a race writes nothing of the first'
          : 'atomicMultiStreamAppend is false: an appendMany whose second request loses a race may leave the first written, and its error says so',
        async () => {
          const store = await fresh();
          expect(store.capabilities).toEqual({ atomicMultiStreamAppend, filesInTransaction: storesFiles && filesInTransaction });
          await store.appendToStream('b', events(1), { expectedRevision: 'no_stream' });
          let lost = 0;
          for (let i = 0; i < 10; i++) {
            const expected = revisionOf(await store.readStream('b'));
            const first = events(2);
            // A rival takes 'b' at the revision the batch's second request expects.
            const [rival, batch] = await Promise.allSettled([
              store.appendToStream('b', events(1), { expectedRevision: expected }),
              store.appendMany([
                { stream: `a-${i}`, events: first, expectedRevision: 'no_stream' },
                { stream: 'b', events: events(1), expectedRevision: expected },
              ]),
            ]);
            expect([rival, batch].filter((o) => o.status === 'fulfilled')).toHaveLength(1);
            if (batch.status === 'fulfilled') continue;
            lost++;
            expect(batch.reason).toBeInstanceOf(WrongExpectedRevisionError);
            const written = await store.readStream(`a-${i}`);
            if (atomicMultiStreamAppend || written.length === 0) {
              expect(written).toEqual([]);
              expect(batch.reason).not.toHaveProperty('committedRequests');
            } else {
              expect(written.map((e) => e.eventId)).toEqual(first.map((e) => e.eventId));
              expect(batch.reason).toMatchObject({ committedRequests: 1, writtenRequests: [0], message: expect.stringMatching(/not atomic/) });
            }
          }
          expect(lost).toBeGreaterThan(0);
          expect(await verifyStore(store)).toMatchObject({ ok: true });
        },
      );
    });

    (storesFiles ? describe : describe.skip)('files', () => {
      const file = (text: string) => {
        const bytes = Buffer.from(text);
        return { sha256: createHash('sha256').update(bytes).digest('hex'), bytes };
      };

      it('stores the files of an append under their SHA-256, and reads them back byte for byte', async () => {
        const store = await fresh();
        const a = file('%PDF-1.7 certificate A');
        const b = file('%PDF-1.7 certificate B');
        await store.appendToStream('officer-a/f-1', events(1), { expectedRevision: 'no_stream', files: [a] });
        await store.appendMany([{ stream: 'officer-a/f-2', events: events(1), expectedRevision: 'no_stream', files: [b, a] }]);
        expect(await store.readFile(a.sha256)).toEqual(a.bytes);
        expect(await store.readFile(b.sha256)).toEqual(b.bytes);
        expect(await store.readFile('0'.repeat(64))).toBeUndefined();
        const listed: { sha256: string; bytes: Buffer }[] = [];
        for await (const f of store.listFiles()) listed.push(f);
        expect(listed.map((f) => f.sha256)).toEqual([a.sha256, b.sha256].sort());
      });

      it('refuses a file whose bytes do not have its SHA-256, and appends nothing', async () => {
        const store = await fresh();
        const before = await snapshot(store);
        const wrong = { sha256: file('one').sha256, bytes: Buffer.from('another') };
        await expect(store.appendToStream('officer-a/f-3', events(1), { expectedRevision: 'no_stream', files: [wrong] })).rejects.toThrow(/SHA-256/);
        expect(await snapshot(store)).toEqual(before);
        expect(await store.readFile(wrong.sha256)).toBeUndefined();
      });

      (filesInTransaction ? it : it.skip)('keeps no file of a refused append (the file and the events commit together)', async () => {
        const store = await fresh();
        await store.appendToStream('officer-a/f-4', events(1), { expectedRevision: 'no_stream' });
        const c = file('%PDF-1.7 certificate C');
        await expect(store.appendToStream('officer-a/f-4', events(1), { expectedRevision: 'no_stream', files: [c] })).rejects.toThrow(WrongExpectedRevisionError);
        expect(await store.readFile(c.sha256)).toBeUndefined();
      });
    });

    describe('volume', () => {
      it(`reads a large stream (${largeStreamSize} events) back completely`, async () => {
        const store = await fresh();
        const chunk = 1000;
        for (let i = 0; i < largeStreamSize; i += chunk) {
          await store.appendToStream('big', events(Math.min(chunk, largeStreamSize - i)), { expectedRevision: i === 0 ? 'no_stream' : i - 1 });
        }
        await store.appendToStream('small', events(3), { expectedRevision: 'no_stream' });
        const stream = await store.readStream('big');
        expect(stream).toHaveLength(largeStreamSize);
        expect(stream.every((e, i) => e.revision === i)).toBe(true);
        let count = 0;
        let lastPosition = 0;
        for await (const e of store.readAll({ batchSize: 500 })) {
          expect(e.position).toBeGreaterThan(lastPosition);
          lastPosition = e.position;
          if (e.stream === 'big') expect(e.revision).toBe(count++);
        }
        expect(count).toBe(largeStreamSize);
        expect(await verifyStore(store)).toEqual({ ok: true, eventsChecked: largeStreamSize + 3 });
      });
    });

    describe('close', () => {
      it('refuses to work after close, and close twice is harmless', async () => {
        const store = await open();
        await store.appendToStream('s', events(1), { expectedRevision: 'any' });
        await store.close();
        await store.close();
        await expect(store.appendToStream('s', events(1), { expectedRevision: 'any' })).rejects.toThrow();
        await expect(store.readStream('s')).rejects.toThrow();
      });
    });
  });
}
