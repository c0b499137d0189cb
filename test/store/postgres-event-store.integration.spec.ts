/**
 * The PostgreSQL adapter: the store contract, unchanged, plus what only PostgreSQL has (server
 * settings, migrations, several connections racing; late commits and readAll, and tampering with
 * raw SQL, are postgres-event-store-raw.integration.spec.ts). One fresh database for this file
 * (dropped at the end); each store the contract opens gets its own empty schema in it.
 */
import type { Client } from 'pg';
import type { RecordedEvent } from '../../events/envelope';
import { eventLeafHash, MerkleLeaves } from '../../events/merkle';
import { EventStore, WrongExpectedRevisionError } from '../../src/store/event-store.port';
import { openEventStore } from '../../src/store/backends';
import { POSTGRES_SCHEMA_VERSION, PostgresEventStore, PostgresEventStoreOptions } from '../../src/store/postgres/postgres-event-store';
import { createTestDatabase, describeWithPostgres, TestDatabase, withDatabase, withPostgres, withSearchPath } from '../support/postgres';
import { collect, describeEventStoreContract, events, newEvent, verifyStore } from './event-store.contract';

describeWithPostgres('PostgresEventStore', () => {
  let db: TestDatabase;
  let schemas = 0;
  const opened: EventStore[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    await db?.drop();
  });

  /** A URL for a new, empty schema of the test database: an empty store. */
  async function freshUrl(): Promise<string> {
    const schema = `store_${++schemas}`;
    await withPostgres(db.url, (c) => c.query(`CREATE SCHEMA ${schema}`));
    return withSearchPath(db.url, schema);
  }
  async function open(url: string, options?: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const store = await PostgresEventStore.open(url, options);
    opened.push(store);
    return store;
  }
  const sql = <T>(url: string, work: (c: Client) => Promise<T>) => withPostgres(url, work);

  describeEventStoreContract('postgres', async (options) => PostgresEventStore.open(await freshUrl(), options));

  describe('server, settings and migrations', () => {
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    it('openEventStore routes postgres:// and postgresql:// URLs here', async () => {
      const url = await freshUrl();
      for (const u of [url, url.replace(/^postgres:/, 'postgresql:')]) {
        const store = await openEventStore(u);
        opened.push(store);
        expect(store).toBeInstanceOf(PostgresEventStore);
      }
    });

    it('runs with synchronous_commit on, even when the URL asks for off', async () => {
      const url = await freshUrl();
      const asked = `${url}${encodeURIComponent(' -c synchronous_commit=off')}`;
      expect(decodeURIComponent(asked)).toMatch(/search_path=store_\d+ -c synchronous_commit=off$/);
      // A plain connection with that URL does get off: the store overrides it.
      expect((await sql(asked, (c) => c.query('SHOW synchronous_commit'))).rows[0].synchronous_commit).toBe('off');
      const store = await open(asked);
      expect(await store.settings()).toEqual({
        host: '127.0.0.1',
        port: '5432',
        database: db.name,
        serverVersion: expect.any(String),
        synchronousCommit: 'on',
        fsync: expect.any(String),
        schemaVersion: POSTGRES_SCHEMA_VERSION,
      });
      await store.appendToStream('s', events(1), { expectedRevision: 'no_stream' });
    });

    it('runs with synchronous_commit on when the database default is off', async () => {
      const other = await createTestDatabase();
      try {
        await sql(other.url, (c) => c.query(`ALTER DATABASE ${other.name} SET synchronous_commit = off`));
        expect((await sql(other.url, (c) => c.query('SHOW synchronous_commit'))).rows[0].synchronous_commit).toBe('off');
        const store = await PostgresEventStore.open(other.url);
        try {
          expect((await store.settings()).synchronousCommit).toBe('on');
          await store.appendToStream('s', events(2), { expectedRevision: 'no_stream' });
          expect(await verifyStore(store)).toEqual({ ok: true, eventsChecked: 2 });
        } finally {
          await store.close();
        }
      } finally {
        await other.drop();
      }
    });

    it('migrations are idempotent (open twice, and many concurrent opens), and a newer schema is refused', async () => {
      const url = await freshUrl();
      const first = await open(url);
      await first.appendToStream('s', events(2), { expectedRevision: 'no_stream' });
      const second = await open(url);
      expect(await second.readStream('s')).toHaveLength(2);

      const racing = await freshUrl();
      const stores = await Promise.all(Array.from({ length: 6 }, () => open(racing)));
      await Promise.all(stores.map((s, i) => s.appendToStream(`s-${i}`, events(1), { expectedRevision: 'no_stream' })));
      expect(await verifyStore(stores[0])).toEqual({ ok: true, eventsChecked: 6 });
      const applied = await sql(racing, (c) => c.query('SELECT version FROM schema_migrations ORDER BY version'));
      expect(applied.rows.map((r) => r.version)).toEqual(Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1));

      await sql(url, (c) => c.query(`INSERT INTO schema_migrations (version, description) VALUES (${POSTGRES_SCHEMA_VERSION + 1}, 'from the future')`));
      await expect(PostgresEventStore.open(url)).rejects.toThrow(/newer than this program/);
    });

    it('keeps everything across close and reopen', async () => {
      const url = await freshUrl();
      const store = await PostgresEventStore.open(url);
      await store.appendToStream('officer-a/1', events(3), { expectedRevision: 'no_stream' });
      await store.appendMany([
        { stream: 'officer-a/2', events: events(2), expectedRevision: 'no_stream' },
        { stream: 'agency-a', events: events(1), expectedRevision: 'no_stream' },
      ]);
      const before = { all: await collect(store.readAll()), heads: await store.listStreams('') };
      await store.close();

      const reopened = await open(url);
      expect({ all: await collect(reopened.readAll()), heads: await reopened.listStreams('') }).toEqual(before);
      const next = await reopened.appendToStream('officer-a/1', events(1), { expectedRevision: 2 });
      expect(next.events[0]).toMatchObject({ revision: 3, position: 7, prevHash: before.all[2].hash });
      expect(await verifyStore(reopened)).toEqual({ ok: true, eventsChecked: 7 });
    });

    it('an unreachable server, a missing database or an unknown user is a clear error naming host:port', async () => {
      await expect(PostgresEventStore.open('postgres://postgres@127.0.0.1:1/sro')).rejects.toThrow(
        /cannot use PostgreSQL at 127\.0\.0\.1:1 \(database "sro", user "postgres"\): .*ECONNREFUSED.*check that the server is running .*pg_isready -h 127\.0\.0\.1 -p 1/,
      );
      await expect(PostgresEventStore.open(withDatabase(db.url, 'sro_no_such_database'))).rejects.toThrow(/127\.0\.0\.1:5432 .*does not exist.*createdb/);
      const noUser = db.url.replace('postgres@', 'sro_no_such_user@');
      await expect(PostgresEventStore.open(noUser)).rejects.toThrow(/127\.0\.0\.1:5432 \(database "sro_test_\w+", user "sro_no_such_user"\).*authentication failed/);
      await expect(openEventStore('postgres://postgres@127.0.0.1:1/sro')).rejects.toThrow(/127\.0\.0\.1:1/);
    });

    it('refuses text PostgreSQL cannot store (NUL, unpaired surrogates) with a TypeError, writing nothing', async () => {
      const store = await open(await freshUrl());
      await expect(store.appendToStream('s\u0000', events(1), { expectedRevision: 'any' })).rejects.toThrow(TypeError);
      await expect(store.appendToStream('s', [newEvent({ type: 'T\ud800' })], { expectedRevision: 'any' })).rejects.toThrow(TypeError);
      await expect(store.appendToStream('s', [newEvent({ data: { x: 'a\u0000b' } })], { expectedRevision: 'any' })).rejects.toThrow(TypeError);
      await expect(store.appendToStream('s', [newEvent({ data: { x: '\udc00' } })], { expectedRevision: 'any' })).rejects.toThrow(TypeError);
      expect(await store.listStreams('')).toEqual([]);
      expect(await collect(store.readAll())).toEqual([]);
      // The store still works: the section lock was released.
      await store.appendToStream('s', events(1), { expectedRevision: 'no_stream' });
      expect(await verifyStore(store)).toEqual({ ok: true, eventsChecked: 1 });
    });
  });

  describe('several connections', () => {
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    it('racing writers on one stream: exactly one wins per revision, the others get WrongExpectedRevisionError', async () => {
      const url = await freshUrl();
      const stores = await Promise.all(Array.from({ length: 4 }, () => open(url)));
      await stores[0].appendToStream('s', events(1), { expectedRevision: 'no_stream' });
      for (let round = 0; round < 10; round++) {
        const outcomes = await Promise.allSettled(stores.flatMap((s) => [s, s]).map((s) => s.appendToStream('s', events(2), { expectedRevision: round * 2 })));
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(WrongExpectedRevisionError);
      }
      // Creating a stream: one 'no_stream' wins.
      const created = await Promise.allSettled(stores.map((s) => s.appendToStream('new', events(1), { expectedRevision: 'no_stream' })));
      expect(created.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      expect((await stores[3].readStream('s')).map((e) => e.revision)).toEqual(Array.from({ length: 21 }, (_, i) => i));
      expect(await verifyStore(stores[2])).toEqual({ ok: true, eventsChecked: 22 });
    });

    it('4 connections appending 50 events each to one stream (retrying on conflict, the first appends colliding) give 200 contiguous, chained events, one winner per revision', async () => {
      const url = await freshUrl();
      const stores = await Promise.all(Array.from({ length: 4 }, () => open(url)));
      let conflicts = 0;
      const won: number[][] = stores.map(() => []);
      // Every connection reads the (missing) head before any of them appends: the first appends collide.
      const firstHeads = await Promise.all(stores.map((store) => store.listStreams('race')));
      await Promise.all(stores.map(async (store, worker) => {
        let head = firstHeads[worker][0];
        for (let i = 0; i < 50; i++) {
          for (;; head = (await store.listStreams('race'))[0]) {
            try {
              const { events: [e] } = await store.appendToStream('race', [newEvent({ data: { worker, i } })], { expectedRevision: head ? head.revision : 'no_stream' });
              won[worker].push(e.revision);
              break;
            } catch (err) {
              if (!(err instanceof WrongExpectedRevisionError)) throw err;
              conflicts++;
            }
          }
          head = (await store.listStreams('race'))[0];
        }
      }));
      const stream = await stores[0].readStream('race');
      expect(stream.map((e) => e.revision)).toEqual(Array.from({ length: 200 }, (_, i) => i));
      expect(won.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
      for (const [worker, revisions] of won.entries()) for (const r of revisions) expect((stream[r].data as { worker: number }).worker).toBe(worker);
      for (let worker = 0; worker < 4; worker++) {
        expect(stream.filter((e) => (e.data as { worker: number }).worker === worker).map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      }
      const times = stream.map((e) => e.recordedAt);
      expect(times).toEqual([...times].sort());
      expect(await verifyStore(stores[1])).toEqual({ ok: true, eventsChecked: 200 });
      expect(conflicts).toBeGreaterThanOrEqual(3); // the first round alone: four 'no_stream' appends, one winner
    }, 60_000);

    it('many writers across streams and appendMany batches: no event lost, counts match, positions dense', async () => {
      const url = await freshUrl();
      const stores = await Promise.all(Array.from({ length: 8 }, () => open(url)));
      const written: string[] = [];
      await Promise.all(stores.map(async (store, w) => {
        for (let i = 0; i < 25; i++) {
          if (i % 5 === 4) {
            const batch = [0, 1, 2].map((k) => ({ stream: `stream-${(w + i + k) % 12}`, events: events(1 + k), expectedRevision: 'any' as const }));
            await store.appendMany(batch);
            written.push(...batch.flatMap((r) => r.events.map((e) => e.eventId)));
          } else {
            const batch = events(1 + (i % 3));
            await store.appendToStream(`stream-${(w * 7 + i) % 12}`, batch, { expectedRevision: 'any' });
            written.push(...batch.map((e) => e.eventId));
          }
        }
      }));
      const all = await collect(stores[0].readAll({ batchSize: 50 }));
      expect(all).toHaveLength(written.length);
      expect(new Set(all.map((e) => e.eventId))).toEqual(new Set(written));
      expect(all.map((e) => e.position)).toEqual(Array.from({ length: written.length }, (_, i) => i + 1));
      const heads = await stores[0].listStreams('stream-');
      expect(heads.reduce((n, h) => n + h.revision + 1, 0)).toBe(written.length);
      expect(await verifyStore(stores[0])).toEqual({ ok: true, eventsChecked: written.length });
    }, 60_000);

    it('instances appending in turn (each one\'s remembered heads and tree made stale by the others): the recorded tree is the tree of the log', async () => {
      const url = await freshUrl();
      const stores = await Promise.all(Array.from({ length: 3 }, () => open(url)));
      const revision = new Map<string, number>();
      for (let i = 0; i < 30; i++) {
        const store = stores[i % 3];
        const stream = `turn-${i % 4}`;
        const expected = i % 2 === 0 ? (revision.has(stream) ? revision.get(stream)! : 'no_stream') : 'any';
        const { nextExpectedRevision } = await store.appendToStream(stream, events(1 + (i % 3)), { expectedRevision: expected });
        revision.set(stream, nextExpectedRevision);
        // A stale expected revision is refused even when this instance last saw the stream at it.
        if (i === 20) await expect(stores[0].appendToStream(stream, events(1), { expectedRevision: nextExpectedRevision - 1 })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      }
      const all = await collect(stores[1].readAll());
      const leaves = new MerkleLeaves();
      for (const e of all) leaves.push(eventLeafHash(e.hash));
      for (const store of stores) {
        expect(await store.ledgerHead()).toMatchObject({ treeSize: all.length, rootHash: leaves.root().toString('hex'), lastPosition: all[all.length - 1].position });
      }
      expect(await verifyStore(stores[2])).toEqual({ ok: true, eventsChecked: all.length });
    });

    it('recordedAt is the database clock: a client whose idea of it is a minute off, either way, has its append stamped again', async () => {
      const url = await freshUrl();
      const store = await open(url);
      const appends = (store as unknown as { parts: { appends: { clockOffsetMs: number } } }).parts.appends;
      for (const [i, offset] of [-60_000, 60_000].entries()) {
        appends.clockOffsetMs = offset;
        const { events: [event] } = await store.appendToStream(`clock-${i}`, events(1), { expectedRevision: 'no_stream' });
        const { rows: [{ now }] } = await sql(url, (c) => c.query<{ now: Date }>('SELECT clock_timestamp() AS now'));
        expect(Math.abs(Date.parse(event.recordedAt) - now.getTime())).toBeLessThan(10_000);
        expect(Date.parse(event.recordedAt)).toBeLessThanOrEqual(now.getTime());
      }
      expect(await verifyStore(store)).toEqual({ ok: true, eventsChecked: 2 });
    });

    it('a follower polling readAll with a checkpoint while 6 writers append sees every event once, in position order', async () => {
      const url = await freshUrl();
      const stores = await Promise.all(Array.from({ length: 7 }, () => open(url)));
      const [reader, ...writers] = stores;
      let writing = true;
      const writes = Promise.all(writers.map(async (store, w) => {
        for (let i = 0; i < 40; i++) await store.appendToStream(`w-${(w + i) % 5}`, events(1 + (i % 2)), { expectedRevision: 'any' });
      })).finally(() => {
        writing = false;
      });
      const seen: RecordedEvent[] = [];
      let checkpoint = 0;
      for (;;) {
        const done = !writing; // read once more after the writers finish
        for await (const e of reader.readAll({ fromPosition: checkpoint, batchSize: 5 })) {
          expect(e.position).toBeGreaterThan(checkpoint);
          checkpoint = e.position;
          seen.push(e);
        }
        if (done) break;
        await new Promise((r) => setTimeout(r, 2));
      }
      await writes;
      const all = await collect(reader.readAll());
      expect(seen.map((e) => e.position)).toEqual(all.map((e) => e.position));
      expect(seen).toHaveLength(6 * 60);
    }, 60_000);
  });
});
