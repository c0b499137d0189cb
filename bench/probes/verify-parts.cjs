// usage: npm run bench once (builds dist/bench), then node --max-old-space-size=384 bench/probes/verify-parts.cjs (PROFILE_RUN=i: a CPU profile of run i; RUNS=n verifications, default 4): the quick data set (OFFICERS=2500) imported, then verifications with the time of each part (the pass over the log, the checkpoints, the id index, the access log, the files, the read models), the first one full, the next ones after 1 % of the officers moved (incremental read models: docs/integrity.md)
process.chdir(require('node:path').join(__dirname, '../..'));
const { startProbeApp } = require('./probe-app.cjs');
const { ProjectionRunner } = require('../../dist/src/read-models/projection-runner.js');
const { CheckpointService } = require('../../dist/src/ledger/checkpoint-service.js');
const { IntegrityMonitor } = require('../../dist/src/ledger/integrity-monitor.js');
const { BulkImporter } = require('../../dist/src/import/bulk-import.js');
const { EVENT_STORE } = require('../../dist/src/store/event-store.port.js');
const { officerStreamPrefix } = require('../../dist/events/streams.js');
const G = require('../../dist/bench/generate.js');
const t = {}; let on = false;
function wrap(obj, name, label) {
  const f = obj[name];
  obj[name] = function (...a) {
    if (!on) return f.apply(this, a);
    const s = process.hrtime.bigint(); const r = f.apply(this, a);
    const add = () => { t[label] = (t[label] ?? 0) + Number(process.hrtime.bigint() - s) / 1e6; };
    if (r && typeof r.then === 'function') return r.finally(add);
    add(); return r;
  };
}
wrap(require('../../dist/src/ledger/read-model-check.js'), 'checkReadModels', 'readModels');
wrap(require('../../dist/src/ledger/event-id-check.js'), 'checkEventIds', 'eventIds');
wrap(require('../../dist/src/ledger/access-log-check.js').AccessLogSeals.prototype, 'check', 'accessLog');
wrap(require('../../dist/src/ledger/checkpoint-check.js'), 'checkSignedCheckpoints', 'signedCheckpoints');
wrap(require('../../dist/src/ledger/ledger-verifier.js'), 'verifyLedger', 'verifyLedger');
wrap(require('../../dist/src/ledger/log-pass.js'), 'passOverLog', 'logPass');
(async () => {
  const { app, store, importDataset } = await startProbeApp(require('node:path').resolve('dist'));
  // The verification at start (createHttpApp begins it on the empty store) ends before the import: run 0 is then the first over the data.
  await app.get(IntegrityMonitor).idle();
  const { dataset } = await importDataset(Number(process.env.OFFICERS ?? 2500));
  const es = app.get(EVENT_STORE);
  for (const name of ['readFile', 'listStreams', 'readStream', 'ledgerHead']) wrap(es, name, `store.${name}`);
  const { READ_MODEL_STORE } = require('../../dist/src/read-models/read-model-store.port.js');
  const rm = app.get(READ_MODEL_STORE);
  for (const name of ['getPageByPrefix', 'readAtCheckpoint', 'state']) wrap(rm, name, `readModels.${name}`);
  const agency = dataset.agencies[0];
  const prefix = officerStreamPrefix(agency.agencyId);
  const officers = (await es.listStreams(prefix)).filter((_, i) => i % 100 === 0);
  for (let i = 0; i < Number(process.env.RUNS ?? 4); i++) {
    if (i > 0) {
      const moved = await app.get(BulkImporter).import(officers.map((o) => ({ command: 'RecordPolicyReview', officerId: o.stream.slice(prefix.length), body: { version: G.POLICY_VERSIONS[2].version, reviewedOn: G.GENERATED_TODAY } })), { agencyId: agency.agencyId, recordedBy: 'probe', today: G.GENERATED_TODAY });
      if (moved.rejectedCount) throw new Error(JSON.stringify(moved.rejected.slice(0, 2)));
    }
    await app.get(ProjectionRunner).waitUntilCaughtUp();
    await app.get(CheckpointService).issue();
    // A verification already in flight (the one at start, behind the first sign-in) is waited for: each run times its own.
    const monitor = app.get(IntegrityMonitor);
    await monitor.idle();
    for (const k of Object.keys(t)) delete t[k];
    on = true;
    // PROFILE_RUN=i: a CPU profile of that verification only, written to verify-run-i.cpuprofile (bench/peer/analyze-prof.cjs reads it).
    const profiling = process.env.PROFILE_RUN === String(i) ? new (require('node:inspector/promises').Session)() : undefined;
    if (profiling) { profiling.connect(); await profiling.post('Profiler.enable'); await profiling.post('Profiler.setSamplingInterval', { interval: 500 }); await profiling.post('Profiler.start'); }
    const s = process.hrtime.bigint(); const report = await app.get(IntegrityMonitor).verify(); const ms = Number(process.hrtime.bigint() - s) / 1e6;
    if (profiling) { const { profile } = await profiling.post('Profiler.stop'); require('node:fs').writeFileSync(`verify-run-${i}.cpuprofile`, JSON.stringify(profile)); profiling.disconnect(); }
    on = false;
    if (!report.ok) throw new Error(JSON.stringify(report.firstBroken));
    console.log(JSON.stringify({ run: i, verifyMs: Math.round(ms), rssMb: Math.round(process.memoryUsage().rss / 2 ** 20), ...Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(v)])), ...report.readModels }));
  }
  await app.close(); await store.dispose();
})();
