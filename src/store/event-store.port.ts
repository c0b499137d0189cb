/**
 * The event store port: the one interface every adapter (memory, SQLite, PostgreSQL,
 * EventStoreDB) implements, and the one test/store contract suite checks.
 *
 * Guarantees every adapter gives:
 * - an appendToStream is atomic: a reader sees all of its events or none; an appendMany across
 *   streams is atomic only where `capabilities.atomicMultiStreamAppend` says so;
 * - `expectedRevision` is checked in the same transaction as the write; on mismatch nothing is
 *   written and WrongExpectedRevisionError is thrown (HTTP 409);
 * - `recordedAt` is assigned by the store at append, never earlier than the stream's last one;
 * - `prevHash`/`hash` (events/integrity.ts) are computed under the same guard;
 * - an eventId is unique across the store: appending an existing eventId throws
 *   DuplicateEventIdError (the basis of Idempotency-Key retries) and writes nothing;
 * - the ledger's Merkle tree (events/merkle.ts) over every event in position order is extended
 *   in the same transaction (memory, SQLite, PostgreSQL), so `ledgerHead` always commits to
 *   exactly the events a reader can see.
 */
import type { NewEvent, RecordedEvent } from '../../events/envelope';

/**
 * 'no_stream': the stream must not exist. 'any': no check. A number: the revision of the stream's
 * last event (an integer >= 0; -1 is accepted as a synonym of 'no_stream', which is what
 * `nextExpectedRevision` of an empty append to a missing stream returns).
 */
export type ExpectedRevision = 'no_stream' | 'any' | number;

export interface AppendResult {
  /** Revision of the last appended event (for an empty append: the stream's revision, -1 if it does not exist). */
  nextExpectedRevision: number;
  events: RecordedEvent[];
}

/** One stream's part of an `appendMany` batch. */
export interface AppendRequest {
  stream: string;
  events: NewEvent[];
  expectedRevision: ExpectedRevision;
  /** Files stored with the events (a certificate's PDF), content-addressed: see EventStore.readFile. */
  files?: NewFile[];
}

/** A file to store with an append, under the SHA-256 of its bytes (computed by the caller from them). */
export interface NewFile {
  sha256: string;
  bytes: Buffer;
}

export interface StreamHead {
  stream: string;
  /** Revision of the last event. */
  revision: number;
  /** Hash of the last event. */
  hash: string;
  lastRecordedAt: string;
}

/**
 * What the store recorded about the whole log at its last append, for verification: the Merkle
 * tree head kept with the events, and where the store has one, its own position sequence.
 */
export interface LedgerHead {
  /** Leaves of the tree: every event of the store, in position order. */
  treeSize: number;
  /** MTH of those leaves, 64 hex digits (SHA-256 of nothing for an empty store). */
  rootHash: string;
  /** Position of the tree's last leaf; 0 for an empty store. */
  lastPosition: number;
  /**
   * The highest position the store has ever issued, where positions have no legitimate gaps
   * (SQLite AUTOINCREMENT: a rolled-back append gives its positions back). A position missing
   * below it is a deleted event. Undefined where gaps are normal (a PostgreSQL identity column
   * keeps the values a rolled-back transaction took; there the tree size is the witness).
   */
  issuedPosition?: number;
}

/** A signed checkpoint of the tree (events/checkpoint.ts) as the store keeps it. */
export interface StoredCheckpoint {
  treeSize: number;
  rootHash: string;
  /** The signed note, as served. */
  note: string;
  issuedAt: string;
}

export interface ReadAllOptions {
  /** Exclusive: events with position greater than this. Default: from the start. */
  fromPosition?: number;
  /** How many rows one round trip fetches. */
  batchSize?: number;
}

/** A page of the log as `readLogPages` gives it. */
export interface LogPage {
  /** How many rows, and the position of the last. */
  count: number;
  lastPosition: number;
  /**
   * Every value of every row of the page as stored, in position order, written so that two pages
   * whose rows differ in any value (or in a value's type) never give the same bytes: what the
   * verification's memory of the log digests (src/ledger/log-pass.ts). A string is digested as
   * its UTF-8.
   */
  encoded: Buffer | string;
  /** The events these rows are read as (readAll's mapping): on pages of rows above `decodeAfter`. */
  events?: RecordedEvent[];
}

export interface LogPageOptions extends ReadAllOptions {
  /**
   * Rows at or below this position come in pages of their own without their events (read as
   * stored only); the rows above it in pages with their events. Default: every page with events.
   */
  decodeAfter?: number;
}

/** What an adapter can and cannot promise beyond the port's common guarantees. */
export interface StoreCapabilities {
  /**
   * appendMany is one transaction: a batch whose later request fails (a lost race, a crash, an
   * error while writing) leaves nothing of the earlier ones. true: memory, SQLite, PostgreSQL.
   * false: EventStoreDB, which writes stream by stream (docs/decisions.md W16).
   */
  readonly atomicMultiStreamAppend: boolean;
  /**
   * Files are written in the same transaction as the events they come with: both or neither.
   * true: memory, SQLite, PostgreSQL (a table beside the events). false: EventStoreDB and a files
   * directory (SRO_FILES_DIR), where the file is written, fsynced, before the events: a refused or
   * failed append leaves an unreferenced file, never an event without its file.
   */
  readonly filesInTransaction: boolean;
}

export interface EventStore {
  /** Checked by the contract suite (test/store/event-store.contract.ts) against the adapter's behaviour. */
  readonly capabilities: StoreCapabilities;
  appendToStream(stream: string, events: NewEvent[], options: { expectedRevision: ExpectedRevision; files?: NewFile[] }): Promise<AppendResult>;
  /**
   * Appends to many streams: every request is checked as appendToStream checks it (expected
   * revision, duplicate eventIds across the whole batch), and if any check fails nothing at all
   * is written. Requests apply in order, so a stream named twice sees its first request's events
   * when the second is checked. One result per request, in order. For bulk paths (CSV import,
   * benchmark): speed from batching, not weaker durability.
   * Where `capabilities.atomicMultiStreamAppend`, the batch is ONE transaction, all or nothing
   * even when a request fails while it is written. Where not (EventStoreDB), the requests are
   * written one after another: see that adapter for what a failure part-way leaves.
   */
  appendMany(batch: AppendRequest[]): Promise<AppendResult[]>;
  /** All events of a stream in revision order, from `fromRevision` (inclusive); [] when the stream does not exist. */
  readStream(stream: string, options?: { fromRevision?: number }): Promise<RecordedEvent[]>;
  /** Every event in global position order, fetched in batches: never the whole log in memory. */
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  /**
   * The event with this id, wherever it is. `stream` is where the caller expects it: adapters
   * without an index by event id (EventStoreDB) look there only; the others ignore the hint.
   */
  readEvent(eventId: string, options?: { stream?: string }): Promise<RecordedEvent | undefined>;
  /** The store's index of stream heads, for streams whose name starts with `prefix`, sorted by name. */
  listStreams(prefix: string): Promise<StreamHead[]>;
  /**
   * Optional: push every event committed after `fromPosition` (exclusive) as it is committed,
   * in position order (EventStoreDB's subscription to $all). Stores without it are polled with
   * readAll by the projection runner.
   */
  subscribeToAll?(options: { fromPosition?: number }, onEvent: (event: RecordedEvent) => Promise<void> | void): { close(): Promise<void> };
  /** A stored file's bytes as stored, by the SHA-256 it was stored under (not re-hashed: the reader checks); undefined when none. */
  readFile(sha256: string): Promise<Buffer | undefined>;
  /** Every stored file, in SHA-256 order, one at a time (verification). */
  listFiles(): AsyncIterable<{ sha256: string; bytes: Buffer }>;
  /**
   * The log as readAll reads it (the same rows, pages and order), each page also as its stored
   * values (LogPage.encoded): for a verification that remembers what it read and reads it again
   * without decoding it (docs/integrity.md, "The log, checked incrementally"). SQLite and
   * PostgreSQL; the others have no memory of the log (every verification reads it whole).
   */
  readLogPages?(options?: LogPageOptions): AsyncIterable<LogPage>;
  /** The Merkle tree head and position sequence as the store recorded them (see LedgerHead). */
  ledgerHead(): Promise<LedgerHead>;
  /**
   * Stores with an index of event ids (SQLite's event_ids, PostgreSQL's unique index): the first
   * way the ids and that index disagree with the events (an id stored twice, an id missing from
   * the index or one no event holds, the index itself gone), or undefined. For verification.
   */
  checkEventIds?(): Promise<EventIdProblem | undefined>;
  /** Keeps a signed checkpoint; one per tree size (a second one of the same size is ignored). */
  saveCheckpoint(checkpoint: StoredCheckpoint): Promise<void>;
  /** The checkpoint of the largest tree size, if any. */
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${stream}: expected revision ${String(expected)}, but the stream is at ${String(actual)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** What checkEventIds found: the event (or id) it concerns, and why. */
export interface EventIdProblem {
  eventId: string | null;
  /** The position of the event concerned, when there is one. */
  position?: number;
  reason: string;
}

export class DuplicateEventIdError extends Error {
  constructor(readonly eventId: string) {
    super(`an event with id ${eventId} is already stored`);
    this.name = 'DuplicateEventIdError';
  }
}

/**
 * The store could not be reached, or the connection a call was using was ended by the server (a
 * restart, a failover, pg_terminate_backend): the call did nothing the caller can rely on and may
 * be made again later. The HTTP edge answers it 503 with Retry-After (docs/decisions.md W40).
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

export const EVENT_STORE = Symbol('EVENT_STORE');

/** The revision a stream is at, as ExpectedRevision needs it. */
export const revisionOf = (events: RecordedEvent[]): ExpectedRevision =>
  events.length === 0 ? 'no_stream' : events[events.length - 1].revision;
