/**
 * The ledger tree's leaves as this process has read them from the log (32 bytes and one
 * 8-byte position a leaf, in chunks: 40 MB for a million events, docs/decisions.md W76), kept in step by reading only new events.
 * It serves the proofs, and it is a witness of its own: what it read cannot be changed by a
 * later edit of the database, so the server signs only a tree it has read itself and found
 * equal to the store's recorded head (checkpoint-service.ts), and the verifier compares the log
 * with it.
 */
import { eventLeafHash, MerkleFrontier, MerkleLeaves } from '../../events/merkle';
import type { EventStore } from '../store/event-store.port';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Positions per chunk (512 KiB). */
const CHUNK_POSITIONS = 65_536;

export class LedgerLeaves {
  readonly leaves = new MerkleLeaves();
  readonly frontier = MerkleFrontier.empty();
  /** The leaves' positions, in chunks of CHUNK_POSITIONS, the first one grown by doubling (no copy of the whole, no half-empty buffer). */
  private readonly positions: Float64Array[] = [];
  private syncing?: Promise<void>;

  constructor(private readonly store: EventStore) {}

  get size(): number {
    return this.leaves.size;
  }

  get lastPosition(): number {
    return this.size === 0 ? 0 : this.positionAt(this.size - 1);
  }

  /** Reads the events committed since the last call (one call at a time). */
  sync(): Promise<void> {
    this.syncing ??= this.readNew().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  /** Leaf index of the event at `position`, or -1. */
  indexOf(position: number): number {
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const p = this.positionAt(mid);
      if (p === position) return mid;
      if (p < position) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  positionAt(index: number): number {
    return this.positions[Math.floor(index / CHUNK_POSITIONS)][index % CHUNK_POSITIONS];
  }

  private pushPosition(position: number): void {
    const chunk = Math.floor(this.size / CHUNK_POSITIONS);
    const at = this.size % CHUNK_POSITIONS;
    if (chunk === this.positions.length) this.positions.push(new Float64Array(chunk === 0 ? 1024 : CHUNK_POSITIONS));
    else if (at === this.positions[chunk].length) {
      const larger = new Float64Array(Math.min(at * 2, CHUNK_POSITIONS));
      larger.set(this.positions[chunk]);
      this.positions[chunk] = larger;
    }
    this.positions[chunk][at] = position;
  }

  private async readNew(): Promise<void> {
    let read = 0;
    for await (const event of this.store.readAll({ fromPosition: this.lastPosition, batchSize: 1000 })) {
      // A turn of the event loop every 100 events: the first sync reads the whole log (docs/decisions.md W40).
      if (++read % 100 === 0) await nextTurn();
      const leaf = eventLeafHash(event.hash);
      this.pushPosition(event.position); // before the leaf: its index is this.size
      this.leaves.push(leaf);
      this.frontier.push(leaf);
    }
  }
}
