/**
 * The SQLite reads: by stream, the whole log in keyset pages, by event id, and the index of
 * stream heads. better-sqlite3 is synchronous: every read is one complete statement, so nothing
 * holds a statement iterator open across an await.
 */
import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../../events/envelope';
import type { StreamHead } from '../event-store.port';
import type { SqlReads } from '../sql/sql-event-store';
import type { SqliteEventIds } from './sqlite-event-ids';
import { EVENT_COLUMNS, EventRow, HEAD_COLUMNS, HeadRow, toRecordedEvent, toStreamHead } from '../sql/sql-rows';

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
  };

  private readonly findEvent: Database.Transaction<(eventId: string) => EventRow<string> | undefined>;

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
    };
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

  rowPage(after: number, limit: number): EventRow<string>[] {
    return this.stmt.selectPage.all(after, limit);
  }

  decode(row: EventRow<unknown>): RecordedEvent {
    return toEvent(row as EventRow<string>);
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
