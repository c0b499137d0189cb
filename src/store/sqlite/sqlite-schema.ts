/**
 * The SQLite adapter's schema and its migrations.
 */
import type Database from 'better-sqlite3';
import { extendTree, loadTree, storeTree } from '../append-support';

/**
 * Schema migrations, in order; `PRAGMA user_version` is the number applied. Append only: never
 * edit one that has shipped. They run in one transaction, from the version the file has.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE IF NOT EXISTS streams (
    stream           TEXT    NOT NULL PRIMARY KEY,
    revision         INTEGER NOT NULL CHECK (revision >= 0),
    hash             TEXT    NOT NULL,
    last_recorded_at TEXT    NOT NULL
  ) STRICT;

  CREATE TABLE IF NOT EXISTS events (
    position       INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id       TEXT    NOT NULL UNIQUE,
    stream         TEXT    NOT NULL REFERENCES streams (stream),
    revision       INTEGER NOT NULL,
    type           TEXT    NOT NULL,
    schema_version INTEGER NOT NULL,
    data           TEXT    NOT NULL,
    recorded_at    TEXT    NOT NULL,
    recorded_by    TEXT    NOT NULL,
    correlation_id TEXT    NOT NULL,
    prev_hash      TEXT    NOT NULL,
    hash           TEXT    NOT NULL,
    UNIQUE (stream, revision)
  ) STRICT;
  `,
  // The ledger's Merkle tree (events/merkle.ts): its frontier, extended in every append
  // transaction; and the signed checkpoints of it (the signing key is never in this file).
  // A store that already has events gets its tree computed once, in the migrating transaction.
  `
  CREATE TABLE IF NOT EXISTS ledger_tree (
    id            INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    size          INTEGER NOT NULL CHECK (size >= 0),
    last_position INTEGER NOT NULL CHECK (last_position >= 0),
    frontier      TEXT    NOT NULL
  ) STRICT;

  CREATE TABLE IF NOT EXISTS checkpoints (
    tree_size INTEGER NOT NULL PRIMARY KEY,
    root_hash TEXT    NOT NULL,
    note      TEXT    NOT NULL,
    issued_at TEXT    NOT NULL
  ) STRICT;
  `,
  // Files stored with their events (a certificate's PDF, docs/decisions.md W21), content-addressed:
  // written in the append's transaction, never updated (INSERT OR IGNORE of the same bytes under
  // the same hash).
  `
  CREATE TABLE IF NOT EXISTS files (
    sha256 TEXT    NOT NULL PRIMARY KEY CHECK (length(sha256) = 64),
    bytes  BLOB    NOT NULL,
    size   INTEGER NOT NULL CHECK (size >= 0)
  ) STRICT;
  `,
  // The event ids' uniqueness moves from UNIQUE(event_id) on events, which took every random id
  // on a page of its own, to an index merged in batches (sqlite-event-ids.ts, decisions W32).
  // SQLite cannot drop a column's UNIQUE: the table is copied, positions and the AUTOINCREMENT
  // high-water mark kept, then every stored id goes into event_ids in one sorted INSERT.
  `
  CREATE TABLE events_v4 (
    position       INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id       TEXT    NOT NULL,
    stream         TEXT    NOT NULL REFERENCES streams (stream),
    revision       INTEGER NOT NULL,
    type           TEXT    NOT NULL,
    schema_version INTEGER NOT NULL,
    data           TEXT    NOT NULL,
    recorded_at    TEXT    NOT NULL,
    recorded_by    TEXT    NOT NULL,
    correlation_id TEXT    NOT NULL,
    prev_hash      TEXT    NOT NULL,
    hash           TEXT    NOT NULL,
    UNIQUE (stream, revision)
  ) STRICT;
  INSERT INTO events_v4 (position, event_id, stream, revision, type, schema_version, data, recorded_at, recorded_by, correlation_id, prev_hash, hash)
    SELECT position, event_id, stream, revision, type, schema_version, data, recorded_at, recorded_by, correlation_id, prev_hash, hash
    FROM events ORDER BY position;
  UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)) WHERE name = 'events_v4';
  DROP TABLE events;
  ALTER TABLE events_v4 RENAME TO events;

  CREATE TABLE event_ids (
    event_id TEXT    NOT NULL PRIMARY KEY,
    position INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  INSERT INTO event_ids (event_id, position) SELECT event_id, position FROM events ORDER BY event_id;

  CREATE TABLE event_ids_merged (
    id      INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    through INTEGER NOT NULL CHECK (through >= 0)
  ) STRICT;
  INSERT INTO event_ids_merged (id, through) SELECT 1, coalesce(max(position), 0) FROM events;
  `,
];

/** The schema version this code writes. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Applies the pending migrations in one `BEGIN IMMEDIATE` transaction (concurrent opens wait).
 * `target` is for tests that make a file as an earlier version of the program left it.
 */
export function migrate(db: Database.Database, target = MIGRATIONS.length): void {
  const run = db.transaction(() => {
    // Read inside the write transaction: another process may have migrated meanwhile.
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new Error(`${db.name} has schema version ${current}, newer than this program's ${MIGRATIONS.length}: upgrade the program`);
    }
    for (let version = current; version < target; version++) db.exec(MIGRATIONS[version]);
    if (current < 2 && target >= 2) seedTree(db);
    if (current < target) db.pragma(`user_version = ${target}`);
  });
  run.immediate();
}

/** Migration 2 on a store that has events: the tree over all of them, once. */
function seedTree(db: Database.Database): void {
  const tree = loadTree(undefined);
  const rows = db.prepare('SELECT position, hash FROM events ORDER BY position').iterate() as IterableIterator<{ position: number; hash: string }>;
  extendTree(tree, rows);
  if (tree.frontier.size === 0) return;
  const row = storeTree(tree);
  db.prepare('INSERT INTO ledger_tree (id, size, last_position, frontier) VALUES (1, ?, ?, ?)').run(row.size, row.lastPosition, row.frontier);
}
