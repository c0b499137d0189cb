/** The SQLite adapter's files (written by the append, sqlite-append.ts): reads by SHA-256, and pages in SHA-256 order. */
import type Database from 'better-sqlite3';
import type { SqlFiles } from '../sql/sql-event-store';

export class SqliteFiles implements SqlFiles {
  private readonly one: Database.Statement<[string], { bytes: Buffer }>;
  private readonly after: Database.Statement<[string, number], { sha256: string; bytes: Buffer }>;

  constructor(db: Database.Database) {
    this.one = db.prepare('SELECT bytes FROM files WHERE sha256 = ?');
    this.after = db.prepare('SELECT sha256, bytes FROM files WHERE sha256 > ? ORDER BY sha256 LIMIT ?');
  }

  read(sha256: string): Buffer | undefined {
    return this.one.get(sha256)?.bytes;
  }

  page(after: string, limit: number): { sha256: string; bytes: Buffer }[] {
    return this.after.all(after, limit);
  }
}
