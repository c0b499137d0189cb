/**
 * What a store holds for one event: the event itself plus the metadata that the store, not the
 * client, assigns (revision, position, recordedAt, hash chain). Shared by every store adapter.
 */
import type { LocalDate } from './catalogue';

export interface EventMetadata {
  /** The name of the token (or CLI user) that recorded the event. */
  recordedBy: string;
  /** Ties together the events of one request or one import. */
  correlationId: string;
}

/** An event about to be appended; the store adds the rest. */
export interface NewEvent {
  eventId: string;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: EventMetadata;
}

/** An event as stored: immutable once appended. `data` is as stored (before any upcast). */
export interface RecordedEvent {
  eventId: string;
  stream: string;
  /** 0-based position within the stream. */
  revision: number;
  /** Position in the store's global log: increasing with commit order for readAll. */
  position: number;
  type: string;
  schemaVersion: number;
  data: unknown;
  /** ISO-8601 UTC with milliseconds, assigned by the store at append, non-decreasing per stream. */
  recordedAt: string;
  recordedBy: string;
  correlationId: string;
  prevHash: string;
  hash: string;
}

export type { LocalDate };
