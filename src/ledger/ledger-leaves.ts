/**
 * The ledger tree's leaves as this process has read them from the log (32 bytes and one
 * position a leaf: about 40 MB for a million events), kept in step by reading only new events.
 * It serves the proofs, and it is a witness of its own: what it read cannot be changed by a
 * later edit of the database, so the server signs only a tree it has read itself and found
 * equal to the store's recorded head (checkpoint-service.ts), and the verifier compares the log
 * with it.
 */
import { eventLeafHash, MerkleFrontier, MerkleLeaves } from '../../events/merkle';
import type { EventStore } from '../store/event-store.port';
import { setImmediate as nextTurn } from 'node:timers/promises';

export class LedgerLeaves {
  readonly leaves = new MerkleLeaves();
  readonly frontier = MerkleFrontier.empty();
  private positions = new Float64Array(1024);
  private syncing?: Promise<void>;

  constructor(private readonly store: EventStore) {}

  get size(): number {
    return this.leaves.size;
  }

  get lastPosition(): number {
    return this.size === 0 ? 0 : this.positions[this.size - 1];
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
      const p = this.positions[mid];
      if (p === position) return mid;
      if (p < position) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  positionAt(index: number): number {
    return this.positions[index];
  }

  private async readNew(): Promise<void> {
    let read = 0;
    for await (const event of this.store.readAll({ fromPosition: this.lastPosition, batchSize: 1000 })) {
      // A turn of the event loop every 100 events: the first sync reads the whole log (docs/decisions.md W40).
      if (++read % 100 === 0) await nextTurn();
      const leaf = eventLeafHash(event.hash);
      if (this.size === this.positions.length) {
        const larger = new Float64Array(this.positions.length * 2);
        larger.set(this.positions);
        this.positions = larger;
      }
      this.positions[this.size] = event.position;
      this.leaves.push(leaf);
      this.frontier.push(leaf);
    }
  }
}
