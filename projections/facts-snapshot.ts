/**
 * Facts kept between queries: an officer's facts as known from the officer's own stream once the
 * whole stream is known, joined at query time with the agency's facts as known at `knownAt`.
 *
 * The split is exact because the fact model (facts.ts) is separable by stream: policy versions
 * come only from the agency's stream, every other fact only from the officer's, and a retraction
 * only affects its own stream when its target is in that stream. Where a retraction names an
 * event outside its own stream, there is no split: officerFactsSnapshot returns null and
 * agencyFactsKnownAt says `separable: false`, and the caller uses factsKnownAt on the whole
 * ledger. test/projections/properties.unit.spec.ts checks factsFromSnapshot against factsKnownAt.
 */
import { parseInstant } from './dates';
import { buildFacts, type Facts } from './facts';
import type { LedgerEvent } from './input';
import { know } from './knowledge';

export interface OfficerFactsSnapshot {
  officerId: string;
  name: string;
  /** recordedAt of the registration (null if the stream has none): the officer is in the records from then on. */
  registeredAt: string | null;
  /** The latest recordedAt in the officer's stream: the snapshot holds for every knownAt at or after it. */
  coversFrom: string;
  /** The officer's facts with every event of the stream known; `policies` empty (the agency's). */
  facts: Facts;
}

export interface AgencyFacts {
  policies: Facts['policies'];
  effectiveDates: Facts['effectiveDates'];
  /** False when a known agency retraction names an event outside the agency's stream. */
  separable: boolean;
}

interface RetractionData {
  retractedEventId?: unknown;
}

/** True when every retraction among `events` names an event of `events`. */
function retractionsStayIn(events: LedgerEvent[]): boolean {
  let ids: Set<string> | undefined;
  for (const e of events) {
    if (e.type !== 'EventRetracted') continue;
    ids ??= new Set(events.map((x) => x.eventId));
    const target = (e.data as RetractionData | null)?.retractedEventId;
    if (typeof target !== 'string' || !ids.has(target)) return false;
  }
  return true;
}

/** The snapshot of one officer's stream (in revision order); null when it cannot be split from the agency's. */
export function officerFactsSnapshot(officerId: string, name: string, officerEvents: LedgerEvent[]): OfficerFactsSnapshot | null {
  if (officerEvents.length === 0 || !retractionsStayIn(officerEvents)) return null;
  let latest = officerEvents[0];
  for (const e of officerEvents) if (parseInstant(e.recordedAt, 'recordedAt') > parseInstant(latest.recordedAt, 'recordedAt')) latest = e;
  const registration = officerEvents.find((e) => e.type === 'OfficerRegistered');
  const facts = buildFacts(officerId, name, know({ officerId, name, officerEvents, agencyEvents: [] }, latest.recordedAt));
  return { officerId, name, registeredAt: registration?.recordedAt ?? null, coversFrom: latest.recordedAt, facts };
}

/** The agency's part of the facts as known at `knownAt`: once per report, shared by every officer. */
export function agencyFactsKnownAt(agencyEvents: LedgerEvent[], knownAt: string): AgencyFacts {
  const knowledge = know({ officerId: '', name: '', officerEvents: [], agencyEvents }, knownAt);
  const facts = buildFacts('', '', knowledge);
  return { policies: facts.policies, effectiveDates: facts.effectiveDates, separable: retractionsStayIn(knowledge.recorded) };
}

/** True when `snapshot` answers for `knownAt`: every event of the officer's stream was recorded by then. */
export function snapshotCovers(snapshot: OfficerFactsSnapshot, knownAt: string): boolean {
  return parseInstant(snapshot.coversFrom, 'recordedAt') <= parseInstant(knownAt, 'knownAt');
}

/** Two sorted lists of distinct dates as one. */
function mergeDates(a: string[], b: string[]): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++];
    if (out.length === 0 || out[out.length - 1] !== next) out.push(next);
  }
  return out;
}

/**
 * The officer's facts at a knownAt the snapshot covers (snapshotCovers) with the agency's facts
 * at the same knownAt (separable): equal to factsKnownAt on the whole ledger.
 */
export function factsFromSnapshot(snapshot: OfficerFactsSnapshot, agency: AgencyFacts): Facts {
  const officer = snapshot.facts;
  return { ...officer, policies: agency.policies, effectiveDates: mergeDates(officer.effectiveDates, agency.effectiveDates) };
}
