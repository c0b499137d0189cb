/**
 * EventStoreDB adapter of the event store port (`@eventstore/db-client` 6.x, gRPC, EventStoreDB
 * 22.6 or newer, KurrentDB too). SRO_STORE=esdb://host:2113?tls=false (or esdb+discover://,
 * kurrentdb://; `&streamPrefix=<p>` namespaces every stream, see below).
 *
 * ONE FOLDER: everything EventStoreDB-specific is in src/store/esdb/ (this file and the pure
 * mapping in esdb-mapping.ts). Moving to the successor client `@kurrent/kurrentdb-client` is one
 * change here: swap the two imports of '@eventstore/db-client' (KurrentDBClient for
 * EventStoreDBClient) and rename the append option `expectedRevision` to `streamState` in
 * `writePlanned` below; the values (ANY, NO_STREAM, a bigint) and the errors keep their meaning.
 *
 * Stored form: one EventStoreDB event per port event, id = eventId (a lowercase UUID: ESDB
 * requires UUID ids and returns them lowercase), type = type, data = the event's data as JSON,
 * metadata = JSON { recordedAt, recordedBy, correlationId, schemaVersion, prevHash, hash,
 * writeId } (writeId: random per append call, not hashed; see below).
 *
 * recordedAt and the hash chain (events/integrity.ts hashes recordedAt, so it must be known
 * before the append). ESDB assigns `created` only when it writes, too late to hash. So the
 * adapter assigns recordedAt itself, exactly as the SQL adapters do: it reads the stream's head,
 * takes recordedAt = max(now, head's recordedAt) (never decreasing within a stream), chains the
 * hashes from that head, and appends with the head's exact revision as ESDB's expected revision
 * (never ANY, even when the caller says 'any'). If another writer appended meanwhile, ESDB
 * refuses with WrongExpectedVersion and nothing is written, so the chain cannot fork; for an
 * 'any' request the adapter then re-reads the head and tries again. recordedAt is stored in the
 * metadata and is the authoritative, hashed instant. ESDB's `created` (server clock) is kept by
 * ESDB and exposed by `createdDrift()`, which lists events whose `created` differs from
 * recordedAt by more than a tolerance (clock skew between app and server, or an event that
 * was written by something other than this adapter).
 *
 * What ESDB does not give, and how the port is kept:
 * - readEvent: ESDB has no index by event id. With the `stream` hint the adapter reads that
 *   stream; without it, it returns undefined (the app always passes the hint).
 * - DuplicateEventIdError: ESDB treats a re-append of the same event ids as an idempotent
 *   success. The adapter reads the target stream before appending and refuses an eventId already
 *   in it. Uniqueness is per target stream, not across the whole store (no index by id).
 *   After each append it reads the appended events back (that is also where their positions come
 *   from) and checks their ids and writeId: if ESDB answered an identical concurrent append
 *   idempotently, the events it holds are the other writer's and DuplicateEventIdError is thrown.
 * - appendMany: EventStoreDB before KurrentDB 25.1 has no multi-stream transaction, and this
 *   client has no multi-stream append. Every request is checked first (expected revisions,
 *   duplicates, as the batch would see itself, a stream named twice included), and nothing is
 *   written unless all pass; then the requests are appended one after another, each under its own
 *   expected-revision guard. NOT ATOMIC ACROSS STREAMS: a concurrent writer (or a crash) between
 *   two requests leaves the earlier ones written; the error thrown then carries
 *   `committedRequests` (how many requests were written).
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
 *
 * streamPrefix: every port stream `s` is stored as `<streamPrefix>s`; reads, listings and
 * subscriptions see only streams under the prefix and give back the un-prefixed names. For
 * sharing one server with other applications, and for tests (a fresh, empty-looking store per
 * run). The hash chain uses the un-prefixed name.
 */
import { randomUUID } from 'node:crypto';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  excludeSystemEvents,
  streamNameFilter,
} from '@eventstore/db-client';
import type { AllStreamResolvedEvent, EventData, JSONType, Position, ResolvedEvent } from '@eventstore/db-client';
import type { NewEvent, RecordedEvent } from '../../../events/envelope';
import {
  assertReadAllOptions,
  assertStreamName,
  ChainedEvent,
  chainEvents,
  checkExpectedRevision,
  compareCodePoints,
  DEFAULT_READ_BATCH,
  extendTree,
  loadTree,
  nextRecordedAt,
  ValidatedEvent,
  validateNewEvents,
} from '../append-support';
import {
  AppendRequest,
  AppendResult,
  DuplicateEventIdError,
  EventStore,
  ExpectedRevision,
  LedgerHead,
  ReadAllOptions,
  StoredCheckpoint,
  StreamHead,
  WrongExpectedRevisionError,
} from '../event-store.port';
import {
  assertEsdbEventId,
  createdDriftMs,
  decodeRecord,
  encodeMetadata,
  EsdbExpectedRevision,
  EsdbRecordLike,
  fromEsdbCurrentRevision,
  guardRevision,
  isSystemRecord,
  numberToPosition,
  parseEsdbUrl,
  positionToNumber,
  streamIndexFor,
  streamOfLink,
  toEsdbExpectedRevision,
  writeIdOf,
} from './esdb-mapping';

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

/** One request of an append, checked and chained, ready to write. */
interface PlannedAppend {
  stream: string;
  physical: string;
  expectedRevision: ExpectedRevision;
  validated: ValidatedEvent[];
  chained: ChainedEvent[];
  /** The exact expected revision sent to ESDB (the head the chain was computed from). */
  guard: EsdbExpectedRevision;
  /** nextExpectedRevision for an empty request. */
  revisionIfEmpty: number;
}

interface StagedStream {
  head: Pick<StreamHead, 'revision' | 'hash' | 'lastRecordedAt'> | undefined;
  ids: Set<string>;
}

/** An ESDB append conflict, already mapped to the port; `index` = which request of the batch. */
class Conflict extends Error {
  constructor(
    readonly index: number,
    readonly error: WrongExpectedRevisionError,
  ) {
    super(error.message);
  }
}

const errorType = (err: unknown): unknown => (err as { type?: unknown } | null)?.type;
// By the client's `type` tag rather than instanceof (robust to duplicate module copies).
const isStreamNotFound = (err: unknown) => errorType(err) === 'stream-not-found';
const isWrongExpectedVersion = (err: unknown) => errorType(err) === 'wrong-expected-version';

export interface CreatedDrift {
  stream: string;
  revision: number;
  eventId: string;
  recordedAt: string;
  created: string;
  driftMs: number;
}

export class EsdbEventStore implements EventStore {
  private readonly now: () => Date;
  private readonly prefix: string;
  private readonly toleranceMs: number;
  private readonly anyRetries: number;
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
    this.anyRetries = options.anyRetries ?? 10;
  }

  /** One round trip: the last record of $all (also proves the server is reachable and readable). */
  private async init(logFloor: 'start' | 'open'): Promise<void> {
    const last = await collect(this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }));
    if (logFloor === 'open' && last[0]?.event) this.floor = positionToNumber(last[0].event.position);
  }

  // ---------------------------------------------------------------------------------- appends

  async appendToStream(stream: string, events: NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    const [result] = await this.append([{ stream, events, expectedRevision: options?.expectedRevision }]);
    return result;
  }

  async appendMany(batch: AppendRequest[]): Promise<AppendResult[]> {
    if (!Array.isArray(batch)) throw new TypeError('appendMany: batch must be an array');
    return this.append(batch);
  }

  private async append(batch: AppendRequest[]): Promise<AppendResult[]> {
    this.assertOpen();
    const seen = new Set<string>();
    const requests = batch.map(({ stream, events, expectedRevision }, r) => {
      assertStreamName(stream);
      toEsdbExpectedRevision(expectedRevision); // shape check (TypeError) before any I/O
      const validated = validateNewEvents(events, seen);
      validated.forEach(({ event }, i) => assertEsdbEventId(event.eventId, `requests[${r}].events[${i}]`));
      return { stream, expectedRevision, validated };
    });
    if (requests.length === 0) return [];

    for (let attempt = 0; ; attempt++) {
      const planned = await this.plan(requests);
      try {
        return await this.writePlanned(planned);
      } catch (err) {
        // Lost a race on the first request of an 'any' append: nothing was written, try again
        // from the new head. Any other conflict is the caller's (WrongExpectedRevisionError).
        if (err instanceof Conflict) {
          if (err.index === 0 && requests[0].expectedRevision === 'any' && attempt < this.anyRetries) continue;
          throw err.error;
        }
        throw err;
      }
    }
  }

  /**
   * Reads each stream of the batch once (all its events: head and eventIds), then checks and
   * chains every request as the batch will see itself. Throws before anything is written.
   */
  private async plan(requests: { stream: string; expectedRevision: ExpectedRevision; validated: ValidatedEvent[] }[]): Promise<PlannedAppend[]> {
    const streams = [...new Set(requests.map((r) => r.stream))];
    const current = await mapLimit(streams, 8, (s) => this.readPhysical(this.physical(s), 0));
    const staged = new Map<string, StagedStream>();
    streams.forEach((s, i) => {
      const events = current[i];
      const last = events[events.length - 1];
      staged.set(s, {
        head: last && { revision: last.revision, hash: last.hash, lastRecordedAt: last.recordedAt },
        ids: new Set(events.map((e) => e.eventId)),
      });
    });
    const now = this.now();
    return requests.map(({ stream, expectedRevision, validated }) => {
      const state = staged.get(stream)!;
      checkExpectedRevision(stream, expectedRevision, state.head?.revision);
      for (const { event } of validated) if (state.ids.has(event.eventId)) throw new DuplicateEventIdError(event.eventId);
      const guard = guardRevision(state.head?.revision);
      const revisionIfEmpty = state.head?.revision ?? -1;
      if (validated.length === 0) return { stream, physical: this.physical(stream), expectedRevision, validated, chained: [], guard, revisionIfEmpty };
      const recordedAt = nextRecordedAt(now, state.head?.lastRecordedAt);
      const chained = chainEvents(stream, state.head, validated, recordedAt);
      const last = chained[chained.length - 1];
      state.head = { revision: last.revision, hash: last.hash, lastRecordedAt: recordedAt };
      for (const e of chained) state.ids.add(e.eventId);
      return { stream, physical: this.physical(stream), expectedRevision, validated, chained, guard, revisionIfEmpty };
    });
  }

  /** Appends the planned requests in order, each under its guard; reads each back for positions. */
  private async writePlanned(planned: PlannedAppend[]): Promise<AppendResult[]> {
    const results: AppendResult[] = [];
    for (const [index, p] of planned.entries()) {
      this.assertOpen();
      if (p.chained.length === 0) {
        results.push({ nextExpectedRevision: p.revisionIfEmpty, events: [] });
        continue;
      }
      const writeId = randomUUID();
      const data: EventData[] = p.chained.map((e, i) => ({
        id: e.eventId,
        contentType: 'application/json',
        type: e.type,
        // Any JSON value (validated and normalised by validateNewEvents); the client JSON.stringifies it.
        data: p.validated[i].data as JSONType,
        metadata: { ...encodeMetadata(e, writeId) },
      }));
      try {
        // @kurrent/kurrentdb-client: this option is called `streamState`.
        const result = await this.client.appendToStream(p.physical, data, { expectedRevision: p.guard });
        if (!result.success) {
          throw this.conflict(index, p, fromEsdbCurrentRevision(result.nextExpectedRevision), results.length);
        }
      } catch (err) {
        if (isWrongExpectedVersion(err)) {
          throw this.conflict(index, p, fromEsdbCurrentRevision((err as { actualVersion: bigint | 'no_stream' }).actualVersion), results.length);
        }
        if (err instanceof Conflict) throw err;
        throw withCommitted(err as Error, results.length);
      }
      this.written.add(p.physical);
      // Read back: the positions, and proof that what is stored is this call's write.
      const raw = await this.readPhysicalRaw(p.physical, BigInt(p.chained[0].revision), p.chained.length);
      for (const [i, mine] of p.chained.entries()) {
        if (raw[i]?.id !== mine.eventId || writeIdOf(raw[i].metadata) !== writeId) {
          // ESDB took this append as an idempotent repeat of another writer's identical one.
          throw withCommitted(new DuplicateEventIdError(mine.eventId), results.length);
        }
      }
      const stored = raw.map((record) => decodeRecord(record as EsdbRecordLike, p.stream));
      results.push({ nextExpectedRevision: p.chained[p.chained.length - 1].revision, events: stored });
    }
    return results;
  }

  private conflict(index: number, p: PlannedAppend, actual: number | 'no_stream', committed: number): Conflict {
    return new Conflict(index, withCommitted(new WrongExpectedRevisionError(p.stream, p.expectedRevision, actual), committed));
  }

  // ------------------------------------------------------------------------------------ reads

  async readStream(stream: string, options: { fromRevision?: number } = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    assertStreamName(stream);
    const fromRevision = options.fromRevision ?? 0;
    if (!Number.isSafeInteger(fromRevision) || fromRevision < 0) throw new TypeError('fromRevision must be an integer >= 0');
    return this.readPhysical(this.physical(stream), fromRevision);
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
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
      const out: RecordedEvent[] = [];
      for (const resolved of page) {
        const record = resolved.event;
        if (!record) continue;
        const position = positionToNumber(record.position);
        if (position <= after) continue;
        last = Math.max(last, position);
        const logical = this.logical(record.streamId, record.type);
        if (logical !== undefined) out.push(decodeRecord(record as EsdbRecordLike, logical));
      }
      for (const event of out) yield event;
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
    await this.checkProjection(index.projection);

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
      const [last] = await this.readPhysicalRaw(physical, END, 1, BACKWARDS);
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
    const raw = await this.readPhysicalRaw(this.physical(stream), START);
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
   */
  async ledgerHead(): Promise<LedgerHead> {
    const tree = loadTree(undefined);
    for await (const event of this.readAll({ batchSize: 1000 })) extendTree(tree, [event]);
    return { treeSize: tree.frontier.size, rootHash: tree.frontier.root().toString('hex'), lastPosition: tree.lastPosition };
  }

  /** Kept by this process only: on EventStoreDB the checkpoint log file beside the key is the record (docs/integrity.md). */
  async saveCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    if (!this.checkpoints.has(checkpoint.treeSize)) this.checkpoints.set(checkpoint.treeSize, { ...checkpoint });
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    const sizes = [...this.checkpoints.keys()];
    return sizes.length ? { ...this.checkpoints.get(Math.max(...sizes))! } : undefined;
  }

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
    const raw = await this.readPhysicalRaw(physical, BigInt(fromRevision), maxCount);
    const logical = physical.slice(this.prefix.length);
    return raw.map((record) => decodeRecord(record as EsdbRecordLike, logical));
  }

  /** A stream's records ([] when it does not exist), read completely before returning. */
  private async readPhysicalRaw(
    physical: string,
    fromRevision: bigint | typeof START | typeof END,
    maxCount?: number,
    direction: typeof FORWARDS | typeof BACKWARDS = FORWARDS,
  ) {
    try {
      const resolved: ResolvedEvent[] = await collect(
        this.client.readStream(physical, { fromRevision, direction, ...(maxCount !== undefined ? { maxCount } : {}) }),
      );
      return resolved.flatMap((r) => (r.event ? [r.event] : []));
    } catch (err) {
      if (isStreamNotFound(err)) return [];
      throw err;
    }
  }

  /** Once per projection and instance: listStreams depends on it running. */
  private async checkProjection(name: string): Promise<void> {
    if (this.projectionsChecked.has(name)) return;
    const advice = 'listStreams needs the standard projections: start EventStoreDB with --run-projections=All --start-standard-projections';
    let status: string;
    try {
      status = (await this.client.getProjectionStatus(name)).projectionStatus;
    } catch (err) {
      throw new Error(`could not read the status of the ${name} projection (${(err as Error).message}); ${advice}`, { cause: err });
    }
    if (status !== 'Running') throw new Error(`the ${name} projection is ${status || 'not running'}; ${advice}`);
    this.projectionsChecked.add(name);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the event store is closed');
  }
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Runs `fn` over `items` with at most `limit` at a time; results in input order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Marks an error thrown part-way through appendMany with how many requests were already written. */
function withCommitted<E extends Error>(err: E, committedRequests: number): E {
  if (committedRequests > 0) {
    Object.assign(err, { committedRequests });
    err.message += ` (appendMany is not atomic on EventStoreDB: the first ${committedRequests} request(s) were written)`;
  }
  return err;
}
