// usage: node --expose-gc bench/probes/mem-enrolled-probe.cjs <absolute path of a checkout's dist, e.g. $PWD/dist>: heap a ChainVerifier retains after 25,000 roster enrolments (with and without it, after gc)
const d = process.argv[2];
const { ChainVerifier } = require(d + '/events/integrity.js');
const { hashEvent, GENESIS_HASH } = require(d + '/events/integrity.js');
const { randomUUID } = require('node:crypto');
const n = 25_000;
const make = (stream, revision, prevHash, type, data) => {
  const e = { eventId: randomUUID(), stream, revision, position: 0, type, schemaVersion: 1, data, recordedAt: new Date(1_700_000_000_000 + revision).toISOString(), recordedBy: 'bench-import', correlationId: randomUUID(), prevHash };
  return { ...e, hash: hashEvent(e) };
};
const events = [];
let prev = GENESIS_HASH;
for (let i = 0; i < n; i++) {
  const e = make('roster-bench-pd-1', i, prev, 'OfficerEnrolled', { officerId: `o-${i}`, name: `Officer ${i}`, licenseNumber: `L-${i}`, role: 'SRO', enrolledAt: '2024-01-01' });
  prev = e.hash;
  events.push(JSON.stringify(e));
}
let chains = new ChainVerifier();
for (const line of events) chains.add(JSON.parse(line));
const ok = !chains.firstBroken;
global.gc(); global.gc();
const withChains = process.memoryUsage().heapUsed;
chains = null;
global.gc(); global.gc();
console.log(JSON.stringify({ enrolments: n, ok, retainedMb: +((withChains - process.memoryUsage().heapUsed) / 2 ** 20).toFixed(1), events: events.length }));
