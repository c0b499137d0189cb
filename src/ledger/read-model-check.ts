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
 */
import { canonicalJson } from '../../events/canonical-json';
import type { BrokenLink } from '../../events/integrity';
import type { RecordedEvent } from '../../events/envelope';
import { agencyStream, officerStreamPrefix, parseStream } from '../../events/streams';
import { AGENCY_SUMMARIES, OFFICER_LEDGERS, officerFactsKey, officerLedgerKey, type Projection, type WorkingSet } from '../read-models/ledger-projections';
import type { ReadModelStore } from '../read-models/read-model-store.port';
import type { EventStore } from '../store/event-store.port';

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
  firstBroken?: BrokenLink;
}

/** The keys a projection keeps for a stream's events, for the two read models the queries use (officer-ledgers: ledger and facts; agency-summaries: the agency). */
function keysFor(projection: Projection, stream: string): string[] {
  const parsed = parseStream(stream);
  if (!parsed || parsed.kind === 'access') return [];
  if (projection === OFFICER_LEDGERS) return parsed.kind === 'officer' ? [officerLedgerKey(parsed.agencyId, parsed.officerId), officerFactsKey(parsed.agencyId, parsed.officerId)] : [];
  return [parsed.agencyId];
}

export async function checkReadModels(store: EventStore, readModels: ReadModelStore, projections: readonly Projection[] = [OFFICER_LEDGERS, AGENCY_SUMMARIES]): Promise<ReadModelCheck> {
  let documentsChecked = 0;
  const checkpoints = new Map<string, number>();
  const active: Projection[] = [];
  for (const projection of projections) {
    const state = await readModels.state(projection.name);
    if (state.rebuilding) continue; // partial by design until the rebuild ends
    checkpoints.set(projection.name, state.checkpoint);
    active.push(projection);
  }
  const expectedKeys = new Map<string, Set<string>>(active.map((p) => [p.name, new Set<string>()]));

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
    }
    for (const key of keys) {
      if (snapshot.docs.has(key) && !expected.has(key)) {
        return brokenAt(`read model ${projection.name} holds a document ${key} that no event up to its checkpoint (position ${checkpoint}) derives: it was inserted behind the store's back`);
      }
    }
    return undefined;
  };

  const ledgers = active.find((p) => p === OFFICER_LEDGERS);
  const summaries = active.find((p) => p === AGENCY_SUMMARIES);
  for (const agency of await store.listStreams('agency-')) {
    const agencyId = agency.stream.slice('agency-'.length);
    if (agency.stream !== agencyStream(agencyId)) continue;
    // The summary's snapshot first: the streams listed and read below hold every event at or below its checkpoint.
    const summaryKeys = summaries ? keysFor(summaries, agency.stream) : [];
    const summarySnapshot = summaries ? await readModels.readAtCheckpoint(summaries.name, summaryKeys) : undefined;
    const summaryEvents = [...(await store.readStream(agency.stream))];
    for (const officer of await store.listStreams(officerStreamPrefix(agencyId))) {
      const keys = ledgers ? keysFor(ledgers, officer.stream) : [];
      const snapshot = ledgers ? await readModels.readAtCheckpoint(ledgers.name, keys) : undefined;
      const events = await store.readStream(officer.stream);
      if (ledgers) {
        const broken = await compare(ledgers, keys, snapshot!, events);
        if (broken) return { documentsChecked, firstBroken: broken };
      }
      if (events.length) summaryEvents.push(events[0]);
    }
    if (summaries) {
      summaryEvents.sort((a, b) => a.position - b.position);
      const broken = await compare(summaries, summaryKeys, summarySnapshot!, summaryEvents);
      if (broken) return { documentsChecked, firstBroken: broken };
    }
  }

  // A stored document that no event derives (inserted behind the store's back), under a key no stream above names.
  for (const projection of active) {
    const expected = expectedKeys.get(projection.name)!;
    for (let after = ''; ; ) {
      const page = await readModels.getPageByPrefix(projection.name, '', after, 500);
      if (page.length === 0) break;
      for (const { key } of page) {
        // A key the runner committed after the derivations above (its checkpoint moved) is new, not forged.
        if (!expected.has(key) && (await readModels.state(projection.name)).checkpoint === checkpoints.get(projection.name)) {
          return {
            documentsChecked,
            firstBroken: { stream: projection.name, revision: -1, eventId: null, reason: `read model ${projection.name} holds a document ${key} that no event derives: it was inserted behind the store's back` },
          };
        }
      }
      after = page[page.length - 1].key;
    }
  }
  return { documentsChecked };
}
