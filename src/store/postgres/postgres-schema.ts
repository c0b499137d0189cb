/**
 * The PostgreSQL adapter's schema: the server checks and the migrations, applied by `open` in
 * one transaction under an advisory lock (concurrent opens wait).
 */
import type { Pool, PoolClient } from 'pg';
import { extendTree, loadTree, storeTree } from '../append-support';
import type { Target } from './postgres-errors';
import { MIGRATION_LOCK } from './postgres-locks';

/**
 * Schema migrations, in order; schema_migrations holds the versions applied. Append only: never
 * edit one that has shipped. Each runs in the migrating transaction, under an advisory lock.
 */
const MIGRATIONS: readonly { description: string; sql: string }[] = [
  {
    description: 'events and the index of stream heads',
    sql: `
    CREATE TABLE IF NOT EXISTS streams (
      stream           text COLLATE "C" NOT NULL PRIMARY KEY,
      revision         integer NOT NULL CHECK (revision >= 0),
      hash             text    NOT NULL,
      last_recorded_at text    NOT NULL
    );

    CREATE TABLE IF NOT EXISTS events (
      position       bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      event_id       text    NOT NULL UNIQUE,
      stream         text COLLATE "C" NOT NULL REFERENCES streams (stream) DEFERRABLE INITIALLY DEFERRED,
      revision       integer NOT NULL CHECK (revision >= 0),
      type           text    NOT NULL,
      schema_version integer NOT NULL,
      data           jsonb   NOT NULL,
      recorded_at    text    NOT NULL CHECK (recorded_at ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z$'),
      recorded_by    text    NOT NULL,
      correlation_id text    NOT NULL,
      prev_hash      text    NOT NULL,
      hash           text    NOT NULL,
      tx_id          xid8    NOT NULL DEFAULT pg_current_xact_id(),
      UNIQUE (stream, revision)
    );
    `,
  },
  {
    description: 'the ledger Merkle tree and its signed checkpoints',
    // One row: the tree's frontier, locked (FOR UPDATE) and extended by every append, which
    // serialises appends through COMMIT, so the tree's leaf order is the position order.
    sql: `
    CREATE TABLE IF NOT EXISTS ledger_tree (
      id            integer NOT NULL PRIMARY KEY CHECK (id = 1),
      size          bigint  NOT NULL CHECK (size >= 0),
      last_position bigint  NOT NULL CHECK (last_position >= 0),
      frontier      text    NOT NULL
    );
    INSERT INTO ledger_tree (id, size, last_position, frontier) VALUES (1, 0, 0, '[]') ON CONFLICT (id) DO NOTHING;

    CREATE TABLE IF NOT EXISTS checkpoints (
      tree_size bigint NOT NULL PRIMARY KEY,
      root_hash text   NOT NULL,
      note      text   NOT NULL,
      issued_at text   NOT NULL
    );
    `,
  },
  {
    description: 'files stored with their events (certificate PDFs), content-addressed',
    sql: `
    CREATE TABLE IF NOT EXISTS files (
      sha256 text   NOT NULL PRIMARY KEY CHECK (length(sha256) = 64),
      bytes  bytea  NOT NULL,
      size   bigint NOT NULL CHECK (size >= 0)
    );
    `,
  },
];

/** The schema version this code writes. */
export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

/** Server checks and migrations, in one transaction under an advisory lock (concurrent opens wait). */
export async function prepareDatabase(pool: Pool, target: Target): Promise<void> {
  const client = await pool.connect();
  let failed: unknown;
  try {
    const { rows: [server] } = await client.query<{ version: number; encoding: string; synchronous_commit: string }>(
      `SELECT current_setting('server_version_num')::int AS version, current_setting('server_encoding') AS encoding,
              current_setting('synchronous_commit') AS synchronous_commit`,
    );
    if (server.version < 130000) throw new Error(`PostgreSQL ${target.host}:${target.port} is version ${server.version}; the event store needs 13 or newer`);
    if (server.encoding !== 'UTF8') throw new Error(`database "${target.database}" has encoding ${server.encoding}; the event store needs UTF8 (CREATE DATABASE ... ENCODING 'UTF8')`);
    if (server.synchronous_commit !== 'on') throw new Error(`synchronous_commit is ${server.synchronous_commit} on this connection; the event store needs on`);

    await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version     integer     NOT NULL PRIMARY KEY,
      description text        NOT NULL,
      applied_at  timestamptz NOT NULL DEFAULT now()
    )`);
    // Read under the lock: another process may have migrated meanwhile.
    const { rows: [{ current }] } = await client.query<{ current: number }>('SELECT coalesce(max(version), 0)::int AS current FROM schema_migrations');
    if (current > MIGRATIONS.length) {
      throw new Error(`database "${target.database}" has schema version ${current}, newer than this program's ${MIGRATIONS.length}: upgrade the program`);
    }
    for (let version = current + 1; version <= MIGRATIONS.length; version++) {
      await client.query(MIGRATIONS[version - 1].sql);
      if (version === 2) await seedTree(client);
      await client.query('INSERT INTO schema_migrations (version, description) VALUES ($1, $2)', [version, MIGRATIONS[version - 1].description]);
    }
    await client.query('COMMIT');
  } catch (err) {
    failed = err;
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release(failed !== undefined); // a failed connection is destroyed, not reused
  }
}

/** Migration 2 on a store that has events: the tree over all of them, once, in pages. */
async function seedTree(client: PoolClient): Promise<void> {
  const tree = loadTree(undefined);
  for (let after = 0; ; ) {
    const { rows } = await client.query<{ position: string; hash: string }>('SELECT position, hash FROM events WHERE position > $1 ORDER BY position LIMIT 10000', [after]);
    if (rows.length === 0) break;
    extendTree(tree, rows.map((r) => ({ position: Number(r.position), hash: r.hash })));
    after = Number(rows[rows.length - 1].position);
  }
  const row = storeTree(tree);
  await client.query('UPDATE ledger_tree SET size = $1, last_position = $2, frontier = $3 WHERE id = 1', [row.size, row.lastPosition, row.frontier]);
}
