// usage: npm run bench once (builds dist/bench), then node --max-old-space-size=384 bench/probes/rebuild-parts.cjs: the quick data set imported, then three rebuilds with the time of each part (log pages, apply, derive, commits)
process.chdir(require('node:path').join(__dirname, '../..'));
const m = require('../../dist/bench/measure.js');
const { createHttpApp } = require('../../dist/src/http/create-http-app.js');
const { ProjectionRunner } = require('../../dist/src/read-models/projection-runner.js');
const { SqliteReads } = require('../../dist/src/store/sqlite/sqlite-read.js');
const { SqliteReadModelStore } = require('../../dist/src/store/sqlite/sqlite-read-model-store.js');
const P = require('../../dist/src/read-models/ledger-projections.js');
const t = {}; let on = false;
function wrap(obj, name, label) {
  const f = obj[name];
  obj[name] = function (...a) { if (!on) return f.apply(this, a); const s = process.hrtime.bigint(); const r = f.apply(this, a); const add = () => { t[label] = (t[label] ?? 0) + Number(process.hrtime.bigint() - s) / 1e6; }; if (r && typeof r.then === 'function') return r.finally(add); add(); return r; };
}
wrap(SqliteReads.prototype, 'page', 'page');
wrap(SqliteReadModelStore.prototype, 'commit', 'commit');
wrap(SqliteReadModelStore.prototype, 'get', 'rmGet');
for (const p of P.PROJECTIONS) { wrap(p, 'apply', `apply:${p.name}`); if (p.derive) wrap(p, 'derive', `derive:${p.name}`); }
(async () => {
  const store = m.sqliteBenchStore();
  const app = await createHttpApp({ store: store.store, logger: ['error'], ledger: { keyFile: store.keyFile, checkpointIntervalMs: 0, verifyIntervalMs: 0 } });
  await app.init();
  await app.get(ProjectionRunner).stop();
  await m.importDataset(app, Number(process.env.OFFICERS ?? 2500), {});
  const runner = app.get(ProjectionRunner);
  for (let i = 0; i < 3; i++) {
    for (const k of Object.keys(t)) delete t[k];
    on = true; const gc0 = process.hrtime.bigint();
    const s = process.hrtime.bigint(); await runner.rebuild(); const ms = Number(process.hrtime.bigint() - s) / 1e6; on = false;
    console.log(JSON.stringify({ rebuildMs: Math.round(ms), ...Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(v)])) }));
  }
  await app.close(); await store.dispose();
})();
