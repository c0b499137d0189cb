/** ChainVerifier (events/integrity.ts): its state copied, for the verification that keeps its pass over the log (src/ledger/log-pass.ts). */
import type { RecordedEvent } from '../../events/envelope';
import { ChainVerifier, GENESIS_HASH, hashEvent } from '../../events/integrity';

describe('ChainVerifier.clone', () => {
  it('goes on from the same state without changing the one it was taken from', () => {
    const chain = (n: number, stream = 's') => {
      const out: RecordedEvent[] = [];
      let prevHash = GENESIS_HASH;
      for (let revision = 0; revision < n; revision++) {
        const fields = { eventId: `${stream}-${revision}`, stream, revision, type: 'T', schemaVersion: 1, data: { revision }, recordedAt: '2025-01-01T00:00:00.000Z', recordedBy: 'x', correlationId: 'c', prevHash };
        const hash = hashEvent(fields);
        out.push({ ...fields, hash, position: revision + 1 });
        prevHash = hash;
      }
      return out;
    };
    const events = chain(4);
    const original = new ChainVerifier();
    for (const e of events.slice(0, 2)) original.add(e);
    const copy = original.clone();
    for (const e of events.slice(2)) copy.add(e);
    expect(copy.revisionOf('s')).toBe(3);
    expect(copy.report()).toEqual({ ok: true, eventsChecked: 4 });
    // The original is where it was: the same events go on it, and a skipped one breaks it.
    expect(original.revisionOf('s')).toBe(1);
    expect(original.firstHashOf('s')).toBe(copy.firstHashOf('s'));
    original.add(events[3]);
    expect(original.firstBroken?.reason).toMatch(/expected revision 2, found 3/);
    expect(copy.firstBroken).toBeUndefined();
  });
});
