/**
 * The PostgreSQL adapter, continued from postgres-event-store.integration.spec.ts (same setup: one
 * fresh database for this file, a schema per store): late commits seen by readAll, and tampering
 * with raw SQL behind the store's back.
 */
import type { Client } from 'pg';
import type { RecordedEvent } from '../../events/envelope';
import { ChainVerifier, hashEvent } from '../../events/integrity';
import { chainEvents, validateNewEvents } from '../../src/store/append-support';
import { EventStore, WrongExpectedRevisionError } from '../../src/store/event-store.port';
import { PostgresEventStore, PostgresEventStoreOptions } from '../../src/store/postgres/postgres-event-store';
import { createTestDatabase, describeWithPostgres, TestDatabase, withDatabase, withPostgres, withSearchPath } from '../support/postgres';
import { collect, events, newEvent, verifyStore } from './event-store.contract';

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


  describe('late commits and readAll', () => {
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    /** A raw connection that inserts one event the way the store does, in a transaction it keeps open. */
    async function beginSlowAppend(url: string, stream: string): Promise<{ client: Client; event: RecordedEvent; commit(): Promise<void> }> {
      const { Client: PgClient } = await import('pg');
      const client = new PgClient({ connectionString: url });
      await client.connect();
      const [chained] = chainEvents(stream, undefined, validateNewEvents([newEvent({ data: { slow: true } })], new Set()), new Date().toISOString());
      await client.query('BEGIN');
      const { rows: [row] } = await client.query(
        `INSERT INTO events (event_id, stream, revision, type, schema_version, data, recorded_at, recorded_by, correlation_id, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING position`,
        [chained.eventId, chained.stream, chained.revision, chained.type, chained.schemaVersion, JSON.stringify(chained.data), chained.recordedAt, chained.recordedBy, chained.correlationId, chained.prevHash, chained.hash],
      );
      await client.query('INSERT INTO streams (stream, revision, hash, last_recorded_at) VALUES ($1, $2, $3, $4)', [stream, 0, chained.hash, chained.recordedAt]);
      return {
        client,
        event: { ...chained, position: Number(row.position) },
        async commit() {
          await client.query('COMMIT');
          await client.end();
        },
      };
    }

    it('an append that took an earlier position but commits later is not skipped by a reader following positions', async () => {
      const url = await freshUrl();
      const store = await open(url);
      await store.appendToStream('before', events(3), { expectedRevision: 'no_stream' });
      // The follower is up to date: its checkpoint is the last position it has seen.
      const checkpoint = (await collect(store.readAll())).at(-1)!.position;
      expect(checkpoint).toBe(3);

      const slow = await beginSlowAppend(url, 'slow'); // position 4, not committed
      let committed = false;
      try {
        expect(slow.event.position).toBe(4);
        const { events: [fast] } = await store.appendToStream('fast', [newEvent()], { expectedRevision: 'no_stream' }); // position 5, committed
        expect(fast.position).toBe(5);
        expect(await store.readStream('fast')).toEqual([fast]);

        // The hazard: what is committed and visible right now is position 5 but not 4. A reader
        // that took it would move its checkpoint to 5 and never read position 4.
        const naive = await sql(url, (c) => c.query('SELECT position FROM events WHERE position > $1 ORDER BY position', [checkpoint]));
        expect(naive.rows.map((r) => Number(r.position))).toEqual([5]);
        // readAll holds position 5 back while the transaction holding position 4 is open.
        expect(await collect(store.readAll({ fromPosition: checkpoint }))).toEqual([]);
        expect((await collect(store.readAll())).map((e) => e.position)).toEqual([1, 2, 3]);

        await slow.commit();
        committed = true;
        const next = await collect(store.readAll({ fromPosition: checkpoint }));
        expect(next.map((e) => [e.position, e.stream])).toEqual([[4, 'slow'], [5, 'fast']]);
        expect(next[0]).toEqual(slow.event);
        expect(next[1]).toEqual(fast);
        expect(await verifyStore(store)).toEqual({ ok: true, eventsChecked: 5 });
      } finally {
        if (!committed) await slow.client.end();
      }
    });

    it('a rolled-back append leaves a gap that readAll passes over', async () => {
      const url = await freshUrl();
      const store = await open(url);
      const slow = await beginSlowAppend(url, 'slow');
      await store.appendToStream('fast', events(1), { expectedRevision: 'no_stream' });
      expect(await collect(store.readAll())).toEqual([]);
      await slow.client.query('ROLLBACK');
      await slow.client.end();
      expect((await collect(store.readAll())).map((e) => [e.position, e.stream])).toEqual([[2, 'fast']]);
    });

    it('a write transaction open in another database does not hold readers back; one in this database does', async () => {
      const url = await freshUrl();
      const store = await open(url);
      const holdXid = async (target: string) => {
        const { Client: PgClient } = await import('pg');
        const client = new PgClient({ connectionString: target });
        await client.connect();
        await client.query('BEGIN');
        await client.query('SELECT pg_current_xact_id()'); // takes a transaction id, as any write does
        return client;
      };
      const elsewhere = await holdXid(withDatabase(db.url, 'postgres'));
      try {
        await store.appendToStream('a', events(2), { expectedRevision: 'no_stream' });
        expect(await collect(store.readAll())).toHaveLength(2);
      } finally {
        await elsewhere.query('ROLLBACK');
        await elsewhere.end();
      }
      const here = await holdXid(db.url);
      try {
        await store.appendToStream('a', events(1), { expectedRevision: 1 });
        expect(await collect(store.readAll())).toHaveLength(2); // conservative: it might be an append
      } finally {
        await here.query('ROLLBACK');
        await here.end();
      }
      expect(await collect(store.readAll())).toHaveLength(3);
    });
  });

  describe('tamper evidence (raw SQL behind the store’s back)', () => {
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    /** Three interleaved streams of 5 events each. */
    async function seed() {
      const url = await freshUrl();
      const store = await PostgresEventStore.open(url);
      for (let i = 0; i < 5; i++) {
        for (const stream of ['agency-a', 'officer-a/1', 'officer-a/2']) {
          await store.appendToStream(stream, [newEvent({ data: { stream, i } })], { expectedRevision: i === 0 ? 'no_stream' : i - 1 });
        }
      }
      const byStream = { agency: await store.readStream('agency-a'), one: await store.readStream('officer-a/1'), two: await store.readStream('officer-a/2') };
      expect(await verifyStore(store)).toEqual({ ok: true, eventsChecked: 15 });
      await store.close();
      return { url, ...byStream };
    }
    const tamper = (url: string, text: string, params: unknown[] = []) => sql(url, async (c) => (await c.query(text, params)).rowCount);
    const verifyUrl = async (url: string) => verifyStore(await open(url));

    it('an edited data field is reported at that event', async () => {
      const { url, one } = await seed();
      expect(await tamper(url, 'UPDATE events SET data = $1 WHERE event_id = $2', [JSON.stringify({ stream: 'officer-a/1', i: 99 }), one[2].eventId])).toBe(1);
      expect(await verifyUrl(url)).toMatchObject({
        ok: false,
        firstBroken: { stream: 'officer-a/1', revision: 2, eventId: one[2].eventId, reason: expect.stringMatching(/altered/) },
      });
    });

    it('an edited recordedAt, recordedBy or type is reported at that event', async () => {
      for (const [column, value] of [['recorded_at', '2020-01-01T00:00:00.000Z'], ['recorded_by', 'someone-else'], ['type', 'OtherType']]) {
        const { url, two } = await seed();
        await tamper(url, `UPDATE events SET ${column} = $1 WHERE event_id = $2`, [value, two[1].eventId]);
        expect((await verifyUrl(url)).firstBroken).toMatchObject({ stream: 'officer-a/2', revision: 1, eventId: two[1].eventId });
      }
    });

    it('an edited event whose hash was recomputed still breaks the link to the next event', async () => {
      const { url, one } = await seed();
      const forged = { ...one[1], data: { stream: 'officer-a/1', i: 42 } };
      await tamper(url, 'UPDATE events SET data = $1, hash = $2 WHERE event_id = $3', [JSON.stringify(forged.data), hashEvent(forged), one[1].eventId]);
      expect((await verifyUrl(url)).firstBroken).toMatchObject({ stream: 'officer-a/1', revision: 2, eventId: one[2].eventId, reason: expect.stringMatching(/prevHash/) });
    });

    it('a deleted middle row is reported at the event after the gap', async () => {
      const { url, two } = await seed();
      expect(await tamper(url, 'DELETE FROM events WHERE event_id = $1', [two[2].eventId])).toBe(1);
      expect(await verifyUrl(url)).toMatchObject({
        ok: false,
        firstBroken: { stream: 'officer-a/2', revision: 3, eventId: two[3].eventId, reason: expect.stringMatching(/missing/) },
      });
    });

    it('a deleted last row of a stream is caught by the stream heads', async () => {
      const { url, one } = await seed();
      expect(await tamper(url, 'DELETE FROM events WHERE event_id = $1', [one[4].eventId])).toBe(1);
      expect(await verifyUrl(url)).toMatchObject({ ok: false, eventsChecked: 14, firstBroken: { stream: 'officer-a/1', revision: 4, eventId: null } });
    });

    it('a deleted whole stream is caught by the stream heads', async () => {
      const { url } = await seed();
      expect(await tamper(url, 'DELETE FROM events WHERE stream = $1', ['officer-a/2'])).toBe(5);
      expect(await verifyUrl(url)).toMatchObject({ ok: false, eventsChecked: 10, firstBroken: { stream: 'officer-a/2', eventId: null, reason: expect.stringMatching(/deleted/) } });
    });

    it('reordered revisions are reported', async () => {
      const { url, agency } = await seed();
      await sql(url, async (c) => {
        await c.query('BEGIN');
        const set = (revision: number, eventId: string) => c.query('UPDATE events SET revision = $1 WHERE event_id = $2', [revision, eventId]);
        await set(1_000_000, agency[1].eventId);
        await set(1, agency[3].eventId);
        await set(3, agency[1].eventId);
        await c.query('COMMIT');
      });
      const report = await verifyUrl(url);
      expect(report).toMatchObject({ ok: false, firstBroken: { stream: 'agency-a', eventId: agency[1].eventId } });
      // Reading the stream in (tampered) revision order is caught too.
      const verifier = new ChainVerifier();
      for (const e of await (await open(url)).readStream('agency-a')) verifier.add(e);
      expect(verifier.report()).toMatchObject({ ok: false, firstBroken: { stream: 'agency-a', revision: 1, eventId: agency[3].eventId } });
    });

    it('an append that collides with rows the stream heads do not know of is refused and writes nothing', async () => {
      const { url, one } = await seed();
      await expect(tamper(url, 'DELETE FROM streams WHERE stream = $1', ['officer-a/1'])).rejects.toThrow(/foreign key/);
      await tamper(url, "SET session_replication_role = replica; DELETE FROM streams WHERE stream = 'officer-a/1'");
      const store = await open(url);
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
      // The store is still usable (the position section was released after the failed insert).
      await store.appendToStream('officer-a/9', events(1), { expectedRevision: 'no_stream' });
    });

    it('an untouched database verifies after reopening', async () => {
      const { url } = await seed();
      expect(await verifyUrl(url)).toEqual({ ok: true, eventsChecked: 15 });
    });
  });

  it('each test database is fresh (no events from other files)', async () => {
    expect(db.name).toMatch(/^sro_test_[0-9a-f]{12}$/);
    const schemasInUse = await sql(db.url, (c) => c.query("SELECT count(*)::int AS n FROM pg_namespace WHERE nspname LIKE 'store\\_%'"));
    expect(schemasInUse.rows[0].n).toBe(schemas);
  });
});
