/**
 * Where console sessions are kept (docs/decisions.md W55): beside the events, one table per backend
 * (src/store/<backend>/<backend>-session-store.ts): a row per session, keyed by the SHA-256 of the
 * session id (the cookie's value is never stored, so a reader of the database cannot use a row
 * to be someone), so that a restart signs no one out and several servers on one database share
 * every session. The console's SessionStore (src/console/sessions.ts) decides expiry; this port
 * only keeps rows.
 */

/** The store the app module opens from the backend (`Backend.openSessionStore`). */
export const SESSION_RECORDS = Symbol('SESSION_RECORDS');

export interface SessionRecord {
  /** SHA-256 (hex) of the cookie's value. */
  key: string;
  /** The signed-in person's account (null: an anonymous session, for the sign-in form's token). */
  userId: string | null;
  /** Epoch milliseconds. */
  createdAt: number;
  lastSeenAt: number;
  signedInAt: number | null;
  /** How the person signed in: `password`, or `provider:<name>`; null when anonymous. */
  method: string | null;
  /** What the pages keep between requests (one-time notices, a checked CSV file, a pending provider sign-in): JSON. */
  data: string;
}

export interface SessionRecordStore {
  get(key: string): Promise<SessionRecord | undefined>;
  /** Inserts or replaces the row of `record.key`. */
  put(record: SessionRecord): Promise<void>;
  /** Replaces the page state and last-seen time of a row that still exists (an ended session stays ended). */
  update(key: string, lastSeenAt: number, data: string): Promise<void>;
  /** Only the last-seen time (the most frequent write). */
  touch(key: string, lastSeenAt: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Ends every session of a person; returns how many there were. */
  deleteAllOf(userId: string): Promise<number>;
  /** A person's sessions, newest sign-in first. */
  listOf(userId: string): Promise<SessionRecord[]>;
  /** Removes the rows unused since `idleBefore` or signed in before `signedInBefore`; returns how many. */
  purge(idleBefore: number, signedInBefore: number): Promise<number>;
  close(): Promise<void>;
}
