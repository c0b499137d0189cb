/**
 * The PostgreSQL reads: by stream, the whole log in keyset pages, by event id, and the index of
 * stream heads.
 *
 * readAll and late commits. Positions come from an identity column, so they are taken at INSERT
 * time, not at COMMIT time: a transaction can hold position 10 while position 11 commits first.
 * A reader that remembers "I have seen up to 11" would then never see 10. Two rules prevent it:
 * - the position section (postgres-append.ts): the transaction id (events.tx_id, default
 *   pg_current_xact_id()) and the positions of an append are taken together, under a session
 *   advisory lock held only for that one INSERT. Hence for any two events, position order and
 *   transaction id order agree;
 * - readAll returns only events whose transaction id is below the oldest transaction that was
 *   still running when the page's snapshot was taken (pg_snapshot_xmin of pg_current_snapshot(),
 *   refined below). Every transaction below that bound has ended, so its events are visible now
 *   or never; and every event a still-running transaction will commit has a higher transaction
 *   id, hence (section) a higher position than anything returned. A reader following positions
 *   with a checkpoint therefore never skips an event: an event that commits late is held back
 *   together with everything after it until it is visible.
 *   Refinement: transaction ids are cluster-wide, so a long write transaction in another database
 *   of the same server would hold every reader back. Running transactions of sessions connected
 *   to another database (pg_stat_activity.datid) cannot be appending here and are left out of the
 *   bound; anything not known to be elsewhere (ended meanwhile, prepared, hidden) is kept in.
 *   Readers still wait for appends (and other write transactions) of this database in flight.
 * readStream needs no such rule: appends to one stream are serialised until COMMIT.
 *
 * Text PostgreSQL cannot store (postgres-errors.ts) is in no stream, event id or stream name:
 * asking for it finds nothing.
 */
import type { RecordedEvent } from '../../../events/envelope';
import type { LogPage, StreamHead } from '../event-store.port';
import type { SqlReads } from '../sql/sql-event-store';
import { encodeEventRow, EVENT_COLUMNS, EventRow, HEAD_COLUMNS, HeadRow, toRecordedEvent, toStreamHead } from '../sql/sql-rows';
import { Query, UNSTORABLE } from './postgres-errors';

/**
 * One readAll page. The horizon is the highest transaction id (exclusive) whose events may be
 * returned: the oldest transaction running in the statement's snapshot, leaving out those of
 * sessions connected to other databases (see the header).
 */
const SELECT_PAGE = `
  WITH snap AS MATERIALIZED (SELECT pg_current_snapshot() AS s),
  elsewhere AS MATERIALIZED (
    SELECT backend_xid AS xid FROM pg_stat_activity
    WHERE backend_xid IS NOT NULL
      AND datid IS DISTINCT FROM (SELECT oid FROM pg_database WHERE datname = current_database())
  ),
  horizon AS MATERIALIZED (
    SELECT coalesce(
      (SELECT min(x) FROM snap, pg_snapshot_xip(snap.s) AS x WHERE x::xid NOT IN (SELECT xid FROM elsewhere)),
      (SELECT pg_snapshot_xmax(s) FROM snap)
    ) AS horizon
  )
  SELECT ${EVENT_COLUMNS} FROM events
  WHERE position > $1 AND tx_id < (SELECT horizon FROM horizon)
  ORDER BY position
  LIMIT $2`;

/** pg parses jsonb: the data column arrives as the event's data. */
const toEvent = (row: EventRow<unknown>): RecordedEvent => toRecordedEvent(row, (data) => data);

export class PostgresReads implements SqlReads {
  constructor(private readonly query: Query) {}

  async stream(stream: string, fromRevision: number): Promise<RecordedEvent[]> {
    if (typeof stream !== 'string' || UNSTORABLE.test(stream) || fromRevision > 2 ** 31 - 1) return [];
    const { rows } = await this.query<EventRow<unknown>>(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream = $1 AND revision >= $2 ORDER BY revision`, [stream, fromRevision]);
    return rows.map(toEvent);
  }

  /** One statement, one snapshot: the horizon holds back events of late commits. */
  async page(after: number, limit: number): Promise<RecordedEvent[]> {
    return (await this.query<EventRow<unknown>>(SELECT_PAGE, [after, limit])).rows.map(toEvent);
  }

  /** The rows of `page`, encoded here as pg gives their values (encodeEventRow). */
  async logPage(after: number, limit: number, decodeAfter: number): Promise<LogPage | undefined> {
    const rows = (await this.query<EventRow<unknown>>(SELECT_PAGE, [after, limit])).rows;
    if (rows.length === 0) return undefined;
    const stored = !(Number(rows[0].position) > decodeAfter);
    // `!(>)`: a position that is not a number is decoded (and named by the verification).
    const end = stored ? rows.findIndex((row) => !(Number(row.position) <= decodeAfter)) : rows.length;
    const page = end === -1 ? rows : rows.slice(0, end);
    return {
      count: page.length,
      lastPosition: Number(page[page.length - 1].position),
      encoded: page.map(encodeEventRow).join(''),
      ...(stored ? {} : { events: page.map(toEvent) }),
    };
  }

  async event(eventId: string): Promise<RecordedEvent | undefined> {
    if (typeof eventId !== 'string' || UNSTORABLE.test(eventId)) return undefined;
    const { rows: [row] } = await this.query<EventRow<unknown>>(`SELECT ${EVENT_COLUMNS} FROM events WHERE event_id = $1`, [eventId]);
    return row ? toEvent(row) : undefined;
  }

  /** The primary key is text in "C" collation: code point order, the order of prefixUpperBound. */
  async heads(lower: string, upper: string | undefined): Promise<StreamHead[]> {
    if (UNSTORABLE.test(lower)) return [];
    const { rows } =
      upper === undefined
        ? await this.query<HeadRow>(`SELECT ${HEAD_COLUMNS} FROM streams WHERE stream >= $1 ORDER BY stream`, [lower])
        : await this.query<HeadRow>(`SELECT ${HEAD_COLUMNS} FROM streams WHERE stream >= $1 AND stream < $2 ORDER BY stream`, [lower, upper]);
    return rows.map(toStreamHead);
  }
}
