/**
 * `backendFor`: the one place that reads a store URL (docs/decisions.md W44). Each backend's
 * folder gives its event store, read-model store, access-log store and key file's place; the
 * same URLs as ever are accepted, refused with the same words, with the same defaults.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backendFor, backendOfOpenStore, isStoreUrl, knownBackend, openEventStore } from '../../src/store/backends';
import { MemoryAccessLogStore } from '../../src/store/memory/memory-access-log-store';
import { MemoryEventStore } from '../../src/store/memory/memory-event-store';
import { MemoryReadModelStore } from '../../src/store/memory/memory-read-model-store';
import { PostgresAccessLogStore } from '../../src/store/postgres/postgres-access-log-store';
import { PostgresReadModelStore } from '../../src/store/postgres/postgres-read-model-store';
import { SqliteAccessLogStore } from '../../src/store/sqlite/sqlite-access-log-store';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store';
import { SqliteReadModelStore } from '../../src/store/sqlite/sqlite-read-model-store';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';

describe('backendFor', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sro-backends-')));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['memory:', 'memory'],
    ['memory://', 'memory'],
    ['MEMORY:', 'memory'],
    ['sqlite:./data/sro.db', 'sqlite'],
    ['sqlite:///abs/file.db', 'sqlite'],
    ['sqlite::memory:', 'sqlite'],
    ['postgres://u@h:5432/db', 'postgres'],
    ['postgresql://u@h/db', 'postgres'],
    ['esdb://127.0.0.1:2113?tls=false', 'esdb'],
    ['esdb+discover://h:2113', 'esdb'],
    ['kurrentdb://h:2113', 'esdb'],
    ['  memory:  ', 'memory'],
  ])('%s is the %s backend', (url, name) => {
    expect(backendFor(url).name).toBe(name);
  });

  it.each([
    ['', /^store URL is empty: expected memory:, sqlite:<path>, postgres:\/\/\.\.\. or esdb:\/\/\.\.\. \(default sqlite:\.\/data\/sro\.db\)$/],
    ['   ', /^store URL is empty/],
    ['no-scheme', /^malformed store URL "no-scheme": expected memory:/],
    ['memory:x', /^malformed store URL "memory:x": memory: takes no path$/],
    ['sqlite:', /^malformed store URL "sqlite:": sqlite: needs a file path, e\.g\. sqlite:\.\/data\/sro\.db$/],
    ['sqlite://', /sqlite: needs a file path/],
    ['mysql://h/db', /^unknown store URL scheme "mysql:" in "mysql:\/\/h\/db": expected memory:, sqlite:<path>, postgres:\/\/\.\.\. or esdb:\/\/\.\.\.$/],
  ])('%j is refused, and openEventStore rejects with the same words', async (url, words) => {
    expect(() => backendFor(url)).toThrow(words);
    await expect(openEventStore(url)).rejects.toThrow(words);
    expect(knownBackend(url)).toBeUndefined();
  });

  it('capabilities: which stores outlive the process, are shared between processes, keep their read models', () => {
    const caps = (url: string) => backendFor(url).capabilities;
    expect(caps('memory:')).toEqual({ outlivesProcess: false, sharedBetweenProcesses: false, readModelsPersist: false });
    expect(caps('sqlite::memory:')).toEqual({ outlivesProcess: false, sharedBetweenProcesses: false, readModelsPersist: false });
    expect(caps('sqlite:./x.db')).toEqual({ outlivesProcess: true, sharedBetweenProcesses: true, readModelsPersist: true });
    expect(caps('postgres://h/db')).toEqual({ outlivesProcess: true, sharedBetweenProcesses: true, readModelsPersist: true });
    expect(caps('esdb://h:2113')).toEqual({ outlivesProcess: true, sharedBetweenProcesses: true, readModelsPersist: false });
  });

  it('a SQLite file is absolute, and its label names it; a server URL is labelled without its password', () => {
    const sqlite = backendFor('sqlite:./data/sro.db');
    expect(sqlite.file).toBe(path.resolve('data', 'sro.db'));
    expect(sqlite.label).toBe(`sqlite:${path.resolve('data', 'sro.db')}`);
    expect(backendFor('sqlite::memory:').file).toBeUndefined();
    expect(backendFor('postgres://sro:secret@h:5432/db').label).toBe('postgres://***@h:5432/db');
  });

  it('the SQLite key is out of the database folder, <folder>/../keys/<folder name>/<file>.ledger-key.pem, and the old place is still found', () => {
    const backend = backendFor('sqlite:./data/sro.db');
    const key = path.join(dir, 'keys', 'data', 'sro.db.ledger-key.pem');
    const legacy = path.join(dir, 'data', 'ledger-key.pem');
    expect(backend.defaultKeyFile(dir)).toBe(key);
    expect(backend.legacyKeyFile!(dir)).toEqual({ legacy, current: key });
    expect(backendFor('sqlite::memory:').legacyKeyFile!(dir)).toBeUndefined();
    expect(backendFor('postgres://h/db').legacyKeyFile).toBeUndefined();
    fs.mkdirSync(path.dirname(legacy), { recursive: true });
    fs.writeFileSync(legacy, 'old key');
    expect(backend.defaultKeyFile(dir)).toBe(legacy);
    fs.mkdirSync(path.dirname(key), { recursive: true });
    fs.writeFileSync(key, 'new key');
    expect(backend.defaultKeyFile(dir)).toBe(key);
  });

  it('a server ledger has a key per database, host and port; memory: a fresh temporary one', () => {
    expect(backendFor('postgres://u:p@db.example:6543/sro').defaultKeyFile(dir)).toBe(path.join(dir, 'data', 'ledger-key.sro@db.example-6543.pem'));
    expect(backendFor('postgresql://h/').defaultKeyFile(dir)).toBe(path.join(dir, 'data', 'ledger-key.default@h-default.pem'));
    expect(backendFor('esdb://127.0.0.1:2113?tls=false').defaultKeyFile(dir)).toBe(path.join(dir, 'data', 'ledger-key.default@127.0.0.1-2113.pem'));
    const a = backendFor('memory:').defaultKeyFile(dir);
    const b = backendFor('memory:').defaultKeyFile(dir);
    expect(a).not.toBe(b);
    expect(a.startsWith(os.tmpdir())).toBe(true);
    expect(backendFor('sqlite::memory:').defaultKeyFile(dir).startsWith(os.tmpdir())).toBe(true);
  });

  it('a SQLite file keeps its read models and access log beside the events; memory: and sqlite::memory: in memory', async () => {
    const file = path.join(dir, 'ledger.db');
    const sqlite = backendFor(`sqlite:${file}`);
    const events = await sqlite.openEventStore();
    expect(events).toBeInstanceOf(SqliteEventStore);
    const readModels = await sqlite.openReadModelStore();
    const accessLog = await sqlite.openAccessLogStore();
    expect(readModels).toBeInstanceOf(SqliteReadModelStore);
    expect(accessLog).toBeInstanceOf(SqliteAccessLogStore);
    await Promise.all([readModels.close(), accessLog.close(), events.close()]);
    expect(fs.readdirSync(dir).filter((f) => !f.includes('-'))).toEqual(['ledger.db']);
    for (const url of ['memory:', 'sqlite::memory:']) {
      expect(await backendFor(url).openReadModelStore()).toBeInstanceOf(MemoryReadModelStore);
      expect(await backendFor(url).openAccessLogStore()).toBeInstanceOf(MemoryAccessLogStore);
    }
    expect(await backendFor('memory:').openEventStore()).toBeInstanceOf(MemoryEventStore);
  });

  it('EventStoreDB keeps its read models in memory and its access log in a SQLite file beside its default key', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const esdb = backendFor('esdb://127.0.0.1:2113?tls=false');
      expect(await esdb.openReadModelStore()).toBeInstanceOf(MemoryReadModelStore);
      const accessLog = await esdb.openAccessLogStore();
      expect(accessLog).toBeInstanceOf(SqliteAccessLogStore);
      await accessLog.close();
      expect(fs.existsSync(path.join(dir, 'data', 'access-log.default@127.0.0.1-2113.db'))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });

  it('an open store handed to the app: a SQLite file is the SQLite backend of that file, anything else memory', async () => {
    const file = path.join(dir, 'open.db');
    const store = SqliteEventStore.open(file);
    const backend = backendOfOpenStore(store);
    expect(backend.name).toBe('sqlite');
    expect(backend.file).toBe(file);
    store.close();
    expect(backendOfOpenStore(new MemoryEventStore()).name).toBe('memory');
    expect(backendOfOpenStore(SqliteEventStore.open(':memory:')).name).toBe('memory');
  });

  it('the configuration accepts the forms it always did (stricter than backendFor after the scheme)', () => {
    for (const ok of ['memory:', 'memory://', 'sqlite:./x.db', 'sqlite:///x.db', 'postgres://', 'postgresql://h/db', 'esdb://h', 'kurrentdb+discover://h', 'SQLITE:x']) expect(isStoreUrl(ok)).toBe(true);
    for (const bad of ['memory:x', 'sqlite:', 'postgres:h', 'esdb://', 'mysql://h', '', 'x']) expect(isStoreUrl(bad)).toBe(false);
  });
});

describeWithPostgres('backendFor: PostgreSQL', () => {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());

  it('keeps the events, the read models and the access log in the one database', async () => {
    const backend = backendFor(database!.url);
    const events = await backend.openEventStore();
    const readModels = await backend.openReadModelStore();
    const accessLog = await backend.openAccessLogStore();
    expect(readModels).toBeInstanceOf(PostgresReadModelStore);
    expect(accessLog).toBeInstanceOf(PostgresAccessLogStore);
    await Promise.all([readModels.close(), accessLog.close(), events.close()]);
  });
});
