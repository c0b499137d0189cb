/**
 * One request must not stall everyone (docs/decisions.md W40): while an investigator verifies
 * the whole ledger again and again and auditors download a large agency's report, another
 * agency's small read (one officer's status) keeps answering quickly. A bounded load on loopback
 * only: a `serve` process on a SQLite file seeded through the bulk import (LOAD_OFFICERS
 * officers, default 3,000, each registered, assigned and trained: about 12,000 events), 2
 * verifications in a row, 2 auditors downloading the agency's CSV report, and 150 small reads
 * measured one after another. The small read's p99 must stay under 100 ms (plus the p99 the same
 * reads had just before, without the heavy work: on a machine shared with other loads, the
 * machine's own delays are not the server's); the figures are printed (`LOAD_REPORT=1`) so that
 * a run before and after a change can be compared.
 */
import { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli, lastLine, runCli, startServer } from '../support/cli-process';

const BIG = 'big-pd';
const SMALL = 'small-pd';
const OFFICERS = Number(process.env.LOAD_OFFICERS ?? 3000);

let dir: string;
let env: NodeJS.ProcessEnv;
let server: { url: string; child: ChildProcess };
const tokens: Record<string, string> = {};

beforeAll(async () => {
  buildCli();
  dir = mkdtempSync(join(tmpdir(), 'sro-load-'));
  env = { ...process.env, SRO_STORE: `sqlite:${join(dir, 'sro.db')}`, SRO_KEY_FILE: join(dir, 'ledger-key.pem'), SRO_VERIFY_INTERVAL: '0', SRO_LOG_LEVEL: 'warn' };
  const cli = (...args: string[]) => {
    const run = runCli(env, ...args);
    if (run.status !== 0) throw new Error(`${args.join(' ')} failed: ${run.stderr}${run.stdout.slice(0, 2000)}`);
    return run;
  };
  cli('agency', 'create', '--id', BIG, '--name', 'Big City PD');
  cli('agency', 'create', '--id', SMALL, '--name', 'Small Town PD');
  const rows = ['command,officerId,name,assignmentId,schools,startDate,trainingId,course,completedOn'];
  for (let i = 0; i < OFFICERS; i++) {
    const id = `o${String(i).padStart(5, '0')}`;
    rows.push(`RegisterOfficer,${id},Officer ${i},,,,,,`, `AssignOfficer,${id},,a1,School ${i % 40},2025-09-02,,,`, `RecordTraining,${id},,,,,t1,MN_SRO_BASIC,2025-08-20`);
  }
  writeFileSync(join(dir, 'big.csv'), `${rows.join('\n')}\n`);
  writeFileSync(join(dir, 'small.csv'), 'command,officerId,name\nRegisterOfficer,solo,Sol Solo\n');
  cli('import', join(dir, 'big.csv'), '--agency', BIG);
  cli('import', join(dir, 'small.csv'), '--agency', SMALL);
  tokens.investigator = lastLine(cli('token', 'create', '--agency', BIG, '--role', 'investigator', '--name', 'investigator'));
  for (let a = 0; a < 2; a++) tokens[`auditor${a}`] = lastLine(cli('token', 'create', '--agency', BIG, '--role', 'auditor', '--name', `auditor ${a}`));
  tokens.small = lastLine(cli('token', 'create', '--agency', SMALL, '--role', 'auditor', '--name', 'small auditor'));
  // LOAD_SERVER_NODE_OPTIONS: node options for the server alone (e.g. `--require` of a profiler).
  server = await startServer(process.env.LOAD_SERVER_NODE_OPTIONS ? { ...env, NODE_OPTIONS: process.env.LOAD_SERVER_NODE_OPTIONS } : env);
}, 240_000);

afterAll(async () => {
  const child = server?.child;
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

const get = async (path: string, token: string): Promise<{ status: number; ms: number; bytes: number }> => {
  const started = performance.now();
  const res = await fetch(`${server.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  const body = await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started, bytes: body.byteLength };
};

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

it('a small read of another agency keeps p99 under 100 ms while verifications and large reports run', async () => {
  const small = () => get(`/agencies/${SMALL}/officers/solo/status`, tokens.small);
  // Ready (the read models caught up with the import), then warm.
  for (const deadline = Date.now() + 60_000; (await fetch(`${server.url}/health/ready`)).status !== 200; ) {
    if (Date.now() > deadline) throw new Error('the server did not become ready');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (process.env.LOAD_SETTLE_MS) await new Promise((resolve) => setTimeout(resolve, Number(process.env.LOAD_SETTLE_MS)));
  for (let i = 0; i < 5; i++) expect((await small()).status).toBe(200); // warm
  // The same reads without the heavy work: what this machine gives them now (a shared machine's own delays).
  const baseline: number[] = [];
  for (let i = 0; i < 60; i++) {
    const res = await small();
    expect(res.status).toBe(200);
    baseline.push(res.ms);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // The heavy work, each caller one request at a time, until the small reads are done.
  let done = false;
  const heavy: { what: string; status: number; ms: number; bytes: number }[] = [];
  const loop = async (what: string, path: string, token: string, times: number) => {
    for (let i = 0; i < times && !done; i++) heavy.push({ what, ...(await get(path, token)) });
  };
  const load = Promise.all([
    loop('integrity', `/agencies/${BIG}/integrity`, tokens.investigator, 2),
    loop('report', `/agencies/${BIG}/status?format=csv`, tokens.auditor0, 4),
    loop('report', `/agencies/${BIG}/status?format=csv`, tokens.auditor1, 4),
  ]);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const latencies: number[] = [];
  const deadline = Date.now() + 60_000;
  for (let i = 0; i < 150 && Date.now() < deadline; i++) {
    const res = await small();
    expect(res.status).toBe(200);
    latencies.push(res.ms);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  done = true;
  await load;
  const figures = {
    officers: OFFICERS,
    smallReads: latencies.length,
    baselineP50: Math.round(percentile(baseline, 50)),
    baselineP99: Math.round(percentile(baseline, 99)),
    p50: Math.round(percentile(latencies, 50)),
    p99: Math.round(percentile(latencies, 99)),
    max: Math.round(Math.max(...latencies)),
    heavy: heavy.map((h) => `${h.what} ${h.status} ${Math.round(h.ms)} ms ${(h.bytes / 1e6).toFixed(1)} MB`),
  };
  if (process.env.LOAD_REPORT) console.log(JSON.stringify(figures));
  expect(heavy.filter((h) => h.what === 'integrity').map((h) => h.status)).toEqual(heavy.filter((h) => h.what === 'integrity').map(() => 200));
  expect(heavy.filter((h) => h.what === 'report' && h.status !== 200)).toEqual([]);
  expect(latencies.length).toBeGreaterThanOrEqual(100);
  // Under 100 ms, beyond what the machine itself gave the same reads just before (on an idle machine a few ms).
  expect({ p99: figures.p99, baselineP99: figures.baselineP99 }).toEqual({ p99: expect.any(Number), baselineP99: expect.any(Number) });
  expect(figures.p99).toBeLessThan(100 + figures.baselineP99);
}, 240_000);
