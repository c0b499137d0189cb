'use strict';
// Interleaved driver: for each repetition, runs product, emmett and raw (order rotated each
// repetition) in fresh child processes, one at a time; then prints medians and ratios.
// usage: node run-all.cjs <sqlite|postgres> [reps=5]
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');

const store = process.argv[2] ?? 'sqlite';
const reps = Number(process.argv[3] ?? 5);
// PEER_BEFORE set: a fourth contender, `before` (the product from that checkout).
const contenders = process.env.PEER_BEFORE ? ['before', 'product', 'emmett', 'raw'] : ['product', 'emmett', 'raw'];
const tag = process.env.PEER_IDS && process.env.PEER_IDS !== 'v4' ? `${store}-${process.env.PEER_IDS}ids` : store;
const outDir = process.env.PEER_DATA || path.join(os.tmpdir(), 'peer-data');
fs.mkdirSync(outDir, { recursive: true });
const outFile = path.join(outDir, `results-${tag}.jsonl`);
fs.writeFileSync(outFile, '');
const results = [];
for (let r = 0; r < reps; r++) {
  const order = contenders.map((_, i) => contenders[(i + r) % contenders.length]);
  for (const c of order) {
    const load = os.loadavg()[0].toFixed(2);
    const res = spawnSync(process.execPath, [path.join(__dirname, 'bench-one.cjs'), c, store, String(r)], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (res.status !== 0) { process.stderr.write(res.stderr); throw new Error(`${c} rep ${r} failed (${res.status})`); }
    const line = res.stdout.trim().split('\n').pop();
    const obj = { ...JSON.parse(line), loadavg1: Number(load) };
    results.push(obj);
    fs.appendFileSync(outFile, JSON.stringify(obj) + '\n');
    console.error(`rep ${r} ${c}: ${line}`);
  }
}
const metrics = [
  ['bulkEventsPerSec', 'bulk append (events/s)', true],
  ['singleEventsPerSec', 'per-event append (events/s)', true],
  ['readAllEventsPerSec', 'read all (events/s)', true],
  ['streamReadP50Ms', 'one-stream read p50 (ms)', false],
  ['streamReadP99Ms', 'one-stream read p99 (ms)', false],
  ['bulkCpuSec', 'bulk append CPU s (process, all threads)', false],
];
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const med = {};
for (const c of contenders) {
  med[c] = {};
  for (const [k] of metrics) med[c][k] = median(results.filter((x) => x.contender === c).map((x) => x[k]));
}
const fmt = (v) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : String(+v.toFixed(3)));
const hasBefore = contenders.includes('before');
const lines = [`### ${tag} (median of ${reps}; per-run values in ${path.basename(outFile)})`, '',
  hasBefore ? '| metric | before | product | Emmett | raw | before/Emmett | product/Emmett | product/raw |' : '| metric | product | Emmett | raw | product/Emmett | product/raw |',
  hasBefore ? '|---|---|---|---|---|---|---|---|' : '|---|---|---|---|---|---|'];
for (const [k, label, higherBetter] of metrics) {
  const p = med.product[k], e = med.emmett[k], w = med.raw[k];
  // Ratios are product:other on the metric itself (for latencies > 1 means the product is slower).
  if (hasBefore) lines.push(`| ${label} | ${fmt(med.before[k])} | ${fmt(p)} | ${fmt(e)} | ${fmt(w)} | ${(med.before[k] / e).toFixed(2)} | ${(p / e).toFixed(2)} | ${(p / w).toFixed(2)} |`);
  else lines.push(`| ${label} | ${fmt(p)} | ${fmt(e)} | ${fmt(w)} | ${(p / e).toFixed(2)} | ${(p / w).toFixed(2)} |`);
}
lines.push('', 'range (min-max) per contender:');
for (const c of contenders) {
  const rs = results.filter((x) => x.contender === c);
  lines.push(`- ${c}: ` + metrics.map(([k]) => `${k} ${fmt(Math.min(...rs.map((x) => x[k])))}-${fmt(Math.max(...rs.map((x) => x[k])))}`).join('; ') + `; settings ${JSON.stringify(rs[0].settings)}`);
}
const table = lines.join('\n');
fs.writeFileSync(path.join(outDir, `table-${tag}.md`), table + '\n');
console.log(table);
