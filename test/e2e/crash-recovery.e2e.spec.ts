/**
 * No data lost, on the store SRO_STORE names (a temporary SQLite file, or a fresh
 * PostgreSQL database): processes are killed with SIGKILL in the middle of writes that span two
 * streams, and started again.
 *
 * 1. The server, during concurrent registrations (each one appends to the officer's stream and
 *    the agency roster in one transaction) and concurrent writes to shared streams. The kill is
 *    driven by the count of acknowledged registrations, while other writes are in flight.
 * 2. The CLI, during an import of a few thousand rows (batched transactions). The kill is driven
 *    by the count of rows committed, read from the store.
 * 3. After both: every chain verifies; every acknowledged write is there; every officer stream
 *    has its roster enrolment and every enrolment its officer stream; the import committed a
 *    prefix of the file and a re-import finishes it; the read models' checkpoints reach the log's
 *    last position; and the agency report equals a status computed straight from the event store,
 *    both before the read models caught up and after.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '../../events/envelope';
import { agencyStream, officerStreamPrefix, rosterStream } from '../../events/streams';
import { agencyStatus, type LedgerEvent, type OfficerLedger } from '../../projections';
import type { EventStore } from '../../src/store/event-store.port';
import { openEventStore } from '../../src/store/backends';
import { buildCli, lastLine, runCli, spawnCli, startServer } from '../support/cli-process';
import { createTestDatabase, isPostgresUrl, skipFileUnlessPostgres, TestDatabase } from '../support/postgres';

/** The store under test: a temporary SQLite file, or a fresh PostgreSQL database when SRO_STORE names PostgreSQL. */
const requestedStore = process.env.SRO_TEST_STORE?.trim() || process.env.SRO_STORE?.trim() || 'sqlite:';
if (isPostgresUrl(requestedStore)) skipFileUnlessPostgres('the crash test on PostgreSQL', requestedStore);

const CRASH = 'crash-pd';
const IMPORT = 'import-pd';
/** The server is killed once this many registrations have been answered 201. */
const KILL_AFTER_REGISTRATIONS = 60;
const REGISTRATION_WRITERS = 4;
/** Officers registered before the writes, each with two writers racing on its stream. */
const SHARED_OFFICERS = ['s0', 's1', 's2'];
/** Rows of the import file: two per officer. */
const IMPORT_ROWS = 8000;
const ASOF = '2025-12-31';
const CHANGED = { statusCode: 409, error: 'Conflict', message: ['the record changed while this write was being made; reload and try again'] };

let dir: string;
let database: TestDatabase | undefined;
let storeUrl: string;
let env: NodeJS.ProcessEnv;
let admin: string;
let importFile: string;

/** What the killed server answered 201. */
const acknowledged = { registrations: new Map<string, string>(), substituteDays: [] as { officerId: string; eventId: string }[] };
/** Rows the killed import had committed. */
let committedRows = -1;

const cli = (...args: string[]) => runCli(env, ...args);

async function withStore<T>(work: (store: EventStore) => Promise<T>): Promise<T> {
  const store = await openEventStore(storeUrl);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  buildCli();
  dir = mkdtempSync(join(tmpdir(), 'sro-crash-'));
  database = isPostgresUrl(requestedStore) ? await createTestDatabase(requestedStore) : undefined;
  storeUrl = database ? database.url : `sqlite:${join(dir, 'sro.db')}`;
  // The ledger's signing key and checkpoint log of this store alone (the default for PostgreSQL is ./data, shared).
  env = { ...process.env, SRO_STORE: storeUrl, SRO_KEY_FILE: join(dir, 'ledger-key.pem') };
  expect(cli('agency', 'create', '--id', CRASH, '--name', 'Crash PD').status).toBe(0);
  expect(cli('agency', 'create', '--id', IMPORT, '--name', 'Import PD').status).toBe(0);
  admin = lastLine(cli('token', 'create', '--agency', CRASH, '--role', 'admin', '--name', 'loader'));
  expect(admin).toMatch(/^sro_/);

  // Officer k: registered, then assigned (untrained), trained (unassigned) or a substitute day.
  const rows = ['command,officerId,name,assignmentId,schools,startDate,trainingId,course,completedOn,date,school,idempotencyKey'];
  for (let k = 0; k < IMPORT_ROWS / 2; k++) {
    rows.push(`RegisterOfficer,i${k},Imported ${k},,,,,,,,,reg-${k}`);
    if (k % 3 === 0) rows.push(`AssignOfficer,i${k},,a1,Central High,2025-09-02,,,,,,next-${k}`);
    else if (k % 3 === 1) rows.push(`RecordTraining,i${k},,,,,t1,MN_SRO_BASIC,2025-08-20,,,next-${k}`);
    else rows.push(`RecordSubstituteDay,i${k},,,,,,,,2025-10-01,North Middle,next-${k}`);
  }
  importFile = join(dir, 'roster.csv');
  writeFileSync(importFile, rows.join('\n') + '\n');
}, 60_000);
afterAll(async () => {
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

it('SIGKILL of the server during concurrent registrations and writes to shared streams: every answer was 201 or a 409 race', async () => {
  const headers = { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' };
  const server = await startServer(env);
  const exited = once(server.child, 'exit');
  for (const officerId of SHARED_OFFICERS) {
    const res = await fetch(`${server.url}/agencies/${CRASH}/officers`, { method: 'POST', headers, body: JSON.stringify({ officerId, name: officerId }) });
    expect(res.status).toBe(201);
  }

  let killed = false;
  /** Set once enough registrations were acknowledged: the next request sent is followed at once by the kill, so that writes are in flight when it lands (on a fast, quiet machine every answer could otherwise be in before it). */
  let killDue = false;
  let inFlightAtKill = 0;
  const unexpected: unknown[] = [];
  const deadline = Date.now() + 60_000;
  const writer = async (kind: string, next: (i: number) => { path: string; body: object; officerId: string }, allowRace: boolean) => {
    for (let i = 0; i < 10_000 && !killed && Date.now() < deadline; i++) {
      const { path, body, officerId } = next(i);
      let res: Response;
      try {
        const sent = fetch(`${server.url}/agencies/${CRASH}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
        if (killDue && !killed) {
          killed = true;
          server.child.kill('SIGKILL');
        }
        res = await sent;
      } catch (error) {
        if (killed) inFlightAtKill++;
        else unexpected.push({ kind, officerId, error: String(error) });
        return;
      }
      let answer: unknown;
      try {
        answer = await res.json();
      } catch (error) {
        if (killed) inFlightAtKill++;
        else unexpected.push({ kind, officerId, status: res.status, error: String(error) });
        return;
      }
      if (res.status === 201) {
        const { eventId } = answer as { eventId: string };
        if (kind === 'register') {
          acknowledged.registrations.set(officerId, eventId);
          if (acknowledged.registrations.size >= KILL_AFTER_REGISTRATIONS) killDue = true;
        } else acknowledged.substituteDays.push({ officerId, eventId });
      } else if (!(allowRace && res.status === 409 && JSON.stringify(answer) === JSON.stringify(CHANGED))) {
        unexpected.push({ kind, officerId, status: res.status, body: answer });
      }
    }
  };
  const writers = [
    ...Array.from({ length: REGISTRATION_WRITERS }, (_, w) =>
      writer('register', (i) => ({ path: '/officers', body: { officerId: `r${w}-${i}`, name: `Racer ${w}-${i}` }, officerId: `r${w}-${i}` }), false),
    ),
    // Two writers per shared officer: they race on its stream, so a 409 (and only that one) may answer.
    ...SHARED_OFFICERS.flatMap((officerId) =>
      [0, 1].map((w) =>
        writer(
          'substitute-day',
          (i) => ({ path: `/officers/${officerId}/substitute-days`, body: { date: `2025-10-${String((i % 28) + 1).padStart(2, '0')}`, school: `school-${w}-${i}` }, officerId }),
          true,
        ),
      ),
    ),
  ];
  await Promise.all(writers);
  if (!killed) server.child.kill('SIGKILL');
  await exited;

  expect(unexpected).toEqual([]);
  expect(killed).toBe(true);
  expect(acknowledged.registrations.size).toBeGreaterThanOrEqual(KILL_AFTER_REGISTRATIONS);
  expect(inFlightAtKill).toBeGreaterThan(0); // the kill landed while writes were in flight
}, 90_000);

it('SIGKILL of the CLI during an import of a few thousand rows: a prefix of the file is committed, the rest nothing', async () => {
  const committed = await withStore(async (store) => {
    const enrolled = async () => ((await store.listStreams(rosterStream(IMPORT))).find((h) => h.stream === rosterStream(IMPORT))?.revision ?? -1) + 1;
    // --by-row: batches of 2,000 events, each committed on its own (the whole-file mode is one transaction).
    const child = spawnCli(env, 'import', importFile, '--agency', IMPORT, '--by-row');
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    let finished = false;
    void exit.then(() => (finished = true));
    // Kill as soon as a first transaction of the import is committed (the roster has enrolments).
    const deadline = Date.now() + 60_000;
    while (!finished && (await enrolled()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const killedAt = await enrolled();
    child.kill('SIGKILL');
    const [code, signal] = await exit;
    expect({ signal, code, killedAt: killedAt > 0, output: signal === 'SIGKILL' ? '' : output }).toEqual({ signal: 'SIGKILL', code: null, killedAt: true, output: '' });
    return enrolled();
  });
  // The rows committed are exactly the first ones of the file: officer k has its first
  // min(2, rows - 2k) events, and every registration came with its roster enrolment.
  const rows = await withStore(async (store) => {
    const prefix = officerStreamPrefix(IMPORT);
    const byOfficer = new Map<number, string[]>();
    for (const head of await store.listStreams(prefix)) byOfficer.set(Number(head.stream.slice(prefix.length + 1)), (await store.readStream(head.stream)).map((e) => e.type));
    const n = [...byOfficer.values()].reduce((sum, types) => sum + types.length, 0);
    for (let k = 0; k < IMPORT_ROWS / 2; k++) {
      expect({ k, types: byOfficer.get(k) ?? [] }).toEqual({ k, types: importedTypes(k).slice(0, Math.max(0, Math.min(2, n - 2 * k))) });
    }
    expect(byOfficer.size).toBe(committed); // one enrolment per officer stream
    return n;
  });
  expect(rows).toBeGreaterThan(0);
  expect(rows).toBeLessThan(IMPORT_ROWS);
  committedRows = rows;
}, 90_000);

it('after both crashes: chains verify, nothing acknowledged is lost, the roster and the officer streams agree, read models catch up, reports equal the event store', async () => {
  expect(committedRows).toBeGreaterThan(0);
  const verified = cli('verify');
  expect({ status: verified.status, stderr: verified.stderr }).toEqual({ status: 0, stderr: '' });
  expect(verified.stdout).toMatch(/"ok":\s*true/);

  // The interrupted import, run again: the committed rows are duplicates, the rest is recorded.
  const again = cli('import', importFile, '--agency', IMPORT, '--by-row');
  expect({ status: again.status, stderr: again.stderr }).toEqual({ status: 0, stderr: '' });
  expect(JSON.parse(again.stdout)).toMatchObject({ commands: IMPORT_ROWS, accepted: IMPORT_ROWS - committedRows, duplicates: committedRows, rejectedCount: 0 });

  await withStore(async (store) => {
    for (const [officerId, eventId] of acknowledged.registrations) {
      expect(await store.readEvent(eventId, { stream: `officer-${CRASH}/${officerId}` })).toMatchObject({ type: 'OfficerRegistered', stream: `officer-${CRASH}/${officerId}`, revision: 0 });
    }
    for (const { officerId, eventId } of acknowledged.substituteDays) {
      expect(await store.readEvent(eventId, { stream: `officer-${CRASH}/${officerId}` })).toMatchObject({ type: 'SubstituteDayServed', stream: `officer-${CRASH}/${officerId}` });
    }
    for (const agencyId of [CRASH, IMPORT]) {
      const enrolled = (await store.readStream(rosterStream(agencyId))).map((e) => (e.data as { officerId: string }).officerId);
      const prefix = officerStreamPrefix(agencyId);
      const streams = (await store.listStreams(prefix)).map((h) => h.stream.slice(prefix.length));
      expect(new Set(enrolled).size).toBe(enrolled.length);
      expect([...enrolled].sort()).toEqual([...streams].sort());
    }
    expect(new Set((await store.listStreams(officerStreamPrefix(IMPORT))).map((h) => h.stream)).size).toBe(IMPORT_ROWS / 2);
  });

  // Everything the checks need is ready before the server starts, so that it is asked at once.
  const auditor = lastLine(cli('token', 'create', '--agency', CRASH, '--role', 'auditor', '--name', 'checker'));
  const importAuditor = lastLine(cli('token', 'create', '--agency', IMPORT, '--role', 'auditor', '--name', 'checker'));
  const knownAt = new Date().toISOString();
  const expected = await withStore(async (store) => ({
    [CRASH]: await statusFromEventStore(store, CRASH, knownAt),
    [IMPORT]: await statusFromEventStore(store, IMPORT, knownAt),
    lastPosition: await lastPositionOf(store),
  }));
  const server = await startServer(env);
  try {
    // Every page of the report (paged: docs/decisions.md W40); the counts are the whole agency's on each.
    const report = async (agencyId: string, token: string) => {
      let counts: ReturnType<typeof agencyStatus>['counts'] | undefined;
      const officers: ReturnType<typeof agencyStatus>['officers'] = [];
      for (let page = 1, pages = 1; page <= pages; page++) {
        const res = await fetch(`${server.url}/agencies/${agencyId}/status?asOf=${ASOF}&knownAt=${encodeURIComponent(knownAt)}&page=${page}&pageSize=2000`, { headers: { Authorization: `Bearer ${token}` } });
        expect(res.status).toBe(200);
        const body = (await res.json()) as ReturnType<typeof agencyStatus> & { pages: number };
        counts ??= body.counts;
        expect(body.counts).toEqual(counts);
        officers.push(...body.officers);
        pages = body.pages;
      }
      return { counts, officers: officers.sort(byOfficerId) };
    };
    // At once after the restart (the CLI import left the read models thousands of events behind the log) ...
    expect(await report(IMPORT, importAuditor)).toEqual(expected[IMPORT]);
    expect(await report(CRASH, auditor)).toEqual(expected[CRASH]);

    // ... and once the read models have caught up with every event of the log.
    const deadline = Date.now() + 30_000;
    for (;;) {
      // With a token, health gives each read model's checkpoint (without one it gives no counts).
      const health = (await (await fetch(`${server.url}/health`, { headers: { Authorization: `Bearer ${auditor}` } })).json()) as { projections: { name: string; checkpoint: number }[] };
      if (health.projections.length > 0 && health.projections.every((p) => p.checkpoint === expected.lastPosition)) break;
      if (Date.now() > deadline) throw new Error(`read models did not reach the log's last position ${expected.lastPosition}: ${JSON.stringify(health)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await report(IMPORT, importAuditor)).toEqual(expected[IMPORT]);
    expect(await report(CRASH, auditor)).toEqual(expected[CRASH]);
    expect(expected[IMPORT].counts).toMatchObject({ NON_COMPLIANT: expect.any(Number), NOT_ASSIGNED: expect.any(Number) });
    expect(Object.values(expected[IMPORT].counts).filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);

    // The history (read models) has every acknowledged substitute day exactly once, with no gap in revisions.
    for (const officerId of SHARED_OFFICERS) {
      const res = await fetch(`${server.url}/agencies/${CRASH}/officers/${officerId}/history`, { headers: { Authorization: `Bearer ${auditor}` } });
      const own = ((await res.json()) as { events: { eventId: string; revision?: number; stream: string }[] }).events.filter((e) => e.stream === 'officer');
      const ids = own.map((e) => e.eventId);
      expect(new Set(ids).size).toBe(ids.length);
      for (const ack of acknowledged.substituteDays.filter((a) => a.officerId === officerId)) expect(ids).toContain(ack.eventId);
    }
  } finally {
    server.child.kill('SIGTERM');
    await once(server.child, 'exit');
  }
}, 120_000);

/** The events the import file records for officer k, in file order. */
const importedTypes = (k: number) => ['OfficerRegistered', ['OfficerAssigned', 'TrainingCompleted', 'SubstituteDayServed'][k % 3]];

const byOfficerId = (a: { officerId: string }, b: { officerId: string }) => (a.officerId < b.officerId ? -1 : a.officerId > b.officerId ? 1 : 0);

const asLedgerEvent = (e: RecordedEvent): LedgerEvent => ({ eventId: e.eventId, type: e.type, data: e.data, recordedAt: e.recordedAt, recordedBy: e.recordedBy });

/** The agency report computed straight from the event store with the engine: no read model involved. */
async function statusFromEventStore(store: EventStore, agencyId: string, knownAt: string) {
  const agencyEvents = (await store.readStream(agencyStream(agencyId))).map(asLedgerEvent);
  const prefix = officerStreamPrefix(agencyId);
  const ledgers: OfficerLedger[] = [];
  for (const head of await store.listStreams(prefix)) {
    const events = await store.readStream(head.stream);
    const registration = events.find((e) => e.type === 'OfficerRegistered');
    if (!registration || Date.parse(registration.recordedAt) > Date.parse(knownAt)) continue;
    ledgers.push({ officerId: head.stream.slice(prefix.length), name: (registration.data as { name: string }).name, officerEvents: events.map(asLedgerEvent), agencyEvents });
  }
  const status = agencyStatus(ledgers, ASOF, knownAt);
  return { counts: status.counts, officers: [...status.officers].sort(byOfficerId) };
}

async function lastPositionOf(store: EventStore): Promise<number> {
  let last = 0;
  for await (const e of store.readAll({ batchSize: 5000 })) last = e.position;
  return last;
}
