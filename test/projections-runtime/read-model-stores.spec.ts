/** The ReadModelStore contract on each adapter that runs here. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryReadModelStore } from '../../src/projections-runtime/memory-read-model-store';
import { SqliteReadModelStore } from '../../src/projections-runtime/sqlite-read-model-store';
import { describeReadModelStoreContract } from './read-model-store.contract';

describeReadModelStoreContract('memory', async () => new MemoryReadModelStore());
describeReadModelStoreContract('SQLite', async () => new SqliteReadModelStore(join(mkdtempSync(join(tmpdir(), 'sro-rm-')), 'rm.db')));
