/**
 * The benchmark's measurements, as functions (bench/run.ts runs them at full size; the jest
 * test test/bench runs them on a tiny data set). Everything runs against the real application:
 * the Nest app of createHttpApp (CQRS buses, read models, projection runner), the bulk import
 * of src/import, and the store chosen by URL.
 */
import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetAgencyStatusQuery } from '../src/agencies/agency-status';
import { RegisterAgencyCommand } from '../src/agencies/register-agency';
import { AccessRegistry } from '../src/auth/access-registry';
import { createHttpApp } from '../src/http/create-http-app';
import { BulkImporter, ImportReport } from '../src/import/bulk-import';
import { GetOfficerStatusQuery } from '../src/officers/officer-status';
import { BATCH_SIZE, ProjectionRunner } from '../src/read-models/projection-runner';
import { ChainVerifier } from '../events/integrity';
import { CheckpointService } from '../src/ledger/checkpoint-service';
import { IntegrityMonitor } from '../src/ledger/integrity-monitor';
import { EVENT_STORE, EventStore } from '../src/store/event-store.port';
import type { BenchStore } from './bench-stores';
import { measureConsoleDashboard } from './console-dashboard';
import { measureEvidencePacket } from './evidence-packet';
import { agencyPlans, AgencyPlan, DEFAULT_SEED, firstPass, GENERATED_TODAY, officerId, POLICY_VERSIONS, prng, secondPass } from './generate';
import { officerStreamPrefix } from '../events/streams';

export const SUMMARY_KEYS = [
  'store',
  'officers',
  'events',
  'appendEventsPerSec',
  'rawInsertPerSec',
  'appendRatio',
  'rebuildEventsPerSec',
  'rawReadPerSec',
  'rebuildRatio',
  'statusP50Ms',
  'statusP99Ms',
  'agencyReportMs',
  'agencyReportPastMs',
  'peakRssMb',
  'httpReqPerSec',
  'httpP99Ms',
  'consoleDashboardMs',
  'consoleDashboardColdMs',
  'consoleDashboardAfterWriteMs',
  'consoleImportPreviewMs',
  'verifyMs',
  'verifyEventsPerSec',
  'verifyChainsOnlyMs',
  'verifyRepeatMs',
  'verifyRepeatDocumentsDerived',
  'evidencePacketOfficers',
  'evidencePacketMs',
  'evidencePacketMb',
  'evidencePacketRssRiseMb',
  'evidenceVerifyMs',
  'dbFileMb',
  'readModelMb',
] as const;
export type Summary = { store: string } & { [K in Exclude<(typeof SUMMARY_KEYS)[number], 'store'>]: number };

export { type BenchStore, postgresBenchStore, type RawOps, sqliteBenchStore, type StoreKind } from './bench-stores';

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;


export interface Dataset {
  seed: number;
  officers: number;
  agencies: AgencyPlan[];
  /** An instant between the two import passes: the records before the late facts and retractions. */
  pastKnownAt: string;
  /** Events appended by the import (both passes). */
  imported: number;
  reports: ImportReport[];
}

/** `source`, adding the time spent producing each item to `clock.ms`. */
function* untimed<T>(source: Iterable<T>, clock: { ms: number }): Iterable<T> {
  const items = source[Symbol.iterator]();
  for (;;) {
    const start = process.hrtime.bigint();
    const next = items.next();
    clock.ms += ms(start);
    if (next.done) return;
    yield next.value;
  }
}

/** Registers the four agencies, then imports both passes through the bulk import path. Timed, less the generator's time. */
export async function importDataset(app: INestApplication, officers: number, options: { seed?: number; batchSize?: number; log?: (s: string) => void } = {}) {
  const seed = options.seed ?? DEFAULT_SEED;
  const agencies = agencyPlans(officers);
  const commands = app.get(CommandBus);
  for (const a of agencies) {
    await commands.execute(new RegisterAgencyCommand({ agencyId: a.agencyId, recordedBy: 'bench', correlationId: randomUUID() }, a.name));
  }
  const importer = app.get(BulkImporter);
  const reports: ImportReport[] = [];
  const generating = { ms: 0 };
  const start = process.hrtime.bigint();
  const run = async (pass: typeof firstPass) => {
    for (const [i, a] of agencies.entries()) {
      const report = await importer.import(untimed(pass(seed, i, a), generating), { agencyId: a.agencyId, recordedBy: 'bench-import', batchSize: options.batchSize ?? 2000, today: GENERATED_TODAY });
      if (report.rejectedCount > 0) throw new Error(`the generated data was rejected: ${JSON.stringify(report.rejected.slice(0, 5))}`);
      reports.push(report);
      options.log?.(`imported ${a.agencyId}: ${report.eventsAppended} events in ${report.transactions} transactions`);
    }
  };
  await run(firstPass);
  await new Promise((r) => setTimeout(r, 5));
  const pastKnownAt = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 5));
  await run(secondPass);
  // The import's own time: what the benchmark spends generating its input is not counted, as
  // the raw insert's read of its source rows is not.
  const elapsed = ms(start) - generating.ms;
  const imported = reports.reduce((n, r) => n + r.eventsAppended, 0);
  const dataset: Dataset = { seed, officers, agencies, pastKnownAt, imported, reports };
  return { dataset, appendEventsPerSec: imported / (elapsed / 1000), elapsedMs: elapsed };
}

/** Rebuilds every projection from position 0; events per second over the whole log. */
/**
 * The whole ledger verification (chains, heads, rosters, tree, checkpoint, read models), once,
 * after a checkpoint is signed; and, as its baseline in the same run, what `verify` did before
 * the tree (the chains over readAll and the heads).
 */
export async function measureVerify(app: INestApplication, dataset: Dataset): Promise<{ events: number; ms: number; eventsPerSec: number; chainsOnlyMs: number; repeatMs: number; repeatOfficersMoved: number; repeatDocumentsDerived: number; documentsChecked: number }> {
  await app.get(CheckpointService).issue();
  const store = app.get<EventStore>(EVENT_STORE);
  const chainsStart = process.hrtime.bigint();
  const chains = new ChainVerifier();
  for await (const event of store.readAll({ batchSize: 1000 })) chains.add(event);
  chains.checkHeads(await store.listStreams(''));
  const chainsOnlyMs = ms(chainsStart);
  if (!chains.report().ok) throw new Error(`the chains do not verify on the bench data: ${JSON.stringify(chains.report().firstBroken)}`);
  const monitor = app.get(IntegrityMonitor);
  // The verification at start may still be running (it began on the empty store and ran beside the
  // import): the first measured one starts after it, over the whole data set.
  await monitor.idle();
  const start = process.hrtime.bigint();
  const report = await monitor.verify();
  const elapsed = ms(start);
  if (!report.ok) throw new Error(`verify failed on the bench data: ${JSON.stringify(report.firstBroken)}`);

  // The server's next verification (every SRO_VERIFY_INTERVAL): 1 % of the officers moved since,
  // each with one more policy review, and a checkpoint signed over them.
  const agency = dataset.agencies[0];
  const officers = (await store.listStreams(officerStreamPrefix(agency.agencyId))).filter((_, i) => i % 100 === 0);
  const reviews = officers.map((o) => ({ command: 'RecordPolicyReview' as const, officerId: o.stream.slice(officerStreamPrefix(agency.agencyId).length), body: { version: POLICY_VERSIONS[2].version, reviewedOn: GENERATED_TODAY } }));
  const moved = await app.get(BulkImporter).import(reviews, { agencyId: agency.agencyId, recordedBy: 'bench-verify', today: GENERATED_TODAY });
  if (moved.rejectedCount > 0) throw new Error(`the bench's writes between verifications were rejected: ${JSON.stringify(moved.rejected.slice(0, 3))}`);
  await app.get(ProjectionRunner).waitUntilCaughtUp();
  await app.get(CheckpointService).issue();
  await monitor.idle();
  const repeatStart = process.hrtime.bigint();
  const repeat = await monitor.verify();
  const repeatMs = ms(repeatStart);
  if (!repeat.ok) throw new Error(`the repeated verify failed on the bench data: ${JSON.stringify(repeat.firstBroken)}`);
  return {
    events: report.eventsChecked,
    ms: elapsed,
    eventsPerSec: report.eventsChecked / (elapsed / 1000),
    chainsOnlyMs,
    repeatMs,
    repeatOfficersMoved: officers.length,
    repeatDocumentsDerived: repeat.readModels?.documentsDerived ?? 0,
    documentsChecked: repeat.readModels?.documentsChecked ?? 0,
  };
}

export async function measureRebuild(app: INestApplication): Promise<{ events: number; eventsPerSec: number; ms: number }> {
  const runner = app.get(ProjectionRunner);
  const start = process.hrtime.bigint();
  await runner.rebuild();
  const elapsed = ms(start);
  let events = 0;
  for (const p of await runner.progress()) if (p.failed) throw new Error(`projection ${p.name} failed: ${p.failed.error}`);
  for await (const _ of app.get<EventStore>(EVENT_STORE).readAll({ batchSize: 5000 })) events++;
  return { events, eventsPerSec: events / (elapsed / 1000), ms: elapsed };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

/** A random officer, weighted by agency size. */
function randomOfficer(agencies: AgencyPlan[], rand: () => number): { agencyId: string; officerId: string } {
  const total = agencies.reduce((n, a) => n + a.officers, 0);
  let k = Math.floor(rand() * total);
  for (const a of agencies) {
    if (k < a.officers) return { agencyId: a.agencyId, officerId: officerId(k + 1) };
    k -= a.officers;
  }
  throw new Error('unreachable');
}

const randomDate = (rand: () => number) => new Date(Date.UTC(2024, 0, 1) + Math.floor(rand() * 7 * 365) * 86_400_000).toISOString().slice(0, 10);

/** One officer's status through the QueryBus: random officer, random asOf, half knownAt now, half the past instant. */
export async function measureStatus(app: INestApplication, dataset: Dataset, samples: number): Promise<{ p50: number; p99: number }> {
  const queries = app.get(QueryBus);
  const rand = prng(dataset.seed + 1);
  const run = async (i: number) => {
    const { agencyId, officerId: id } = randomOfficer(dataset.agencies, rand);
    const knownAt = i % 2 === 0 ? new Date().toISOString() : dataset.pastKnownAt;
    const start = process.hrtime.bigint();
    await queries.execute(new GetOfficerStatusQuery(agencyId, id, { asOf: randomDate(rand), knownAt }));
    return ms(start);
  };
  for (let i = 0; i < Math.min(200, samples); i++) await run(i); // warm-up
  const times: number[] = [];
  for (let i = 0; i < samples; i++) times.push(await run(i));
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

/** The largest agency's report (GetAgencyStatusQuery), evaluated: median of `runs` runs, knownAt now and knownAt past. */
export async function measureAgencyReport(app: INestApplication, dataset: Dataset, runs = 3): Promise<{ nowMs: number; pastMs: number; officers: number }> {
  const queries = app.get(QueryBus);
  const agency = dataset.agencies[0];
  // A different asOf each run (2027-03-01, -02, ...): the handler keeps the latest reports that knew
  // every event (the console dashboard's cache), and this measures the evaluation, not the cache.
  let day = 0;
  const median = async (knownAt: () => string) => {
    const times: number[] = [];
    let officers = 0;
    for (let i = 0; i < runs; i++) {
      const asOf = `2027-03-${String(1 + (day++ % 28)).padStart(2, '0')}`;
      const start = process.hrtime.bigint();
      const view = await queries.execute(new GetAgencyStatusQuery(agency.agencyId, { asOf, knownAt: knownAt() }));
      times.push(ms(start));
      officers = (view as { officers: unknown[] }).officers.length;
    }
    times.sort((a, b) => a - b);
    return { ms: times[Math.floor(times.length / 2)], officers };
  };
  const now = await median(() => new Date().toISOString());
  const past = await median(() => dataset.pastKnownAt);
  return { nowMs: now.ms, pastMs: past.ms, officers: now.officers };
}

/** autocannon in a child process (so that it does not share the server's event loop) against the status route. */
export async function measureHttp(app: INestApplication, dataset: Dataset, options: { seconds: number; connections: number }): Promise<{ reqPerSec: number; p99Ms: number; non2xx: number }> {
  if (!app.getHttpServer().listening) await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const agency = dataset.agencies[0];
  const { token } = await app.get(AccessRegistry).issue({ agencyId: agency.agencyId, role: 'auditor', name: `bench-${randomUUID()}`, recordedBy: 'bench' });
  const rand = prng(dataset.seed + 2);
  const paths: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const id = officerId(1 + Math.floor(rand() * agency.officers));
    const knownAt = i % 2 === 0 ? '' : `&knownAt=${encodeURIComponent(dataset.pastKnownAt)}`;
    paths.push(`/api/agencies/${agency.agencyId}/officers/${id}/status?asOf=${randomDate(rand)}${knownAt}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'sro-bench-http-'));
  const pathsFile = join(dir, 'paths.json');
  writeFileSync(pathsFile, JSON.stringify(paths));
  try {
    const child = fork(join(__dirname, 'load.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const result = await new Promise<{ reqPerSec: number; p99Ms: number; non2xx: number }>((resolve, reject) => {
      child.on('message', (m) => resolve(m as { reqPerSec: number; p99Ms: number; non2xx: number }));
      child.on('error', reject);
      child.on('exit', (code) => code !== 0 && reject(new Error(`load generator exited with ${code}`)));
      child.send({ url: `http://127.0.0.1:${address.port}`, token, pathsFile, seconds: options.seconds, connections: options.connections });
    });
    // autocannon stops sending at the deadline; requests the server had queued still run. Close
    // the sockets and let those finish before anything closes the stores.
    const server = app.getHttpServer() as import('node:http').Server;
    server.closeAllConnections();
    await new Promise((r) => setTimeout(r, 3000));
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;

export interface BenchOptions {
  store: BenchStore;
  officers: number;
  statusSamples?: number;
  agencyRuns?: number;
  httpSeconds?: number;
  httpConnections?: number;
  batchSize?: number;
  log?: (s: string) => void;
}

/** The whole benchmark, in one process; returns the summary. */
export async function runBench(options: BenchOptions): Promise<Summary> {
  const log0 = options.log ?? (() => undefined);
  const mb = (n: number) => Math.round(n / 2 ** 20);
  // With `node --expose-gc` (a diagnostic run, not the bench's figures: the collections lower the
  // peaks), also the heap still reachable after a full collection: what the step keeps, not its garbage.
  const gc = (globalThis as { gc?: () => void }).gc;
  const log = (s: string) => {
    const m = process.memoryUsage();
    const live = gc ? (gc(), `, live after a full collection ${mb(process.memoryUsage().heapUsed)} MB`) : '';
    log0(`${s} [rss ${mb(m.rss)} MB, peak ${Math.round(peakRssMb())} MB; V8 heap ${mb(m.heapUsed)} of ${mb(m.heapTotal)} MB, external ${mb(m.external)} MB (array buffers ${mb(m.arrayBuffers)} MB)${live}]`);
  };
  // No background checkpoints or verifications: they would compete with what is measured.
  // The bench's queries run on the QueryBus with no reader named (no one reads these generated officers):
  // allowed with a warning, as in production, also under tests (docs/decisions.md W43); the measurements are unchanged.
  const app = await createHttpApp({ store: options.store.store, logger: ['error'], unnamedReads: 'warn', ledger: { keyFile: options.store.keyFile, checkpointIntervalMs: 0, verifyIntervalMs: 0 } });
  await app.init();
  // The background catch-up would compete with the measured import and rebuild; queries still
  // catch up on demand (freshen), and nothing is written during the query measurements.
  await app.get(ProjectionRunner).stop();
  log('app started');
  let summary: Summary;
  try {
    const { dataset, appendEventsPerSec, elapsedMs } = await importDataset(app, options.officers, { batchSize: options.batchSize, log });
    log(`import: ${dataset.imported} events in ${Math.round(elapsedMs)} ms (${Math.round(appendEventsPerSec)}/s)`);

    const raw = await options.store.raw();
    let rawInsert: { rows: number; ms: number };
    let rawRead: { rows: number; ms: number };
    try {
      rawInsert = await raw.rawInsert(options.batchSize ?? 2000);
      log(`raw insert: ${rawInsert.rows} rows in ${Math.round(rawInsert.ms)} ms`);
      rawRead = await raw.rawRead(BATCH_SIZE);
      log(`raw read: ${rawRead.rows} rows in ${Math.round(rawRead.ms)} ms`);
    } finally {
      await raw.close();
    }
    const rebuild = await measureRebuild(app);
    log(`rebuild: ${rebuild.events} events in ${Math.round(rebuild.ms)} ms`);

    const verify = await measureVerify(app, dataset);
    log(`verify: ${verify.events} events in ${Math.round(verify.ms)} ms (the chains and heads alone: ${Math.round(verify.chainsOnlyMs)} ms)`);
    log(`verify again after ${verify.repeatOfficersMoved} officers moved: ${Math.round(verify.repeatMs)} ms (${verify.repeatDocumentsDerived} of ${verify.documentsChecked} read-model documents derived again)`);

    const status = await measureStatus(app, dataset, options.statusSamples ?? 2000);
    log(`status: p50 ${status.p50.toFixed(3)} ms, p99 ${status.p99.toFixed(3)} ms`);
    const report = await measureAgencyReport(app, dataset, options.agencyRuns ?? 3);
    log(`agency report (${report.officers} officers): now ${Math.round(report.nowMs)} ms, past ${Math.round(report.pastMs)} ms`);

    const dashboard = await measureConsoleDashboard(app, dataset.agencies[0].agencyId);
    log(`console dashboard (${report.officers} officers): median ${Math.round(dashboard.ms)} ms, first view ${Math.round(dashboard.coldMs)} ms, after a write ${Math.round(dashboard.afterWriteMs)} ms, ${Math.round(dashboard.bytes / 1024)} KB; import check of 5,000 rows ${Math.round(dashboard.importPreviewMs)} ms`);

    const evidence = await measureEvidencePacket(app, dataset.agencies, GENERATED_TODAY);
    log(`evidence packet (${evidence.officers} officers, ${evidence.events} events): ${Math.round(evidence.ms)} ms, ${evidence.mb.toFixed(1)} MB, resident memory +${Math.round(evidence.rssRiseMb)} MB; verify-evidence ${Math.round(evidence.verifyMs)} ms`);

    let http = { reqPerSec: 0, p99Ms: 0, non2xx: 0 };
    if ((options.httpSeconds ?? 10) > 0) {
      http = await measureHttp(app, dataset, { seconds: options.httpSeconds ?? 10, connections: options.httpConnections ?? 50 });
      log(`http: ${Math.round(http.reqPerSec)} req/s, p99 ${http.p99Ms} ms, non-2xx ${http.non2xx}`);
      if (http.non2xx > 0) throw new Error(`${http.non2xx} HTTP responses were not 2xx`);
    }
    const rawInsertPerSec = rawInsert.rows / (rawInsert.ms / 1000);
    const rawReadPerSec = rawRead.rows / (rawRead.ms / 1000);
    const round = (x: number, digits = 0) => Number(x.toFixed(digits));
    summary = {
      store: options.store.kind,
      officers: options.officers,
      events: rebuild.events,
      appendEventsPerSec: round(appendEventsPerSec),
      rawInsertPerSec: round(rawInsertPerSec),
      appendRatio: round(appendEventsPerSec / rawInsertPerSec, 3),
      rebuildEventsPerSec: round(rebuild.eventsPerSec),
      rawReadPerSec: round(rawReadPerSec),
      rebuildRatio: round(rebuild.eventsPerSec / rawReadPerSec, 3),
      statusP50Ms: round(status.p50, 3),
      statusP99Ms: round(status.p99, 3),
      agencyReportMs: round(report.nowMs, 1),
      agencyReportPastMs: round(report.pastMs, 1),
      peakRssMb: round(peakRssMb(), 1),
      httpReqPerSec: round(http.reqPerSec),
      httpP99Ms: round(http.p99Ms, 1),
      consoleDashboardMs: round(dashboard.ms, 1),
      consoleDashboardColdMs: round(dashboard.coldMs, 1),
      consoleDashboardAfterWriteMs: round(dashboard.afterWriteMs, 1),
      consoleImportPreviewMs: round(dashboard.importPreviewMs, 1),
      verifyMs: round(verify.ms),
      verifyEventsPerSec: round(verify.eventsPerSec),
      verifyChainsOnlyMs: round(verify.chainsOnlyMs),
      verifyRepeatMs: round(verify.repeatMs),
      verifyRepeatDocumentsDerived: verify.repeatDocumentsDerived,
      evidencePacketOfficers: evidence.officers,
      evidencePacketMs: round(evidence.ms),
      evidencePacketMb: round(evidence.mb, 1),
      evidencePacketRssRiseMb: round(evidence.rssRiseMb, 1),
      evidenceVerifyMs: round(evidence.verifyMs),
      dbFileMb: 0,
      readModelMb: 0,
    };
  } finally {
    await app.close();
  }
  const size = await options.store.size();
  summary.dbFileMb = Number(size.dbFileMb.toFixed(1));
  summary.readModelMb = Number(size.readModelMb.toFixed(1));
  log(`size: database ${summary.dbFileMb} MB, read models ${summary.readModelMb} MB`);
  return summary;
}
