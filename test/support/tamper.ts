/**
 * Edits a stored event behind the store's back, whatever the store of an e2e harness is: the
 * SQLite file, or the PostgreSQL database, with raw SQL (for the integrity tests).
 */
import Database from 'better-sqlite3';
import { isPostgresUrl, withPostgres } from './postgres';

export interface TamperTarget {
  /** The SQLite file, when the store is one. */
  dbPath?: string;
  /** The store URL (postgres://... for PostgreSQL). */
  storeUrl: string;
}

/**
 * Rewrites the data (as JSON text) of the first event of `type` in `stream`; returns its eventId.
 */
export async function editEventData(target: TamperTarget, stream: string, type: string, edit: (json: string) => string): Promise<string> {
  if (target.dbPath) {
    const raw = new Database(target.dbPath);
    try {
      const row = raw.prepare('SELECT event_id, data FROM events WHERE stream = ? AND type = ? ORDER BY revision LIMIT 1').get(stream, type) as
        | { event_id: string; data: string }
        | undefined;
      if (!row) throw new Error(`no ${type} event in ${stream}`);
      raw.prepare('UPDATE events SET data = ? WHERE event_id = ?').run(edit(row.data), row.event_id);
      return row.event_id;
    } finally {
      raw.close();
    }
  }
  if (isPostgresUrl(target.storeUrl)) {
    return withPostgres(target.storeUrl, async (client) => {
      const { rows: [row] } = await client.query<{ event_id: string; data: string }>(
        'SELECT event_id, data::text AS data FROM events WHERE stream = $1 AND type = $2 ORDER BY revision LIMIT 1',
        [stream, type],
      );
      if (!row) throw new Error(`no ${type} event in ${stream}`);
      await client.query('UPDATE events SET data = $1::jsonb WHERE event_id = $2', [edit(row.data), row.event_id]);
      return row.event_id;
    });
  }
  throw new Error(`cannot tamper with the store ${target.storeUrl}: only SQLite files and PostgreSQL databases`);
}

/** Deletes a whole stream, its events and its head row, as someone covering their tracks would. */
export async function deleteStream(target: TamperTarget, stream: string): Promise<void> {
  if (target.dbPath) {
    const raw = new Database(target.dbPath);
    try {
      raw.pragma('foreign_keys = OFF');
      raw.transaction(() => {
        raw.prepare('DELETE FROM events WHERE stream = ?').run(stream);
        raw.prepare('DELETE FROM streams WHERE stream = ?').run(stream);
      })();
    } finally {
      raw.close();
    }
    return;
  }
  if (isPostgresUrl(target.storeUrl)) {
    await withPostgres(target.storeUrl, async (client) => {
      await client.query('BEGIN');
      await client.query('DELETE FROM events WHERE stream = $1', [stream]);
      await client.query('DELETE FROM streams WHERE stream = $1', [stream]);
      await client.query('COMMIT');
    });
    return;
  }
  throw new Error(`cannot tamper with the store ${target.storeUrl}: only SQLite files and PostgreSQL databases`);
}
