/**
 * The processors in the Nest application (docs/decisions.md W43): their store beside the events,
 * and the one runner of this server, which src/http/create-http-app.ts starts (the CLI's one-shot
 * commands never do) and the app's shutdown stops.
 */
import { Logger, type Provider } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '../store/event-store.port';
import { openProcessorStore } from './open-processor-store';
import { ProcessorRunner } from './processor-runner';
import type { ProcessorStore } from './processor-store.port';

export const PROCESSOR_STORE = Symbol('PROCESSOR_STORE');

export function processorProviders(storeUrl: string | undefined): Provider[] {
  const logger = new Logger('Processors');
  return [
    { provide: PROCESSOR_STORE, useFactory: (store: EventStore) => openProcessorStore(store, storeUrl), inject: [EVENT_STORE] },
    {
      provide: ProcessorRunner,
      useFactory: (store: EventStore, processorStore: ProcessorStore) =>
        new ProcessorRunner(store, processorStore, { onError: (name, error) => logger.error(`${name} failed: ${error.message}`) }),
      inject: [EVENT_STORE, PROCESSOR_STORE],
    },
  ];
}
