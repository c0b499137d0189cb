/**
 * Where the access log is kept (decisions W28): a table `access_log` beside the events, in the
 * same SQLite file (its own connection, WAL, synchronous FULL) or PostgreSQL database (its own
 * small pool); for EventStoreDB, a SQLite file beside the ledger's default key file; in memory
 * for `memory:` (lost on exit, as that store is). Entries are appended in batches, one
 * transaction (so one fsync) each, and read newest first.
 *
 * Each batch is chained (events/access-log.ts): a row of `access_log_batches` holds its entries'
 * id range and count, the previous batch's hash and its own, written in the batch's transaction
 * (appends serialised: SQLite's write lock, PostgreSQL's lock on that table). `verify` walks the
 * chain against the entries; the ledger seals its head under each checkpoint (docs/decisions.md W37).
 *
 * This file is the port; each backend's store is in its folder (src/store/<backend>/, chosen by
 * `backendFor`, src/store/backends.ts), the chain they share in access-log-chain.ts.
 */
import type { AccessLogHead } from '../../events/access-log';

/** The access log's store, for what verifies it (src/ledger) as well as for the AccessLog. */
export const ACCESS_LOG_STORE = Symbol('ACCESS_LOG_STORE');

export interface AccessEntry {
  /** When the read was answered (ISO instant). */
  at: string;
  agencyId: string;
  /** The officer whose data was read; null for a report or listing (then officerCount says how many). */
  officerId: string | null;
  officerCount: number | null;
  /** What was read: officer-status, officer-history, officer-changes, agency-status, officer-list, reminders. */
  kind: string;
  /** The route pattern (`GET /api/agencies/:agencyId/officers/:officerId/status`, a console page, or `cli status`). */
  route: string;
  /** json, csv or html. */
  format: string;
  principal: { kind: 'token' | 'person' | 'cli'; id: string; name: string; role: string };
  requestId: string | null;
  /** The time axes the read was for, when it had them. */
  asOf: string | null;
  knownAt: string | null;
}

export interface AccessLogFilter {
  agencyId: string;
  officerId?: string;
  /** Only what this person (principal id: an account's userId) did: their reads and sign-ins. */
  principalId?: string;
  /** Inclusive ISO instants. */
  from?: string;
  to?: string;
  limit: number;
}

export interface AccessLogStore {
  append(entries: readonly AccessEntry[]): Promise<void>;
  /** Newest first. */
  find(filter: AccessLogFilter): Promise<AccessEntry[]>;
  /** The chain's head (batches, entries, last hash). */
  head(): Promise<AccessLogHead>;
  /**
   * Walks the chain of batches against the entries; every head the ledger sealed under a signed
   * checkpoint (`sealed`) must still be in it. The first problem in words, or undefined.
   */
  verify(sealed?: readonly AccessLogHead[]): Promise<string | undefined>;
  close(): Promise<void>;
}

