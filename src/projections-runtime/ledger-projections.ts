/**
 * The two read models the queries use, as projections over the global log:
 * - `officer-ledgers`: per officer, the officer's events already upcast (what projections/ reads),
 *   with the name: one document read instead of a stream read plus upcasting per query;
 * - `agency-summaries`: per agency, its name, its own events (policy adoptions, retractions) and
 *   its officers' ids, so that an agency report reads two things: this and the ledgers.
 * They hold every event, not only the current state, because every query can ask for any
 * (asOf, knownAt): the engine in projections/ applies knownAt itself.
 */
import type { RecordedEvent } from '../../events/envelope';
import { parseStream } from '../../events/streams';
import type { LedgerEvent } from '../../projections';
import { toLedgerEvent } from '../read/ledger-event';

export interface WorkingSet {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, doc: unknown): void;
}

export interface Projection {
  readonly name: string;
  apply(event: RecordedEvent, docs: WorkingSet): Promise<void>;
}

export interface OfficerLedgerDoc {
  agencyId: string;
  officerId: string;
  name: string;
  events: LedgerEvent[];
}

export interface AgencySummaryDoc {
  agencyId: string;
  name: string;
  events: LedgerEvent[];
  officerIds: string[];
}

export const officerLedgerKey = (agencyId: string, officerId: string): string => `${agencyId}/${officerId}`;
export const officerLedgerPrefix = (agencyId: string): string => `${agencyId}/`;

export const OFFICER_LEDGERS: Projection = {
  name: 'officer-ledgers',
  async apply(event, docs) {
    const stream = parseStream(event.stream);
    if (stream?.kind !== 'officer') return;
    const key = officerLedgerKey(stream.agencyId, stream.officerId);
    const doc = (await docs.get<OfficerLedgerDoc>(key)) ?? { agencyId: stream.agencyId, officerId: stream.officerId, name: '', events: [] };
    const ledgerEvent = toLedgerEvent(event);
    if (event.type === 'OfficerRegistered') doc.name = (ledgerEvent.data as { name: string }).name;
    doc.events.push(ledgerEvent);
    docs.set(key, doc);
  },
};

export const AGENCY_SUMMARIES: Projection = {
  name: 'agency-summaries',
  async apply(event, docs) {
    const stream = parseStream(event.stream);
    if (!stream || (stream.kind !== 'agency' && stream.kind !== 'officer')) return; // not the roster, not access grants
    if (stream.kind === 'officer' && event.type !== 'OfficerRegistered') return;
    const doc = (await docs.get<AgencySummaryDoc>(stream.agencyId)) ?? { agencyId: stream.agencyId, name: '', events: [], officerIds: [] };
    if (stream.kind === 'officer') {
      if (!doc.officerIds.includes(stream.officerId)) doc.officerIds.push(stream.officerId);
    } else {
      const ledgerEvent = toLedgerEvent(event);
      if (event.type === 'AgencyRegistered') doc.name = (ledgerEvent.data as { name: string }).name;
      doc.events.push(ledgerEvent);
    }
    docs.set(stream.agencyId, doc);
  },
};

export const PROJECTIONS: readonly Projection[] = [OFFICER_LEDGERS, AGENCY_SUMMARIES];
