/**
 * The SQLite ledger tree head and signed checkpoints. AUTOINCREMENT gives the positions of a
 * rolled-back append back, so positions have no legitimate gaps: the highest one issued
 * (sqlite_sequence) is part of the head, and a position missing below it is a deleted event.
 *
 * The tree is off the append path (docs/decisions.md W72): an append writes its events, chains
 * and heads only, and the tree's row is extended here, with the events after its last position
 * in position order, in batches, by whoever asks for the head (`tree()`: the checkpoint signer,
 * the verification, the proof routes) and by the ledger tree integrator every second on the
 * leading server (src/processors/ledger-tree-integrator.ts). Each batch is one BEGIN IMMEDIATE
 * transaction: the row, the events it integrates and the position sequence are read under the
 * write lock, so the head returned always covers every event committed before it (the last
 * batch integrates all that is left) and positions are integrated once each, in order.
 */
import type Database from 'better-sqlite3';
import { extendTree, loadTree, storeTree, type StoredTree } from '../append-support';
import type { StoredCheckpoint } from '../event-store.port';
import type { SqlLedger } from '../sql/sql-event-store';
import { CHECKPOINT_COLUMNS, CheckpointRow, toStoredCheckpoint, toStoredTree, TREE_COLUMNS, TreeRow } from '../sql/sql-rows';

/** Events integrated per write transaction while catching up (a bulk import integrated later holds the write lock this long at most). */
export const TREE_INTEGRATION_BATCH = 16_384;

export class SqliteLedger implements SqlLedger {
  private readonly stmt: {
    selectTree: Database.Statement<[], TreeRow>;
    upsertTree: Database.Statement<[number, number, string]>;
    pending: Database.Statement<[number, number], { position: number; hash: string }>;
    pendingCount: Database.Statement<[number], { n: number; first: string | null }>;
    anyEvent: Database.Statement<[], { position: number }>;
    issuedPosition: Database.Statement<[], { seq: number }>;
    insertCheckpoint: Database.Statement<[number, string, string, string]>;
    latestCheckpoint: Database.Statement<[], CheckpointRow>;
  };
  private readonly integrateBatch: (limit: number) => { row: StoredTree | undefined; issuedPosition: number; integrated: number };

  constructor(
    db: Database.Database,
    private readonly batchSize = TREE_INTEGRATION_BATCH,
  ) {
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new TypeError('treeIntegrationBatch must be an integer >= 1');
    this.stmt = {
      selectTree: db.prepare(`SELECT ${TREE_COLUMNS} FROM ledger_tree WHERE id = 1`),
      upsertTree: db.prepare(
        'INSERT INTO ledger_tree (id, size, last_position, frontier) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET size = excluded.size, last_position = excluded.last_position, frontier = excluded.frontier',
      ),
      pending: db.prepare('SELECT position, hash FROM events WHERE position > ? ORDER BY position LIMIT ?'),
      pendingCount: db.prepare('SELECT count(*) AS n, min(recorded_at) AS first FROM events WHERE position > ?'),
      anyEvent: db.prepare('SELECT position FROM events LIMIT 1'),
      issuedPosition: db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'"),
      insertCheckpoint: db.prepare('INSERT INTO checkpoints (tree_size, root_hash, note, issued_at) VALUES (?, ?, ?, ?) ON CONFLICT (tree_size) DO NOTHING'),
      latestCheckpoint: db.prepare(`SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints ORDER BY tree_size DESC LIMIT 1`),
    };
    // A store with no events starts with the empty tree's row, so that from then on a missing
    // row is a deleted one (an append never writes it any more). One statement: atomic against
    // another process's first append.
    db.prepare("INSERT INTO ledger_tree (id, size, last_position, frontier) SELECT 1, 0, 0, '[]' WHERE NOT EXISTS (SELECT 1 FROM events) ON CONFLICT (id) DO NOTHING").run();
    const integrateBatch = db.transaction((limit: number) => {
      const stored = this.stmt.selectTree.get();
      const issuedPosition = this.stmt.issuedPosition.get()?.seq ?? 0;
      if (!stored) {
        // Deleted (or never written while events exist): nothing is integrated over it; the
        // verification reports the tree record missing (docs/integrity.md).
        if (this.stmt.anyEvent.get()) throw new Error("the ledger_tree row is missing although the log holds events: the store was altered (run verify)");
        return { row: undefined, issuedPosition, integrated: 0 };
      }
      const row = toStoredTree(stored);
      const rows = this.stmt.pending.all(row.lastPosition, limit);
      if (rows.length === 0) return { row, issuedPosition, integrated: 0 };
      const tree = loadTree(row);
      extendTree(tree, rows);
      const next = storeTree(tree);
      this.stmt.upsertTree.run(next.size, next.lastPosition, next.frontier);
      return { row: next, issuedPosition, integrated: rows.length };
    });
    this.integrateBatch = (limit) => integrateBatch.immediate(limit);
  }

  /**
   * The tree with every committed event integrated, and the position sequence, as one write
   * transaction left them: batches of `batchSize` until one finds fewer pending (that one took
   * all that were left, so the head and the sequence agree).
   */
  tree(): { row: StoredTree | undefined; issuedPosition: number } {
    for (;;) {
      const { row, issuedPosition, integrated } = this.integrateBatch(this.batchSize);
      if (integrated < this.batchSize) return { row, issuedPosition };
    }
  }

  /** Events committed and not yet in the tree, and when the oldest of them was recorded (readiness). */
  pending(): { events: number; oldestRecordedAt?: string } {
    const stored = this.stmt.selectTree.get();
    const { n, first } = this.stmt.pendingCount.get(stored ? Number(stored.last_position) : 0) ?? { n: 0, first: null };
    return first === null ? { events: n } : { events: n, oldestRecordedAt: first };
  }

  saveCheckpoint(checkpoint: StoredCheckpoint): void {
    this.stmt.insertCheckpoint.run(checkpoint.treeSize, checkpoint.rootHash, checkpoint.note, checkpoint.issuedAt);
  }

  latestCheckpoint(): StoredCheckpoint | undefined {
    const row = this.stmt.latestCheckpoint.get();
    return row ? toStoredCheckpoint(row) : undefined;
  }
}
