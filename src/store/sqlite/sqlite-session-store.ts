/**
 * Console sessions in the events' SQLite file (own connection, WAL, synchronous FULL; docs/decisions.md
 * W55): a table `console_sessions` keyed by the SHA-256 of the session id. An EventStoreDB ledger
 * keeps them in such a file too, beside its access log.
 */
import Database from 'better-sqlite3';
import type { SessionRecord, SessionRecordStore } from '../../auth/session-store.port';
import { keepSqliteFilePrivate } from './sqlite-file-mode';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS console_sessions (
    key           TEXT PRIMARY KEY,
    user_id       TEXT,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    signed_in_at  INTEGER,
    method        TEXT,
    data          TEXT NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS console_sessions_user ON console_sessions (user_id);
  CREATE INDEX IF NOT EXISTS console_sessions_last_seen ON console_sessions (last_seen_at);
`;

interface Row {
  key: string;
  user_id: string | null;
  created_at: number;
  last_seen_at: number;
  signed_in_at: number | null;
  method: string | null;
  data: string;
}

const fromRow = (r: Row): SessionRecord => ({ key: r.key, userId: r.user_id, createdAt: r.created_at, lastSeenAt: r.last_seen_at, signedInAt: r.signed_in_at, method: r.method, data: r.data });

export class SqliteSessionStore implements SessionRecordStore {
  private readonly db: Database.Database;
  private readonly stmt;

  constructor(file: string) {
    keepSqliteFilePrivate(file);
    this.db = new Database(file);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
    this.stmt = {
      get: this.db.prepare<[string], Row>('SELECT * FROM console_sessions WHERE key = ?'),
      put: this.db.prepare(
        `INSERT INTO console_sessions (key, user_id, created_at, last_seen_at, signed_in_at, method, data) VALUES (@key, @userId, @createdAt, @lastSeenAt, @signedInAt, @method, @data)
         ON CONFLICT (key) DO UPDATE SET user_id = excluded.user_id, last_seen_at = excluded.last_seen_at, signed_in_at = excluded.signed_in_at, method = excluded.method, data = excluded.data`,
      ),
      update: this.db.prepare<[number, string, string]>('UPDATE console_sessions SET last_seen_at = max(last_seen_at, ?), data = ? WHERE key = ?'),
      touch: this.db.prepare<[number, string]>('UPDATE console_sessions SET last_seen_at = max(last_seen_at, ?) WHERE key = ?'),
      delete: this.db.prepare<[string]>('DELETE FROM console_sessions WHERE key = ?'),
      deleteAllOf: this.db.prepare<[string]>('DELETE FROM console_sessions WHERE user_id = ?'),
      listOf: this.db.prepare<[string], Row>('SELECT * FROM console_sessions WHERE user_id = ? ORDER BY signed_in_at DESC'),
      purge: this.db.prepare<[number, number]>('DELETE FROM console_sessions WHERE last_seen_at < ? OR signed_in_at < ?'),
    };
  }

  async get(key: string) {
    const row = this.stmt.get.get(key);
    return row && fromRow(row);
  }
  async put(record: SessionRecord) {
    this.stmt.put.run(record);
  }
  async update(key: string, lastSeenAt: number, data: string) {
    this.stmt.update.run(lastSeenAt, data, key);
  }
  async touch(key: string, lastSeenAt: number) {
    this.stmt.touch.run(lastSeenAt, key);
  }
  async delete(key: string) {
    this.stmt.delete.run(key);
  }
  async deleteAllOf(userId: string) {
    return this.stmt.deleteAllOf.run(userId).changes;
  }
  async listOf(userId: string) {
    return this.stmt.listOf.all(userId).map(fromRow);
  }
  async purge(idleBefore: number, signedInBefore: number) {
    return this.stmt.purge.run(idleBefore, signedInBefore).changes;
  }
  async close() {
    if (this.db.open) this.db.close();
  }
}
