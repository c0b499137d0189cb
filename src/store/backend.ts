/**
 * What a backend provides (one folder each under src/store/, docs/decisions.md W44): its event
 * store, read-model store, access-log store (its files live with its event store), where a
 * ledger's key is kept by default, and what it can do. `backendFor` (backends.ts) is the one place
 * that reads a store URL (SRO_STORE, docs/reference.md#configuration).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AccessLogStore } from '../access-log/access-log-store';
import type { ReadModelStore } from '../read-models/read-model-store.port';
import type { EventStore } from './event-store.port';
import type { ProcessorStore } from '../processors/processor-store.port';
import type { SessionRecordStore } from '../auth/session-store.port';

export const DEFAULT_STORE_URL = 'sqlite:./data/sro.db';

export interface OpenEventStoreOptions {
  /** The clock that recordedAt comes from. Default: the system clock. */
  now?: () => Date;
  /** Keep files (certificate PDFs) in this directory instead of the database (SRO_FILES_DIR); EventStoreDB default ./data/files. */
  filesDir?: string;
}

export interface BackendCapabilities {
  /** The events outlive the process (false: memory:, sqlite::memory:). */
  readonly outlivesProcess: boolean;
  /** A command run on its own reads the same events as a server would (false: memory:, which lives in one process). */
  readonly sharedBetweenProcesses: boolean;
  /** The read models are kept beside the events and survive a restart (false: rebuilt at each start). */
  readonly readModelsPersist: boolean;
}

export interface Backend {
  readonly name: 'memory' | 'sqlite' | 'postgres' | 'esdb';
  readonly capabilities: BackendCapabilities;
  /** A SQLite database's file, absolute (undefined: not a file, or `:memory:`). */
  readonly file?: string;
  /** The URL as shown to a person (the CLI's `(store: ...)`): a SQLite file's full path, a server's password hidden. */
  readonly label: string;
  openEventStore(options?: OpenEventStoreOptions): Promise<EventStore>;
  /** Where the read models live: beside the events where they persist, in memory otherwise. */
  openReadModelStore(): Promise<ReadModelStore>;
  /** Where the access log lives (docs/decisions.md W28). */
  openAccessLogStore(): Promise<AccessLogStore>;
  /**
   * Where the processors keep their checkpoints and decide who acts (docs/decisions.md W43): beside
   * the events (a table and a lease in the SQLite file, a table and an advisory lock in PostgreSQL),
   * in memory beside `events` otherwise.
   */
  openProcessorStore(events: EventStore): Promise<ProcessorStore>;
  /** Where the console's sessions live (docs/decisions.md W55): beside the events; for EventStoreDB in its access log's SQLite file. */
  openSessionStore(): Promise<SessionRecordStore>;
  /** The ledger's key file when SRO_KEY_FILE is not set (src/ledger/ledger-options.ts). */
  defaultKeyFile(cwd?: string): string;
  /**
   * Where an older version kept this ledger's key (`legacy`), and where it belongs now
   * (`current`): SQLite only, docs/decisions.md W37; undefined for `sqlite::memory:`.
   */
  legacyKeyFile?(cwd?: string): { legacy: string; current: string } | undefined;
}

/** A key file in a fresh temporary directory: for a store that lives as long as its process. */
export function temporaryKeyFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sro-ledger-key-')), 'ledger-key.pem');
}
