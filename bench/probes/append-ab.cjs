// node bench/probes/append-ab.cjs <sqlite|postgres> <rounds> name=<built checkout> ...: bulk and per-event appends of several checkouts interleaved in one process.
'use strict';
// The peer bench's 2,500 streams x 40 events appended 50 streams per appendMany, then 2,000 single-event appends with
// expected revisions; per checkout, the median wall and CPU (process.cpuUsage: the process's CPU, its JS and SQLite work,
// not fsync waits) µs per event. Each run on a fresh store (PostgreSQL: a database of its own, dropped).
const fs = require('node:fs'); const path = require('node:path'); const os = require('node:os');
const { buildWorkload } = require('../peer/workload.cjs');
const [store, roundsArg, ...specs] = process.argv.slice(2);
const variants = specs.map((s) => { const [name, dir] = s.split('='); return { name, dir, open: require(path.join(dir, 'dist/src/store/backends.js')).openEventStore }; });
const w = buildWorkload();
const toNew = (e) => ({ eventId: e.eventId, type: e.type, schemaVersion: 1, data: e.data, metadata: { recordedBy: e.recordedBy, correlationId: e.correlationId } });
const bulk = w.streams.map((s) => ({ name: s.name, events: s.events.map(toNew) }));
const singles = w.singles.slice(0, 2000).map((s) => ({ stream: s.stream, event: toNew(s.event) }));
const { Client } = require(path.join(variants[0].dir, 'node_modules/pg'));
async function pg(sql) { const c = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' }); await c.connect(); try { await c.query(sql); } finally { await c.end(); } }
const results = Object.fromEntries(variants.map((v) => [v.name, { bulkCpu: [], bulkWall: [], singleWall: [], singleCpu: [] }]));
(async () => {
  for (let r = 0; r < Number(roundsArg); r++) {
    const order = variants.map((_, i) => variants[(i + r) % variants.length]);
    for (const v of order) {
      let url, cleanup;
      if (store === 'sqlite') { const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'append-ab-')); url = `sqlite:${dir}/e.db`; cleanup = async () => fs.rmSync(dir, { recursive: true, force: true }); }
      else { const db = `append_ab_${process.pid}_${r}_${v.name}`; await pg(`CREATE DATABASE ${db}`); url = `postgres://postgres@127.0.0.1:5432/${db}`; cleanup = () => pg(`DROP DATABASE ${db} WITH (FORCE)`); }
      const es = await v.open(url);
      const c0 = process.cpuUsage(); const t0 = process.hrtime.bigint();
      for (let i = 0; i < bulk.length; i += 50) await es.appendMany(bulk.slice(i, i + 50).map((s) => ({ stream: s.name, events: s.events, expectedRevision: 'no_stream' })));
      const t1 = process.hrtime.bigint(); const c1 = process.cpuUsage(c0);
      const revs = new Map(bulk.map((s) => [s.name, s.events.length - 1]));
      const c2 = process.cpuUsage(); const t2 = process.hrtime.bigint();
      for (const s of singles) { const rev = revs.get(s.stream); await es.appendToStream(s.stream, [s.event], { expectedRevision: rev }); revs.set(s.stream, rev + 1); }
      const t3 = process.hrtime.bigint(); const c3 = process.cpuUsage(c2);
      const n = bulk.length * 40;
      const res = results[v.name];
      res.bulkCpu.push((c1.user + c1.system) / n); res.bulkWall.push(Number(t1 - t0) / 1000 / n);
      res.singleCpu.push((c3.user + c3.system) / singles.length); res.singleWall.push(Number(t3 - t2) / 1000 / singles.length);
      await es.close(); await cleanup();
      console.error(`round ${r} ${v.name}: bulk ${res.bulkWall.at(-1).toFixed(1)} µs/ev wall, ${res.bulkCpu.at(-1).toFixed(1)} cpu; single ${res.singleWall.at(-1).toFixed(0)} µs wall, ${res.singleCpu.at(-1).toFixed(0)} cpu; load ${os.loadavg()[0].toFixed(1)}`);
    }
  }
  const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
  for (const v of variants) { const r = results[v.name]; console.log(JSON.stringify({ store, variant: v.name, rounds: r.bulkCpu.length, bulkWallUsPerEvent: +med(r.bulkWall).toFixed(2), bulkCpuUsPerEvent: +med(r.bulkCpu).toFixed(2), bulkCpuMin: +Math.min(...r.bulkCpu).toFixed(2), singleWallUs: +med(r.singleWall).toFixed(0), singleCpuUs: +med(r.singleCpu).toFixed(0), singleCpuMin: +Math.min(...r.singleCpu).toFixed(0) })); }
})().catch((e) => { console.error(e); process.exit(1); });
