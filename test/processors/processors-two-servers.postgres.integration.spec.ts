/**
 * Two servers (two Nest applications, each with its own pools) on one fresh PostgreSQL database
 * run the same processor (src/processors, docs/decisions.md W43): only the one holding the
 * advisory lock acts, and its effects, appended under deterministic event ids, happen once. When
 * the leader's lock connection is ended (pg_terminate_backend), the other server takes over,
 * carries on from the shared checkpoint, and still nothing is done twice.
 */
import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '../../events/envelope';
import { createHttpApp } from '../../src/http/create-http-app';
import { checkpointLogFile, readCheckpointLogFrom } from '../../src/ledger/checkpoint-log';
import { CHECKPOINT_SIGNER, CheckpointService } from '../../src/ledger/checkpoint-service';
import { deterministicEventId, type Processor, type ProcessorContext } from '../../src/processors/processor';
import { PROCESSOR_LEAD_LOCK } from '../../src/store/postgres/postgres-processor-store';
import { ProcessorRunner } from '../../src/processors/processor-runner';
import { DuplicateEventIdError, EVENT_STORE, type EventStore } from '../../src/store/event-store.port';
import { createTestDatabase, describeWithPostgres, type TestDatabase, withPostgres } from '../support/postgres';

const meta = { recordedBy: 'test', correlationId: 'c' };

async function appendOnce(context: ProcessorContext, stream: string, eventId: string, type: string, data: object): Promise<void> {
  try {
    await context.store.appendToStream(stream, [{ eventId, type, schemaVersion: 1, data, metadata: meta }], { expectedRevision: 'any' });
  } catch (error) {
    if (!(error instanceof DuplicateEventIdError)) throw error;
  }
}

/** The processor both servers run: a reaction to each fact, and a daily digest (due at once: 00:00 UTC has passed today). */
function notifier(server: string, attempts: string[]): Processor {
  return {
    name: 'notifier',
    async handle(events: RecordedEvent[], context) {
      for (const event of events.filter((e) => e.stream.startsWith('facts-'))) {
        attempts.push(`${server} ${event.eventId}`);
        await appendOnce(context, 'notices', deterministicEventId('notice', event.eventId), 'NoticeSent', { of: event.eventId });
      }
    },
    schedule: { dailyAt: '00:00' },
    async tick(due, context) {
      const day = due.toISOString().slice(0, 10);
      attempts.push(`${server} digest ${day}`);
      await appendOnce(context, 'digests', deterministicEventId('digest', day), 'DigestSent', { day });
    },
  };
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describeWithPostgres('processors on two servers sharing one PostgreSQL database', () => {
  let db: TestDatabase;
  let dir: string;
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'sro-processors-pg-'));
  });
  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exactly one acts; its lock connection ended, the other takes over; no effect twice', async () => {
    const ledger = { keyFile: join(dir, 'ledger-key.pem'), verifyIntervalMs: 0, checkpointIntervalMs: 0 };
    for (let i = 0; i < 2; i++) apps.push(await createHttpApp({ store: db.url, logger: false, ledger }));
    const attempts: string[] = [];
    const runners = apps.map((app) => app.get(ProcessorRunner));
    runners.forEach((runner, i) => runner.register(notifier(`server${i}`, attempts)));
    const store = apps[0].get<EventStore>(EVENT_STORE);
    const fact = (n: number) => store.appendToStream(`facts-${n}`, [{ eventId: `00000000-0000-4000-8000-00000000000${n}`, type: 'Fact', schemaVersion: 1, data: { n }, metadata: meta }], { expectedRevision: 'no_stream' });
    const notices = async () => (await store.readStream('notices')).map((e) => (e.data as { of: string }).of);

    for (let n = 1; n <= 3; n++) await fact(n);
    await until('the three facts are noticed and the digest sent', async () => (await notices()).length === 3 && (await store.readStream('digests')).length === 1);
    await until('both servers have run a round since', () => runners.some((r) => r.isLeader) && runners.some((r) => !r.isLeader));
    const leader = runners.findIndex((r) => r.isLeader);
    const other = 1 - leader;
    await new Promise((resolve) => setTimeout(resolve, 1500)); // more rounds: the other still does nothing
    expect(attempts.filter((a) => a.startsWith(`server${other}`))).toEqual([]);
    expect(attempts.filter((a) => a.startsWith(`server${leader}`)).length).toBe(4);

    // The leader's lock connection ended by the server: the lock goes with its session.
    const key = BigInt.asUintN(64, BigInt(PROCESSOR_LEAD_LOCK));
    const ended = await withPostgres(db.url, async (client) => {
      const { rows } = await client.query<{ ended: boolean }>(
        `SELECT pg_terminate_backend(pid) AS ended FROM pg_locks
          WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND classid::text::bigint = $1 AND objid::text::bigint = $2 AND objsubid = 1`,
        [(key >> 32n).toString(), (key & 0xffffffffn).toString()],
      );
      return rows.map((r) => r.ended);
    });
    expect(ended).toEqual([true]);
    await until('the other server leads', () => runners[other].isLeader && !runners[leader].isLeader);

    for (let n = 4; n <= 5; n++) await fact(n);
    await until('the new facts are noticed', async () => (await notices()).length === 5);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // The other server took over from the shared checkpoint (facts 4 and 5 only) and sent today's
    // digest again as far as it knows: the store kept the first one only.
    expect(attempts.filter((a) => a.startsWith(`server${other}`)).sort()).toEqual(
      [`server${other} 00000000-0000-4000-8000-000000000004`, `server${other} 00000000-0000-4000-8000-000000000005`, `server${other} digest ${new Date().toISOString().slice(0, 10)}`].sort(),
    );
    expect(attempts.filter((a) => a.startsWith(`server${leader}`)).length).toBe(4);
    expect((await notices()).sort()).toEqual([1, 2, 3, 4, 5].map((n) => `00000000-0000-4000-8000-00000000000${n}`));
    expect(await store.readStream('digests')).toHaveLength(1);
    const checkpoint = await withPostgres(db.url, async (client) => (await client.query<{ position: string }>(`SELECT position FROM processor_checkpoints WHERE processor = 'notifier'`)).rows[0]?.position);
    expect(Number(checkpoint)).toBeGreaterThanOrEqual((await store.readEvent('00000000-0000-4000-8000-000000000005'))!.position);
  }, 60_000);

  it('the checkpoint signer is a processor: of two servers signing every 200 ms, only the leader signs', async () => {
    // The first two servers (no signing interval) give the lead up.
    for (const app of apps.splice(0)) await app.close();
    const keyFile = join(dir, 'ledger-key.pem');
    const ledger = { keyFile, verifyIntervalMs: 0, checkpointIntervalMs: 200 };
    // Every signing each server attempts on its timer (after the start's own), counted.
    const issued = [0, 0];
    for (let i = 0; i < 2; i++) {
      const app = await createHttpApp({ store: db.url, logger: false, ledger });
      const signer = app.get(CheckpointService);
      const issue = signer.issue.bind(signer);
      signer.issue = (options) => {
        issued[i]++;
        return issue(options);
      };
      apps.push(app);
    }
    const runners = apps.map((app) => app.get(ProcessorRunner));
    const store = apps[0].get<EventStore>(EVENT_STORE);
    const signedSizes = () => readCheckpointLogFrom(checkpointLogFile(keyFile), 0).checkpoints.map((c) => c.treeSize);
    const before = signedSizes().length;
    for (let n = 0; n < 4; n++) {
      const size = (await store.ledgerHead()).treeSize;
      await store.appendToStream(`facts-x${n}`, [{ eventId: deterministicEventId('fact', String(n)), type: 'Fact', schemaVersion: 1, data: { n }, metadata: meta }], { expectedRevision: 'no_stream' });
      await until(`a checkpoint covers ${size + 1} events`, () => signedSizes().includes(size + 1));
      await new Promise((resolve) => setTimeout(resolve, 400)); // both servers' timers would have fired by now
    }
    expect(runners.filter((r) => r.isLeader)).toHaveLength(1);
    const leader = runners.findIndex((r) => r.isLeader);
    expect(issued[leader]).toBeGreaterThanOrEqual(4);
    expect(issued[1 - leader]).toBe(0); // the other server's timer never signs
    const sizes = signedSizes().slice(before);
    expect(sizes.length).toBeGreaterThanOrEqual(4);
    expect(new Set(sizes).size).toBe(sizes.length); // no tree signed twice
    expect(CHECKPOINT_SIGNER).toBe('checkpoint-signer');
  }, 60_000);
});
