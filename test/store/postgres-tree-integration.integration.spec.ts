/**
 * The ledger tree off the append path on PostgreSQL (docs/decisions.md W72): appends do not wait
 * for the tree's row any more; the tree is integrated in position order below the readers'
 * horizon, so an append that took an earlier position and commits later is integrated in its
 * place, never skipped.
 */
import type { Client } from 'pg';
import type { RecordedEvent } from '../../events/envelope';
import { eventLeafHash, MerkleLeaves } from '../../events/merkle';
import { chainEvents, validateNewEvents } from '../../src/store/append-support';
import type { EventStore } from '../../src/store/event-store.port';
import { PostgresEventStore } from '../../src/store/postgres/postgres-event-store';
import { TREE_INTEGRATION_LOCK } from '../../src/store/postgres/postgres-locks';
import { createTestDatabase, describeWithPostgres, TestDatabase, withPostgres, withSearchPath } from '../support/postgres';
import { collect, events, newEvent, verifyStore } from './event-store.contract';

describeWithPostgres('PostgreSQL: the ledger tree integrated after the appends', () => {
  let db: TestDatabase;
  let schemas = 0;
  const opened: EventStore[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await db?.drop();
  });
  async function freshStore(): Promise<{ url: string; store: PostgresEventStore }> {
    const schema = `tree_${++schemas}`;
    await withPostgres(db.url, (c) => c.query(`CREATE SCHEMA ${schema}`));
    const url = withSearchPath(db.url, schema);
    const store = await PostgresEventStore.open(url);
    opened.push(store);
    return { url, store };
  }
  async function logRoot(store: EventStore): Promise<string> {
    const leaves = new MerkleLeaves();
    for (const e of await collect(store.readAll())) leaves.push(eventLeafHash(e.hash));
    return leaves.root().toString('hex');
  }
  async function rawClient(url: string): Promise<Client> {
    const { Client: PgClient } = await import('pg');
    const client = new PgClient({ connectionString: url });
    await client.connect();
    return client;
  }

  it('appends leave the tree row alone; ledgerHead integrates them; pendingTreeEvents says what is left', async () => {
    const { url, store } = await freshStore();
    await store.appendToStream('a', events(3), { expectedRevision: 'no_stream' });
    await store.appendMany([
      { stream: 'b', events: events(4), expectedRevision: 'no_stream' },
      { stream: 'a', events: events(1), expectedRevision: 2 },
    ]);
    const row = await withPostgres(url, (c) => c.query('SELECT size, last_position FROM ledger_tree WHERE id = 1'));
    expect(row.rows).toEqual([{ size: '0', last_position: '0' }]);
    expect(await store.pendingTreeEvents()).toEqual({ events: 8, oldestRecordedAt: expect.any(String) });
    expect(await store.ledgerHead()).toEqual({ treeSize: 8, rootHash: await logRoot(store), lastPosition: 8 });
    expect(await store.pendingTreeEvents()).toEqual({ events: 0 });
  });

  it("an append does not wait for the tree's row: it commits while another session holds the row locked", async () => {
    const { url, store } = await freshStore();
    await store.appendToStream('a', events(1), { expectedRevision: 'no_stream' });
    const holder = await rawClient(url);
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT * FROM ledger_tree WHERE id = 1 FOR UPDATE');
      const started = Date.now();
      await Promise.all([
        store.appendToStream('b', events(2), { expectedRevision: 'no_stream' }),
        store.appendToStream('c', events(2), { expectedRevision: 'no_stream' }),
        store.appendToStream('a', events(1), { expectedRevision: 0 }),
      ]);
      expect(Date.now() - started).toBeLessThan(5_000); // before: each waited for the holder's COMMIT
      // Committed (readAll would hold them back behind the holder's open transaction, as designed).
      expect((await withPostgres(url, (c) => c.query('SELECT count(*)::int AS n FROM events'))).rows).toEqual([{ n: 6 }]);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
    expect(await store.ledgerHead()).toEqual({ treeSize: 6, rootHash: await logRoot(store), lastPosition: 6 });
  });

  it('an append that took an earlier position and commits later is integrated in its place, never skipped', async () => {
    const { url, store } = await freshStore();
    await store.appendToStream('before', events(3), { expectedRevision: 'no_stream' });
    expect((await store.ledgerHead()).treeSize).toBe(3);

    // Position 4 taken by a transaction that stays open (inserted as the store does).
    const slow = await rawClient(url);
    let slowEvent: RecordedEvent;
    try {
      const [chained] = chainEvents('slow', undefined, validateNewEvents([newEvent({ data: { slow: true } })], new Set()), new Date().toISOString());
      await slow.query('BEGIN');
      const { rows: [inserted] } = await slow.query(
        `INSERT INTO events (event_id, stream, revision, type, schema_version, data, recorded_at, recorded_by, correlation_id, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING position`,
        [chained.eventId, chained.stream, chained.revision, chained.type, chained.schemaVersion, JSON.stringify(chained.data), chained.recordedAt, chained.recordedBy, chained.correlationId, chained.prevHash, chained.hash],
      );
      await slow.query('INSERT INTO streams (stream, revision, hash, last_recorded_at) VALUES ($1, $2, $3, $4)', ['slow', 0, chained.hash, chained.recordedAt]);
      slowEvent = { ...chained, position: Number(inserted.position) };
      expect(slowEvent.position).toBe(4);

      const { events: [fast] } = await store.appendToStream('fast', [newEvent()], { expectedRevision: 'no_stream' });
      expect(fast.position).toBe(5);
      // Position 5 is committed, 4 is not: the tree waits for 4 rather than integrate 5 first.
      expect(await store.ledgerHead()).toMatchObject({ treeSize: 3, lastPosition: 3 });
      expect(await store.pendingTreeEvents()).toMatchObject({ events: 1 });

      await slow.query('COMMIT');
    } finally {
      await slow.end();
    }
    const head = await store.ledgerHead();
    expect(head).toEqual({ treeSize: 5, rootHash: await logRoot(store), lastPosition: 5 });
    expect((await collect(store.readAll())).map((e) => e.stream)).toEqual(['before', 'before', 'before', 'slow', 'fast']);
    expect(await verifyStore(store)).toEqual({ ok: true, eventsChecked: 5 });
  });

  it('while another integrator holds the lock (stalled), the head is computed without waiting and without writing', async () => {
    const { url, store } = await freshStore();
    await store.appendToStream('a', events(3), { expectedRevision: 'no_stream' });
    expect((await store.ledgerHead()).treeSize).toBe(3);
    await store.appendToStream('b', events(2), { expectedRevision: 'no_stream' });
    const holder = await rawClient(url);
    try {
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [TREE_INTEGRATION_LOCK]);
      const started = Date.now();
      expect(await store.ledgerHead()).toEqual({ treeSize: 5, rootHash: await logRoot(store), lastPosition: 5 });
      expect(Date.now() - started).toBeLessThan(5_000);
      const row = await withPostgres(url, (c) => c.query('SELECT size FROM ledger_tree WHERE id = 1'));
      expect(row.rows).toEqual([{ size: '3' }]); // not written by the one that did not hold the lock
    } finally {
      await holder.end();
    }
    expect(await store.ledgerHead()).toEqual({ treeSize: 5, rootHash: await logRoot(store), lastPosition: 5 });
    expect(await store.pendingTreeEvents()).toEqual({ events: 0 });
  });

  it('a tree row deleted behind the store is never rebuilt: ledgerHead refuses, appends still work', async () => {
    const { url, store } = await freshStore();
    await store.appendToStream('a', events(2), { expectedRevision: 'no_stream' });
    await withPostgres(url, (c) => c.query('DELETE FROM ledger_tree'));
    await store.appendToStream('a', events(1), { expectedRevision: 1 });
    await expect(store.ledgerHead()).rejects.toThrow(/ledger_tree row is missing/);
  });
});
