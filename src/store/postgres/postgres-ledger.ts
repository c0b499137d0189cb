/**
 * The PostgreSQL ledger tree head and signed checkpoints. Positions of an identity column skip
 * the values of rolled-back appends: the tree size is the witness here, no issuedPosition.
 *
 * The tree is off the append path (schema migration 5, docs/decisions.md W72): appends no longer
 * lock its row until COMMIT, and the committed events are integrated here, by whoever asks for
 * the head (`tree()`: the checkpoint signer, the verification, the proof routes) and by the
 * ledger tree integrator every second on the leading server (src/processors). One transaction
 * per batch: a transaction-level advisory lock lets one integrator write at a time (it assigns no
 * transaction id, so the batch's own snapshot does not hold the horizon back), the row is read
 * after it, then the events after the row's last position **below the readers' horizon**
 * (postgres-read.ts): every transaction below it has ended, so an event that commits late with
 * a lower position is held back with everything after it, never skipped: positions are
 * integrated in order, each once, and a gap left by a rolled-back append is simply never filled
 * (the tree counts events, not positions). Batches repeat until one takes fewer than its limit.
 * Nobody waits for that lock: while another process holds it (and may be stalled: a CLI run
 * synchronously by the server that holds it would wait for ever), the head is computed from the
 * committed row and the same pending events, in memory, and nothing is written: the same head,
 * since the tree is a function of the log's prefix.
 */
import type { PoolClient } from 'pg';
import { extendTree, loadTree, storeTree, type StoredTree } from '../append-support';
import type { StoredCheckpoint } from '../event-store.port';
import type { SqlLedger } from '../sql/sql-event-store';
import { CHECKPOINT_COLUMNS, CheckpointRow, toStoredCheckpoint, toStoredTree, TREE_COLUMNS, TreeRow } from '../sql/sql-rows';
import type { Query } from './postgres-errors';
import { TREE_INTEGRATION_LOCK } from './postgres-locks';
import { HORIZON_CTE } from './postgres-read';

/** Events integrated per transaction while catching up. */
export const TREE_INTEGRATION_BATCH = 16_384;

const MISSING = 'the ledger_tree row is missing: the store was altered';

const SELECT_PENDING = `${HORIZON_CTE}
  SELECT position, hash FROM events
  WHERE position > $1 AND tx_id < (SELECT horizon FROM horizon)
  ORDER BY position
  LIMIT $2`;

export class PostgresLedger implements SqlLedger {
  constructor(
    private readonly query: Query,
    private readonly connect: () => Promise<PoolClient>,
    private readonly batchSize = TREE_INTEGRATION_BATCH,
  ) {}

  async tree(): Promise<{ row: StoredTree }> {
    for (;;) {
      const batch = await this.integrateBatch();
      if (!batch) return { row: await this.computed() };
      if (batch.integrated < this.batchSize) return { row: batch.row };
    }
  }

  /** The head over the committed row and the events pending below the horizon, without writing (another integrator is writing). */
  private async computed(): Promise<StoredTree> {
    const { rows: [stored] } = await this.query<TreeRow>(`SELECT ${TREE_COLUMNS} FROM ledger_tree WHERE id = 1`);
    if (!stored) throw new Error(MISSING);
    const tree = loadTree(toStoredTree(stored));
    for (;;) {
      const { rows } = await this.query<{ position: string; hash: string }>(SELECT_PENDING, [tree.lastPosition, this.batchSize]);
      extendTree(
        tree,
        rows.map((r) => ({ position: Number(r.position), hash: r.hash })),
      );
      if (rows.length < this.batchSize) return storeTree(tree);
    }
  }

  /** Committed events not yet in the tree (below the horizon or not), and when the oldest was recorded. */
  async pending(): Promise<{ events: number; oldestRecordedAt?: string }> {
    const { rows: [r] } = await this.query<{ n: string; first: string | null }>(
      'SELECT count(*) AS n, min(e.recorded_at) AS first FROM events e WHERE e.position > (SELECT t.last_position FROM ledger_tree t WHERE t.id = 1)',
    );
    const events = Number(r?.n ?? 0);
    return r?.first ? { events, oldestRecordedAt: r.first } : { events };
  }

  /** One batch integrated and written; undefined when another integrator holds the lock. */
  private async integrateBatch(): Promise<{ row: StoredTree; integrated: number } | undefined> {
    const client = await this.connect();
    let failed: unknown;
    try {
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      const { rows: [{ locked }] } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS locked', [TREE_INTEGRATION_LOCK]);
      if (!locked) {
        await client.query('COMMIT');
        return undefined;
      }
      const { rows: [stored] } = await client.query<TreeRow>(`SELECT ${TREE_COLUMNS} FROM ledger_tree WHERE id = 1`);
      if (!stored) throw new Error(MISSING);
      const row = toStoredTree(stored);
      const { rows } = await client.query<{ position: string; hash: string }>(SELECT_PENDING, [row.lastPosition, this.batchSize]);
      if (rows.length === 0) {
        await client.query('COMMIT');
        return { row, integrated: 0 };
      }
      const tree = loadTree(row);
      extendTree(
        tree,
        rows.map((r) => ({ position: Number(r.position), hash: r.hash })),
      );
      const next = storeTree(tree);
      const updated = await client.query('UPDATE ledger_tree SET size = $1, last_position = $2, frontier = $3 WHERE id = 1', [next.size, next.lastPosition, next.frontier]);
      if ((updated as unknown as { rowCount: number }).rowCount !== 1) throw new Error(MISSING);
      await client.query('COMMIT');
      return { row: next, integrated: rows.length };
    } catch (err) {
      failed = err;
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release(failed !== undefined);
    }
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
