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

// ------------------------------------------------------------------------------------------
// Tampering as someone with write access to the database and the public formulas would
// (the scenarios of docs/decisions.md W14): every helper writes with raw SQL, never through the
// store.

import type { RecordedEvent } from '../../events/envelope';
import { hashEvent } from '../../events/integrity';
import { eventLeafHash, MerkleFrontier } from '../../events/merkle';

/** Runs raw writes on the SQLite file or the PostgreSQL database of a harness. */
async function raw(target: TamperTarget, sqlite: (db: Database.Database) => void, pg: (client: import('pg').Client) => Promise<void>): Promise<void> {
  if (target.dbPath) {
    const db = new Database(target.dbPath);
    try {
      db.pragma('foreign_keys = OFF');
      db.transaction(() => sqlite(db))();
    } finally {
      db.close();
    }
    return;
  }
  if (isPostgresUrl(target.storeUrl)) {
    await withPostgres(target.storeUrl, async (client) => {
      await client.query('BEGIN');
      await pg(client);
      await client.query('COMMIT');
    });
    return;
  }
  throw new Error(`cannot tamper with the store ${target.storeUrl}: only SQLite files and PostgreSQL databases`);
}

/** Scenario 1: deletes the newest event of `stream` and rolls its head row back to the event before (no hashing needed). */
export async function deleteNewestEvent(target: TamperTarget, events: RecordedEvent[]): Promise<RecordedEvent> {
  const newest = events[events.length - 1];
  const before = events[events.length - 2];
  if (!before) throw new Error('the stream needs two events');
  await raw(
    target,
    (db) => {
      db.prepare('DELETE FROM events WHERE event_id = ?').run(newest.eventId);
      db.prepare('UPDATE streams SET revision = ?, hash = ?, last_recorded_at = ? WHERE stream = ?').run(before.revision, before.hash, before.recordedAt, newest.stream);
    },
    async (c) => {
      await c.query('DELETE FROM events WHERE event_id = $1', [newest.eventId]);
      await c.query('UPDATE streams SET revision = $1, hash = $2, last_recorded_at = $3 WHERE stream = $4', [before.revision, before.hash, before.recordedAt, newest.stream]);
    },
  );
  return newest;
}

/**
 * Scenario 4: changes one event's data and recomputes its hash, the chain after it and the
 * stream's head row, as anyone can with the public formula. Returns the event's id.
 */
export async function rewriteEvent(target: TamperTarget, events: RecordedEvent[], index: number, data: unknown): Promise<string> {
  const rewritten: RecordedEvent[] = [];
  let prevHash = index === 0 ? '0'.repeat(64) : events[index - 1].hash;
  for (const event of events.slice(index)) {
    const fields = { ...event, data: rewritten.length === 0 ? data : event.data, prevHash };
    const hash = hashEvent(fields);
    rewritten.push({ ...fields, hash });
    prevHash = hash;
  }
  const last = rewritten[rewritten.length - 1];
  await raw(
    target,
    (db) => {
      for (const e of rewritten) db.prepare('UPDATE events SET data = ?, prev_hash = ?, hash = ? WHERE event_id = ?').run(JSON.stringify(e.data), e.prevHash, e.hash, e.eventId);
      db.prepare('UPDATE streams SET hash = ? WHERE stream = ?').run(last.hash, last.stream);
    },
    async (c) => {
      for (const e of rewritten) await c.query('UPDATE events SET data = $1::jsonb, prev_hash = $2, hash = $3 WHERE event_id = $4', [JSON.stringify(e.data), e.prevHash, e.hash, e.eventId]);
      await c.query('UPDATE streams SET hash = $1 WHERE stream = $2', [last.hash, last.stream]);
    },
  );
  return events[index].eventId;
}

/** Recomputes the store's recorded Merkle tree from the events as they now are (the attacker's last step). */
export async function recomputeTree(target: TamperTarget, all: RecordedEvent[]): Promise<void> {
  const frontier = MerkleFrontier.empty();
  for (const e of [...all].sort((a, b) => a.position - b.position)) frontier.push(eventLeafHash(e.hash));
  const nodes = JSON.stringify(frontier.toJSON().nodes);
  const last = all.length ? Math.max(...all.map((e) => e.position)) : 0;
  await raw(
    target,
    (db) => {
      db.prepare('UPDATE ledger_tree SET size = ?, last_position = ?, frontier = ? WHERE id = 1').run(frontier.size, last, nodes);
      db.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'events'").run(last);
    },
    async (c) => {
      await c.query('UPDATE ledger_tree SET size = $1, last_position = $2, frontier = $3 WHERE id = 1', [frontier.size, last, nodes]);
    },
  );
}

/** Scenario 6: swaps the global positions of two events. */
export async function swapPositions(target: TamperTarget, a: RecordedEvent, b: RecordedEvent): Promise<void> {
  await raw(
    target,
    (db) => {
      const update = db.prepare('UPDATE events SET position = ? WHERE event_id = ?');
      update.run(-1, a.eventId);
      update.run(a.position, b.eventId);
      update.run(b.position, a.eventId);
    },
    async (c) => {
      await c.query('ALTER TABLE events ALTER COLUMN position DROP IDENTITY IF EXISTS');
      await c.query('UPDATE events SET position = -1 WHERE event_id = $1', [a.eventId]);
      await c.query('UPDATE events SET position = $1 WHERE event_id = $2', [a.position, b.eventId]);
      await c.query('UPDATE events SET position = $1 WHERE event_id = $2', [b.position, a.eventId]);
    },
  );
}

/** Scenario 5: rewrites a read-model document. */
export async function editReadModel(target: TamperTarget, projection: string, key: string, edit: (doc: any) => unknown): Promise<void> {
  await raw(
    target,
    (db) => {
      const row = db.prepare('SELECT doc FROM projection_documents WHERE projection = ? AND key = ?').get(projection, key) as { doc: string } | undefined;
      if (!row) throw new Error(`no document ${projection}/${key}`);
      db.prepare('UPDATE projection_documents SET doc = ? WHERE projection = ? AND key = ?').run(JSON.stringify(edit(JSON.parse(row.doc))), projection, key);
    },
    async (c) => {
      const { rows } = await c.query<{ doc: string }>('SELECT doc::text AS doc FROM projection_documents WHERE projection = $1 AND key = $2', [projection, key]);
      if (!rows[0]) throw new Error(`no document ${projection}/${key}`);
      await c.query('UPDATE projection_documents SET doc = $1 WHERE projection = $2 AND key = $3', [JSON.stringify(edit(JSON.parse(rows[0].doc))), projection, key]);
    },
  );
}

/** Deletes the checkpoints the store keeps (the log file beside the key is out of the attacker's reach). */
export async function deleteStoredCheckpoints(target: TamperTarget): Promise<void> {
  await raw(
    target,
    (db) => void db.prepare('DELETE FROM checkpoints').run(),
    async (c) => void (await c.query('DELETE FROM checkpoints')),
  );
}

/** Deletes the store's record of its Merkle tree (the ledger_tree row). */
export async function deleteTreeRecord(target: TamperTarget): Promise<void> {
  await raw(
    target,
    (db) => void db.prepare('DELETE FROM ledger_tree').run(),
    async (c) => void (await c.query('DELETE FROM ledger_tree')),
  );
}

/** Overwrites the bytes of a stored file (a certificate PDF) behind the store's back, keeping its key. */
export async function editStoredFile(target: TamperTarget, sha256: string, edit: (bytes: Buffer) => Buffer): Promise<void> {
  if (target.dbPath) {
    const raw = new Database(target.dbPath);
    try {
      const row = raw.prepare('SELECT bytes FROM files WHERE sha256 = ?').get(sha256) as { bytes: Buffer } | undefined;
      if (!row) throw new Error(`no stored file ${sha256}`);
      raw.prepare('UPDATE files SET bytes = ? WHERE sha256 = ?').run(edit(row.bytes), sha256);
    } finally {
      raw.close();
    }
    return;
  }
  if (isPostgresUrl(target.storeUrl)) {
    await withPostgres(target.storeUrl, async (client) => {
      const { rows: [row] } = await client.query<{ bytes: Buffer }>('SELECT bytes FROM files WHERE sha256 = $1', [sha256]);
      if (!row) throw new Error(`no stored file ${sha256}`);
      await client.query('UPDATE files SET bytes = $1 WHERE sha256 = $2', [edit(row.bytes), sha256]);
    });
    return;
  }
  throw new Error(`cannot tamper with the store ${target.storeUrl}: only SQLite files and PostgreSQL databases`);
}

// ------------------------------------------------------------------------------------------
// The store's index of event ids (docs/decisions.md W32, W37).

/** SQLite: sets event_ids_merged.through (e.g. raised past ids that are only in the tail). */
export async function setIdIndexThrough(target: TamperTarget, through: number): Promise<void> {
  await raw(
    target,
    (db) => void db.prepare('UPDATE event_ids_merged SET through = ? WHERE id = 1').run(through),
    async () => {
      throw new Error('PostgreSQL has no event_ids_merged');
    },
  );
}

/** SQLite: deletes one id from event_ids. */
export async function deleteIdIndexRow(target: TamperTarget, eventId: string): Promise<void> {
  await raw(
    target,
    (db) => {
      if (db.prepare('DELETE FROM event_ids WHERE event_id = ?').run(eventId).changes !== 1) throw new Error(`no event_ids row for ${eventId}`);
    },
    async () => {
      throw new Error('PostgreSQL has no event_ids table');
    },
  );
}

/** SQLite: inserts an id no event has into event_ids. */
export async function insertIdIndexRow(target: TamperTarget, eventId: string, position: number): Promise<void> {
  await raw(
    target,
    (db) => void db.prepare('INSERT INTO event_ids (event_id, position) VALUES (?, ?)').run(eventId, position),
    async () => {
      throw new Error('PostgreSQL has no event_ids table');
    },
  );
}

/** PostgreSQL: drops the unique constraint on events.event_id. */
export async function dropEventIdUniqueIndex(target: TamperTarget): Promise<void> {
  await raw(
    target,
    () => {
      throw new Error('SQLite keeps its ids in event_ids');
    },
    async (c) => {
      const { rows } = await c.query<{ conname: string }>(
        `SELECT conname FROM pg_constraint WHERE conrelid = 'events'::regclass AND contype = 'u' AND conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = 'events'::regclass AND attname = 'event_id')]`,
      );
      if (!rows[0]) throw new Error('no unique constraint on events.event_id');
      await c.query(`ALTER TABLE events DROP CONSTRAINT ${rows[0].conname}`);
    },
  );
}

// ------------------------------------------------------------------------------------------
// The access log (who read what), in the same SQLite file or PostgreSQL database.

/** Runs raw SQL on the access log's tables (the same statement on both stores, `$1` style turned into `?` for SQLite). */
export async function tamperAccessLog(target: TamperTarget, sql: string, params: unknown[] = []): Promise<void> {
  await raw(
    target,
    (db) => void db.prepare(sql.replace(/\$\d+/g, '?')).run(...params),
    async (c) => void (await c.query(sql, params)),
  );
}
