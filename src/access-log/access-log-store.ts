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
 */
import Database from 'better-sqlite3';
import { keepSqliteFilePrivate } from '../store/sqlite/sqlite-file-mode';
import path from 'node:path';
import type { Pool } from 'pg';
import { guardedPool } from '../store/postgres/postgres-pool';
import { ACCESS_LOG_GENESIS, accessLogBatchHash, accessLogLine, type AccessLogHead } from '../../events/access-log';

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

/** A batch as stored. */
interface BatchRow {
  seq: number;
  firstId: number;
  lastId: number;
  rows: number;
  prevHash: string;
  hash: string;
}

/** Paged reads of one store's chain, bounded by the head read first (appends may go on meanwhile). */
interface ChainReader {
  head(): Promise<{ seq: number; lastId: number; rows: number; hash: string }>;
  batchesAfter(seq: number, limit: number): Promise<BatchRow[]>;
  /** Entries as canonical lines, by id. */
  linesAfter(id: number, limit: number): Promise<{ id: number; line: string }[]>;
  maxId(): Promise<number>;
}

const PAGE = 2000;

/** The chain walk every store shares: each batch's entries, count, link and hash; nothing outside a batch; the sealed head. */
async function walkChain(reader: ChainReader, sealedHeads: readonly AccessLogHead[] = []): Promise<string | undefined> {
  const head = await reader.head();
  const seals = new Map(sealedHeads.map((s) => [s.batches, s]));
  const sealed = sealedHeads.reduce<AccessLogHead | undefined>((a, b) => (a && a.batches >= b.batches ? a : b), undefined);
  let previous = ACCESS_LOG_GENESIS;
  let seq = 0;
  let lines: { id: number; line: string }[] = [];
  let at = 0; // index in lines
  let lastRead = 0;
  let exhausted = false;
  const nextLine = async (): Promise<{ id: number; line: string } | undefined> => {
    if (at >= lines.length) {
      if (exhausted) return undefined;
      lines = (await reader.linesAfter(lastRead, PAGE)).filter((l) => l.id <= head.lastId);
      at = 0;
      if (lines.length === 0) {
        exhausted = true;
        return undefined;
      }
      lastRead = lines[lines.length - 1].id;
      exhausted = lines.length < PAGE; // a short page: nothing more up to the head
    }
    return lines[at++];
  };
  let pending = await nextLine();
  while (seq < head.seq) {
    const page = (await reader.batchesAfter(seq, PAGE)).filter((b) => b.seq <= head.seq);
    if (page.length === 0) break;
    for (const batch of page) {
      if (batch.seq !== seq + 1) return `the access log's batch ${seq + 1} is missing (the next is ${batch.seq}): its record was deleted`;
      if (batch.prevHash !== previous) return `the access log's batch ${batch.seq} does not link to batch ${seq}: the chain of batches was altered`;
      if (pending && pending.id < batch.firstId) return `the access log's entry ${pending.id} is in no batch: it was inserted outside the server`;
      const content: string[] = [];
      while (pending && pending.id <= batch.lastId) {
        content.push(pending.line);
        pending = await nextLine();
      }
      if (content.length !== batch.rows) {
        return `the access log's batch ${batch.seq} (entries ${batch.firstId} to ${batch.lastId}) was written with ${batch.rows} entries and holds ${content.length}: ${content.length < batch.rows ? 'an entry who read what was deleted' : 'an entry was inserted'}`;
      }
      const hash = accessLogBatchHash(previous, content);
      if (hash !== batch.hash) return `the access log's batch ${batch.seq} (entries ${batch.firstId} to ${batch.lastId}) no longer has its hash: an entry was altered (who read, what, or when)`;
      if (seals.has(batch.seq) && hash !== seals.get(batch.seq)!.hash) {
        return `the access log's batch ${batch.seq} differs from the one the ledger sealed under a signed checkpoint: entries up to it were altered, deleted or inserted, and the chain recomputed`;
      }
      previous = hash;
      seq = batch.seq;
    }
  }
  if (seq < head.seq) return `the access log's batches end at ${seq}, its head is batch ${head.seq}: batches were deleted`;
  if (pending) return `the access log's entry ${pending.id} is in no batch: it was inserted outside the server`;
  if (sealed && sealed.batches > seq) {
    return `the ledger sealed ${sealed.batches} batches (${sealed.rows} entries) of the access log under a signed checkpoint, and it holds ${seq}: entries who read what were deleted, or the table was emptied or dropped`;
  }
  // Entries beyond the head read at the start must belong to batches written since.
  const maxId = await reader.maxId();
  const now = await reader.head();
  if (maxId > now.lastId) return `the access log's entry ${maxId} is in no batch: it was inserted outside the server`;
  return undefined;
}

/** A store the chain cannot be read from (its table dropped, say): the problem in words. */
async function readable(what: () => Promise<string | undefined>): Promise<string | undefined> {
  try {
    return await what();
  } catch (error) {
    return `the access log cannot be read (${(error as Error).message}): its tables were dropped or damaged`;
  }
}

interface Row {
  at: string;
  agency_id: string;
  officer_id: string | null;
  officer_count: number | null;
  kind: string;
  route: string;
  format: string;
  principal_kind: string;
  principal_id: string;
  principal_name: string;
  principal_role: string;
  request_id: string | null;
  as_of: string | null;
  known_at: string | null;
}

const COLUMNS = ['at', 'agency_id', 'officer_id', 'officer_count', 'kind', 'route', 'format', 'principal_kind', 'principal_id', 'principal_name', 'principal_role', 'request_id', 'as_of', 'known_at'] as const;

const toRow = (e: AccessEntry): unknown[] => [
  e.at,
  e.agencyId,
  e.officerId,
  e.officerCount,
  e.kind,
  e.route,
  e.format,
  e.principal.kind,
  e.principal.id,
  e.principal.name,
  e.principal.role,
  e.requestId,
  e.asOf,
  e.knownAt,
];

const fromRow = (r: Row): AccessEntry => ({
  at: typeof r.at === 'string' ? r.at : new Date(r.at as unknown as Date).toISOString(),
  agencyId: r.agency_id,
  officerId: r.officer_id,
  officerCount: r.officer_count === null ? null : Number(r.officer_count),
  kind: r.kind,
  route: r.route,
  format: r.format,
  principal: { kind: r.principal_kind as AccessEntry['principal']['kind'], id: r.principal_id, name: r.principal_name, role: r.principal_role },
  requestId: r.request_id,
  asOf: r.as_of,
  knownAt: r.known_at,
});

export class MemoryAccessLogStore implements AccessLogStore {
  private readonly entries: AccessEntry[] = [];
  private readonly batches: BatchRow[] = [];
  async append(entries: readonly AccessEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const firstId = this.entries.length + 1;
    this.entries.push(...entries);
    const lines = entries.map((e, i) => accessLogLine(firstId + i, toRow(e)));
    const prevHash = this.batches.at(-1)?.hash ?? ACCESS_LOG_GENESIS;
    this.batches.push({ seq: this.batches.length + 1, firstId, lastId: this.entries.length, rows: entries.length, prevHash, hash: accessLogBatchHash(prevHash, lines) });
  }
  async head(): Promise<AccessLogHead> {
    return { batches: this.batches.length, rows: this.entries.length, hash: this.batches.at(-1)?.hash ?? ACCESS_LOG_GENESIS };
  }
  async verify(sealed?: readonly AccessLogHead[]): Promise<string | undefined> {
    return walkChain(
      {
        head: async () => ({ seq: this.batches.length, lastId: this.entries.length, rows: this.entries.length, hash: this.batches.at(-1)?.hash ?? ACCESS_LOG_GENESIS }),
        batchesAfter: async (seq, limit) => this.batches.slice(seq, seq + limit),
        linesAfter: async (id, limit) => this.entries.slice(id, id + limit).map((e, i) => ({ id: id + i + 1, line: accessLogLine(id + i + 1, toRow(e)) })),
        maxId: async () => this.entries.length,
      },
      sealed,
    );
  }
  async find(f: AccessLogFilter): Promise<AccessEntry[]> {
    return this.entries
      .filter((e) => e.agencyId === f.agencyId && (f.officerId === undefined || e.officerId === f.officerId) && (!f.from || e.at >= f.from) && (!f.to || e.at <= f.to))
      .reverse()
      .slice(0, f.limit);
  }
  async close(): Promise<void> {}
}

const SQLITE_SCHEMA = `
  CREATE TABLE IF NOT EXISTS access_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL, agency_id TEXT NOT NULL, officer_id TEXT, officer_count INTEGER,
    kind TEXT NOT NULL, route TEXT NOT NULL, format TEXT NOT NULL,
    principal_kind TEXT NOT NULL, principal_id TEXT NOT NULL, principal_name TEXT NOT NULL, principal_role TEXT NOT NULL,
    request_id TEXT, as_of TEXT, known_at TEXT
  ) STRICT;
  CREATE INDEX IF NOT EXISTS access_log_agency_at ON access_log (agency_id, at);
  CREATE INDEX IF NOT EXISTS access_log_officer_at ON access_log (agency_id, officer_id, at);
`;

const BATCHES_TABLE = 'access_log_batches';
const BATCH_COLUMNS = 'seq, first_id, last_id, rows, prev_hash, hash';
interface StoredBatch {
  seq: number | string;
  first_id: number | string;
  last_id: number | string;
  rows: number | string;
  prev_hash: string;
  hash: string;
}
const toBatch = (b: StoredBatch): BatchRow => ({ seq: Number(b.seq), firstId: Number(b.first_id), lastId: Number(b.last_id), rows: Number(b.rows), prevHash: b.prev_hash, hash: b.hash });
const lineOf = (r: Row & { id: number | string }): { id: number; line: string } => {
  const e = fromRow(r);
  return { id: Number(r.id), line: accessLogLine(Number(r.id), toRow(e)) };
};

export class SqliteAccessLogStore implements AccessLogStore {
  private readonly db: Database.Database;
  private readonly insertMany: Database.Transaction<(entries: readonly AccessEntry[]) => void>;

  constructor(file: string) {
    keepSqliteFilePrivate(file);
    this.db = new Database(file);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SQLITE_SCHEMA);
    const created = !this.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '${BATCHES_TABLE}'`).get();
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${BATCHES_TABLE} (seq INTEGER PRIMARY KEY, first_id INTEGER NOT NULL, last_id INTEGER NOT NULL, rows INTEGER NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL) STRICT`);
    const insert = this.db.prepare(`INSERT INTO access_log (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
    const last = this.db.prepare(`SELECT ${BATCH_COLUMNS} FROM ${BATCHES_TABLE} ORDER BY seq DESC LIMIT 1`);
    const rowsBetween = this.db.prepare(`SELECT id, ${COLUMNS.join(', ')} FROM access_log WHERE id BETWEEN ? AND ? ORDER BY id`);
    const insertBatch = this.db.prepare(`INSERT INTO ${BATCHES_TABLE} (${BATCH_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`);
    /** Seals the entries from `firstId` to `lastId` (as stored) as the next batch. */
    const seal = (firstId: number, lastId: number) => {
      const previous = last.get() as StoredBatch | undefined;
      const lines = (rowsBetween.all(firstId, lastId) as (Row & { id: number })[]).map((r) => lineOf(r).line);
      const prevHash = previous?.hash ?? ACCESS_LOG_GENESIS;
      insertBatch.run(previous ? Number(previous.seq) + 1 : 1, firstId, lastId, lines.length, prevHash, accessLogBatchHash(prevHash, lines));
    };
    this.insertMany = this.db.transaction((entries: readonly AccessEntry[]) => {
      let firstId = 0;
      let lastId = 0;
      for (const e of entries) {
        lastId = Number(insert.run(...toRow(e)).lastInsertRowid);
        firstId ||= lastId;
      }
      seal(firstId, lastId);
    });
    // A log from before the chain (docs/decisions.md W37): its entries become the first batch, once.
    if (created) {
      this.db.transaction(() => {
        const range = this.db.prepare('SELECT min(id) AS first, max(id) AS last FROM access_log').get() as { first: number | null; last: number | null };
        if (range.first !== null && range.last !== null) seal(range.first, range.last);
      }).immediate();
    }
  }

  async append(entries: readonly AccessEntry[]): Promise<void> {
    if (entries.length > 0) this.insertMany.immediate(entries);
  }

  async head(): Promise<AccessLogHead> {
    const last = this.db.prepare(`SELECT ${BATCH_COLUMNS} FROM ${BATCHES_TABLE} ORDER BY seq DESC LIMIT 1`).get() as StoredBatch | undefined;
    const rows = this.db.prepare(`SELECT coalesce(sum(rows), 0) AS n FROM ${BATCHES_TABLE}`).pluck().get() as number;
    return { batches: last ? Number(last.seq) : 0, rows, hash: last?.hash ?? ACCESS_LOG_GENESIS };
  }

  verify(sealed?: readonly AccessLogHead[]): Promise<string | undefined> {
    return readable(() =>
      walkChain(
        {
          head: async () => {
            const last = this.db.prepare(`SELECT ${BATCH_COLUMNS} FROM ${BATCHES_TABLE} ORDER BY seq DESC LIMIT 1`).get() as StoredBatch | undefined;
            return { seq: last ? Number(last.seq) : 0, lastId: last ? Number(last.last_id) : 0, rows: 0, hash: last?.hash ?? ACCESS_LOG_GENESIS };
          },
          batchesAfter: async (seq, limit) => (this.db.prepare(`SELECT ${BATCH_COLUMNS} FROM ${BATCHES_TABLE} WHERE seq > ? ORDER BY seq LIMIT ?`).all(seq, limit) as StoredBatch[]).map(toBatch),
          linesAfter: async (id, limit) => (this.db.prepare(`SELECT id, ${COLUMNS.join(', ')} FROM access_log WHERE id > ? ORDER BY id LIMIT ?`).all(id, limit) as (Row & { id: number })[]).map(lineOf),
          maxId: async () => (this.db.prepare('SELECT coalesce(max(id), 0) FROM access_log').pluck().get() as number),
        },
        sealed,
      ),
    );
  }

  async find(f: AccessLogFilter): Promise<AccessEntry[]> {
    const where = ['agency_id = ?'];
    const args: unknown[] = [f.agencyId];
    if (f.officerId !== undefined) (where.push('officer_id = ?'), args.push(f.officerId));
    if (f.from) (where.push('at >= ?'), args.push(f.from));
    if (f.to) (where.push('at <= ?'), args.push(f.to));
    const rows = this.db.prepare(`SELECT ${COLUMNS.join(', ')} FROM access_log WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT ?`).all(...args, f.limit) as Row[];
    return rows.map(fromRow);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

const POSTGRES_SCHEMA = `
  CREATE TABLE IF NOT EXISTS access_log (
    id BIGSERIAL PRIMARY KEY,
    at TEXT NOT NULL, agency_id TEXT NOT NULL, officer_id TEXT, officer_count INTEGER,
    kind TEXT NOT NULL, route TEXT NOT NULL, format TEXT NOT NULL,
    principal_kind TEXT NOT NULL, principal_id TEXT NOT NULL, principal_name TEXT NOT NULL, principal_role TEXT NOT NULL,
    request_id TEXT, as_of TEXT, known_at TEXT
  );
  CREATE INDEX IF NOT EXISTS access_log_agency_at ON access_log (agency_id, at);
  CREATE INDEX IF NOT EXISTS access_log_officer_at ON access_log (agency_id, officer_id, at);
`;

export class PostgresAccessLogStore implements AccessLogStore {
  private constructor(private readonly pool: Pool) {}

  static async open(url: string): Promise<PostgresAccessLogStore> {
    // synchronous_commit on, as the event store: a batch that was written survives a crash.
    // A connection that breaks (a server restart, pg_terminate_backend), idle or checked out, is
    // dropped, never a crash (src/store/postgres/postgres-pool.ts). The next batch is retried.
    const pool = guardedPool({ connectionString: url, max: 2, options: '-c synchronous_commit=on' });
    // Two servers starting on one database may race to create the table: the loser retries once.
    await pool.query(POSTGRES_SCHEMA).catch(() => pool.query(POSTGRES_SCHEMA));
    const store = new PostgresAccessLogStore(pool);
    await store.chainOnce().catch(() => store.chainOnce());
    return store;
  }

  /** Creates the batches table; a log from before the chain becomes its first batch, once (docs/decisions.md W37). */
  private async chainOnce(): Promise<void> {
    await this.inTransaction(async (client) => {
      const { rows: [exists] } = await client.query<{ t: string | null }>(`SELECT to_regclass('${BATCHES_TABLE}')::text AS t`);
      if (exists?.t) return;
      await client.query(`CREATE TABLE ${BATCHES_TABLE} (seq BIGINT PRIMARY KEY, first_id BIGINT NOT NULL, last_id BIGINT NOT NULL, rows INTEGER NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)`);
      await client.query(`LOCK TABLE ${BATCHES_TABLE} IN EXCLUSIVE MODE`);
      const { rows: [range] } = await client.query<{ first: string | null; last: string | null }>('SELECT min(id)::text AS first, max(id)::text AS last FROM access_log');
      if (range.first !== null && range.last !== null) await this.seal(client, Number(range.first), Number(range.last));
    });
  }

  private async inTransaction<T>(run: (client: import('pg').PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await run(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Seals the entries from `firstId` to `lastId`, as stored, as the next batch (under the table lock). */
  private async seal(client: import('pg').PoolClient, firstId: number, lastId: number): Promise<void> {
    const { rows: [previous] } = await client.query<StoredBatch>(`SELECT ${BATCH_COLUMNS} FROM ${BATCHES_TABLE} ORDER BY seq DESC LIMIT 1`);
    const { rows } = await client.query<Row & { id: string }>(`SELECT id, ${COLUMNS.join(', ')} FROM access_log WHERE id BETWEEN $1 AND $2 ORDER BY id`, [firstId, lastId]);
    const lines = rows.map((r) => lineOf(r).line);
    const prevHash = previous?.hash ?? ACCESS_LOG_GENESIS;
    await client.query(`INSERT INTO ${BATCHES_TABLE} (${BATCH_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)`, [previous ? Number(previous.seq) + 1 : 1, firstId, lastId, lines.length, prevHash, accessLogBatchHash(prevHash, lines)]);
  }

  async append(entries: readonly AccessEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const values: unknown[] = [];
    const tuples = entries.map((e, i) => {
      values.push(...toRow(e));
      return `(${COLUMNS.map((_, j) => `$${i * COLUMNS.length + j + 1}`).join(', ')})`;
    });
    // One batch at a time across servers: the chain has one order.
    await this.inTransaction(async (client) => {
      await client.query(`LOCK TABLE ${BATCHES_TABLE} IN EXCLUSIVE MODE`);
      const { rows } = await client.query<{ id: string }>(`INSERT INTO access_log (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} RETURNING id`, values);
      const ids = rows.map((r) => Number(r.id));
      await this.seal(client, Math.min(...ids), Math.max(...ids));
    });
  }

  async head(): Promise<AccessLogHead> {
    const { rows: [last] } = await this.pool.query<StoredBatch & { total: string }>(`SELECT ${BATCH_COLUMNS}, (SELECT coalesce(sum(rows), 0) FROM ${BATCHES_TABLE})::text AS total FROM ${BATCHES_TABLE} ORDER BY seq DESC LIMIT 1`);
    return { batches: last ? Number(last.seq) : 0, rows: last ? Number(last.total) : 0, hash: last?.hash ?? ACCESS_LOG_GENESIS };
  }

  verify(sealed?: readonly AccessLogHead[]): Promise<string | undefined> {
    return readable(() =>
      walkChain(
        {
          head: async () => {
            const { rows: [last] } = await this.pool.query<StoredBatch>(`SELECT ${BATCH_COLUMNS} FROM ${BATCHES_TABLE} ORDER BY seq DESC LIMIT 1`);
            return { seq: last ? Number(last.seq) : 0, lastId: last ? Number(last.last_id) : 0, rows: 0, hash: last?.hash ?? ACCESS_LOG_GENESIS };
          },
          batchesAfter: async (seq, limit) => (await this.pool.query<StoredBatch>(`SELECT ${BATCH_COLUMNS} FROM ${BATCHES_TABLE} WHERE seq > $1 ORDER BY seq LIMIT $2`, [seq, limit])).rows.map(toBatch),
          linesAfter: async (id, limit) => (await this.pool.query<Row & { id: string }>(`SELECT id, ${COLUMNS.join(', ')} FROM access_log WHERE id > $1 ORDER BY id LIMIT $2`, [id, limit])).rows.map(lineOf),
          maxId: async () => Number((await this.pool.query<{ m: string }>('SELECT coalesce(max(id), 0)::text AS m FROM access_log')).rows[0].m),
        },
        sealed,
      ),
    );
  }

  async find(f: AccessLogFilter): Promise<AccessEntry[]> {
    const where = ['agency_id = $1'];
    const args: unknown[] = [f.agencyId];
    const add = (sql: string, value: unknown) => {
      args.push(value);
      where.push(sql.replace('?', `$${args.length}`));
    };
    if (f.officerId !== undefined) add('officer_id = ?', f.officerId);
    if (f.from) add('at >= ?', f.from);
    if (f.to) add('at <= ?', f.to);
    args.push(f.limit);
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS.join(', ')} FROM access_log WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT $${args.length}`, args);
    return rows.map(fromRow);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The access log's store for an event store URL; `esdbDir` is where an EventStoreDB ledger keeps its local files. */
export async function openAccessLogStore(storeUrl: string | undefined, sqliteFile: string | undefined, esdbFile: string | undefined): Promise<AccessLogStore> {
  if (sqliteFile && sqliteFile !== ':memory:') return new SqliteAccessLogStore(sqliteFile);
  const url = storeUrl?.trim() ?? '';
  if (/^postgres(ql)?:\/\//i.test(url)) return PostgresAccessLogStore.open(url);
  if (/^(esdb|kurrentdb)(\+discover)?:\/\//i.test(url) && esdbFile) {
    (await import('node:fs')).mkdirSync(path.dirname(esdbFile), { recursive: true });
    return new SqliteAccessLogStore(esdbFile);
  }
  return new MemoryAccessLogStore();
}
