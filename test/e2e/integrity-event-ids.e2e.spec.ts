/**
 * The store's index of event ids under attack (docs/decisions.md W32, W37), on the harness's
 * store (SQLite, or PostgreSQL with test:postgres): an Idempotency-Key retry is safe only while
 * every event id is unique and the index says so. verify (HTTP and a CLI in another process) and
 * health catch an altered index; a write never answers 500 for it.
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { IntegrityMonitor } from '../../src/ledger/integrity-monitor';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store';
import { idempotentEventId } from '../../src/write/new-events';
import { buildCli, runCli } from '../support/cli-process';
import { deleteIdIndexRow, dropEventIdUniqueIndex, insertIdIndexRow, setIdIndexThrough } from '../support/tamper';
import { Harness, HarnessOptions, startHarness, storeHeads } from './http-harness';

jest.setTimeout(90_000);
beforeAll(() => buildCli());

const A = 'ids-pd';
let h: Harness;
let tokens: Awaited<ReturnType<Harness['agency']>>;
afterEach(async () => {
  await h?.close();
});

async function start(options: HarnessOptions = {}) {
  h = await startHarness(options);
  tokens = await h.agency(A);
  await post('/policies', { version: '2025-10', adoptedOn: '2025-08-15' });
}
const post = (path: string, body: object, key?: string) => {
  const req = h.http().post(`/api/agencies/${A}${path}`).set('Authorization', `Bearer ${tokens.admin}`);
  return (key ? req.set('Idempotency-Key', key) : req).send(body);
};
const cli = (...args: string[]) => runCli({ ...process.env, SRO_STORE: h.storeUrl, SRO_KEY_FILE: h.keyFile, SRO_CHECKPOINT_INTERVAL: '0' }, ...args);
const isSqlite = () => h.dbPath !== undefined;
/** SQLite with its id index merged after every `mergeAt` events (the default waits for 16,384). */
const sqliteMergingEvery = (mergeAt: number): HarnessOptions => ({ store: 'sqlite:', openStore: async (url) => SqliteEventStore.open(url.replace(/^sqlite:/, ''), { eventIdMergeAt: mergeAt }) });

async function expectCaught(reason: RegExp): Promise<void> {
  const http = await h.http().get(`/api/agencies/${A}/integrity`).set('Authorization', `Bearer ${tokens.investigator}`);
  expect(http.body).toMatchObject({ ok: false, firstBroken: { reason: expect.stringMatching(reason) } });
  const run = cli('verify');
  expect(run.status).toBe(1);
  expect(JSON.parse(run.stdout).firstBroken.reason).toMatch(reason);
  const health = await h.http().get('/api/health');
  expect(health.status).toBe(503);
  expect(health.body.message[0]).toMatch(reason);
}

describe('SQLite: the id index against the events', () => {
  it('event_ids_merged.through raised past a keyed write: its retry is recorded again, and verify names the id stored twice', async () => {
    await start({ store: 'sqlite:' });
    await post('/officers', { officerId: 'kay', name: 'Kay Keyed' }).expect(201);
    const key = `retry-${randomUUID()}`;
    const review = { version: '2025-10', reviewedOn: '2025-08-20' };
    const first = await post('/officers/kay/policy-reviews', review, key);
    expect(first.status).toBe(201);
    expect(cli('verify').status).toBe(0);
    const db = new Database(h.dbPath!, { readonly: true });
    const last = (db.prepare('SELECT max(position) AS p FROM events').get() as { p: number }).p;
    db.close();
    await setIdIndexThrough(h, last);
    // The retry no longer finds its first attempt: it is recorded again, under the same event id.
    const retry = await post('/officers/kay/policy-reviews', review, key);
    expect(retry.status).toBe(201);
    expect(retry.body.eventId).toBe(first.body.eventId);
    await expectCaught(new RegExp(`event id ${first.body.eventId} is stored twice`));
  });

  it('an event_ids row deleted after a merge: verify names the missing id', async () => {
    await start(sqliteMergingEvery(1));
    const key = `merged-${randomUUID()}`;
    const first = await post('/officers', { officerId: 'mae', name: 'Mae Merged' }, key);
    expect(first.status).toBe(201);
    expect(cli('verify').status).toBe(0);
    await deleteIdIndexRow(h, first.body.eventId);
    await expectCaught(new RegExp(`event id ${first.body.eventId} .*missing from the store's index of event ids`));
  });

  it('a bogus event_ids row for a future key: the legitimate write is a clear 409 that records nothing, not a 500; verify names the row', async () => {
    await start({ store: 'sqlite:' });
    const key = `future-${randomUUID()}`;
    const id = idempotentEventId(A, key);
    await insertIdIndexRow(h, id, 1);
    const before = await storeHeads(h.store);
    const write = await post('/officers', { officerId: 'fay', name: 'Fay Future' }, key);
    expect(write.status).toBe(409);
    expect(write.body.message.join(' ')).toMatch(new RegExp(`Idempotency-Key: the event id ${id} is marked as used in the store's index of event ids, but no event holds it`));
    expect(await storeHeads(h.store)).toBe(before);
    await expectCaught(new RegExp(`index of event ids holds the id ${id} at position 1, where no event has it`));
  });
});

describe('every store with an index of event ids', () => {
  it("the index dropped (PostgreSQL's unique constraint) or a row of it deleted (SQLite): verify and health catch it", async () => {
    await start();
    const first = await post('/officers', { officerId: 'ida', name: 'Ida Index' }, `k-${randomUUID()}`);
    expect(first.status).toBe(201);
    expect((await h.app.get(IntegrityMonitor).verify()).ok).toBe(true);
    if (isSqlite()) {
      // The default store merges after 16,384 ids: the policy's event is in the tail, the agency's registration too; drop the index's view of them.
      await setIdIndexThrough(h, 1);
      await expectCaught(/missing from the store's index of event ids|index of event ids says it holds/);
    } else {
      await dropEventIdUniqueIndex(h);
      await expectCaught(/unique index of event ids \(events\.event_id\) is missing/);
    }
  });
});
