/**
 * The SQLite adapter's schema and its migrations.
 */
import type Database from 'better-sqlite3';
import { extendTree, loadTree, storeTree } from '../append-support';

/**
 * Schema migrations, in order; `PRAGMA user_version` is the number applied. Append only: never
 * edit one that has shipped. Each is idempotent (IF NOT EXISTS) and runs in one transaction.
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
    for (let version = current; version < MIGRATIONS.length; version++) db.exec(MIGRATIONS[version]);
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
