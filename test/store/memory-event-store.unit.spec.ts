import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withFilesDirectory } from '../../src/store/files-directory';
import { MemoryEventStore } from '../../src/store/memory/memory-event-store';
import { describeEventStoreContract } from './event-store.contract';

describeEventStoreContract('memory', async (options) => new MemoryEventStore(options), { serialAppends: true });

// The files directory (SRO_FILES_DIR; EventStoreDB's files) over a store: the whole contract, files written before their events.
describeEventStoreContract(
  'memory with its files in a directory',
  async (options) => withFilesDirectory(new MemoryEventStore(options), mkdtempSync(join(tmpdir(), 'sro-files-'))),
  { serialAppends: true, filesInTransaction: false },
);
