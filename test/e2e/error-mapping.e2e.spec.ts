/**
 * What a client is told when the store fails (decisions W1), through the real routes:
 * - 503 when another process holds SQLite's write lock past busy_timeout (a real lock, taken
 *   by a second connection to the file): nothing recorded, try again;
 * - 500 for anything unexpected (an append that throws, as a failing disk would): a fixed body,
 *   with no message, stack, path or code of the error in it, and nothing recorded.
 */
import Database from 'better-sqlite3';
import { ProjectionRunner } from '../../src/read-models/projection-runner';
import type { EventStore } from '../../src/store/event-store.port';
import { openEventStore } from '../../src/store/backends';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store';
import { interceptAppends, Interference } from '../support/store-wrapper';
import { Harness, startHarness, storeHeads } from './http-harness';

const A = 'fail-pd';

async function post(h: Harness, token: string, path: string, body: object) {
  const res = await h.http().post(`/api/agencies/${A}${path}`).set('Authorization', `Bearer ${token}`).send(body);
  return { status: res.status, body: res.body as unknown, text: res.text };
}

/** Nothing of the error's own text reaches the client. */
function expectNoInternals(text: string, secrets: string[]): void {
  for (const secret of [...secrets, '    at ', '.ts:', '.js:', 'stack', 'Error:']) expect(text).not.toContain(secret);
}

describe('503: SQLite write lock held by another process', () => {
  let h: Harness;
  let admin: string;
  beforeAll(async () => {
    // SQLite whatever SRO_STORE says: the busy lock is SQLite's. A short busy_timeout keeps the test quick.
    h = await startHarness({ store: 'sqlite:', openStore: async (url) => SqliteEventStore.open(url.slice('sqlite:'.length), { busyTimeoutMs: 100 }) });
    admin = (await h.agency(A)).admin;
    expect((await post(h, admin, '/officers', { officerId: 'o1', name: 'Olive One' })).status).toBe(201);
  });
  afterAll(() => h.close());

  it('a write that cannot get the lock is a 503 that records nothing; once the lock is released the retry is recorded', async () => {
    // The read models first catch up, so that the server has nothing of its own to write meanwhile.
    await h.app.get(ProjectionRunner).waitUntilCaughtUp();
    const other = new Database(h.dbPath!);
    const before = await storeHeads(h.store);
    other.exec('BEGIN IMMEDIATE'); // another process's write transaction, holding the lock
    let busy: Awaited<ReturnType<typeof post>>[];
    try {
      busy = [await post(h, admin, '/officers/o1/substitute-days', { date: '2025-10-01', school: 'North Middle' }), await post(h, admin, '/officers', { officerId: 'o2', name: 'Otto Two' })];
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    for (const res of busy) {
      expect({ status: res.status, body: res.body }).toEqual({
        status: 503,
        body: { statusCode: 503, error: 'Service Unavailable', message: ['the store is busy; nothing was recorded, try again'] },
      });
      expectNoInternals(res.text, ['SQLITE_BUSY', 'database is locked', h.dbPath!]);
    }
    expect(await storeHeads(h.store)).toBe(before);
    expect((await post(h, admin, '/officers/o1/substitute-days', { date: '2025-10-01', school: 'North Middle' })).status).toBe(201);
    expect((await post(h, admin, '/officers', { officerId: 'o2', name: 'Otto Two' })).status).toBe(201);
  });
});

describe('500: an unexpected failure of the store', () => {
  let h: Harness;
  let admin: string;
  const failure = new Interference();
  beforeAll(async () => {
    h = await startHarness({ openStore: async (url) => interceptAppends(await openEventStore(url), failure) });
    admin = (await h.agency(A)).admin;
    expect((await post(h, admin, '/officers', { officerId: 'o1', name: 'Olive One' })).status).toBe(201);
  });
  afterAll(() => h.close());
  afterEach(() => failure.disarm());

  const disk = async (_inner: EventStore): Promise<void> => {
    throw Object.assign(new Error('disk I/O error writing /var/lib/sro/secret-location/sro.db (errno -5)'), { code: 'SQLITE_IOERR' });
  };

  it.each([
    ['an append to one stream', 'officer-fail-pd/o1', '/officers/o1/substitute-days', { date: '2025-10-01', school: 'North Middle' }],
    ['an append to two streams (a registration)', 'officer-fail-pd/o9', '/officers', { officerId: 'o9', name: 'Nina Nine' }],
    ['an append to the agency stream', 'agency-fail-pd', '/policies', { version: 'v1', adoptedOn: '2025-08-01' }],
  ])('%s that throws is a 500 with a fixed body, no internals, and nothing recorded', async (_case, stream, path, body) => {
    const before = await storeHeads(h.store);
    failure.arm(stream, disk);
    const res = await post(h, admin, path, body);
    expect(failure.fired).toBe(true);
    expect({ status: res.status, body: res.body }).toEqual({ status: 500, body: { statusCode: 500, error: 'Internal Server Error', message: ['unexpected error; nothing was recorded'] } });
    expectNoInternals(res.text, ['disk I/O', 'secret-location', 'SQLITE_IOERR', 'errno']);
    expect(await storeHeads(h.store)).toBe(before);
    // The store is fine again: the same write is recorded.
    expect((await post(h, admin, path, body)).status).toBe(201);
  });
});
