/**
 * The store-independent half of an append, shared by every adapter so that they agree to the
 * byte: validating the new events, checking the expected revision, choosing recordedAt and
 * chaining the hashes; and the ledger tree as appends extend it. Pure: the adapters call these
 * inside their own transaction. (Also the read options every adapter checks alike.)
 */
import { createHash } from 'node:crypto';
import type { NewEvent, RecordedEvent } from '../../events/envelope';
import { GENESIS_HASH, hashEvent } from '../../events/integrity';
import { leafHash, MerkleFrontier } from '../../events/merkle';
import { AppendRequest, DuplicateEventIdError, ExpectedRevision, LedgerHead, StreamHead, WrongExpectedRevisionError } from './event-store.port';

/** Rows per readAll round trip when the caller does not say. */
export const DEFAULT_READ_BATCH = 500;

/** An event ready to insert: everything but its global position, which the store assigns. */
export type ChainedEvent = Omit<RecordedEvent, 'position'>;

/** A NewEvent after validation, with `data` normalised to what JSON storage gives back. */
export interface ValidatedEvent {
  event: NewEvent;
  data: unknown;
  /** `data` as JSON text (what the SQLite adapter stores). */
  dataJson: string;
}

/** A request of a batch after validation: what every adapter's append works from. */
export interface ValidatedRequest {
  stream: string;
  expectedRevision: ExpectedRevision;
  validated: ValidatedEvent[];
}

/** An adapter's own refusals, run by validateBatch: before a request's events are validated, and on each of them after. */
export interface BatchChecks {
  request?(request: AppendRequest, index: number): void;
  event?(validated: ValidatedEvent, requestIndex: number, eventIndex: number): void;
}

/**
 * appendMany's argument checked and every request validated (stream name, events; eventIds
 * unique across the whole batch), before any lock is taken or any I/O is done.
 */
export function validateBatch(batch: unknown, checks: BatchChecks = {}): ValidatedRequest[] {
  if (!Array.isArray(batch)) throw new TypeError('appendMany: batch must be an array');
  const seen = new Set<string>();
  return batch.map((request: AppendRequest, i) => {
    const { stream, events, expectedRevision } = request;
    assertStreamName(stream);
    checks.request?.(request, i);
    const validated = validateNewEvents(events, seen);
    if (checks.event) validated.forEach((v, j) => checks.event!(v, i, j));
    return { stream, expectedRevision, validated };
  });
}

/** readStream's `fromRevision`, checked alike by every adapter (default 0). */
export function fromRevisionOf(options: { fromRevision?: number } | undefined): number {
  const fromRevision = options?.fromRevision ?? 0;
  if (!Number.isSafeInteger(fromRevision) || fromRevision < 0) throw new TypeError('fromRevision must be an integer >= 0');
  return fromRevision;
}

export function assertStreamName(stream: unknown): asserts stream is string {
  if (typeof stream !== 'string' || stream.length === 0) {
    throw new TypeError('stream must be a non-empty string');
  }
}

function assertExpectedRevision(expected: unknown): asserts expected is ExpectedRevision {
  if (expected === 'any' || expected === 'no_stream') return;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= -1) return;
  throw new TypeError(`expectedRevision must be 'any', 'no_stream' or an integer >= -1, not ${String(expected)}`);
}

/**
 * Throws WrongExpectedRevisionError unless `expected` matches the stream's current revision
 * (`undefined` when the stream does not exist).
 */
export function checkExpectedRevision(stream: string, expected: ExpectedRevision, current: number | undefined): void {
  assertExpectedRevision(expected);
  if (expected === 'any') return;
  const actual = current ?? -1;
  const wanted = expected === 'no_stream' ? -1 : expected;
  if (actual !== wanted) {
    throw new WrongExpectedRevisionError(stream, expected, current === undefined ? 'no_stream' : current);
  }
}

/**
 * Validates the shape of new events and normalises their data through JSON (so that every
 * adapter hashes, stores and returns the same value: no undefined members, no Dates, no -0).
 * `seen` collects eventIds across a whole batch: a repeat inside it is a DuplicateEventIdError.
 */
export function validateNewEvents(events: unknown, seen: Set<string>): ValidatedEvent[] {
  if (!Array.isArray(events)) throw new TypeError('events must be an array');
  return events.map((event: NewEvent, i) => {
    const where = `events[${i}]`;
    if (typeof event !== 'object' || event === null) throw new TypeError(`${where} must be an object`);
    if (typeof event.eventId !== 'string' || event.eventId.length === 0) throw new TypeError(`${where}.eventId must be a non-empty string`);
    if (typeof event.type !== 'string' || event.type.length === 0) throw new TypeError(`${where}.type must be a non-empty string`);
    if (!Number.isSafeInteger(event.schemaVersion) || event.schemaVersion < 1) throw new TypeError(`${where}.schemaVersion must be an integer >= 1`);
    const metadata = event.metadata;
    if (typeof metadata !== 'object' || metadata === null) throw new TypeError(`${where}.metadata must be an object`);
    if (typeof metadata.recordedBy !== 'string') throw new TypeError(`${where}.metadata.recordedBy must be a string`);
    if (typeof metadata.correlationId !== 'string') throw new TypeError(`${where}.metadata.correlationId must be a string`);
    const dataJson = JSON.stringify(event.data);
    if (dataJson === undefined) throw new TypeError(`${where}.data must be JSON-serialisable`);
    if (seen.has(event.eventId)) throw new DuplicateEventIdError(event.eventId);
    seen.add(event.eventId);
    return { event, data: JSON.parse(dataJson) as unknown, dataJson };
  });
}

/** ISO-8601 UTC with milliseconds, never earlier than the stream's last recordedAt. */
export function nextRecordedAt(now: Date, lastRecordedAt: string | undefined): string {
  const iso = now.toISOString();
  // Same fixed-width format on both sides, so string order is time order.
  return lastRecordedAt !== undefined && lastRecordedAt > iso ? lastRecordedAt : iso;
}

/** The events of one append with revisions, recordedAt and the hash chain from the stream's head. */
export function chainEvents(
  stream: string,
  head: Pick<StreamHead, 'revision' | 'hash'> | undefined,
  events: ValidatedEvent[],
  recordedAt: string,
): ChainedEvent[] {
  let revision = head ? head.revision : -1;
  let prevHash = head ? head.hash : GENESIS_HASH;
  return events.map(({ event, data }) => {
    revision++;
    const fields = {
      eventId: event.eventId,
      stream,
      revision,
      type: event.type,
      schemaVersion: event.schemaVersion,
      data,
      recordedAt,
      recordedBy: event.metadata.recordedBy,
      correlationId: event.metadata.correlationId,
      prevHash,
    };
    const chained: ChainedEvent = { ...fields, hash: hashEvent(fields) };
    prevHash = chained.hash;
    return chained;
  });
}

export function assertReadAllOptions(fromPosition: unknown, batchSize: unknown): void {
  if (!(typeof fromPosition === 'number' && Number.isSafeInteger(fromPosition) && fromPosition >= 0)) {
    throw new TypeError('fromPosition must be an integer >= 0');
  }
  if (!(typeof batchSize === 'number' && Number.isSafeInteger(batchSize) && batchSize >= 1)) {
    throw new TypeError('batchSize must be an integer >= 1');
  }
}

/**
 * The smallest string greater than every string that starts with `prefix`, in code point order
 * (which is SQLite's BINARY order on UTF-8 text): the prefix with its last code point
 * incremented, carrying over U+10FFFF and skipping the surrogate range. `undefined` when there
 * is no such bound (empty prefix, or only U+10FFFF code points).
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = Array.from(prefix, (c) => c.codePointAt(0)!);
  while (points.length > 0) {
    const last = points.pop()!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return String.fromCodePoint(...points, next);
    }
  }
  return undefined;
}

/** Code point order (= SQLite BINARY order on UTF-8), for sorting stream names like SQLite does. */
export function compareCodePoints(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The ledger tree as an append extends it: the frontier, and the position of its last leaf. */
export interface WorkingTree {
  frontier: MerkleFrontier;
  lastPosition: number;
}

/** The port's LedgerHead of a tree; `issuedPosition` where the store's positions have no legitimate gaps. */
export function ledgerHeadOf(tree: WorkingTree, issuedPosition?: number): LedgerHead {
  const head: LedgerHead = { treeSize: tree.frontier.size, rootHash: tree.frontier.root().toString('hex'), lastPosition: tree.lastPosition };
  if (issuedPosition !== undefined) head.issuedPosition = issuedPosition;
  return head;
}

/** The stored form of the ledger tree's frontier (one row in the SQL stores). */
export interface StoredTree {
  size: number;
  lastPosition: number;
  /** JSON array of the frontier's subtree roots (hex), largest first. */
  frontier: string;
}

/** The tree an append extends, from its stored row (absent: the empty tree of an empty store). */
export function loadTree(row: StoredTree | undefined): WorkingTree {
  if (!row) return { frontier: MerkleFrontier.empty(), lastPosition: 0 };
  return { frontier: MerkleFrontier.fromJSON({ size: row.size, nodes: JSON.parse(row.frontier) as string[] }), lastPosition: row.lastPosition };
}

export function storeTree(tree: WorkingTree): StoredTree {
  return { size: tree.frontier.size, lastPosition: tree.lastPosition, frontier: JSON.stringify(tree.frontier.toJSON().nodes) };
}

/**
 * The tree as this store instance last wrote it: an append that finds the same row (no other
 * process appended since) reuses it instead of parsing the row again.
 */
export class TreeRowCache {
  private row?: StoredTree;
  private tree?: WorkingTree;

  load(row: StoredTree | undefined): WorkingTree {
    const cached = this.row;
    if (row && cached && this.tree && row.size === cached.size && row.lastPosition === cached.lastPosition && row.frontier === cached.frontier) {
      return { frontier: this.tree.frontier.clone(), lastPosition: this.tree.lastPosition };
    }
    return loadTree(row);
  }

  /** The row to write; remembered only once `committed` is called (a rolled-back append must not be). */
  store(tree: WorkingTree): StoredTree {
    return storeTree(tree);
  }

  committed(row: StoredTree, tree: WorkingTree): void {
    this.row = row;
    this.tree = { frontier: tree.frontier.clone(), lastPosition: tree.lastPosition };
  }
}

/** Extends the tree with events in position order. */
export function extendTree(tree: WorkingTree, events: Iterable<{ hash: string; position: number }>): void {
  for (const event of events) {
    if (event.position <= tree.lastPosition) throw new Error(`internal error: position ${event.position} is not after the tree's last position ${tree.lastPosition}`);
    // The append path hashes what chainEvents just computed; verification parses stored hashes strictly (eventLeafHash).
    tree.frontier.push(leafHash(Buffer.from(event.hash, 'hex')));
    tree.lastPosition = event.position;
  }
}

/** Checks the files of an append: each a Buffer stored under the SHA-256 of its bytes (recomputed here). */
export function validateFiles(files: unknown): { sha256: string; bytes: Buffer }[] {
  if (files === undefined) return [];
  if (!Array.isArray(files)) throw new TypeError('files must be an array');
  return files.map((f, i) => {
    const { sha256, bytes } = (f ?? {}) as { sha256?: unknown; bytes?: unknown };
    if (!Buffer.isBuffer(bytes)) throw new TypeError(`files[${i}].bytes must be a Buffer`);
    if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) throw new TypeError(`files[${i}].sha256 must be 64 lowercase hexadecimal characters`);
    if (createHash('sha256').update(bytes).digest('hex') !== sha256) throw new TypeError(`files[${i}]: sha256 is not the SHA-256 of its bytes`);
    return { sha256, bytes };
  });
}
