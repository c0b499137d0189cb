/**
 * The EventStoreDB append (appendToStream, appendMany).
 *
 * recordedAt and the hash chain (events/integrity.ts hashes recordedAt, so it must be known
 * before the append). ESDB assigns `created` only when it writes, too late to hash. So the
 * adapter assigns recordedAt itself, exactly as the SQL adapters do: it reads the stream's head,
 * takes recordedAt = max(now, head's recordedAt) (never decreasing within a stream), chains the
 * hashes from that head, and appends with the head's exact revision as ESDB's expected revision
 * (never ANY, even when the caller says 'any'). If another writer appended meanwhile, ESDB
 * refuses with WrongExpectedVersion and nothing is written, so the chain cannot fork; for an
 * 'any' request the adapter then re-reads the head and tries again.
 *
 * DuplicateEventIdError: ESDB treats a re-append of the same event ids as an idempotent success.
 * The adapter reads the target stream before appending and refuses an eventId already in it.
 * Uniqueness is per target stream, not across the whole store (no index by id). After each
 * append it reads the appended events back (that is also where their positions come from) and
 * checks their ids and writeId: if ESDB answered an identical concurrent append idempotently,
 * the events it holds are the other writer's and DuplicateEventIdError is thrown.
 *
 * appendMany: EventStoreDB before KurrentDB 25.1 has no multi-stream transaction, and this
 * client has no multi-stream append (capabilities.atomicMultiStreamAppend is false). Every
 * request is checked first (expected revisions, duplicates, as the batch would see itself, a
 * stream named twice included), and nothing is written unless all pass; then the requests are
 * appended one after another, each under its own expected-revision guard. NOT ATOMIC ACROSS
 * STREAMS: a concurrent writer (or a crash) between two requests leaves the earlier ones
 * written; the error thrown then carries `committedRequests` (how many requests were written,
 * wholly or in part) and `writtenRequests` (which). An 'any' request that loses a race after
 * others were written is re-chained from the new head and tried again (anyRetries).
 *
 * Registrations (docs/decisions.md W16): the verifier requires every officer stream to be on its
 * agency's roster and every roster entry to have its officer stream (events/integrity.ts). A
 * batch that enrols officers on a roster (an 'any' request of OfficerEnrolled events) is
 * therefore written as pairs: each officer's enrolment FIRST, then that officer's stream, so an
 * officer stream never exists without its roster entry. The enrolment's last event carries in
 * its ESDB metadata (`followedBy`, not hashed) the officer stream's append exactly as it will be
 * sent (same event ids, hashes, writeId, expected revision). If the process dies between the
 * two, the next ledgerHead (which every verification and checkpoint starts with) finds the
 * enrolment whose officer stream never got past that revision and makes the promised append:
 * byte for byte the one the writer would have made, so a writer that is still alive and makes it
 * too is answered as EventStoreDB's idempotent repeat of its own append, and an officer stream
 * that someone else created meanwhile is left alone (the expected revision no longer holds).
 */
import { randomUUID } from 'node:crypto';
import type { EventData, EventStoreDBClient, JSONType } from '@eventstore/db-client';
import type { RecordedEvent } from '../../../events/envelope';
import { officerStream, parseStream } from '../../../events/streams';
import {
  ChainedEvent,
  chainEvents,
  checkExpectedRevision,
  nextRecordedAt,
  validateBatch,
  ValidatedEvent,
  ValidatedRequest,
} from '../append-support';
import { AppendRequest, AppendResult, DuplicateEventIdError, StreamHead, WrongExpectedRevisionError } from '../event-store.port';
import {
  assertEsdbEventId,
  decodeRecord,
  encodeMetadata,
  EsdbFollowUp,
  EsdbRecordLike,
  fromEsdbCurrentRevision,
  guardRevision,
  toEsdbExpectedRevision,
  writeIdOf,
} from './esdb-mapping';

/** What the append needs of the store: its client, its stream names, its reads. */
export interface EsdbStreams {
  readonly client: EventStoreDBClient;
  /** The physical name of a port stream (the store's streamPrefix, then the name). */
  physical(stream: string): string;
  /** A stream's records from `fromRevision` ([] when it does not exist), read completely. */
  readRaw(physical: string, fromRevision: bigint, maxCount?: number): Promise<EsdbRecordLike[]>;
  /** Remembers a stream this instance wrote (listed before the projections list it). */
  wrote(physical: string): void;
  assertOpen(): void;
}

type Head = Pick<StreamHead, 'revision' | 'hash' | 'lastRecordedAt'>;

/**
 * One append the adapter makes for a batch: some events of one request (all of them, except for
 * a roster request whose enrolments are written in pairs with their officers' streams).
 */
export interface BatchStep {
  request: number;
  /** Indices into the request's events, in order. */
  events: number[];
  /** For an enrolment: the request of the officer stream written right after it (the promised follow-up). */
  enrols?: number;
}

/**
 * The order of a batch's appends: the requests as given, except that the enrolments of an 'any'
 * roster request are each written just before the first request of the officer stream they
 * enrol (events/streams.ts names both), the rest of that roster request where it stands.
 */
export function orderBatch(requests: readonly Pick<ValidatedRequest, 'stream' | 'expectedRevision' | 'validated'>[]): BatchStep[] {
  const pairs = new Map<number, { roster: number; events: number[] }>();
  const moved = new Map<number, Set<number>>();
  requests.forEach((request, r) => {
    const roster = parseStream(request.stream);
    if (roster?.kind !== 'roster' || request.expectedRevision !== 'any') return;
    if (requests.some((other, i) => i !== r && other.stream === request.stream)) return; // named twice: as given
    request.validated.forEach(({ event, data }, k) => {
      const officerId = event.type === 'OfficerEnrolled' ? (data as { officerId?: unknown } | null)?.officerId : undefined;
      if (typeof officerId !== 'string') return;
      const target = officerStream(roster.agencyId, officerId);
      const officer = requests.findIndex((other) => other.stream === target && other.validated.length > 0);
      if (officer < 0) return;
      const pair = pairs.get(officer) ?? { roster: r, events: [] };
      pair.events.push(k);
      pairs.set(officer, pair);
      moved.set(r, (moved.get(r) ?? new Set()).add(k));
    });
  });
  const steps: BatchStep[] = [];
  requests.forEach((request, i) => {
    const pair = pairs.get(i);
    if (pair) steps.push({ request: pair.roster, events: pair.events, enrols: i });
    const events = request.validated.map((_, k) => k).filter((k) => !moved.get(i)?.has(k));
    if (events.length > 0) steps.push({ request: i, events });
  });
  return steps;
}

/** What the checks found, before anything is written. */
interface Plan {
  now: Date;
  /** Each stream's head as read. */
  heads: Map<string, Head | undefined>;
  /** For each request: the revision its stream is at when its turn comes, as the batch sees itself (-1: none). */
  revisionBefore: number[];
}

/** An append ready to send: the chained events and their ESDB form. */
interface Prepared {
  chained: ChainedEvent[];
  writeId: string;
  /** The revision the stream is at before it (-1: none): the expected revision sent. */
  revision: number;
  data: EventData[];
}

/** An 'any' request lost a race before anything of the batch was written: check the whole batch again. */
class Replan extends Error {}

/** EventStoreDB refused an append: the stream is not at the expected revision. */
class Lost extends Error {
  constructor(readonly actual: number | 'no_stream') {
    super('wrong expected version');
  }
}

const errorType = (err: unknown): unknown => (err as { type?: unknown } | null)?.type;
// By the client's `type` tag rather than instanceof (robust to duplicate module copies).
export const isWrongExpectedVersion = (err: unknown) => errorType(err) === 'wrong-expected-version';

export class EsdbAppends {
  constructor(
    private readonly streams: EsdbStreams,
    private readonly now: () => Date,
    private readonly anyRetries: number,
  ) {}

  async append(batch: AppendRequest[]): Promise<AppendResult[]> {
    this.streams.assertOpen();
    const requests = validateBatch(batch, {
      request: ({ expectedRevision }) => toEsdbExpectedRevision(expectedRevision), // shape check (TypeError) before any I/O
      event: ({ event }, r, i) => assertEsdbEventId(event.eventId, `requests[${r}].events[${i}]`),
    });
    if (requests.length === 0) return [];
    const steps = orderBatch(requests);

    for (let attempt = 0; ; attempt++) {
      const plan = await this.plan(requests);
      try {
        return await this.write(requests, steps, plan, attempt < this.anyRetries);
      } catch (err) {
        if (err instanceof Replan) continue;
        throw err;
      }
    }
  }

  /**
   * Makes the follow-up appends that interrupted registrations promised (see the header), each
   * exactly as promised; one whose stream moved on meanwhile is not needed. The number made.
   */
  async complete(followUps: EsdbFollowUp[]): Promise<number> {
    let made = 0;
    for (const followUp of followUps) {
      this.streams.assertOpen();
      const data: EventData[] = followUp.events.map((e) => ({ id: e.id, contentType: 'application/json', type: e.type, data: e.data as JSONType, metadata: { ...e.metadata } }));
      try {
        // @kurrent/kurrentdb-client: this option is called `streamState`.
        const result = await this.streams.client.appendToStream(followUp.stream, data, { expectedRevision: guardRevision(followUp.revision) });
        if (!result.success) continue;
      } catch (err) {
        if (isWrongExpectedVersion(err)) continue;
        throw new Error(`could not complete the registration interrupted before ${followUp.stream} was written: ${(err as Error).message}`, { cause: err });
      }
      this.streams.wrote(followUp.stream);
      made++;
    }
    return made;
  }

  /**
   * Reads each stream of the batch once (all its events: head and eventIds), then checks every
   * request as the batch will see itself. Throws before anything is written.
   */
  private async plan(requests: ValidatedRequest[]): Promise<Plan> {
    const names = [...new Set(requests.map((r) => r.stream))];
    const current = await mapLimit(names, 8, async (s) => this.read(s));
    const heads = new Map<string, Head | undefined>();
    /** Each stream as the batch will see it: the revision it is at (-1: none) and its eventIds. */
    const staged = new Map<string, { revision: number; ids: Set<string> }>();
    names.forEach((s, i) => {
      const events = current[i];
      heads.set(s, headOf(events));
      staged.set(s, { revision: headOf(events)?.revision ?? -1, ids: new Set(events.map((e) => e.eventId)) });
    });
    const revisionBefore = requests.map(({ stream, expectedRevision, validated }) => {
      const state = staged.get(stream)!;
      const before = state.revision;
      checkExpectedRevision(stream, expectedRevision, before < 0 ? undefined : before);
      for (const { event } of validated) if (state.ids.has(event.eventId)) throw new DuplicateEventIdError(event.eventId);
      state.revision += validated.length;
      for (const { event } of validated) state.ids.add(event.eventId);
      return before;
    });
    return { now: this.now(), heads, revisionBefore };
  }

  /** Appends the steps in order, each under its guard; reads each back for positions. */
  private async write(requests: ValidatedRequest[], steps: BatchStep[], plan: Plan, mayReplan: boolean): Promise<AppendResult[]> {
    const results: AppendResult[] = requests.map((_, i) => ({ nextExpectedRevision: plan.revisionBefore[i], events: [] }));
    const written = new Set<number>();
    const heads = new Map(plan.heads);
    /** Officer appends fixed when their enrolment promised them. */
    const promised = new Map<number, Prepared>();
    const fail = <E extends Error>(err: E) => withWritten(err, written);

    for (const step of steps) {
      const { stream, expectedRevision, validated } = requests[step.request];
      const events = step.events.map((k) => validated[k]);
      let stored: RecordedEvent[] | undefined;
      for (let tries = 0; !stored; tries++) {
        this.streams.assertOpen();
        const head = heads.get(stream);
        if (expectedRevision !== 'any' && (head?.revision ?? -1) !== plan.revisionBefore[step.request]) {
          throw fail(new WrongExpectedRevisionError(stream, expectedRevision, head ? head.revision : 'no_stream'));
        }
        const prepared = promised.get(step.request) ?? prepare(stream, head, events, plan.now);
        let followUp: Prepared | undefined;
        if (step.enrols !== undefined) {
          const officer = requests[step.enrols];
          followUp = promised.get(step.enrols) ?? prepare(officer.stream, heads.get(officer.stream), officer.validated, plan.now);
          promised.set(step.enrols, followUp);
        }
        try {
          stored = await this.send(stream, prepared, followUp && { stream: this.streams.physical(requests[step.enrols!].stream), prepared: followUp });
        } catch (err) {
          if (!(err instanceof Lost)) throw fail(err as Error);
          if (expectedRevision !== 'any') throw fail(new WrongExpectedRevisionError(stream, expectedRevision, err.actual));
          if (written.size === 0 && mayReplan) throw new Replan();
          if (written.size === 0 || tries >= this.anyRetries) throw fail(new WrongExpectedRevisionError(stream, expectedRevision, err.actual));
          // Lost a race after other requests were written: from the new head, unless the winner wrote these very events.
          const now = await this.read(stream);
          const duplicate = events.find(({ event }) => now.some((e) => e.eventId === event.eventId));
          if (duplicate) throw fail(new DuplicateEventIdError(duplicate.event.eventId));
          heads.set(stream, headOf(now));
          promised.delete(step.request); // a promise made from the old head is kept by nobody now
        }
      }
      written.add(step.request);
      const last = stored[stored.length - 1];
      heads.set(stream, { revision: last.revision, hash: last.hash, lastRecordedAt: last.recordedAt });
      results[step.request].events.push(...stored);
      results[step.request].nextExpectedRevision = last.revision;
    }
    return results;
  }

  /** One append; the follow-up it promises rides on its last event. Reads it back: positions, and proof it is this call's. */
  private async send(stream: string, prepared: Prepared, followUp?: { stream: string; prepared: Prepared }): Promise<RecordedEvent[]> {
    const physical = this.streams.physical(stream);
    const data = prepared.data.slice();
    if (followUp) {
      const last = data[data.length - 1];
      const promise: EsdbFollowUp = {
        stream: followUp.stream,
        revision: followUp.prepared.revision,
        events: followUp.prepared.data.map((e) => ({ id: e.id!, type: e.type, data: e.data, metadata: e.metadata as unknown as EsdbFollowUp['events'][number]['metadata'] })),
      };
      data[data.length - 1] = { ...last, metadata: { ...encodeMetadata(prepared.chained[prepared.chained.length - 1], prepared.writeId, promise) } };
    }
    try {
      // @kurrent/kurrentdb-client: this option is called `streamState`.
      const result = await this.streams.client.appendToStream(physical, data, { expectedRevision: guardRevision(prepared.revision) });
      if (!result.success) throw new Lost(fromEsdbCurrentRevision(result.nextExpectedRevision));
    } catch (err) {
      if (isWrongExpectedVersion(err)) throw new Lost(fromEsdbCurrentRevision((err as { actualVersion: bigint | 'no_stream' }).actualVersion));
      throw err;
    }
    this.streams.wrote(physical);
    const raw = await this.streams.readRaw(physical, BigInt(prepared.chained[0].revision), prepared.chained.length);
    for (const [i, mine] of prepared.chained.entries()) {
      if (raw[i]?.id !== mine.eventId || writeIdOf(raw[i].metadata) !== prepared.writeId) {
        // ESDB took this append as an idempotent repeat of another writer's identical one.
        throw new DuplicateEventIdError(mine.eventId);
      }
    }
    return raw.map((record) => decodeRecord(record, stream));
  }

  private async read(stream: string): Promise<RecordedEvent[]> {
    const raw = await this.streams.readRaw(this.streams.physical(stream), 0n);
    return raw.map((record) => decodeRecord(record, stream));
  }
}

/** The events of one append, chained from `head`, in the form sent (a fresh writeId). */
function prepare(stream: string, head: Head | undefined, events: ValidatedEvent[], now: Date): Prepared {
  const recordedAt = nextRecordedAt(now, head?.lastRecordedAt);
  const chained = chainEvents(stream, head, events, recordedAt);
  const writeId = randomUUID();
  const data: EventData[] = chained.map((e, i) => ({
    id: e.eventId,
    contentType: 'application/json',
    type: e.type,
    // Any JSON value (validated and normalised by validateNewEvents); the client JSON.stringifies it.
    data: events[i].data as JSONType,
    metadata: { ...encodeMetadata(e, writeId) },
  }));
  return { chained, writeId, revision: head?.revision ?? -1, data };
}

function headOf(events: RecordedEvent[]): Head | undefined {
  const last = events[events.length - 1];
  return last && { revision: last.revision, hash: last.hash, lastRecordedAt: last.recordedAt };
}

/** Marks an error thrown part-way through appendMany with the requests that were already written. */
function withWritten<E extends Error>(err: E, written: Set<number>): E {
  if (written.size > 0) {
    const writtenRequests = [...written].sort((a, b) => a - b);
    Object.assign(err, { committedRequests: writtenRequests.length, writtenRequests });
    err.message += ` (appendMany is not atomic on EventStoreDB: request(s) ${writtenRequests.join(', ')} of the batch were written)`;
  }
  return err;
}

/** Runs `fn` over `items` with at most `limit` at a time; results in input order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
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
