/**
 * The access log of a SQLite ledger (docs/decisions.md W28): a table `access_log` in the same
 * file as the events (its own connection, WAL, synchronous FULL), chained in batches
 * (src/access-log/access-log-chain.ts, docs/decisions.md W37). An EventStoreDB ledger keeps its
 * access log in such a file too, beside its default key file.
 */
import Database from 'better-sqlite3';
import { ACCESS_LOG_GENESIS, accessLogBatchHash, type AccessLogHead } from '../../../events/access-log';
import { BATCH_COLUMNS, BATCHES_TABLE, COLUMNS, fromRow, lineOf, readable, toBatch, toRow, walkChain, type Row, type StoredBatch } from '../../access-log/access-log-chain';
import type { AccessEntry, AccessLogFilter, AccessLogStore } from '../../access-log/access-log-store';
import { keepSqliteFilePrivate } from './sqlite-file-mode';

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
    if (f.principalId !== undefined) (where.push('principal_id = ?'), args.push(f.principalId));
    if (f.from) (where.push('at >= ?'), args.push(f.from));
    if (f.to) (where.push('at <= ?'), args.push(f.to));
    const rows = this.db.prepare(`SELECT ${COLUMNS.join(', ')} FROM access_log WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT ?`).all(...args, f.limit) as Row[];
    return rows.map(fromRow);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
