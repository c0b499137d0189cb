/**
 * Loads what the compliance engine reads (projections/input.ts): an officer's events and the
 * agency's events, upcast, with their recorded-at instants. From the read models when they hold
 * every committed event (after applying what is pending), else straight from the event store.
 * Either way the whole ledger is returned and the engine applies knownAt and retractions itself,
 * so both sources give the same answer for every (asOf, knownAt).
 */
import { Inject, Injectable } from '@nestjs/common';
import type { RecordedEvent } from '../../events/envelope';
import { agencyStream, officerStream, officerStreamPrefix, parseStream } from '../../events/streams';
import { agencyFactsKnownAt, agencyRecordsKnownAt, factsFromSnapshot, factsKnownAt, snapshotCovers, type AgencyRecords, type Facts, type LedgerEvent, type OfficerLedger } from '../../projections';
import {
  AGENCY_SUMMARIES,
  AgencySummaryDoc,
  OFFICER_LEDGERS,
  OfficerFactsDoc,
  officerFactsPrefix,
  officerLedgerKey,
  OfficerLedgerDoc,
} from '../read-models/ledger-projections';
import { ProjectionRunner } from '../read-models/projection-runner';
import { READ_MODEL_STORE, type ReadModelStore } from '../read-models/read-model-store.port';
import { EVENT_STORE, type EventStore } from '../store/event-store.port';
import { toLedgerEvent } from '../read-models/ledger-event';
import { agencyNotRegistered, officerNotRegistered } from '../write/refusals';

/** The officer's name as registered (the registration cannot be retracted). */

/** Officers whose ledger and facts snapshots stay cached (least recently used evicted first). */
const CACHED_OFFICERS = 5_000;
/** Facts snapshots kept per officer (one per distinct set of known events: now, and a few past instants). */
const SNAPSHOTS_PER_OFFICER = 4;

interface CachedOfficer {
  /** The officer-ledgers checkpoint the ledger was read at (or after). */
  checkpoint: number;
  /** recordedAt of the registration (null without one): the ledger itself is not kept, its facts are. */
  registeredAt: string | null;
  /** Each stream's recordedAt as epoch ms when the stream is in recorded order (the store's guarantee), else null. */
  officerAts: number[] | null;
  agencyAts: number[] | null;
  snapshots: Map<string, Facts>;
}

const recordedAts = (events: { recordedAt: string }[]): number[] | null => {
  const ats = events.map((e) => Date.parse(e.recordedAt));
  for (let i = 1; i < ats.length; i++) if (!(ats[i] >= ats[i - 1])) return null;
  return ats;
};

/** How many of `ats` (sorted) are at or before `cutoff`. */
const knownCount = (ats: number[], cutoff: number): number => {
  if (ats.length === 0 || ats[ats.length - 1] <= cutoff) return ats.length;
  let lo = 0;
  let hi = ats.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ats[mid] <= cutoff) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/**
 * What an agency report read (agencyFactsPages' `coverage`): `complete` when every event of the
 * agency's streams was known at knownAt and came from a snapshot that covers it, so the same
 * answer holds for any later knownAt while the read models have not moved; `coversFrom`: the
 * latest recordedAt among those events (epoch ms).
 */
export interface AgencyCoverage {
  complete?: boolean;
  coversFrom?: number;
}

@Injectable()
export class LedgerReader {
  /**
   * The agency summaries last read, with the projection checkpoint they were read at: a status
   * query needs the agency's events, and the summary document (with every officer id) is the
   * largest thing it would otherwise parse. Valid while the checkpoint has not moved.
   */
  private readonly summaries = new Map<string, { checkpoint: number; doc: AgencySummaryDoc }>();
  /** Facts snapshots per officer, keyed by agencyId/officerId (see officerFacts). */
  private readonly officers = new Map<string, CachedOfficer>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
    private readonly runner: ProjectionRunner,
  ) {}

  /** One officer's ledger; 404 for an unknown agency or officer. */
  async officer(agencyId: string, officerId: string): Promise<OfficerLedger> {
    if (await this.runner.freshen()) {
      const agency = await this.agencySummary(agencyId);
      if (!agency) throw agencyNotRegistered(agencyId);
      const doc = await this.readModels.get<OfficerLedgerDoc>(OFFICER_LEDGERS.name, officerLedgerKey(agencyId, officerId));
      if (!doc) throw officerNotRegistered(agencyId, officerId);
      return { officerId, name: doc.name, officerEvents: doc.events, agencyEvents: agency.events };
    }
    const agencyEvents = (await this.agencyStream(agencyId)).map(toLedgerEvent);
    const stored = await this.officerStream(agencyId, officerId);
    return ledgerOf(officerId, stored, agencyEvents);
  }

  /**
   * One officer's registration instant and the engine's facts as known at `knownAt`
   * (projections factsKnownAt): what a status query needs, the facts answering every asOf.
   * Cached while the read models have not moved, per officer, the facts by which prefix of each
   * stream is known at `knownAt` (the knowledge step keeps exactly the events recorded at or
   * before it, and each stream is in recorded order), so that "now" and a past instant that knew
   * the same events share one snapshot. The ledger itself is not kept (it is re-read for a
   * snapshot not cached yet): it was half of the cache's memory. Without fresh read models,
   * nothing is cached.
   */
  async officerFacts(agencyId: string, officerId: string, knownAt: string): Promise<{ registeredAt: string | null; facts: Facts }> {
    if (!(await this.runner.freshen())) {
      const ledger = await this.officer(agencyId, officerId);
      return { registeredAt: registrationOf(ledger), facts: factsKnownAt(ledger, knownAt) };
    }
    const checkpoint = this.runner.caughtUpCheckpoint(OFFICER_LEDGERS.name);
    const key = officerLedgerKey(agencyId, officerId);
    let cached = this.officers.get(key);
    /** The ledger, when read for this query (a new officer, or a snapshot not cached yet). */
    let ledger: OfficerLedger | undefined;
    if (cached && cached.checkpoint === checkpoint) {
      this.officers.delete(key); // re-inserted below: the Map's order is least recently used first
    } else {
      ledger = await this.officerFromReadModels(agencyId, officerId);
      cached = {
        checkpoint: checkpoint ?? -1,
        registeredAt: registrationOf(ledger),
        officerAts: recordedAts(ledger.officerEvents),
        agencyAts: recordedAts(ledger.agencyEvents),
        snapshots: new Map(),
      };
    }
    this.officers.set(key, cached);
    if (this.officers.size > CACHED_OFFICERS) this.officers.delete(this.officers.keys().next().value!);
    if (checkpoint === undefined) this.officers.delete(key);

    const cutoff = Date.parse(knownAt);
    const snapshotKey =
      cached.officerAts && cached.agencyAts && !Number.isNaN(cutoff)
        ? `${knownCount(cached.officerAts, cutoff)}/${knownCount(cached.agencyAts, cutoff)}`
        : `@${knownAt}`;
    let facts = cached.snapshots.get(snapshotKey);
    if (!facts) {
      ledger ??= await this.officerFromReadModels(agencyId, officerId);
      facts = factsKnownAt(ledger, knownAt);
      if (cached.snapshots.size >= SNAPSHOTS_PER_OFFICER) cached.snapshots.delete(cached.snapshots.keys().next().value!);
      cached.snapshots.set(snapshotKey, facts);
    }
    return { registeredAt: cached.registeredAt, facts };
  }

  private async officerFromReadModels(agencyId: string, officerId: string): Promise<OfficerLedger> {
    const agency = await this.agencySummary(agencyId);
    if (!agency) throw agencyNotRegistered(agencyId);
    const doc = await this.readModels.get<OfficerLedgerDoc>(OFFICER_LEDGERS.name, officerLedgerKey(agencyId, officerId));
    if (!doc) throw officerNotRegistered(agencyId, officerId);
    return { officerId, name: doc.name, officerEvents: doc.events, agencyEvents: agency.events };
  }

  /**
   * The facts as known at `knownAt` of every officer of the agency registered by then, in
   * officerId order, about `pageSize` at a time: what an agency report evaluates. From the facts
   * snapshots (projections/facts-snapshot.ts) where a snapshot covers `knownAt`; else, per
   * officer, from the whole ledger (an officer with events recorded after `knownAt`, a stream that
   * cannot be split, read models that lag).
   */
  async *agencyFactsPages(agencyId: string, knownAt: string, pageSize = 500, coverage?: AgencyCoverage): AsyncIterable<Facts[]> {
    if (!(await this.runner.freshen())) {
      if (coverage) coverage.complete = false;
      yield* this.agencyFactsFromStore(agencyId, knownAt, pageSize);
      return;
    }
    const agency = await this.agencySummary(agencyId);
    if (!agency) throw agencyNotRegistered(agencyId);
    const agencyFacts = agencyFactsKnownAt(agency.events, knownAt);
    const cutoff = Date.parse(knownAt);
    if (coverage) {
      coverage.complete = agencyFacts.separable;
      coverage.coversFrom = 0;
      for (const e of agency.events) {
        const at = Date.parse(e.recordedAt);
        if (!(at <= cutoff)) coverage.complete = false;
        coverage.coversFrom = Math.max(coverage.coversFrom, at);
      }
    }
    const prefix = officerFactsPrefix(agencyId);
    let after = '';
    for (;;) {
      const page = await this.readModels.getPageByPrefix<OfficerFactsDoc>(OFFICER_LEDGERS.name, prefix, after, pageSize);
      if (page.length === 0) return;
      after = page[page.length - 1].key;
      const facts: Facts[] = [];
      for (const { doc } of page) {
        const snapshot = doc.snapshot;
        if (snapshot && agencyFacts.separable && snapshotCovers(snapshot, knownAt)) {
          if (registeredBy(snapshot.registeredAt, knownAt)) facts.push(factsFromSnapshot(snapshot, agencyFacts));
          else if (coverage) coverage.complete = false;
          if (coverage) coverage.coversFrom = Math.max(coverage.coversFrom ?? 0, Date.parse(snapshot.coversFrom));
          continue;
        }
        if (coverage) coverage.complete = false;
        const ledgerDoc = await this.readModels.get<OfficerLedgerDoc>(OFFICER_LEDGERS.name, officerLedgerKey(agencyId, doc.officerId));
        if (!ledgerDoc) continue; // committed together with its snapshot: absent only if deleted by hand
        const ledger: OfficerLedger = { officerId: ledgerDoc.officerId, name: ledgerDoc.name, officerEvents: ledgerDoc.events, agencyEvents: agency.events };
        if (knownBy(ledger, knownAt)) facts.push(factsKnownAt(ledger, knownAt));
      }
      yield facts;
      if (page.length < pageSize) return;
    }
  }

  /**
   * Which state of the read models a query reads, after catching up: the projections' checkpoints,
   * or undefined while the read models lag (the event store is read then, and nothing is cached).
   */
  async readModelVersion(): Promise<string | undefined> {
    if (!(await this.runner.freshen())) return undefined;
    const officers = this.runner.caughtUpCheckpoint(OFFICER_LEDGERS.name);
    const agencies = this.runner.caughtUpCheckpoint(AGENCY_SUMMARIES.name);
    return officers === undefined || agencies === undefined ? undefined : `${officers}/${agencies}`;
  }

  /**
   * What changed in one agency's streams between two read-model positions (exclusive, inclusive):
   * whether its own stream did, which officers' streams did, and the latest recordedAt among
   * those events. Undefined when more than `limit` events were recorded meanwhile (a report is
   * then evaluated whole). For the agency report cache (src/agencies/agency-status.ts).
   */
  async agencyChangesBetween(agencyId: string, from: number, to: number, limit = 5_000): Promise<{ agency: boolean; officers: Set<string>; latestRecordedAt: number } | undefined> {
    const officers = new Set<string>();
    let agency = false;
    let latestRecordedAt = 0;
    let seen = 0;
    for await (const event of this.store.readAll({ fromPosition: from, batchSize: 500 })) {
      if (event.position > to) break;
      if (++seen > limit) return undefined;
      const parsed = parseStream(event.stream);
      if (!parsed || parsed.kind === 'access' || parsed.agencyId !== agencyId) continue;
      if (parsed.kind === 'agency') agency = true;
      else if (parsed.kind === 'officer') officers.add(parsed.officerId);
      latestRecordedAt = Math.max(latestRecordedAt, Date.parse(event.recordedAt));
    }
    return { agency, officers, latestRecordedAt };
  }

  /** The read models' position, when both projections a report reads stand at the same one (after readModelVersion). */
  readModelPosition(): number | undefined {
    const officers = this.runner.caughtUpCheckpoint(OFFICER_LEDGERS.name);
    const agencies = this.runner.caughtUpCheckpoint(AGENCY_SUMMARIES.name);
    return officers !== undefined && officers === agencies ? officers : undefined;
  }

  /** agencyFactsPages from the event store: every officer's whole stream (the read models lag). */
  private async *agencyFactsFromStore(agencyId: string, knownAt: string, pageSize: number): AsyncIterable<Facts[]> {
    const agencyEvents = (await this.agencyStream(agencyId)).map(toLedgerEvent);
    const prefix = officerStreamPrefix(agencyId);
    let facts: Facts[] = [];
    for (const head of await this.store.listStreams(prefix)) {
      const ledger = ledgerOf(head.stream.slice(prefix.length), await this.store.readStream(head.stream), agencyEvents);
      if (knownBy(ledger, knownAt)) facts.push(factsKnownAt(ledger, knownAt));
      if (facts.length >= pageSize) {
        yield facts;
        facts = [];
      }
    }
    yield facts;
  }

  private async agencySummary(agencyId: string): Promise<AgencySummaryDoc | undefined> {
    // Called after freshen(): the checkpoint it saw caught up, else the stored one.
    const checkpoint = this.runner.caughtUpCheckpoint(AGENCY_SUMMARIES.name) ?? (await this.readModels.state(AGENCY_SUMMARIES.name)).checkpoint;
    const cached = this.summaries.get(agencyId);
    if (cached && cached.checkpoint === checkpoint) return cached.doc;
    const doc = await this.readModels.get<AgencySummaryDoc>(AGENCY_SUMMARIES.name, agencyId);
    if (doc) {
      if (this.summaries.size >= 1000) this.summaries.clear();
      this.summaries.set(agencyId, { checkpoint, doc });
    }
    return doc;
  }

  /** The agency's own records (policies, SRO contracts) as known at `knownAt`; 404 for an unknown agency. */
  async agencyRecords(agencyId: string, knownAt: string): Promise<AgencyRecords> {
    if (await this.runner.freshen()) {
      const agency = await this.agencySummary(agencyId);
      if (!agency) throw agencyNotRegistered(agencyId);
      return agencyRecordsKnownAt(agency.events, knownAt);
    }
    return agencyRecordsKnownAt((await this.agencyStream(agencyId)).map(toLedgerEvent), knownAt);
  }

  /** The agency's stream as stored; 404 when the agency is not registered. */
  async agencyStream(agencyId: string): Promise<RecordedEvent[]> {
    const events = await this.store.readStream(agencyStream(agencyId));
    if (events.length === 0) throw agencyNotRegistered(agencyId);
    return events;
  }

  /** The officer's stream as stored (with its hash chain); 404 when unknown. */
  async officerStream(agencyId: string, officerId: string): Promise<RecordedEvent[]> {
    await this.agencyStream(agencyId);
    const stored = await this.store.readStream(officerStream(agencyId, officerId));
    if (stored.length === 0) throw officerNotRegistered(agencyId, officerId);
    return stored;
  }
}

/** An officer's ledger from the officer's stream as stored and the agency's events. */
export function ledgerOf(officerId: string, stored: RecordedEvent[], agencyEvents: LedgerEvent[]): OfficerLedger {
  const registration = stored.find((e) => e.type === 'OfficerRegistered');
  const name = (registration?.data as { name?: string } | undefined)?.name ?? ''; // a registration cannot be retracted
  return { officerId, name, officerEvents: stored.map(toLedgerEvent), agencyEvents };
}

/** recordedAt of the officer's registration, or null. */
export function registrationOf(ledger: OfficerLedger): string | null {
  return ledger.officerEvents.find((e) => e.type === 'OfficerRegistered')?.recordedAt ?? null;
}

/** True when a registration recorded at `registeredAt` was in the records at `knownAt`. */
export function registeredBy(registeredAt: string | null, knownAt: string): boolean {
  return registeredAt !== null && Date.parse(registeredAt) <= Date.parse(knownAt);
}

/** True when the officer's registration was recorded at or before `knownAt`. */
export function knownBy(ledger: OfficerLedger, knownAt: string): boolean {
  return registeredBy(registrationOf(ledger), knownAt);
}
