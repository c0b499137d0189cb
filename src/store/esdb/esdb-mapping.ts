/**
 * The pure half of the EventStoreDB adapter: how the port's values map to EventStoreDB's and
 * back. No I/O, no client instance: unit-tested without a server (test/store/esdb-mapping.unit.spec.ts).
 *
 * Everything EventStoreDB-specific lives in this folder (src/store/esdb/). Moving to the
 * successor client `@kurrent/kurrentdb-client` is a change to this folder only: swap the import
 * below and in esdb-event-store.ts, and rename the append option `expectedRevision` to
 * `streamState` in EsdbEventStore.writePlanned (the values ANY / NO_STREAM / bigint are the same).
 */
import { ANY, NO_STREAM } from '@eventstore/db-client';
import type { AppendExpectedRevision, CurrentRevision, Position } from '@eventstore/db-client';
import type { RecordedEvent } from '../../../events/envelope';
import type { ExpectedRevision } from '../event-store.port';

/** What EventStoreDB's append accepts as an expected revision (the port's three cases). */
export type EsdbExpectedRevision = typeof ANY | typeof NO_STREAM | bigint;

function assertPortRevision(expected: unknown): asserts expected is ExpectedRevision {
  if (expected === 'any' || expected === 'no_stream') return;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= -1) return;
  throw new TypeError(`expectedRevision must be 'any', 'no_stream' or an integer >= -1, not ${String(expected)}`);
}

/** Port → EventStoreDB: 'no_stream' (and -1) → NO_STREAM, 'any' → ANY, n → BigInt(n). */
export function toEsdbExpectedRevision(expected: ExpectedRevision): EsdbExpectedRevision {
  assertPortRevision(expected);
  if (expected === 'any') return ANY;
  if (expected === 'no_stream' || expected === -1) return NO_STREAM;
  return BigInt(expected);
}

/**
 * EventStoreDB → port, for an expected revision (as a WrongExpectedVersionError reports it).
 * `stream_exists` has no port equivalent and is never sent by this adapter.
 */
export function fromEsdbExpectedRevision(expected: AppendExpectedRevision): ExpectedRevision {
  if (expected === ANY) return 'any';
  if (expected === NO_STREAM) return 'no_stream';
  if (typeof expected === 'bigint') return revisionToNumber(expected);
  throw new TypeError(`EventStoreDB expected revision ${String(expected)} has no equivalent in the event store port`);
}

/** EventStoreDB → port, for a stream's current revision: NO_STREAM (or -1) → 'no_stream', n → n. */
export function fromEsdbCurrentRevision(current: CurrentRevision | bigint): number | 'no_stream' {
  if (current === NO_STREAM) return 'no_stream';
  const n = revisionToNumber(current);
  return n < 0 ? 'no_stream' : n;
}

/**
 * The expected revision the adapter actually sends with an append: always the exact head it
 * read (never ANY), because the hash chain was computed from that head. If another writer got
 * there first the append fails and nothing forks. `undefined` (or -1): the stream must not exist.
 */
export function guardRevision(headRevision: number | undefined): EsdbExpectedRevision {
  return headRevision === undefined || headRevision < 0 ? NO_STREAM : BigInt(headRevision);
}

export function revisionToNumber(revision: bigint): number {
  const n = Number(revision);
  if (!Number.isSafeInteger(n)) throw new RangeError(`stream revision ${revision} is beyond 2^53 - 1`);
  return n;
}

/**
 * Positions. EventStoreDB's global position is a pair (commit, prepare) of byte offsets in its
 * transaction log. For every event this adapter writes (gRPC appends are implicitly committed,
 * never explicit multi-request transactions), commit === prepare === the event's own log
 * position, so the port's single number is the commit position, and a number converts back to
 * { commit: n, prepare: n }. Positions increase with commit order but are not dense (they jump
 * by each record's size, and over other streams' and system events).
 *
 * Bound: the port's position is a JavaScript number, exact up to 2^53 - 1 bytes (8 PiB) of
 * transaction log. Beyond that positionToNumber throws a RangeError rather than lose precision.
 */
export function positionToNumber(position: Position): number {
  const n = Number(position.commit);
  if (position.commit < 0n || !Number.isSafeInteger(n)) {
    throw new RangeError(`EventStoreDB commit position ${position.commit} cannot be represented exactly as a number (limit 2^53 - 1)`);
  }
  return n;
}

export function numberToPosition(position: number): Position {
  if (!Number.isSafeInteger(position) || position < 0) throw new TypeError('position must be an integer >= 0');
  return { commit: BigInt(position), prepare: BigInt(position) };
}

/** The metadata this adapter stores with every event (as JSON). */
export interface EsdbEventMetadata {
  recordedAt: string;
  recordedBy: string;
  correlationId: string;
  schemaVersion: number;
  prevHash: string;
  hash: string;
  /**
   * Random per append call, not hashed, not part of the port's event: tells the adapter whether
   * the events it reads back after an append are its own, or an identical concurrent append that
   * EventStoreDB answered as an idempotent repeat (then: DuplicateEventIdError).
   */
  writeId?: string;
  /**
   * On the last event of a roster enrolment only, not hashed, not part of the port's event: the
   * officer stream's append that the enrolment was written before, exactly as it is sent
   * (docs/decisions.md W16). If that append never happens (the process died between the two),
   * the next ledgerHead makes it, byte for byte.
   */
  followedBy?: EsdbFollowUp;
}

/** An append the adapter owes after the one carrying it: stream, expected revision and events as sent. */
export interface EsdbFollowUp {
  /** Physical stream name. */
  stream: string;
  /** The stream's revision before the append (-1: the stream must not exist); sent as the expected revision. */
  revision: number;
  events: { id: string; type: string; data: unknown; metadata: EsdbEventMetadata }[];
}

type ChainedFields = Pick<RecordedEvent, 'recordedAt' | 'recordedBy' | 'correlationId' | 'schemaVersion' | 'prevHash' | 'hash'>;

export function encodeMetadata(event: ChainedFields, writeId?: string, followedBy?: EsdbFollowUp): EsdbEventMetadata {
  return {
    recordedAt: event.recordedAt,
    recordedBy: event.recordedBy,
    correlationId: event.correlationId,
    schemaVersion: event.schemaVersion,
    prevHash: event.prevHash,
    hash: event.hash,
    ...(writeId !== undefined ? { writeId } : {}),
    ...(followedBy !== undefined ? { followedBy } : {}),
  };
}

/** The follow-up append a record's metadata promises, if it is one this adapter wrote (anything else: undefined). */
export function followUpOf(metadata: unknown): EsdbFollowUp | undefined {
  const value = (metadata as { followedBy?: unknown } | null | undefined)?.followedBy as Partial<EsdbFollowUp> | undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (typeof value.stream !== 'string' || !Number.isSafeInteger(value.revision) || value.revision! < -1 || !Array.isArray(value.events) || value.events.length === 0) return undefined;
  const wellFormed = value.events.every(
    (e) => typeof e === 'object' && e !== null && typeof e.id === 'string' && typeof e.type === 'string' && typeof e.metadata === 'object' && e.metadata !== null,
  );
  return wellFormed ? (value as EsdbFollowUp) : undefined;
}

/** The writeId stored with a record (undefined for anything else). */
export function writeIdOf(metadata: unknown): string | undefined {
  const value = (metadata as { writeId?: unknown } | null | undefined)?.writeId;
  return typeof value === 'string' ? value : undefined;
}

/** Thrown when an event in the ledger's streams was not written by this adapter (or was altered). */
export class EsdbDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EsdbDecodeError';
  }
}

/** Strict: an event whose metadata lacks any field is refused loudly, never half-read. */
export function decodeMetadata(raw: unknown, where: string): EsdbEventMetadata {
  if (typeof raw !== 'object' || raw === null || raw instanceof Uint8Array || Array.isArray(raw)) {
    throw new EsdbDecodeError(`${where}: metadata is not a JSON object: not written by sro-compliance`);
  }
  const m = raw as Record<string, unknown>;
  for (const key of ['recordedAt', 'recordedBy', 'correlationId', 'prevHash', 'hash'] as const) {
    if (typeof m[key] !== 'string') throw new EsdbDecodeError(`${where}: metadata.${key} is missing or not a string`);
  }
  if (!Number.isSafeInteger(m.schemaVersion)) throw new EsdbDecodeError(`${where}: metadata.schemaVersion is missing or not an integer`);
  return {
    recordedAt: m.recordedAt as string,
    recordedBy: m.recordedBy as string,
    correlationId: m.correlationId as string,
    schemaVersion: m.schemaVersion as number,
    prevHash: m.prevHash as string,
    hash: m.hash as string,
  };
}

/** The shape of an EventStoreDB recorded event that decoding needs (the client's RecordedEvent fits). */
export interface EsdbRecordLike {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  isJson: boolean;
  data: unknown;
  metadata: unknown;
  created: Date;
  position?: Position;
}

/** An EventStoreDB record → the port's RecordedEvent, under the logical (un-prefixed) stream name. */
export function decodeRecord(record: EsdbRecordLike, logicalStream: string): RecordedEvent {
  const where = `event ${record.id} (${record.streamId}@${record.revision})`;
  if (!record.isJson) throw new EsdbDecodeError(`${where}: data is not JSON: not written by sro-compliance`);
  if (!record.position) {
    throw new EsdbDecodeError(`${where}: the server returned no position with the event (EventStoreDB 22.6 or newer is required)`);
  }
  const meta = decodeMetadata(record.metadata, where);
  return {
    eventId: record.id,
    stream: logicalStream,
    revision: revisionToNumber(record.revision),
    position: positionToNumber(record.position),
    type: record.type,
    schemaVersion: meta.schemaVersion,
    data: record.data,
    recordedAt: meta.recordedAt,
    recordedBy: meta.recordedBy,
    correlationId: meta.correlationId,
    prevHash: meta.prevHash,
    hash: meta.hash,
  };
}

/** EventStoreDB's own streams and events ($streams, $ce-..., $stats-..., link events `$>`). */
export function isSystemRecord(streamId: string, type: string): boolean {
  return streamId.startsWith('$') || type.startsWith('$');
}

/** EventStoreDB parses event ids as UUIDs and returns them lowercase: only that form round-trips. */
export const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function assertEsdbEventId(eventId: string, where: string): void {
  if (!CANONICAL_UUID.test(eventId)) {
    throw new TypeError(`${where}.eventId must be a lowercase UUID for the EventStoreDB store, not "${eventId}"`);
  }
}

/**
 * The target of a link event, as the system projections ($streams, $category-<c>) write it:
 * data is `<eventNumber>@<streamName>`. The number never holds '@', so the first '@' splits.
 */
export function streamOfLink(data: unknown): string | undefined {
  const text = typeof data === 'string' ? data : data instanceof Uint8Array ? Buffer.from(data).toString('utf8') : undefined;
  if (text === undefined) return undefined;
  const at = text.indexOf('@');
  if (at <= 0 || !/^\d+$/.test(text.slice(0, at))) return undefined;
  return text.slice(at + 1);
}

/**
 * The system stream that indexes the streams whose physical name starts with `physicalPrefix`:
 * `$category-<c>` when the prefix already holds the category separator (the first '-', as the
 * standard $stream_by_category projection splits), else `$streams` (every stream).
 */
export function streamIndexFor(physicalPrefix: string): { stream: string; projection: string } {
  const dash = physicalPrefix.indexOf('-');
  return dash >= 0
    ? { stream: `$category-${physicalPrefix.slice(0, dash)}`, projection: '$stream_by_category' }
    : { stream: '$streams', projection: '$streams' };
}

export interface ParsedEsdbUrl {
  /** What EventStoreDBClient.connectionString takes (esdb:// or esdb+discover://). */
  connectionString: string;
  /** The `streamPrefix` query parameter (this adapter's, not the client's), '' if absent. */
  streamPrefix: string;
}

/**
 * Accepts esdb://, esdb+discover://, kurrentdb:// and kurrentdb+discover:// (the 6.x client
 * knows only the esdb spellings; the server is the same). Removes this adapter's own
 * `streamPrefix=<p>` parameter, which namespaces every stream the store touches.
 */
export function parseEsdbUrl(url: string): ParsedEsdbUrl {
  const match = /^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover|kurrent|kurrent\+discover):\/\/(.*)$/is.exec(url.trim());
  if (!match) throw new Error(`not an EventStoreDB URL: "${url}" (expected esdb://host:2113?tls=false)`);
  const scheme = match[1].toLowerCase().replace(/^kurrent(db)?/, 'esdb');
  let rest = match[2];
  let streamPrefix = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    const kept: string[] = [];
    for (const pair of rest.slice(q + 1).split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      const key = eq >= 0 ? pair.slice(0, eq) : pair;
      if (key.trim().toLowerCase().replace(/[_-]/g, '') === 'streamprefix') {
        streamPrefix = decodeURIComponent(eq >= 0 ? pair.slice(eq + 1) : '');
      } else {
        kept.push(pair);
      }
    }
    rest = rest.slice(0, q) + (kept.length > 0 ? `?${kept.join('&')}` : '');
  }
  return { connectionString: `${scheme}://${rest}`, streamPrefix };
}

/** How far EventStoreDB's `created` (server clock) is from the recordedAt the adapter hashed. */
export function createdDriftMs(recordedAt: string, created: Date): number {
  return Math.abs(Date.parse(recordedAt) - created.getTime());
}
