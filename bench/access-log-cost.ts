/**
 * `npm run bench:access-log [-- --officers N] [-- --seconds S] [-- --rounds R]`: what the access
 * log costs the status route at the bench's HTTP load (measureHttp: 50 connections, random
 * officers and dates, half with a past knownAt, one auditor token). One SQLite dataset; then R
 * rounds of two servers on it, one without the access log (AppOptions.accessLog false: nothing
 * observed) and one with it, in alternating order; the last line is one JSON object with each
 * run and the medians (decisions W28, docs/performance.md).
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { createHttpApp } from '../src/http/create-http-app';
import { ProjectionRunner } from '../src/read-models/projection-runner';
import { AccessLog } from '../src/access-log/access-log';
import { importDataset, measureHttp, sqliteBenchStore } from './measure';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { officers: { type: 'string', default: '2500' }, seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '3' } } });
  const officers = Number(values.officers);
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const store = sqliteBenchStore();
  const log = (s: string) => process.stderr.write(`[bench access-log] ${s}\n`);
  const appFor = async (accessLog: boolean) => {
    const app = await createHttpApp({ store: store.store, logger: ['error'], accessLog, ledger: { keyFile: store.keyFile, checkpointIntervalMs: 0, verifyIntervalMs: 0 } });
    await app.init();
    return app;
  };
  try {
    const loader = await appFor(false);
    const { dataset } = await importDataset(loader, officers, { log });
    await loader.get(ProjectionRunner).catchUp();
    await loader.close();
    const runs: { accessLog: boolean; reqPerSec: number; p99Ms: number; non2xx: number; cpuMsPerRequest: number }[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const accessLog of round % 2 === 0 ? [false, true] : [true, false]) {
        const app = await appFor(accessLog);
        try {
          await measureHttp(app, dataset, { seconds: 2, connections: 50 }); // warm-up
          // The server's own CPU time per request (the load generator is another process): less
          // sensitive than req/s to what else the machine runs.
          const cpu = process.cpuUsage();
          const result = await measureHttp(app, dataset, { seconds, connections: 50 });
          const used = process.cpuUsage(cpu);
          const cpuMsPerRequest = Number(((used.user + used.system) / 1000 / (result.reqPerSec * seconds)).toFixed(3));
          runs.push({ accessLog, ...result, cpuMsPerRequest });
          log(`round ${round + 1}, access log ${accessLog ? 'on ' : 'off'}: ${Math.round(result.reqPerSec)} req/s, p99 ${result.p99Ms} ms, ${cpuMsPerRequest} ms CPU per request, non-2xx ${result.non2xx}`);
        } finally {
          await app.close();
        }
      }
    }
    // The access log's own work per read, alone: queueing an entry and writing it in batches of a
    // second's worth (one SQLite transaction each), as the server does.
    const own = await appFor(true);
    let ownUsPerEntry = 0;
    try {
      const accessLog = own.get(AccessLog);
      const entry = { at: '', agencyId: 'bench-pd-1', officerId: 'o000001', officerCount: 1, kind: 'officer-status', route: 'GET /api/agencies/:agencyId/officers/:officerId/status', format: 'json', principal: { kind: 'token' as const, id: 'bench', name: 'bench', role: 'auditor' }, requestId: null, asOf: '2025-10-01', knownAt: null };
      const n = 50_000;
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) {
        accessLog.record({ ...entry, at: new Date().toISOString() });
        if (i % 800 === 799) await accessLog.flush();
      }
      await accessLog.flush();
      ownUsPerEntry = Number((Number(process.hrtime.bigint() - start) / 1000 / n).toFixed(2));
      log(`the access log's own work: ${ownUsPerEntry} µs per entry (queue and batched SQLite insert)`);
    } finally {
      await own.close();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const off = runs.filter((r) => !r.accessLog);
    const on = runs.filter((r) => r.accessLog);
    const offRps = median(off.map((r) => r.reqPerSec));
    const onRps = median(on.map((r) => r.reqPerSec));
    const summary = {
      officers,
      seconds,
      connections: 50,
      runs,
      ownUsPerEntry,
      offReqPerSec: Math.round(offRps),
      onReqPerSec: Math.round(onRps),
      offP99Ms: median(off.map((r) => r.p99Ms)),
      onP99Ms: median(on.map((r) => r.p99Ms)),
      throughputCostPct: Number((((offRps - onRps) / offRps) * 100).toFixed(1)),
      offCpuMsPerRequest: median(off.map((r) => r.cpuMsPerRequest)),
      onCpuMsPerRequest: median(on.map((r) => r.cpuMsPerRequest)),
      cpuCostPct: Number((((median(on.map((r) => r.cpuMsPerRequest)) - median(off.map((r) => r.cpuMsPerRequest))) / median(off.map((r) => r.cpuMsPerRequest))) * 100).toFixed(1)),
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await store.dispose();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
