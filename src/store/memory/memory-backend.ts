/** `memory:`: everything in this process, lost on exit (tests and demos; docs/reference.md#configuration). */
import { MemoryAccessLogStore } from './memory-access-log-store';
import { MemoryEventStore } from './memory-event-store';
import { MemoryReadModelStore } from './memory-read-model-store';
import { MemorySessionStore } from './memory-session-store';
import { MemoryProcessorStore } from '../../processors/processor-store.port';
import { temporaryKeyFile, type Backend, type OpenEventStoreOptions } from '../backend';

/** `url` is only shown (`memory:` or `memory://`). */
export function memoryBackend(url = 'memory:'): Backend {
  return {
    name: 'memory',
    capabilities: { outlivesProcess: false, sharedBetweenProcesses: false, readModelsPersist: false },
    label: url,
    openEventStore: async (options: OpenEventStoreOptions = {}) => new MemoryEventStore({ now: options.now }),
    openReadModelStore: async () => new MemoryReadModelStore(),
    openAccessLogStore: async () => new MemoryAccessLogStore(),
    openProcessorStore: async (events) => new MemoryProcessorStore(events),
    openSessionStore: async () => new MemorySessionStore(),
    // A fresh temporary directory per process, as the store itself.
    defaultKeyFile: () => temporaryKeyFile(),
  };
}
