/**
 * PostgreSQL adapter of the event store port (`pg` 8, PostgreSQL 13 or newer). This folder holds
 * all of its SQL, one file per operation, as src/store/sqlite/ does:
 * - postgres-schema.ts: the server checks and the migrations (the ledger tree: migration 2);
 * - postgres-append.ts: the append transaction (stream locks, the position section, the ledger
 *   tree's row locked FOR UPDATE, the stream heads);
 * - postgres-read.ts: readStream, readAll (and why it never skips a late commit), readEvent,
 *   listStreams;
 * - postgres-ledger.ts: the tree head and the signed checkpoints;
 * - postgres-locks.ts: the advisory lock keys;
 * - postgres-errors.ts: text PostgreSQL cannot store, connection failures explained, a failed
 *   append as the port's errors.
 * Same semantics as the SQLite adapter: the port's methods, checked alike for both, are
 * ../sql/sql-event-store.ts; the mapping of rows to the port's values ../sql/sql-rows.ts; the
 * store-independent half of an append (validation, expected revision, recordedAt, hash chain)
 * ../append-support.ts.
 *
 * Durability: every connection starts with `synchronous_commit=on` (a startup option,
 * after any the URL or PGOPTIONS give, so it wins over role and database defaults) and every
 * append transaction sets it again with SET LOCAL; `open` refuses a server that reports anything
 * else. A committed append (an acknowledged write) is flushed to the WAL on disk before COMMIT
 * returns. Bulk paths batch many events per transaction (appendMany) instead of weakening that.
 */
import type { Pool, PoolClient, PoolConfig } from 'pg';
import { SqlEventStore } from '../sql/sql-event-store';
import type { EventIdProblem } from '../event-store.port';
import { PostgresAppends } from './postgres-append';
import { connectionError, describeTarget, Query, Target } from './postgres-errors';
import { PostgresFiles } from './postgres-files';
import { PostgresLedger } from './postgres-ledger';
import { guardedPool } from './postgres-pool';
import { PostgresReads } from './postgres-read';
import { prepareDatabase } from './postgres-schema';

export { POSTGRES_SCHEMA_VERSION } from './postgres-schema';

export interface PostgresEventStoreOptions {
  /** Tests only: the clock recordedAt comes from. Default: the database clock (clock_timestamp()). */
  now?: () => Date;
  /** Connections in the pool. Default 10. */
  maxConnections?: number;
  /** How long to wait for a connection (and for a free one in the pool). Default 15000 ms. */
  connectionTimeoutMs?: number;
}

export class PostgresEventStore extends SqlEventStore {
  private readonly query: Query;

  /**
   * Connects, checks the server (version, encoding, synchronous_commit) and applies the pending
   * migrations. Fails with a message naming host:port when the server cannot be reached.
   */
  static async open(url: string, options: PostgresEventStoreOptions = {}): Promise<PostgresEventStore> {
    if (typeof url !== 'string' || url.trim() === '') throw new TypeError('PostgresEventStore.open: a postgres:// URL is required');
    let parsed: URL;
    try {
      parsed = new URL(url.trim());
    } catch {
      throw new Error(`malformed PostgreSQL URL: expected postgres://user[:password]@host[:port]/database`);
    }
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
      throw new Error(`not a PostgreSQL URL (${parsed.protocol}): expected postgres://user[:password]@host[:port]/database`);
    }
    const target = describeTarget(parsed);
    // Our startup options go after the caller's, so that synchronous_commit=on wins.
    const callerOptions = parsed.searchParams.get('options') ?? process.env.PGOPTIONS ?? '';
    parsed.searchParams.delete('options');
    const config: PoolConfig = {
      connectionString: parsed.toString(),
      options: `${callerOptions} -c synchronous_commit=on`.trim(),
      application_name: 'sro-compliance',
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 15_000,
    };
    // A connection that breaks (server restart, pg_terminate_backend), idle or checked out, is
    // dropped, never a crash (postgres-pool.ts); the next query reconnects or reports the failure.
    const pool = guardedPool(config);
    const store = new PostgresEventStore(pool, target, options);
    try {
      await prepareDatabase(pool, target);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw connectionError(err, target) ?? err;
    }
    return store;
  }

  private constructor(
    private readonly pool: Pool,
    private readonly target: Target,
    options: PostgresEventStoreOptions,
  ) {
    const { query, connect } = explained(pool, target);
    super({ appends: new PostgresAppends(connect, query, target, options.now), reads: new PostgresReads(query), ledger: new PostgresLedger(query), files: new PostgresFiles(query) });
    this.query = query;
  }

  /** The connection's settings as the server reports them (for health checks, diagnostics and tests). */
  async settings(): Promise<{ host: string; port: string; database: string; serverVersion: string; synchronousCommit: string; fsync: string; schemaVersion: number }> {
    this.assertOpen();
    const { rows: [row] } = await this.query<{ server_version: string; synchronous_commit: string; fsync: string; schema_version: number }>(
      `SELECT current_setting('server_version') AS server_version, current_setting('synchronous_commit') AS synchronous_commit,
              current_setting('fsync') AS fsync, (SELECT max(version) FROM schema_migrations)::int AS schema_version`,
    );
    return {
      host: this.target.host,
      port: this.target.port,
      database: this.target.database,
      serverVersion: row.server_version,
      synchronousCommit: row.synchronous_commit,
      fsync: row.fsync,
      schemaVersion: row.schema_version,
    };
  }

  /**
   * Verification (docs/decisions.md W37): every event id once in `events`, and the unique index
   * that makes it so (what a keyed retry relies on) still there and valid.
   */
  async checkEventIds(): Promise<EventIdProblem | undefined> {
    this.assertOpen();
    const { rows: [twice] } = await this.query<{ event_id: string; first: string; second: string }>(
      'SELECT event_id, min(position)::text AS first, max(position)::text AS second FROM events GROUP BY event_id HAVING count(*) > 1 ORDER BY min(position) LIMIT 1',
    );
    if (twice) {
      return { eventId: twice.event_id, position: Number(twice.second), reason: `the event id ${twice.event_id} is stored twice (positions ${twice.first} and ${twice.second}): an event id is unique in the store, so its unique index of event ids was removed and a write was recorded again` };
    }
    const { rows: [index] } = await this.query<{ found: boolean }>(
      `SELECT EXISTS (
         SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
         WHERE i.indrelid = to_regclass('events') AND i.indisunique AND i.indisvalid AND i.indnatts = 1 AND i.indpred IS NULL AND a.attname = 'event_id'
       ) AS found`,
    );
    if (!index?.found) return { eventId: null, reason: "the store's unique index of event ids (events.event_id) is missing or invalid: it was dropped outside the store, so a retried write could be recorded twice" };
    return undefined;
  }

  protected async closeConnection(): Promise<void> {
    await this.pool.end();
  }
}

/** The pool's query and connect, with connection failures explained (connectionError). */
function explained(pool: Pool, target: Target): { query: Query; connect: () => Promise<PoolClient> } {
  return {
    query: async <R>(sql: string, params: unknown[] = []) => {
      try {
        return (await pool.query(sql, params)) as unknown as { rows: R[] };
      } catch (err) {
        throw connectionError(err, target) ?? err;
      }
    },
    connect: async () => {
      try {
        return await pool.connect();
      } catch (err) {
        throw connectionError(err, target) ?? err;
      }
    },
  };
}
