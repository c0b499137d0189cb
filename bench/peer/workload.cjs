'use strict';
// Shared, seeded workload: 2,500 streams officer-N x 40 events, 8 types, ~200-byte JSON data with an ISO date.
const STREAMS = Number(process.env.PEER_STREAMS ?? 2500);
const PER_STREAM = 40;
const SINGLE_APPENDS = 5000;
const STREAM_READS = 2000;
const TYPES = ['OfficerRegistered', 'AssignmentStarted', 'AssignmentEnded', 'CourseCompleted',
  'CertificateIssued', 'PolicyReviewed', 'SubstituteDaysRecorded', 'GraceDeclared'];
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function uuidFrom(rng) {
  const h = [];
  for (let i = 0; i < 16; i++) h.push(Math.floor(rng() * 256));
  h[6] = (h[6] & 0x0f) | 0x40; h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
// PEER_IDS=v7: time-ordered ids (what the product's own newEventId() = uuid v7 gives), in append order.
// PEER_IDS=mixed: the product's real mix: every fifth id idempotent (the UUIDv5 of an
// Idempotency-Key or a CSV row's key: random, version nibble 5), the others UUIDv7.
const ID_KIND = process.env.PEER_IDS ?? 'v4';
let v7ms = Date.UTC(2025, 9, 23);
let idCount = 0;
function eventIdFrom(rng) {
  if (ID_KIND === 'mixed' && idCount++ % 5 === 4) {
    const r = uuidFrom(rng);
    return `${r.slice(0, 14)}5${r.slice(15)}`;
  }
  if (ID_KIND !== 'v7' && ID_KIND !== 'mixed') return uuidFrom(rng);
  const r = uuidFrom(rng);
  const ts = (v7ms++).toString(16).padStart(12, '0');
  return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7${r.slice(15, 18)}-${r.slice(19)}`;
}
function isoDate(rng) {
  const ms = Date.UTC(2024, 0, 1) + Math.floor(rng() * 7 * 365) * 86400000;
  return new Date(ms).toISOString().slice(0, 10);
}
function dataFor(rng, n, i, type) {
  const words = [];
  for (let k = 0; k < 5; k++) words.push(WORDS[Math.floor(rng() * WORDS.length)]);
  return {
    officerId: `officer-${n}`,
    agencyId: `agency-${n % 4}`,
    effectiveDate: isoDate(rng),
    sequence: i,
    kind: type,
    hours: Math.round(rng() * 400) / 10,
    courseCode: `C-${Math.floor(rng() * 100000)}`,
    certified: rng() < 0.5,
    note: words.join(' '),
  };
}
/** Generic events, identical for every contender: { eventId, type, data, recordedBy, correlationId }. */
function buildWorkload(seed = 20251023) {
  const rng = mulberry32(seed);
  const streams = [];
  for (let n = 0; n < STREAMS; n++) {
    const name = `officer-${n}`;
    const correlationId = uuidFrom(rng);
    const events = [];
    for (let i = 0; i < PER_STREAM; i++) {
      const type = TYPES[Math.floor(rng() * TYPES.length)];
      events.push({ eventId: eventIdFrom(rng), type, data: dataFor(rng, n, i, type), recordedBy: 'bench', correlationId });
    }
    streams.push({ name, events });
  }
  const singles = [];
  for (let k = 0; k < SINGLE_APPENDS; k++) {
    const n = k % STREAMS;
    const type = TYPES[Math.floor(rng() * TYPES.length)];
    singles.push({ stream: `officer-${n}`, event: { eventId: eventIdFrom(rng), type, data: dataFor(rng, n, PER_STREAM + Math.floor(k / STREAMS), type), recordedBy: 'bench', correlationId: uuidFrom(rng) } });
  }
  const reads = [];
  for (let k = 0; k < STREAM_READS; k++) reads.push(`officer-${Math.floor(rng() * STREAMS)}`);
  return { streams, singles, reads, perStream: PER_STREAM, totalEvents: STREAMS * PER_STREAM + SINGLE_APPENDS };
}
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}
module.exports = { buildWorkload, percentile, TYPES, STREAMS, PER_STREAM };
