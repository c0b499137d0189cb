/**
 * Read models checked against the events they were derived from (docs/reference.md#integrity): an
 * edited document (projection_documents, say, so that a status answer turns VIOLATED into MET) must
 * not pass as the record. For each projection that is not rebuilding, every document is derived
 * again from the events and compared, as canonical JSON, with the stored one; a stored document
 * that nothing derives is reported too.
 *
 * One consistent position (docs/decisions.md W40): the documents of one unit (an officer's
 * ledger and facts; an agency's summary) are read together with the checkpoint they were
 * committed with, in one snapshot of the read-model store (readAtCheckpoint); the events are read
 * after that, so they hold every event at or below that checkpoint; the documents are derived
 * from exactly those events, and compared. Under a write load a document is then never compared
 * with events of another position: one that moved on since the check began is compared where it
 * now stands, never called altered for being behind or ahead.
 *
 * Memory stays bounded: one officer's events at a time, and one agency summary.
 *
 * Incrementally, in the server (read-model-memory.ts, docs/integrity.md "Read models, checked
 * incrementally"): a unit (an officer's two documents; an agency's summary) whose events are the
 * same as when its documents were last found right (the same head hash in the chains this pass
 * verified) is not derived again: each of its stored documents is compared with the digest it
 * had then, in the one pass over every stored document that also looks for inserted ones. A
 * document that differs is derived again and compared as above, so one the runner moved on
 * meanwhile is not called altered. A unit's documents are remembered only when the events they
 * were derived from are bound to that head: their own chain verifies up to it.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../events/canonical-json';
import { type BrokenLink, ChainVerifier, hashEvent } from '../../events/integrity';
import type { RecordedEvent } from '../../events/envelope';
import { agencyStream, officerStreamPrefix, parseStream } from '../../events/streams';
import { AGENCY_SUMMARIES, OFFICER_LEDGERS, officerFactsKey, officerLedgerKey, type Projection, type WorkingSet } from '../read-models/ledger-projections';
import type { ReadModelStore } from '../read-models/read-model-store.port';
import type { EventStore, StreamHead } from '../store/event-store.port';
import { textDigest, type ReadModelMemory } from './read-model-memory';

/** The documents `projection` derives from `events` (in position order) up to `checkpoint`, derived documents included. */
async function derive(projection: Projection, events: RecordedEvent[], checkpoint: number): Promise<Map<string, unknown>> {
  const docs = new Map<string, unknown>();
  const set: WorkingSet = {
    get: async <T>(key: string) => docs.get(key) as T | undefined,
    set: (key, doc) => void docs.set(key, doc),
  };
  for (const event of events) if (event.position <= checkpoint) await projection.apply(event, set);
  for (const [key, doc] of [...docs]) {
    const derived = projection.derive?.(key, doc);
    if (derived) docs.set(derived.key, derived.doc);
  }
  return docs;
}

/**
 * Equal as stored JSON. The stores keep a document's JSON text as written, so JSON.stringify of
 * both sides agrees for an untouched document; only when it does not is the slower canonical
 * form (RFC 8785: key order, number forms; events/canonical-json.ts) compared, so a reordered but
 * equal document is not called altered.
 */
const same = (stored: unknown, derived: unknown): boolean => JSON.stringify(stored) === JSON.stringify(derived) || canonicalJson(stored) === canonicalJson(JSON.parse(JSON.stringify(derived)));

export interface ReadModelCheck {
  documentsChecked: number;
  /** Of those, how many were derived again from their events (the rest matched the digest they had when last derived: incremental). */
  documentsDerived: number;
  firstBroken?: BrokenLink;
}

/** What an incremental check needs: the process's memory, and the chains this verification's pass verified. */
export interface Incremental {
  memory: ReadModelMemory;
  chains: Pick<ChainVerifier, 'headOf' | 'firstHashOf'>;
}

/** The keys a projection keeps for a stream's events, for the two read models the queries use (officer-ledgers: ledger and facts; agency-summaries: the agency). */
function keysFor(projection: Projection, stream: string): string[] {
  const parsed = parseStream(stream);
  if (!parsed || parsed.kind === 'access') return [];
  if (projection === OFFICER_LEDGERS) return parsed.kind === 'officer' ? [officerLedgerKey(parsed.agencyId, parsed.officerId), officerFactsKey(parsed.agencyId, parsed.officerId)] : [];
  return [parsed.agencyId];
}

/** A stream's events, named by its verified head (revision and hash; each hash covers the one before): what an officer's documents rest on. */
function headFingerprint(chains: Incremental['chains'], listed: StreamHead): string | undefined {
  const head = chains.headOf(listed.stream);
  // Moved since the pass (or not in it): not comparable with what was remembered.
  if (!head || head.revision !== listed.revision || head.hash !== listed.hash) return undefined;
  return `${head.revision}:${head.hash}`;
}

/** An agency's summary rests on the agency's stream and the first event of each of its officers' streams. */
function summaryFingerprint(chains: Incremental['chains'], agency: StreamHead, officers: readonly StreamHead[]): string | undefined {
  const own = headFingerprint(chains, agency);
  if (!own) return undefined;
  const h = createHash('sha256').update(own);
  for (const o of officers) {
    const first = chains.firstHashOf(o.stream);
    if (!first) return undefined;
    h.update(`\n${o.stream}:${first}`);
  }
  return h.digest('base64');
}

/** True when `events` (in revision order, from revision 0) verify as a chain ending at `head`: the documents derived from them rest on exactly the verified events. */
function boundTo(events: readonly RecordedEvent[], head: { revision: number; hash: string } | undefined): boolean {
  if (!head || events.length !== head.revision + 1 || events.at(-1)!.hash !== head.hash) return false;
  const chain = new ChainVerifier();
  for (const event of events) chain.add(event);
  return !chain.firstBroken;
}

export async function checkReadModels(
  store: EventStore,
  readModels: ReadModelStore,
  projections: readonly Projection[] = [OFFICER_LEDGERS, AGENCY_SUMMARIES],
  incremental?: Incremental,
): Promise<ReadModelCheck> {
  let documentsChecked = 0;
  let documentsDerived = 0;
  const memory = incremental?.memory;
  const checkpoints = new Map<string, number>();
  const active: Projection[] = [];
  for (const projection of projections) {
    const state = await readModels.state(projection.name);
    if (state.rebuilding) {
      memory?.clear(projection.name); // its documents are being written again
      continue; // partial by design until the rebuild ends
    }
    checkpoints.set(projection.name, state.checkpoint);
    active.push(projection);
  }
  const expectedKeys = new Map<string, Set<string>>(active.map((p) => [p.name, new Set<string>()]));
  /** Documents not derived again (their unit's events have not moved): compared with their digest in the pass over every stored document. */
  const deferred = new Map<string, Map<string, { unit: string; digest: string; seen: boolean; matched?: boolean }>>(active.map((p) => [p.name, new Map()]));

  type Snapshot = Awaited<ReturnType<ReadModelStore['readAtCheckpoint']>>;
  /**
   * Compares the documents of one snapshot with what `events` (read after the snapshot: all
   * those at or below its checkpoint are there) derive at its checkpoint. A document the
   * snapshot holds under `keys` that those events do not derive is reported as well.
   */
  const compare = async (projection: Projection, keys: string[], snapshot: Snapshot, events: RecordedEvent[]): Promise<BrokenLink | undefined> => {
    if (snapshot.rebuilding) return undefined; // a rebuild began meanwhile: partial by design
    const checkpoint = snapshot.checkpoint;
    const expected = await derive(projection, events, checkpoint);
    const last = events.filter((e) => e.position <= checkpoint).at(-1);
    const brokenAt = (reason: string): BrokenLink => ({ stream: last?.stream ?? projection.name, revision: last?.revision ?? -1, eventId: last?.eventId ?? null, reason });
    for (const [key, doc] of expected) {
      expectedKeys.get(projection.name)!.add(key);
      // A key derived that the snapshot was not asked for (not one of these two read models): not compared here.
      if (!keys.includes(key)) continue;
      if (!same(snapshot.docs.get(key), doc)) {
        return brokenAt(`read model ${projection.name}, document ${key}: it does not match the events it was derived from (up to position ${checkpoint}, the checkpoint it was committed with): the stored document was altered`);
      }
      documentsChecked++;
      documentsDerived++;
    }
    for (const key of keys) {
      if (snapshot.docs.has(key) && !expected.has(key)) {
        return brokenAt(`read model ${projection.name} holds a document ${key} that no event up to its checkpoint (position ${checkpoint}) derives: it was inserted behind the store's back`);
      }
    }
    return undefined;
  };

  /** After a successful compare: remembers the unit's documents when they rest on every event of the verified head. */
  const remember = (projection: Projection, unit: string, fingerprint: string | undefined, snapshot: Snapshot, events: readonly RecordedEvent[], bound: () => boolean) => {
    if (!memory) return;
    memory.forget(projection.name, unit);
    if (!fingerprint || snapshot.rebuilding || events.some((e) => e.position > snapshot.checkpoint) || !bound()) return;
    memory.remember(projection.name, unit, fingerprint, keysFor(projection, unit), snapshot.docs);
  };

  /** Defers `unit`'s documents to the digest comparison when its events are those it was last verified at. */
  const defer = (projection: Projection, unit: string, fingerprint: string | undefined): boolean => {
    if (!memory || !fingerprint || !memory.matches(projection.name, unit, fingerprint)) return false;
    for (const [index, key] of keysFor(projection, unit).entries()) {
      const digest = memory.digestOf(projection.name, unit, index);
      // A document the unit did not have is not expected: one stored there now is reported as inserted.
      if (digest === undefined) continue;
      expectedKeys.get(projection.name)!.add(key);
      deferred.get(projection.name)!.set(key, { unit, digest, seen: false });
    }
    return true;
  };

  const ledgers = active.find((p) => p === OFFICER_LEDGERS);
  const summaries = active.find((p) => p === AGENCY_SUMMARIES);

  /** One officer's documents derived again and compared (and remembered). */
  const checkOfficer = async (officer: StreamHead, fingerprint: string | undefined, snapshot?: Snapshot): Promise<{ broken?: BrokenLink; events: RecordedEvent[] }> => {
    const keys = keysFor(ledgers!, officer.stream);
    snapshot ??= await readModels.readAtCheckpoint(ledgers!.name, keys);
    const events = await store.readStream(officer.stream);
    const broken = await compare(ledgers!, keys, snapshot, events);
    if (!broken) remember(ledgers!, officer.stream, fingerprint, snapshot, events, () => boundTo(events, incremental!.chains.headOf(officer.stream)));
    return { broken, events };
  };

  /** An agency's summary derived again and compared (and remembered); `firsts`: the first event of each officer stream. */
  const checkSummary = async (agency: StreamHead, snapshot: Snapshot, agencyEvents: RecordedEvent[], firsts: RecordedEvent[], fingerprint: string | undefined): Promise<BrokenLink | undefined> => {
    const events = [...agencyEvents, ...firsts].sort((a, b) => a.position - b.position);
    const broken = await compare(summaries!, keysFor(summaries!, agency.stream), snapshot, events);
    if (!broken) {
      remember(summaries!, agency.stream, fingerprint, snapshot, events, () => {
        const chains = incremental!.chains;
        return boundTo(agencyEvents, chains.headOf(agency.stream)) && firsts.every((e) => e.revision === 0 && e.hash === chains.firstHashOf(e.stream) && hashEvent(e) === e.hash);
      });
    }
    return broken;
  };

  // A whole stream read for its first event: only when a summary moved (an officer added) and its officers did not.
  const firstEventOf = async (stream: string): Promise<RecordedEvent | undefined> => (await store.readStream(stream))[0];

  for (const agency of await store.listStreams('agency-')) {
    const agencyId = agency.stream.slice('agency-'.length);
    if (agency.stream !== agencyStream(agencyId)) continue;
    // The summary's snapshot first: the streams listed and read below hold every event at or below its checkpoint.
    const summaryKeys = summaries ? keysFor(summaries, agency.stream) : [];
    const summarySnapshot = summaries ? await readModels.readAtCheckpoint(summaries.name, summaryKeys) : undefined;
    const agencyEvents = summaries ? [...(await store.readStream(agency.stream))] : [];
    const officers = await store.listStreams(officerStreamPrefix(agencyId));
    const summaryPrint = incremental && summaries ? summaryFingerprint(incremental.chains, agency, officers) : undefined;
    const summaryDeferred = summaries ? defer(summaries, agency.stream, summaryPrint) : true;
    const firsts: RecordedEvent[] = [];
    for (const officer of officers) {
      const print = incremental && ledgers ? headFingerprint(incremental.chains, officer) : undefined;
      if (ledgers && !defer(ledgers, officer.stream, print)) {
        const { broken, events } = await checkOfficer(officer, print);
        if (broken) return { documentsChecked, documentsDerived, firstBroken: broken };
        if (events.length) firsts.push(events[0]);
      } else if (!summaryDeferred) {
        const first = await firstEventOf(officer.stream);
        if (first) firsts.push(first);
      }
    }
    if (summaries && !summaryDeferred) {
      const broken = await checkSummary(agency, summarySnapshot!, agencyEvents, firsts, summaryPrint);
      if (broken) return { documentsChecked, documentsDerived, firstBroken: broken };
    }
  }

  // Every stored document once: a deferred one against its digest; one that no event derives
  // (inserted behind the store's back), under a key no stream above names.
  const again = new Map<Projection, Set<string>>(active.map((p) => [p, new Set<string>()]));
  for (const projection of active) {
    const expected = expectedKeys.get(projection.name)!;
    const waiting = deferred.get(projection.name)!;
    for (let after = ''; ; ) {
      const page = await readModels.getTextPageByPrefix(projection.name, '', after, 500);
      if (page.length === 0) break;
      for (const { key, text } of page) {
        const pending = waiting.get(key);
        if (pending) {
          pending.seen = true;
          // Not the document last verified: derived again below (the runner may have moved it on since the pass).
          // (A document stored in another form than the stores write, equal as JSON, is derived again each time: slower, never an alarm.)
          pending.matched = textDigest(text) === pending.digest;
          if (!pending.matched) again.get(projection)!.add(pending.unit);
          continue;
        }
        // A key the runner committed after the derivations above (its checkpoint moved) is new, not forged.
        if (!expected.has(key) && (await readModels.state(projection.name)).checkpoint === checkpoints.get(projection.name)) {
          return {
            documentsChecked,
            documentsDerived,
            firstBroken: { stream: projection.name, revision: -1, eventId: null, reason: `read model ${projection.name} holds a document ${key} that no event derives: it was inserted behind the store's back` },
          };
        }
      }
      after = page[page.length - 1].key;
    }
    // A deferred document no longer stored: derived again, which names it.
    for (const { unit, seen } of waiting.values()) if (!seen) again.get(projection)!.add(unit);
    // Counted once: a unit derived again below counts its documents there.
    for (const { unit, matched } of waiting.values()) if (matched && !again.get(projection)!.has(unit)) documentsChecked++;
  }

  // The deferred units whose documents differ from their digests: derived again and compared as on a first check.
  for (const [projection, units] of again) {
    for (const unit of units) {
      memory!.forget(projection.name, unit);
      const listed = (await store.listStreams(unit)).find((h) => h.stream === unit);
      if (!listed) continue; // the chains and heads checks name a stream that is gone
      if (projection === ledgers) {
        const { broken } = await checkOfficer(listed, headFingerprint(incremental!.chains, listed));
        if (broken) return { documentsChecked, documentsDerived, firstBroken: broken };
      } else {
        const agencyId = unit.slice('agency-'.length);
        const snapshot = await readModels.readAtCheckpoint(projection.name, keysFor(projection, unit));
        const agencyEvents = await store.readStream(unit);
        const officers = await store.listStreams(officerStreamPrefix(agencyId));
        const firsts: RecordedEvent[] = [];
        for (const officer of officers) {
          const first = await firstEventOf(officer.stream);
          if (first) firsts.push(first);
        }
        const broken = await checkSummary(listed, snapshot, agencyEvents, firsts, summaryFingerprint(incremental!.chains, listed, officers));
        if (broken) return { documentsChecked, documentsDerived, firstBroken: broken };
      }
    }
  }
  return { documentsChecked, documentsDerived };
}
