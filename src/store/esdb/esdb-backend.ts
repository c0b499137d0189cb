/**
 * `esdb://...`, `esdb+discover://...`, `kurrentdb://...`: EventStoreDB keeps the events only
 * (docs/stores.md): their files are kept in a directory (SRO_FILES_DIR, default ./data/files),
 * the read models in memory (rebuilt at each start), the access log in a SQLite file beside the
 * ledger's default key file. The gRPC client is loaded when the store is opened.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MemoryAccessLogStore } from '../memory/memory-access-log-store';
import { MemoryReadModelStore } from '../memory/memory-read-model-store';
import { temporaryKeyFile, type Backend, type OpenEventStoreOptions } from '../backend';
import { withFilesDirectory } from '../files-directory';
import { serverFile } from '../server-file';
import { SqliteAccessLogStore } from '../sqlite/sqlite-access-log-store';
import { SqliteSessionStore } from '../sqlite/sqlite-session-store';
import { MemorySessionStore } from '../memory/memory-session-store';
import { MemoryProcessorStore } from '../../processors/processor-store.port';

export function esdbBackend(url: string): Backend {
  return {
    name: 'esdb',
    capabilities: { outlivesProcess: true, sharedBetweenProcesses: true, readModelsPersist: false },
    label: url.replace(/\/\/([^@/]*)@/, '//***@'),
    async openEventStore(options: OpenEventStoreOptions = {}) {
      const { EsdbEventStore } = await import('./esdb-event-store');
      return withFilesDirectory(await EsdbEventStore.open(url, { now: options.now }), options.filesDir ?? path.resolve(process.cwd(), 'data', 'files'));
    },
    openReadModelStore: async () => new MemoryReadModelStore(),
    // In each process, as the read models (docs/decisions.md W43): effects are kept once by their event ids.
    openProcessorStore: async (events) => new MemoryProcessorStore(events),
    async openAccessLogStore() {
      const file = serverFile(url, 'access-log', 'db');
      if (!file) return new MemoryAccessLogStore();
      fs.mkdirSync(path.dirname(file), { recursive: true });
      return new SqliteAccessLogStore(file);
    },
    // In the access log's SQLite file (docs/decisions.md W55): sessions of servers sharing that directory.
    async openSessionStore() {
      const file = serverFile(url, 'access-log', 'db');
      if (!file) return new MemorySessionStore();
      fs.mkdirSync(path.dirname(file), { recursive: true });
      return new SqliteSessionStore(file);
    },
    defaultKeyFile: (cwd = process.cwd()) => serverFile(url, 'ledger-key', 'pem', cwd) ?? temporaryKeyFile(),
  };
}
