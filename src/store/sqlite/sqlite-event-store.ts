/**
 * SQLite adapter of the event store port (better-sqlite3 12). This folder holds all of its SQL,
 * one file per operation, as src/store/postgres/ does:
 * - sqlite-schema.ts: the tables and their migrations (the ledger tree: migration 2);
 * - sqlite-append.ts: the append transaction (stream heads, events, the ledger tree's row);
 * - sqlite-event-ids.ts: the store-wide index of event ids (merged in batches: migration 4);
 * - sqlite-read.ts: readStream, readAll, readEvent, listStreams;
 * - sqlite-ledger.ts: the tree head and the signed checkpoints;
 * - sqlite-errors.ts: which of better-sqlite3's errors is a constraint violation.
 * The port's methods, checked alike for both SQL adapters, are ../sql/sql-event-store.ts; the
 * mapping of rows to the port's values ../sql/sql-rows.ts; the store-independent half of an
 * append (validation, expected revision, recordedAt, hash chain) ../append-support.ts.
 *
 * Durability: WAL journal with synchronous=FULL, so a committed append (an
 * acknowledged write) survives a crash of the process and of the machine. Bulk paths batch many
 * events per transaction (appendMany) instead of weakening that.
 *
 * Concurrency: every append is one `BEGIN IMMEDIATE` transaction (sqlite-append.ts): SQLite's
 * single write lock is taken before the stream heads are read. Readers see committed appends
 * whole (WAL snapshots).
 *
 * better-sqlite3 is synchronous: nothing here holds a statement iterator open across an await.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqlEventStore } from '../sql/sql-event-store';
import { SqliteAppends } from './sqlite-append';
import type { EventIdProblem } from '../event-store.port';
import { checkEventIdIndex, SqliteEventIds } from './sqlite-event-ids';
import { keepSqliteFilePrivate } from './sqlite-file-mode';
import { SqliteFiles } from './sqlite-files';
import { SqliteLedger } from './sqlite-ledger';
import { SqliteReads } from './sqlite-read';
import { migrate } from './sqlite-schema';

export { SQLITE_SCHEMA_VERSION } from './sqlite-schema';

export interface SqliteEventStoreOptions {
  /** The clock that recordedAt comes from (tests make it go backwards). Default: the system clock. */
  now?: () => Date;
  /** How long an append waits for another connection's write lock. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Tail of event ids at which an append merges it into the id index (sqlite-event-ids.ts). Default 16,384; tests make it small. */
  eventIdMergeAt?: number;
}

export class SqliteEventStore extends SqlEventStore {
  /** Opens (creating the parent directory and the file if missing, readable by its owner only) and migrates the database. */
  static open(file: string, options: SqliteEventStoreOptions = {}): SqliteEventStore {
    if (typeof file !== 'string' || file.length === 0) throw new TypeError('SqliteEventStore.open: a file path is required');
    if (file !== ':memory:') {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      keepSqliteFilePrivate(file);
    }
    const db = new Database(file);
    try {
      configure(db, options);
      migrate(db);
      return new SqliteEventStore(db, options);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  private constructor(
    private readonly db: Database.Database,
    options: SqliteEventStoreOptions,
  ) {
    const ids = new SqliteEventIds(db, options.eventIdMergeAt);
    super({
      appends: new SqliteAppends(db, options.now ?? (() => new Date()), ids),
      reads: new SqliteReads(db, ids),
      ledger: new SqliteLedger(db),
      files: new SqliteFiles(db),
    });
  }

  /** The index of event ids against the events (verification; sqlite-event-ids.ts). */
  async checkEventIds(): Promise<EventIdProblem | undefined> {
    this.assertOpen();
    return checkEventIdIndex(this.db);
  }

  /** The database file (read models live in it too). */
  get file(): string {
    return this.db.name;
  }

  /** The connection's settings as SQLite reports them (for health checks and diagnostics). */
  settings(): { file: string; journalMode: string; synchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA'; busyTimeoutMs: number; foreignKeys: boolean; schemaVersion: number } {
    this.assertOpen();
    const synchronous = (['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const)[this.db.pragma('synchronous', { simple: true }) as number];
    return {
      file: this.db.name,
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous,
      busyTimeoutMs: this.db.pragma('busy_timeout', { simple: true }) as number,
      foreignKeys: this.db.pragma('foreign_keys', { simple: true }) === 1,
      schemaVersion: this.db.pragma('user_version', { simple: true }) as number,
    };
  }

  protected closeConnection(): void {
    this.db.close();
  }
}

/** The connection's durability and limits, before anything else touches the file. */
function configure(db: Database.Database, options: SqliteEventStoreOptions): void {
  // busy_timeout first: switching to WAL and migrating may wait for another process.
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal' && !db.memory) throw new Error(`could not switch ${db.name} to WAL journal mode (got ${String(mode)})`);
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // 64 MB of page cache (the default is 2 MB): the event id index is probed at random, and at a
  // million events it no longer fits the default cache; a per-event append touches pages of four
  // tables, and a read of the whole log its every page. No effect on durability. 16 MB saved about
  // 48 MB of memory and cost reads and per-event appends in every repetition of an interleaved
  // A/B (docs/decisions.md W74, W79; docs/performance.md "Appends and reads beside Emmett").
  db.pragma('cache_size = -65536');
}
