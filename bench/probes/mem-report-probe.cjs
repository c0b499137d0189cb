// usage: node --expose-gc --max-old-space-size=384 bench/probes/mem-report-probe.cjs [officers=2500]: heap held by the agency report cache (GetAgencyStatusQuery of the largest agency, three asOf), and the report's JSON size
require('reflect-metadata');
const d = require('node:path').resolve('dist');
const { createHttpApp } = require(d + '/src/http/create-http-app.js');
const { importDataset, sqliteBenchStore } = require(d + '/bench/measure.js');
const { ProjectionRunner } = require(d + '/src/read-models/projection-runner.js');
const { GetAgencyStatusQuery } = require(d + '/src/agencies/agency-status.js');
const { QueryBus } = require('@nestjs/cqrs');
const mb = (n) => +(n / 2 ** 20).toFixed(1);
const live = () => { global.gc(); global.gc(); return process.memoryUsage().heapUsed; };
(async () => {
  const store = sqliteBenchStore();
  const app = await createHttpApp({ store: store.store, logger: ['error'], unnamedReads: 'warn', ledger: { keyFile: store.keyFile, checkpointIntervalMs: 0, verifyIntervalMs: 0 } });
  await app.init();
  await app.get(ProjectionRunner).stop();
  const { dataset } = await importDataset(app, Number(process.argv[2] ?? 2500));
  const q = app.get(QueryBus);
  const a = dataset.agencies[0];
  await app.get(ProjectionRunner).rebuild();
  const base = live();
  const out = { officers: a.officers };
  for (const [i, asOf] of ['2027-03-01', '2027-03-02', '2027-03-03'].entries()) {
    let view = await q.execute(new GetAgencyStatusQuery(a.agencyId, { asOf, knownAt: new Date().toISOString() }));
    out[`json${i}`] = mb(JSON.stringify(view).length);
    out[`withView${i}`] = mb(live() - base);
    view = undefined;
    out[`cacheOnly${i}`] = mb(live() - base);
  }
  console.log(JSON.stringify(out));
  await app.close();
  await store.dispose();
  process.exit(0);
})();
