/**
 * Chooses the event store adapter from a store URL (SRO_STORE, docs/reference.md#configuration):
 * - `memory:`             in-memory (lost on exit; for tests and demos);
 * - `sqlite:<path>`       SQLite file, created if missing; a relative path is relative to the
 *                         current directory (`sqlite:./data/sro.db` is the app's default);
 *                         `sqlite:///abs/file.db` is accepted too;
 * - `postgres://...`, `postgresql://...`: PostgreSQL (postgres/);
 * - `esdb://...`, `esdb+discover://...`, `kurrentdb://...`: EventStoreDB (esdb/), loaded on demand.
 */
import { withFilesDirectory } from './files-directory';
import path from 'node:path';
import type { EventStore } from './event-store.port';
import { MemoryEventStore } from './memory/memory-event-store';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

export const DEFAULT_STORE_URL = 'sqlite:./data/sro.db';

export interface OpenEventStoreOptions {
  /** The clock that recordedAt comes from. Default: the system clock. */
  now?: () => Date;
  /** Keep files (certificate PDFs) in this directory instead of the database (SRO_FILES_DIR); EventStoreDB default ./data/files. */
  filesDir?: string;
}

export async function openEventStore(url: string, options: OpenEventStoreOptions = {}): Promise<EventStore> {
  const store = await openStore(url, options);
  // Files in a directory instead of the database (SRO_FILES_DIR); EventStoreDB always has one.
  return options.filesDir && store.capabilities.filesInTransaction ? withFilesDirectory(store, path.resolve(process.cwd(), options.filesDir)) : store;
}

async function openStore(url: string, options: OpenEventStoreOptions): Promise<EventStore> {
  const filesDir = options.filesDir;
  if (typeof url !== 'string' || url.trim() === '') {
    throw new Error(`store URL is empty: expected memory:, sqlite:<path>, postgres://... or esdb://... (default ${DEFAULT_STORE_URL})`);
  }
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s.exec(url.trim());
  if (!match) {
    throw new Error(`malformed store URL "${url}": expected memory:, sqlite:<path>, postgres://... or esdb://...`);
  }
  const scheme = match[1].toLowerCase();
  const rest = match[2];

  if (scheme === 'memory') {
    if (rest !== '' && rest !== '//') throw new Error(`malformed store URL "${url}": memory: takes no path`);
    return new MemoryEventStore({ now: options.now });
  }
  if (scheme === 'sqlite') {
    // sqlite:<path>, or the URL form sqlite://<path> (sqlite:///abs/path.db).
    const file = rest.startsWith('//') ? rest.slice(2) : rest;
    if (file === '') throw new Error(`malformed store URL "${url}": sqlite: needs a file path, e.g. ${DEFAULT_STORE_URL}`);
    return SqliteEventStore.open(file === ':memory:' ? file : path.resolve(process.cwd(), file), { now: options.now });
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    const { PostgresEventStore } = await import('./postgres/postgres-event-store');
    return PostgresEventStore.open(url.trim(), { now: options.now });
  }
  if (/^(esdb|kurrentdb)(\+discover)?$/.test(scheme)) {
    // Loaded on demand: the gRPC client is only needed by EventStoreDB users.
    const { EsdbEventStore } = await import('./esdb/esdb-event-store');
    // EventStoreDB keeps events only: its files (certificate PDFs) are kept in a directory.
    return withFilesDirectory(await EsdbEventStore.open(url.trim(), { now: options.now }), filesDir ?? path.resolve(process.cwd(), 'data', 'files'));
  }
  throw new Error(`unknown store URL scheme "${scheme}:" in "${url}": expected memory:, sqlite:<path>, postgres://... or esdb://...`);
}
