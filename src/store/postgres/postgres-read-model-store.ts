/**
 * Read models in the same PostgreSQL database as the events: documents and checkpoints in two
 * tables, written in one transaction (the checkpoint test and the writes are one step, guarded
 * by the conditional UPDATE of the checkpoint row).
 */
import type { Pool, QueryResultRow } from 'pg';
import { StoreUnavailableError } from '../event-store.port';
import { isConnectionFailure } from './postgres-errors';
import { guardedPool } from './postgres-pool';
import type { ProjectionState, ReadModelStore } from '../../read-models/read-model-store.port';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS projection_state (
    projection TEXT PRIMARY KEY,
    checkpoint BIGINT NOT NULL,
    rebuilding BOOLEAN NOT NULL DEFAULT false
  );
  CREATE TABLE IF NOT EXISTS projection_documents (
    projection TEXT NOT NULL,
    key        TEXT COLLATE "C" NOT NULL,
    doc        TEXT NOT NULL,
    PRIMARY KEY (projection, key)
  );
`;

/** Documents per upsert statement (two parameters each; PostgreSQL allows 65,535). */
const UPSERT_ROWS = 500;

/** A connection that broke or could not be made, as the store's StoreUnavailableError (answered 503: docs/decisions.md W40); any other error as it is. */
function explained(error: unknown): never {
  if (isConnectionFailure(error) && !(error instanceof StoreUnavailableError)) {
    throw new StoreUnavailableError(`the read models in PostgreSQL could not be read or written: ${(error as Error).message}`, { cause: error });
  }
  throw error;
}

export class PostgresReadModelStore implements ReadModelStore {
  private constructor(private readonly pool: Pool) {}

  static async open(url: string): Promise<PostgresReadModelStore> {
    // A connection that breaks (server restart, database dropped, pg_terminate_backend), idle or
    // checked out, is dropped, never a crash (postgres-pool.ts); the next query reports the failure.
    const pool = guardedPool({ connectionString: url, max: 4 });
    const client = await pool.connect();
    try {
      await client.query('SET synchronous_commit = on');
      await client.query('SELECT pg_advisory_lock(726348201)'); // concurrent starts create the tables once
      try {
        await client.query(SCHEMA);
      } finally {
        await client.query('SELECT pg_advisory_unlock(726348201)');
      }
    } catch (error) {
      client.release();
      await pool.end();
      throw error;
    }
    client.release();
    return new PostgresReadModelStore(pool);
  }

  async state(projection: string): Promise<ProjectionState> {
    const { rows } = await this.query<{ checkpoint: string; rebuilding: boolean }>(
      'SELECT checkpoint, rebuilding FROM projection_state WHERE projection = $1',
      [projection],
    );
    return { checkpoint: rows[0] ? Number(rows[0].checkpoint) : 0, rebuilding: rows[0]?.rebuilding ?? false };
  }

  async get<T>(projection: string, key: string): Promise<T | undefined> {
    const { rows } = await this.query<{ doc: string }>('SELECT doc FROM projection_documents WHERE projection = $1 AND key = $2', [projection, key]);
    return rows[0] ? (JSON.parse(rows[0].doc) as T) : undefined;
  }

  async getByPrefix<T>(projection: string, prefix: string): Promise<T[]> {
    const { rows } = await this.query<{ doc: string }>(
      'SELECT doc FROM projection_documents WHERE projection = $1 AND key >= $2 AND key < $3 ORDER BY key',
      [projection, prefix, `${prefix}\uffff`],
    );
    return rows.map((row) => JSON.parse(row.doc) as T);
  }

  async getPageByPrefix<T>(projection: string, prefix: string, after: string, limit: number): Promise<{ key: string; doc: T }[]> {
    return (await this.getTextPageByPrefix(projection, prefix, after, limit)).map((row) => ({ key: row.key, doc: JSON.parse(row.text) as T }));
  }

  async getTextPageByPrefix(projection: string, prefix: string, after: string, limit: number): Promise<{ key: string; text: string }[]> {
    const { rows } = await this.query<{ key: string; doc: string }>(
      'SELECT key, doc FROM projection_documents WHERE projection = $1 AND key >= $2 AND key > $3 AND key < $4 ORDER BY key LIMIT $5',
      [projection, prefix, after, `${prefix}\uffff`, limit],
    );
    return rows.map((row) => ({ key: row.key, text: row.doc }));
  }

  async readAtCheckpoint<T>(projection: string, keys: readonly string[]): Promise<ProjectionState & { docs: Map<string, T> }> {
    // One statement, one snapshot: the state and the documents as one commit left them.
    const { rows } = await this.query<{ checkpoint: string | null; rebuilding: boolean | null; key: string | null; doc: string | null }>(
      `SELECT s.checkpoint, s.rebuilding, d.key, d.doc
       FROM (SELECT 1) AS one
       LEFT JOIN projection_state s ON s.projection = $1
       LEFT JOIN projection_documents d ON d.projection = $1 AND d.key = ANY($2::text[])`,
      [projection, [...keys]],
    );
    const docs = new Map<string, T>();
    for (const row of rows) if (row.key !== null && row.doc !== null) docs.set(row.key, JSON.parse(row.doc) as T);
    return { checkpoint: rows[0]?.checkpoint ? Number(rows[0].checkpoint) : 0, rebuilding: rows[0]?.rebuilding ?? false, docs };
  }

  async commit(projection: string, from: number, to: number, changes: ReadonlyMap<string, unknown>): Promise<boolean> {
    const client = await this.pool.connect().catch(explained);
    try {
      await client.query('BEGIN');
      await client.query('INSERT INTO projection_state (projection, checkpoint) VALUES ($1, 0) ON CONFLICT DO NOTHING', [projection]);
      const moved = await client.query('UPDATE projection_state SET checkpoint = $3 WHERE projection = $1 AND checkpoint = $2', [projection, from, to]);
      if (moved.rowCount !== 1) {
        await client.query('ROLLBACK');
        return false;
      }
      // Multi-row VALUES, each document its own parameter: an unnest of text arrays made pg
      // escape every document into one array literal (every quote of the JSON escaped again),
      // a multi-megabyte string per commit that dominated a PostgreSQL rebuild with its garbage.
      const entries = [...changes];
      for (let i = 0; i < entries.length; i += UPSERT_ROWS) {
        const rows = entries.slice(i, i + UPSERT_ROWS);
        const values: string[] = [projection];
        const tuples = rows.map(([key, doc]) => {
          values.push(key, JSON.stringify(doc));
          return `($1, $${values.length - 1}, $${values.length})`;
        });
        await client.query(
          `INSERT INTO projection_documents (projection, key, doc) VALUES ${tuples.join(', ')}
           ON CONFLICT (projection, key) DO UPDATE SET doc = excluded.doc`,
          values,
        );
      }
      await client.query('COMMIT');
      return true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      explained(error);
    } finally {
      client.release();
    }
  }

  async reset(projection: string): Promise<void> {
    const client = await this.pool.connect().catch(explained);
    try {
      await client.query('BEGIN');
      await client.query('DELETE FROM projection_documents WHERE projection = $1', [projection]);
      await client.query(
        `INSERT INTO projection_state (projection, checkpoint, rebuilding) VALUES ($1, 0, true)
         ON CONFLICT (projection) DO UPDATE SET checkpoint = 0, rebuilding = true`,
        [projection],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      explained(error);
    } finally {
      client.release();
    }
  }

  async markRebuilt(projection: string): Promise<void> {
    await this.query('UPDATE projection_state SET rebuilding = false WHERE projection = $1', [projection]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private query<R extends object>(text: string, values: unknown[]): Promise<{ rows: R[]; rowCount: number | null }> {
    return this.pool.query<R & QueryResultRow>(text, values).catch(explained);
  }
}
