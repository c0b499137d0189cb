/**
 * PostgreSQL adapter of the event store port (`pg` 8, PostgreSQL 13 or newer). All of this
 * adapter's SQL is in this file. Same semantics as the SQLite adapter: the store-independent
 * half of an append (validation, expected revision, recordedAt, hash chain) is append-support.ts.
 *
 * Durability (SPEC §7): every connection starts with `synchronous_commit=on` (a startup option,
 * after any the URL or PGOPTIONS give, so it wins over role and database defaults) and every
 * append transaction sets it again with SET LOCAL; `open` refuses a server that reports anything
 * else. A committed append (an acknowledged write) is flushed to the WAL on disk before COMMIT
 * returns. Bulk paths batch many events per transaction (appendMany) instead of weakening that.
 *
 * Concurrency of appends: one READ COMMITTED transaction per append (or appendMany batch):
 * 1. transaction-level advisory locks on every stream of the batch (64-bit keys from the stream
 *    names, taken in ascending key order so that batches never deadlock). They serialise the
 *    appends to one stream, including to a stream that does not exist yet, until COMMIT;
 * 2. the stream heads, the database clock and the already stored eventIds are read (one round
 *    trip); expected revisions and duplicates are checked, recordedAt is chosen and the hash
 *    chain computed (append-support.ts);
 * 3. the events are inserted inside the "position section" (see below);
 * 4. the heads are updated conditionally (UPDATE ... WHERE revision = the one read; INSERT ...
 *    ON CONFLICT DO NOTHING for new streams), then COMMIT.
 * UNIQUE(event_id), UNIQUE(stream, revision) and the conditional head update are a second line
 * of defence, mapped to DuplicateEventIdError / WrongExpectedRevisionError.
 *
 * readAll and late commits. Positions come from an identity column, so they are taken at INSERT
 * time, not at COMMIT time: a transaction can hold position 10 while position 11 commits first.
 * A reader that remembers "I have seen up to 11" would then never see 10. Two rules prevent it:
 * - the position section: the transaction id (events.tx_id, default pg_current_xact_id()) and
 *   the positions of an append are taken together, under a session advisory lock held only for
 *   that one INSERT (no write happens before it, so the transaction has no id yet; this is
 *   checked). Hence for any two events, position order and transaction id order agree;
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
 * Text: PostgreSQL cannot store NUL characters or unpaired UTF-16 surrogates in text or jsonb;
 * such an event is refused with a TypeError rather than stored altered (the hash would break).
 */
import { createHash } from 'node:crypto';
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import type { NewEvent, RecordedEvent } from '../../../events/envelope';
import {
  assertReadAllOptions,
  assertStreamName,
  ChainedEvent,
  chainEvents,
  checkExpectedRevision,
  DEFAULT_READ_BATCH,
  extendTree,
  loadTree,
  nextRecordedAt,
  prefixUpperBound,
  StoredTree,
  storeTree,
  TreeRowCache,
  ValidatedEvent,
  validateNewEvents,
} from '../append-support';
import {
  AppendRequest,
  AppendResult,
  DuplicateEventIdError,
  EventStore,
  ExpectedRevision,
  LedgerHead,
  ReadAllOptions,
  StoredCheckpoint,
  StreamHead,
  WrongExpectedRevisionError,
} from '../event-store.port';

export interface PostgresEventStoreOptions {
  /** Tests only: the clock recordedAt comes from. Default: the database clock (clock_timestamp()). */
  now?: () => Date;
  /** Connections in the pool. Default 10. */
  maxConnections?: number;
  /** How long to wait for a connection (and for a free one in the pool). Default 15000 ms. */
  connectionTimeoutMs?: number;
}

/**
 * Schema migrations, in order; schema_migrations holds the versions applied. Append only: never
 * edit one that has shipped. Each runs in the migrating transaction, under an advisory lock.
 */
const MIGRATIONS: readonly { description: string; sql: string }[] = [
  {
    description: 'events and the index of stream heads',
    sql: `
    CREATE TABLE IF NOT EXISTS streams (
      stream           text COLLATE "C" NOT NULL PRIMARY KEY,
      revision         integer NOT NULL CHECK (revision >= 0),
      hash             text    NOT NULL,
      last_recorded_at text    NOT NULL
    );

    CREATE TABLE IF NOT EXISTS events (
      position       bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      event_id       text    NOT NULL UNIQUE,
      stream         text COLLATE "C" NOT NULL REFERENCES streams (stream) DEFERRABLE INITIALLY DEFERRED,
      revision       integer NOT NULL CHECK (revision >= 0),
      type           text    NOT NULL,
      schema_version integer NOT NULL,
      data           jsonb   NOT NULL,
      recorded_at    text    NOT NULL CHECK (recorded_at ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z$'),
      recorded_by    text    NOT NULL,
      correlation_id text    NOT NULL,
      prev_hash      text    NOT NULL,
      hash           text    NOT NULL,
      tx_id          xid8    NOT NULL DEFAULT pg_current_xact_id(),
      UNIQUE (stream, revision)
    );
    `,
  },
  {
    description: 'the ledger Merkle tree and its signed checkpoints',
    // One row: the tree's frontier, locked (FOR UPDATE) and extended by every append, which
    // serialises appends through COMMIT, so the tree's leaf order is the position order.
    sql: `
    CREATE TABLE IF NOT EXISTS ledger_tree (
      id            integer NOT NULL PRIMARY KEY CHECK (id = 1),
      size          bigint  NOT NULL CHECK (size >= 0),
      last_position bigint  NOT NULL CHECK (last_position >= 0),
      frontier      text    NOT NULL
    );
    INSERT INTO ledger_tree (id, size, last_position, frontier) VALUES (1, 0, 0, '[]') ON CONFLICT (id) DO NOTHING;

    CREATE TABLE IF NOT EXISTS checkpoints (
      tree_size bigint NOT NULL PRIMARY KEY,
      root_hash text   NOT NULL,
      note      text   NOT NULL,
      issued_at text   NOT NULL
    );
    `,
  },
];

/** The schema version this code writes. */
export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

const EVENT_COLUMNS =
  'position, event_id, stream, revision, type, schema_version, data, recorded_at, recorded_by, correlation_id, prev_hash, hash';

/** A 64-bit advisory lock key (as a decimal string, for a bigint parameter) for a name. */
function lockKey(name: string): string {
  return BigInt.asIntN(64, createHash('sha256').update(name).digest().readBigUInt64BE(0)).toString();
}

const MIGRATION_LOCK = lockKey('sro-compliance/migrations');
const POSITION_SECTION_LOCK = lockKey('sro-compliance/position-section');
const streamLockKey = (stream: string) => lockKey(`sro-compliance/stream/${stream}`);

/** ISO-8601 UTC with milliseconds, from the database clock truncated to the millisecond. */
const DB_CLOCK = `to_char(date_trunc('milliseconds', clock_timestamp()) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

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

interface EventRow {
  position: string;
  event_id: string;
  stream: string;
  revision: number;
  type: string;
  schema_version: number;
  data: unknown;
  recorded_at: string;
  recorded_by: string;
  correlation_id: string;
  prev_hash: string;
  hash: string;
}

interface HeadRow {
  stream: string;
  revision: number;
  hash: string;
  last_recorded_at: string;
}

/** The one place a row becomes a RecordedEvent. */
function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    eventId: row.event_id,
    stream: row.stream,
    revision: row.revision,
    position: Number(row.position),
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    recordedAt: row.recorded_at,
    recordedBy: row.recorded_by,
    correlationId: row.correlation_id,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function toStreamHead(row: HeadRow): StreamHead {
  return { stream: row.stream, revision: row.revision, hash: row.hash, lastRecordedAt: row.last_recorded_at };
}

const sqlState = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** NUL and unpaired surrogates: text PostgreSQL cannot store (pg would replace a lone surrogate with U+FFFD). */
const UNSTORABLE = /[\u0000\p{Cs}]/u;

function assertStorableText(value: string, where: string): void {
  if (UNSTORABLE.test(value)) throw new TypeError(`${where} contains a NUL character or an unpaired surrogate, which PostgreSQL cannot store`);
}

/** Where the store connects to, for error messages (never the password). */
interface Target {
  host: string;
  port: string;
  database: string;
  user: string;
}

function describeTarget(url: URL): Target {
  const param = (name: string) => url.searchParams.get(name) ?? undefined;
  const user = decodeURIComponent(url.username) || param('user') || process.env.PGUSER || process.env.USER || 'postgres';
  return {
    host: decodeURIComponent(url.hostname) || param('host') || process.env.PGHOST || 'localhost',
    port: url.port || param('port') || process.env.PGPORT || '5432',
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || param('database') || process.env.PGDATABASE || user,
    user,
  };
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'ENOENT']);

/**
 * A connection, authentication or "no such database" failure, rewritten to say where the store
 * tried to connect and what to check; undefined for any other error.
 */
function connectionError(error: unknown, target: Target): Error | undefined {
  // Duck-typed, not instanceof: Node's socket errors come from another realm under jest.
  if (typeof error !== 'object' || error === null || typeof (error as { message?: unknown }).message !== 'string') return undefined;
  const err = error as Error;
  const code = sqlState(err) ?? '';
  const where = `PostgreSQL at ${target.host}:${target.port} (database "${target.database}", user "${target.user}")`;
  let advice: string | undefined;
  if (CONNECTION_CODES.has(code) || /timeout exceeded when trying to connect|Connection terminated/i.test(err.message)) {
    advice = `check that the server is running and accepts TCP connections on ${target.host}:${target.port} (pg_isready -h ${target.host} -p ${target.port}), and the host and port in SRO_STORE`;
  } else if (code.startsWith('28') || (code === '' && /SASL|password/i.test(err.message))) {
    advice = `authentication failed: check the user and password in SRO_STORE and the server's pg_hba.conf entry for this client`;
  } else if (code === '3D000') {
    advice = `the database does not exist: create it (createdb -h ${target.host} -p ${target.port} -U ${target.user} ${target.database}) or fix the database name in SRO_STORE`;
  } else if (code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') {
    advice = `the server is shutting down, starting up or out of connections: check its state and max_connections`;
  }
  if (!advice) return undefined;
  return new Error(`cannot use ${where}: ${err.message || code}; ${advice}`, { cause: err });
}

/** Thrown inside the append transaction when a stream head moved under it; mapped after ROLLBACK. */
class HeadConflict extends Error {
  constructor(readonly stream: string) {
    super(`the head of stream ${stream} changed during the append`);
  }
}

interface PlannedAppend {
  stream: string;
  expectedRevision: ExpectedRevision;
  validated: ValidatedEvent[];
}

/** A stream head as the append transaction tracks it. */
interface WorkingHead {
  revision: number;
  hash: string;
  lastRecordedAt: string;
}

export class PostgresEventStore implements EventStore {
  private closed = false;
  private readonly treeCache = new TreeRowCache();

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
    const pool = new Pool(config);
    // An idle connection that breaks (server restart) is dropped by the pool; without a listener
    // the error would crash the process. The next query reconnects or reports the failure.
    pool.on('error', () => undefined);
    const store = new PostgresEventStore(pool, target, options);
    try {
      await store.prepare();
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw connectionError(err, target) ?? err;
    }
    return store;
  }

  private constructor(
    private readonly pool: Pool,
    private readonly target: Target,
    private readonly options: PostgresEventStoreOptions,
  ) {}

  /** Server checks and migrations, in one transaction under an advisory lock (concurrent opens wait). */
  private async prepare(): Promise<void> {
    const client = await this.pool.connect();
    let failed: unknown;
    try {
      const { rows: [server] } = await client.query<{ version: number; encoding: string; synchronous_commit: string }>(
        `SELECT current_setting('server_version_num')::int AS version, current_setting('server_encoding') AS encoding,
                current_setting('synchronous_commit') AS synchronous_commit`,
      );
      if (server.version < 130000) throw new Error(`PostgreSQL ${this.target.host}:${this.target.port} is version ${server.version}; the event store needs 13 or newer`);
      if (server.encoding !== 'UTF8') throw new Error(`database "${this.target.database}" has encoding ${server.encoding}; the event store needs UTF8 (CREATE DATABASE ... ENCODING 'UTF8')`);
      if (server.synchronous_commit !== 'on') throw new Error(`synchronous_commit is ${server.synchronous_commit} on this connection; the event store needs on`);

      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK]);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version     integer     NOT NULL PRIMARY KEY,
        description text        NOT NULL,
        applied_at  timestamptz NOT NULL DEFAULT now()
      )`);
      // Read under the lock: another process may have migrated meanwhile.
      const { rows: [{ current }] } = await client.query<{ current: number }>('SELECT coalesce(max(version), 0)::int AS current FROM schema_migrations');
      if (current > MIGRATIONS.length) {
        throw new Error(`database "${this.target.database}" has schema version ${current}, newer than this program's ${MIGRATIONS.length}: upgrade the program`);
      }
      for (let version = current + 1; version <= MIGRATIONS.length; version++) {
        await client.query(MIGRATIONS[version - 1].sql);
        if (version === 2) await this.seedTree(client);
        await client.query('INSERT INTO schema_migrations (version, description) VALUES ($1, $2)', [version, MIGRATIONS[version - 1].description]);
      }
      await client.query('COMMIT');
    } catch (err) {
      failed = err;
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release(failed !== undefined); // a failed connection is destroyed, not reused
    }
  }

  /** Migration 2 on a store that has events: the tree over all of them, once, in pages. */
  private async seedTree(client: PoolClient): Promise<void> {
    const tree = loadTree(undefined);
    for (let after = 0; ; ) {
      const { rows } = await client.query<{ position: string; hash: string }>('SELECT position, hash FROM events WHERE position > $1 ORDER BY position LIMIT 10000', [after]);
      if (rows.length === 0) break;
      extendTree(tree, rows.map((r) => ({ position: Number(r.position), hash: r.hash })));
      after = Number(rows[rows.length - 1].position);
    }
    const row = storeTree(tree);
    await client.query('UPDATE ledger_tree SET size = $1, last_position = $2, frontier = $3 WHERE id = 1', [row.size, row.lastPosition, row.frontier]);
  }

  async appendToStream(stream: string, events: NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    const [result] = await this.append([{ stream, events, expectedRevision: options?.expectedRevision }]);
    return result;
  }

  async appendMany(batch: AppendRequest[]): Promise<AppendResult[]> {
    if (!Array.isArray(batch)) throw new TypeError('appendMany: batch must be an array');
    return this.append(batch);
  }

  private async append(batch: AppendRequest[]): Promise<AppendResult[]> {
    this.assertOpen();
    // Shape checks and JSON normalisation need no lock: done before the transaction starts.
    const seen = new Set<string>();
    const plans = batch.map(({ stream, events, expectedRevision }, i): PlannedAppend => {
      assertStreamName(stream);
      assertStorableText(stream, `batch[${i}].stream`);
      const validated = validateNewEvents(events, seen);
      validated.forEach(({ event }, j) => {
        for (const field of ['eventId', 'type'] as const) assertStorableText(event[field], `events[${j}].${field}`);
        for (const field of ['recordedBy', 'correlationId'] as const) assertStorableText(event.metadata[field], `events[${j}].metadata.${field}`);
      });
      return { stream, expectedRevision, validated };
    });
    if (plans.length === 0) return [];

    const client = await this.connect();
    let inSection = false;
    let broken: Error | undefined;
    /** The stream heads as read under the stream locks, for naming a conflict after a rollback. */
    let stored = new Map<string, WorkingHead>();
    try {
      // One round trip: READ COMMITTED (each statement sees the latest commits, so the heads read
      // after the stream locks are current) and durable commit whatever the session says.
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL synchronous_commit = on');
      const keys = [...new Set(plans.map((p) => streamLockKey(p.stream)))].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
      await client.query('SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::bigint[]) AS k', [keys]);

      const streams = [...new Set(plans.map((p) => p.stream))];
      const eventIds = plans.flatMap((p) => p.validated.map((v) => v.event.eventId));
      const { rows: [state] } = await client.query<{ heads: HeadRow[] | null; existing: string[]; now: string }>(
        `SELECT (SELECT json_agg(json_build_object('stream', stream, 'revision', revision, 'hash', hash, 'last_recorded_at', last_recorded_at))
                   FROM streams WHERE stream = ANY($1::text[])) AS heads,
                coalesce((SELECT array_agg(event_id) FROM events WHERE event_id = ANY($2::text[])), '{}') AS existing,
                ${DB_CLOCK} AS now`,
        [streams, eventIds],
      );
      stored = new Map((state.heads ?? []).map((h) => [h.stream, { revision: h.revision, hash: h.hash, lastRecordedAt: h.last_recorded_at }]));
      const existing = new Set(state.existing);
      const now = this.options.now ? this.options.now() : new Date(state.now);

      // Check and chain each request in order, against the heads as the earlier requests left them.
      const working = new Map<string, WorkingHead>(stored);
      const chained: { event: ChainedEvent; dataJson: string }[] = [];
      const results = plans.map(({ stream, expectedRevision, validated }) => {
        const head = working.get(stream);
        // Duplicates first: a concurrent retry of an Idempotency-Key write finds the stream moved
        // on by its own first attempt, and must learn that its event is stored, not that it is late.
        for (const { event } of validated) if (existing.has(event.eventId)) throw new DuplicateEventIdError(event.eventId);
        checkExpectedRevision(stream, expectedRevision, head?.revision);
        if (validated.length === 0) return { nextExpectedRevision: head?.revision ?? -1, events: [] as ChainedEvent[] };
        const recordedAt = nextRecordedAt(now, head?.lastRecordedAt);
        const appended = chainEvents(stream, head, validated, recordedAt);
        appended.forEach((event, i) => chained.push({ event, dataJson: validated[i].dataJson }));
        const last = appended[appended.length - 1];
        working.set(stream, { revision: last.revision, hash: last.hash, lastRecordedAt: recordedAt });
        return { nextExpectedRevision: last.revision, events: appended };
      });

      const positions = new Map<string, number>();
      let tree: ReturnType<typeof loadTree> | undefined;
      let treeAfter: StoredTree | undefined;
      if (chained.length > 0) {
        // The position section: transaction id and positions taken together (see the header).
        const { rows: [entered] } = await client.query<{ xid: string | null }>(
          'SELECT pg_advisory_lock($1::bigint), pg_current_xact_id_if_assigned()::text AS xid',
          [POSITION_SECTION_LOCK],
        );
        inSection = true;
        if (entered.xid !== null) throw new Error('internal error: the append transaction wrote before its position section');
        // The tree row, locked until COMMIT: the next append waits here, so leaves are added in
        // position order (and the row lock gives this transaction its id inside the section).
        const { rows: [treeRow] } = await client.query<{ size: string; last_position: string; frontier: string }>(
          'SELECT size, last_position, frontier FROM ledger_tree WHERE id = 1 FOR UPDATE',
        );
        if (!treeRow) throw new Error('the ledger_tree row is missing: the store was altered (run verify)');
        tree = this.treeCache.load({ size: Number(treeRow.size), lastPosition: Number(treeRow.last_position), frontier: treeRow.frontier });
        const column = <K extends keyof ChainedEvent>(key: K) => chained.map(({ event }) => event[key]);
        const { rows } = await client.query<{ event_id: string; position: string }>(
          `INSERT INTO events (event_id, stream, revision, type, schema_version, data, recorded_at, recorded_by, correlation_id, prev_hash, hash)
           SELECT e.event_id, e.stream, e.revision, e.type, e.schema_version, e.data::jsonb, e.recorded_at, e.recorded_by, e.correlation_id, e.prev_hash, e.hash
           FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
             AS e (event_id, stream, revision, type, schema_version, data, recorded_at, recorded_by, correlation_id, prev_hash, hash)
           RETURNING event_id, position`,
          [
            column('eventId'),
            column('stream'),
            column('revision'),
            column('type'),
            column('schemaVersion'),
            chained.map((c) => c.dataJson),
            column('recordedAt'),
            column('recordedBy'),
            column('correlationId'),
            column('prevHash'),
            column('hash'),
          ],
        );
        await client.query('SELECT pg_advisory_unlock($1::bigint)', [POSITION_SECTION_LOCK]);
        inSection = false;
        for (const row of rows) positions.set(row.event_id, Number(row.position));
        extendTree(
          tree,
          chained.map(({ event }) => ({ hash: event.hash, position: positions.get(event.eventId)! })).sort((a, b) => a.position - b.position),
        );
        treeAfter = this.treeCache.store(tree);
        await client.query('UPDATE ledger_tree SET size = $1, last_position = $2, frontier = $3 WHERE id = 1', [treeAfter.size, treeAfter.lastPosition, treeAfter.frontier]);

        // The heads, conditionally on the revisions read: a mismatch means something bypassed the locks.
        const changed = [...working].filter(([stream, head]) => stored.get(stream)?.revision !== head.revision);
        const updates = changed.filter(([stream]) => stored.has(stream));
        const inserts = changed.filter(([stream]) => !stored.has(stream));
        const done = new Set<string>();
        if (updates.length > 0) {
          const { rows: updated } = await client.query<{ stream: string }>(
            `UPDATE streams AS s SET revision = u.revision, hash = u.hash, last_recorded_at = u.last_recorded_at
             FROM unnest($1::text[], $2::int[], $3::int[], $4::text[], $5::text[]) AS u (stream, previous, revision, hash, last_recorded_at)
             WHERE s.stream = u.stream AND s.revision = u.previous
             RETURNING s.stream`,
            [updates.map(([s]) => s), updates.map(([s]) => stored.get(s)!.revision), updates.map(([, h]) => h.revision), updates.map(([, h]) => h.hash), updates.map(([, h]) => h.lastRecordedAt)],
          );
          for (const { stream } of updated) done.add(stream);
        }
        if (inserts.length > 0) {
          const { rows: inserted } = await client.query<{ stream: string }>(
            `INSERT INTO streams (stream, revision, hash, last_recorded_at)
             SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[])
             ON CONFLICT (stream) DO NOTHING
             RETURNING stream`,
            [inserts.map(([s]) => s), inserts.map(([, h]) => h.revision), inserts.map(([, h]) => h.hash), inserts.map(([, h]) => h.lastRecordedAt)],
          );
          for (const { stream } of inserted) done.add(stream);
        }
        const missed = changed.find(([stream]) => !done.has(stream));
        if (missed) throw new HeadConflict(missed[0]);
      }
      await client.query('COMMIT');
      if (tree && treeAfter) this.treeCache.committed(treeAfter, tree);

      return results.map(({ nextExpectedRevision, events }) => ({
        nextExpectedRevision,
        events: events.map((event) => ({ ...event, position: positions.get(event.eventId)! })),
      }));
    } catch (err) {
      // ROLLBACK before leaving the section: an aborted transaction refuses pg_advisory_unlock.
      try {
        await client.query('ROLLBACK');
        if (inSection) await client.query('SELECT pg_advisory_unlock($1::bigint)', [POSITION_SECTION_LOCK]);
      } catch (cleanup) {
        // The connection is unusable: destroying it ends the session, which frees its locks.
        broken = new Error(`append cleanup failed: ${String((cleanup as Error)?.message ?? cleanup)}`);
      }
      // Lookups on the same connection (after its ROLLBACK): a full pool cannot make them wait.
      throw await this.mapAppendError(err, plans, stored, broken ? undefined : client);
    } finally {
      client.release(broken);
    }
  }

  /**
   * After ROLLBACK: a moved head or a unique violation as the port's errors, unstorable text as a
   * TypeError, connection failures explained; anything else as it is.
   */
  private async mapAppendError(err: unknown, plans: PlannedAppend[], stored: Map<string, WorkingHead>, client?: PoolClient): Promise<unknown> {
    const code = sqlState(err);
    const lookup = async <R>(text: string, params: unknown[]): Promise<{ rows: R[] }> =>
      client ? ((await client.query(text, params)) as unknown as { rows: R[] }) : this.query<R>(text, params);
    const storedRevision = async (stream: string): Promise<number | 'no_stream'> =>
      (await lookup<{ revision: number | null }>('SELECT max(revision) AS revision FROM events WHERE stream = $1', [stream])).rows[0].revision ?? 'no_stream';
    const conflict = async (stream: string) => {
      const plan = plans.find((p) => p.stream === stream) ?? plans[0];
      return new WrongExpectedRevisionError(stream, plan.expectedRevision, await storedRevision(stream));
    };
    try {
      if (err instanceof HeadConflict) return await conflict(err.stream);
      if (code === '23505' && /event_id/.test((err as { constraint?: string }).constraint ?? '')) {
        const ids = plans.flatMap((p) => p.validated.map((v) => v.event.eventId));
        const { rows } = await lookup<{ event_id: string }>('SELECT event_id FROM events WHERE event_id = ANY($1::text[])', [ids]);
        const found = new Set(rows.map((r) => r.event_id));
        return new DuplicateEventIdError(ids.find((id) => found.has(id)) ?? ids[0]);
      }
      if (code === '23505') {
        // UNIQUE (stream, revision): a writer got past the stream lock. The conflict is on the
        // first stream that is no longer at the revision this append chained from.
        for (const plan of plans) {
          if (plan.validated.length === 0) continue;
          const actual = await storedRevision(plan.stream);
          if (actual !== (stored.get(plan.stream)?.revision ?? 'no_stream')) return new WrongExpectedRevisionError(plan.stream, plan.expectedRevision, actual);
        }
        return await conflict(plans[0].stream);
      }
    } catch (failed) {
      return connectionError(failed, this.target) ?? failed;
    }
    if (code === '22P05' || code === '22021' || code === '22P02') {
      return new TypeError(`an event cannot be stored by PostgreSQL (${(err as Error).message}): NUL characters and unpaired surrogates are not allowed`);
    }
    return connectionError(err, this.target) ?? err;
  }

  async readStream(stream: string, options: { fromRevision?: number } = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const fromRevision = options.fromRevision ?? 0;
    if (!Number.isSafeInteger(fromRevision) || fromRevision < 0) throw new TypeError('fromRevision must be an integer >= 0');
    if (typeof stream !== 'string' || UNSTORABLE.test(stream) || fromRevision > 2 ** 31 - 1) return [];
    const { rows } = await this.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream = $1 AND revision >= $2 ORDER BY revision`, [stream, fromRevision]);
    return rows.map(toRecordedEvent);
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    let after = options.fromPosition ?? 0;
    const batchSize = options.batchSize ?? DEFAULT_READ_BATCH;
    assertReadAllOptions(after, batchSize);
    for (;;) {
      this.assertOpen();
      // Keyset paging, one statement (one snapshot) per page: no cursor stays open while the
      // consumer awaits between events. The horizon holds back events of late commits.
      const { rows } = await this.query<EventRow>(SELECT_PAGE, [after, batchSize]);
      if (rows.length === 0) return;
      after = Number(rows[rows.length - 1].position);
      for (const row of rows) yield toRecordedEvent(row);
    }
  }

  /** The stream hint is not needed: event_id is indexed. */
  async readEvent(eventId: string): Promise<RecordedEvent | undefined> {
    this.assertOpen();
    if (typeof eventId !== 'string' || UNSTORABLE.test(eventId)) return undefined;
    const { rows: [row] } = await this.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE event_id = $1`, [eventId]);
    return row ? toRecordedEvent(row) : undefined;
  }

  async listStreams(prefix: string): Promise<StreamHead[]> {
    this.assertOpen();
    if (typeof prefix !== 'string') throw new TypeError('prefix must be a string');
    if (UNSTORABLE.test(prefix)) return [];
    // A range on the primary key in "C" collation, i.e. code point order (no LIKE, so no
    // escaping of '%' and '_' in stream names).
    const upper = prefixUpperBound(prefix);
    const { rows } =
      upper === undefined
        ? await this.query<HeadRow>('SELECT stream, revision, hash, last_recorded_at FROM streams WHERE stream >= $1 ORDER BY stream', [prefix])
        : await this.query<HeadRow>('SELECT stream, revision, hash, last_recorded_at FROM streams WHERE stream >= $1 AND stream < $2 ORDER BY stream', [prefix, upper]);
    return rows.map(toStreamHead);
  }

  /** Positions of an identity column skip the values of rolled-back appends: the tree size is the witness here, no issuedPosition. */
  async ledgerHead(): Promise<LedgerHead> {
    this.assertOpen();
    const { rows: [row] } = await this.query<{ size: string; last_position: string; frontier: string }>('SELECT size, last_position, frontier FROM ledger_tree WHERE id = 1');
    if (!row) throw new Error('the ledger_tree row is missing: the store was altered');
    const tree = loadTree({ size: Number(row.size), lastPosition: Number(row.last_position), frontier: row.frontier });
    return { treeSize: tree.frontier.size, rootHash: tree.frontier.root().toString('hex'), lastPosition: tree.lastPosition };
  }

  async saveCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    this.assertOpen();
    await this.query('INSERT INTO checkpoints (tree_size, root_hash, note, issued_at) VALUES ($1, $2, $3, $4) ON CONFLICT (tree_size) DO NOTHING', [
      checkpoint.treeSize,
      checkpoint.rootHash,
      checkpoint.note,
      checkpoint.issuedAt,
    ]);
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    this.assertOpen();
    const { rows: [row] } = await this.query<{ tree_size: string; root_hash: string; note: string; issued_at: string }>(
      'SELECT tree_size, root_hash, note, issued_at FROM checkpoints ORDER BY tree_size DESC LIMIT 1',
    );
    return row ? { treeSize: Number(row.tree_size), rootHash: row.root_hash, note: row.note, issuedAt: row.issued_at } : undefined;
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

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async connect(): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (err) {
      throw connectionError(err, this.target) ?? err;
    }
  }

  private async query<R>(sql: string, params: unknown[] = []): Promise<{ rows: R[] }> {
    try {
      return (await this.pool.query(sql, params)) as unknown as { rows: R[] };
    } catch (err) {
      throw connectionError(err, this.target) ?? err;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the event store is closed');
  }
}
