/**
 * How every event the product appends is built (docs/decisions.md W3, W6, W8, W15): LedgerWriter,
 * BulkImporter and the access registry append nothing they did not build here, so an event's id,
 * schema version, metadata and stored data, a registration's roster enrolment and an
 * Idempotency-Key's replay are the same whichever path appends.
 */
import canonicalize from 'canonicalize';
import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';
import { ACCESS_SCHEMA_VERSION, type AccessEvent } from '../../events/access';
import type { DomainEvent } from '../../events/catalogue';
import type { EventMetadata, NewEvent, RecordedEvent } from '../../events/envelope';
import { rosterStream } from '../../events/streams';
import { CURRENT_SCHEMA_VERSION } from '../../events/upcasters';
import type { AppendRequest } from '../store/event-store.port';
import { IdempotencyMismatch } from './refusals';

/** Namespace for idempotent event ids (a fixed random UUID of this product). */
const IDEMPOTENCY_NAMESPACE = '6f0b8f43-5d0e-4c55-9f4c-1f6e0f0c7a21';

/** The version each event type is written with: the catalogue's (events/upcasters.ts, events/access.ts). */
const SCHEMA_VERSION: { readonly [T in DomainEvent['type'] | AccessEvent['type']]: number } = { ...CURRENT_SCHEMA_VERSION, ...ACCESS_SCHEMA_VERSION };

/**
 * A new event id: a UUIDv7 (time-ordered), so that the stores' unique index on event ids grows
 * at its end instead of taking random inserts all over (which, at a million events, dirties a
 * page per event and multiplies the bytes each commit writes).
 */
export const newEventId = (): string => uuidv7();

/** The event id an Idempotency-Key stands for, within an agency (the HTTP writes and the bulk import agree). */
export const idempotentEventId = (agencyId: string, idempotencyKey: string): string => uuidv5(`${agencyId}\n${idempotencyKey}`, IDEMPOTENCY_NAMESPACE);

/**
 * An event's data as it will be stored and read back: an optional field left out is absent, not
 * `undefined` (the data of every event is one flat object; JSON would drop it too).
 */
function asStored(data: object): object {
  const stored: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(data)) if (value !== undefined) stored[field] = value;
  return stored;
}

/** An event as the store takes it: its schema version from the catalogue, its data as it will be stored. */
export function newEvent(event: DomainEvent | AccessEvent, metadata: EventMetadata, eventId: string = newEventId()): NewEvent {
  return { eventId, type: event.type, schemaVersion: SCHEMA_VERSION[event.type], data: asStored(event.data), metadata };
}

/** The roster part of an officer's registration, appended in the same transaction (decisions W6). */
export function rosterEnrolment(agencyId: string, officerIds: string[], metadata: EventMetadata): AppendRequest {
  return { stream: rosterStream(agencyId), expectedRevision: 'any', events: officerIds.map((officerId) => newEvent({ type: 'OfficerEnrolled', data: { officerId } }, metadata)) };
}

/**
 * The first answer to a retried request (its WriteResult; decisions W3): `first` is the event
 * stored under the request's Idempotency-Key, `event` what the request describes. The same
 * stream, type and data is the same request; anything else is an IdempotencyMismatch.
 */
export function replay(first: RecordedEvent, stream: string, event: DomainEvent): Pick<RecordedEvent, 'eventId' | 'recordedAt'> {
  if (first.stream !== stream || first.type !== event.type || canonicalize(first.data) !== canonicalize(event.data)) {
    throw new IdempotencyMismatch([
      `Idempotency-Key was already used for a different request (event ${first.eventId}, ${first.type}); use a new key for a new request`,
    ]);
  }
  return { eventId: first.eventId, recordedAt: first.recordedAt };
}
