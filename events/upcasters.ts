/**
 * Schema versions and upcasters (docs/reference.md#events). Every event is stored with the schema
 * version it was written under and is upcast on read, never rewritten (rewriting would also break
 * its hash).
 *
 * To change an event's shape: bump CURRENT_SCHEMA_VERSION for its type and add an entry
 * `UPCASTERS[type][oldVersion] = (data) => dataOfNextVersion`. Each step lifts one version.
 */
import type { DomainEvent, EventType } from './catalogue';
import { EVENT_TYPES } from './catalogue';

export const CURRENT_SCHEMA_VERSION: { readonly [T in EventType]: number } = {
  AgencyRegistered: 1,
  SroPolicyAdopted: 2,
  OfficerRegistered: 1,
  OfficerAssigned: 1,
  AssignmentEnded: 1,
  TrainingUnavailableDeclared: 1,
  SubstituteDayServed: 1,
  TrainingCompleted: 1,
  CertificateFiled: 2,
  PolicyReviewed: 1,
  OfficerDetailsCorrected: 1,
  OfficerSeparated: 1,
  SroContractRecorded: 1,
  SroContractAmended: 1,
  SroContractEnded: 1,
  OfficerEnrolled: 1,
  EventRetracted: 1,
  ReminderNoticeSent: 1,
  ReminderNoticeFailed: 1,
  ReminderNoticeAcknowledged: 1,
  WitnessCheckpointSent: 1,
  WitnessCheckpointFailed: 1,
};

export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;
export type UpcasterTable = Partial<Record<string, Record<number, Upcaster>>>;

/**
 * The steps so far:
 * - SroPolicyAdopted 1 → 2: version 2 adds the optional `modelRevision` (docs/decisions.md W19). A
 *   version-1 adoption did not say which model revision it follows, so it is lifted as it is,
 *   without one.
 * - CertificateFiled 1 → 2: version 2 adds the optional `fileStored` (docs/reference.md#events). A
 *   version-1 filing recorded only the hash, so it is lifted as it is, without the flag.
 */
export const UPCASTERS: UpcasterTable = {
  SroPolicyAdopted: { 1: (data) => ({ ...data }) },
  CertificateFiled: { 1: (data) => ({ ...data }) },
};

export class UnknownEventError extends Error {}


/** Lifts stored data to the current schema version of its type. */
export function upcast(
  stored: { type: string; schemaVersion: number; data: unknown },
  table: UpcasterTable = UPCASTERS,
  current: Readonly<Record<string, number>> = CURRENT_SCHEMA_VERSION,
): DomainEvent {
  const target = current[stored.type];
  if (target === undefined) throw new UnknownEventError(`unknown event type ${stored.type}`);
  if (stored.schemaVersion > target) {
    throw new UnknownEventError(`${stored.type} schema version ${stored.schemaVersion} is newer than this build knows (${target})`);
  }
  let data = stored.data as Record<string, unknown>;
  for (let version = stored.schemaVersion; version < target; version++) {
    const step = table[stored.type]?.[version];
    if (!step) throw new UnknownEventError(`no upcaster for ${stored.type} from schema version ${version}`);
    data = step(data);
  }
  return { type: stored.type, data } as unknown as DomainEvent;
}
