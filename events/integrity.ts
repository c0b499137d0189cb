/**
 * Tamper evidence (docs/reference.md#integrity). Each event's hash is SHA-256 over the previous
 * event's hash in the same stream and the canonical JSON (RFC 8785, via `canonicalize`) of the
 * event's content: identity, position in its stream, type, schema version, data (which holds the
 * effective dates), recordedAt and recordedBy. Changing, deleting or reordering a stored event
 * breaks the chain.
 *
 * Pure: no I/O. The stores call `hashEvent` inside the append transaction, under the same
 * expected-revision guard, so that the chain can never fork.
 */
import { hash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { canonicalJson, quoteJson } from './canonical-json';
import type { RecordedEvent } from './envelope';
import { officerStream, parseStream, rosterStream } from './streams';

export const GENESIS_HASH = '0'.repeat(64);

export type HashedFields = Omit<RecordedEvent, 'hash' | 'position'>;

/** The hashed members, in RFC 8785 key order (UTF-16 code units: "recordedAt" < "recordedBy" < "revision"). */
const ENVELOPE_KEYS = ['correlationId', 'data', 'eventId', 'recordedAt', 'recordedBy', 'revision', 'schemaVersion', 'stream', 'type'] as const;

/**
 * The canonical JSON of the hashed content. Byte for byte what canonicalize() gives for the
 * whole object (the envelope's keys are fixed, so they are written in their sorted order and
 * only `data` goes through the canonical writer, events/canonical-json.ts, which is canonicalize's
 * output written faster): the hot path of every append and every verify.
 */
function canonicalContent(fields: HashedFields): string {
  const plain =
    typeof fields.eventId === 'string' &&
    typeof fields.stream === 'string' &&
    Number.isSafeInteger(fields.revision) &&
    typeof fields.type === 'string' &&
    Number.isSafeInteger(fields.schemaVersion) &&
    typeof fields.recordedAt === 'string' &&
    typeof fields.recordedBy === 'string' &&
    typeof fields.correlationId === 'string' &&
    fields.data !== undefined;
  if (!plain) {
    // Anything unusual (a missing member, which canonicalize omits): the general path.
    return canonicalize(Object.fromEntries(ENVELOPE_KEYS.map((k) => [k, fields[k]])))!;
  }
  return (
    `{"correlationId":${quoteJson(fields.correlationId)},"data":${canonicalJson(fields.data)},"eventId":${quoteJson(fields.eventId)},` +
    `"recordedAt":${quoteJson(fields.recordedAt)},"recordedBy":${quoteJson(fields.recordedBy)},"revision":${fields.revision},` +
    `"schemaVersion":${fields.schemaVersion},"stream":${quoteJson(fields.stream)},"type":${quoteJson(fields.type)}}`
  );
}

export function hashEvent(fields: HashedFields): string {
  // One-shot hash (Node ≥ 20.12): the same UTF-8 bytes as update() calls, without a Hash object.
  return hash('sha256', `${fields.prevHash}\n${canonicalContent(fields)}`, 'hex');
}

export interface BrokenLink {
  stream: string;
  revision: number;
  eventId: string | null;
  reason: string;
}

export interface IntegrityReport {
  ok: boolean;
  eventsChecked: number;
  firstBroken?: BrokenLink;
}

/**
 * Incremental verifier for one or many streams, fed events in any interleaving of streams but
 * in revision order within each stream (as readAll or readStream return them). Memory is one
 * entry per stream, so a whole store can be verified in one streamed pass.
 */
export class ChainVerifier {
  private readonly heads = new Map<string, { revision: number; hash: string }>();
  /** Officer streams named by a roster's OfficerEnrolled events, with the enrolling event. */
  private readonly enrolled = new Map<string, Pick<RecordedEvent, 'eventId' | 'stream' | 'revision'>>();
  private checked = 0;
  private broken: BrokenLink | undefined;
  /** When each stream's first event was recorded (a registration and its enrolment share the instant). */
  private readonly opened = new Map<string, string>();
  /** The hash of each stream's first event (what a read model built from first events rests on). */
  private readonly firsts = new Map<string, string>();

  add(event: RecordedEvent): void {
    this.checked++;
    if (this.broken) return;
    const head = this.heads.get(event.stream) ?? { revision: -1, hash: GENESIS_HASH };
    const fail = (reason: string) => {
      this.broken = { stream: event.stream, revision: event.revision, eventId: event.eventId, reason };
    };
    if (event.revision !== head.revision + 1) {
      return fail(`expected revision ${head.revision + 1}, found ${event.revision}: an event is missing or out of order`);
    }
    if (event.prevHash !== head.hash) {
      return fail('prevHash does not match the hash of the previous event in the stream');
    }
    if (hashEvent(event) !== event.hash) {
      return fail('hash does not match the event content: the event was altered after it was recorded');
    }
    this.heads.set(event.stream, { revision: event.revision, hash: event.hash });
    if (event.revision === 0) {
      this.opened.set(event.stream, event.recordedAt);
      this.firsts.set(event.stream, event.hash);
    }
    const roster = parseStream(event.stream);
    if (event.type === 'OfficerEnrolled' && roster?.kind === 'roster') {
      // What a failure names of the enrolment, not the whole event: one a stream, 25,000 at the default bench size.
      this.enrolled.set(officerStream(roster.agencyId, (event.data as { officerId: string }).officerId), { eventId: event.eventId, stream: event.stream, revision: event.revision });
    }
  }

  /**
   * The last event verified so far in `stream`: its revision and hash. The hash commits to every
   * event of the stream up to it (each hash covers the previous one), so two equal heads mean the
   * same events.
   */
  headOf(stream: string): { revision: number; hash: string } | undefined {
    return this.heads.get(stream);
  }

  /** A verifier with the same state, fed on from here without changing this one. */
  clone(): ChainVerifier {
    const copy = new ChainVerifier();
    for (const [k, v] of this.heads) copy.heads.set(k, v);
    for (const [k, v] of this.enrolled) copy.enrolled.set(k, v);
    for (const [k, v] of this.opened) copy.opened.set(k, v);
    for (const [k, v] of this.firsts) copy.firsts.set(k, v);
    copy.checked = this.checked;
    copy.broken = this.broken;
    return copy;
  }

  /** The hash of the first event verified in `stream`, if any. */
  firstHashOf(stream: string): string | undefined {
    return this.firsts.get(stream);
  }

  /** The revision verified so far in `stream` (-1: none). */
  revisionOf(stream: string): number {
    return this.heads.get(stream)?.revision ?? -1;
  }

  /** The first broken link found so far. */
  get firstBroken(): BrokenLink | undefined {
    return this.broken;
  }

  /**
   * Compares the verified chains with the stream heads the store recorded at each append
   * (its index of streams). A stream whose tail, or whole self, was deleted is caught here.
   */
  checkHeads(expected: Iterable<{ stream: string; revision: number; hash: string }>): void {
    if (this.broken) return;
    // Every officer stream on a verified roster must have been verified too: a whole officer
    // stream deleted together with its head row is caught here (the roster is hash-chained).
    for (const [stream, enrolment] of this.enrolled) {
      if (!this.heads.has(stream)) {
        this.broken = {
          stream,
          revision: 0,
          eventId: null,
          reason: `stream ${stream} is on the agency roster (event ${enrolment.eventId}, ${enrolment.stream} revision ${enrolment.revision}) but has no events: the stream was deleted`,
        };
        return;
      }
    }
    // And the reverse: an officer stream of an agency that keeps a roster must be on it (a
    // roster enrolment deleted from the roster's tail, head rolled back, is caught here).
    // Officer streams opened before their agency's roster existed (older stores) are not on it.
    for (const stream of this.heads.keys()) {
      const parsed = parseStream(stream);
      if (parsed?.kind !== 'officer' || this.enrolled.has(stream)) continue;
      const rosterOpened = this.opened.get(rosterStream(parsed.agencyId));
      if (rosterOpened === undefined || this.opened.get(stream)! < rosterOpened) continue;
      this.broken = {
        stream: rosterStream(parsed.agencyId),
        revision: this.heads.get(rosterStream(parsed.agencyId))!.revision + 1,
        eventId: null,
        reason: `officer stream ${stream} has events but is not on the agency roster: its enrolment was deleted from the roster`,
      };
      return;
    }
    for (const head of expected) {
      const seen = this.heads.get(head.stream);
      if (!seen) {
        this.broken = { stream: head.stream, revision: 0, eventId: null, reason: `stream ${head.stream} is recorded with ${head.revision + 1} event(s) but none were found: the stream was deleted` };
        return;
      }
      if (seen.revision !== head.revision || seen.hash !== head.hash) {
        this.broken = {
          stream: head.stream,
          revision: seen.revision + 1,
          eventId: null,
          reason: `stream head is recorded at revision ${head.revision} but the chain ends at revision ${seen.revision}: events were deleted or altered at the end of the stream`,
        };
        return;
      }
    }
  }

  report(): IntegrityReport {
    return this.broken
      ? { ok: false, eventsChecked: this.checked, firstBroken: this.broken }
      : { ok: true, eventsChecked: this.checked };
  }
}
