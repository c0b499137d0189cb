import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryEventStore } from '../../src/store/memory/memory-event-store';
import { DEFAULT_STORE_URL, openEventStore } from '../../src/store/backends';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store';
import { events } from './event-store.contract';

describe('openEventStore', () => {
  let dir: string;
  let cwd: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sro-open-'));
    cwd = process.cwd();
  });
  afterEach(() => {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('memory: gives a fresh in-memory store', async () => {
    const store = await openEventStore('memory:');
    expect(store).toBeInstanceOf(MemoryEventStore);
    await store.close();
  });

  it('sqlite:<relative path> resolves against the current directory and creates the file', async () => {
    process.chdir(dir);
    expect(DEFAULT_STORE_URL).toBe('sqlite:./data/sro.db');
    const store = await openEventStore(DEFAULT_STORE_URL);
    expect(store).toBeInstanceOf(SqliteEventStore);
    await store.appendToStream('s', events(1), { expectedRevision: 'no_stream' });
    expect((store as SqliteEventStore).settings().file).toBe(path.join(fs.realpathSync(dir), 'data', 'sro.db'));
    await store.close();
    expect(fs.existsSync(path.join(dir, 'data', 'sro.db'))).toBe(true);
  });

  it('sqlite:<absolute path> and sqlite:///<absolute path>', async () => {
    const file = path.join(dir, 'abs.db');
    const a = await openEventStore(`sqlite:${file}`);
    await a.appendToStream('s', events(2), { expectedRevision: 'no_stream' });
    await a.close();
    const b = await openEventStore(`sqlite://${file}`);
    expect(await b.readStream('s')).toHaveLength(2);
    await b.close();
  });

  it('passes the clock to the store', async () => {
    const store = await openEventStore('memory:', { now: () => new Date('2026-01-01T00:00:00.000Z') });
    const { events: [e] } = await store.appendToStream('s', events(1), { expectedRevision: 'any' });
    expect(e.recordedAt).toBe('2026-01-01T00:00:00.000Z');
  });

  // esdb:// and kurrentdb:// now open the EventStoreDB adapter: see esdb-mapping.unit.spec.ts.
  // postgres:// and postgresql:// open the PostgreSQL adapter: see postgres-event-store.integration.spec.ts.
  it.each(['postgres://u:p@127.0.0.1:1/sro', 'postgresql://u@127.0.0.1:1/sro'])(
    '%s: opens the PostgreSQL adapter, which names host:port when it cannot connect',
    async (url) => {
      const err = await openEventStore(url).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/cannot use PostgreSQL at 127\.0\.0\.1:1 \(database "sro", user "u"\).*pg_isready/);
      expect((err as Error).message).not.toContain(':p@');
    },
  );

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['./data/sro.db', /malformed/],
    ['sqlite:', /needs a file path/],
    ['memory:extra', /memory: takes no path/],
    ['mysql://localhost/db', /unknown store URL scheme "mysql:"/],
  ])('%j is refused with a clear message', async (url, message) => {
    await expect(openEventStore(url)).rejects.toThrow(message);
  });
});
