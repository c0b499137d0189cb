'use strict';
// Isolates the SQLite side of the product's bulk append: the product's exact schema, pragmas and
// statements, fed precomputed rows (no validation, no hashing), against variants.
// usage: node bench/probes/sqlite-id-index-variants.cjs <variant>   variants: raw | product (UNIQUE(event_id), schema 3) | product-nouuidx (no uniqueness) | tailN (schema 4's merged index, a merge every N ids, e.g. tail16384)
const path = require('node:path');
const fs = require('node:fs');
const { createRequire } = require('node:module');
const { performance } = require('node:perf_hooks');
const Database = require('better-sqlite3');
const { buildWorkload } = require('../peer/workload.cjs');

const variant = process.argv[2] ?? 'product';
const file = path.join((process.env.PEER_DATA || require('path').join(require('os').tmpdir(), 'peer-data')), `exp-${variant}-${process.pid}.db`);
fs.mkdirSync(path.dirname(file), { recursive: true });
const rm = () => { for (const f of [file, file + '-wal', file + '-shm']) fs.rmSync(f, { force: true }); };
rm();
const db = new Database(file);
db.pragma('busy_timeout = 5000');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
if (variant !== 'product-nofk') db.pragma('foreign_keys = ON');
if (variant !== 'product-nocache' && variant !== 'raw') db.pragma('cache_size = -65536');
const w = buildWorkload();
const hash = 'a'.repeat(64);
const now = new Date().toISOString();
let tx;
if (variant === 'raw') {
  db.exec(`CREATE TABLE raw_events (position INTEGER PRIMARY KEY, event_id TEXT NOT NULL, stream TEXT NOT NULL, revision INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL);
           CREATE INDEX raw_events_stream ON raw_events (stream, revision);`);
  const ins = db.prepare('INSERT INTO raw_events (event_id, stream, revision, type, data) VALUES (?, ?, ?, ?, ?)');
  tx = db.transaction((s) => s.events.forEach((e, i) => ins.run(e.eventId, s.name, i, e.type, e.json)));
} else {
  const autoinc = variant === 'product-noautoinc' ? '' : 'AUTOINCREMENT';
  const uq = (variant === 'product-nouuidx' || variant.startsWith('tail')) ? '' : 'UNIQUE';
  db.exec(`CREATE TABLE streams (stream TEXT NOT NULL PRIMARY KEY, revision INTEGER NOT NULL CHECK (revision >= 0), hash TEXT NOT NULL, last_recorded_at TEXT NOT NULL) STRICT;
  CREATE TABLE events (position INTEGER PRIMARY KEY ${autoinc}, event_id TEXT NOT NULL ${uq}, stream TEXT NOT NULL REFERENCES streams (stream), revision INTEGER NOT NULL,
    type TEXT NOT NULL, schema_version INTEGER NOT NULL, data TEXT NOT NULL, recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL, correlation_id TEXT NOT NULL,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE (stream, revision)) STRICT;`);
  const head = db.prepare('SELECT stream, revision, hash, last_recorded_at FROM streams WHERE stream = ?');
  const insHead = db.prepare('INSERT INTO streams (stream, revision, hash, last_recorded_at) VALUES (?, ?, ?, ?)');
  const ins = db.prepare(`INSERT INTO events (event_id, stream, revision, type, schema_version, data, recorded_at, recorded_by, correlation_id, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const t = db.transaction((s) => {
    head.get(s.name);
    insHead.run(s.name, s.events.length - 1, hash, now);
    s.events.forEach((e, i) => ins.run(e.eventId, s.name, i, e.type, 1, e.json, now, e.recordedBy, e.correlationId, hash, hash));
  });
  tx = (s) => t.immediate(s);
  if (variant.startsWith('tail')) {
    const MERGE = Number(variant.slice(4)) || 16384;
    db.exec(`CREATE TABLE event_ids (event_id TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID, STRICT;
             CREATE TABLE event_ids_merged (id INTEGER PRIMARY KEY CHECK (id = 1), through INTEGER NOT NULL) STRICT;
             INSERT INTO event_ids_merged VALUES (1, 0);`);
    const probe = db.prepare('SELECT position FROM event_ids WHERE event_id = ?');
    const mergedQ = db.prepare('SELECT through FROM event_ids_merged WHERE id = 1').pluck();
    const tailQ = db.prepare('SELECT position, event_id FROM events WHERE position > ? ORDER BY position');
    const merge = db.prepare('INSERT INTO event_ids (event_id, position) SELECT event_id, position FROM events WHERE position > ? ORDER BY event_id');
    const setMerged = db.prepare('UPDATE event_ids_merged SET through = ? WHERE id = 1');
    const lastPos = db.prepare('SELECT max(position) FROM events').pluck();
    const tail = new Map(); let tailThrough = 0; let mergedThrough = 0;
    const t2 = db.transaction((s) => {
      const m = mergedQ.get();
      if (m !== mergedThrough) { tail.clear(); tailThrough = m; mergedThrough = m; }
      for (const r of tailQ.iterate(tailThrough)) { tail.set(r.event_id, r.position); tailThrough = r.position; }
      for (const e of s.events) { if (tail.has(e.eventId) || probe.get(e.eventId)) throw new Error('dup'); }
      head.get(s.name);
      insHead.run(s.name, s.events.length - 1, hash, now);
      s.events.forEach((e, i) => { const info = ins.run(e.eventId, s.name, i, e.type, 1, e.json, now, e.recordedBy, e.correlationId, hash, hash); tail.set(e.eventId, Number(info.lastInsertRowid)); tailThrough = Number(info.lastInsertRowid); });
      if (tail.size >= MERGE) { merge.run(mergedThrough); setMerged.run(tailThrough); mergedThrough = tailThrough; tail.clear(); }
    });
    tx = (s) => t2.immediate(s);
  }
}
for (const s of w.streams) for (const e of s.events) e.json = JSON.stringify(e.data);
const io = () => Object.fromEntries(fs.readFileSync('/proc/self/io', 'utf8').trim().split('\n').map((l) => l.split(': ')).map(([k, v]) => [k, Number(v)]));
const io0 = io();
const c0 = process.cpuUsage();
const t0 = performance.now();
for (const s of w.streams) tx(s);
const dt = (performance.now() - t0) / 1000;
const c = process.cpuUsage(c0);
const io1 = io();
const walPages = db.pragma('wal_checkpoint(PASSIVE)')[0];
console.log(JSON.stringify({ variant, eventsPerSec: Math.round(100000 / dt), wallSec: +dt.toFixed(3), userSec: +(c.user / 1e6).toFixed(3), sysSec: +(c.system / 1e6).toFixed(3), dbMb: +(fs.statSync(file).size / 1048576).toFixed(1), writtenMb: +((io1.wchar - io0.wchar) / 1048576).toFixed(0), writeSyscalls: io1.syscw - io0.syscw }));
db.close();
rm();
