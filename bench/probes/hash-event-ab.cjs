// node bench/probes/hash-event-ab.cjs <checkout A> <checkout B> [rounds]: hashEvent and the canonical JSON of `data`, A and B interleaved in one process.
'use strict';
// The peer bench's 100,000 events (bench/peer/workload.cjs), as chainEvents hands them to
// hashEvent; each checkout's dist/ built. Checks that both give the same hashes, then prints the
// median and the least µs per event of each over the rounds (the least is the least disturbed by
// other work on the machine). B's canonical JSON is events/canonical-json.js when it has one.
const path = require('node:path');
const [a, b, rounds = '11'] = process.argv.slice(2);
if (!a || !b) throw new Error('usage: node bench/probes/hash-event-ab.cjs <checkout A> <checkout B> [rounds]');
const hashA = require(path.join(path.resolve(a), 'dist/events/integrity.js')).hashEvent;
const hashB = require(path.join(path.resolve(b), 'dist/events/integrity.js')).hashEvent;
const canonicalize = require(path.join(path.resolve(a), 'node_modules/canonicalize'));
let canonB = canonicalize;
try {
  canonB = require(path.join(path.resolve(b), 'dist/events/canonical-json.js')).canonicalJson;
} catch {
  // an older checkout: canonicalize itself
}
const { buildWorkload } = require('../peer/workload.cjs');
const fields = [];
for (const s of buildWorkload().streams) {
  s.events.forEach((e, i) =>
    fields.push({ eventId: e.eventId, stream: s.name, revision: i, type: e.type, schemaVersion: 1, data: JSON.parse(JSON.stringify(e.data)), recordedAt: new Date().toISOString(), recordedBy: e.recordedBy, correlationId: e.correlationId, prevHash: 'a'.repeat(64) }),
  );
}
for (const f of fields) if (hashA(f) !== hashB(f)) throw new Error(`the two checkouts hash event ${f.eventId} differently`);
const time = (fn) => {
  const t0 = process.hrtime.bigint();
  let sink = 0;
  for (const f of fields) sink += fn(f).length;
  return sink > 0 ? Number(process.hrtime.bigint() - t0) / 1000 / fields.length : NaN;
};
const r = { 'hashEvent A': [], 'hashEvent B': [], 'canonical data A': [], 'canonical data B': [] };
for (let round = 0; round < Number(rounds); round++) {
  r['hashEvent A'].push(time(hashA));
  r['hashEvent B'].push(time(hashB));
  r['canonical data A'].push(time((f) => canonicalize(f.data)));
  r['canonical data B'].push(time((f) => canonB(f.data)));
}
const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
for (const [k, xs] of Object.entries(r)) console.log(`${k}: median ${median(xs).toFixed(2)} µs/event, least ${Math.min(...xs).toFixed(2)} (${xs.length} rounds, ${fields.length} events)`);
