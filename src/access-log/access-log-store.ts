/**
 * Where the access log is kept (decisions W28): a table `access_log` beside the events, in the
 * same SQLite file (its own connection, WAL, synchronous FULL) or PostgreSQL database (its own
 * small pool); for EventStoreDB, a SQLite file beside the ledger's default key file; in memory
 * for `memory:` (lost on exit, as that store is). Entries are appended in batches, one
 * transaction (so one fsync) each, and read newest first.
 */
import Database from 'better-sqlite3';
import { keepSqliteFilePrivate } from '../store/sqlite/sqlite-file-mode';
import path from 'node:path';
import type { Pool } from 'pg';
import { guardedPool } from '../store/postgres/postgres-pool';

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
  close(): Promise<void>;
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
  async append(entries: readonly AccessEntry[]): Promise<void> {
    this.entries.push(...entries);
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

export class SqliteAccessLogStore implements AccessLogStore {
  private readonly db: Database.Database;
  private readonly insertMany: (entries: readonly AccessEntry[]) => void;

  constructor(file: string) {
    keepSqliteFilePrivate(file);
    this.db = new Database(file);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SQLITE_SCHEMA);
    const insert = this.db.prepare(`INSERT INTO access_log (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
    this.insertMany = this.db.transaction((entries: readonly AccessEntry[]) => {
      for (const e of entries) insert.run(...toRow(e));
    });
  }

  async append(entries: readonly AccessEntry[]): Promise<void> {
    if (entries.length > 0) this.insertMany(entries);
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
    return new PostgresAccessLogStore(pool);
  }

  async append(entries: readonly AccessEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const values: unknown[] = [];
    const tuples = entries.map((e, i) => {
      values.push(...toRow(e));
      return `(${COLUMNS.map((_, j) => `$${i * COLUMNS.length + j + 1}`).join(', ')})`;
    });
    await this.pool.query(`INSERT INTO access_log (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, values);
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
