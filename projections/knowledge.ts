/**
 * The knowledge step (docs/reference.md#time), applied once before any rule runs: keep the events
 * recorded at or before `knownAt` (compared as instants), drop the events retracted by a retraction
 * recorded at or before `knownAt`. Retractions themselves are not facts.
 */
import { parseInstant } from './dates';
import type { LedgerEvent, OfficerLedger } from './input';
import { RETRACTION_OF_RETRACTION_HAS_EFFECT } from './interpretation';

export interface KnownEvent extends LedgerEvent {
  stream: 'officer' | 'agency';
  /** recordedAt as epoch milliseconds. */
  at: number;
}

export interface Knowledge {
  /** Every event recorded at or before knownAt, retractions included, in recorded order. */
  recorded: KnownEvent[];
  /** The facts: recorded, not retractions, not retracted. In recorded order. */
  facts: KnownEvent[];
  /** eventId → the retraction (recorded at or before knownAt) that retracts it. */
  retractedBy: Map<string, KnownEvent>;
}

interface RetractionData {
  retractedEventId?: unknown;
}

function tag(e: LedgerEvent, stream: KnownEvent['stream']): KnownEvent {
  // Explicit fields, not a spread: this runs for every event of every query.
  return { eventId: e.eventId, type: e.type, data: e.data, recordedAt: e.recordedAt, recordedBy: e.recordedBy, stream, at: parseInstant(e.recordedAt, 'recordedAt') };
}

const inOrder = (events: KnownEvent[]): boolean => {
  for (let i = 1; i < events.length; i++) if (events[i].at < events[i - 1].at) return false;
  return true;
};

/**
 * Merges the two streams in recorded order (by instant; officer before agency on a tie; stream
 * order kept). Each stream is normally already in recorded order (the store never lets
 * recordedAt go backwards within a stream), so this is a linear merge; any other input is sorted.
 */
function recordedOrder(ledger: OfficerLedger): KnownEvent[] {
  const officer = ledger.officerEvents.map((e) => tag(e, 'officer'));
  const agency = ledger.agencyEvents.map((e) => tag(e, 'agency'));
  if (!inOrder(officer) || !inOrder(agency)) {
    // Stable sort: equal instants keep officer-then-agency, stream order.
    return [...officer, ...agency].sort((a, b) => a.at - b.at);
  }
  const merged: KnownEvent[] = new Array(officer.length + agency.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < officer.length && j < agency.length) merged[k++] = agency[j].at < officer[i].at ? agency[j++] : officer[i++];
  while (i < officer.length) merged[k++] = officer[i++];
  while (j < agency.length) merged[k++] = agency[j++];
  return merged;
}

export function know(ledger: OfficerLedger, knownAt: string): Knowledge {
  const cutoff = parseInstant(knownAt, 'knownAt');
  const ordered = recordedOrder(ledger);
  let known = ordered.length;
  while (known > 0 && ordered[known - 1].at > cutoff) known--;
  // In recorded order, the events known at the cutoff are a prefix.
  const recorded = known === ordered.length ? ordered : ordered.slice(0, known);
  const byId = new Map(recorded.map((e) => [e.eventId, e]));
  const retractedBy = new Map<string, KnownEvent>();
  // Latest first, so that (when enabled) a retraction of a retraction is known before the
  // retraction it cancels; for two retractions of one event, the earliest is kept.
  for (let i = recorded.length - 1; i >= 0; i--) {
    const r = recorded[i];
    if (r.type !== 'EventRetracted') continue;
    if (retractedBy.has(r.eventId)) continue; // itself retracted (only when enabled)
    const targetId = (r.data as RetractionData | null)?.retractedEventId;
    if (typeof targetId !== 'string') continue;
    const target = byId.get(targetId);
    if (!target) continue; // unknown (or not yet recorded) target: no effect
    if (target.type === 'EventRetracted' && !RETRACTION_OF_RETRACTION_HAS_EFFECT) continue;
    retractedBy.set(targetId, r);
  }
  const facts = recorded.filter((e) => e.type !== 'EventRetracted' && !retractedBy.has(e.eventId));
  return { recorded, facts, retractedBy };
}
