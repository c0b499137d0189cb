/**
 * The stores the benchmark runs on (bench/measure.ts): a fresh SQLite file or a fresh PostgreSQL
 * database, each with its raw-speed references (a bare table, plain statements, the same
 * durability) and its size after the run.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '../src/store/event-store.port';

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

export type StoreKind = 'sqlite' | 'postgres';

/** Raw-speed references on the same store: a bare table, plain statements, same durability. */
export interface RawOps {
  /** Copies every row of `events` into a bare table with plain prepared inserts, `batchSize` rows per transaction; returns the time spent inserting. */
  rawInsert(batchSize: number): Promise<{ rows: number; ms: number }>;
  /** Reads every row of `events` in position order, in pages, and JSON.parses its data. */
  rawRead(pageSize: number): Promise<{ rows: number; ms: number }>;
  close(): Promise<void>;
}

export interface BenchStore {
  kind: StoreKind;
  /** What AppModule gets: a URL, or an open store. */
  store: string | EventStore;
  /** The ledger signing key of this run (its checkpoint log beside it), in a directory of its own. */
  keyFile: string;
  raw: () => Promise<RawOps>;
  /**
   * After the run, every connection of the app closed: the database's size (SQLite: its pages in
   * use after a WAL checkpoint; PostgreSQL: pg_database_size) and the read models' JSON
   * (the projection_documents' doc text), in MB.
   */
  size: () => Promise<{ dbFileMb: number; readModelMb: number }>;
  dispose(): Promise<void>;
}

/** A fresh SQLite file in a temporary directory. */
export function sqliteBenchStore(): BenchStore {
  const dir = mkdtempSync(join(tmpdir(), 'sro-bench-'));
  const file = join(dir, 'bench.db');
  return {
    kind: 'sqlite',
    store: `sqlite:${file}`,
    keyFile: join(dir, 'ledger-key.pem'),
    raw: async () => sqliteRaw(file),
    size: async () => {
      const db = new Database(file);
      try {
        db.pragma('wal_checkpoint(TRUNCATE)');
        const docs = db.prepare<[], { n: number | null }>('SELECT sum(length(CAST(doc AS BLOB))) AS n FROM projection_documents').get()!.n ?? 0;
        // Pages in use: the raw-insert reference leaves the file at its high-water mark (its table
        // is dropped, its pages stay free in the file), which would hide what the read models take.
        const pages = Number(db.pragma('page_count', { simple: true })) - Number(db.pragma('freelist_count', { simple: true }));
        return { dbFileMb: (pages * Number(db.pragma('page_size', { simple: true }))) / 2 ** 20, readModelMb: docs / 2 ** 20 };
      } finally {
        db.close();
      }
    },
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function sqliteRaw(file: string): RawOps {
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  type Row = Record<string, unknown> & { position: number; data: string };
  const page = db.prepare<[number, number], Row>(
    'SELECT position, event_id, stream, revision, type, schema_version, data, recorded_at, recorded_by, correlation_id, prev_hash, hash FROM events WHERE position > ? ORDER BY position LIMIT ?',
  );
  return {
    async rawInsert(batchSize) {
      db.exec(`DROP TABLE IF EXISTS raw_events;
        CREATE TABLE raw_events (position INTEGER PRIMARY KEY, event_id TEXT NOT NULL, stream TEXT NOT NULL, revision INTEGER NOT NULL,
          type TEXT NOT NULL, schema_version INTEGER NOT NULL, data TEXT NOT NULL, recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL,
          correlation_id TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL) STRICT;`);
      const insert = db.prepare(
        'INSERT INTO raw_events (event_id, stream, revision, type, schema_version, data, recorded_at, recorded_by, correlation_id, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      const tx = db.transaction((rows: Row[]) => {
        for (const r of rows) insert.run(r.event_id, r.stream, r.revision, r.type, r.schema_version, r.data, r.recorded_at, r.recorded_by, r.correlation_id, r.prev_hash, r.hash);
      });
      let after = 0;
      let rows = 0;
      let total = 0;
      for (;;) {
        const batch = page.all(after, batchSize); // reading the source is not timed
        if (batch.length === 0) break;
        after = batch[batch.length - 1].position;
        const start = process.hrtime.bigint();
        tx.immediate(batch);
        total += ms(start);
        rows += batch.length;
      }
      db.exec('DROP TABLE raw_events');
      return { rows, ms: total };
    },
    async rawRead(pageSize) {
      const start = process.hrtime.bigint();
      let after = 0;
      let rows = 0;
      for (;;) {
        const batch = page.all(after, pageSize);
        if (batch.length === 0) break;
        after = batch[batch.length - 1].position;
        for (const r of batch) {
          JSON.parse(r.data);
          rows++;
        }
      }
      return { rows, ms: ms(start) };
    },
    async close() {
      db.close();
    },
  };
}

/** A fresh PostgreSQL database on `baseUrl` (dropped by dispose). */
export async function postgresBenchStore(baseUrl: string): Promise<BenchStore> {
  const { Client } = await import('pg');
  const name = `sro_bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} ENCODING 'UTF8' TEMPLATE template0`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const keyDir = mkdtempSync(join(tmpdir(), 'sro-bench-key-'));
  return {
    kind: 'postgres',
    store: url.toString(),
    keyFile: join(keyDir, 'ledger-key.pem'),
    raw: async () => postgresRaw(url.toString()),
    async size() {
      const c = new Client({ connectionString: url.toString() });
      await c.connect();
      try {
        const db = Number((await c.query('SELECT pg_database_size(current_database()) AS n')).rows[0].n);
        const docs = Number((await c.query('SELECT coalesce(sum(octet_length(doc::text)), 0) AS n FROM projection_documents')).rows[0].n);
        return { dbFileMb: db / 2 ** 20, readModelMb: docs / 2 ** 20 };
      } finally {
        await c.end();
      }
    },
    async dispose() {
      const c = new Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      rmSync(keyDir, { recursive: true, force: true });
    },
  };
}

async function postgresRaw(url: string): Promise<RawOps> {
  const { Client } = await import('pg');
  const source = new Client({ connectionString: url });
  const target = new Client({ connectionString: url });
  await source.connect();
  await target.connect();
  await target.query('SET synchronous_commit = on');
  const cols = 'event_id, stream, revision, type, schema_version, data, recorded_at, recorded_by, correlation_id, prev_hash, hash';
  const pageOf = async (after: number, n: number) =>
    (await source.query({ text: `SELECT position, ${cols}, data::text AS data_text FROM events WHERE position > $1 ORDER BY position LIMIT $2`, values: [after, n], rowMode: 'array' })).rows as unknown[][];
  return {
    async rawInsert(batchSize) {
      await target.query(`DROP TABLE IF EXISTS raw_events; CREATE TABLE raw_events (position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id text NOT NULL, stream text NOT NULL, revision integer NOT NULL, type text NOT NULL, schema_version integer NOT NULL, data jsonb NOT NULL,
        recorded_at text NOT NULL, recorded_by text NOT NULL, correlation_id text NOT NULL, prev_hash text NOT NULL, hash text NOT NULL)`);
      let after = 0;
      let rows = 0;
      let total = 0;
      for (;;) {
        const batch = await pageOf(after, batchSize);
        if (batch.length === 0) break;
        after = Number(batch[batch.length - 1][0]);
        const start = process.hrtime.bigint();
        await target.query('BEGIN');
        // A plain prepared insert per row (named statement), as the adapter would do without batching tricks.
        for (const r of batch) {
          await target.query({ name: 'raw_insert', text: `INSERT INTO raw_events (${cols}) VALUES ($1,$2,$3,$4,$5,$6::jsonb,$7,$8,$9,$10,$11)`, values: [r[1], r[2], r[3], r[4], r[5], r[12], r[7], r[8], r[9], r[10], r[11]] });
        }
        await target.query('COMMIT');
        total += ms(start);
        rows += batch.length;
      }
      await target.query('DROP TABLE raw_events');
      return { rows, ms: total };
    },
    async rawRead(pageSize) {
      const start = process.hrtime.bigint();
      let after = 0;
      let rows = 0;
      for (;;) {
        const batch = await pageOf(after, pageSize);
        if (batch.length === 0) break;
        after = Number(batch[batch.length - 1][0]);
        for (const r of batch) {
          JSON.parse(r[12] as string);
          rows++;
        }
      }
      return { rows, ms: ms(start) };
    },
    async close() {
      await source.end();
      await target.end();
    },
  };
}
