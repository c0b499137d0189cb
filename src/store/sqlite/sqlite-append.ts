/**
 * The SQLite append. Every append (or appendMany batch) is one `BEGIN IMMEDIATE` transaction,
 * which takes SQLite's single write lock before reading the stream head, so the expected-revision
 * check, the hash chain and the insert cannot interleave with another connection's or another
 * process's append (they wait up to busy_timeout for the lock). Event ids are checked against the
 * store's index of them (sqlite-event-ids.ts) under the same lock. UNIQUE(stream, revision) and
 * the conditional update of the stream head are a second line of defence, mapped to the port's
 * errors. The ledger tree's row is read and written under the same lock. Readers see committed
 * appends whole (WAL snapshots).
 */
import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../../events/envelope';
import {
  ChainedEvent,
  chainEvents,
  checkExpectedRevision,
  extendTree,
  nextRecordedAt,
  StoredTree,
  TreeRowCache,
  validateBatch,
  validateFiles,
  ValidatedRequest,
  WorkingTree,
} from '../append-support';
import { AppendRequest, AppendResult, NewFile, DuplicateEventIdError, WrongExpectedRevisionError } from '../event-store.port';
import type { SqlAppends } from '../sql/sql-event-store';
import { isUniqueViolation } from './sqlite-errors';
import { EventIdChanges, SqliteEventIds } from './sqlite-event-ids';
import { HEAD_COLUMNS, HeadRow, toStoredTree, TREE_COLUMNS, TreeRow } from '../sql/sql-rows';

/** What the append transaction returns, for what this connection keeps once it has committed. */
interface Committed {
  results: AppendResult[];
  ids: EventIdChanges;
  written?: { row: StoredTree; tree: WorkingTree };
}

export class SqliteAppends implements SqlAppends {
  private readonly stmt: {
    selectHead: Database.Statement<[string], HeadRow>;
    maxRevision: Database.Statement<[string], { revision: number | null }>;
    insertEvent: Database.Statement<[string, string, number, string, number, string, string, string, string, string, string]>;
    insertHead: Database.Statement<[string, number, string, string]>;
    updateHead: Database.Statement<[number, string, string, string, number]>;
    selectTree: Database.Statement<[], TreeRow>;
    upsertTree: Database.Statement<[number, number, string]>;
    insertFile: Database.Statement<[string, Buffer, number]>;
  };

  private readonly transaction: Database.Transaction<(plans: ValidatedRequest[], now: Date, files: NewFile[]) => Committed>;
  private readonly treeCache = new TreeRowCache();

  constructor(
    db: Database.Database,
    private readonly now: () => Date,
    private readonly ids: SqliteEventIds,
  ) {
    this.stmt = {
      selectHead: db.prepare(`SELECT ${HEAD_COLUMNS} FROM streams WHERE stream = ?`),
      maxRevision: db.prepare('SELECT MAX(revision) AS revision FROM events WHERE stream = ?'),
      insertEvent: db.prepare(
        `INSERT INTO events (event_id, stream, revision, type, schema_version, data, recorded_at, recorded_by, correlation_id, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertHead: db.prepare('INSERT INTO streams (stream, revision, hash, last_recorded_at) VALUES (?, ?, ?, ?)'),
      updateHead: db.prepare('UPDATE streams SET revision = ?, hash = ?, last_recorded_at = ? WHERE stream = ? AND revision = ?'),
      selectTree: db.prepare(`SELECT ${TREE_COLUMNS} FROM ledger_tree WHERE id = 1`),
      insertFile: db.prepare('INSERT OR IGNORE INTO files (sha256, bytes, size) VALUES (?, ?, ?)'),
      upsertTree: db.prepare(
        'INSERT INTO ledger_tree (id, size, last_position, frontier) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET size = excluded.size, last_position = excluded.last_position, frontier = excluded.frontier',
      ),
    };

    this.transaction = db.transaction((plans: ValidatedRequest[], now: Date, files: NewFile[]) => {
      // The tree is read and written under the same write lock as the events.
      const treeRow = this.stmt.selectTree.get();
      const tree = this.treeCache.load(treeRow && toStoredTree(treeRow));
      this.ids.catchUp();
      const results = plans.map((plan) => this.appendInTransaction(plan, now, tree));
      // The files come with the events: committed together or not at all.
      for (const file of files) this.stmt.insertFile.run(file.sha256, file.bytes, file.bytes.length);
      const ids = this.ids.mergeIfDue(results.flatMap((r) => r.events.map((e): [string, number] => [e.eventId, e.position])));
      if (!results.some((r) => r.events.length > 0)) return { results, ids };
      const row = this.treeCache.store(tree);
      this.stmt.upsertTree.run(row.size, row.lastPosition, row.frontier);
      return { results, ids, written: { row, tree } };
    });
  }

  append(batch: AppendRequest[]): AppendResult[] {
    // Shape checks and JSON normalisation need no lock: done before the transaction starts.
    const plans = validateBatch(batch);
    const files = batch.flatMap((request) => validateFiles(request.files));
    let committed: Committed;
    try {
      committed = this.transaction.immediate(plans, this.now(), files);
    } catch (err) {
      // Refusals change nothing; after anything else the id cache is read again.
      if (!(err instanceof DuplicateEventIdError || err instanceof WrongExpectedRevisionError)) this.ids.forget();
      throw err;
    }
    const { results, ids, written } = committed;
    this.ids.committed(ids);
    if (written) this.treeCache.committed(written.row, written.tree);
    return results;
  }

  /** One request of an append, inside the BEGIN IMMEDIATE transaction. Throwing rolls back everything. */
  private appendInTransaction({ stream, expectedRevision, validated }: ValidatedRequest, now: Date, tree: WorkingTree): AppendResult {
    const headRow = this.stmt.selectHead.get(stream);
    checkExpectedRevision(stream, expectedRevision, headRow?.revision);
    // Ids repeated inside the batch were refused by validateBatch; stored ones are found here.
    for (const { event } of validated) if (this.ids.positionOf(event.eventId) !== undefined) throw new DuplicateEventIdError(event.eventId);
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
      // UNIQUE(stream, revision): rows the streams index does not know of (the file was edited).
      throw isUniqueViolation(err) ? conflict() : err;
    }
  }
}
