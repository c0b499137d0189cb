/**
 * The processors' checkpoints in the events' PostgreSQL database, and the lead as an advisory
 * lock (docs/decisions.md W43). The lock is session-level, held on a connection of its own (not
 * one of the pool's, which come and go): while that session lives, no other server gets the lock.
 * The connection has an 'error' listener from the start (as every pooled one has, postgres-pool.ts):
 * a session ended by the server (pg_terminate_backend, a restart, a failover) does not take the
 * process down; it is lost leadership, PostgreSQL releases the lock with the session, and the next
 * round of the runner connects again and tries for it (another server may have it by then).
 */
import { createHash } from 'node:crypto';
import { Client, type Pool } from 'pg';
import { guardedPool } from './postgres-pool';
import type { Claim, ProcessorStore } from '../../processors/processor-store.port';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS processor_checkpoints (
    processor TEXT PRIMARY KEY,
    position  BIGINT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS processor_claims (
    processor  TEXT NOT NULL,
    key        TEXT NOT NULL,
    claimant   TEXT NOT NULL,
    claimed_at BIGINT NOT NULL,
    PRIMARY KEY (processor, key)
  );
`;

/** A 64-bit advisory lock key for a name (as src/store/postgres/postgres-locks.ts derives the store's). */
const lockKey = (name: string) => BigInt.asIntN(64, createHash('sha256').update(name).digest().readBigUInt64BE(0)).toString();
/** The advisory lock of the processors' lead (session-level, held as long as a server leads). */
export const PROCESSOR_LEAD_LOCK = lockKey('sro-compliance/processors-lead');
/** Held (transaction-level) while the table is created: never the lead's, which a server holds for hours. */
const PROCESSOR_SCHEMA_LOCK = lockKey('sro-compliance/processors-schema');

/**
 * A server whose lock connection was lost waits this long before trying for the lock again, so
 * that another server, whose connection is sound, takes over rather than the one that just failed.
 */
export const RETAKE_AFTER_MS = 3_000;

export class PostgresProcessorStore implements ProcessorStore {
  private lock?: { client: Client; lost: boolean };
  private lostAt?: number;
  private closed = false;

  private constructor(
    private readonly url: string,
    private readonly pool: Pool,
  ) {}

  static async open(url: string): Promise<PostgresProcessorStore> {
    const pool = guardedPool({ connectionString: url, max: 2 });
    try {
      const client = await pool.connect();
      try {
        // Concurrent starts create the table once (CREATE TABLE IF NOT EXISTS alone can collide).
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [PROCESSOR_SCHEMA_LOCK]);
        await client.query(SCHEMA);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresProcessorStore(url, pool);
  }

  async checkpoint(processor: string): Promise<number> {
    const { rows } = await this.pool.query<{ position: string }>('SELECT position FROM processor_checkpoints WHERE processor = $1', [processor]);
    return rows.length ? Number(rows[0].position) : 0;
  }

  async saveCheckpoint(processor: string, position: number): Promise<void> {
    await this.pool.query(
      'INSERT INTO processor_checkpoints (processor, position) VALUES ($1, $2) ON CONFLICT (processor) DO UPDATE SET position = GREATEST(processor_checkpoints.position, excluded.position)',
      [processor, position],
    );
  }

  async claim(processor: string, key: string, claimant: string, at: number): Promise<Claim> {
    await this.pool.query('INSERT INTO processor_claims (processor, key, claimant, claimed_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [processor, key, claimant, at]);
    const { rows } = await this.pool.query<{ claimant: string; claimed_at: string }>('SELECT claimant, claimed_at FROM processor_claims WHERE processor = $1 AND key = $2', [processor, key]);
    return { claimant: rows[0].claimant, at: Number(rows[0].claimed_at) };
  }

  async lead(): Promise<boolean> {
    if (this.closed) return false;
    if (this.lock && !this.lock.lost) {
      // Still ours only while its session lives: a round trip proves it.
      try {
        await this.lock.client.query('SELECT 1');
        return true;
      } catch {
        this.lock.lost = true;
      }
    }
    if (this.lock?.lost) {
      this.drop();
      this.lostAt = Date.now();
    }
    if (this.lostAt !== undefined && Date.now() - this.lostAt < RETAKE_AFTER_MS) return false;
    this.lostAt = undefined;
    const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 5000 });
    const held = { client, lost: false };
    client.on('error', () => (held.lost = true));
    client.on('end', () => (held.lost = true));
    try {
      await client.connect();
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [PROCESSOR_LEAD_LOCK]);
      if (rows[0]?.locked && !held.lost) {
        this.lock = held;
        return true;
      }
    } catch {
      // the server cannot be reached now: not the leader; the next round tries again
    }
    await client.end().catch(() => undefined);
    return false;
  }

  private drop(): void {
    const old = this.lock;
    this.lock = undefined;
    old?.client.end().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    // Ending the session releases the lock at once: another server takes the lead on its next round.
    const old = this.lock;
    this.lock = undefined;
    await old?.client.end().catch(() => undefined);
    await this.pool.end();
  }
}
