/**
 * ProcessorStore.claim (docs/decisions.md W49), the intent an effect outside the log records
 * before it is made: on every backend, the first claim of a key wins and every later claimant
 * (another store object, as another server or a restart opens) learns who made it and when; keys
 * of different processors are apart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryProcessorStore, type ProcessorStore } from '../../src/processors/processor-store.port';
import { PostgresProcessorStore } from '../../src/store/postgres/postgres-processor-store';
import { SqliteProcessorStore } from '../../src/store/sqlite/sqlite-processor-store';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';

function claimContract(open: () => Promise<ProcessorStore>) {
  it('the first claim wins; a second store opened on the same backend learns it', async () => {
    const a = await open();
    const b = await open();
    try {
      expect(await a.claim('digest', 'notice-1', 'server-a', 1000)).toEqual({ claimant: 'server-a', at: 1000 });
      expect(await b.claim('digest', 'notice-1', 'server-b', 2000)).toEqual({ claimant: 'server-a', at: 1000 });
      expect(await b.claim('digest', 'notice-2', 'server-b', 3000)).toEqual({ claimant: 'server-b', at: 3000 });
      // Another processor's key of the same name is its own.
      expect(await b.claim('other', 'notice-1', 'server-b', 4000)).toEqual({ claimant: 'server-b', at: 4000 });
      // Epoch milliseconds of today survive the round trip.
      const now = Date.now();
      expect(await a.claim('digest', 'notice-3', 'server-a', now)).toEqual({ claimant: 'server-a', at: now });
    } finally {
      await a.close();
      await b.close();
    }
  });
}

describe('claims in memory', () => {
  const scope = {};
  claimContract(async () => new MemoryProcessorStore(scope));
});

describe('claims in a SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sro-claims-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  claimContract(async () => new SqliteProcessorStore(join(dir, 'sro.db')));
});

describeWithPostgres('claims in PostgreSQL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());
  claimContract(() => PostgresProcessorStore.open(database.url));
});
