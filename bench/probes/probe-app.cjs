// The probes' common start: the real app on a fresh SQLite bench store (no background checkpoints or verifications,
// the projection runner stopped); `importDataset(officers)` imports the bench's data set. `dist`: the build (default ./dist, or DIST).
'use strict';
require('reflect-metadata');
const path = require('node:path');

async function startProbeApp(dist = path.resolve(process.env.DIST ?? 'dist')) {
  const { createHttpApp } = require(dist + '/src/http/create-http-app.js');
  const { importDataset, sqliteBenchStore } = require(dist + '/bench/measure.js');
  const { ProjectionRunner } = require(dist + '/src/read-models/projection-runner.js');
  const store = sqliteBenchStore();
  const app = await createHttpApp({ store: store.store, logger: ['error'], unnamedReads: 'warn', ledger: { keyFile: store.keyFile, checkpointIntervalMs: 0, verifyIntervalMs: 0 } });
  await app.init();
  await app.get(ProjectionRunner).stop();
  return { app, store, importDataset: (officers) => importDataset(app, officers, {}) };
}

module.exports = { startProbeApp };
