/**
 * The EventStoreDB adapter's own logic, against an in-memory MODEL of the client
 * (esdb-model-client.ts), so that it runs without a server. This is not evidence about a real
 * EventStoreDB: esdb-event-store.integration.spec.ts (with ESDB_URL) is.
 */
import type { EventStoreDBClient } from '@eventstore/db-client';
import type { NewEvent } from '../../events/envelope';
import { ChainVerifier } from '../../events/integrity';
import { agencyStream, officerStream, rosterStream } from '../../events/streams';
import { verifyLedger } from '../../src/ledger/ledger-verifier';
import { validateBatch } from '../../src/store/append-support';
import { orderBatch } from '../../src/store/esdb/esdb-append';
import { EsdbEventStore } from '../../src/store/esdb/esdb-event-store';
import type { AppendRequest, EventStore } from '../../src/store/event-store.port';
import { collect, describeEventStoreContract, events, newEvent, verifyStore } from './event-store.contract';
import { EsdbModelClient } from './esdb-model-client';

const open = async (options: { now?: () => Date } = {}) =>
  new EsdbEventStore(new EsdbModelClient() as unknown as EventStoreDBClient, { now: options.now, streamPrefix: 'm1-' });

describeEventStoreContract('EventStoreDB adapter on a client model', open, { densePositions: false, eventIdIndex: false, largeStreamSize: 2000, atomicMultiStreamAppend: false, storesFiles: false });

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

/**
 * Registrations on EventStoreDB (docs/decisions.md W16): appendMany is not atomic there, and the
 * verifier requires every officer stream on its roster and every roster entry to have its stream.
 */
describe('EventStoreDB adapter on a client model: registrations', () => {
  const AGENCY = 'reg-pd';
  const registered = (officerId: string): NewEvent => newEvent({ type: 'OfficerRegistered', data: { officerId, name: `Officer ${officerId}` } });
  const enrolled = (officerId: string): NewEvent => newEvent({ type: 'OfficerEnrolled', data: { officerId } });
  /** What LedgerWriter appends for a registration: the officer stream, then the enrolment. */
  const registration = (officerId: string): AppendRequest[] => [
    { stream: officerStream(AGENCY, officerId), events: [registered(officerId)], expectedRevision: 'no_stream' },
    { stream: rosterStream(AGENCY), events: [enrolled(officerId)], expectedRevision: 'any' },
  ];
  const stores: EventStore[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });
  /** Two stores on one model server, as two processes (or a process and its restart) would be. */
  const twoStores = () => {
    const client = new EsdbModelClient();
    const open = () => new EsdbEventStore(client as unknown as EventStoreDBClient, { streamPrefix: 'r-' });
    const [store, other] = [open(), open()];
    stores.push(store, other);
    return { client, store, other };
  };
  /** Makes the model client fail the next append to one physical stream, as a process dying before it would. */
  const dieBefore = (client: EsdbModelClient, physical: string, instead: () => Promise<void> = async () => { throw Object.assign(new Error('the writer died'), { type: 'unavailable' }); }) => {
    const original = client.appendToStream.bind(client);
    let armed = true;
    client.appendToStream = async (...args: Parameters<typeof original>) => {
      if (armed && args[0] === physical) {
        armed = false;
        await instead();
      }
      return original(...args);
    };
  };
  it('declares appendMany not atomic across streams', () => {
    expect(twoStores().store.capabilities).toEqual({ atomicMultiStreamAppend: false, filesInTransaction: false });
  });

  it('orders a batch so that each enrolment is written just before its officer stream, the rest as given', () => {
    const order = (batch: AppendRequest[]) => orderBatch(validateBatch(batch)).map((s) => ({ ...s }));
    // No roster: as given.
    expect(order([{ stream: 'a', events: events(2), expectedRevision: 'no_stream' }, { stream: 'b', events: events(1), expectedRevision: 'any' }])).toEqual([
      { request: 0, events: [0, 1] },
      { request: 1, events: [0] },
    ]);
    // A registration: the enrolment first, promising the officer stream.
    expect(order(registration('o1'))).toEqual([{ request: 1, events: [0], enrols: 0 }, { request: 0, events: [0] }]);
    // An import batch: officers, the agency, the roster with two enrolments and one for an officer not in the batch.
    const batch: AppendRequest[] = [
      { stream: officerStream(AGENCY, 'o1'), events: [registered('o1'), newEvent()], expectedRevision: 'no_stream' },
      { stream: officerStream(AGENCY, 'o0'), events: [newEvent()], expectedRevision: 3 },
      { stream: agencyStream(AGENCY), events: [newEvent()], expectedRevision: 0 },
      { stream: officerStream(AGENCY, 'o2'), events: [registered('o2')], expectedRevision: 'no_stream' },
      { stream: rosterStream(AGENCY), events: [enrolled('o2'), enrolled('elsewhere'), enrolled('o1')], expectedRevision: 'any' },
    ];
    expect(order(batch)).toEqual([
      { request: 4, events: [2], enrols: 0 },
      { request: 0, events: [0, 1] },
      { request: 1, events: [0] },
      { request: 2, events: [0] },
      { request: 4, events: [0], enrols: 3 },
      { request: 3, events: [0] },
      { request: 4, events: [1] },
    ]);
    // A roster with an exact expected revision, or named twice, is written as given.
    const exact = registration('o1');
    exact[1].expectedRevision = 4;
    expect(order(exact)).toEqual([{ request: 0, events: [0] }, { request: 1, events: [0] }]);
    const twice = [...registration('o1'), { stream: rosterStream(AGENCY), events: [enrolled('o1')], expectedRevision: 'any' as const }];
    expect(order(twice).map((s) => s.request)).toEqual([0, 1, 2]);
  });

  it('a registration writes the enrolment first and the officer stream second; results in request order', async () => {
    const { store } = twoStores();
    const [officer, roster] = await store.appendMany(registration('o1'));
    expect(officer.events.map((e) => [e.stream, e.type, e.revision])).toEqual([[officerStream(AGENCY, 'o1'), 'OfficerRegistered', 0]]);
    expect(roster.events.map((e) => [e.stream, e.type, e.revision])).toEqual([[rosterStream(AGENCY), 'OfficerEnrolled', 0]]);
    expect(roster.events[0].position).toBeLessThan(officer.events[0].position);
    expect(officer.events[0].recordedAt).toBe(roster.events[0].recordedAt);
    expect(await verifyStore(store)).toEqual({ ok: true, eventsChecked: 2 });
  });

  it('registrations racing in one agency all succeed, every officer on the roster once', async () => {
    const { store } = twoStores();
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.appendMany(registration(`o${i}`))));
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    const roster = await store.readStream(rosterStream(AGENCY));
    expect(roster.map((e) => (e.data as { officerId: string }).officerId).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `o${i}`).sort());
    expect(await verifyStore(store)).toEqual({ ok: true, eventsChecked: 16 });
  });

  it('an enrolment that loses a race after the officers before it were written is written again from the new head', async () => {
    const { client, store, other } = twoStores();
    const batch: AppendRequest[] = [
      { stream: officerStream(AGENCY, 'o1'), events: [registered('o1')], expectedRevision: 'no_stream' },
      { stream: officerStream(AGENCY, 'o2'), events: [registered('o2')], expectedRevision: 'no_stream' },
      { stream: rosterStream(AGENCY), events: [enrolled('o1'), enrolled('o2')], expectedRevision: 'any' },
    ];
    // Another registration takes the roster's next revision just before o2's enrolment.
    let rosterAppends = 0;
    const original = client.appendToStream.bind(client);
    client.appendToStream = async (...args: Parameters<typeof original>) => {
      if (args[0] === `r-${rosterStream(AGENCY)}` && ++rosterAppends === 2) await other.appendMany(registration('o9'));
      return original(...args);
    };
    const results = await store.appendMany(batch);
    expect(results[2].events.map((e) => e.revision)).toEqual([0, 2]);
    expect(await verifyStore(store)).toEqual({ ok: true, eventsChecked: 6 });
  });

  it('a writer that dies between the enrolment and the officer stream leaves no officer off the roster, and the next ledgerHead completes the registration', async () => {
    const { client, store, other } = twoStores();
    await store.appendMany(registration('o1'));
    dieBefore(client, `r-${officerStream(AGENCY, 'o2')}`);
    const request = registration('o2');
    await expect(store.appendMany(request)).rejects.toMatchObject({ message: expect.stringMatching(/the writer died/), committedRequests: 1, writtenRequests: [1] });

    // What is left: o2 on the roster, its stream missing (never an officer stream without its entry).
    expect(await store.readStream(officerStream(AGENCY, 'o2'))).toEqual([]);
    const chains = new ChainVerifier();
    for (const e of await collect(store.readAll())) chains.add(e);
    chains.checkHeads(await store.listStreams(''));
    expect(chains.report()).toMatchObject({ ok: false, firstBroken: { stream: officerStream(AGENCY, 'o2'), reason: expect.stringMatching(/is on the agency roster/) } });

    // Another process (or this one restarted) computes the ledger head: the promised append is made, byte for byte.
    const head = await other.ledgerHead();
    const [made] = await other.readStream(officerStream(AGENCY, 'o2'));
    const [enrolment] = (await other.readStream(rosterStream(AGENCY))).slice(-1);
    expect(made).toMatchObject({ eventId: request[0].events[0].eventId, type: 'OfficerRegistered', revision: 0, data: request[0].events[0].data, recordedAt: enrolment.recordedAt });
    expect(head.treeSize).toBe(4);
    expect(head.lastPosition).toBe(made.position);
    expect(await verifyStore(other)).toEqual({ ok: true, eventsChecked: 4 });
    expect(await other.ledgerHead()).toEqual(head); // nothing owed any more
  });

  it('the ledger verification starts by completing an interrupted registration, so it reports no break', async () => {
    const { client, store, other } = twoStores();
    await store.appendMany(registration('o1'));
    dieBefore(client, `r-${officerStream(AGENCY, 'o2')}`);
    await expect(store.appendMany(registration('o2'))).rejects.toThrow(/the writer died/);
    const report = await verifyLedger({ store: other, checkpoints: [] });
    expect(report).toMatchObject({ ok: true, eventsChecked: 4 });
  });

  it('a writer still alive when another process completes its registration is answered as its own append', async () => {
    const { client, store, other } = twoStores();
    const request = registration('o1');
    // Between this writer's enrolment and its officer append, another process computes the ledger head.
    dieBefore(client, `r-${officerStream(AGENCY, 'o1')}`, async () => {
      await other.ledgerHead();
    });
    const [officer] = await store.appendMany(request);
    expect(officer.events.map((e) => e.eventId)).toEqual([request[0].events[0].eventId]);
    expect(await store.readStream(officerStream(AGENCY, 'o1'))).toEqual(officer.events);
    expect(await verifyStore(store)).toEqual({ ok: true, eventsChecked: 2 });
  });

  it('a registration that loses its officer stream to a rival registration is refused; the extra enrolment is harmless and nothing is owed', async () => {
    const { client, store, other } = twoStores();
    dieBefore(client, `r-${officerStream(AGENCY, 'o1')}`, async () => {
      await other.appendMany(registration('o1'));
    });
    await expect(store.appendMany(registration('o1'))).rejects.toMatchObject({ name: 'WrongExpectedRevisionError', stream: officerStream(AGENCY, 'o1'), actual: 0, committedRequests: 1 });
    expect(await store.readStream(rosterStream(AGENCY))).toHaveLength(2);
    expect(await store.readStream(officerStream(AGENCY, 'o1'))).toHaveLength(1);
    const before = await collect(store.readAll());
    expect((await store.ledgerHead()).treeSize).toBe(3);
    expect(await collect(store.readAll())).toEqual(before);
    expect(await verifyStore(store)).toEqual({ ok: true, eventsChecked: 3 });
  });

  it('an import batch interrupted part-way: every officer written is enrolled, and ledgerHead writes the one promised', async () => {
    const { client, store, other } = twoStores();
    await store.appendToStream(agencyStream(AGENCY), events(1), { expectedRevision: 'no_stream' });
    const batch: AppendRequest[] = [
      { stream: officerStream(AGENCY, 'o1'), events: [registered('o1'), newEvent()], expectedRevision: 'no_stream' },
      { stream: agencyStream(AGENCY), events: [newEvent()], expectedRevision: 0 },
      { stream: officerStream(AGENCY, 'o2'), events: [registered('o2'), newEvent(), newEvent()], expectedRevision: 'no_stream' },
      { stream: officerStream(AGENCY, 'o3'), events: [registered('o3')], expectedRevision: 'no_stream' },
      { stream: rosterStream(AGENCY), events: [enrolled('o1'), enrolled('o2'), enrolled('o3')], expectedRevision: 'any' },
    ];
    dieBefore(client, `r-${officerStream(AGENCY, 'o2')}`);
    await expect(store.appendMany(batch)).rejects.toMatchObject({ writtenRequests: [0, 1, 4] });
    expect(await store.readStream(officerStream(AGENCY, 'o3'))).toEqual([]);
    expect((await store.readStream(rosterStream(AGENCY))).map((e) => (e.data as { officerId: string }).officerId)).toEqual(['o1', 'o2']);

    await other.ledgerHead();
    expect((await other.readStream(officerStream(AGENCY, 'o2'))).map((e) => e.eventId)).toEqual(batch[2].events.map((e) => e.eventId));
    expect(await other.readStream(officerStream(AGENCY, 'o3'))).toEqual([]); // never enrolled, never owed
    expect(await verifyStore(other)).toEqual({ ok: true, eventsChecked: 1 + 2 + 1 + 3 + 2 });
  });
});
