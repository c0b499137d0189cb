/**
 * What the two SQL adapters (src/store/sqlite/, src/store/postgres/) share above their SQL: the
 * port's methods, their arguments checked alike, each handed to one of the adapter's
 * per-operation parts (its append, its reads, its ledger tree and checkpoints), behind one
 * "closed" check. Each adapter's folder holds its SQL, one file per operation; the rows they
 * read are mapped to the port's values in sql-rows.ts. Both append a whole batch in one
 * transaction: atomic across streams.
 */
import type { NewEvent, RecordedEvent } from '../../../events/envelope';
import { assertReadAllOptions, DEFAULT_READ_BATCH, fromRevisionOf, ledgerHeadOf, loadTree, prefixUpperBound, StoredTree } from '../append-support';
import type {
  AppendRequest,
  AppendResult,
  EventStore,
  ExpectedRevision,
  LedgerHead,
  LogPage,
  LogPageOptions,
  NewFile,
  ReadAllOptions,
  StoreCapabilities,
  StoredCheckpoint,
  StreamHead,
} from '../event-store.port';

type Maybe<T> = T | Promise<T>;

/** The append: one transaction per call (appendToStream is a batch of one request). */
export interface SqlAppends {
  append(batch: AppendRequest[]): Maybe<AppendResult[]>;
}

export interface SqlReads {
  /** A stream's events from `fromRevision` (already checked), in revision order. */
  stream(stream: string, fromRevision: number): Maybe<RecordedEvent[]>;
  /** One readAll page: up to `limit` events after position `after`, in position order, by one complete statement. */
  page(after: number, limit: number): Maybe<RecordedEvent[]>;
  /**
   * One readLogPages page: up to `limit` rows after position `after`, in position order, by one
   * complete statement; only rows at or below `decodeAfter` (without their events) when the first
   * is, else only rows above it (with their events); undefined when there are none.
   */
  logPage(after: number, limit: number, decodeAfter: number): Maybe<LogPage | undefined>;
  event(eventId: string): Maybe<RecordedEvent | undefined>;
  /** Heads of the streams named from `lower` (inclusive) to `upper` (exclusive; undefined: no bound), sorted by name. */
  heads(lower: string, upper: string | undefined): Maybe<StreamHead[]>;
}

/** The files stored with appends (written by the append, in its transaction). */
export interface SqlFiles {
  read(sha256: string): Maybe<Buffer | undefined>;
  /** Up to `limit` files with a SHA-256 after `after`, in SHA-256 order. */
  page(after: string, limit: number): Maybe<{ sha256: string; bytes: Buffer }[]>;
}

export interface SqlLedger {
  /** The tree row as the last append left it (undefined: none yet), and the highest position issued where gaps are not legitimate. */
  tree(): Maybe<{ row: StoredTree | undefined; issuedPosition?: number }>;
  saveCheckpoint(checkpoint: StoredCheckpoint): Maybe<void>;
  latestCheckpoint(): Maybe<StoredCheckpoint | undefined>;
}

export abstract class SqlEventStore implements EventStore {
  readonly capabilities: StoreCapabilities = { atomicMultiStreamAppend: true, filesInTransaction: true };
  private closed = false;

  protected constructor(private readonly parts: { appends: SqlAppends; reads: SqlReads; ledger: SqlLedger; files: SqlFiles }) {}

  /** Ends the adapter's connection (or pool); called once, by close. */
  protected abstract closeConnection(): Maybe<void>;

  async appendToStream(stream: string, events: NewEvent[], options: { expectedRevision: ExpectedRevision; files?: NewFile[] }): Promise<AppendResult> {
    this.assertOpen();
    const [result] = await this.parts.appends.append([{ stream, events, expectedRevision: options?.expectedRevision, ...(options?.files ? { files: options.files } : {}) }]);
    return result;
  }

  async readFile(sha256: string): Promise<Buffer | undefined> {
    this.assertOpen();
    if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) return undefined;
    return this.parts.files.read(sha256);
  }

  async *listFiles(): AsyncIterable<{ sha256: string; bytes: Buffer }> {
    let after = '';
    for (;;) {
      this.assertOpen();
      const page = await this.parts.files.page(after, 16);
      if (page.length === 0) return;
      after = page[page.length - 1].sha256;
      yield* page;
    }
  }

  async appendMany(batch: AppendRequest[]): Promise<AppendResult[]> {
    this.assertOpen();
    return this.parts.appends.append(batch);
  }

  async readStream(stream: string, options: { fromRevision?: number } = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return this.parts.reads.stream(stream, fromRevisionOf(options));
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    let after = options.fromPosition ?? 0;
    const batchSize = options.batchSize ?? DEFAULT_READ_BATCH;
    assertReadAllOptions(after, batchSize);
    for (;;) {
      this.assertOpen();
      // Keyset paging: each page is one complete statement, so no cursor stays open while the
      // consumer awaits between events.
      const page = await this.parts.reads.page(after, batchSize);
      if (page.length === 0) return;
      after = page[page.length - 1].position;
      yield* page;
    }
  }

  async *readLogPages(options: LogPageOptions = {}): AsyncIterable<LogPage> {
    let after = options.fromPosition ?? 0;
    const batchSize = options.batchSize ?? DEFAULT_READ_BATCH;
    assertReadAllOptions(after, batchSize);
    const decodeAfter = options.decodeAfter ?? -1;
    for (;;) {
      this.assertOpen();
      const page = await this.parts.reads.logPage(after, batchSize, decodeAfter);
      if (!page) return;
      after = page.lastPosition;
      yield page;
    }
  }

  /** The stream hint is not needed: event_id is indexed. */
  async readEvent(eventId: string): Promise<RecordedEvent | undefined> {
    this.assertOpen();
    return this.parts.reads.event(eventId);
  }

  async listStreams(prefix: string): Promise<StreamHead[]> {
    this.assertOpen();
    if (typeof prefix !== 'string') throw new TypeError('prefix must be a string');
    // A range on the primary key, in code point order (no LIKE, so no escaping of '%' and '_'
    // in stream names).
    return this.parts.reads.heads(prefix, prefixUpperBound(prefix));
  }

  async ledgerHead(): Promise<LedgerHead> {
    this.assertOpen();
    const { row, issuedPosition } = await this.parts.ledger.tree();
    return ledgerHeadOf(loadTree(row), issuedPosition);
  }

  async saveCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    this.assertOpen();
    await this.parts.ledger.saveCheckpoint(checkpoint);
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    this.assertOpen();
    return this.parts.ledger.latestCheckpoint();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.closeConnection();
  }

  protected assertOpen(): void {
    if (this.closed) throw new Error('the event store is closed');
  }
}
