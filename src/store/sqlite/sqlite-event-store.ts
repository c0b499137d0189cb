/**
 * SQLite adapter of the event store port (better-sqlite3 12). All of this adapter's SQL is in
 * this file.
 *
 * Durability (SPEC §7): WAL journal with synchronous=FULL, so a committed append (an
 * acknowledged write) survives a crash of the process and of the machine. Bulk paths batch many
 * events per transaction (appendMany) instead of weakening that.
 *
 * Concurrency: every append is one `BEGIN IMMEDIATE` transaction, which takes SQLite's single
 * write lock before reading the stream head, so the expected-revision check, the hash chain and
 * the insert cannot interleave with another connection's or another process's append (they
 * wait up to busy_timeout for the lock). UNIQUE(event_id), UNIQUE(stream, revision) and the
 * conditional update of the stream head are a second line of defence, mapped to the port's
 * errors. Readers see committed appends whole (WAL snapshots).
 *
 * better-sqlite3 is synchronous: nothing here holds a statement iterator open across an await.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { NewEvent, RecordedEvent } from '../../../events/envelope';
import {
  assertReadAllOptions,
  assertStreamName,
  ChainedEvent,
  chainEvents,
  checkExpectedRevision,
  DEFAULT_READ_BATCH,
  extendTree,
  loadTree,
  nextRecordedAt,
  prefixUpperBound,
  StoredTree,
  storeTree,
  TreeRowCache,
  ValidatedEvent,
  validateNewEvents,
} from '../append-support';
import {
  AppendRequest,
  AppendResult,
  DuplicateEventIdError,
  EventStore,
  ExpectedRevision,
  LedgerHead,
  ReadAllOptions,
  StoredCheckpoint,
  StreamHead,
  WrongExpectedRevisionError,
} from '../event-store.port';

export interface SqliteEventStoreOptions {
  /** The clock that recordedAt comes from (tests make it go backwards). Default: the system clock. */
  now?: () => Date;
  /** How long an append waits for another connection's write lock. Default 5000 ms. */
  busyTimeoutMs?: number;
}

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

const EVENT_COLUMNS =
  'position, event_id, stream, revision, type, schema_version, data, recorded_at, recorded_by, correlation_id, prev_hash, hash';

interface EventRow {
  position: number;
  event_id: string;
  stream: string;
  revision: number;
  type: string;
  schema_version: number;
  data: string;
  recorded_at: string;
  recorded_by: string;
  correlation_id: string;
  prev_hash: string;
  hash: string;
}

interface HeadRow {
  stream: string;
  revision: number;
  hash: string;
  last_recorded_at: string;
}

/** The one place a row becomes a RecordedEvent. */
function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    eventId: row.event_id,
    stream: row.stream,
    revision: row.revision,
    position: row.position,
    type: row.type,
    schemaVersion: row.schema_version,
    data: JSON.parse(row.data) as unknown,
    recordedAt: row.recorded_at,
    recordedBy: row.recorded_by,
    correlationId: row.correlation_id,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function toStreamHead(row: HeadRow): StreamHead {
  return { stream: row.stream, revision: row.revision, hash: row.hash, lastRecordedAt: row.last_recorded_at };
}

function isUniqueViolation(err: unknown): err is Error & { code: string } {
  // By code alone, not instanceof: an error made by the native addon can come from another realm
  // (jest's sandbox), where neither SqliteError nor Error is the class seen here.
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

type WorkingTree = ReturnType<typeof loadTree>;

interface PlannedAppend {
  stream: string;
  expectedRevision: ExpectedRevision;
  validated: ValidatedEvent[];
}

export class SqliteEventStore implements EventStore {
  private readonly now: () => Date;
  private closed = false;

  private readonly stmt: {
    selectHead: Database.Statement<[string], HeadRow>;
    eventIdExists: Database.Statement<[string], { one: number }>;
    maxRevision: Database.Statement<[string], { revision: number | null }>;
    insertEvent: Database.Statement<[string, string, number, string, number, string, string, string, string, string, string]>;
    insertHead: Database.Statement<[string, number, string, string]>;
    updateHead: Database.Statement<[number, string, string, string, number]>;
    selectStream: Database.Statement<[string, number], EventRow>;
    selectPage: Database.Statement<[number, number], EventRow>;
    selectEvent: Database.Statement<[string], EventRow>;
    listFrom: Database.Statement<[string], HeadRow>;
    listRange: Database.Statement<[string, string], HeadRow>;
    selectTree: Database.Statement<[], StoredTree>;
    upsertTree: Database.Statement<[number, number, string]>;
    issuedPosition: Database.Statement<[], { seq: number }>;
    insertCheckpoint: Database.Statement<[number, string, string, string]>;
    latestCheckpoint: Database.Statement<[], { tree_size: number; root_hash: string; note: string; issued_at: string }>;
  };

  private readonly appendTransaction: Database.Transaction<
    (plans: PlannedAppend[], now: Date) => { results: AppendResult[]; written?: { row: StoredTree; tree: WorkingTree } }
  >;
  private readonly treeCache = new TreeRowCache();

  /** Opens (creating the parent directory and the file if missing) and migrates the database. */
  static open(file: string, options: SqliteEventStoreOptions = {}): SqliteEventStore {
    if (typeof file !== 'string' || file.length === 0) throw new TypeError('SqliteEventStore.open: a file path is required');
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const db = new Database(file);
    try {
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
    this.now = options.now ?? (() => new Date());
    // busy_timeout first: switching to WAL and migrating may wait for another process.
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal' && !db.memory) throw new Error(`could not switch ${db.name} to WAL journal mode (got ${String(mode)})`);
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // 64 MB of page cache (the default is 2 MB): the event_id index takes random inserts, and at a
    // million events it no longer fits the default cache. No effect on durability.
    db.pragma('cache_size = -65536');
    this.migrate();

    this.stmt = {
      selectHead: db.prepare('SELECT stream, revision, hash, last_recorded_at FROM streams WHERE stream = ?'),
      eventIdExists: db.prepare('SELECT 1 AS one FROM events WHERE event_id = ?'),
      maxRevision: db.prepare('SELECT MAX(revision) AS revision FROM events WHERE stream = ?'),
      insertEvent: db.prepare(
        `INSERT INTO events (event_id, stream, revision, type, schema_version, data, recorded_at, recorded_by, correlation_id, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertHead: db.prepare('INSERT INTO streams (stream, revision, hash, last_recorded_at) VALUES (?, ?, ?, ?)'),
      updateHead: db.prepare('UPDATE streams SET revision = ?, hash = ?, last_recorded_at = ? WHERE stream = ? AND revision = ?'),
      selectStream: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision`),
      selectPage: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`),
      selectEvent: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE event_id = ?`),
      listFrom: db.prepare('SELECT stream, revision, hash, last_recorded_at FROM streams WHERE stream >= ? ORDER BY stream'),
      listRange: db.prepare('SELECT stream, revision, hash, last_recorded_at FROM streams WHERE stream >= ? AND stream < ? ORDER BY stream'),
      selectTree: db.prepare('SELECT size, last_position AS lastPosition, frontier FROM ledger_tree WHERE id = 1'),
      upsertTree: db.prepare(
        'INSERT INTO ledger_tree (id, size, last_position, frontier) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET size = excluded.size, last_position = excluded.last_position, frontier = excluded.frontier',
      ),
      issuedPosition: db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'"),
      insertCheckpoint: db.prepare('INSERT INTO checkpoints (tree_size, root_hash, note, issued_at) VALUES (?, ?, ?, ?) ON CONFLICT (tree_size) DO NOTHING'),
      latestCheckpoint: db.prepare('SELECT tree_size, root_hash, note, issued_at FROM checkpoints ORDER BY tree_size DESC LIMIT 1'),
    };

    this.appendTransaction = db.transaction((plans: PlannedAppend[], now: Date) => {
      // The tree is read and written under the same write lock as the events.
      const tree = this.treeCache.load(this.stmt.selectTree.get());
      const results = plans.map((plan) => this.appendInTransaction(plan, now, tree));
      if (!results.some((r) => r.events.length > 0)) return { results };
      const row = this.treeCache.store(tree);
      this.stmt.upsertTree.run(row.size, row.lastPosition, row.frontier);
      return { results, written: { row, tree } };
    });
  }

  private migrate(): void {
    const run = this.db.transaction(() => {
      // Read inside the write transaction: another process may have migrated meanwhile.
      const current = this.db.pragma('user_version', { simple: true }) as number;
      if (current > MIGRATIONS.length) {
        throw new Error(`${this.db.name} has schema version ${current}, newer than this program's ${MIGRATIONS.length}: upgrade the program`);
      }
      for (let version = current; version < MIGRATIONS.length; version++) this.db.exec(MIGRATIONS[version]);
      if (current < 2) this.seedTree();
      if (current !== MIGRATIONS.length) this.db.pragma(`user_version = ${MIGRATIONS.length}`);
    });
    run.immediate();
  }

  /** Migration 2 on a store that has events: the tree over all of them, once. */
  private seedTree(): void {
    const tree = loadTree(undefined);
    const rows = this.db.prepare('SELECT position, hash FROM events ORDER BY position').iterate() as IterableIterator<{ position: number; hash: string }>;
    extendTree(tree, rows);
    if (tree.frontier.size === 0) return;
    const row = storeTree(tree);
    this.db.prepare('INSERT INTO ledger_tree (id, size, last_position, frontier) VALUES (1, ?, ?, ?)').run(row.size, row.lastPosition, row.frontier);
  }

  /** The database file (read models live in it too). */
  get file(): string {
    return this.db.name;
  }

  async appendToStream(stream: string, events: NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    const [result] = this.append([{ stream, events, expectedRevision: options?.expectedRevision }]);
    return result;
  }

  async appendMany(batch: AppendRequest[]): Promise<AppendResult[]> {
    if (!Array.isArray(batch)) throw new TypeError('appendMany: batch must be an array');
    return this.append(batch);
  }

  private append(batch: AppendRequest[]): AppendResult[] {
    this.assertOpen();
    // Shape checks and JSON normalisation need no lock: done before the transaction starts.
    const seen = new Set<string>();
    const plans = batch.map(({ stream, events, expectedRevision }): PlannedAppend => {
      assertStreamName(stream);
      return { stream, expectedRevision, validated: validateNewEvents(events, seen) };
    });
    const { results, written } = this.appendTransaction.immediate(plans, this.now());
    if (written) this.treeCache.committed(written.row, written.tree);
    return results;
  }

  /** One request of an append, inside the BEGIN IMMEDIATE transaction. Throwing rolls back everything. */
  private appendInTransaction({ stream, expectedRevision, validated }: PlannedAppend, now: Date, tree: WorkingTree): AppendResult {
    const headRow = this.stmt.selectHead.get(stream);
    checkExpectedRevision(stream, expectedRevision, headRow?.revision);
    // A stored eventId is found by the insert itself (UNIQUE(event_id), mapped to
    // DuplicateEventIdError in insertEvent): no separate lookup per event. Throwing rolls back.
    if (validated.length === 0) return { nextExpectedRevision: headRow?.revision ?? -1, events: [] };

    const recordedAt = nextRecordedAt(now, headRow?.last_recorded_at);
    const chained = chainEvents(stream, headRow, validated, recordedAt);
    const last = chained[chained.length - 1];
    // Only reachable if the streams index and the events disagree (another writer got past the
    // lock, or someone edited the file): the events table is then the better witness.
    const conflict = () =>
      new WrongExpectedRevisionError(stream, expectedRevision, this.stmt.maxRevision.get(stream)?.revision ?? 'no_stream');

    // The head first (events reference it), conditionally on the revision just read.
    if (headRow) {
      if (this.stmt.updateHead.run(last.revision, last.hash, recordedAt, stream, headRow.revision).changes !== 1) throw conflict();
    } else {
      try {
        this.stmt.insertHead.run(stream, last.revision, last.hash, recordedAt);
      } catch (err) {
        throw isUniqueViolation(err) ? conflict() : err;
      }
    }

    const recorded = chained.map((event, i) => this.insertEvent(event, validated[i].dataJson, conflict));
    extendTree(tree, recorded);
    return { nextExpectedRevision: last.revision, events: recorded };
  }

  private insertEvent(event: ChainedEvent, dataJson: string, conflict: () => Error): RecordedEvent {
    try {
      const info = this.stmt.insertEvent.run(
        event.eventId,
        event.stream,
        event.revision,
        event.type,
        event.schemaVersion,
        dataJson,
        event.recordedAt,
        event.recordedBy,
        event.correlationId,
        event.prevHash,
        event.hash,
      );
      return { ...event, position: Number(info.lastInsertRowid) };
    } catch (err) {
      // The statement failed, the transaction goes on: ask which constraint it was.
      if (isUniqueViolation(err)) throw this.stmt.eventIdExists.get(event.eventId) ? new DuplicateEventIdError(event.eventId) : conflict();
      throw err;
    }
  }

  async readStream(stream: string, options: { fromRevision?: number } = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const fromRevision = options.fromRevision ?? 0;
    if (!Number.isSafeInteger(fromRevision) || fromRevision < 0) throw new TypeError('fromRevision must be an integer >= 0');
    return this.stmt.selectStream.all(stream, fromRevision).map(toRecordedEvent);
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    let after = options.fromPosition ?? 0;
    const batchSize = options.batchSize ?? DEFAULT_READ_BATCH;
    assertReadAllOptions(after, batchSize);
    for (;;) {
      this.assertOpen();
      // Keyset paging: each page is one complete statement, so no cursor stays open while the
      // consumer awaits between events.
      const page = this.stmt.selectPage.all(after, batchSize);
      if (page.length === 0) return;
      after = page[page.length - 1].position;
      for (const row of page) yield toRecordedEvent(row);
    }
  }

  async readEvent(eventId: string): Promise<RecordedEvent | undefined> {
    this.assertOpen();
    const row = this.stmt.selectEvent.get(eventId);
    return row ? toRecordedEvent(row) : undefined;
  }

  async listStreams(prefix: string): Promise<StreamHead[]> {
    this.assertOpen();
    if (typeof prefix !== 'string') throw new TypeError('prefix must be a string');
    // A range on the primary key (no LIKE, so no escaping of '%' and '_' in stream names).
    const upper = prefixUpperBound(prefix);
    const rows = upper === undefined ? this.stmt.listFrom.all(prefix) : this.stmt.listRange.all(prefix, upper);
    return rows.map(toStreamHead);
  }

  async ledgerHead(): Promise<LedgerHead> {
    this.assertOpen();
    const read = this.db.transaction(() => ({ tree: loadTree(this.stmt.selectTree.get()), seq: this.stmt.issuedPosition.get()?.seq ?? 0 }));
    const { tree, seq } = read();
    return { treeSize: tree.frontier.size, rootHash: tree.frontier.root().toString('hex'), lastPosition: tree.lastPosition, issuedPosition: seq };
  }

  async saveCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    this.assertOpen();
    this.stmt.insertCheckpoint.run(checkpoint.treeSize, checkpoint.rootHash, checkpoint.note, checkpoint.issuedAt);
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    this.assertOpen();
    const row = this.stmt.latestCheckpoint.get();
    return row ? { treeSize: row.tree_size, rootHash: row.root_hash, note: row.note, issuedAt: row.issued_at } : undefined;
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

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the event store is closed');
  }
}
