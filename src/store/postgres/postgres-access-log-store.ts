/**
 * The access log of a PostgreSQL ledger (docs/decisions.md W28): a table `access_log` in the
 * same database as the events (its own small pool), chained in batches
 * (src/access-log/access-log-chain.ts, docs/decisions.md W37); appends serialised by a lock on
 * the batches table.
 */
import type { Pool } from 'pg';
import { ACCESS_LOG_GENESIS, accessLogBatchHash, type AccessLogHead } from '../../../events/access-log';
import { BATCH_COLUMNS, BATCHES_TABLE, COLUMNS, fromRow, lineOf, readable, toBatch, toRow, walkChain, type Row, type StoredBatch } from '../../access-log/access-log-chain';
import type { AccessEntry, AccessLogFilter, AccessLogStore } from '../../access-log/access-log-store';
import { guardedPool } from './postgres-pool';

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
    if (f.principalId !== undefined) add('principal_id = ?', f.principalId);
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
