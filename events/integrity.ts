/**
 * Tamper evidence (SPEC §6). Each event's hash is SHA-256 over the previous event's hash in the
 * same stream and the canonical JSON (RFC 8785, via `canonicalize`) of the event's content:
 * identity, position in its stream, type, schema version, data (which holds the effective dates),
 * recordedAt and recordedBy. Changing, deleting or reordering a stored event breaks the chain.
 *
 * Pure: no I/O. The stores call `hashEvent` inside the append transaction, under the same
 * expected-revision guard, so that the chain can never fork.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { RecordedEvent } from './envelope';

export const GENESIS_HASH = '0'.repeat(64);

export type HashedFields = Omit<RecordedEvent, 'hash' | 'position'>;

export function hashEvent(fields: HashedFields): string {
  const content = canonicalize({
    eventId: fields.eventId,
    stream: fields.stream,
    revision: fields.revision,
    type: fields.type,
    schemaVersion: fields.schemaVersion,
    data: fields.data,
    recordedAt: fields.recordedAt,
    recordedBy: fields.recordedBy,
    correlationId: fields.correlationId,
  });
  return createHash('sha256').update(fields.prevHash).update('\n').update(content!).digest('hex');
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
  private checked = 0;
  private broken: BrokenLink | undefined;

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
  }

  /**
   * Compares the verified chains with the stream heads the store recorded at each append
   * (its index of streams). A stream whose tail, or whole self, was deleted is caught here.
   */
  checkHeads(expected: Iterable<{ stream: string; revision: number; hash: string }>): void {
    if (this.broken) return;
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
