/**
 * What the event store contract's files share (test/store/event-store.contract.ts): how a store is
 * opened, the adapter's declared differences, events to append, and the checks over a whole store.
 */
import { randomUUID } from 'node:crypto';
import type { NewEvent, RecordedEvent } from '../../events/envelope';
import { ChainVerifier, IntegrityReport } from '../../events/integrity';
import type { EventStore } from '../../src/store/event-store.port';

export interface OpenStoreOptions {
  /** The clock the store takes recordedAt from. */
  now?: () => Date;
}

export type OpenStore = (options?: OpenStoreOptions) => Promise<EventStore>;

export interface ContractOptions {
  /** Files commit with their events (capabilities.filesInTransaction). Default true. */
  filesInTransaction?: boolean;
  /** The adapter stores files itself (false: EventStoreDB, whose files its backend, src/store/esdb/esdb-backend.ts, keeps in a directory). Default true. */
  storesFiles?: boolean;
  /** Events in the large-stream case. Default 5000. */
  largeStreamSize?: number;
  /**
   * Positions are 1, 2, 3, ... with no gaps (memory, SQLite). false: only strictly increasing
   * in commit order (EventStoreDB, whose positions are transaction-log offsets). Default true.
   */
  densePositions?: boolean;
  /**
   * The store has an index by event id: readEvent finds an event without the stream hint, and
   * an eventId is refused as a duplicate in any stream. false (EventStoreDB): the contract passes
   * the stream hint, checks that readEvent without it answers undefined, and checks duplicates
   * within the target stream only. Default true.
   */
  eventIdIndex?: boolean;
  /**
   * The adapter appends synchronously inside one process (memory; SQLite, whose driver is
   * synchronous): appends issued together do not interleave there, so the "concurrent appends"
   * cases check the guard on appends that run one after the other, and say so in their names.
   * The race across processes, on SQLite and PostgreSQL, is test/store/multi-process-race.integration.spec.ts.
   * Default false (PostgreSQL, EventStoreDB: the appends of one process really race).
   */
  serialAppends?: boolean;
  /**
   * What the adapter must declare as `capabilities.atomicMultiStreamAppend`, and what the suite
   * then holds it to: true, a batch whose later request fails leaves nothing of the earlier ones;
   * false (EventStoreDB), it may, and its error then says which requests were written. Default true.
   */
  atomicMultiStreamAppend?: boolean;
}

export const ISO_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let counter = 0;
export function newEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  counter++;
  return {
    eventId: randomUUID(),
    type: 'TestHappened',
    schemaVersion: 1,
    data: { n: counter, on: '2026-03-01', nested: { list: [1, 'two', null, true], empty: {} } },
    metadata: { recordedBy: 'contract-test', correlationId: randomUUID() },
    ...overrides,
  };
}

export const events = (n: number, overrides: Partial<NewEvent> = {}): NewEvent[] =>
  Array.from({ length: n }, () => newEvent(overrides));

export async function collect(iterable: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const e of iterable) out.push(e);
  return out;
}

/** The integrity check the app's `verify` does: every chain over readAll, then the stream heads. */
export async function verifyStore(store: EventStore): Promise<IntegrityReport> {
  const verifier = new ChainVerifier();
  for await (const e of store.readAll({ batchSize: 100 })) verifier.add(e);
  verifier.checkHeads(await store.listStreams(''));
  return verifier.report();
}

/** A snapshot of everything observable, to show that a failed append changed nothing. */
export async function snapshot(store: EventStore) {
  return { all: await collect(store.readAll()), heads: await store.listStreams('') };
}

/** What the contract's describe blocks share: the store under test and the adapter's options, resolved. */
export interface ContractContext {
  open: OpenStore;
  /** A fresh store, closed after each test. */
  fresh: (opts?: OpenStoreOptions) => Promise<EventStore>;
  /** readEvent as the adapter can answer it: with the stream hint unless it has an index by id. */
  find: (store: EventStore, eventId: string, stream: string) => ReturnType<EventStore['readEvent']>;
  expectIncreasing: (positions: number[]) => void;
  together: string;
  largeStreamSize: number;
  densePositions: boolean;
  eventIdIndex: boolean;
  atomicMultiStreamAppend: boolean;
  filesInTransaction: boolean;
  storesFiles: boolean;
}
