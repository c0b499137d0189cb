/**
 * EventStoreDB adapter of the event store port (`@eventstore/db-client` 6.x, gRPC, EventStoreDB
 * 22.6 or newer, KurrentDB too). SRO_STORE=esdb://host:2113?tls=false (or esdb+discover://,
 * kurrentdb://; `&streamPrefix=<p>` namespaces every stream, see below).
 *
 * ONE FOLDER: everything EventStoreDB-specific is in src/store/esdb/: this file (connection,
 * reads, subscriptions, the ledger head), esdb-append.ts (appendToStream, appendMany, and the
 * completion of an interrupted registration) and the pure mapping in esdb-mapping.ts. Moving to
 * the successor client `@kurrent/kurrentdb-client` is one change here: swap the imports of
 * '@eventstore/db-client' (KurrentDBClient for EventStoreDBClient) and rename the append option
 * `expectedRevision` to `streamState` in esdb-append.ts (two calls); the values (ANY,
 * NO_STREAM, a bigint) and the errors keep their meaning.
 *
 * Stored form: one EventStoreDB event per port event, id = eventId (a lowercase UUID: ESDB
 * requires UUID ids and returns them lowercase), type = type, data = the event's data as JSON,
 * metadata = JSON { recordedAt, recordedBy, correlationId, schemaVersion, prevHash, hash,
 * writeId } (writeId: random per append call, not hashed; see below).
 *
 * recordedAt and the hash chain: the adapter assigns recordedAt itself, exactly as the SQL
 * adapters do, and appends under the head's exact revision, so the chain cannot fork
 * (esdb-append.ts). recordedAt is stored in the metadata and is the authoritative, hashed instant. ESDB's `created` (server clock) is kept by
 * ESDB and exposed by `createdDrift()`, which lists events whose `created` differs from
 * recordedAt by more than a tolerance (clock skew between app and server, or an event that
 * was written by something other than this adapter).
 *
 * What ESDB does not give, and how the port is kept:
 * - readEvent: ESDB has no index by event id. With the `stream` hint the adapter reads that
 *   stream; without it, it returns undefined (the app always passes the hint).
 * - DuplicateEventIdError: ESDB treats a re-append of the same event ids as an idempotent
 *   success; the adapter refuses an eventId already in the target stream (per target stream, not
 *   across the whole store: no index by id) and detects an identical concurrent append by the
 *   writeId it reads back (esdb-append.ts).
 * - appendMany: no multi-stream transaction (capabilities.atomicMultiStreamAppend is false):
 *   checked whole, then written stream by stream; NOT ATOMIC ACROSS STREAMS, the error of a batch
 *   that fails part-way says which requests were written. A registration writes the roster
 *   enrolment first and its officer stream second, and the enrolment carries the officer append
 *   it promises, which ledgerHead completes if the writer died in between (esdb-append.ts,
 *   docs/decisions.md W16).
 * - readAll: $all read forward in pages of `batchSize` (maxCount), EventStoreDB's own events
 *   ($-prefixed streams and types, link events) and streams outside `streamPrefix` skipped on the
 *   client (the 6.x client's readAll has no server-side filter). fromPosition is exclusive.
 * - listStreams(prefix): discovered from the standard system projections, `$category-<c>` (by
 *   $stream_by_category) when the prefix holds a '-', else `$streams`; each candidate's head is
 *   then read from the stream itself (last event: revision, hash, recordedAt). Needs the server
 *   started with --run-projections=All --start-standard-projections (docker-compose.yml does);
 *   the adapter checks that projection is Running and otherwise says so. Projections are
 *   asynchronous: a stream created a moment ago by ANOTHER process may be missing for a moment
 *   (streams this process wrote are always listed). The heads are derived from the streams, not
 *   kept separately as the SQL adapters do, so a stream truncated or deleted inside ESDB is not
 *   caught by comparing heads; protect the ledger's streams with ESDB ACLs.
 * - subscribeToAll: a catch-up subscription to $all, filtered server-side (by stream prefix or
 *   excluding system events), events handed over one at a time in position order.
 * - ledgerHead: no transaction to extend a tree in: computed from $all on each call, after
 *   completing any registration whose officer append was interrupted.
 *
 * streamPrefix: every port stream `s` is stored as `<streamPrefix>s`; reads, listings and
 * subscriptions see only streams under the prefix and give back the un-prefixed names. For
 * sharing one server with other applications, and for tests (a fresh, empty-looking store per
 * run). The hash chain uses the un-prefixed name.
 */
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  excludeSystemEvents,
  streamNameFilter,
} from '@eventstore/db-client';
import type { AllStreamResolvedEvent, Position } from '@eventstore/db-client';
import type { NewEvent, RecordedEvent } from '../../../events/envelope';
import { assertReadAllOptions, assertStreamName, compareCodePoints, DEFAULT_READ_BATCH, extendTree, fromRevisionOf, ledgerHeadOf, loadTree } from '../append-support';
import type {
  AppendRequest,
  AppendResult,
  EventStore,
  ExpectedRevision,
  LedgerHead,
  ReadAllOptions,
  StoreCapabilities,
  StoredCheckpoint,
  StreamHead,
} from '../event-store.port';
import { EsdbAppends, mapLimit } from './esdb-append';
import {
  createdDriftMs,
  decodeRecord,
  EsdbFollowUp,
  EsdbRecordLike,
  followUpOf,
  isSystemRecord,
  numberToPosition,
  parseEsdbUrl,
  positionToNumber,
  streamIndexFor,
  streamOfLink,
} from './esdb-mapping';
import { checkProjectionRunning, collect, isStreamNotFound, readRecords } from './esdb-reads';

export interface EsdbEventStoreOptions {
  /** The clock that recordedAt comes from. Default: the system clock. */
  now?: () => Date;
  /** Physical prefix of every stream (overrides the URL's `streamPrefix`). Default ''. */
  streamPrefix?: string;
  /**
   * Where readAll and subscribeToAll begin when asked to start from the beginning: 'start' (of
   * $all; the default) or 'open' (the end of $all when the store was opened: tests on a shared
   * server, so they do not scan every earlier run's events).
   */
  logFloor?: 'start' | 'open';
  /** createdDrift's default tolerance. Default 2000 ms. */
  createdToleranceMs?: number;
  /** How many times an 'any' append re-reads the head after losing a race. Default 10. */
  anyRetries?: number;
}

// By the client's `type` tag rather than instanceof (robust to duplicate module copies).

export interface CreatedDrift {
  stream: string;
  revision: number;
  eventId: string;
  recordedAt: string;
  created: string;
  driftMs: number;
}

export class EsdbEventStore implements EventStore {
  /** No multi-stream transaction: appendMany writes stream by stream (see the header). */
  readonly capabilities: StoreCapabilities = { atomicMultiStreamAppend: false, filesInTransaction: false };
  private readonly now: () => Date;
  private readonly prefix: string;
  private readonly toleranceMs: number;
  private readonly appends: EsdbAppends;
  /** Physical names of the streams this instance appended to (listed even before projections catch up). */
  private readonly written = new Set<string>();
  private readonly projectionsChecked = new Set<string>();
  private readonly subscriptions = new Set<{ close(): Promise<void> }>();
  /** readAll/subscribeToAll start after this position when asked for the beginning (logFloor 'open'). */
  private floor = 0;
  private readonly checkpoints = new Map<number, StoredCheckpoint>();
  private closed = false;

  /** Connects (EventStoreDBClient.connectionString) and checks that the server answers. */
  static async open(url: string, options: EsdbEventStoreOptions = {}): Promise<EsdbEventStore> {
    const parsed = parseEsdbUrl(url);
    const client = EventStoreDBClient.connectionString(parsed.connectionString);
    const store = new EsdbEventStore(client, { ...options, streamPrefix: options.streamPrefix ?? parsed.streamPrefix });
    try {
      await store.init(options.logFloor ?? 'start');
      return store;
    } catch (err) {
      await client.dispose().catch(() => undefined);
      throw new Error(`could not open the EventStoreDB store at ${parsed.connectionString}: ${(err as Error).message}`, { cause: err });
    }
  }

  constructor(
    private readonly client: EventStoreDBClient,
    options: EsdbEventStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.prefix = options.streamPrefix ?? '';
    if (this.prefix.startsWith('$')) throw new TypeError('streamPrefix must not start with $ (reserved for EventStoreDB system streams)');
    this.toleranceMs = options.createdToleranceMs ?? 2000;
    this.appends = new EsdbAppends(
      {
        client,
        physical: (stream) => this.physical(stream),
        readRaw: (physical, fromRevision, maxCount) => readRecords(this.client, physical, fromRevision, maxCount),
        wrote: (physical) => this.written.add(physical),
        assertOpen: () => this.assertOpen(),
      },
      this.now,
      options.anyRetries ?? 10,
    );
  }

  /** One round trip: the last record of $all (also proves the server is reachable and readable). */
  private async init(logFloor: 'start' | 'open'): Promise<void> {
    const last = await collect(this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }));
    if (logFloor === 'open' && last[0]?.event) this.floor = positionToNumber(last[0].event.position);
  }

  // ---------------------------------------------------------------------------------- appends

  async appendToStream(stream: string, events: NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    const [result] = await this.appends.append([{ stream, events, expectedRevision: options?.expectedRevision }]);
    return result;
  }

  async appendMany(batch: AppendRequest[]): Promise<AppendResult[]> {
    return this.appends.append(batch);
  }

  // ------------------------------------------------------------------------------------ reads

  async readStream(stream: string, options: { fromRevision?: number } = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    assertStreamName(stream);
    return this.readPhysical(this.physical(stream), fromRevisionOf(options));
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    for await (const { event } of this.scan(options)) yield event;
  }

  /** $all in pages, the ledger's events with the records they were decoded from (for their ESDB metadata). */
  private async *scan(options: ReadAllOptions): AsyncIterable<{ event: RecordedEvent; record: EsdbRecordLike }> {
    const requested = options.fromPosition ?? 0;
    const batchSize = options.batchSize ?? DEFAULT_READ_BATCH;
    assertReadAllOptions(requested, batchSize);
    // Exclusive: only events with a position greater than `after`.
    let after = Math.max(requested, this.floor);
    for (;;) {
      this.assertOpen();
      // ESDB reads $all forward from a position inclusively: ask for one more and drop the start.
      const fromPosition: Position | typeof START = after > 0 ? numberToPosition(after) : START;
      const maxCount = after > 0 ? batchSize + 1 : batchSize;
      // One complete page per round trip: no gRPC stream stays open while the consumer awaits.
      const page = await collect(this.client.readAll({ fromPosition, maxCount, direction: FORWARDS }));
      let last = after;
      const out: { event: RecordedEvent; record: EsdbRecordLike }[] = [];
      for (const resolved of page) {
        const record = resolved.event;
        if (!record) continue;
        const position = positionToNumber(record.position);
        if (position <= after) continue;
        last = Math.max(last, position);
        const logical = this.logical(record.streamId, record.type);
        if (logical !== undefined) out.push({ event: decodeRecord(record as EsdbRecordLike, logical), record: record as EsdbRecordLike });
      }
      yield* out;
      if (page.length < maxCount || last === after) return;
      after = last;
    }
  }

  /**
   * ESDB has no index by event id: with `options.stream` this reads that stream; without it, it
   * returns undefined. (The app always passes the stream it expects the event in.)
   */
  async readEvent(eventId: string, options: { stream?: string } = {}): Promise<RecordedEvent | undefined> {
    this.assertOpen();
    if (options.stream === undefined) return undefined;
    assertStreamName(options.stream);
    const events = await this.readPhysical(this.physical(options.stream), 0);
    const wanted = eventId.toLowerCase();
    return events.find((e) => e.eventId === wanted);
  }

  async listStreams(prefix: string): Promise<StreamHead[]> {
    this.assertOpen();
    if (typeof prefix !== 'string') throw new TypeError('prefix must be a string');
    const physicalPrefix = this.prefix + prefix;
    const index = streamIndexFor(physicalPrefix);
    await checkProjectionRunning(this.client, this.projectionsChecked, index.projection);

    const names = new Set<string>();
    try {
      for await (const resolved of this.client.readStream(index.stream, { fromRevision: START, resolveLinkTos: false })) {
        const name = streamOfLink(resolved.event?.data);
        if (name !== undefined && name.startsWith(physicalPrefix) && !name.startsWith('$')) names.add(name);
      }
    } catch (err) {
      if (!isStreamNotFound(err)) throw err; // no stream in that category yet
    }
    for (const name of this.written) if (name.startsWith(physicalPrefix)) names.add(name);

    const heads = await mapLimit([...names], 16, async (physical): Promise<StreamHead | undefined> => {
      const [last] = await readRecords(this.client, physical, END, 1, BACKWARDS);
      if (!last) return undefined; // deleted, or emptied by $maxCount/$tb: nothing to list
      const event = decodeRecord(last as EsdbRecordLike, physical.slice(this.prefix.length));
      return { stream: event.stream, revision: event.revision, hash: event.hash, lastRecordedAt: event.recordedAt };
    });
    return heads.filter((h): h is StreamHead => h !== undefined).sort((a, b) => compareCodePoints(a.stream, b.stream));
  }

  /**
   * Catch-up subscription to $all from `fromPosition` (exclusive), filtered like readAll. Events
   * are handed to `onEvent` one at a time, in position order; the next waits for its promise.
   * If `onEvent` throws, the subscription stops and `done` rejects with that error.
   */
  subscribeToAll(
    options: { fromPosition?: number },
    onEvent: (event: RecordedEvent) => Promise<void> | void,
  ): { close(): Promise<void>; done: Promise<void> } {
    this.assertOpen();
    const requested = options?.fromPosition ?? 0;
    assertReadAllOptions(requested, 1);
    const after = Math.max(requested, this.floor);
    const subscription = this.client.subscribeToAll({
      fromPosition: after > 0 ? numberToPosition(after) : START,
      filter: this.prefix !== '' ? streamNameFilter({ prefixes: [this.prefix] }) : excludeSystemEvents(),
    });
    let closing = false;
    const done = (async () => {
      try {
        for await (const resolved of subscription as AsyncIterable<AllStreamResolvedEvent>) {
          const record = resolved.event;
          if (!record || positionToNumber(record.position) <= after) continue;
          const logical = this.logical(record.streamId, record.type);
          if (logical === undefined) continue;
          await onEvent(decodeRecord(record as EsdbRecordLike, logical));
        }
      } catch (err) {
        if (!closing) throw err;
      } finally {
        if (!closing) await subscription.unsubscribe().catch(() => undefined);
      }
    })();
    done.catch(() => undefined); // observed through `done`; never an unhandled rejection
    const handle = {
      done,
      close: async () => {
        if (closing) return;
        closing = true;
        this.subscriptions.delete(handle);
        await subscription.unsubscribe().catch(() => undefined);
        await done.catch(() => undefined);
      },
    };
    this.subscriptions.add(handle);
    return handle;
  }

  /**
   * Events of `stream` whose ESDB `created` (server clock, set at write) differs from the
   * recordedAt the adapter hashed by more than `toleranceMs`: clock skew between the app and the
   * server, or an event not written through this adapter. For `verify` to report as a warning.
   */
  async createdDrift(stream: string, toleranceMs = this.toleranceMs): Promise<CreatedDrift[]> {
    this.assertOpen();
    const raw = await readRecords(this.client, this.physical(stream), START);
    const out: CreatedDrift[] = [];
    for (const record of raw) {
      const event = decodeRecord(record as EsdbRecordLike, stream);
      const driftMs = createdDriftMs(event.recordedAt, record.created);
      if (driftMs > toleranceMs) {
        out.push({ stream, revision: event.revision, eventId: event.eventId, recordedAt: event.recordedAt, created: record.created.toISOString(), driftMs });
      }
    }
    return out;
  }

  /**
   * EventStoreDB has no transaction to extend a tree in, so the head is computed from $all on
   * each call (O(n); docs/integrity.md). Positions in $all have gaps by design: no issuedPosition.
   * The same pass finds the roster enrolments whose promised officer append never happened (the
   * writer died in between, esdb-append.ts); those appends are made first, then the tree is
   * computed again, so a verification (which starts here) never sees a registration half-made.
   */
  async ledgerHead(): Promise<LedgerHead> {
    for (let pass = 0; ; pass++) {
      const tree = loadTree(undefined);
      /** Follow-ups promised so far whose stream has not moved past the promised revision, by stream. */
      const owed = new Map<string, EsdbFollowUp[]>();
      for await (const { event, record } of this.scan({ batchSize: 1000 })) {
        extendTree(tree, [event]);
        const promised = followUpOf(record.metadata);
        if (promised) owed.set(promised.stream, [...(owed.get(promised.stream) ?? []), promised]);
        const waiting = owed.get(record.streamId);
        if (waiting) {
          const left = waiting.filter((f) => f.revision >= Number(record.revision));
          if (left.length > 0) owed.set(record.streamId, left);
          else owed.delete(record.streamId);
        }
      }
      if (owed.size === 0 || pass > 0 || (await this.appends.complete([...owed.values()].flat())) === 0) return ledgerHeadOf(tree);
    }
  }

  /** Kept by this process only: on EventStoreDB the checkpoint log file beside the key is the record (docs/integrity.md). */
  async saveCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    if (!this.checkpoints.has(checkpoint.treeSize)) this.checkpoints.set(checkpoint.treeSize, { ...checkpoint });
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    const sizes = [...this.checkpoints.keys()];
    return sizes.length ? { ...this.checkpoints.get(Math.max(...sizes))! } : undefined;
  }

  /** EventStoreDB keeps events only: its backend (esdb-backend.ts) keeps its files in a directory (files-directory.ts). */
  async readFile(): Promise<Buffer | undefined> {
    return undefined;
  }

  async *listFiles(): AsyncIterable<{ sha256: string; bytes: Buffer }> {}

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
  }

  // ---------------------------------------------------------------------------------- helpers

  private physical(stream: string): string {
    return this.prefix + stream;
  }

  /** The port's name of a physical stream, or undefined for ESDB's own and other namespaces' records. */
  private logical(streamId: string, type: string): string | undefined {
    if (isSystemRecord(streamId, type) || !streamId.startsWith(this.prefix)) return undefined;
    return streamId.slice(this.prefix.length);
  }

  private async readPhysical(physical: string, fromRevision: number, maxCount?: number): Promise<RecordedEvent[]> {
    const raw = await readRecords(this.client, physical, BigInt(fromRevision), maxCount);
    const logical = physical.slice(this.prefix.length);
    return raw.map((record) => decodeRecord(record as EsdbRecordLike, logical));
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the event store is closed');
  }
}
