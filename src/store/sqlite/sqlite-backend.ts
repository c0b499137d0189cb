/**
 * `sqlite:<path>` (or `sqlite:///abs/file.db`): one SQLite file holding the events, their files,
 * the read models and the access log; `sqlite::memory:` keeps the events in memory, the rest too.
 * A relative path is relative to the current directory (docs/reference.md#configuration).
 */
import fs from 'node:fs';
import path from 'node:path';
import { MemoryAccessLogStore } from '../memory/memory-access-log-store';
import { MemoryReadModelStore } from '../memory/memory-read-model-store';
import { MemorySessionStore } from '../memory/memory-session-store';
import { SqliteSessionStore } from './sqlite-session-store';
import { temporaryKeyFile, type Backend, type OpenEventStoreOptions } from '../backend';
import { SqliteAccessLogStore } from './sqlite-access-log-store';
import { SqliteEventStore } from './sqlite-event-store';
import { SqliteReadModelStore } from './sqlite-read-model-store';
import { SqliteProcessorStore } from './sqlite-processor-store';
import { MemoryProcessorStore } from '../../processors/processor-store.port';

/** `given` is the path after `sqlite:` or `sqlite://`, not empty. */
export function sqliteBackend(given: string): Backend {
  const inMemory = given === ':memory:';
  const file = (cwd = process.cwd()) => path.resolve(cwd, given);
  return {
    name: 'sqlite',
    capabilities: { outlivesProcess: !inMemory, sharedBetweenProcesses: !inMemory, readModelsPersist: !inMemory },
    ...(inMemory ? {} : { file: file() }),
    label: `sqlite:${file()}`,
    openEventStore: async (options: OpenEventStoreOptions = {}) => SqliteEventStore.open(inMemory ? given : file(), { now: options.now }),
    // In the same file: a checkpoint commits with its documents and survives restarts.
    openReadModelStore: async () => (inMemory ? new MemoryReadModelStore() : new SqliteReadModelStore(file())),
    // In the same file, on its own connection (docs/decisions.md W28).
    openAccessLogStore: async () => (inMemory ? new MemoryAccessLogStore() : new SqliteAccessLogStore(file())),
    // In the same file: the checkpoints and the lease that decides which process acts.
    openProcessorStore: async (events) => (inMemory ? new MemoryProcessorStore(events) : new SqliteProcessorStore(file())),
    // In the same file: a restart signs no one out (docs/decisions.md W55).
    openSessionStore: async () => (inMemory ? new MemorySessionStore() : new SqliteSessionStore(file())),
    defaultKeyFile(cwd = process.cwd()) {
      if (inMemory) return temporaryKeyFile();
      const key = sqliteKeyFile(file(cwd));
      const legacy = legacyKeyFile(file(cwd));
      return !fs.existsSync(key) && fs.existsSync(legacy) ? legacy : key;
    },
    legacyKeyFile: (cwd = process.cwd()) => (inMemory ? undefined : { legacy: legacyKeyFile(file(cwd)), current: sqliteKeyFile(file(cwd)) }),
  };
}

/**
 * A SQLite database's key, out of the database's folder: `<folder>/../keys/<folder name>/<file
 * name>.ledger-key.pem`, so `./data/sro.db` → `./keys/data/sro.db.ledger-key.pem` (docs/decisions.md W37).
 */
export function sqliteKeyFile(db: string): string {
  const folder = path.dirname(db);
  return path.join(path.dirname(folder), 'keys', path.basename(folder) || 'root', `${path.basename(db)}.ledger-key.pem`);
}

/** Where versions before W37 kept a SQLite ledger's key: beside the database file. */
function legacyKeyFile(db: string): string {
  return path.join(path.dirname(db), 'ledger-key.pem');
}
