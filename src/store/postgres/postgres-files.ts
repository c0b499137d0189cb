/** The PostgreSQL adapter's files (written by the append, postgres-append.ts): reads by SHA-256, and pages in SHA-256 order. */
import type { SqlFiles } from '../sql/sql-event-store';
import type { Query } from './postgres-errors';

export class PostgresFiles implements SqlFiles {
  constructor(private readonly query: Query) {}

  async read(sha256: string): Promise<Buffer | undefined> {
    const { rows } = (await this.query('SELECT bytes FROM files WHERE sha256 = $1', [sha256])) as { rows: { bytes: Buffer }[] };
    return rows[0]?.bytes;
  }

  async page(after: string, limit: number): Promise<{ sha256: string; bytes: Buffer }[]> {
    // COLLATE "C": byte order, as SQLite's and the memory store's.
    const { rows } = (await this.query('SELECT sha256, bytes FROM files WHERE sha256 COLLATE "C" > $1 ORDER BY sha256 COLLATE "C" LIMIT $2', [after, limit])) as {
      rows: { sha256: string; bytes: Buffer }[];
    };
    return rows;
  }
}
