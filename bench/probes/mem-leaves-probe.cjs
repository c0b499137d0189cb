// usage: node --expose-gc bench/probes/mem-leaves-probe.cjs <dist of a checkout, e.g. $PWD/dist>: array-buffer bytes one MerkleLeaves of 1,054,832 leaves holds, and its sampled peak while it grows (docs/performance.md "Memory at the default size")
const { MerkleLeaves, leafHash } = require(process.argv[2] + '/events/merkle.js');
const n = 1_054_832;
global.gc();
const before = process.memoryUsage().arrayBuffers;
const leaves = new MerkleLeaves();
let peak = 0;
const leaf = leafHash(Buffer.from('x'));
for (let i = 0; i < n; i++) {
  leaves.push(leaf);
  if (i % 4096 === 0) peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
}
global.gc();
console.log(JSON.stringify({ leaves: leaves.size, heldMiB: +((process.memoryUsage().arrayBuffers - before) / 2 ** 20).toFixed(2), sampledPeakMiB: +(peak / 2 ** 20).toFixed(2) }));
