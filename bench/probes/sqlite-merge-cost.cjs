// usage: node bench/probes/sqlite-merge-cost.cjs [N=1000000]: an event_ids index of N random ids, then three merges of 16,384 more as schema 4 does them; prints each merge's time and the WAL it wrote
const Database = require('better-sqlite3');
const { randomUUID } = require('node:crypto');
const fs = require('node:fs');
const file = require('node:path').join(require('node:os').tmpdir(), `sro-merge-cost-${process.pid}.db`); for (const f of [file, file + '-wal', file + '-shm']) fs.rmSync(f, { force: true });
const db = new Database(file); db.pragma('journal_mode = WAL'); db.pragma('synchronous = FULL'); db.pragma('cache_size = -65536');
db.exec('CREATE TABLE event_ids (event_id TEXT NOT NULL PRIMARY KEY, position INTEGER NOT NULL) STRICT, WITHOUT ROWID; CREATE TABLE tail (position INTEGER PRIMARY KEY, event_id TEXT NOT NULL)');
const N = Number(process.argv[2] ?? 1000000);
const ins = db.prepare('INSERT INTO event_ids VALUES (?, ?)');
const ids = Array.from({ length: N }, () => randomUUID()).sort();
db.transaction(() => ids.forEach((id, i) => ins.run(id, i + 1)))();
db.pragma('wal_checkpoint(TRUNCATE)');
const tailIns = db.prepare('INSERT INTO tail VALUES (?, ?)');
for (let r = 0; r < 3; r++) {
  db.exec('DELETE FROM tail');
  db.transaction(() => { for (let i = 0; i < 16384; i++) tailIns.run(N + r * 16384 + i + 1, randomUUID()); })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  const t = process.hrtime.bigint();
  db.transaction(() => db.prepare('INSERT INTO event_ids SELECT event_id, position FROM tail ORDER BY event_id').run()).immediate();
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  console.log({ indexIds: N + r * 16384, mergeMs: Math.round(ms), walMb: +(fs.statSync(file + '-wal').size / 1048576).toFixed(1) });
}
db.close(); for (const f of [file, file + '-wal', file + '-shm']) fs.rmSync(f, { force: true });
