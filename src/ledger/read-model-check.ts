/**
 * Read models checked against the events they were derived from (SPEC §6): an edited document
 * (projection_documents, say, so that a status answer turns VIOLATED into MET) must not pass
 * as the record. For each projection that is not rebuilding, every document is derived again
 * from the events at or below the projection's checkpoint and compared, as canonical JSON, with
 * the stored one; a stored document that nothing derives is reported too.
 *
 * Memory stays bounded: one officer's events at a time, and one agency summary. A document the
 * runner commits while it is being checked (the checkpoint moved) is derived again at the new
 * checkpoint before it is called broken.
 */
import canonicalize from 'canonicalize';
import type { BrokenLink } from '../../events/integrity';
import type { RecordedEvent } from '../../events/envelope';
import { agencyStream, officerStreamPrefix } from '../../events/streams';
import { AGENCY_SUMMARIES, OFFICER_LEDGERS, type Projection, type WorkingSet } from '../read-models/ledger-projections';
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
 * form (RFC 8785: key order, number forms) compared, so a reordered but equal document is not
 * called altered.
 */
const same = (stored: unknown, derived: unknown): boolean => JSON.stringify(stored) === JSON.stringify(derived) || canonicalize(stored) === canonicalize(JSON.parse(JSON.stringify(derived)));

export interface ReadModelCheck {
  documentsChecked: number;
  firstBroken?: BrokenLink;
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

  /** Compares derived documents with the stored ones; re-derives once per moved checkpoint. */
  const compare = async (projection: Projection, events: RecordedEvent[]): Promise<BrokenLink | undefined> => {
    let checkpoint = checkpoints.get(projection.name)!;
    for (let attempt = 0; ; attempt++) {
      const expected = await derive(projection, events, checkpoint);
      let mismatch: string | undefined;
      for (const [key, doc] of expected) {
        expectedKeys.get(projection.name)!.add(key);
        if (!same(await readModels.get(projection.name, key), doc)) {
          mismatch = key;
          break;
        }
      }
      if (!mismatch) {
        documentsChecked += expected.size;
        return undefined;
      }
      const now = (await readModels.state(projection.name)).checkpoint;
      if (now === checkpoint || attempt >= 3) {
        const last = events.filter((e) => e.position <= checkpoint).at(-1);
        return {
          stream: last?.stream ?? projection.name,
          revision: last?.revision ?? -1,
          eventId: last?.eventId ?? null,
          reason: `read model ${projection.name}, document ${mismatch}: it does not match the events it was derived from (up to position ${checkpoint}): the stored document was altered`,
        };
      }
      checkpoint = now; // the runner committed meanwhile: derive again where it now stands
      checkpoints.set(projection.name, now);
    }
  };

  const ledgers = active.find((p) => p === OFFICER_LEDGERS);
  const summaries = active.find((p) => p === AGENCY_SUMMARIES);
  for (const agency of await store.listStreams('agency-')) {
    const agencyId = agency.stream.slice('agency-'.length);
    if (agency.stream !== agencyStream(agencyId)) continue;
    const summaryEvents = [...(await store.readStream(agency.stream))];
    for (const officer of await store.listStreams(officerStreamPrefix(agencyId))) {
      const events = await store.readStream(officer.stream);
      if (ledgers) {
        const broken = await compare(ledgers, events);
        if (broken) return { documentsChecked, firstBroken: broken };
      }
      if (events.length) summaryEvents.push(events[0]);
    }
    if (summaries) {
      summaryEvents.sort((a, b) => a.position - b.position);
      const broken = await compare(summaries, summaryEvents);
      if (broken) return { documentsChecked, firstBroken: broken };
    }
  }

  // A stored document that no event derives (inserted behind the store's back).
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
