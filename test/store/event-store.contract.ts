/**
 * The event store contract (docs/decisions.md W16): one suite, run against every adapter by its own
 * spec file. `open` must give a fresh, empty store each call; the suite closes what it opens.
 * Appending and reading one stream is here; what concerns the store as a whole (integrity, the
 * stream list, batches, capabilities, volume, close) is event-store.contract-store.ts.
 */
import { randomUUID } from 'node:crypto';
import type { RecordedEvent } from '../../events/envelope';
import { GENESIS_HASH, hashEvent } from '../../events/integrity';
import {
  DuplicateEventIdError,
  revisionOf,
  WrongExpectedRevisionError,
} from '../../src/store/event-store.port';
import type { EventStore, LogPage } from '../../src/store/event-store.port';
import { collect, type ContractOptions, events, ISO_UTC_MS, newEvent, type OpenStore, type OpenStoreOptions, snapshot, verifyStore } from './event-store.contract-support';
import { describeWholeStoreContract } from './event-store.contract-store';

export * from './event-store.contract-support';

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

      it('readLogPages (where the adapter has it): the rows and order of readAll, each page also as its stored values; the rows up to decodeAfter as stored only', async () => {
        const store = await fresh();
        if (!store.readLogPages) return; // memory and EventStoreDB: every verification reads the log as events
        const pagesOf = async (pages: AsyncIterable<LogPage>): Promise<LogPage[]> => {
          const out: LogPage[] = [];
          for await (const page of pages) out.push(page);
          return out;
        };
        const bytes = (pages: LogPage[]) => Buffer.concat(pages.map((p) => Buffer.from(p.encoded)));
        for (let i = 0; i < 20; i++) await store.appendToStream(`s-${i % 3}`, [newEvent()], { expectedRevision: 'any' });
        const all = await collect(store.readAll());
        const pages = await pagesOf(store.readLogPages({ batchSize: 7 }));
        expect(pages.map((p) => p.count)).toEqual([7, 7, 6]);
        expect(pages.map((p) => p.lastPosition)).toEqual([all[6].position, all[13].position, all[19].position]);
        expect(pages.flatMap((p) => p.events!)).toEqual(all);
        // The same rows give the same bytes however they are paged, and whether decoded or not.
        expect(bytes(await pagesOf(store.readLogPages()))).toEqual(bytes(pages));
        const through = all[9].position;
        const partly = await pagesOf(store.readLogPages({ decodeAfter: through, batchSize: 4 }));
        expect(partly.map((p) => [p.count, p.events === undefined])).toEqual([[4, true], [4, true], [2, true], [4, false], [4, false], [2, false]]);
        expect(partly.flatMap((p) => p.events ?? [])).toEqual(all.slice(10));
        expect(bytes(partly)).toEqual(bytes(pages));
        // Rows differ, bytes differ: one more event changes the bytes of the first ten rows' pages not at all, and the whole.
        await store.appendToStream('s-0', [newEvent()], { expectedRevision: 'any' });
        expect(bytes(await pagesOf(store.readLogPages({ decodeAfter: through })))).not.toEqual(bytes(pages));
        expect(bytes((await pagesOf(store.readLogPages({ decodeAfter: through }))).filter((p) => !p.events))).toEqual(bytes(partly.filter((p) => !p.events)));
        expect((await pagesOf(store.readLogPages({ fromPosition: through }))).flatMap((p) => p.events!)).toEqual([...all.slice(10), ...(await collect(store.readAll({ fromPosition: all[19].position })))]);
        await expect(pagesOf(store.readLogPages({ batchSize: 0 }))).rejects.toThrow(TypeError);
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

    describeWholeStoreContract({
      open,
      fresh,
      find,
      expectIncreasing,
      together,
      largeStreamSize,
      densePositions,
      eventIdIndex,
      atomicMultiStreamAppend,
      filesInTransaction,
      storesFiles,
    });
  });
}