/**
 * Console sessions in the events' PostgreSQL database (own small pool, synchronous_commit on;
 * docs/decisions.md W55): a table `console_sessions` keyed by the SHA-256 of the session id, so
 * that every server on the database knows every session.
 */
import type { Pool } from 'pg';
import type { SessionRecord, SessionRecordStore } from '../../auth/session-store.port';
import { guardedPool } from './postgres-pool';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS console_sessions (
    key           TEXT PRIMARY KEY,
    user_id       TEXT,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    signed_in_at  BIGINT,
    method        TEXT,
    data          TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS console_sessions_user ON console_sessions (user_id);
  CREATE INDEX IF NOT EXISTS console_sessions_last_seen ON console_sessions (last_seen_at);
`;

interface Row {
  key: string;
  user_id: string | null;
  created_at: string;
  last_seen_at: string;
  signed_in_at: string | null;
  method: string | null;
  data: string;
}

const fromRow = (r: Row): SessionRecord => ({
  key: r.key,
  userId: r.user_id,
  createdAt: Number(r.created_at),
  lastSeenAt: Number(r.last_seen_at),
  signedInAt: r.signed_in_at === null ? null : Number(r.signed_in_at),
  method: r.method,
  data: r.data,
});

export class PostgresSessionStore implements SessionRecordStore {
  private constructor(private readonly pool: Pool) {}

  static async open(url: string): Promise<PostgresSessionStore> {
    const pool = guardedPool({ connectionString: url, max: 4, options: '-c synchronous_commit=on' });
    // Two servers starting on one database may race to create the table: the loser retries once.
    await pool.query(SCHEMA).catch(() => pool.query(SCHEMA));
    return new PostgresSessionStore(pool);
  }

  async get(key: string) {
    const { rows } = await this.pool.query<Row>('SELECT * FROM console_sessions WHERE key = $1', [key]);
    return rows[0] && fromRow(rows[0]);
  }
  async put(r: SessionRecord) {
    await this.pool.query(
      `INSERT INTO console_sessions (key, user_id, created_at, last_seen_at, signed_in_at, method, data) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (key) DO UPDATE SET user_id = excluded.user_id, last_seen_at = excluded.last_seen_at, signed_in_at = excluded.signed_in_at, method = excluded.method, data = excluded.data`,
      [r.key, r.userId, r.createdAt, r.lastSeenAt, r.signedInAt, r.method, r.data],
    );
  }
  async update(key: string, lastSeenAt: number, data: string) {
    await this.pool.query('UPDATE console_sessions SET last_seen_at = GREATEST(last_seen_at, $1), data = $2 WHERE key = $3', [lastSeenAt, data, key]);
  }
  async touch(key: string, lastSeenAt: number) {
    await this.pool.query('UPDATE console_sessions SET last_seen_at = GREATEST(last_seen_at, $1) WHERE key = $2', [lastSeenAt, key]);
  }
  async delete(key: string) {
    await this.pool.query('DELETE FROM console_sessions WHERE key = $1', [key]);
  }
  async deleteAllOf(userId: string) {
    return (await this.pool.query('DELETE FROM console_sessions WHERE user_id = $1', [userId])).rowCount ?? 0;
  }
  async listOf(userId: string) {
    const { rows } = await this.pool.query<Row>('SELECT * FROM console_sessions WHERE user_id = $1 ORDER BY signed_in_at DESC', [userId]);
    return rows.map(fromRow);
  }
  async purge(idleBefore: number, signedInBefore: number) {
    return (await this.pool.query('DELETE FROM console_sessions WHERE last_seen_at < $1 OR signed_in_at < $2', [idleBefore, signedInBefore])).rowCount ?? 0;
  }
  async close() {
    await this.pool.end();
  }
}
