/**
 * The ledger's Merkle tree as every store keeps it (memory, SQLite, PostgreSQL): the head the
 * store records at append equals the tree computed from readAll, after single and batched
 * appends, concurrent appends and refused ones; checkpoints are kept one per size; a store
 * that had events before the tree existed gets it computed once, when it is migrated.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { eventLeafHash, EMPTY_ROOT, MerkleLeaves } from '../../events/merkle';
import type { EventStore } from '../../src/store/event-store.port';
import { MemoryEventStore } from '../../src/store/memory/memory-event-store';
import { PostgresEventStore } from '../../src/store/postgres/postgres-event-store';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store';
import { createTestDatabase, describeWithPostgres, TestDatabase, withPostgres, withSearchPath } from '../support/postgres';
import { collect, events, newEvent } from './event-store.contract';

async function treeFromLog(store: EventStore): Promise<{ treeSize: number; rootHash: string; lastPosition: number }> {
  const leaves = new MerkleLeaves();
  const all = await collect(store.readAll({ batchSize: 7 }));
  for (const event of all) leaves.push(eventLeafHash(event.hash));
  return { treeSize: leaves.size, rootHash: leaves.root().toString('hex'), lastPosition: all.length ? all[all.length - 1].position : 0 };
}

async function expectHeadMatchesLog(store: EventStore): Promise<void> {
  const head = await store.ledgerHead();
  expect({ treeSize: head.treeSize, rootHash: head.rootHash, lastPosition: head.lastPosition }).toEqual(await treeFromLog(store));
}

function describeLedgerTree(name: string, open: () => Promise<EventStore>, reopenWithoutTree?: (store: EventStore) => Promise<EventStore>): void {
  describe(`ledger tree: ${name}`, () => {
    const opened: EventStore[] = [];
    const fresh = async () => {
      const store = await open();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    it('an empty store has the empty tree', async () => {
      const store = await fresh();
      expect(await store.ledgerHead()).toMatchObject({ treeSize: 0, rootHash: EMPTY_ROOT.toString('hex'), lastPosition: 0 });
    });

    it('every append extends the tree in position order: single, batched across streams, concurrent', async () => {
      const store = await fresh();
      await store.appendToStream('a', events(1), { expectedRevision: 'no_stream' });
      await expectHeadMatchesLog(store);
      await store.appendToStream('a', events(6), { expectedRevision: 0 });
      await store.appendMany([
        { stream: 'b', events: events(3), expectedRevision: 'no_stream' },
        { stream: 'a', events: events(2), expectedRevision: 6 },
        { stream: 'c', events: [], expectedRevision: 'any' },
      ]);
      await expectHeadMatchesLog(store);
      await Promise.all(Array.from({ length: 10 }, (_, i) => store.appendToStream(`p-${i}`, events(1 + (i % 3)), { expectedRevision: 'no_stream' })));
      await expectHeadMatchesLog(store);
      expect((await store.ledgerHead()).treeSize).toBe(1 + 6 + 3 + 2 + 10 + 9);
    });

    it('a refused append leaves the tree as it was', async () => {
      const store = await fresh();
      const first = newEvent();
      await store.appendToStream('a', [first], { expectedRevision: 'no_stream' });
      const before = await store.ledgerHead();
      await expect(store.appendToStream('a', events(2), { expectedRevision: 'no_stream' })).rejects.toThrow();
      await expect(store.appendMany([{ stream: 'b', events: events(2), expectedRevision: 'no_stream' }, { stream: 'c', events: [{ ...newEvent(), eventId: first.eventId }], expectedRevision: 'no_stream' }])).rejects.toThrow();
      expect(await store.ledgerHead()).toEqual(before);
      await expectHeadMatchesLog(store);
    });

    it('keeps one checkpoint per tree size and answers the largest', async () => {
      const store = await fresh();
      expect(await store.latestCheckpoint()).toBeUndefined();
      const cp = (treeSize: number, note: string) => ({ treeSize, rootHash: 'ab'.repeat(32), note, issuedAt: '2026-12-01T00:00:00.000Z' });
      await store.saveCheckpoint(cp(3, 'three'));
      await store.saveCheckpoint(cp(9, 'nine'));
      await store.saveCheckpoint(cp(5, 'five'));
      await store.saveCheckpoint(cp(9, 'nine again'));
      expect(await store.latestCheckpoint()).toEqual(cp(9, 'nine'));
    });

    if (reopenWithoutTree) {
      it('a store migrated from before the tree gets the tree of all its events, once', async () => {
        const store = await fresh();
        for (let i = 0; i < 5; i++) await store.appendToStream(`s-${i}`, events(i + 1), { expectedRevision: 'no_stream' });
        const expected = await treeFromLog(store);
        const reopened = await reopenWithoutTree(store);
        opened.push(reopened);
        expect(await reopened.ledgerHead()).toMatchObject(expected);
        await reopened.appendToStream('s-0', events(2), { expectedRevision: 0 });
        await expectHeadMatchesLog(reopened);
      });
    }
  });
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
const sqliteFiles = new WeakMap<EventStore, string>();

describeLedgerTree('memory', async () => new MemoryEventStore());

describeLedgerTree(
  'sqlite',
  async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sro-tree-'));
    dirs.push(dir);
    const file = path.join(dir, 'events.db');
    const store = SqliteEventStore.open(file);
    sqliteFiles.set(store, file);
    return store;
  },
  async (store) => {
    // As a database of schema version 1 would be: no tree tables.
    const file = sqliteFiles.get(store)!;
    await store.close();
    const raw = new Database(file);
    raw.exec('DROP TABLE ledger_tree; DROP TABLE checkpoints; DROP TABLE files; DROP TABLE event_ids; DROP TABLE event_ids_merged; PRAGMA user_version = 1;');
    raw.close();
    return SqliteEventStore.open(file);
  },
);

describeWithPostgres('ledger tree on PostgreSQL', () => {
  let db: TestDatabase;
  let schemas = 0;
  const urls = new WeakMap<EventStore, string>();
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  describeLedgerTree(
    'postgres',
    async () => {
      const schema = `tree_${++schemas}`;
      await withPostgres(db.url, (c) => c.query(`CREATE SCHEMA ${schema}`));
      const url = withSearchPath(db.url, schema);
      const store = await PostgresEventStore.open(url);
      urls.set(store, url);
      return store;
    },
    async (store) => {
      const url = urls.get(store)!;
      await store.close();
      await withPostgres(url, (c) => c.query('DROP TABLE ledger_tree; DROP TABLE checkpoints; DELETE FROM schema_migrations WHERE version >= 2'));
      return PostgresEventStore.open(url);
    },
  );
});
