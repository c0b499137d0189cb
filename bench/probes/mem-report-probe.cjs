// usage: node --expose-gc --max-old-space-size=384 bench/probes/mem-report-probe.cjs [officers=2500]: heap held by the agency report cache (GetAgencyStatusQuery of the largest agency, three asOf), and the report's JSON size
const d = require('node:path').resolve('dist');
const { startProbeApp } = require('./probe-app.cjs');
const { ProjectionRunner } = require(d + '/src/read-models/projection-runner.js');
const { GetAgencyStatusQuery } = require(d + '/src/agencies/agency-status.js');
const { QueryBus } = require('@nestjs/cqrs');
const mb = (n) => +(n / 2 ** 20).toFixed(1);
const live = () => { global.gc(); global.gc(); return process.memoryUsage().heapUsed; };
(async () => {
  const { app, store, importDataset } = await startProbeApp(d);
  const { dataset } = await importDataset(Number(process.argv[2] ?? 2500));
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
