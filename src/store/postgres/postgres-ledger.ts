/**
 * The PostgreSQL ledger tree head and signed checkpoints. Positions of an identity column skip
 * the values of rolled-back appends: the tree size is the witness here, no issuedPosition.
 */
import type { StoredTree } from '../append-support';
import type { StoredCheckpoint } from '../event-store.port';
import type { SqlLedger } from '../sql/sql-event-store';
import { CHECKPOINT_COLUMNS, CheckpointRow, toStoredCheckpoint, toStoredTree, TREE_COLUMNS, TreeRow } from '../sql/sql-rows';
import type { Query } from './postgres-errors';

export class PostgresLedger implements SqlLedger {
  constructor(private readonly query: Query) {}

  async tree(): Promise<{ row: StoredTree }> {
    const { rows: [row] } = await this.query<TreeRow>(`SELECT ${TREE_COLUMNS} FROM ledger_tree WHERE id = 1`);
    if (!row) throw new Error('the ledger_tree row is missing: the store was altered');
    return { row: toStoredTree(row) };
  }

  async saveCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    await this.query('INSERT INTO checkpoints (tree_size, root_hash, note, issued_at) VALUES ($1, $2, $3, $4) ON CONFLICT (tree_size) DO NOTHING', [
      checkpoint.treeSize,
      checkpoint.rootHash,
      checkpoint.note,
      checkpoint.issuedAt,
    ]);
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    const { rows: [row] } = await this.query<CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints ORDER BY tree_size DESC LIMIT 1`);
    return row ? toStoredCheckpoint(row) : undefined;
  }
}
