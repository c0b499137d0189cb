/**
 * The rows of the SQL adapters' tables (src/store/sqlite/, src/store/postgres/) and the one
 * mapping from them to the port's values. Both schemas have the same tables and columns; only
 * the column types differ: SQLite keeps `data` as JSON text and gives integers as numbers,
 * PostgreSQL keeps `data` as jsonb (parsed by pg) and gives bigint columns (positions, tree
 * sizes) as decimal strings.
 */
import type { RecordedEvent } from '../../../events/envelope';
import type { StoredTree } from '../append-support';
import type { StoredCheckpoint, StreamHead } from '../event-store.port';

export const EVENT_COLUMNS =
  'position, event_id, stream, revision, type, schema_version, data, recorded_at, recorded_by, correlation_id, prev_hash, hash';
export const HEAD_COLUMNS = 'stream, revision, hash, last_recorded_at';
export const TREE_COLUMNS = 'size, last_position, frontier';
export const CHECKPOINT_COLUMNS = 'tree_size, root_hash, note, issued_at';

/** A bigint column as either driver returns it. */
type Int = number | string;

/** A row of `events`; `Data` is what the driver returns for the data column. */
export interface EventRow<Data> {
  position: Int;
  event_id: string;
  stream: string;
  revision: number;
  type: string;
  schema_version: number;
  data: Data;
  recorded_at: string;
  recorded_by: string;
  correlation_id: string;
  prev_hash: string;
  hash: string;
}

/** A row of `streams`, the index of stream heads. */
export interface HeadRow {
  stream: string;
  revision: number;
  hash: string;
  last_recorded_at: string;
}

/** The one row of `ledger_tree`. */
export interface TreeRow {
  size: Int;
  last_position: Int;
  frontier: string;
}

/** A row of `checkpoints`. */
export interface CheckpointRow {
  tree_size: Int;
  root_hash: string;
  note: string;
  issued_at: string;
}

/** The one place a row becomes a RecordedEvent; `decodeData` turns the stored data column into the event's data. */
export function toRecordedEvent<Data>(row: EventRow<Data>, decodeData: (data: Data) => unknown): RecordedEvent {
  return {
    eventId: row.event_id,
    stream: row.stream,
    revision: row.revision,
    position: Number(row.position),
    type: row.type,
    schemaVersion: row.schema_version,
    data: decodeData(row.data),
    recordedAt: row.recorded_at,
    recordedBy: row.recorded_by,
    correlationId: row.correlation_id,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export function toStreamHead(row: HeadRow): StreamHead {
  return { stream: row.stream, revision: row.revision, hash: row.hash, lastRecordedAt: row.last_recorded_at };
}

export function toStoredTree(row: TreeRow): StoredTree {
  return { size: Number(row.size), lastPosition: Number(row.last_position), frontier: row.frontier };
}

export function toStoredCheckpoint(row: CheckpointRow): StoredCheckpoint {
  return { treeSize: Number(row.tree_size), rootHash: row.root_hash, note: row.note, issuedAt: row.issued_at };
}

/**
 * A row's values as one text (LogPage.encoded, src/store/event-store.port.ts), where the encoding
 * is done in JavaScript (PostgreSQL; SQLite writes the same kind of text in SQL, sqlite-read.ts):
 * each value tagged with its type, a string with its length, so that no two rows whose values
 * differ (a character moved from one column to the next, a number stored as text, -0 for 0,
 * Infinity for NULL) give the same text. It covers exactly what toRecordedEvent reads: the same
 * values give the same event.
 */
export function encodeEventRow(row: EventRow<unknown>): string {
  return (
    encodeValue(row.position) + encodeValue(row.event_id) + encodeValue(row.stream) + encodeValue(row.revision) + encodeValue(row.type) + encodeValue(row.schema_version) +
    encodeValue(row.data) + encodeValue(row.recorded_at) + encodeValue(row.recorded_by) + encodeValue(row.correlation_id) + encodeValue(row.prev_hash) + encodeValue(row.hash)
  );
}

function encodeValue(value: unknown): string {
  if (typeof value === 'string') return `s${value.length}:${value}`;
  if (typeof value === 'number') return `n${Object.is(value, -0) ? '-0' : String(value)};`;
  if (value === null) return 'z';
  if (value === undefined) return 'u';
  if (typeof value === 'bigint') return `i${value};`;
  if (Buffer.isBuffer(value)) return `x${value.length}:${value.toString('hex')}`;
  if (value instanceof Date) return `d${value.getTime()};`;
  // What pg gives for jsonb (parsed JSON: objects, arrays, booleans, numbers, strings, null).
  const json = JSON.stringify(value) ?? '';
  return `j${json.length}:${json}`;
}
