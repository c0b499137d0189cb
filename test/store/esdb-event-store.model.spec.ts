/**
 * The EventStoreDB adapter's own logic, against an in-memory MODEL of the client
 * (esdb-model-client.ts), so that it runs without a server. This is not evidence about a real
 * EventStoreDB: esdb-event-store.spec.ts (with ESDB_URL) is.
 */
import type { EventStoreDBClient } from '@eventstore/db-client';
import { EsdbEventStore } from '../../src/store/esdb/esdb-event-store';
import { describeEventStoreContract, events } from './event-store.contract';
import { EsdbModelClient } from './esdb-model-client';

const open = async (options: { now?: () => Date } = {}) =>
  new EsdbEventStore(new EsdbModelClient() as unknown as EventStoreDBClient, { now: options.now, streamPrefix: 'm1-' });

describeEventStoreContract('EventStoreDB adapter on a client model', open, { densePositions: false, eventIdIndex: false, largeStreamSize: 2000 });

describe('EventStoreDB adapter on a client model: specifics', () => {
  it('an identical concurrent append answered idempotently by the server is a DuplicateEventIdError', async () => {
    const client = new EsdbModelClient();
    const store = new EsdbEventStore(client as unknown as EventStoreDBClient);
    const batch = events(2);
    const outcomes = await Promise.allSettled([
      store.appendToStream('s', batch, { expectedRevision: 'no_stream' }),
      store.appendToStream('s', batch, { expectedRevision: 'no_stream' }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: { name: 'DuplicateEventIdError' } });
    expect(await store.readStream('s')).toHaveLength(2);
    await store.close();
  });

  it("retries an 'any' append that lost the race, from the new head", async () => {
    const client = new EsdbModelClient();
    const store = new EsdbEventStore(client as unknown as EventStoreDBClient);
    await Promise.all(Array.from({ length: 5 }, () => store.appendToStream('s', events(2), { expectedRevision: 'any' })));
    const read = await store.readStream('s');
    expect(read.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (let i = 1; i < read.length; i++) expect(read[i].prevHash).toBe(read[i - 1].hash);
    await store.close();
  });

  it('appendMany that loses a race part-way says how many requests were written', async () => {
    const client = new EsdbModelClient();
    const store = new EsdbEventStore(client as unknown as EventStoreDBClient);
    await store.appendToStream('b', events(1), { expectedRevision: 'no_stream' });
    const original = client.appendToStream.bind(client);
    let calls = 0;
    // Another writer appends to 'b' between the adapter's check and its write of request 2.
    client.appendToStream = async (...args: Parameters<typeof original>) => {
      if (++calls === 2) await original('b', [{ id: '11111111-1111-4111-8111-111111111111', type: 'X', data: {}, contentType: 'application/json', metadata: {} }]);
      return original(...args);
    };
    const err = await store
      .appendMany([
        { stream: 'a', events: events(1), expectedRevision: 'no_stream' },
        { stream: 'b', events: events(1), expectedRevision: 0 },
      ])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'WrongExpectedRevisionError', stream: 'b', actual: 1, committedRequests: 1 });
    expect(await store.readStream('a')).toHaveLength(1);
    await store.close();
  });

  it('subscribeToAll hands over events after fromPosition in order and stops on close', async () => {
    const store = new EsdbEventStore(new EsdbModelClient() as unknown as EventStoreDBClient, { streamPrefix: 'p-' });
    const { events: first } = await store.appendToStream('a', events(3), { expectedRevision: 'no_stream' });
    const seen: string[] = [];
    let release: () => void = () => undefined;
    const got5 = new Promise<void>((resolve) => (release = resolve));
    const sub = store.subscribeToAll({ fromPosition: first[0].position }, async (e) => {
      seen.push(`${e.stream}:${e.revision}`);
      if (seen.length === 5) release();
    });
    await store.appendToStream('b', events(3), { expectedRevision: 'no_stream' });
    await got5;
    await sub.close();
    expect(seen).toEqual(['a:1', 'a:2', 'b:0', 'b:1', 'b:2']);
    await store.close();
  });
});
