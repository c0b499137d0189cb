/**
 * Read models in the same SQLite file as the events (own connection, WAL): documents and
 * checkpoints in two tables, written in one transaction, so a checkpoint never gets ahead of
 * (or behind) the documents it describes.
 */
import Database from 'better-sqlite3';
import { keepSqliteFilePrivate } from './sqlite-file-mode';
import type { ProjectionState, ReadModelStore } from '../../read-models/read-model-store.port';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS projection_state (
    projection TEXT PRIMARY KEY,
    checkpoint INTEGER NOT NULL,
    rebuilding INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  CREATE TABLE IF NOT EXISTS projection_documents (
    projection TEXT NOT NULL,
    key        TEXT NOT NULL,
    doc        TEXT NOT NULL,
    PRIMARY KEY (projection, key)
  ) STRICT, WITHOUT ROWID;
`;

export class SqliteReadModelStore implements ReadModelStore {
  private readonly db: Database.Database;
  private readonly stmt;
  private readonly commitTx;
  private readonly readAtTx;

  constructor(file: string) {
    keepSqliteFilePrivate(file);
    this.db = new Database(file);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
    this.stmt = {
      state: this.db.prepare<[string], { checkpoint: number; rebuilding: number }>('SELECT checkpoint, rebuilding FROM projection_state WHERE projection = ?'),
      get: this.db.prepare<[string, string], { doc: string }>('SELECT doc FROM projection_documents WHERE projection = ? AND key = ?'),
      range: this.db.prepare<[string, string, string], { doc: string }>(
        'SELECT doc FROM projection_documents WHERE projection = ? AND key >= ? AND key < ? ORDER BY key',
      ),
      // A page's one lower bound: given both `key >= prefix` and `key > after`, SQLite began every
      // page's index range at the prefix and stepped over the pages before (a pass over 50,000
      // documents in pages of 500 took 5 s in memory, against 0.36 s with one bound; docs/decisions.md W77).
      firstPage: this.db.prepare<[string, string, string, number], { key: string; doc: string }>(
        'SELECT key, doc FROM projection_documents WHERE projection = ? AND key >= ? AND key < ? ORDER BY key LIMIT ?',
      ),
      // `+key`: the prefix a filter here, not a second start of the index range.
      nextPage: this.db.prepare<[string, string, string, string, number], { key: string; doc: string }>(
        'SELECT key, doc FROM projection_documents WHERE projection = ? AND key > ? AND +key >= ? AND key < ? ORDER BY key LIMIT ?',
      ),
      upsert: this.db.prepare<[string, string, string]>(
        'INSERT INTO projection_documents (projection, key, doc) VALUES (?, ?, ?) ON CONFLICT (projection, key) DO UPDATE SET doc = excluded.doc',
      ),
      move: this.db.prepare<[number, string, number]>('UPDATE projection_state SET checkpoint = ? WHERE projection = ? AND checkpoint = ?'),
      insertState: this.db.prepare<[string, number, number]>('INSERT OR IGNORE INTO projection_state (projection, checkpoint, rebuilding) VALUES (?, ?, ?)'),
      setState: this.db.prepare<[number, number, string]>('UPDATE projection_state SET checkpoint = ?, rebuilding = ? WHERE projection = ?'),
      clearRebuilding: this.db.prepare<[string]>('UPDATE projection_state SET rebuilding = 0 WHERE projection = ?'),
      deleteDocs: this.db.prepare<[string]>('DELETE FROM projection_documents WHERE projection = ?'),
    };
    this.commitTx = this.db.transaction((projection: string, from: number, to: number, changes: ReadonlyMap<string, unknown>): boolean => {
      this.stmt.insertState.run(projection, 0, 0);
      if (this.stmt.move.run(to, projection, from).changes !== 1) return false;
      for (const [key, doc] of changes) this.stmt.upsert.run(projection, key, JSON.stringify(doc));
      return true;
    });
    this.readAtTx = this.db.transaction((projection: string, keys: readonly string[]) => {
      const row = this.stmt.state.get(projection);
      const docs = new Map<string, unknown>();
      for (const key of keys) {
        const doc = this.stmt.get.get(projection, key);
        if (doc) docs.set(key, JSON.parse(doc.doc));
      }
      return { checkpoint: row?.checkpoint ?? 0, rebuilding: row?.rebuilding === 1, docs };
    });
  }

  async readAtCheckpoint<T>(projection: string, keys: readonly string[]): Promise<ProjectionState & { docs: Map<string, T> }> {
    // One read transaction: one snapshot of the file (WAL), whatever another process commits meanwhile.
    return this.readAtTx.deferred(projection, keys) as ProjectionState & { docs: Map<string, T> };
  }

  async state(projection: string): Promise<ProjectionState> {
    const row = this.stmt.state.get(projection);
    return { checkpoint: row?.checkpoint ?? 0, rebuilding: row?.rebuilding === 1 };
  }

  async get<T>(projection: string, key: string): Promise<T | undefined> {
    const row = this.stmt.get.get(projection, key);
    return row ? (JSON.parse(row.doc) as T) : undefined;
  }

  async getByPrefix<T>(projection: string, prefix: string): Promise<T[]> {
    return this.stmt.range.all(projection, prefix, `${prefix}\uffff`).map((row) => JSON.parse(row.doc) as T);
  }

  async getPageByPrefix<T>(projection: string, prefix: string, after: string, limit: number): Promise<{ key: string; doc: T }[]> {
    return (await this.getTextPageByPrefix(projection, prefix, after, limit)).map((row) => ({ key: row.key, doc: JSON.parse(row.text) as T }));
  }

  async getTextPageByPrefix(projection: string, prefix: string, after: string, limit: number): Promise<{ key: string; text: string }[]> {
    const rows = after === '' ? this.stmt.firstPage.all(projection, prefix, `${prefix}\uffff`, limit) : this.stmt.nextPage.all(projection, after, prefix, `${prefix}\uffff`, limit);
    return rows.map((row) => ({ key: row.key, text: row.doc }));
  }

  async commit(projection: string, from: number, to: number, changes: ReadonlyMap<string, unknown>): Promise<boolean> {
    // The write lock is taken at BEGIN so that the checkpoint test and the writes are one step.
    return this.commitTx.immediate(projection, from, to, changes);
  }

  async reset(projection: string): Promise<void> {
    this.db.transaction(() => {
      this.stmt.deleteDocs.run(projection);
      this.stmt.insertState.run(projection, 0, 1);
      this.stmt.setState.run(0, 1, projection);
    }).immediate();
  }

  async markRebuilt(projection: string): Promise<void> {
    this.stmt.clearRebuilding.run(projection);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
