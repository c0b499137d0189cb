/**
 * The access log ("who read what", Minn. Stat. 13.05 subd. 5 and 13.055) under attack
 * (docs/integrity.md; docs/decisions.md W37), on the harness's store (SQLite, or PostgreSQL with
 * test:postgres): its batches are hash-chained and their head is sealed in the ledger under each
 * signed checkpoint, so an entry deleted, a reader rewritten (even with the chain recomputed) or
 * the table dropped is caught by the integrity route, a CLI verify in another process and
 * health. HEAD requests on officer data are reads too.
 */
import { createHash } from 'node:crypto';
import { AccessLog } from '../../src/access-log/access-log';
import { PostgresAccessLogStore } from '../../src/store/postgres/postgres-access-log-store';
import { SqliteAccessLogStore } from '../../src/store/sqlite/sqlite-access-log-store';
import { CheckpointService } from '../../src/ledger/checkpoint-service';
import { IntegrityMonitor } from '../../src/ledger/integrity-monitor';
import { buildCli, runCli } from '../support/cli-process';
import { certificatePdf } from '../support/pdf';
import { tamperAccessLog } from '../support/tamper';
import { Harness, startHarness } from './http-harness';

jest.setTimeout(90_000);
beforeAll(() => buildCli());

const A = 'log-pd';
let h: Harness;
let tokens: Awaited<ReturnType<Harness['agency']>>;

beforeEach(async () => {
  h = await startHarness();
  tokens = await h.agency(A);
  await h.http().post(`/api/agencies/${A}/officers`).set('Authorization', `Bearer ${tokens.admin}`).send({ officerId: 'jdoe', name: 'Jordan Doe' }).expect(201);
});
afterEach(async () => {
  await h.close();
});

const read = (path: string, role: 'auditor' | 'investigator' = 'auditor') => h.http().get(`/api/agencies/${A}${path}`).set('Authorization', `Bearer ${tokens[role]}`);
const cli = (...args: string[]) => runCli({ ...process.env, SRO_STORE: h.storeUrl, SRO_KEY_FILE: h.keyFile, SRO_CHECKPOINT_INTERVAL: '0' }, ...args);

/** Reads in three batches, then a checkpoint: the log's head is sealed under it. */
async function readAndSeal(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await read('/officers/jdoe/status').expect(200);
    await read('/officers/jdoe/history', 'investigator').expect(200);
    await h.app.get(AccessLog).flush();
  }
  await h.app.get(CheckpointService).issue();
  expect((await h.store.readStream('access-log')).at(-1)).toMatchObject({ type: 'AccessLogSealed', data: { batches: 3, rows: 6 } });
  expect((await h.app.get(IntegrityMonitor).verify()).ok).toBe(true);
  expect(cli('verify').status).toBe(0);
}

async function expectCaught(reason: RegExp): Promise<void> {
  const http = await read('/integrity', 'investigator');
  expect(http.body).toMatchObject({ ok: false, firstBroken: { stream: 'access-log', reason: expect.stringMatching(reason) } });
  const run = cli('verify');
  expect(run.status).toBe(1);
  expect(JSON.parse(run.stdout).firstBroken.reason).toMatch(reason);
  const health = await h.http().get('/api/health');
  expect(health.status).toBe(503);
  expect(health.body.message[0]).toMatch(reason);
}

describe('the access log is chained and sealed under the signed checkpoints', () => {
  it('an entry deleted is caught', async () => {
    await readAndSeal();
    await tamperAccessLog(h, 'DELETE FROM access_log WHERE id = (SELECT min(id) FROM access_log)');
    await expectCaught(/batch 1 .* was written with 2 entries and holds 1: an entry who read what was deleted/);
  });

  it('a reader rewritten is caught', async () => {
    await readAndSeal();
    await tamperAccessLog(h, "UPDATE access_log SET principal_name = $1 WHERE id = (SELECT max(id) FROM access_log)", ['someone else']);
    await expectCaught(/batch 3 .* no longer has its hash: an entry was altered/);
  });

  it('a reader rewritten and the chain of batches recomputed is caught against the sealed head', async () => {
    await readAndSeal();
    await tamperAccessLog(h, "UPDATE access_log SET principal_name = $1 WHERE id = (SELECT min(id) FROM access_log)", ['someone else']);
    // The attacker recomputes every batch's hash with the public formula: here, by letting the store seal the rows afresh.
    await tamperAccessLog(h, 'DROP TABLE access_log_batches');
    const reopened = h.dbPath ? new SqliteAccessLogStore(h.dbPath) : await PostgresAccessLogStore.open(h.storeUrl);
    expect(await reopened.verify()).toBeUndefined(); // the chain agrees with itself
    await reopened.close();
    await expectCaught(/ledger sealed 3 batches .* and it holds 1|differs from the one the ledger sealed/);
  });

  it('the table dropped is caught, by the running server and by a new process', async () => {
    await readAndSeal();
    await tamperAccessLog(h, 'DROP TABLE access_log');
    const http = await read('/integrity', 'investigator');
    expect(http.body).toMatchObject({ ok: false, firstBroken: { stream: 'access-log', reason: expect.stringMatching(/access log cannot be read/) } });
    // A new process finds the table empty (it creates it again) while the ledger sealed 6 entries in 3 batches.
    await tamperAccessLog(h, 'DROP TABLE access_log_batches');
    const run = cli('verify');
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout).firstBroken.reason).toMatch(/ledger sealed 3 batches \(6 entries\) .* holds 0/);
    expect((await h.http().get('/api/health')).status).toBe(503);
  });
});

describe('HEAD requests on officer data are logged', () => {
  it('status, history and a certificate (whose HEAD gives its name and SHA-256)', async () => {
    const admin = (path: string) => h.http().post(`/api/agencies/${A}${path}`).set('Authorization', `Bearer ${tokens.admin}`);
    await admin('/officers/jdoe/trainings').send({ trainingId: 'basic-1', course: 'MN_SRO_BASIC', completedOn: '2025-08-20' }).expect(201);
    const pdf = await certificatePdf();
    await admin('/officers/jdoe/trainings/basic-1/certificate').attach('file', pdf, 'jdoe.pdf').field('filedOn', '2025-08-25').expect(201);
    const head = (path: string) => h.http().head(`/api/agencies/${A}${path}`).set('Authorization', `Bearer ${tokens.investigator}`);
    expect((await head('/officers/jdoe/status')).status).toBe(200);
    expect((await head('/officers/jdoe/history')).status).toBe(200);
    const certificate = await head('/officers/jdoe/trainings/basic-1/certificate');
    expect(certificate.status).toBe(200);
    expect(JSON.stringify(certificate.headers)).toContain(createHash('sha256').update(pdf).digest('hex'));
    const log = await read('/access-log', 'investigator').expect(200);
    const routes = (log.body.entries as { route: string }[]).map((e) => e.route);
    expect(routes).toEqual(
      expect.arrayContaining([
        'HEAD /api/agencies/:agencyId/officers/:officerId/status',
        'HEAD /api/agencies/:agencyId/officers/:officerId/history',
        'HEAD /api/agencies/:agencyId/officers/:officerId/trainings/:trainingId/certificate',
      ]),
    );
  });
});
