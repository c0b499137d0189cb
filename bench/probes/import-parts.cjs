// usage: npm run bench once (builds dist/bench), then node --max-old-space-size=384 bench/probes/import-parts.cjs: the quick data set's import with the time spent in validateSync, plainToInstance, readStream, readEvent and appendMany
process.chdir(require('node:path').join(__dirname, '../..'));
const cv = require('class-validator');
const ct = require('class-transformer');
const m = require('../../dist/bench/measure.js');
const { createHttpApp } = require('../../dist/src/http/create-http-app.js');
const { ProjectionRunner } = require('../../dist/src/read-models/projection-runner.js');
const { SqlEventStore } = require('../../dist/src/store/sql/sql-event-store.js');
const { BulkImporter } = require('../../dist/src/import/bulk-import.js');
const AS = require('../../dist/src/store/append-support.js');
const t = {}; let on = true;
function wrap(obj, name, label) {
  const f = obj[name];
  Object.defineProperty(obj, name, { configurable: true, writable: true, value: function (...a) { const s = process.hrtime.bigint(); const r = f.apply(this, a); const add = () => { t[label] = (t[label] ?? 0) + Number(process.hrtime.bigint() - s) / 1e6; }; if (r && typeof r.then === 'function') return r.finally(add); add(); return r; } });
}
wrap(cv, 'validateSync', 'validateSync'); wrap(ct, 'plainToInstance', 'plainToInstance');
wrap(SqlEventStore.prototype, 'readStream', 'readStream'); wrap(SqlEventStore.prototype, 'appendMany', 'appendMany'); wrap(SqlEventStore.prototype, 'readEvent', 'readEvent');
wrap(BulkImporter.prototype, 'import', 'import');
(async () => {
  const store = m.sqliteBenchStore();
  const app = await createHttpApp({ store: store.store, logger: ['error'], ledger: { keyFile: store.keyFile, checkpointIntervalMs: 0, verifyIntervalMs: 0 } });
  await app.init();
  await app.get(ProjectionRunner).stop();
  const r = await m.importDataset(app, 2500, {});
  console.log(JSON.stringify({ events: r.dataset.imported, elapsedMs: Math.round(r.elapsedMs), ...Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(v)])) }));
  await app.close(); await store.dispose();
})();
