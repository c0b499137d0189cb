/**
 * The SQLite store's index of event ids: every event id is unique in the whole store (what makes
 * an Idempotency-Key retry and a re-imported CSV safe), without a random id costing a page write
 * per event (docs/decisions.md W32).
 *
 * A B-tree keyed by a random id (an Idempotency-Key's UUIDv5, a caller's v4) takes each new id on
 * a page of its own; WAL mode writes every page a transaction dirtied at its COMMIT, so a
 * `UNIQUE(event_id)` on `events` wrote about 4 KB per event. Instead:
 * - the ids of the events up to position `event_ids_merged.through` are in `event_ids`
 *   (WITHOUT ROWID, the id its PRIMARY KEY: their uniqueness is the database's own constraint);
 * - the ids of the later events, the tail (fewer than `mergeAt`), are only in `events`, and in
 *   this connection's memory, read back by position (catchUp: a range on the rowid, usually
 *   empty) in the same transaction or snapshot as the statement that needs them;
 * - the append whose events bring the tail to `mergeAt` moves the whole tail into `event_ids`
 *   with one INSERT in id order, inside that append's transaction: each page of the index is
 *   written once a merge, not once an event.
 * An append checks its ids against both halves under SQLite's write lock (BEGIN IMMEDIATE), so
 * no other connection or process can insert between the check and the insert. What this
 * connection learns in a transaction is kept only once that transaction has committed.
 */
import type Database from 'better-sqlite3';
import type { EventIdProblem } from '../event-store.port';
import { isUniqueViolation } from './sqlite-errors';

/** Tail length at which an append merges it into event_ids (a 16,384-id merge writes the index's pages once per 16,384 events). */
export const DEFAULT_EVENT_ID_MERGE_AT = 16_384;

/** What an append learned, applied to the connection's memory once it has committed. */
export interface EventIdChanges {
  added: [eventId: string, position: number][];
  /** Set when the append merged the tail: the new `through`. */
  mergedThrough?: number;
}

export class SqliteEventIds {
  private readonly stmt: {
    through: Database.Statement<[], number>;
    tailAfter: Database.Statement<[number], { position: number; event_id: string }>;
    probe: Database.Statement<[string], number>;
    merge: Database.Statement<[number]>;
    setThrough: Database.Statement<[number]>;
  };

  /** `through` as last read (-1: not read yet, or forgotten after an unexpected error). */
  private through = -1;
  /** The highest position whose id is in `tail`. */
  private tailThrough = 0;
  private readonly tail = new Map<string, number>();
  /** Events in the tail (rows, not distinct ids: an id stored twice by an edit counts twice). */
  private tailRows = 0;

  constructor(
    db: Database.Database,
    readonly mergeAt: number = DEFAULT_EVENT_ID_MERGE_AT,
  ) {
    if (!Number.isSafeInteger(mergeAt) || mergeAt < 1) throw new TypeError('eventIdMergeAt must be an integer >= 1');
    this.stmt = {
      through: db.prepare('SELECT through FROM event_ids_merged WHERE id = 1').pluck() as Database.Statement<[], number>,
      tailAfter: db.prepare('SELECT position, event_id FROM events WHERE position > ? ORDER BY position'),
      probe: db.prepare('SELECT position FROM event_ids WHERE event_id = ?').pluck() as Database.Statement<[string], number>,
      merge: db.prepare('INSERT INTO event_ids (event_id, position) SELECT event_id, position FROM events WHERE position > ? ORDER BY event_id'),
      setThrough: db.prepare('UPDATE event_ids_merged SET through = ? WHERE id = 1'),
    };
  }

  /**
   * Brings the tail in memory up to the database as the current transaction (or statement) sees
   * it. Call inside the transaction that then uses positionOf.
   */
  catchUp(): void {
    const through = this.stmt.through.get();
    if (through === undefined) throw new Error('the event_ids_merged row is missing: the database file was edited outside the store (run verify)');
    if (through !== this.through) {
      // First use, or another connection merged: the tail starts again after its `through`.
      this.reset(through);
    }
    for (const row of this.stmt.tailAfter.iterate(this.tailThrough)) {
      this.tail.set(row.event_id, row.position);
      this.tailThrough = row.position;
      this.tailRows++;
    }
  }

  /** The position of the stored event with this id, or undefined (after catchUp). */
  positionOf(eventId: string): number | undefined {
    return this.tail.get(eventId) ?? this.stmt.probe.get(eventId);
  }

  /**
   * Inside the append's transaction, after its inserts: merges the tail into event_ids when the
   * append brings it to mergeAt. A PRIMARY KEY violation here means an id stored twice in
   * `events`, which only an edit of the file behind the store's back can do.
   */
  mergeIfDue(added: EventIdChanges['added']): EventIdChanges {
    if (added.length === 0 || this.tailRows + added.length < this.mergeAt) return { added };
    const last = added[added.length - 1][1];
    try {
      this.stmt.merge.run(this.through);
    } catch (err) {
      if (isUniqueViolation(err)) throw new Error('an event id is stored twice in the events table: the database file was edited outside the store (run verify)');
      throw err;
    }
    this.stmt.setThrough.run(last);
    return { added, mergedThrough: last };
  }

  /** After the append's COMMIT: what it added (or merged) becomes this connection's view. */
  committed(changes: EventIdChanges): void {
    if (changes.mergedThrough !== undefined) return this.reset(changes.mergedThrough);
    for (const [eventId, position] of changes.added) this.tail.set(eventId, position);
    if (changes.added.length > 0) this.tailThrough = changes.added[changes.added.length - 1][1];
    this.tailRows += changes.added.length;
  }

  /** An empty tail after `through`. */
  private reset(through: number): void {
    this.tail.clear();
    this.tailRows = 0;
    this.through = through;
    this.tailThrough = through;
  }

  /** After an unexpected error: read everything again at the next catchUp. */
  forget(): void {
    this.reset(-1);
  }
}

/**
 * Verification (docs/decisions.md W37): the index against the events, as an edit of the file
 * could leave it. Every event id once in `events`; `through` the last position the index holds;
 * every event up to `through` in `event_ids` at its position, and nothing else there. One pass
 * over each table (the probes are by primary key), in one read transaction.
 */
export function checkEventIdIndex(db: Database.Database): EventIdProblem | undefined {
  return db.transaction((): EventIdProblem | undefined => {
    const twice = db.prepare('SELECT event_id, min(position) AS first, max(position) AS second FROM events GROUP BY event_id HAVING count(*) > 1 ORDER BY first LIMIT 1').get() as
      | { event_id: string; first: number; second: number }
      | undefined;
    if (twice) {
      return { eventId: twice.event_id, position: twice.second, reason: `the event id ${twice.event_id} is stored twice (positions ${twice.first} and ${twice.second}): an event id is unique in the store, so its index of event ids was altered and a write was recorded again` };
    }
    const through = db.prepare('SELECT through FROM event_ids_merged WHERE id = 1').pluck().get() as number | undefined;
    if (through === undefined) return { eventId: null, reason: "the store's index of event ids lost its event_ids_merged row: the database file was edited outside the store" };
    const missing = db
      .prepare('SELECT e.event_id, e.position FROM events e WHERE e.position <= ? AND NOT EXISTS (SELECT 1 FROM event_ids i WHERE i.event_id = e.event_id AND i.position = e.position) ORDER BY e.position LIMIT 1')
      .get(through) as { event_id: string; position: number } | undefined;
    if (missing) {
      return { eventId: missing.event_id, position: missing.position, reason: `the event id ${missing.event_id} (position ${missing.position}) is missing from the store's index of event ids: a row was deleted or altered, so a retried write could be recorded twice` };
    }
    const stray = db
      .prepare('SELECT i.event_id, i.position FROM event_ids i WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.position = i.position AND e.event_id = i.event_id) LIMIT 1')
      .get() as { event_id: string; position: number } | undefined;
    if (stray) {
      return { eventId: null, reason: `the store's index of event ids holds the id ${stray.event_id} at position ${stray.position}, where no event has it: a row was inserted or altered outside the store, and a write with that id would be refused` };
    }
    const indexed = db.prepare('SELECT coalesce(max(position), 0) FROM event_ids').pluck().get() as number;
    if (through !== indexed) {
      return { eventId: null, reason: `the store's index of event ids says it holds the ids up to position ${through}, but its last id is at position ${indexed}: event_ids_merged was altered, so a retried write could be recorded twice` };
    }
    return undefined;
  }).deferred();
}
