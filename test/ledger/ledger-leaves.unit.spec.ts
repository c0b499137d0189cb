/**
 * LedgerLeaves (src/ledger/ledger-leaves.ts): the leaves and positions this process read, held in
 * chunks (docs/decisions.md W76); indexOf and positionAt across the chunks' boundaries, and reads
 * that resume where the last one stopped.
 */
import { createHash } from 'node:crypto';
import { eventLeafHash, MerkleFrontier } from '../../events/merkle';
import { LedgerLeaves } from '../../src/ledger/ledger-leaves';
import type { EventStore } from '../../src/store/event-store.port';

/** A log of `count` events whose positions have gaps (every seventh position skipped). */
function log(count: { n: number }) {
  const events = (from: number) =>
    (async function* () {
      for (let i = 0; i < count.n; i++) {
        const position = i + 1 + Math.floor(i / 6);
        if (position <= from) continue;
        yield { position, hash: createHash('sha256').update(`event ${i}`).digest('hex') };
      }
    })();
  return { readAll: ({ fromPosition = 0 }: { fromPosition?: number } = {}) => events(fromPosition) } as unknown as EventStore;
}

describe('LedgerLeaves across its chunks', () => {
  it('finds every position read, over 65,536 (a chunk of positions) and 32,768 (a chunk of leaves), after two reads', async () => {
    const count = { n: 40_000 };
    const leaves = new LedgerLeaves(log(count));
    await leaves.sync();
    expect(leaves.size).toBe(40_000);
    count.n = 140_001;
    await leaves.sync();
    expect(leaves.size).toBe(140_001);
    const frontier = MerkleFrontier.empty();
    for (let i = 0; i < 140_001; i++) {
      const position = i + 1 + Math.floor(i / 6);
      if (i % 997 === 0 || (i > 65_530 && i < 65_540) || i > 139_990) {
        expect(leaves.positionAt(i)).toBe(position);
        expect(leaves.indexOf(position)).toBe(i);
      }
      frontier.push(eventLeafHash(createHash('sha256').update(`event ${i}`).digest('hex')));
    }
    expect(leaves.indexOf(7)).toBe(-1); // a gap
    expect(leaves.indexOf(10 ** 9)).toBe(-1);
    expect(leaves.lastPosition).toBe(140_001 + Math.floor(140_000 / 6));
    expect(leaves.frontier.root().equals(frontier.root())).toBe(true);
    expect(leaves.leaves.root().equals(frontier.root())).toBe(true);
  });
});
