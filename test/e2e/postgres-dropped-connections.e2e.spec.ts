/**
 * PostgreSQL ends the server's connections in the middle of a write load (an administrator's
 * pg_terminate_backend, a failover): the `serve` process must not crash, every write is answered
 * either 201 (recorded) or 503 with Retry-After and a plain message (nothing recorded, the caller
 * may try again), and the ledger verifies afterwards (docs/decisions.md W40). Runs on a fresh
 * database of the test PostgreSQL server (test/support/postgres.ts), whatever store the other
 * end-to-end tests use; skipped loudly when the server cannot be reached (never under CI=true).
 */
import { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli, lastLine, runCli, startServer } from '../support/cli-process';
import { createTestDatabase, postgresSkipReason, TestDatabase, withPostgres } from '../support/postgres';

const A = 'drop-pd';
const skip = postgresSkipReason();
if (skip) console.warn(`SKIPPED: dropped PostgreSQL connections under load: ${skip}`);
const maybe = skip ? describe.skip : describe;

maybe('PostgreSQL connections ended under a write load', () => {
  let dir: string;
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;
  let server: { url: string; child: ChildProcess; output: () => string };
  let admin: string;
  let investigator: string;

  beforeAll(async () => {
    buildCli();
    dir = mkdtempSync(join(tmpdir(), 'sro-pgdrop-'));
    database = await createTestDatabase();
    env = { ...process.env, SRO_STORE: database.url, SRO_KEY_FILE: join(dir, 'ledger-key.pem'), SRO_VERIFY_INTERVAL: '0', SRO_LOG_LEVEL: 'warn' };
    const cli = (...args: string[]) => runCli(env, ...args);
    expect(cli('agency', 'create', '--id', A, '--name', 'Dropped Connections PD').status).toBe(0);
    admin = lastLine(cli('token', 'create', '--agency', A, '--role', 'admin', '--name', 'records'));
    investigator = lastLine(cli('token', 'create', '--agency', A, '--role', 'investigator', '--name', 'audit'));
    const started = await startServer(env);
    let output = '';
    started.child.stdout!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
    started.child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
    server = { ...started, output: () => output };
  }, 120_000);

  afterAll(async () => {
    const child = server?.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (method: 'GET' | 'POST', path: string, token: string, body?: object) => {
    const res = await fetch(`${server.url}/agencies/${A}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: text ? JSON.parse(text) : undefined };
  };

  /** Ends every session of the test database but this one (the server's pools: events, read models, access log). */
  const terminate = () =>
    withPostgres(database.url, async (client) => {
      const { rowCount } = await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database.name]);
      return rowCount ?? 0;
    });

  it('20 concurrent writers, the backends terminated 6 times: no crash, only 201 or 503 with Retry-After, every 201 recorded, the ledger verifies', async () => {
    const answers: { officerId: string; status: number; retryAfter: string | null; message: unknown }[] = [];
    let stop = false;
    const writer = async (w: number) => {
      for (let i = 0; !stop && i < 400; i++) {
        const officerId = `w${w}-${i}`;
        try {
          const res = await call('POST', '/officers', admin, { officerId, name: `Officer ${w} ${i}` });
          answers.push({ officerId, status: res.status, retryAfter: res.retryAfter, message: res.body?.message });
        } catch (err) {
          answers.push({ officerId, status: 0, retryAfter: null, message: String((err as Error).cause ?? err) }); // the connection to the server failed
          if (server.child.exitCode !== null || server.child.signalCode !== null) return;
        }
      }
    };
    const load = Promise.all(Array.from({ length: 20 }, (_, w) => writer(w)));
    let terminated = 0;
    for (let round = 0; round < 6; round++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      terminated += await terminate();
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
    stop = true;
    await load;

    expect(terminated).toBeGreaterThan(0);
    expect({ exitCode: server.child.exitCode, signal: server.child.signalCode }).toEqual({ exitCode: null, signal: null });
    expect(server.output()).not.toMatch(/Unhandled 'error' event/);
    const byStatus = new Map<number, number>();
    for (const a of answers) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
    const unexpected = answers.filter((a) => a.status !== 201 && a.status !== 503);
    // On a failure, the server's error lines say why.
    const errors = unexpected.length ? server.output().split('\n').filter((l) => /"level":"error".*"context":"HttpErrors"/.test(l)).slice(-5) : [];
    expect({ unexpected: unexpected.slice(0, 5), errors, counts: Object.fromEntries(byStatus) }).toEqual({ unexpected: [], errors: [], counts: expect.objectContaining({ 201: expect.any(Number) }) });
    expect(byStatus.get(503) ?? 0).toBeGreaterThan(0); // the terminations did cut writes off
    for (const a of answers.filter((x) => x.status === 503)) {
      expect(a.retryAfter).toMatch(/^[1-9][0-9]*$/);
      expect(a.message).toEqual([expect.stringMatching(/^the store could not be reached or its connection broke; .*nothing was half-written.*try again in a few seconds/)]);
    }

    // The server answers again as before: a write, and every write answered 201 is in the records.
    expect((await call('POST', '/officers', admin, { officerId: 'after', name: 'After The Drops' })).status).toBe(201);
    const listed = new Set<string>();
    for (let page = 1; ; page++) {
      const res = await call('GET', `/officers?page=${page}`, admin);
      expect(res.status).toBe(200);
      for (const o of res.body.officers as { officerId: string }[]) listed.add(o.officerId);
      if (page >= res.body.pages) break;
    }
    for (const a of answers.filter((x) => x.status === 201)) expect({ officerId: a.officerId, listed: listed.has(a.officerId) }).toEqual({ officerId: a.officerId, listed: true });

    // Nothing half-written: every chain, head, roster, the tree and the read models verify.
    const integrity = await call('GET', '/integrity', investigator);
    expect({ status: integrity.status, ok: integrity.body.ok, firstBroken: integrity.body.firstBroken }).toEqual({ status: 200, ok: true, firstBroken: undefined });
    expect(server.child.exitCode).toBeNull();
  }, 180_000);
});
