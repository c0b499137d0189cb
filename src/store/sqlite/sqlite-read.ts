/**
 * The SQLite reads: by stream, the whole log in keyset pages, by event id, and the index of
 * stream heads. better-sqlite3 is synchronous: every read is one complete statement, so nothing
 * holds a statement iterator open across an await.
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../../events/envelope';
import type { LogPage, StreamHead } from '../event-store.port';
import type { SqlReads } from '../sql/sql-event-store';
import type { SqliteEventIds } from './sqlite-event-ids';
import { EVENT_COLUMNS, EventRow, HEAD_COLUMNS, HeadRow, toRecordedEvent, toStreamHead } from '../sql/sql-rows';

/** The type of each column in the STRICT table (sqlite-schema.ts): integers, the rest text, none NULL. */
const STORED_TYPES = EVENT_COLUMNS.split(', ').map((c) => `typeof(${c}) = '${['position', 'revision', 'schema_version'].includes(c) ? 'integer' : 'text'}'`);

/**
 * A row's values as stored, one-to-one (LogPage.encoded), written by SQLite itself so that a page
 * of rows read again for the verification's memory comes back as one BLOB, no value crossing into
 * JavaScript: the row as a JSON array (SQLite's json_array: integers as digits, text quoted with
 * every byte kept, NUL escaped), arrays one after the other (each closes itself, so where a page
 * ends changes nothing). json_array would write two REALs alike and refuse a BLOB, so a row whose
 * columns are not of the STRICT table's types (only a file edited behind the store's back holds
 * one) gives random text instead: it never matches what was read before, and the verification
 * reads the whole log again.
 */
export const ROW_AS_STORED = `CASE WHEN ${STORED_TYPES.join(' AND ')} THEN json_array(${EVENT_COLUMNS}) ELSE hex(randomblob(16)) END`;

/** SQLite keeps `data` as JSON text. */
const toEvent = (row: EventRow<string>): RecordedEvent => toRecordedEvent(row, (data) => JSON.parse(data) as unknown);

export class SqliteReads implements SqlReads {
  private readonly stmt: {
    selectStream: Database.Statement<[string, number], EventRow<string>>;
    selectPage: Database.Statement<[number, number], EventRow<string>>;
    selectAt: Database.Statement<[number], EventRow<string>>;
    scanForId: Database.Statement<[string], EventRow<string>>;
    listFrom: Database.Statement<[string], HeadRow>;
    listRange: Database.Statement<[string, string], HeadRow>;
    selectStoredOnly: Database.Statement<[number, number, number], { count: number; last: number | null; encoded: Buffer | null }>;
  };

  private readonly findEvent: Database.Transaction<(eventId: string) => EventRow<string> | undefined>;
  private readonly pageAsStored: Database.Transaction<(after: number, limit: number) => LogPage | undefined>;

  constructor(
    db: Database.Database,
    private readonly ids: SqliteEventIds,
  ) {
    this.stmt = {
      selectStream: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision`),
      selectPage: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`),
      selectAt: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE position = ?`),
      scanForId: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE event_id = ? ORDER BY position LIMIT 1`),
      listFrom: db.prepare(`SELECT ${HEAD_COLUMNS} FROM streams WHERE stream >= ? ORDER BY stream`),
      listRange: db.prepare(`SELECT ${HEAD_COLUMNS} FROM streams WHERE stream >= ? AND stream < ? ORDER BY stream`),
      // A page's rows as stored, concatenated into one BLOB. In the subquery's order (by position):
      // should SQLite ever concatenate in another, the bytes would differ from those kept and the
      // verification would read the whole log, never accept other rows (each array holds its position).
      selectStoredOnly: db.prepare(
        `SELECT count(*) AS count, max(position) AS last, CAST(group_concat(encoded, '') AS BLOB) AS encoded
         FROM (SELECT position, ${ROW_AS_STORED} AS encoded FROM events WHERE position > ? AND position <= ? ORDER BY position LIMIT ?)`,
      ),
    };
    // One read transaction: a page's events, and the same rows as stored.
    this.pageAsStored = db.transaction((after: number, limit: number): LogPage | undefined => {
      const rows = this.stmt.selectPage.all(after, limit);
      if (rows.length === 0) return undefined;
      const last = rows[rows.length - 1].position;
      const stored = this.stmt.selectStoredOnly.get(after, last as number, limit)!;
      // Not the same rows (a position that is not an integer): bytes that match nothing kept.
      const encoded = stored.count === rows.length && stored.encoded ? stored.encoded : randomBytes(16);
      return { count: rows.length, lastPosition: Number(last), encoded, events: rows.map(toEvent) };
    });
    // One read transaction: the id index and the events as of one snapshot.
    this.findEvent = db.transaction((eventId: string) => {
      this.ids.catchUp();
      const position = this.ids.positionOf(eventId);
      if (position === undefined) return undefined;
      const row = this.stmt.selectAt.get(position);
      // A row moved behind the store's back (verify reports it): find the id the slow way.
      return row?.event_id === eventId ? row : this.stmt.scanForId.get(eventId);
    });
  }

  stream(stream: string, fromRevision: number): RecordedEvent[] {
    return this.stmt.selectStream.all(stream, fromRevision).map(toEvent);
  }

  page(after: number, limit: number): RecordedEvent[] {
    return this.stmt.selectPage.all(after, limit).map(toEvent);
  }

  logPage(after: number, limit: number, decodeAfter: number): LogPage | undefined {
    if (after < decodeAfter) {
      const stored = this.stmt.selectStoredOnly.get(after, decodeAfter, limit)!;
      if (stored.count > 0) return { count: stored.count, lastPosition: stored.last!, encoded: stored.encoded ?? Buffer.alloc(0) };
    }
    return this.pageAsStored.deferred(after, limit);
  }

  event(eventId: string): RecordedEvent | undefined {
    const row = this.findEvent.deferred(eventId);
    return row ? toEvent(row) : undefined;
  }

  /** TEXT in BINARY collation: code point order on UTF-8, the order of prefixUpperBound. */
  heads(lower: string, upper: string | undefined): StreamHead[] {
    const rows = upper === undefined ? this.stmt.listFrom.all(lower) : this.stmt.listRange.all(lower, upper);
    return rows.map(toStreamHead);
  }
}
