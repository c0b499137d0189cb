// usage: node bench/probes/sqlite-reads-ab.cjs <checkout with dist/ built>: writes the peer workload with that checkout's SQLite store, then times read-all (5×) and the 2,000 stream reads (3×), in the same process and after reopening
const path = require('node:path'); const fs = require('node:fs');
const root = process.argv[2];
const { openEventStore } = require(path.join(root, 'dist/src/store/backends.js'));
const { buildWorkload } = require('../peer/workload.cjs');
const { performance } = require('node:perf_hooks');
(async () => {
  const w = buildWorkload();
  const file = path.join(require('node:os').tmpdir(), `sro-reads-ab-${process.pid}.db`);
  for (const f of [file, file + '-wal', file + '-shm']) fs.rmSync(f, { force: true });
  let es = await openEventStore(`sqlite:${file}`);
  const toNew = (e) => ({ eventId: e.eventId, type: e.type, schemaVersion: 1, data: e.data, metadata: { recordedBy: e.recordedBy, correlationId: e.correlationId } });
  for (const s of w.streams) await es.appendToStream(s.name, s.events.map(toNew), { expectedRevision: 'no_stream' });
  const count = new Map(w.streams.map((s) => [s.name, 40]));
  for (const s of w.singles) { const b = count.get(s.stream); await es.appendToStream(s.stream, [toNew(s.event)], { expectedRevision: b - 1 }); count.set(s.stream, b + 1); }
  const measure = async (label) => {
    const ra = [];
    for (let i = 0; i < 5; i++) { const t = performance.now(); let n = 0; for await (const e of es.readAll({ batchSize: 500 })) if (e.data) n++; ra.push(n / ((performance.now() - t) / 1000)); }
    const p50s = [];
    for (let i = 0; i < 3; i++) { const lat = []; for (const name of w.reads) { const t = performance.now(); await es.readStream(name); lat.push(performance.now() - t); } lat.sort((a, b) => a - b); p50s.push(lat[Math.floor(lat.length / 2)]); }
    ra.sort((a, b) => a - b); p50s.sort((a, b) => a - b);
    console.log(label, JSON.stringify({ readAllMedian: Math.round(ra[2]), readAllAll: ra.map(Math.round), streamP50Median: +p50s[1].toFixed(3) }));
  };
  await measure('same process');
  await es.close();
  es = await openEventStore(`sqlite:${file}`);
  await measure('reopened');
  await es.close();
  for (const f of [file, file + '-wal', file + '-shm']) fs.rmSync(f, { force: true });
})();
