/**
 * In-memory adapter of the event store port: for tests and `SRO_STORE=memory:`. Same semantics
 * as the SQLite adapter (the contract suite in test/store checks both). An append runs without
 * any await between its checks and its writes, so on Node's single thread it is atomic.
 * Events are copied in and out (structuredClone): a caller cannot change what is stored.
 */
import type { NewEvent, RecordedEvent } from '../../../events/envelope';
import {
  assertReadAllOptions,
  assertStreamName,
  chainEvents,
  checkExpectedRevision,
  compareCodePoints,
  DEFAULT_READ_BATCH,
  extendTree,
  fromRevisionOf,
  ledgerHeadOf,
  nextRecordedAt,
  validateFiles,
  validateNewEvents,
} from '../append-support';
import { MerkleFrontier } from '../../../events/merkle';
import {
  AppendRequest,
  AppendResult,
  DuplicateEventIdError,
  EventStore,
  ExpectedRevision,
  LedgerHead,
  ReadAllOptions,
  StoreCapabilities,
  StoredCheckpoint,
  StreamHead,
  NewFile,
} from '../event-store.port';

export interface MemoryEventStoreOptions {
  /** The clock that recordedAt comes from (tests make it go backwards). Default: the system clock. */
  now?: () => Date;
}

interface StoredStream {
  events: RecordedEvent[];
  head: StreamHead;
}

export class MemoryEventStore implements EventStore {
  /** An append runs without an await between its checks and its writes: all or nothing. */
  readonly capabilities: StoreCapabilities = { atomicMultiStreamAppend: true, filesInTransaction: true };
  private readonly files = new Map<string, Buffer>();
  private readonly now: () => Date;
  /** The global log: log[i] has position i + 1. */
  private readonly log: RecordedEvent[] = [];
  private readonly byId = new Map<string, RecordedEvent>();
  private readonly streams = new Map<string, StoredStream>();
  private readonly tree = { frontier: MerkleFrontier.empty(), lastPosition: 0 };
  private readonly checkpoints = new Map<number, StoredCheckpoint>();
  private closed = false;

  constructor(options: MemoryEventStoreOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  async appendToStream(stream: string, events: NewEvent[], options: { expectedRevision: ExpectedRevision; files?: NewFile[] }): Promise<AppendResult> {
    const [result] = this.append([{ stream, events, expectedRevision: options?.expectedRevision, files: options?.files }]);
    return result;
  }

  async readFile(sha256: string): Promise<Buffer | undefined> {
    this.assertOpen();
    const bytes = this.files.get(sha256);
    return bytes && Buffer.from(bytes);
  }

  async *listFiles(): AsyncIterable<{ sha256: string; bytes: Buffer }> {
    for (const sha256 of [...this.files.keys()].sort()) {
      this.assertOpen();
      yield { sha256, bytes: Buffer.from(this.files.get(sha256)!) };
    }
  }

  async appendMany(batch: AppendRequest[]): Promise<AppendResult[]> {
    if (!Array.isArray(batch)) throw new TypeError('appendMany: batch must be an array');
    return this.append(batch);
  }

  /** Checks the whole batch against the current state plus the batch's own earlier requests, then writes. */
  private append(batch: AppendRequest[]): AppendResult[] {
    this.assertOpen();
    const seen = new Set<string>();
    const now = this.now();
    // Heads as they will be after the requests checked so far (a stream may appear twice).
    const staged = new Map<string, StreamHead>();
    const files = batch.flatMap((request) => validateFiles(request.files));
    const plans = batch.map(({ stream, events, expectedRevision }) => {
      assertStreamName(stream);
      const validated = validateNewEvents(events, seen);
      const head = staged.get(stream) ?? this.streams.get(stream)?.head;
      checkExpectedRevision(stream, expectedRevision, head?.revision);
      for (const { event } of validated) {
        if (this.byId.has(event.eventId)) throw new DuplicateEventIdError(event.eventId);
      }
      const recordedAt = nextRecordedAt(now, head?.lastRecordedAt);
      const chained = chainEvents(stream, head, validated, recordedAt);
      if (chained.length > 0) {
        const last = chained[chained.length - 1];
        staged.set(stream, { stream, revision: last.revision, hash: last.hash, lastRecordedAt: recordedAt });
      }
      return { stream, chained, head };
    });

    // Every check passed: nothing below can fail, so the batch is written whole, its files with it.
    for (const file of files) if (!this.files.has(file.sha256)) this.files.set(file.sha256, Buffer.from(file.bytes));
    return plans.map(({ stream, chained, head }) => {
      const recorded = chained.map((event) => {
        const stored: RecordedEvent = { ...event, position: this.log.length + 1 };
        this.log.push(stored);
        this.byId.set(stored.eventId, stored);
        let entry = this.streams.get(stream);
        if (!entry) {
          entry = { events: [], head: { stream, revision: -1, hash: '', lastRecordedAt: '' } };
          this.streams.set(stream, entry);
        }
        entry.events.push(stored);
        entry.head = { stream, revision: stored.revision, hash: stored.hash, lastRecordedAt: stored.recordedAt };
        extendTree(this.tree, [stored]);
        return structuredClone(stored);
      });
      const current = this.streams.get(stream)?.head.revision ?? head?.revision ?? -1;
      return { nextExpectedRevision: current, events: recorded };
    });
  }

  async readStream(stream: string, options: { fromRevision?: number } = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const fromRevision = fromRevisionOf(options);
    const entry = this.streams.get(stream);
    return entry ? entry.events.slice(fromRevision).map((e) => structuredClone(e)) : [];
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    const fromPosition = options.fromPosition ?? 0;
    const batchSize = options.batchSize ?? DEFAULT_READ_BATCH;
    assertReadAllOptions(fromPosition, batchSize);
    // Positions are dense from 1, so position p is log[p - 1]; the log only ever grows.
    let next = fromPosition;
    for (;;) {
      this.assertOpen();
      const page = this.log.slice(next, next + batchSize).map((e) => structuredClone(e));
      if (page.length === 0) return;
      next += page.length;
      yield* page;
    }
  }

  async readEvent(eventId: string): Promise<RecordedEvent | undefined> {
    this.assertOpen();
    const event = this.byId.get(eventId);
    return event ? structuredClone(event) : undefined;
  }

  async listStreams(prefix: string): Promise<StreamHead[]> {
    this.assertOpen();
    if (typeof prefix !== 'string') throw new TypeError('prefix must be a string');
    return [...this.streams.values()]
      .filter((s) => s.head.stream.startsWith(prefix))
      .map((s) => ({ ...s.head }))
      .sort((a, b) => compareCodePoints(a.stream, b.stream));
  }

  async ledgerHead(): Promise<LedgerHead> {
    this.assertOpen();
    return ledgerHeadOf(this.tree, this.log.length);
  }

  async saveCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    this.assertOpen();
    if (!this.checkpoints.has(checkpoint.treeSize)) this.checkpoints.set(checkpoint.treeSize, { ...checkpoint });
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    this.assertOpen();
    const sizes = [...this.checkpoints.keys()];
    return sizes.length ? { ...this.checkpoints.get(Math.max(...sizes))! } : undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the event store is closed');
  }
}
