/**
 * The SQLite ledger tree head and signed checkpoints. AUTOINCREMENT gives the positions of a
 * rolled-back append back, so positions have no legitimate gaps: the highest one issued
 * (sqlite_sequence) is part of the head, and a position missing below it is a deleted event.
 */
import type Database from 'better-sqlite3';
import type { StoredTree } from '../append-support';
import type { StoredCheckpoint } from '../event-store.port';
import type { SqlLedger } from '../sql/sql-event-store';
import { CHECKPOINT_COLUMNS, CheckpointRow, toStoredCheckpoint, toStoredTree, TREE_COLUMNS, TreeRow } from '../sql/sql-rows';

export class SqliteLedger implements SqlLedger {
  private readonly stmt: {
    selectTree: Database.Statement<[], TreeRow>;
    issuedPosition: Database.Statement<[], { seq: number }>;
    insertCheckpoint: Database.Statement<[number, string, string, string]>;
    latestCheckpoint: Database.Statement<[], CheckpointRow>;
  };
  private readonly readTree: () => { row: StoredTree | undefined; issuedPosition: number };

  constructor(db: Database.Database) {
    this.stmt = {
      selectTree: db.prepare(`SELECT ${TREE_COLUMNS} FROM ledger_tree WHERE id = 1`),
      issuedPosition: db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'"),
      insertCheckpoint: db.prepare('INSERT INTO checkpoints (tree_size, root_hash, note, issued_at) VALUES (?, ?, ?, ?) ON CONFLICT (tree_size) DO NOTHING'),
      latestCheckpoint: db.prepare(`SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints ORDER BY tree_size DESC LIMIT 1`),
    };
    // One read transaction: the tree and the sequence as one append left them.
    this.readTree = db.transaction(() => {
      const row = this.stmt.selectTree.get();
      return { row: row && toStoredTree(row), issuedPosition: this.stmt.issuedPosition.get()?.seq ?? 0 };
    });
  }

  tree(): { row: StoredTree | undefined; issuedPosition: number } {
    return this.readTree();
  }

  saveCheckpoint(checkpoint: StoredCheckpoint): void {
    this.stmt.insertCheckpoint.run(checkpoint.treeSize, checkpoint.rootHash, checkpoint.note, checkpoint.issuedAt);
  }

  latestCheckpoint(): StoredCheckpoint | undefined {
    const row = this.stmt.latestCheckpoint.get();
    return row ? toStoredCheckpoint(row) : undefined;
  }
}
