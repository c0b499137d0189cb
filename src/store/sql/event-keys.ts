/**
 * Where an event id's uniqueness is kept in the SQL stores (schema version 3 of both).
 *
 * A time-ordered id (UUIDv7 in its canonical lower-case form, what newEventId() gives) is kept
 * unique by a partial unique index on `events.event_id`: consecutive appends insert at the right
 * edge of that index, a few pages per commit. Any other id (the UUIDv5 of an Idempotency-Key, an
 * id a caller chose) is random, and a random id lands on a random page of an index: one dirtied
 * page per event, written to the WAL at every commit (docs/performance.md, issue 15). Those ids
 * are kept unique by their own table `event_keys (event_id PRIMARY KEY, position)`, which holds
 * only them. An id is classified by its text alone, the same way by both stores' SQL and by this
 * module, so one id always lands in the same structure: uniqueness over the union is uniqueness
 * of each part.
 */

/** UUIDv7, canonical lower-case form. */
export const ORDERED_EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export const isOrderedEventId = (eventId: string): boolean => ORDERED_EVENT_ID.test(eventId);

const HEX = '[0-9a-f]';
const hex = (n: number) => HEX.repeat(n);

/**
 * The same test in SQLite (GLOB is case-sensitive and deterministic, so it may define a partial
 * index). A query that wants the index must carry this very term.
 */
export const SQLITE_ORDERED_PREDICATE = `event_id GLOB '${hex(8)}-${hex(4)}-7${hex(3)}-[89ab]${hex(3)}-${hex(12)}'`;

/** The same test in PostgreSQL (`~` is case-sensitive and immutable). A query that wants the index must carry this very term. */
export const POSTGRES_ORDERED_PREDICATE = `event_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'`;
