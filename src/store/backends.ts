/**
 * The one place that reads a store URL (SRO_STORE, docs/reference.md#configuration;
 * docs/decisions.md W44): the server, the CLI, the configuration and the ledger's options all ask
 * `backendFor`, and get what that backend provides (backend.ts). One folder per backend:
 * - `memory:`                 in memory, lost on exit (tests and demos): memory/;
 * - `sqlite:<path>`           a SQLite file, created if missing; a relative path is relative to
 *                             the current directory (`sqlite:./data/sro.db` is the default);
 *                             `sqlite:///abs/file.db` is accepted too: sqlite/;
 * - `postgres://...`, `postgresql://...`: PostgreSQL: postgres/;
 * - `esdb://...`, `esdb+discover://...`, `kurrentdb://...`: EventStoreDB: esdb/.
 */
import path from 'node:path';
import { DEFAULT_STORE_URL, type Backend, type OpenEventStoreOptions } from './backend';
import { esdbBackend } from './esdb/esdb-backend';
import type { EventStore } from './event-store.port';
import { withFilesDirectory } from './files-directory';
import { memoryBackend } from './memory/memory-backend';
import { postgresBackend } from './postgres/postgres-backend';
import { sqliteBackend } from './sqlite/sqlite-backend';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

export { DEFAULT_STORE_URL, type Backend, type BackendCapabilities, type OpenEventStoreOptions } from './backend';

const EXPECTED = 'expected memory:, sqlite:<path>, postgres://... or esdb://...';

/** The backend a store URL names; a bad URL is refused with the same words as ever. */
export function backendFor(url: string): Backend {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new Error(`store URL is empty: ${EXPECTED} (default ${DEFAULT_STORE_URL})`);
  }
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s.exec(url.trim());
  if (!match) throw new Error(`malformed store URL "${url}": ${EXPECTED}`);
  const scheme = match[1].toLowerCase();
  const rest = match[2];
  if (scheme === 'memory') {
    if (rest !== '' && rest !== '//') throw new Error(`malformed store URL "${url}": memory: takes no path`);
    return memoryBackend(url);
  }
  if (scheme === 'sqlite') {
    // sqlite:<path>, or the URL form sqlite://<path> (sqlite:///abs/path.db).
    const file = rest.startsWith('//') ? rest.slice(2) : rest;
    if (file === '') throw new Error(`malformed store URL "${url}": sqlite: needs a file path, e.g. ${DEFAULT_STORE_URL}`);
    return sqliteBackend(file);
  }
  if (scheme === 'postgres' || scheme === 'postgresql') return postgresBackend(url.trim());
  if (/^(esdb|kurrentdb)(\+discover)?$/.test(scheme)) return esdbBackend(url.trim());
  throw new Error(`unknown store URL scheme "${scheme}:" in "${url}": ${EXPECTED}`);
}

/** The backend, or undefined for a URL it refuses (for what only describes a store: the key's place, a label). */
export function knownBackend(url: string | undefined): Backend | undefined {
  try {
    return url === undefined ? undefined : backendFor(url);
  } catch {
    return undefined;
  }
}

/**
 * The forms SRO_STORE may take in the configuration (src/config.ts), one per backend; stricter
 * than `backendFor` on what follows the scheme, as it always was.
 */
const CONFIG_FORMS = [/^memory:(\/\/)?$/i, /^sqlite:(\/\/)?.+$/i, /^(postgres|postgresql):\/\/.*$/i, /^(esdb|kurrentdb)(\+discover)?:\/\/.+$/i];
export const isStoreUrl = (value: string): boolean => CONFIG_FORMS.some((form) => form.test(value));

/**
 * The backend of a store a caller opened itself (tests hand the app an open store): a SQLite
 * file keeps its read models and access log; any other store, or none, is treated as memory:.
 */
export function backendOfOpenStore(store: EventStore): Backend {
  return store instanceof SqliteEventStore && store.file !== ':memory:' ? sqliteBackend(store.file) : memoryBackend();
}

/** Opens the event store a URL names (files in SRO_FILES_DIR when `filesDir` is given). */
export async function openEventStore(url: string, options: OpenEventStoreOptions = {}): Promise<EventStore> {
  const store = await backendFor(url).openEventStore(options);
  // Files in a directory instead of the database (SRO_FILES_DIR); EventStoreDB always has one.
  return options.filesDir && store.capabilities.filesInTransaction ? withFilesDirectory(store, path.resolve(process.cwd(), options.filesDir)) : store;
}
