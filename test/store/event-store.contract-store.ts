/**
 * The event store contract, continued (test/store/event-store.contract.ts runs it inside its own
 * describe block): what concerns the store as a whole. Integrity over readAll and the heads, the
 * stream list, appendMany, the declared capabilities, volume, close.
 */
import { createHash } from 'node:crypto';
import { ChainVerifier } from '../../events/integrity';
import {
  DuplicateEventIdError,
  revisionOf,
  WrongExpectedRevisionError,
} from '../../src/store/event-store.port';
import { collect, type ContractContext, events, ISO_UTC_MS, newEvent, snapshot, verifyStore } from './event-store.contract-support';

export function describeWholeStoreContract(ctx: ContractContext): void {
  const { open, fresh, find, expectIncreasing, together, largeStreamSize, densePositions, eventIdIndex, atomicMultiStreamAppend, filesInTransaction, storesFiles } = ctx;
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
}
