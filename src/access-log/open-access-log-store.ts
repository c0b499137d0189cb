import path from 'node:path';
import type { AccessLogStore } from './access-log-store';
import { MemoryAccessLogStore } from '../store/memory/memory-access-log-store';
import { PostgresAccessLogStore } from '../store/postgres/postgres-access-log-store';
import { SqliteAccessLogStore } from '../store/sqlite/sqlite-access-log-store';

/** The access log's store for an event store URL; `esdbDir` is where an EventStoreDB ledger keeps its local files. */
export async function openAccessLogStore(storeUrl: string | undefined, sqliteFile: string | undefined, esdbFile: string | undefined): Promise<AccessLogStore> {
  if (sqliteFile && sqliteFile !== ':memory:') return new SqliteAccessLogStore(sqliteFile);
  const url = storeUrl?.trim() ?? '';
  if (/^postgres(ql)?:\/\//i.test(url)) return PostgresAccessLogStore.open(url);
  if (/^(esdb|kurrentdb)(\+discover)?:\/\//i.test(url) && esdbFile) {
    (await import('node:fs')).mkdirSync(path.dirname(esdbFile), { recursive: true });
    return new SqliteAccessLogStore(esdbFile);
  }
  return new MemoryAccessLogStore();
}
