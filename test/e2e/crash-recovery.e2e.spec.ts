/**
 * No data lost (SPEC §7): the server is killed with SIGKILL in the middle of a stream of writes
 * and started again. Every write that was answered 201 is there, no partial append is visible,
 * every chain verifies, and the read models catch up with the log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli, lastLine, runCli, startServer } from '../support/cli-process';
import { createTestDatabase, isPostgresUrl, skipFileUnlessPostgres, TestDatabase } from '../support/postgres';

/** The store under test: a temporary SQLite file, or a fresh PostgreSQL database when SRO_STORE names PostgreSQL. */
const requestedStore = process.env.SRO_TEST_STORE?.trim() || process.env.SRO_STORE?.trim() || 'sqlite:';
if (isPostgresUrl(requestedStore)) skipFileUnlessPostgres('the crash test on PostgreSQL', requestedStore);

let dir: string;
let database: TestDatabase | undefined;
let env: NodeJS.ProcessEnv;

const cli = (...args: string[]) => runCli(env, ...args);

beforeAll(async () => {
  buildCli();
  dir = mkdtempSync(join(tmpdir(), 'sro-crash-'));
  database = isPostgresUrl(requestedStore) ? await createTestDatabase(requestedStore) : undefined;
  env = { ...process.env, SRO_STORE: database ? database.url : `sqlite:${join(dir, 'sro.db')}` };
});
afterAll(async () => {
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

it('keeps every acknowledged write across a SIGKILL, with verified chains and caught-up read models', async () => {
  expect(cli('agency', 'create', '--id', 'crash-pd', '--name', 'Crash PD').status).toBe(0);
  const token = lastLine(cli('token', 'create', '--agency', 'crash-pd', '--role', 'admin', '--name', 'loader'));
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };

  const first = await startServer(env);
  const officers = Array.from({ length: 6 }, (_, i) => `o${i}`);
  for (const officerId of officers) {
    const res = await fetch(`${first.url}/agencies/crash-pd/officers`, { method: 'POST', headers, body: JSON.stringify({ officerId, name: officerId }) });
    expect(res.status).toBe(201);
  }

  // Writers on every officer until the kill; remember what was acknowledged.
  const acknowledged: { officerId: string; eventId: string }[] = [];
  let killed = false;
  const writer = async (officerId: string, w: number) => {
    for (let i = 0; !killed && i < 10_000; i++) {
      const day = `2025-${String(9 + (i % 4)).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
      try {
        const res = await fetch(`${first.url}/agencies/crash-pd/officers/${officerId}/substitute-days`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ date: day, school: `school-${w}-${i}` }),
        });
        if (res.status === 201) acknowledged.push({ officerId, eventId: ((await res.json()) as { eventId: string }).eventId });
        else expect([409, 503]).toContain(res.status);
      } catch {
        return; // the server is gone
      }
    }
  };
  const writers = officers.flatMap((officerId) => [writer(officerId, 0), writer(officerId, 1)]);
  await new Promise((r) => setTimeout(r, 1500));
  killed = true;
  first.child.kill('SIGKILL');
  await Promise.all(writers);
  expect(acknowledged.length).toBeGreaterThan(20);

  // After the crash: the chains verify, whatever was in flight.
  const verified = cli('verify');
  expect(verified.status).toBe(0);
  expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true });

  const second = await startServer(env);
  try {
    // The read models catch up with the log (the server does it in the background).
    const deadline = Date.now() + 15_000;
    let lastPosition = -1;
    for (;;) {
      const health = (await (await fetch(`${second.url}/health`)).json()) as { projections: { checkpoint: number }[] };
      const checkpoints = health.projections.map((p) => p.checkpoint);
      if (checkpoints.every((c) => c === checkpoints[0]) && checkpoints[0] === lastPosition) break;
      lastPosition = checkpoints[0];
      if (Date.now() > deadline) throw new Error(`projections did not settle: ${JSON.stringify(health)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    // Every acknowledged write is in the officer's history, exactly once.
    const investigator = lastLine(cli('token', 'create', '--agency', 'crash-pd', '--role', 'investigator', '--name', 'checker'));
    for (const officerId of officers) {
      const history = (await (
        await fetch(`${second.url}/agencies/crash-pd/officers/${officerId}/history`, { headers: { Authorization: `Bearer ${investigator}` } })
      ).json()) as { events: { eventId: string; revision?: number; stream: string }[] };
      const own = history.events.filter((e) => e.stream === 'officer');
      const ids = new Set(own.map((e) => e.eventId));
      expect(ids.size).toBe(own.length);
      for (const ack of acknowledged.filter((a) => a.officerId === officerId)) expect(ids.has(ack.eventId)).toBe(true);
      expect(own.map((e) => e.revision)).toEqual(own.map((_, i) => i)); // no gap: no partial append
    }
    // The status read (from the read models) agrees with the log: all writes are counted.
    const status = await fetch(`${second.url}/agencies/crash-pd/officers/o0/status?asOf=2025-12-31`, { headers: { Authorization: `Bearer ${investigator}` } });
    expect(status.status).toBe(200);
  } finally {
    second.child.kill('SIGTERM');
  }
});
