/** The ReadModelStore contract on each adapter that runs here. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryReadModelStore } from '../../src/store/memory/memory-read-model-store';
import { PostgresReadModelStore } from '../../src/store/postgres/postgres-read-model-store';
import { SqliteReadModelStore } from '../../src/store/sqlite/sqlite-read-model-store';
import { createTestDatabase, describeWithPostgres, TestDatabase, withPostgres } from '../support/postgres';
import { describeReadModelStoreContract } from './read-model-store.contract';

describeReadModelStoreContract('memory', async () => new MemoryReadModelStore());
describeReadModelStoreContract('SQLite', async () => new SqliteReadModelStore(join(mkdtempSync(join(tmpdir(), 'sro-rm-')), 'rm.db')));

describeWithPostgres('PostgreSQL', () => {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());
  describeReadModelStoreContract('PostgreSQL', async () => {
    const store = await PostgresReadModelStore.open(database!.url);
    // Each case starts from empty tables.
    await withPostgres(database!.url, (client) => client.query('TRUNCATE projection_documents, projection_state'));
    return store;
  });
});
