/**
 * The processor runner (src/processors, docs/decisions.md W43) on memory and SQLite: the
 * checkpoint follows the events handled, a restarted runner resumes after it, a batch that fails
 * before its checkpoint is handed again (at least once) while its effect, appended under a
 * deterministic event id, is kept once; a daily schedule, and the lead between two runners.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '../../events/envelope';
import { openProcessorStore } from '../../src/processors/open-processor-store';
import { deterministicEventId, nextDue, type Processor, type ProcessorContext } from '../../src/processors/processor';
import { ProcessorRunner } from '../../src/processors/processor-runner';
import { LEASE_MS, SqliteProcessorStore } from '../../src/store/sqlite/sqlite-processor-store';
import { DuplicateEventIdError, type EventStore } from '../../src/store/event-store.port';
import { MemoryEventStore } from '../../src/store/memory/memory-event-store';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sro-processors-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const meta = { recordedBy: 'test', correlationId: 'c' };
const fact = (store: EventStore, n: number) =>
  store.appendToStream(`facts-${n}`, [{ eventId: `fact-${n}`, type: 'Fact', schemaVersion: 1, data: { n }, metadata: meta }], { expectedRevision: 'no_stream' });

/** The effect of one fact: an event whose id is the fact's, so the store keeps it once. */
async function effectOf(event: RecordedEvent, context: ProcessorContext): Promise<void> {
  try {
    await context.store.appendToStream('effects', [{ eventId: deterministicEventId('effect', event.eventId), type: 'Effect', schemaVersion: 1, data: { of: event.eventId }, metadata: meta }], { expectedRevision: 'any' });
  } catch (error) {
    if (!(error instanceof DuplicateEventIdError)) throw error;
  }
}

const effects = async (store: EventStore) => (await store.readStream('effects')).map((e) => (e.data as { of: string }).of);

function recorder(name = 'reactor'): Processor & { seen: string[]; failNext: number } {
  const p = {
    name,
    seen: [] as string[],
    failNext: 0,
    async handle(events: RecordedEvent[], context: ProcessorContext) {
      for (const event of events.filter((e) => e.type === 'Fact')) {
        p.seen.push(event.eventId);
        await effectOf(event, context);
        if (p.failNext > 0) {
          p.failNext--;
          throw new Error('crashed after the effect, before the checkpoint');
        }
      }
    },
  };
  return p;
}

const stores: Record<string, () => Promise<{ store: EventStore; reopen?: () => Promise<EventStore> }>> = {
  memory: async () => ({ store: new MemoryEventStore() }),
  sqlite: async () => {
    const file = join(dir, 'sro.db');
    return { store: SqliteEventStore.open(file), reopen: async () => SqliteEventStore.open(file) };
  },
};

describe.each(Object.keys(stores))('on %s', (kind) => {
  it('hands every new event once, in position order, and moves the checkpoint past each batch', async () => {
    const { store } = await stores[kind]();
    const processorStore = await openProcessorStore(store);
    const runner = new ProcessorRunner(store, processorStore, { batchSize: 2 });
    const p = recorder();
    runner.register(p);
    for (let n = 1; n <= 3; n++) await fact(store, n);
    await runner.runRound();
    expect(p.seen).toEqual(['fact-1', 'fact-2', 'fact-3']);
    const last = (await store.readEvent('fact-3'))!.position;
    expect(await processorStore.checkpoint('reactor')).toBeGreaterThanOrEqual(last);
    await fact(store, 4);
    await runner.runRound();
    expect(p.seen).toEqual(['fact-1', 'fact-2', 'fact-3', 'fact-4']);
    expect(await effects(store)).toEqual(['fact-1', 'fact-2', 'fact-3', 'fact-4']);
    await runner.stop();
    await store.close();
  });

  it('at least once: a batch that fails before its checkpoint comes again, and its effect is kept once', async () => {
    const { store } = await stores[kind]();
    const errors: string[] = [];
    const processorStore = await openProcessorStore(store);
    const runner = new ProcessorRunner(store, processorStore, { onError: (name, e) => errors.push(`${name}: ${e.message}`) });
    const p = recorder();
    p.failNext = 1;
    runner.register(p);
    await fact(store, 1);
    await runner.runRound();
    expect(errors).toEqual(['reactor: crashed after the effect, before the checkpoint']);
    expect(await processorStore.checkpoint('reactor')).toBe(0);
    await runner.runRound();
    expect(p.seen).toEqual(['fact-1', 'fact-1']); // handed twice
    expect(await effects(store)).toEqual(['fact-1']); // done once
    await runner.stop();
    await store.close();
  });

  it('a daily schedule ticks once for its day, again the next day; the effect of a day is kept once however often it runs', async () => {
    const { store } = await stores[kind]();
    let now = new Date('2026-03-02T06:59:00Z');
    const processorStore = await openProcessorStore(store);
    const runner = new ProcessorRunner(store, processorStore, { now: () => now });
    const dues: string[] = [];
    const digest: Processor = {
      name: 'digest',
      schedule: { dailyAt: '07:00' },
      async tick(due, context) {
        dues.push(due.toISOString());
        const day = due.toISOString().slice(0, 10);
        try {
          await context.store.appendToStream('digests', [{ eventId: deterministicEventId('digest', day), type: 'DigestSent', schemaVersion: 1, data: { day }, metadata: meta }], { expectedRevision: 'any' });
        } catch (error) {
          if (!(error instanceof DuplicateEventIdError)) throw error;
        }
      },
    };
    runner.register(digest);
    runner.start();
    await runner.stop(); // the first round ran: before 07:00 nothing was due
    expect(dues).toEqual([]);
    // A restarted server after 07:00 runs the day's tick; so does another start the same day (a crash): one digest.
    for (let i = 0; i < 2; i++) {
      now = new Date('2026-03-02T07:30:00Z');
      const again = new ProcessorRunner(store, await openProcessorStore(store), { now: () => now });
      again.register(digest);
      again.start();
      await again.settled();
      await new Promise((resolve) => setTimeout(resolve, 20));
      await again.settled();
      if (i === 1) {
        now = new Date('2026-03-03T07:00:00Z');
        await again.runRound();
        await again.settled();
      }
      await again.stop();
    }
    expect(dues).toEqual(['2026-03-02T07:00:00.000Z', '2026-03-02T07:00:00.000Z', '2026-03-03T07:00:00.000Z']);
    expect((await store.readStream('digests')).map((e) => (e.data as { day: string }).day)).toEqual(['2026-03-02', '2026-03-03']);
    await store.close();
  });

  it('of two runners on one store, one leads: only it handles events and ticks; when it stops, the other takes over', async () => {
    const { store } = await stores[kind]();
    let clock = Date.now();
    const open = () => (kind === 'sqlite' ? Promise.resolve(new SqliteProcessorStore((store as SqliteEventStore).file, () => clock)) : openProcessorStore(store));
    const [a, b] = [new ProcessorRunner(store, await open()), new ProcessorRunner(store, await open())];
    const [pa, pb] = [recorder(), recorder()];
    a.register(pa);
    b.register(pb);
    await fact(store, 1);
    await a.runRound();
    await b.runRound();
    expect([a.isLeader, b.isLeader]).toEqual([true, false]);
    expect([pa.seen, pb.seen]).toEqual([['fact-1'], []]);
    await a.stop(); // gives the lead up
    await fact(store, 2);
    clock += 1000;
    await b.runRound();
    expect(b.isLeader).toBe(true);
    expect(pb.seen).toEqual(['fact-2']); // from the shared checkpoint on
    expect(await effects(store)).toEqual(['fact-1', 'fact-2']);
    await b.stop();
    await store.close();
  });
});

it('on SQLite: the checkpoint is in the events file, and a restarted runner resumes after it', async () => {
  const file = join(dir, 'sro.db');
  let store: EventStore = SqliteEventStore.open(file);
  let runner = new ProcessorRunner(store, await openProcessorStore(store));
  const first = recorder();
  runner.register(first);
  await fact(store, 1);
  await fact(store, 2);
  await runner.runRound();
  await runner.stop();
  await store.close();

  store = SqliteEventStore.open(file);
  await fact(store, 3);
  runner = new ProcessorRunner(store, await openProcessorStore(store));
  const second = recorder();
  runner.register(second);
  await runner.runRound();
  expect([first.seen, second.seen]).toEqual([['fact-1', 'fact-2'], ['fact-3']]);
  await runner.stop();
  await store.close();
});

it('on SQLite: a leader that stops renewing its lease (hung, killed) loses the lead once the lease runs out', async () => {
  const store = SqliteEventStore.open(join(dir, 'sro.db'));
  let clock = 1_000_000;
  const a = new SqliteProcessorStore(store.file, () => clock);
  const b = new SqliteProcessorStore(store.file, () => clock);
  expect([await a.lead(), await b.lead()]).toEqual([true, false]);
  clock += LEASE_MS - 1;
  expect([await a.lead(), await b.lead()]).toEqual([true, false]); // renewed
  clock += LEASE_MS + 1;
  expect(await b.lead()).toBe(true);
  expect(await a.lead()).toBe(false);
  await a.close();
  await b.close();
  await store.close();
});

it('on SQLite: a file busy with another write skips a renewal: the holder leads while its lease lasts, nobody else takes it', async () => {
  const store = SqliteEventStore.open(join(dir, 'sro.db'));
  let clock = 1_000_000;
  const a = new SqliteProcessorStore(store.file, () => clock);
  const b = new SqliteProcessorStore(store.file, () => clock);
  expect(await a.lead()).toBe(true);
  const writer = new Database(store.file);
  writer.exec('BEGIN IMMEDIATE'); // a long write transaction of another process
  try {
    clock += LEASE_MS / 2; // time to renew, and the file is busy
    expect(await a.lead()).toBe(true);
    expect(await b.lead()).toBe(false);
  } finally {
    writer.exec('ROLLBACK');
    writer.close();
  }
  clock += LEASE_MS / 4;
  expect([await a.lead(), await b.lead()]).toEqual([true, false]); // renewed once the file is free
  await a.close();
  await b.close();
  await store.close();
});

it('deterministic event ids are UUID-shaped and depend on every part', () => {
  expect(deterministicEventId('digest', '2026-03-02')).toBe(deterministicEventId('digest', '2026-03-02'));
  expect(deterministicEventId('digest', '2026-03-02')).not.toBe(deterministicEventId('digest', '2026-03-03'));
  expect(deterministicEventId('a', 'bc')).not.toBe(deterministicEventId('ab', 'c'));
  expect(deterministicEventId('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(() => nextDue({ dailyAt: '7:00' }, new Date(), true)).toThrow(/HH:MM/);
});
