/**
 * The processors' store beside the events (docs/decisions.md W43): the same SQLite file or
 * PostgreSQL database; in memory otherwise (memory:, and EventStoreDB, where the processors run
 * in each process as the read models do, and their effects are kept once by their event ids).
 */
import type { EventStore } from '../store/event-store.port';
import { SqliteEventStore } from '../store/sqlite/sqlite-event-store';
import { PostgresProcessorStore } from './postgres-processor-store';
import { MemoryProcessorStore, type ProcessorStore } from './processor-store.port';
import { SqliteProcessorStore } from './sqlite-processor-store';

export async function openProcessorStore(store: EventStore, storeUrl?: string): Promise<ProcessorStore> {
  if (store instanceof SqliteEventStore && store.file !== ':memory:') return new SqliteProcessorStore(store.file);
  if (storeUrl && /^postgres(ql)?:\/\//i.test(storeUrl.trim())) return PostgresProcessorStore.open(storeUrl.trim());
  return new MemoryProcessorStore(store);
}
