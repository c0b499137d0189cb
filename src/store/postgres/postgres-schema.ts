/**
 * The PostgreSQL adapter's schema: the server checks and the migrations, applied by `open` in
 * one transaction under an advisory lock (concurrent opens wait).
 */
import type { Pool, PoolClient } from 'pg';
import { extendTree, loadTree, storeTree } from '../append-support';
import type { Target } from './postgres-errors';
import { MIGRATION_LOCK, POSITION_SECTION_LOCK } from './postgres-locks';

/** ISO-8601 UTC with milliseconds (the events' recorded_at format) of a timestamptz. */
const iso = (ts: string) => `to_char(date_trunc('milliseconds', ${ts}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The append in one statement (migration 3; postgres-append.ts says how the client side uses
 * it). Run outside an explicit transaction, the statement is its own transaction: one round trip
 * from the stream locks to COMMIT. The client has chained the events from the heads and extended
 * the ledger tree from the frontier it last saw; the function checks, under the locks, that those
 * are still the stored ones, and writes only then. Otherwise it writes nothing and answers what
 * is stored, for the client to chain again (or to refuse the append):
 * - {"status":"duplicate","ids":[...]}: event ids already stored (checked first: an Idempotency-Key
 *   retry must learn that its event is stored, not that the stream moved on);
 * - {"status":"stale","heads":[...],"tree":{...},"now":"..."}: a head is not the one the client
 *   chained from, or a recordedAt is not the database clock (within 10 s, never ahead; or the
 *   stream's last recordedAt when that is later);
 * - {"status":"ok","positions":[...],"now":"...","tree":...}: written. The tree's frontier is the
 *   client's when the client extended the stored one; when another process appended since, the
 *   function extends the stored frontier itself (sha256 in SQL) and answers it as "tree".
 * The position section, the tree row lock held until COMMIT, the conditional head updates and
 * the unique constraints are those of the earlier append (decisions W14, W31).
 */
const APPEND_FUNCTION = `
CREATE OR REPLACE FUNCTION sro_append(
  p_keys bigint[],
  p_streams text[], p_base_rev integer[], p_base_hash text[], p_new_rev integer[], p_new_hash text[], p_new_last text[],
  p_tree_size bigint, p_tree_frontier text, p_new_size bigint, p_new_frontier text,
  p_check_clock boolean, p_probe boolean,
  p_event_id text[], p_stream text[], p_revision integer[], p_type text[], p_schema_version integer[], p_data text[],
  p_recorded_at text[], p_recorded_by text[], p_correlation_id text[], p_prev_hash text[], p_hash text[]
) RETURNS json LANGUAGE plpgsql AS $fn$
DECLARE
  k bigint;
  v_now text;
  v_floor text;
  v_ids text[];
  v_stale boolean;
  v_tree record;
  v_positions bigint[];
  v_last bigint;
  v_changed integer;
  v_done integer;
  v_n integer;
  v_nodes bytea[];
  v_node bytea;
  v_size bigint;
  v_s bigint;
  v_frontier text;
BEGIN
  PERFORM set_config('synchronous_commit', 'on', true);
  -- Index lookups only, whatever the statistics say: plpgsql caches its plans, and a plan made
  -- while a new database was small would scan events whole on every later call (8.7 ms per
  -- 40-event append at 12,000 events, and growing). Transaction-local: this statement only.
  -- (Not a SET clause of the function: that would also undo synchronous_commit above at exit.)
  PERFORM set_config('enable_seqscan', 'off', true);
  -- The stream locks, in the ascending order the client sorted them in: batches never deadlock.
  FOREACH k IN ARRAY p_keys LOOP PERFORM pg_advisory_xact_lock(k); END LOOP;

  SELECT array_agg(e.event_id) INTO v_ids FROM events e WHERE e.event_id = ANY (p_event_id);
  IF v_ids IS NOT NULL THEN
    RETURN json_build_object('status', 'duplicate', 'ids', v_ids);
  END IF;

  v_now := ${iso('clock_timestamp()')};
  v_floor := ${iso("clock_timestamp() - interval '10 seconds'")};
  SELECT p_probe OR EXISTS (
    SELECT 1 FROM unnest(p_streams, p_base_rev, p_base_hash) AS b (stream, rev, hash)
    LEFT JOIN streams s ON s.stream = b.stream
    WHERE (s.stream IS NULL AND b.rev <> -1) OR (s.stream IS NOT NULL AND (s.revision <> b.rev OR s.hash <> b.hash))
  ) OR (p_check_clock AND EXISTS (
    SELECT 1 FROM unnest(p_stream, p_recorded_at) AS e (stream, at)
    LEFT JOIN streams s ON s.stream = e.stream
    WHERE NOT (e.at BETWEEN v_floor AND v_now OR e.at IS NOT DISTINCT FROM s.last_recorded_at)
  )) INTO v_stale;

  IF NOT v_stale AND cardinality(p_event_id) > 0 THEN
    -- The position section: the transaction id and the positions taken together.
    PERFORM pg_advisory_lock(${POSITION_SECTION_LOCK});
    IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
      RAISE EXCEPTION 'internal error: the append transaction wrote before its position section';
    END IF;
    -- Locked until COMMIT: the next append waits here, so leaves are added in position order.
    SELECT t.size, t.last_position, t.frontier INTO v_tree FROM ledger_tree t WHERE t.id = 1 FOR UPDATE;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'the ledger_tree row is missing: the store was altered (run verify)';
    END IF;
    BEGIN
      WITH ins AS (
        INSERT INTO events (event_id, stream, revision, type, schema_version, data, recorded_at, recorded_by, correlation_id, prev_hash, hash)
        SELECT e.event_id, e.stream, e.revision, e.type, e.schema_version, e.data::jsonb, e.recorded_at, e.recorded_by, e.correlation_id, e.prev_hash, e.hash
        FROM unnest(p_event_id, p_stream, p_revision, p_type, p_schema_version, p_data, p_recorded_at, p_recorded_by, p_correlation_id, p_prev_hash, p_hash)
          AS e (event_id, stream, revision, type, schema_version, data, recorded_at, recorded_by, correlation_id, prev_hash, hash)
        RETURNING event_id, position
      )
      SELECT array_agg(ins.event_id), array_agg(ins.position) INTO v_ids, v_positions FROM ins;
      PERFORM pg_advisory_unlock(${POSITION_SECTION_LOCK});
      -- The client extended the tree in the order of its arrays: that must be the position order
      -- (rows are inserted, and numbered, in the order of the arrays; checked, not assumed). No
      -- join back to the arrays: planned for 10 rows, it compared every pair of a 2,000-event batch.
      v_last := v_tree.last_position;
      FOR v_n IN 1 .. cardinality(p_event_id) LOOP
        IF v_ids[v_n] IS DISTINCT FROM p_event_id[v_n] OR v_positions[v_n] <= v_last THEN
          RAISE EXCEPTION 'internal error: the events were not numbered in the order of the batch (event %)', v_n;
        END IF;
        v_last := v_positions[v_n];
      END LOOP;
      IF v_tree.size = p_tree_size AND v_tree.frontier = p_tree_frontier THEN
        -- The client extended the frontier it saw, which is the stored one.
        v_size := p_new_size;
        v_frontier := p_new_frontier;
      ELSE
        -- Another process appended since: extend the stored frontier here (RFC 9162 leaf and
        -- node hashes, as events/merkle.ts MerkleFrontier.push).
        v_nodes := ARRAY(SELECT decode(f.x, 'hex') FROM json_array_elements_text(v_tree.frontier::json) WITH ORDINALITY AS f (x, n) ORDER BY f.n);
        v_size := v_tree.size;
        FOR v_n IN 1 .. cardinality(p_hash) LOOP
          v_node := sha256(decode('00', 'hex') || decode(p_hash[v_n], 'hex'));
          v_s := v_size;
          WHILE v_s % 2 = 1 LOOP
            v_node := sha256(decode('01', 'hex') || v_nodes[cardinality(v_nodes)] || v_node);
            v_nodes := v_nodes[1 : cardinality(v_nodes) - 1];
            v_s := (v_s - 1) / 2;
          END LOOP;
          v_nodes := v_nodes || v_node;
          v_size := v_size + 1;
        END LOOP;
        SELECT '[' || coalesce(string_agg('"' || encode(f.x, 'hex') || '"', ',' ORDER BY f.n), '') || ']' INTO v_frontier
        FROM unnest(v_nodes) WITH ORDINALITY AS f (x, n);
      END IF;
      UPDATE ledger_tree SET size = v_size, last_position = v_last, frontier = v_frontier WHERE id = 1;
    END;
  END IF;

  IF v_stale THEN
    RETURN json_build_object(
      'status', 'stale',
      'heads', (SELECT json_agg(json_build_object('stream', s.stream, 'revision', s.revision, 'hash', s.hash, 'last_recorded_at', s.last_recorded_at))
                FROM streams s WHERE s.stream = ANY (p_streams)),
      'tree', (SELECT json_build_object('size', t.size, 'last_position', t.last_position, 'frontier', t.frontier) FROM ledger_tree t WHERE t.id = 1),
      'now', v_now);
  END IF;

  -- The heads, conditionally on the revisions the client chained from.
  SELECT count(*) INTO v_changed FROM unnest(p_base_rev, p_new_rev) AS c (base, rev) WHERE c.rev <> c.base;
  UPDATE streams s SET revision = u.rev, hash = u.hash, last_recorded_at = u.last
  FROM unnest(p_streams, p_base_rev, p_new_rev, p_new_hash, p_new_last) AS u (stream, base, rev, hash, last)
  WHERE u.rev <> u.base AND u.base >= 0 AND s.stream = u.stream AND s.revision = u.base;
  GET DIAGNOSTICS v_done = ROW_COUNT;
  INSERT INTO streams (stream, revision, hash, last_recorded_at)
  SELECT u.stream, u.rev, u.hash, u.last FROM unnest(p_streams, p_base_rev, p_new_rev, p_new_hash, p_new_last) AS u (stream, base, rev, hash, last)
  WHERE u.rev <> u.base AND u.base = -1
  ON CONFLICT (stream) DO NOTHING;
  GET DIAGNOSTICS v_n = ROW_COUNT;
  IF v_done + v_n <> v_changed THEN
    RAISE EXCEPTION 'sro: a stream head changed during the append' USING ERRCODE = 'SR001';
  END IF;
  RETURN json_build_object('status', 'ok', 'positions', v_positions, 'now', v_now,
    'tree', CASE WHEN v_frontier IS NOT NULL AND v_frontier IS DISTINCT FROM p_new_frontier THEN json_build_object('size', v_size, 'last_position', v_last, 'frontier', v_frontier) END);
END
$fn$`;

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
    description: 'the append in one statement (sro_append); no regex CHECK on recorded_at',
    // docs/decisions.md W31. The regex CHECK on recorded_at goes: sro_append compares every
    // recorded_at with the database clock in the same fixed-width format, and the hash covers it.
    // The deferred foreign key to streams stays (it refuses deleting a head whose events exist;
    // one index probe per event at COMMIT).
    sql: `
    ALTER TABLE events DROP CONSTRAINT IF EXISTS events_recorded_at_check;
    ${APPEND_FUNCTION};
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
