/**
 * The knowledge step (SPEC §1), applied once before any rule runs: keep the events recorded at or
 * before `knownAt` (compared as instants), drop the events retracted by a retraction recorded at
 * or before `knownAt`. Retractions themselves are not facts.
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

/** Merges the two streams in recorded order (by instant; officer before agency on a tie; stream order kept). */
function recordedOrder(ledger: OfficerLedger): KnownEvent[] {
  const tagged: (KnownEvent & { seq: number })[] = [];
  let seq = 0;
  for (const e of ledger.officerEvents) tagged.push({ ...e, stream: 'officer', at: parseInstant(e.recordedAt, 'recordedAt'), seq: seq++ });
  for (const e of ledger.agencyEvents) tagged.push({ ...e, stream: 'agency', at: parseInstant(e.recordedAt, 'recordedAt'), seq: seq++ });
  tagged.sort((a, b) => a.at - b.at || a.seq - b.seq);
  return tagged.map(({ seq: _seq, ...e }) => e);
}

export function know(ledger: OfficerLedger, knownAt: string): Knowledge {
  const cutoff = parseInstant(knownAt, 'knownAt');
  const recorded = recordedOrder(ledger).filter((e) => e.at <= cutoff);
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
