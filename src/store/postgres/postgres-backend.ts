/**
 * `postgres://...` / `postgresql://...`: one PostgreSQL database holding the events, their files,
 * the read models and the access log (docs/stores.md). The adapter is loaded when opened.
 */
import { temporaryKeyFile, type Backend, type OpenEventStoreOptions } from '../backend';
import { serverFile } from '../server-file';

export function postgresBackend(url: string): Backend {
  return {
    name: 'postgres',
    capabilities: { outlivesProcess: true, sharedBetweenProcesses: true, readModelsPersist: true },
    label: url.replace(/\/\/([^@/]*)@/, '//***@'),
    async openEventStore(options: OpenEventStoreOptions = {}) {
      const { PostgresEventStore } = await import('./postgres-event-store');
      return PostgresEventStore.open(url, { now: options.now });
    },
    async openReadModelStore() {
      const { PostgresReadModelStore } = await import('./postgres-read-model-store');
      return PostgresReadModelStore.open(url);
    },
    async openAccessLogStore() {
      const { PostgresAccessLogStore } = await import('./postgres-access-log-store');
      return PostgresAccessLogStore.open(url);
    },
    async openProcessorStore() {
      const { PostgresProcessorStore } = await import('./postgres-processor-store');
      return PostgresProcessorStore.open(url);
    },
    async openSessionStore() {
      const { PostgresSessionStore } = await import('./postgres-session-store');
      return PostgresSessionStore.open(url);
    },
    defaultKeyFile: (cwd = process.cwd()) => serverFile(url, 'ledger-key', 'pem', cwd) ?? temporaryKeyFile(),
  };
}
