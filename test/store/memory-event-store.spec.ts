import { MemoryEventStore } from '../../src/store/memory-event-store';
import { describeEventStoreContract } from './event-store.contract';

describeEventStoreContract('memory', async (options) => new MemoryEventStore(options), { serialAppends: true });
