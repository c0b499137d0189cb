/**
 * The processors' store beside the events (docs/decisions.md W43), as the backend provides it
 * (src/store/backends.ts: the same SQLite file or PostgreSQL database; in memory otherwise).
 */
import type { EventStore } from '../store/event-store.port';
import { backendFor, backendOfOpenStore } from '../store/backends';
import type { ProcessorStore } from './processor-store.port';

export function openProcessorStore(store: EventStore, storeUrl?: string): Promise<ProcessorStore> {
  return (storeUrl ? backendFor(storeUrl) : backendOfOpenStore(store)).openProcessorStore(store);
}
