// usage: node --max-old-space-size=384 bench/probes/mem-import-ab.cjs <officers> <cache KiB> (DIST=<dist>): the import alone, appendEventsPerSec and peak RSS; the dist's sqlite-event-store.js must read its cache_size from SRO_EXP_CACHE_KIB (a copy patched with sed: cache_size = ${process.env.SRO_EXP_CACHE_KIB ? -Number(process.env.SRO_EXP_CACHE_KIB) : -16384}); run the sizes alternately
require('reflect-metadata');
const d = require('node:path').resolve(process.env.DIST ?? 'dist');
const { createHttpApp } = require(d + '/src/http/create-http-app.js');
const { importDataset, sqliteBenchStore } = require(d + '/bench/measure.js');
const { ProjectionRunner } = require(d + '/src/read-models/projection-runner.js');
(async () => {
  process.env.SRO_EXP_CACHE_KIB = process.argv[3];
  const store = sqliteBenchStore();
  const app = await createHttpApp({ store: store.store, logger: ['error'], unnamedReads: 'warn', ledger: { keyFile: store.keyFile, checkpointIntervalMs: 0, verifyIntervalMs: 0 } });
  await app.init();
  await app.get(ProjectionRunner).stop();
  const r = await importDataset(app, Number(process.argv[2]));
  console.log(JSON.stringify({ cacheKiB: Number(process.argv[3]), events: r.dataset.imported, appendEventsPerSec: Math.round(r.appendEventsPerSec), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
  await app.close();
  await store.dispose();
  process.exit(0);
})();
