'use strict';
// One contender, one store, one repetition, in a fresh process. Prints one JSON line last.
// usage: node bench-one.cjs <product|before|emmett|raw> <sqlite|postgres> <rep>
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');
const { performance } = require('node:perf_hooks');
const { buildWorkload, percentile } = require('./workload.cjs');

// `before`: the same product adapter from another checkout (PEER_BEFORE, e.g. a worktree of the
// base commit with its dist/ built), for before/after comparisons in one interleaved run.
const PRODUCT = (process.argv[2] === 'before' ? process.env.PEER_BEFORE : process.env.PEER_PRODUCT) || process.cwd();
const EMMETT = (process.env.PEER_EMMETT || require('path').join(require('os').tmpdir(), 'peer-emmett'));
const reqProduct = createRequire(path.join(PRODUCT, 'package.json'));
const reqEmmett = createRequire(path.join(EMMETT, 'package.json'));
const DATA_DIR = (process.env.PEER_DATA || require('path').join(require('os').tmpdir(), 'peer-data'));
const PG_ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';
const pgUrl = (db) => `postgres://postgres@127.0.0.1:5432/${db}`;
const READ_BATCH = Number(process.env.PEER_READ_BATCH ?? 500); // the product's DEFAULT_READ_BATCH; Emmett and raw use the same page size

const [contender, store, rep = '0'] = process.argv.slice(2);
const log = (...a) => console.error(`[${contender}/${store}#${rep}]`, ...a);

function rmDb(file) {
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) fs.rmSync(f, { force: true });
}

async function pgAdmin(sql) {
  const { Client } = reqProduct('pg');
  const c = new Client({ connectionString: PG_ADMIN });
  await c.connect();
  try { await c.query(sql); } finally { await c.end(); }
}

// ---------------------------------------------------------------- contenders
// Each returns { settings, bulk(streams), single(stream, ev, revBefore), readAll() -> count, readStream(name) -> events[], close() }
// revBefore: number of events in the stream before this append (0-based revision of last = revBefore-1).

async function productContender(w) {
  // backends.js since the stores moved into one folder per backend; open-event-store.js before (a 'before' checkout).
  const { openEventStore } = (() => { try { return reqProduct('./dist/src/store/backends.js'); } catch { return reqProduct('./dist/src/store/open-event-store.js'); } })();
  let url, cleanup, settings;
  if (store === 'sqlite') {
    const file = path.join(DATA_DIR, `product-${process.pid}.db`);
    rmDb(file);
    url = `sqlite:${file}`;
    cleanup = () => rmDb(file);
  } else {
    const db = `peer_product_${process.pid}`;
    await pgAdmin(`CREATE DATABASE ${db}`);
    url = pgUrl(db);
    cleanup = () => (process.env.PEER_KEEP ? log('kept database', db) : pgAdmin(`DROP DATABASE ${db} WITH (FORCE)`));
  }
  const es = await openEventStore(url);
  if (store === 'sqlite') {
    const s = es.settings();
    settings = { journalMode: s.journalMode, synchronous: s.synchronous, sqliteVersion: reqProduct('better-sqlite3')(':memory:').prepare('select sqlite_version() v').get().v };
  } else {
    // Ask the store's own pool (private field) what its sessions run with.
    const pool = es.pool ?? Object.values(es).find((v) => v && typeof v.query === 'function' && typeof v.connect === 'function');
    settings = pool ? { synchronous_commit: (await pool.query('SHOW synchronous_commit')).rows[0].synchronous_commit } : { synchronous_commit: 'on (set by adapter; pool not found)' };
  }
  // Pre-built NewEvents (outside timing).
  const toNew = (e) => ({ eventId: e.eventId, type: e.type, schemaVersion: 1, data: e.data, metadata: { recordedBy: e.recordedBy, correlationId: e.correlationId } });
  const bulkInput = w.streams.map((s) => ({ name: s.name, events: s.events.map(toNew) }));
  const singleInput = w.singles.map((s) => ({ stream: s.stream, event: toNew(s.event) }));
  return {
    settings,
    bulkInput, singleInput,
    bulk: async (s) => { await es.appendToStream(s.name, s.events, { expectedRevision: 'no_stream' }); },
    single: async (s, revBefore) => { await es.appendToStream(s.stream, [s.event], { expectedRevision: revBefore - 1 }); },
    readAll: async () => { let n = 0; for await (const e of es.readAll({ batchSize: READ_BATCH })) { if (e.data) n++; } return n; },
    readStream: (name) => es.readStream(name),
    close: async () => { await es.close(); await cleanup(); },
  };
}

async function emmettContender(w) {
  let es, readBatch, close, settings;
  const toEmmett = (e) => ({ type: e.type, data: e.data, metadata: { messageId: e.eventId, recordedBy: e.recordedBy, correlationId: e.correlationId } });
  if (store === 'sqlite') {
    const { getSQLiteEventStore, sqliteConnection, readMessagesBatch } = reqEmmett('@event-driven-io/emmett-sqlite');
    const file = path.join(DATA_DIR, `emmett-${process.pid}.db`);
    rmDb(file);
    // Best configuration: one ambient (singleton) connection for the whole run; without it the
    // pool opens (and closes) a new sqlite3 connection for every call on a file database.
    const connection = sqliteConnection({ fileName: file });
    // sqliteConnection() sends 'PRAGMA journal_mode = WAL' without waiting for it; it can lose the
    // race with the migration's BEGIN IMMEDIATE (seen: 1 run in 8 stayed in journal_mode=delete).
    // Awaiting it once here gives Emmett the WAL mode it intends, every run.
    await connection.command('PRAGMA journal_mode = WAL');
    es = getSQLiteEventStore({ fileName: file, schema: { autoMigration: 'CreateOrUpdate' }, connectionOptions: { singleton: true, connection } });
    await es.schema.migrate();
    const sync = await connection.querySingle('PRAGMA synchronous');
    const jm = await connection.querySingle('PRAGMA journal_mode');
    const ver = await connection.querySingle('select sqlite_version() v');
    settings = { journalMode: jm.journal_mode, synchronous: ['OFF', 'NORMAL', 'FULL', 'EXTRA'][sync.synchronous], sqliteVersion: ver.v };
    readBatch = (after) => readMessagesBatch(connection, { after, batchSize: READ_BATCH });
    close = async () => { connection.close(); await new Promise((r) => setTimeout(r, 50)); rmDb(file); };
  } else {
    const { getPostgreSQLEventStore, readMessagesBatch } = reqEmmett('@event-driven-io/emmett-postgresql');
    const { dumbo, rawSql } = reqEmmett('@event-driven-io/dumbo');
    const db = `peer_emmett_${process.pid}`;
    await pgAdmin(`CREATE DATABASE ${db}`);
    const url = pgUrl(db);
    const pool = dumbo({ connectionString: url });
    es = getPostgreSQLEventStore(url, { connectionOptions: { dumbo: pool } });
    await es.schema.migrate();
    const rows = await pool.execute.query(rawSql('SHOW synchronous_commit'));
    settings = { synchronous_commit: rows.rows[0].synchronous_commit };
    readBatch = (after) => readMessagesBatch(pool.execute, { after, batchSize: READ_BATCH });
    close = async () => { await pool.close(); if (!process.env.PEER_KEEP) await pgAdmin(`DROP DATABASE ${db} WITH (FORCE)`); else log('kept database', db); };
  }
  const bulkInput = w.streams.map((s) => ({ name: s.name, events: s.events.map(toEmmett) }));
  const singleInput = w.singles.map((s) => ({ stream: s.stream, event: toEmmett(s.event) }));
  return {
    settings,
    bulkInput, singleInput,
    // 0n = "the stream must not exist" in Emmett's SQLite and PostgreSQL stores (their default
    // stream version); STREAM_DOES_NOT_EXIST is mapped to "no check" by both (toExpectedVersion).
    bulk: async (s) => { await es.appendToStream(s.name, s.events, { expectedStreamVersion: 0n }); },
    single: async (s, revBefore) => { await es.appendToStream(s.stream, [s.event], { expectedStreamVersion: BigInt(revBefore) }); },
    readAll: async () => {
      let n = 0; let after = 0n;
      for (;;) {
        const { messages, currentGlobalPosition, areEventsLeft, areMessagesLeft } = await readBatch(after);
        for (const m of messages) if (m.data) n++;
        after = currentGlobalPosition;
        if (!(areEventsLeft ?? areMessagesLeft) || messages.length === 0) break;
      }
      return n;
    },
    readStream: async (name) => (await es.readStream(name)).events,
    close,
  };
}

async function rawContender(w) {
  let settings;
  const bulkInput = w.streams.map((s) => ({ name: s.name, events: s.events }));
  const singleInput = w.singles;
  if (store === 'sqlite') {
    const Database = reqProduct('better-sqlite3');
    const file = path.join(DATA_DIR, `raw-${process.pid}.db`);
    rmDb(file);
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE raw_events (position INTEGER PRIMARY KEY, event_id TEXT NOT NULL, stream TEXT NOT NULL,
             revision INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL);
             CREATE INDEX raw_events_stream ON raw_events (stream, revision);`);
    settings = { journalMode: db.pragma('journal_mode', { simple: true }), synchronous: ['OFF', 'NORMAL', 'FULL', 'EXTRA'][db.pragma('synchronous', { simple: true })], sqliteVersion: db.prepare('select sqlite_version() v').get().v };
    const ins = db.prepare('INSERT INTO raw_events (event_id, stream, revision, type, data) VALUES (?, ?, ?, ?, ?)');
    const insStream = db.transaction((s) => { s.events.forEach((e, i) => ins.run(e.eventId, s.name, i, e.type, JSON.stringify(e.data))); });
    const page = db.prepare('SELECT position, event_id, stream, revision, type, data FROM raw_events WHERE position > ? ORDER BY position LIMIT ?');
    const byStream = db.prepare('SELECT position, event_id, stream, revision, type, data FROM raw_events WHERE stream = ? ORDER BY revision');
    return {
      settings, bulkInput, singleInput,
      bulk: async (s) => { insStream(s); },
      single: async (s, revBefore) => { ins.run(s.event.eventId, s.stream, revBefore, s.event.type, JSON.stringify(s.event.data)); },
      readAll: async () => {
        let n = 0; let after = 0;
        for (;;) {
          const rows = page.all(after, READ_BATCH);
          if (rows.length === 0) return n;
          for (const r of rows) if (JSON.parse(r.data)) n++;
          after = rows[rows.length - 1].position;
        }
      },
      readStream: async (name) => byStream.all(name).map((r) => ({ ...r, data: JSON.parse(r.data) })),
      close: async () => { db.close(); rmDb(file); },
    };
  }
  // PostgreSQL: one connection, one multi-row INSERT (unnest) per stream = one transaction.
  const { Client } = reqProduct('pg');
  const db = `peer_raw_${process.pid}`;
  await pgAdmin(`CREATE DATABASE ${db}`);
  const c = new Client({ connectionString: pgUrl(db) });
  await c.connect();
  await c.query(`CREATE TABLE raw_events (position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, event_id text NOT NULL,
                 stream text NOT NULL, revision integer NOT NULL, type text NOT NULL, data jsonb NOT NULL);
                 CREATE INDEX raw_events_stream ON raw_events (stream, revision);`);
  settings = { synchronous_commit: (await c.query('SHOW synchronous_commit')).rows[0].synchronous_commit };
  const INS_MANY = 'INSERT INTO raw_events (event_id, stream, revision, type, data) SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::jsonb[])';
  return {
    settings, bulkInput, singleInput,
    bulk: async (s) => {
      await c.query({ name: 'ins_many', text: INS_MANY, values: [s.events.map((e) => e.eventId), s.events.map(() => s.name), s.events.map((_, i) => i), s.events.map((e) => e.type), s.events.map((e) => JSON.stringify(e.data))] });
    },
    single: async (s, revBefore) => {
      await c.query({ name: 'ins_one', text: 'INSERT INTO raw_events (event_id, stream, revision, type, data) VALUES ($1, $2, $3, $4, $5)', values: [s.event.eventId, s.stream, revBefore, s.event.type, JSON.stringify(s.event.data)] });
    },
    readAll: async () => {
      let n = 0; let after = 0;
      for (;;) {
        const { rows } = await c.query({ name: 'page', text: 'SELECT position, event_id, stream, revision, type, data FROM raw_events WHERE position > $1 ORDER BY position LIMIT $2', values: [after, READ_BATCH] });
        if (rows.length === 0) return n;
        for (const r of rows) if (r.data) n++;
        after = Number(rows[rows.length - 1].position);
      }
    },
    readStream: async (name) => (await c.query({ name: 'by_stream', text: 'SELECT position, event_id, stream, revision, type, data FROM raw_events WHERE stream = $1 ORDER BY revision', values: [name] })).rows,
    close: async () => { await c.end(); await pgAdmin(`DROP DATABASE ${db} WITH (FORCE)`); },
  };
}

// ---------------------------------------------------------------- measurement
async function main() {
  fs.mkdirSync(DATA_DIR, { recursive: true });
  const w = buildWorkload();
  const make = { product: productContender, before: productContender, emmett: emmettContender, raw: rawContender }[contender];
  if (!make || !['sqlite', 'postgres'].includes(store)) throw new Error('usage: bench-one.cjs <product|before|emmett|raw> <sqlite|postgres> [rep]');
  const c = await make(w);
  const out = { contender, store, rep: Number(rep), settings: c.settings };
  try {
    // 1. bulk: one append per stream, 40 events, expected "no stream"
    const cpuSec = (u0) => { const u = process.cpuUsage(u0); return +((u.user + u.system) / 1e6).toFixed(3); };
    let cpu0 = process.cpuUsage();
    let t0 = performance.now();
    for (const s of c.bulkInput) await c.bulk(s);
    let dt = (performance.now() - t0) / 1000;
    out.bulkEventsPerSec = Math.round(w.streams.length * w.perStream / dt);
    out.bulkSec = +dt.toFixed(3);
    out.bulkCpuSec = cpuSec(cpu0);
    log('bulk', out.bulkEventsPerSec, 'ev/s');
    if (process.env.PEER_PHASES === 'bulk') { console.log(JSON.stringify(out)); return; }

    // 2. single-event appends, round-robin, each with the expected revision
    const count = new Map(w.streams.map((s) => [s.name, w.perStream]));
    cpu0 = process.cpuUsage();
    t0 = performance.now();
    for (const s of c.singleInput) {
      const before = count.get(s.stream);
      await c.single(s, before);
      count.set(s.stream, before + 1);
    }
    dt = (performance.now() - t0) / 1000;
    out.singleEventsPerSec = Math.round(c.singleInput.length / dt);
    out.singleSec = +dt.toFixed(3);
    out.singleCpuSec = cpuSec(cpu0);
    log('single', out.singleEventsPerSec, 'ev/s');

    // 3. read all in global order
    t0 = performance.now();
    const n = await c.readAll();
    dt = (performance.now() - t0) / 1000;
    if (n !== w.totalEvents) throw new Error(`readAll returned ${n} events, expected ${w.totalEvents}`);
    out.readAllEventsPerSec = Math.round(n / dt);
    log('readAll', out.readAllEventsPerSec, 'ev/s');

    // 4. one-stream reads
    const lat = [];
    let got = 0, expected = 0;
    for (const name of w.reads) {
      const t = performance.now();
      const evs = await c.readStream(name);
      lat.push(performance.now() - t);
      got += evs.length; expected += count.get(name);
    }
    if (got !== expected) throw new Error(`readStream returned ${got} events, expected ${expected}`);
    lat.sort((a, b) => a - b);
    out.streamReadP50Ms = +percentile(lat, 50).toFixed(3);
    out.streamReadP99Ms = +percentile(lat, 99).toFixed(3);
    log('readStream p50/p99', out.streamReadP50Ms, out.streamReadP99Ms);
  } finally {
    await c.close();
  }
  out.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify(out));
}

main().catch((err) => { console.error(err); process.exit(1); });
