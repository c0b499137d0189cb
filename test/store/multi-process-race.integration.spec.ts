/**
 * The expected-revision guard across OS processes, on the stores that several processes share
 * (a SQLite file, a PostgreSQL database). The workers (fixtures/race-worker.js) are driven step
 * by step, so that the collisions are certain: every worker reads the same head, then they all
 * append with it at once. Exactly one wins each revision; the others are refused with
 * WrongExpectedRevisionError, and nothing of theirs is written.
 */
import { ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EventStore } from '../../src/store/event-store.port';
import { PostgresEventStore } from '../../src/store/postgres/postgres-event-store';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store';
import { createTestDatabase, describeWithPostgres, TestDatabase, withPostgres, withSearchPath } from '../support/postgres';
import { verifyStore } from './event-store.contract';

const WORKERS = 4;
const ROUNDS = 12;
const FREE_EACH = 50;
const script = path.join(__dirname, 'fixtures', 'race-worker.js');

type Answer =
  | { type: 'read'; expected: number | 'no_stream' }
  | { type: 'appended'; won: true; revision: number }
  | { type: 'appended'; won: false; error: string; actual: number | 'no_stream' }
  | { type: 'done'; won: number[]; conflicts: number }
  | { type: 'closed' };

/** One worker process; it answers its messages in order, one at a time. */
class Worker {
  private next?: { resolve: (a: Answer) => void; reject: (e: Error) => void };
  private failure?: Error;
  readonly ready: Promise<void>;

  constructor(
    readonly id: number,
    private readonly child: ChildProcess,
  ) {
    let ready: () => void;
    let notReady: (e: Error) => void;
    this.ready = new Promise((resolve, reject) => {
      ready = resolve;
      notReady = reject;
    });
    const timer = setTimeout(() => notReady(new Error(`worker ${id} did not open its store within 30 s`)), 30_000);
    child.on('message', (m: { type: string; message?: string }) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        ready();
        return;
      }
      const waiting = this.next;
      this.next = undefined;
      if (m.type === 'error') {
        this.failure = new Error(`worker ${id}: ${m.message}`);
        clearTimeout(timer);
        notReady(this.failure);
        waiting?.reject(this.failure);
      } else waiting?.resolve(m as Answer);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const gone = new Error(`worker ${id} exited (${code ?? signal})`);
      notReady(gone);
      this.next?.reject(this.failure ?? gone);
      this.next = undefined;
    });
  }

  static start(url: string, id: number): Worker {
    return new Worker(id, fork(script, [url, String(id)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  ask(message: object): Promise<Answer> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.next) return Promise.reject(new Error(`worker ${this.id} is still answering`));
    return new Promise((resolve, reject) => {
      this.next = { resolve, reject };
      this.child.send(message);
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.ask({ type: 'close' }).catch(() => this.child.kill());
    await exited;
  }
}

/**
 * The two races on one store: `setup` gives the URL the workers open (with the schema already
 * created, so that they race on appends, not on migrations) and a store of the parent's own to
 * inspect the outcome.
 */
function describeProcessRaces(name: string, setup: () => Promise<{ url: string; store: EventStore }>): void {
  describe(`${WORKERS} processes racing on one ${name} store`, () => {
    let store: EventStore;
    let workers: Worker[] = [];

    beforeAll(async () => {
      const opened = await setup();
      store = opened.store;
      workers = Array.from({ length: WORKERS }, (_, id) => Worker.start(opened.url, id));
      await Promise.all(workers.map((w) => w.ready));
    }, 60_000);
    afterAll(async () => {
      await Promise.all(workers.map((w) => w.close()));
      await store?.close();
    });

    /** Every worker reads the head of `stream`; then all append with it at once. */
    async function lockstepRound(stream: string) {
      const reads = await Promise.all(workers.map((w) => w.ask({ type: 'read', stream })));
      const appends = await Promise.all(workers.map((w) => w.ask({ type: 'append', stream })));
      return { reads: reads.map((r) => (r as { expected: number | 'no_stream' }).expected), appends };
    }

    it(`${ROUNDS} rounds in which every process appends with the same expected revision: exactly one winner per round, the others refused`, async () => {
      const stream = 'officer-race/lockstep';
      const winners: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const { reads, appends } = await lockstepRound(stream);
        expect(reads).toEqual(workers.map(() => (round === 0 ? 'no_stream' : round - 1)));
        const won = appends.flatMap((a, id) => (a.type === 'appended' && a.won ? [id] : []));
        expect({ round, winners: won.length }).toEqual({ round, winners: 1 });
        expect(appends[won[0]]).toEqual({ type: 'appended', won: true, revision: round });
        for (const [id, a] of appends.entries()) {
          if (id !== won[0]) expect(a).toEqual({ type: 'appended', won: false, error: 'WrongExpectedRevisionError', actual: round });
        }
        winners.push(won[0]);
      }
      const stream_ = await store.readStream(stream);
      expect(stream_.map((e) => e.revision)).toEqual(Array.from({ length: ROUNDS }, (_, i) => i));
      // The event at each revision is the winner's, and only winners' events are stored.
      expect(stream_.map((e) => Number((e.data as { workerId: string }).workerId))).toEqual(winners);
      expect(await verifyStore(store)).toMatchObject({ ok: true });
    }, 60_000);

    it(`free-running with retries after a colliding first round: ${WORKERS * FREE_EACH} contiguous chained events, each revision won by exactly one process`, async () => {
      const stream = 'officer-race/free';
      const first = await lockstepRound(stream);
      expect(first.appends.filter((a) => a.type === 'appended' && a.won)).toHaveLength(1);
      const done = (await Promise.all(workers.map((w) => w.ask({ type: 'free', stream, count: FREE_EACH })))) as Extract<Answer, { type: 'done' }>[];
      const conflicts = done.reduce((n, d) => n + d.conflicts, 0);
      expect(conflicts).toBeGreaterThanOrEqual(WORKERS - 1); // the first round alone collides WORKERS - 1 times

      const total = WORKERS * FREE_EACH;
      const claimed = done.flatMap((d) => d.won).sort((a, b) => a - b);
      expect(claimed).toEqual(Array.from({ length: total }, (_, i) => i)); // one winner per revision, none lost
      const events = await store.readStream(stream);
      expect(events.map((e) => e.revision)).toEqual(Array.from({ length: total }, (_, i) => i));
      for (const [id, d] of done.entries()) {
        for (const revision of d.won) expect((events[revision].data as { workerId: string }).workerId).toBe(String(id));
        // Each worker's events are in its own order, none twice.
        expect(d.won.map((r) => (events[r].data as { n: number }).n)).toEqual(Array.from({ length: FREE_EACH }, (_, n) => n));
      }
      const times = events.map((e) => e.recordedAt);
      expect(times).toEqual([...times].sort());
      expect(await verifyStore(store)).toMatchObject({ ok: true });
      const [head] = await store.listStreams(stream);
      expect(head).toMatchObject({ stream, revision: total - 1, hash: events[total - 1].hash });
    }, 60_000);
  });
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describeProcessRaces('SQLite', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sro-race-'));
  dirs.push(dir);
  const file = path.join(dir, 'events.db');
  return { url: `sqlite:${file}`, store: SqliteEventStore.open(file) };
});

describeWithPostgres('PostgreSQL', () => {
  let db: TestDatabase | undefined;
  afterAll(() => db?.drop());
  describeProcessRaces('PostgreSQL', async () => {
    db = await createTestDatabase();
    await withPostgres(db.url, (c) => c.query('CREATE SCHEMA race'));
    const url = withSearchPath(db.url, 'race');
    return { url, store: await PostgresEventStore.open(url) };
  });
});
