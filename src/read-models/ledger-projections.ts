/**
 * The two read models the queries use, as projections over the global log:
 * - `officer-ledgers.v4` (v4: the snapshot's facts carry the name and license number as corrected,
 *   and the separation, docs/decisions.md W19): per officer, the officer's events already upcast
 *   (what projections/ reads), with the name: one document read instead of a stream read plus
 *   upcasting per query; and, derived from it once per commit, the officer's facts snapshot
 *   (projections/facts-snapshot.ts) under `facts:<agencyId>/<officerId>`, so that an agency report
 *   reads one small document per officer and skips the knowledge step;
 * - `agency-summaries`: per agency, its name, its own events (policy adoptions, retractions) and
 *   its officers' ids, so that an agency report reads two things: this and the ledgers.
 * They hold every event, not only the current state, because every query can ask for any
 * (asOf, knownAt): the engine in projections/ applies knownAt itself.
 */
import type { RecordedEvent } from '../../events/envelope';
import { parseStream } from '../../events/streams';
import { officerFactsSnapshot, type LedgerEvent, type OfficerFactsSnapshot } from '../../projections';
import { toLedgerEvent } from './ledger-event';

export interface WorkingSet {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, doc: unknown): void;
}

/**
 * A projection's name carries the version of what it writes: a projection whose documents change
 * shape gets a new name, so that it is a new read model, built from position 0 by the runner
 * (queries read the event store meanwhile). The old documents stay until deleted by hand.
 */
export interface Projection {
  readonly name: string;
  apply(event: RecordedEvent, docs: WorkingSet): Promise<void>;
  /**
   * Optional: a document derived from one that changed, computed once per commit (not once per
   * event) and committed with it. Returns undefined for documents that derive nothing.
   */
  derive?(key: string, doc: unknown): { key: string; doc: unknown } | undefined;
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
/** Facts snapshots: ':' is not allowed in ids (ID_PATTERN), so these keys never fall under a ledger prefix. */
export const FACTS_KEY_PREFIX = 'facts:';
export const officerFactsKey = (agencyId: string, officerId: string): string => `${FACTS_KEY_PREFIX}${officerLedgerKey(agencyId, officerId)}`;
export const officerFactsPrefix = (agencyId: string): string => `${FACTS_KEY_PREFIX}${officerLedgerPrefix(agencyId)}`;

/** The facts snapshot document: null when the officer's stream cannot be split from the agency's (see facts-snapshot.ts). */
export interface OfficerFactsDoc {
  officerId: string;
  snapshot: OfficerFactsSnapshot | null;
}

export const OFFICER_LEDGERS: Projection = {
  name: 'officer-ledgers.v4',
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
  derive(key, doc) {
    if (key.startsWith(FACTS_KEY_PREFIX)) return undefined;
    const ledger = doc as OfficerLedgerDoc;
    const facts: OfficerFactsDoc = { officerId: ledger.officerId, snapshot: officerFactsSnapshot(ledger.officerId, ledger.name, ledger.events) };
    return { key: officerFactsKey(ledger.agencyId, ledger.officerId), doc: facts };
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
