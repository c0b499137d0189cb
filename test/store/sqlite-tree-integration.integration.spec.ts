/**
 * The ledger tree off the append path on SQLite (docs/decisions.md W72): appends leave the tree
 * row alone; ledgerHead integrates what is pending, in position order and in batches, before it
 * answers; the integrator processor does the same on the leading server; a deleted tree row is
 * never rebuilt over the log.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { eventLeafHash, MerkleLeaves } from '../../events/merkle';
import { ledgerTreeIntegrator } from '../../src/processors/ledger-tree-integrator';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store';
import { collect, events } from './event-store.contract';

let dir: string;
const opened: SqliteEventStore[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sro-tree-integration-'));
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});
const open = (options: Parameters<typeof SqliteEventStore.open>[1] = {}) => {
  const store = SqliteEventStore.open(path.join(dir, 'events.db'), options);
  opened.push(store);
  return store;
};
const treeRow = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT size, last_position AS lastPosition FROM ledger_tree WHERE id = 1').get() as { size: number; lastPosition: number } | undefined;
  } finally {
    db.close();
  }
};
async function logRoot(store: SqliteEventStore): Promise<string> {
  const leaves = new MerkleLeaves();
  for (const e of await collect(store.readAll())) leaves.push(eventLeafHash(e.hash));
  return leaves.root().toString('hex');
}

it('a new store has the empty tree row; appends leave it; ledgerHead integrates every committed event, in batches', async () => {
  const store = open({ treeIntegrationBatch: 4 });
  expect(treeRow(store.file)).toEqual({ size: 0, lastPosition: 0 });
  await store.appendToStream('a', events(3), { expectedRevision: 'no_stream' });
  await store.appendMany([
    { stream: 'b', events: events(6), expectedRevision: 'no_stream' },
    { stream: 'a', events: events(2), expectedRevision: 2 },
  ]);
  expect(treeRow(store.file)).toEqual({ size: 0, lastPosition: 0 });
  expect(await store.pendingTreeEvents()).toEqual({ events: 11, oldestRecordedAt: expect.any(String) });

  const head = await store.ledgerHead();
  expect(head).toEqual({ treeSize: 11, rootHash: await logRoot(store), lastPosition: 11, issuedPosition: 11 });
  expect(treeRow(store.file)).toEqual({ size: 11, lastPosition: 11 });
  expect(await store.pendingTreeEvents()).toEqual({ events: 0 });
  // Nothing pending: the same head, nothing written.
  expect(await store.ledgerHead()).toEqual(head);
});

it('the integrator processor integrates on its tick', async () => {
  const store = open();
  await store.appendToStream('a', events(5), { expectedRevision: 'no_stream' });
  const integrator = ledgerTreeIntegrator(store);
  expect(integrator).toMatchObject({ name: 'ledger-tree-integrator', schedule: { everyMs: 1000 } });
  expect(integrator.everyServer).toBeUndefined(); // the leader only
  await integrator.tick!(new Date(), { store, now: () => new Date() });
  expect(treeRow(store.file)).toEqual({ size: 5, lastPosition: 5 });
  expect(await store.pendingTreeEvents()).toEqual({ events: 0 });
});

it('another connection integrates what this one appended, each event once, in position order', async () => {
  const writer = open();
  const reader = open();
  await writer.appendToStream('a', events(2), { expectedRevision: 'no_stream' });
  expect((await reader.ledgerHead()).treeSize).toBe(2);
  await writer.appendToStream('b', events(3), { expectedRevision: 'no_stream' });
  expect((await writer.ledgerHead()).treeSize).toBe(5);
  expect(await reader.ledgerHead()).toEqual(await writer.ledgerHead());
  expect((await reader.ledgerHead()).rootHash).toBe(await logRoot(reader));
});

it('a tree row deleted while the log holds events is not rebuilt: ledgerHead refuses, appends still work', async () => {
  const store = open();
  await store.appendToStream('a', events(2), { expectedRevision: 'no_stream' });
  await store.ledgerHead();
  const raw = new Database(store.file);
  raw.prepare('DELETE FROM ledger_tree').run();
  raw.close();
  await store.appendToStream('a', events(1), { expectedRevision: 1 });
  await expect(store.ledgerHead()).rejects.toThrow(/ledger_tree row is missing/);
  // Reopening does not give it back either (only an empty store gets the empty tree's row).
  await store.close();
  const again = open();
  await expect(again.ledgerHead()).rejects.toThrow(/ledger_tree row is missing/);
});
