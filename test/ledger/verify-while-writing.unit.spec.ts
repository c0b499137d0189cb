/**
 * A verification that reads the store's tree head before the log's first events are appended
 * (the server's verification at start while the first writes land) reads the log with them: it
 * must not report the tree record as deleted. A tree record that is really missing still is.
 */
import { randomUUID } from 'node:crypto';
import { RegisterAgencyCommand, RegisterAgencyHandler } from '../../src/agencies/register-agency';
import { verifyLedger } from '../../src/ledger/ledger-verifier';
import type { EventStore } from '../../src/store/event-store.port';
import { MemoryEventStore } from '../../src/store/memory/memory-event-store';
import { LedgerWriter } from '../../src/write/ledger-writer';

const ctx = () => ({ agencyId: 'ramsey-so', recordedBy: 'unit', correlationId: randomUUID() });

/** The store, whose first ledgerHead answers `first` (the head as it was before the appends). */
function headReadEarlier(store: EventStore, first: Awaited<ReturnType<EventStore['ledgerHead']>>): EventStore {
  let calls = 0;
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'ledgerHead') return () => (calls++ === 0 ? Promise.resolve(first) : target.ledgerHead());
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

it('an empty head read before the first appends is read again, and the ledger verifies', async () => {
  const store = new MemoryEventStore();
  const before = await store.ledgerHead();
  expect(before.treeSize).toBe(0);
  await new RegisterAgencyHandler(new LedgerWriter(store)).execute(new RegisterAgencyCommand(ctx(), 'Ramsey County Sheriff'));
  const report = await verifyLedger({ store: headReadEarlier(store, before), checkpoints: [] });
  expect(report.firstBroken).toBeUndefined();
  expect(report.ok).toBe(true);
});

it('a tree record missing on every read is still reported', async () => {
  const store = new MemoryEventStore();
  const empty = await store.ledgerHead();
  await new RegisterAgencyHandler(new LedgerWriter(store)).execute(new RegisterAgencyCommand(ctx(), 'Ramsey County Sheriff'));
  const missing = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'ledgerHead') return () => Promise.resolve(empty);
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const report = await verifyLedger({ store: missing, checkpoints: [] });
  expect(report.ok).toBe(false);
  expect(report.firstBroken?.reason).toMatch(/Merkle tree is missing/);
});

it('a log that grew from empty while it was read, and again before the head was read a second time, is not reported (the next pass compares it)', async () => {
  const store = new MemoryEventStore();
  const empty = await store.ledgerHead();
  await new RegisterAgencyHandler(new LedgerWriter(store)).execute(new RegisterAgencyCommand(ctx(), 'Ramsey County Sheriff'));
  let calls = 0;
  const growing = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'ledgerHead')
        return async () => {
          if (calls++ === 0) return empty;
          // Three more events appended after the pass ended (their head, not yet read by the pass).
          const now = await target.ledgerHead();
          return { ...now, treeSize: now.treeSize + 3, lastPosition: now.lastPosition + 3 };
        };
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const report = await verifyLedger({ store: growing, checkpoints: [] });
  expect(report.firstBroken).toBeUndefined();
  expect(report.ok).toBe(true);
});
