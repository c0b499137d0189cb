/**
 * The SQLite file and its -wal and -shm files are readable by their owner only (0600), as the
 * signing key is (docs/decisions.md W36): created so under the usual umask 022, and a file an
 * older version left 0644 is narrowed when it is opened.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteReadModelStore } from '../../src/store/sqlite/sqlite-read-model-store';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store';
import { events } from './event-store.contract';

const mode = (file: string): string => (fs.statSync(file).mode & 0o777).toString(8);

describe('the SQLite file is private to its owner', () => {
  let dir: string;
  let umask: number;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sro-mode-'));
    umask = process.umask(0o022);
  });
  afterEach(() => {
    process.umask(umask);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a new store: the database, its -wal and its -shm are 0600 (the parent directory is created as before)', async () => {
    const file = path.join(dir, 'data', 'sro.db');
    const store = SqliteEventStore.open(file);
    try {
      await store.appendToStream('s', events(2), { expectedRevision: 'no_stream' });
      const models = new SqliteReadModelStore(file);
      expect({ db: mode(file), wal: mode(`${file}-wal`), shm: mode(`${file}-shm`) }).toEqual({ db: '600', wal: '600', shm: '600' });
      expect(await store.readStream('s')).toHaveLength(2);
      await models.close();
    } finally {
      await store.close();
    }
  });

  it('a file left 0644 by an older version (and its -wal) is narrowed to 0600 when opened', async () => {
    const file = path.join(dir, 'old.db');
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE t (x)');
    fs.chmodSync(file, 0o644);
    fs.chmodSync(`${file}-wal`, 0o644);
    expect(mode(file)).toBe('644');
    const store = SqliteEventStore.open(file);
    try {
      expect({ db: mode(file), wal: mode(`${file}-wal`) }).toEqual({ db: '600', wal: '600' });
    } finally {
      await store.close();
      old.close();
    }
  });
});
