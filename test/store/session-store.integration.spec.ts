/**
 * The console sessions' store (src/auth/session-store.port.ts; docs/decisions.md W55), one
 * contract for each backend: memory, SQLite (the events' file, and a second connection to it as a
 * restarted server would open) and PostgreSQL (a database of its own, two stores on it as two
 * servers). Rows are keyed by the SHA-256 of the session id: the cookie's value is never written.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionRecord, SessionRecordStore } from '../../src/auth/session-store.port';
import { backendFor } from '../../src/store/backends';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';

const row = (over: Partial<SessionRecord> = {}): SessionRecord => ({
  key: randomBytes(32).toString('hex'),
  userId: 'u1',
  createdAt: 1_000,
  lastSeenAt: 1_000,
  signedInAt: 1_000,
  method: 'password',
  data: '{}',
  ...over,
});

function contract(name: string, open: () => Promise<{ a: SessionRecordStore; b: SessionRecordStore; done: () => Promise<void> }>) {
  describe(name, () => {
    let a: SessionRecordStore;
    let b: SessionRecordStore;
    let done: () => Promise<void>;
    beforeAll(async () => ({ a, b, done } = await open()));
    afterAll(async () => done());

    it('a row put by one is found by the other (a restart, a second server)', async () => {
      const r = row({ data: '{"notice":"hello"}' });
      await a.put(r);
      expect(await b.get(r.key)).toEqual(r);
    });

    it('update and touch keep last-seen monotonic and never bring back an ended session', async () => {
      const r = row();
      await a.put(r);
      await b.update(r.key, 5_000, '{"x":1}');
      await a.touch(r.key, 4_000);
      expect(await a.get(r.key)).toMatchObject({ lastSeenAt: 5_000, data: '{"x":1}' });
      await a.delete(r.key);
      await b.update(r.key, 6_000, '{"x":2}');
      await b.touch(r.key, 6_000);
      expect(await a.get(r.key)).toBeUndefined();
    });

    it('ends every session of a person, lists them newest first, purges the expired', async () => {
      const older = row({ userId: 'u2', signedInAt: 2_000, lastSeenAt: 2_000 });
      const newer = row({ userId: 'u2', signedInAt: 3_000, lastSeenAt: 3_000 });
      const other = row({ userId: 'u3' });
      const anonymous = row({ userId: null, signedInAt: null, method: null, lastSeenAt: 100 });
      for (const r of [older, newer, other, anonymous]) await a.put(r);
      expect((await b.listOf('u2')).map((r) => r.key)).toEqual([newer.key, older.key]);
      expect(await b.deleteAllOf('u2')).toBe(2);
      expect(await a.listOf('u2')).toEqual([]);
      expect(await a.get(other.key)).toBeDefined();
      expect(await a.purge(500, 0)).toBeGreaterThanOrEqual(1);
      expect(await a.get(anonymous.key)).toBeUndefined();
      expect(await a.get(other.key)).toBeDefined();
    });
  });
}

contract('memory', async () => {
  const store = await backendFor('memory:').openSessionStore();
  return { a: store, b: store, done: () => store.close() };
});

let dir: string;
contract('SQLite', async () => {
  dir = mkdtempSync(join(tmpdir(), 'sro-sessions-'));
  const url = `sqlite:${join(dir, 'sro.db')}`;
  const a = await backendFor(url).openSessionStore();
  const b = await backendFor(url).openSessionStore();
  return {
    a,
    b,
    done: async () => {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite keeps only the hash of the session id', () => {
  it('the cookie value is not in the file', async () => {
    const d = mkdtempSync(join(tmpdir(), 'sro-sessions-'));
    try {
      const { SessionStore } = await import('../../src/console/sessions');
      const records = await backendFor(`sqlite:${join(d, 'sro.db')}`).openSessionStore();
      const sessions = new SessionStore({ idleMs: 60_000, absoluteMs: 3_600_000 }, records);
      const { cookie, session } = await sessions.signIn(undefined, 'u1');
      await records.close();
      // Closed, so checkpointed: the rows are in the file itself (the WAL, if any is left, too).
      const bytes = Buffer.concat([readFileSync(join(d, 'sro.db')), ...(existsSync(join(d, 'sro.db-wal')) ? [readFileSync(join(d, 'sro.db-wal'))] : [])]);
      expect(bytes.includes(Buffer.from(cookie))).toBe(false);
      expect(bytes.includes(Buffer.from(session.csrf))).toBe(false);
      expect(bytes.includes(Buffer.from(session.key))).toBe(true);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describeWithPostgres('PostgreSQL', () => {
  let db: TestDatabase;
  contract('two stores on one database', async () => {
    db = await createTestDatabase();
    const a = await backendFor(db.url).openSessionStore();
    const b = await backendFor(db.url).openSessionStore();
    return {
      a,
      b,
      done: async () => {
        await a.close();
        await b.close();
        await db.drop();
      },
    };
  });
});
