/**
 * The store's index of event ids against the events (docs/integrity.md "The checks"; docs/decisions.md
 * W37), called by the one verification (ledger-verifier.ts). An Idempotency-Key retry is safe
 * only while every event id is unique and the index says so: an id stored twice, an id missing
 * from the index, one it holds that no event has, or the index itself gone is a failure, named
 * by the event it concerns.
 */
import type { BrokenLink } from '../../events/integrity';
import type { EventStore } from '../store/event-store.port';

export async function checkEventIds(store: EventStore, eventAt: (position: number) => Promise<{ stream: string; revision: number; eventId: string } | undefined>): Promise<BrokenLink | undefined> {
  if (!store.checkEventIds) return undefined; // no index of its own (memory, EventStoreDB)
  const problem = await store.checkEventIds();
  if (!problem) return undefined;
  const event = problem.position !== undefined ? await eventAt(problem.position) : undefined;
  return { stream: event?.stream ?? '(ledger)', revision: event?.revision ?? -1, eventId: event?.eventId ?? problem.eventId, reason: problem.reason };
}
