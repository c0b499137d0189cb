import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DuplicateEventIdError, EventStore, WrongExpectedRevisionError } from '../../src/store/event-store.port';
import { SQLITE_SCHEMA_VERSION, SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store';
import { migrate } from '../../src/store/sqlite/sqlite-schema';
import { collect, describeEventStoreContract, events, newEvent, verifyStore } from './event-store.contract';

const tempDirs: string[] = [];
function tempFile(name = 'events.db'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sro-sqlite-'));
  tempDirs.push(dir);
  return path.join(dir, name);
}
afterAll(() => {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describeEventStoreContract('sqlite', async (options) => SqliteEventStore.open(tempFile(), options), { serialAppends: true });
// The same contract with the id index merged after every other event: the tail, the merge and the
// merged index all take part in every duplicate check of the suite.
describeEventStoreContract('sqlite, event ids merged every 2 events', async (options) => SqliteEventStore.open(tempFile(), { ...options, eventIdMergeAt: 2 }), {
  serialAppends: true,
});

describe('SqliteEventStore', () => {
  const opened: EventStore[] = [];
  const open = (file: string, options?: Parameters<typeof SqliteEventStore.open>[1]) => {
    const store = SqliteEventStore.open(file, options);
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  describe('file and settings', () => {
    it('creates the parent directory and the file when missing', async () => {
      const file = path.join(path.dirname(tempFile()), 'nested', 'deeper', 'sro.db');
      const store = open(file);
      await store.appendToStream('s', events(1), { expectedRevision: 'no_stream' });
      expect(fs.existsSync(file)).toBe(true);
    });

    it('runs in WAL mode with synchronous=FULL, a busy timeout and foreign keys on', () => {
      const file = tempFile();
      const store = open(file);
      expect(store.settings()).toEqual({
        file,
        journalMode: 'wal',
        synchronous: 'FULL',
        busyTimeoutMs: 5000,
        foreignKeys: true,
        schemaVersion: SQLITE_SCHEMA_VERSION,
      });
      const raw = new Database(file, { readonly: true });
      try {
        expect(raw.pragma('journal_mode', { simple: true })).toBe('wal'); // persisted in the file
        expect(raw.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
      } finally {
        raw.close();
      }
    });

    it('migrations are idempotent, and a newer schema version is refused', async () => {
      const file = tempFile();
      const first = open(file);
      await first.appendToStream('s', events(2), { expectedRevision: 'no_stream' });
      const second = open(file); // the schema exists: nothing to migrate, nothing lost
      expect(second.settings().schemaVersion).toBe(SQLITE_SCHEMA_VERSION);
      expect(await second.readStream('s')).toHaveLength(2);
      await first.close();
      await second.close();

      const raw = new Database(file);
      raw.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
      raw.close();
      expect(() => SqliteEventStore.open(file)).toThrow(/newer than this program/);
    });
  });

  describe('durability and connections', () => {
    it('keeps everything across close and reopen', async () => {
      const file = tempFile();
      const store = open(file);
      await store.appendToStream('officer-a/1', events(3), { expectedRevision: 'no_stream' });
      await store.appendMany([
        { stream: 'officer-a/2', events: events(2), expectedRevision: 'no_stream' },
        { stream: 'agency-a', events: events(1), expectedRevision: 'no_stream' },
      ]);
      const before = { all: await collect(store.readAll()), heads: await store.listStreams('') };
      await store.close();

      const reopened = open(file);
      expect({ all: await collect(reopened.readAll()), heads: await reopened.listStreams('') }).toEqual(before);
      const next = await reopened.appendToStream('officer-a/1', events(1), { expectedRevision: 2 });
      expect(next.events[0]).toMatchObject({ revision: 3, position: 7, prevHash: before.all[2].hash });
      expect(await verifyStore(reopened)).toEqual({ ok: true, eventsChecked: 7 });
    });

    it('two connections to one file: of appends with the same expected revision exactly one wins', async () => {
      const file = tempFile();
      const a = open(file);
      const b = open(file);
      await a.appendToStream('s', events(1), { expectedRevision: 'no_stream' });
      const outcomes = await Promise.allSettled([
        a.appendToStream('s', events(2), { expectedRevision: 0 }),
        b.appendToStream('s', events(2), { expectedRevision: 0 }),
        b.appendToStream('s', events(2), { expectedRevision: 0 }),
        a.appendToStream('s', events(2), { expectedRevision: 0 }),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(WrongExpectedRevisionError);
      // Each connection sees the other's commit.
      expect((await a.readStream('s')).map((e) => e.revision)).toEqual([0, 1, 2]);
      expect(await b.readStream('s')).toEqual(await a.readStream('s'));
      expect(await verifyStore(b)).toMatchObject({ ok: true, eventsChecked: 3 });
    });

    it('a connection whose head is stale is refused by the other connection’s commit', async () => {
      const file = tempFile();
      const a = open(file);
      const b = open(file);
      await a.appendToStream('s', events(1), { expectedRevision: 'no_stream' });
      const seenByB = (await b.readStream('s')).length - 1;
      await a.appendToStream('s', events(1), { expectedRevision: 0 });
      await expect(b.appendToStream('s', events(1), { expectedRevision: seenByB })).rejects.toMatchObject({
        name: 'WrongExpectedRevisionError',
        actual: 1,
      });
    });

    // Processes racing on one file (a certain collision, one winner per revision): multi-process-race.integration.spec.ts.
  });

  describe('the index of event ids (merged in batches)', () => {
    const count = (file: string, sql: string) => {
      const raw = new Database(file, { readonly: true });
      try {
        return raw.prepare(sql).pluck().get() as number;
      } finally {
        raw.close();
      }
    };

    it('merges its tail into event_ids once it reaches eventIdMergeAt, and finds every id either side', async () => {
      const file = tempFile();
      const store = open(file, { eventIdMergeAt: 5 });
      const first = events(3);
      await store.appendToStream('a', first, { expectedRevision: 'no_stream' });
      expect(count(file, 'SELECT count(*) FROM event_ids')).toBe(0); // still the tail
      const second = events(3);
      await store.appendToStream('b', second, { expectedRevision: 'no_stream' });
      expect(count(file, 'SELECT count(*) FROM event_ids')).toBe(6); // merged, this append's own ids too
      expect(count(file, 'SELECT through FROM event_ids_merged')).toBe(6);
      const third = events(1);
      await store.appendToStream('a', third, { expectedRevision: 2 });
      for (const e of [...first, ...second, ...third]) {
        expect((await store.readEvent(e.eventId))?.eventId).toBe(e.eventId);
        await expect(store.appendToStream('c', [{ ...newEvent(), eventId: e.eventId }], { expectedRevision: 'any' })).rejects.toThrow(DuplicateEventIdError);
      }
      expect(await store.listStreams('c')).toEqual([]);
      expect(await verifyStore(store)).toMatchObject({ ok: true, eventsChecked: 7 });
    });

    it('two connections: each sees the other’s ids, in the tail and after the other merged', async () => {
      const file = tempFile();
      const a = open(file, { eventIdMergeAt: 4 });
      const b = open(file, { eventIdMergeAt: 4 });
      const fromA = events(2);
      await a.appendToStream('a', fromA, { expectedRevision: 'no_stream' });
      await expect(b.appendToStream('b', [fromA[1]], { expectedRevision: 'no_stream' })).rejects.toThrow(DuplicateEventIdError);
      const fromB = events(1);
      await b.appendToStream('b', fromB, { expectedRevision: 'no_stream' }); // b's tail: 3 ids
      await expect(a.appendToStream('a', fromB, { expectedRevision: 1 })).rejects.toThrow(DuplicateEventIdError);
      const more = events(2);
      await a.appendToStream('a', more, { expectedRevision: 1 }); // a merges: b's view of `through` is stale
      expect(count(file, 'SELECT through FROM event_ids_merged')).toBe(5);
      for (const e of [...fromA, ...fromB, ...more]) {
        await expect(b.appendToStream('b', [e], { expectedRevision: 0 })).rejects.toThrow(DuplicateEventIdError);
        expect((await b.readEvent(e.eventId))?.eventId).toBe(e.eventId);
      }
      await b.appendToStream('b', events(1), { expectedRevision: 0 });
      expect(await verifyStore(a)).toMatchObject({ ok: true, eventsChecked: 6 });
    });

    it('a refused append leaves no id behind: its ids can be appended afterwards', async () => {
      const file = tempFile();
      const store = open(file, { eventIdMergeAt: 3 });
      await store.appendToStream('a', events(1), { expectedRevision: 'no_stream' });
      const batch = events(3); // would merge
      await expect(
        store.appendMany([
          { stream: 'b', events: batch, expectedRevision: 'no_stream' },
          { stream: 'a', events: events(1), expectedRevision: 5 },
        ]),
      ).rejects.toThrow(WrongExpectedRevisionError);
      expect(count(file, 'SELECT count(*) FROM event_ids')).toBe(0);
      await store.appendToStream('b', batch, { expectedRevision: 'no_stream' });
      expect(count(file, 'SELECT count(*) FROM event_ids')).toBe(4);
      expect(await verifyStore(store)).toMatchObject({ ok: true, eventsChecked: 4 });
    });

    it('a file of schema 3 (UNIQUE(event_id) on events) is migrated: events, positions, the AUTOINCREMENT mark and the ids kept', async () => {
      // The events as the earlier program stored them, copied into a file made by migrations 1–3.
      const source = tempFile();
      const store = open(source);
      const written = [...(await store.appendToStream('a', events(3), { expectedRevision: 'no_stream' })).events];
      written.push(...(await store.appendToStream('b', events(2), { expectedRevision: 'no_stream' })).events);
      await store.close();
      const file = tempFile('old.db');
      const old = new Database(file);
      old.pragma('journal_mode = WAL');
      migrate(old, 3);
      expect(old.pragma('user_version', { simple: true })).toBe(3);
      old.exec(`ATTACH '${source}' AS source;
        INSERT INTO streams SELECT * FROM source.streams;
        INSERT INTO events SELECT * FROM source.events;
        INSERT INTO ledger_tree SELECT * FROM source.ledger_tree;
        DETACH source;
        UPDATE sqlite_sequence SET seq = 9 WHERE name = 'events';`);
      expect(() => old.prepare('UPDATE events SET event_id = ? WHERE position = 2').run(written[0].eventId)).toThrow(/UNIQUE/);
      old.close();

      const migrated = open(file);
      expect(migrated.settings().schemaVersion).toBe(SQLITE_SCHEMA_VERSION);
      expect(await collect(migrated.readAll())).toEqual(written);
      expect(count(file, 'SELECT count(*) FROM event_ids')).toBe(5);
      for (const e of written) {
        expect(await migrated.readEvent(e.eventId)).toEqual(e);
        await expect(migrated.appendToStream('c', [{ ...newEvent(), eventId: e.eventId }], { expectedRevision: 'any' })).rejects.toThrow(DuplicateEventIdError);
      }
      const next = await migrated.appendToStream('a', events(1), { expectedRevision: 2 });
      expect(next.events[0].position).toBe(10); // after the high-water mark, not after the last row
      expect(await verifyStore(migrated)).toMatchObject({ ok: true, eventsChecked: 6 });
    });

    it('an id stored twice by an edit of the file stops the merge with a message that names it, and writes nothing', async () => {
      const file = tempFile();
      const store = open(file, { eventIdMergeAt: 4 });
      const one = (await store.appendToStream('a', events(2), { expectedRevision: 'no_stream' })).events;
      await store.close();
      const raw = new Database(file);
      raw.prepare('UPDATE events SET event_id = ? WHERE position = ?').run(one[0].eventId, one[1].position);
      raw.close();
      const reopened = open(file, { eventIdMergeAt: 4 });
      await expect(reopened.appendToStream('b', events(2), { expectedRevision: 'no_stream' })).rejects.toThrow(/stored twice.*edited outside the store/);
      expect(await reopened.listStreams('b')).toEqual([]);
      expect(await verifyStore(reopened)).toMatchObject({ ok: false });
    });
  });

  describe('tamper evidence (edits made behind the store’s back)', () => {
    it('a deleted row of event_ids_merged stops appends and id lookups with a message that says so, and writes nothing', async () => {
      const file = tempFile();
      const store = open(file);
      const [first] = (await store.appendToStream('a', events(1), { expectedRevision: 'no_stream' })).events;
      await store.close();
      expect(tamper(file, 'DELETE FROM event_ids_merged')).toBe(1);
      const reopened = open(file);
      await expect(reopened.appendToStream('b', events(1), { expectedRevision: 'no_stream' })).rejects.toThrow(/event_ids_merged row is missing.*edited outside the store/);
      await expect(reopened.readEvent(first.eventId)).rejects.toThrow(/event_ids_merged row is missing/);
      expect(await reopened.listStreams('b')).toEqual([]);
    });

    /** Three interleaved streams of 5 events each; returns the file and the events by stream. */
    async function seed() {
      const file = tempFile();
      const store = SqliteEventStore.open(file);
      for (let i = 0; i < 5; i++) {
        for (const stream of ['agency-a', 'officer-a/1', 'officer-a/2']) {
          await store.appendToStream(stream, [newEvent({ data: { stream, i } })], { expectedRevision: i === 0 ? 'no_stream' : i - 1 });
        }
      }
      const byStream = {
        agency: await store.readStream('agency-a'),
        one: await store.readStream('officer-a/1'),
        two: await store.readStream('officer-a/2'),
      };
      expect(await verifyStore(store)).toEqual({ ok: true, eventsChecked: 15 });
      await store.close();
      return { file, ...byStream };
    }

    function tamper(file: string, sql: string, ...params: unknown[]): number {
      const raw = new Database(file);
      try {
        raw.pragma('foreign_keys = OFF'); // better-sqlite3 turns them on by default; a tamperer would not
        return raw.prepare(sql).run(...params).changes;
      } finally {
        raw.close();
      }
    }

    async function verifyFile(file: string) {
      return verifyStore(open(file));
    }

    it('an edited data field is reported at that event', async () => {
      const { file, one } = await seed();
      const target = one[2];
      expect(tamper(file, 'UPDATE events SET data = ? WHERE event_id = ?', JSON.stringify({ stream: 'officer-a/1', i: 99 }), target.eventId)).toBe(1);
      const report = await verifyFile(file);
      expect(report.ok).toBe(false);
      expect(report.firstBroken).toMatchObject({ stream: 'officer-a/1', revision: 2, eventId: target.eventId, reason: expect.stringMatching(/altered/) });
    });

    it('an edited recordedAt, recordedBy or type is reported at that event', async () => {
      for (const [column, value] of [['recorded_at', '2020-01-01T00:00:00.000Z'], ['recorded_by', 'someone-else'], ['type', 'OtherType']]) {
        const { file, two } = await seed();
        tamper(file, `UPDATE events SET ${column} = ? WHERE event_id = ?`, value, two[1].eventId);
        expect((await verifyFile(file)).firstBroken).toMatchObject({ stream: 'officer-a/2', revision: 1, eventId: two[1].eventId });
      }
    });

    it('an edited event whose hash was recomputed still breaks the link to the next event', async () => {
      const { file, one } = await seed();
      // A forger who re-hashes the edited event (but not the rest of the chain).
      const { hashEvent } = await import('../../events/integrity');
      const forged = { ...one[1], data: { stream: 'officer-a/1', i: 42 } };
      tamper(file, 'UPDATE events SET data = ?, hash = ? WHERE event_id = ?', JSON.stringify(forged.data), hashEvent(forged), one[1].eventId);
      expect((await verifyFile(file)).firstBroken).toMatchObject({ stream: 'officer-a/1', revision: 2, eventId: one[2].eventId, reason: expect.stringMatching(/prevHash/) });
    });

    it('a deleted middle row is reported at the event after the gap', async () => {
      const { file, two } = await seed();
      expect(tamper(file, 'DELETE FROM events WHERE event_id = ?', two[2].eventId)).toBe(1);
      const report = await verifyFile(file);
      expect(report.ok).toBe(false);
      expect(report.firstBroken).toMatchObject({ stream: 'officer-a/2', revision: 3, eventId: two[3].eventId, reason: expect.stringMatching(/missing/) });
    });

    it('a deleted last row of a stream is caught by the stream heads', async () => {
      const { file, one } = await seed();
      expect(tamper(file, 'DELETE FROM events WHERE event_id = ?', one[4].eventId)).toBe(1);
      const report = await verifyFile(file);
      expect(report).toMatchObject({ ok: false, eventsChecked: 14, firstBroken: { stream: 'officer-a/1', revision: 4, eventId: null } });
    });

    it('a deleted whole stream is caught by the stream heads', async () => {
      const { file } = await seed();
      expect(tamper(file, 'DELETE FROM events WHERE stream = ?', 'officer-a/2')).toBe(5);
      const report = await verifyFile(file);
      expect(report).toMatchObject({ ok: false, eventsChecked: 10, firstBroken: { stream: 'officer-a/2', eventId: null, reason: expect.stringMatching(/deleted/) } });
    });

    it('two events with swapped revisions are reported', async () => {
      const { file, agency } = await seed();
      const raw = new Database(file);
      raw.transaction(() => {
        const set = raw.prepare('UPDATE events SET revision = ? WHERE event_id = ?');
        set.run(1_000_000, agency[1].eventId);
        set.run(1, agency[3].eventId);
        set.run(3, agency[1].eventId);
      })();
      raw.close();
      const report = await verifyFile(file);
      expect(report.ok).toBe(false);
      expect(report.firstBroken).toMatchObject({ stream: 'agency-a', eventId: agency[1].eventId });
      // Reading the stream in (tampered) revision order is caught too.
      const verifier = new (await import('../../events/integrity')).ChainVerifier();
      for (const e of await open(file).readStream('agency-a')) verifier.add(e);
      expect(verifier.report()).toMatchObject({ ok: false, firstBroken: { stream: 'agency-a', revision: 1, eventId: agency[3].eventId } });
    });

    it('an append that collides with rows the streams index does not know of is refused and writes nothing', async () => {
      const { file, one } = await seed();
      const raw = new Database(file);
      expect(() => raw.prepare('DELETE FROM streams WHERE stream = ?').run('officer-a/1')).toThrow(/FOREIGN KEY/);
      raw.close();
      expect(tamper(file, 'DELETE FROM streams WHERE stream = ?', 'officer-a/1')).toBe(1);
      const store = open(file);
      const before = await collect(store.readAll());
      const attempt = events(2);
      await expect(store.appendToStream('officer-a/1', attempt, { expectedRevision: 'no_stream' })).rejects.toMatchObject({
        name: 'WrongExpectedRevisionError',
        stream: 'officer-a/1',
        actual: 4,
      });
      expect(await collect(store.readAll())).toEqual(before);
      expect(await store.listStreams('officer-a/1')).toEqual([]);
      for (const e of attempt) expect(await store.readEvent(e.eventId)).toBeUndefined();
      expect(await store.readStream('officer-a/1')).toEqual(one);
    });

    it('an untouched file verifies after reopening', async () => {
      const { file } = await seed();
      expect(await verifyFile(file)).toEqual({ ok: true, eventsChecked: 15 });
    });
  });
});
