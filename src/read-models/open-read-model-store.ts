/**
 * Where the read models live, given the event store: in the same SQLite file or PostgreSQL
 * database (so a checkpoint commits with its documents and survives restarts), in memory
 * otherwise (memory:, and EventStoreDB, whose read models are rebuilt at each start).
 */
import type { EventStore } from '../store/event-store.port';
import { SqliteEventStore } from '../store/sqlite/sqlite-event-store';
import { MemoryReadModelStore } from '../store/memory/memory-read-model-store';
import { PostgresReadModelStore } from '../store/postgres/postgres-read-model-store';
import type { ReadModelStore } from './read-model-store.port';
import { SqliteReadModelStore } from '../store/sqlite/sqlite-read-model-store';

export async function openReadModelStore(store: EventStore, storeUrl?: string): Promise<ReadModelStore> {
  if (store instanceof SqliteEventStore && store.file !== ':memory:') return new SqliteReadModelStore(store.file);
  if (storeUrl && /^postgres(ql)?:\/\//i.test(storeUrl.trim())) return PostgresReadModelStore.open(storeUrl.trim());
  return new MemoryReadModelStore();
}
