/**
 * The SQLite adapter's schema and its migrations.
 */
import type Database from 'better-sqlite3';
import { extendTree, loadTree, storeTree } from '../append-support';
import { SQLITE_ORDERED_PREDICATE } from '../sql/event-keys';

/**
 * Schema migrations, in order; `PRAGMA user_version` is the number applied. Append only: never
 * edit one that has shipped. They run in one transaction with the version they bring.
 */
const MIGRATIONS: readonly (string | ((db: Database.Database) => void))[] = [
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
  // Random event ids off the hot index (issue 15; src/store/sql/event-keys.ts): UNIQUE(event_id)
  // becomes a partial unique index over the time-ordered ids, and every other id is kept unique
  // in its own small table. SQLite cannot drop a table's UNIQUE constraint, so the events table
  // is rebuilt, positions and the AUTOINCREMENT sequence (which may be ahead of the last event)
  // kept as they were; the tree, chains and heads are untouched. Skipped where event_keys exists
  // (a store whose user_version was set back by hand, as a test of migration 2 does).
  (db) => {
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'event_keys'").get()) return;
    db.exec(`
  CREATE TEMP TABLE migration_3_sequence AS SELECT seq FROM sqlite_sequence WHERE name = 'events';
  CREATE TABLE events_v3 (
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
  INSERT INTO events_v3 SELECT position, event_id, stream, revision, type, schema_version, data, recorded_at, recorded_by, correlation_id, prev_hash, hash
    FROM events ORDER BY position;
  DROP TABLE events;
  ALTER TABLE events_v3 RENAME TO events;
  DELETE FROM sqlite_sequence WHERE name = 'events';
  INSERT INTO sqlite_sequence (name, seq) SELECT 'events', seq FROM migration_3_sequence;
  DROP TABLE migration_3_sequence;
  CREATE UNIQUE INDEX events_ordered_event_id ON events (event_id) WHERE ${SQLITE_ORDERED_PREDICATE};
  CREATE TABLE event_keys (
    event_id TEXT    NOT NULL PRIMARY KEY,
    position INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  INSERT INTO event_keys (event_id, position) SELECT event_id, position FROM events WHERE NOT (${SQLITE_ORDERED_PREDICATE}) ORDER BY event_id;
  `);
  },
];

/** The schema version this code writes. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

/** Applies the pending migrations in one `BEGIN IMMEDIATE` transaction (concurrent opens wait). */
export function migrate(db: Database.Database): void {
  const run = db.transaction(() => {
    // Read inside the write transaction: another process may have migrated meanwhile.
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new Error(`${db.name} has schema version ${current}, newer than this program's ${MIGRATIONS.length}: upgrade the program`);
    }
    for (let version = current; version < MIGRATIONS.length; version++) {
      const migration = MIGRATIONS[version];
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
    }
    if (current < 2) seedTree(db);
    if (current !== MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
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
