/**
 * PostgreSQL may end a connection at any time (a restart, a failover, an administrator's
 * pg_terminate_backend, idle_session_timeout). The server's stores keep pools of connections;
 * a pooled connection that is ended while idle must be dropped from its pool and replaced, not
 * take the process down: both the event store and the read-model store (a server uses both).
 */
import type { Client } from 'pg';
import { PostgresReadModelStore } from '../../src/store/postgres/postgres-read-model-store';
import { StoreUnavailableError } from '../../src/store/event-store.port';
import { isConnectionFailure } from '../../src/store/postgres/postgres-errors';
import { PostgresEventStore } from '../../src/store/postgres/postgres-event-store';
import { guardedPool } from '../../src/store/postgres/postgres-pool';
import { createTestDatabase, describeWithPostgres, TestDatabase, withPostgres } from '../support/postgres';

/** Ends every other session of the database, and returns once the server has ended them. */
async function terminateOtherSessions(client: Client, database: string): Promise<number> {
  const { rows } = await client.query<{ pid: number }>(
    'SELECT pg_terminate_backend(pid), pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [database],
  );
  const deadline = Date.now() + 10_000;
  // A backend sends its termination notice to its client before it exits: once it is gone from
  // pg_stat_activity, the notice has been sent, and a round trip later it has been received.
  for (;;) {
    const left = await client.query('SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1::int[])', [rows.map((r) => r.pid)]);
    if (left.rowCount === 0) break;
    if (Date.now() > deadline) throw new Error(`sessions ${rows.map((r) => r.pid).join(', ')} did not end`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await client.query('SELECT 1');
  return rows.length;
}

describeWithPostgres('pooled PostgreSQL connections ended by the server', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(() => db.drop());

  it('the event store drops the ended connections and answers the next query', async () => {
    const store = await PostgresEventStore.open(db.url);
    try {
      await store.appendToStream('s', [{ eventId: '0190d6d4-0000-7000-8000-00000000000a', type: 'T', schemaVersion: 1, data: {}, metadata: { recordedBy: 't', correlationId: 'c' } }], { expectedRevision: 'no_stream' });
      expect(await withPostgres(db.url, (c) => terminateOtherSessions(c, db.name))).toBeGreaterThan(0);
      expect(await store.readStream('s')).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('a connection checked out of a pool (between two statements of a transaction) and ended by the server: no crash, its next query fails as a connection failure', async () => {
    // pg-pool listens for 'error' only on idle connections: without guardedPool's listener this
    // emit has nobody to hear it and Node throws it (an uncaught exception fails this test).
    const pool = guardedPool({ connectionString: db.url, max: 2 });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const client = await pool.connect();
      await client.query('BEGIN');
      expect(await withPostgres(db.url, (c) => terminateOtherSessions(c, db.name))).toBe(1);
      const failed = await client.query('SELECT 1').then(() => undefined, (error: unknown) => error);
      expect(isConnectionFailure(failed)).toBe(true);
      client.release(failed as Error);
      expect(uncaught).toEqual([]);
      expect((await pool.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]); // a new connection
    } finally {
      process.off('uncaughtException', onUncaught);
      await pool.end();
    }
  });

  it('the read-model store answers a connection ended under it as StoreUnavailableError', async () => {
    const readModels = await PostgresReadModelStore.open(db.url);
    try {
      await readModels.commit('p', 0, 1, new Map([['k', { v: 1 }]]));
      // A statement that is still running when its session is ended.
      const slow = (readModels as unknown as { query: (sql: string, values: unknown[]) => Promise<unknown> }).query('SELECT pg_sleep(5)', []);
      slow.catch(() => undefined);
      await withPostgres(db.url, async (c) => {
        for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 10))) {
          const { rowCount } = await c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query LIKE 'SELECT pg_sleep%'", [db.name]);
          if (rowCount) return;
        }
        throw new Error('the statement never ran');
      });
      await expect(slow).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(await readModels.state('p')).toEqual({ checkpoint: 1, rebuilding: false });
    } finally {
      await readModels.close();
    }
  });

  it('the read-model store drops the ended connections and answers the next query', async () => {
    const readModels = await PostgresReadModelStore.open(db.url);
    try {
      expect(await readModels.commit('p', 0, 1, new Map([['k', { v: 1 }]]))).toBe(true);
      expect(await readModels.get('p', 'k')).toEqual({ v: 1 }); // the pool now holds an idle connection
      expect(await withPostgres(db.url, (c) => terminateOtherSessions(c, db.name))).toBeGreaterThan(0);
      expect(await readModels.get('p', 'k')).toEqual({ v: 1 });
      expect(await readModels.state('p')).toEqual({ checkpoint: 1, rebuilding: false });
    } finally {
      await readModels.close();
    }
  });
});
