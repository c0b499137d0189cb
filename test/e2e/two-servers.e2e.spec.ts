/**
 * Two servers on one database (two `serve` processes on the store SRO_STORE names: a fresh
 * PostgreSQL database under `npm run test:postgres`, else one SQLite file), as an agency runs
 * them behind a load balancer. A write answered by one is in every answer of the other at once
 * ("a query never answers from a read model that lags behind the log": the other server's read
 * models have not seen the write when it is asked), and a token revoked with the CLI is refused
 * by both on their next request.
 */
import { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli, lastLine, runCli, startServer } from '../support/cli-process';
import { createTestDatabase, isPostgresUrl, skipFileUnlessPostgres, TestDatabase } from '../support/postgres';

const requestedStore = process.env.SRO_TEST_STORE?.trim() || process.env.SRO_STORE?.trim() || 'sqlite:';
if (isPostgresUrl(requestedStore)) skipFileUnlessPostgres('two servers on one PostgreSQL database', requestedStore);

const A = 'twin-pd';
let dir: string;
let database: TestDatabase | undefined;
let env: NodeJS.ProcessEnv;
let servers: { url: string; child: ChildProcess }[] = [];
let admin: string;
let auditor: string;

const cli = (...args: string[]) => runCli(env, ...args);

beforeAll(async () => {
  buildCli();
  dir = mkdtempSync(join(tmpdir(), 'sro-twins-'));
  database = isPostgresUrl(requestedStore) ? await createTestDatabase(requestedStore) : undefined;
  // The ledger's signing key and checkpoint log of this store alone (the default for PostgreSQL is ./data, shared).
  env = { ...process.env, SRO_STORE: database ? database.url : `sqlite:${join(dir, 'sro.db')}`, SRO_KEY_FILE: join(dir, 'ledger-key.pem') };
  expect(cli('agency', 'create', '--id', A, '--name', 'Twin Cities PD').status).toBe(0);
  admin = lastLine(cli('token', 'create', '--agency', A, '--role', 'admin', '--name', 'records'));
  auditor = lastLine(cli('token', 'create', '--agency', A, '--role', 'auditor', '--name', 'audit'));
  servers = await Promise.all([startServer(env), startServer(env)]);
}, 60_000);
afterAll(async () => {
  await Promise.all(
    servers.map(async ({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }),
  );
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function call(server: number, method: 'GET' | 'POST', path: string, token: string, body?: object) {
  const res = await fetch(`${servers[server].url}/agencies/${A}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const write = async (server: number, path: string, body: object): Promise<string> => {
  const res = await call(server, 'POST', path, admin, body);
  expect({ server, path, status: res.status }).toEqual({ server, path, status: 201 });
  return res.body.eventId as string;
};

const finding = (status: { findings: { rule: string; outcome: string }[] }, rule: string) => status.findings.find((f) => f.rule === rule)?.outcome;

it('a write answered by one server is in the very next answer of the other, every time, in both directions', async () => {
  await write(0, '/policies', { version: 'v1', adoptedOn: '2025-08-01' });
  for (let i = 0; i < 8; i++) {
    const [w, r] = i % 2 === 0 ? [0, 1] : [1, 0];
    const officerId = `o${i}`;
    const registered = await write(w, '/officers', { officerId, name: `Officer ${i}` });
    const history = await call(r, 'GET', `/officers/${officerId}/history`, auditor);
    expect({ i, status: history.status }).toEqual({ i, status: 200 });
    expect(history.body.events.map((e: { eventId: string }) => e.eventId)).toContain(registered);

    await write(w, `/officers/${officerId}/assignments`, { assignmentId: 'a1', schools: ['Central High'], startDate: '2025-09-02' });
    const untrained = (await call(r, 'GET', `/officers/${officerId}/status?asOf=2025-10-01`, auditor)).body;
    expect({ i, outcome: finding(untrained, 'TRAINING_BEFORE_DUTY') }).toEqual({ i, outcome: 'VIOLATED' });

    // The next writes go through the other server, and are read back through the first.
    await write(r, `/officers/${officerId}/trainings`, { trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2025-08-20' });
    await write(r, `/officers/${officerId}/trainings/t1/certificate`, { sha256: 'c'.repeat(64), fileName: 'c.pdf', filedOn: '2025-08-25' });
    const review = await write(r, `/officers/${officerId}/policy-reviews`, { version: 'v1', reviewedOn: '2025-08-28' });
    const trained = (await call(w, 'GET', `/officers/${officerId}/status?asOf=2025-10-01`, auditor)).body;
    expect({ i, status: trained.status }).toEqual({ i, status: 'COMPLIANT' });

    const report = (await call(w, 'GET', '/status?asOf=2025-10-01', auditor)).body;
    // This officer is compliant; the earlier ones lost their policy review to a retraction (below).
    expect({ i, officers: report.officers.length, counts: report.counts }).toEqual({ i, officers: i + 1, counts: expect.objectContaining({ COMPLIANT: 1, NON_COMPLIANT: i }) });

    // A retraction through one server: the other answers without the retracted review.
    await write(w, `/officers/${officerId}/retractions`, { eventId: review, reason: 'recorded for the wrong officer' });
    const retracted = (await call(r, 'GET', `/officers/${officerId}/status?asOf=2025-10-01`, auditor)).body;
    expect({ i, outcome: finding(retracted, 'POLICY_REVIEW_BEFORE_DUTY') }).toEqual({ i, outcome: 'VIOLATED' });
    const reminders = (await call(r, 'GET', '/reminders?asOf=2025-10-01', admin)).body;
    expect(reminders.items.filter((x: { rule: string }) => x.rule === 'POLICY_REVIEW_BEFORE_DUTY').map((x: { officerId: string }) => x.officerId).sort()).toEqual(
      Array.from({ length: i + 1 }, (_, k) => `o${k}`).sort(),
    );
  }
  // Both servers give the same report.
  const [one, two] = await Promise.all([0, 1].map(async (s) => (await call(s, 'GET', '/status?asOf=2025-10-01&knownAt=' + encodeURIComponent(new Date().toISOString()), auditor)).body));
  expect({ ...two, knownAt: undefined }).toEqual({ ...one, knownAt: undefined });
}, 60_000);

it('a token revoked with the CLI is refused by both servers on their next request, on read and write routes', async () => {
  const temporary = lastLine(cli('token', 'create', '--agency', A, '--role', 'admin', '--name', 'temporary'));
  for (const s of [0, 1]) {
    expect((await call(s, 'GET', '/status', temporary)).status).toBe(200);
    expect((await call(s, 'POST', '/officers', temporary, { officerId: `temp-${s}`, name: 'Temp' })).status).toBe(201);
  }
  expect(cli('token', 'revoke', '--agency', A, '--name', 'temporary', '--reason', 'left the unit').status).toBe(0);
  for (const s of [0, 1]) {
    const read = await call(s, 'GET', '/status', temporary);
    expect({ s, status: read.status, message: read.body.message }).toEqual({ s, status: 401, message: ['Authorization: the token is unknown or revoked'] });
    expect((await call(s, 'POST', '/officers', temporary, { officerId: `late-${s}`, name: 'Late' })).status).toBe(401);
    expect((await call(s, 'GET', '/officers/o0/history', temporary)).status).toBe(401);
    // The other tokens still work.
    expect((await call(s, 'GET', '/status', auditor)).status).toBe(200);
  }
});
