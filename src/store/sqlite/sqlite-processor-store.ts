/**
 * The processors' checkpoints in the events' SQLite file (own connection, WAL), and the lead as a
 * lease row in the same file (docs/decisions.md W43). SQLite serves one machine: usually one
 * server process, which leads by construction. Two processes on one file (possible, and tested
 * by test/e2e/two-servers.e2e.spec.ts) take turns through the lease: the holder renews it once a
 * third of it is used; another process takes it only when it has not been renewed for LEASE_MS
 * (its holder stopped or hangs). A lease can outlive a hung holder's work, so effects
 * stay idempotent (processor.ts).
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { keepSqliteFilePrivate } from './sqlite-file-mode';
import type { Claim, ProcessorStore } from '../../processors/processor-store.port';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS processor_checkpoints (
    processor TEXT PRIMARY KEY,
    position  INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE IF NOT EXISTS processor_claims (
    processor  TEXT NOT NULL,
    key        TEXT NOT NULL,
    claimant   TEXT NOT NULL,
    claimed_at INTEGER NOT NULL,
    PRIMARY KEY (processor, key)
  ) STRICT;
  CREATE TABLE IF NOT EXISTS processor_lease (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    holder     TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT;
`;

/** How long a lease lasts without renewal. */
export const LEASE_MS = 15_000;

export class SqliteProcessorStore implements ProcessorStore {
  private readonly db: Database.Database;
  private readonly holder = randomUUID();
  /** Until when this process is known to hold the lease (0: it does not). */
  private heldUntil = 0;
  private readonly stmt;

  constructor(file: string, private readonly clock: () => number = Date.now) {
    keepSqliteFilePrivate(file);
    this.db = new Database(file);
    // better-sqlite3 waits synchronously: a short wait, so that another process's long write
    // transaction never stalls this server's event loop for long (a busy round is skipped).
    this.db.pragma('busy_timeout = 1000');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
    this.stmt = {
      get: this.db.prepare<[string], { position: number }>('SELECT position FROM processor_checkpoints WHERE processor = ?'),
      save: this.db.prepare<[string, number]>(
        'INSERT INTO processor_checkpoints (processor, position) VALUES (?, ?) ON CONFLICT (processor) DO UPDATE SET position = max(position, excluded.position)',
      ),
      // One statement: take the lease if it is free, expired or already ours; renew it if ours.
      lead: this.db.prepare<[string, number, number]>(
        `INSERT INTO processor_lease (id, holder, expires_at) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE processor_lease.holder = excluded.holder OR processor_lease.expires_at < ?`,
      ),
      claim: this.db.prepare<[string, string, string, number]>('INSERT INTO processor_claims (processor, key, claimant, claimed_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'),
      claimed: this.db.prepare<[string, string], { claimant: string; claimed_at: number }>('SELECT claimant, claimed_at FROM processor_claims WHERE processor = ? AND key = ?'),
      release: this.db.prepare<[string]>('DELETE FROM processor_lease WHERE holder = ?'),
    };
  }

  async checkpoint(processor: string): Promise<number> {
    return this.stmt.get.get(processor)?.position ?? 0;
  }

  async saveCheckpoint(processor: string, position: number): Promise<void> {
    this.stmt.save.run(processor, position);
  }

  async claim(processor: string, key: string, claimant: string, at: number): Promise<Claim> {
    this.stmt.claim.run(processor, key, claimant, at);
    const row = this.stmt.claimed.get(processor, key)!;
    return { claimant: row.claimant, at: row.claimed_at };
  }

  async lead(): Promise<boolean> {
    const now = this.clock();
    // Renewed when a third of it is used: not one write (and fsync) per round.
    if (this.heldUntil - now > (LEASE_MS * 2) / 3) return true;
    try {
      this.heldUntil = this.stmt.lead.run(this.holder, now + LEASE_MS, now).changes === 1 ? now + LEASE_MS : 0;
    } catch (error) {
      // The file is busy with another process's write: still the leader while the lease known to be ours lasts.
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
    }
    return this.heldUntil > now;
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.heldUntil = 0;
    this.stmt.release.run(this.holder);
    this.db.close();
  }
}
