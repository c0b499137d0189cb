/**
 * Tampering for real (docs/decisions.md W14), on the harness's store (SQLite file, or PostgreSQL
 * with test:postgres): each scenario writes the database with raw SQL as someone with access to it
 * and the public hash formulas would, then the HTTP integrity route AND a CLI `verify` in a
 * separate process must both catch it and name the first broken link, and /api/health must
 * answer 503. Scenario 4 recomputes every chain, head and the store's own tree: only a
 * checkpoint signed before the edit (kept in the log beside the key, or outside) catches it.
 */
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { officerStream, rosterStream, ACCESS_STREAM, agencyStream } from '../../events/streams';
import { AccessRegistry } from '../../src/auth/access-registry';
import { CheckpointService } from '../../src/ledger/checkpoint-service';
import { IntegrityMonitor } from '../../src/ledger/integrity-monitor';
import { checkpointLogFile } from '../../src/ledger/checkpoint-log';
import { ProjectionRunner } from '../../src/read-models/projection-runner';
import { officerFactsSnapshot } from '../../projections';
import { buildCli, runCli } from '../support/cli-process';
import {
  deleteNewestEvent,
  deleteStoredCheckpoints,
  deleteStream,
  deleteTreeRecord,
  editEventData,
  editReadModel,
  recomputeTree,
  rewriteEvent,
  swapPositions,
} from '../support/tamper';
import { Harness, startHarness } from './http-harness';

jest.setTimeout(60_000);
beforeAll(() => buildCli());

const A = 'tamper-pd';

interface World {
  h: Harness;
  tokens: Awaited<ReturnType<Harness['agency']>>;
}

async function world(): Promise<World> {
  const h = await startHarness();
  const tokens = await h.agency(A);
  const write = (path: string, body: object) => h.http().post(`/api/agencies/${A}${path}`).set('Authorization', `Bearer ${tokens.admin}`).send(body).expect(201);
  await write('/policies', { version: '2025-10', adoptedOn: '2025-08-15' });
  await write('/officers', { officerId: 'late', name: 'Lee Late' });
  await write('/officers/late/assignments', { assignmentId: 'hs', schools: ['Central High'], startDate: '2025-09-02' });
  await write('/officers/late/policy-reviews', { version: '2025-10', reviewedOn: '2025-08-20' });
  await write('/officers', { officerId: 'other', name: 'Oda Other' });
  await write('/officers/other/substitute-days', { date: '2025-10-02', school: 'Central High' });
  await write('/officers/other/substitute-days', { date: '2025-10-03', school: 'Central High' });
  await h.app.get(ProjectionRunner).waitUntilCaughtUp();
  return { h, tokens };
}

const integrity = (w: World) => w.h.http().get(`/api/agencies/${A}/integrity`).set('Authorization', `Bearer ${w.tokens.investigator}`);
const cli = (w: World, ...args: string[]) => runCli({ ...process.env, SRO_STORE: w.h.storeUrl, SRO_KEY_FILE: w.h.keyFile }, ...args);
const events = (w: World, stream: string) => w.h.store.readStream(stream);
async function all(w: World) {
  const out = [];
  for await (const e of w.h.store.readAll()) out.push(e);
  return out;
}

/** Both entry points catch it, name the same first broken link, and health turns 503. */
async function expectCaught(w: World, expected: { stream?: string; eventId?: string | null; reason: RegExp }): Promise<void> {
  // Once a verification has failed, every token is refused (503, docs/integrity.md); the CLI below still answers.
  const alreadyFailed = w.h.app.get(IntegrityMonitor).failure() !== undefined;
  const http = await integrity(w);
  if (alreadyFailed) {
    expect(http.status).toBe(503);
    expect(http.body.message[0]).toMatch(/^sign-in and tokens are refused until the records are investigated: the ledger failed verification/);
  } else {
    expect(http.status).toBe(200);
    expect(http.body.ok).toBe(false);
    expect(http.body.firstBroken.reason).toMatch(expected.reason);
    if (expected.stream !== undefined) expect(http.body.firstBroken.stream).toBe(expected.stream);
    if (expected.eventId !== undefined) expect(http.body.firstBroken.eventId).toBe(expected.eventId);
  }

  const run = cli(w, 'verify');
  expect(run.status).toBe(1);
  const report = JSON.parse(run.stdout);
  expect(report.ok).toBe(false);
  expect(report.firstBroken.reason).toMatch(expected.reason);
  if (expected.stream !== undefined) expect(report.firstBroken.stream).toBe(expected.stream);

  const health = await w.h.http().get('/api/health');
  expect(health.status).toBe(503);
  expect(health.body.message[0]).toMatch(/the ledger failed verification/);
}

describe('tampering with the database is caught by verify and GET .../integrity', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });
  afterEach(async () => {
    await w.h.close();
  });

  it('an untouched store verifies, on both entry points, against a signed checkpoint', async () => {
    await w.h.app.get(CheckpointService).issue();
    const http = await integrity(w);
    expect(http.body).toMatchObject({ ok: true, checkpoint: { treeSize: (await all(w)).length } });
    const run = cli(w, 'verify');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, checkpoint: { treeSize: http.body.checkpoint.treeSize }, readModels: { documentsChecked: expect.any(Number) } });
    expect((await w.h.http().get('/api/health')).status).toBe(200);
  });

  it('already caught: an edited event names its stream and event', async () => {
    const eventId = await editEventData(w.h, officerStream(A, 'late'), 'OfficerAssigned', (d) => d.replace('2025-09-02', '2025-12-02'));
    await expectCaught(w, { stream: officerStream(A, 'late'), eventId, reason: /altered/ });
  });

  it('1. the newest event of a stream deleted and its head rolled back', async () => {
    await w.h.app.get(CheckpointService).issue();
    await deleteNewestEvent(w.h, await events(w, officerStream(A, 'late')));
    await expectCaught(w, { reason: /deleted|removed/ });
  });

  it('1b. the same, after the newest checkpoint, with the tree and the sequence recomputed too: the server that read it still knows', async () => {
    // The server has read the log (it does before every verification and checkpoint), no checkpoint covers it yet.
    await w.h.app.get(CheckpointService).leaves.sync();
    const deleted = await deleteNewestEvent(w.h, await events(w, officerStream(A, 'other')));
    await recomputeTree(w.h, (await all(w)).filter((e) => e.eventId !== deleted.eventId));
    const http = await integrity(w);
    expect(http.body.ok).toBe(false);
    expect(http.body.firstBroken.reason).toMatch(/read earlier/);
    // A CLI in another process has no such memory; the read model still remembers the event.
    const run = cli(w, 'verify');
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout).firstBroken).toMatchObject({ stream: officerStream(A, 'other'), reason: expect.stringMatching(/read model/) });
  });

  it('2. the most recently registered officer removed from the roster (and its stream deleted)', async () => {
    await w.h.app.get(CheckpointService).issue();
    await deleteNewestEvent(w.h, await events(w, rosterStream(A)));
    await expectCaught(w, { stream: rosterStream(A), reason: /not on the agency roster/ });
    await deleteStream(w.h, officerStream(A, 'other'));
    await expectCaught(w, { reason: /deleted|removed/ });
  });

  it('3. a revocation deleted from the access stream: verify fails, health is 503, the token stays revoked', async () => {
    const access = w.h.app.get(AccessRegistry);
    const token = await w.h.token(A, 'chief', 'departing-chief');
    const status = () => w.h.http().get(`/api/agencies/${A}/officers/late/status`).set('Authorization', `Bearer ${token}`);
    expect((await status()).status).toBe(200);
    await access.revoke({ agencyId: A, name: 'departing-chief', reason: 'left the agency', recordedBy: 'test' });
    await w.h.app.get(CheckpointService).issue(); // as `token revoke` does
    expect((await status()).status).toBe(401);

    const accessEvents = await events(w, ACCESS_STREAM);
    expect(accessEvents.at(-1)!.type).toBe('TokenRevoked');
    await deleteNewestEvent(w.h, accessEvents);
    await expectCaught(w, { reason: /deleted|removed|covers more events/ });
    // Still not let in: authentication fails closed on a ledger that failed verification (test/e2e/auth-tamper.e2e.spec.ts).
    expect((await status()).status).toBe(503);
  });

  it('4. an event edited with its chain, its head and the store tree recomputed: caught against the checkpoint signed before', async () => {
    const keptOutside = `${w.h.keyFile}.witness-copy`;
    writeFileSync(keptOutside, (await w.h.app.get(CheckpointService).issue())!.note);
    const stream = await events(w, officerStream(A, 'late'));
    const index = stream.findIndex((e) => e.type === 'OfficerAssigned');
    const edited = { ...(stream[index].data as object), startDate: '2026-01-05' };
    const eventId = await rewriteEvent(w.h, stream, index, edited);
    const after = await all(w);
    await recomputeTree(w.h, after);
    // Every chain and head agrees with itself now: only the checkpoint can tell.
    await expectCaught(w, { reason: /no longer matches the checkpoint|read earlier/ });
    const run = JSON.parse(cli(w, 'verify').stdout);
    expect(run.firstBroken.reason).toMatch(/no longer matches the checkpoint of \d+ events/);
    expect(after.map((e) => e.eventId)).toContain(eventId);

    // The checkpoints kept in the store and even the log beside the key deleted: the copy kept outside still proves it.
    await deleteStoredCheckpoints(w.h);
    rmSync(checkpointLogFile(w.h.keyFile));
    const outside = cli(w, 'verify', '--checkpoint', keptOutside);
    expect(outside.status).toBe(1);
    expect(JSON.parse(outside.stdout).firstBroken.reason).toMatch(/no longer matches the checkpoint/);
    // With the public verifier key alone, as a county attorney would run it.
    // (Taken from the server's key: GET /api/ledger/key refuses tokens now that the ledger failed verification.)
    const vkey = readFileSync(w.h.keyFile, 'utf8') && w.h.app.get(CheckpointService).key().verifierKey;
    const withKey = cli(w, 'verify', '--checkpoint', keptOutside, '--public-key', vkey);
    expect(withKey.status).toBe(1);
    // A checkpoint file that was itself altered is refused, not trusted.
    const forged = `${keptOutside}.forged`;
    writeFileSync(forged, readFileSync(keptOutside, 'utf8').replace(/\n(\d+)\n/, (_m, n) => `\n${Number(n) + 1}\n`));
    const refused = cli(w, 'verify', '--checkpoint', forged);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/signature does not verify/);
  });

  it('5. a read-model document edited (TRAINING_BEFORE_DUTY VIOLATED becomes MET): caught against the events', async () => {
    const status = async () =>
      (await w.h.http().get(`/api/agencies/${A}/officers/late/status?asOf=2025-10-01`).set('Authorization', `Bearer ${w.tokens.auditor}`)).body.findings.find(
        (f: { rule: string }) => f.rule === 'TRAINING_BEFORE_DUTY',
      ).outcome;
    expect(await status()).toBe('VIOLATED');
    const forgedTraining = { eventId: '01a230c6-0000-7000-8000-000000000000', type: 'TrainingCompleted', data: { trainingId: 'x', course: 'MN_SRO_BASIC', completedOn: '2025-08-01' }, recordedAt: '2025-08-01T12:00:00.000Z', recordedBy: 'admin-token' };
    let ledger: { events: unknown[]; officerId: string; name: string } | undefined;
    await editReadModel(w.h, 'officer-ledgers.v4', `${A}/late`, (doc) => {
      doc.events.push(forgedTraining);
      ledger = doc;
      return doc;
    });
    await editReadModel(w.h, 'officer-ledgers.v4', `facts:${A}/late`, (doc) => ({ ...doc, snapshot: officerFactsSnapshot(ledger!.officerId, ledger!.name, ledger!.events as never) }));
    // The next write for the officer makes the runner fold onto the forged document.
    await w.h.http().post(`/api/agencies/${A}/officers/late/policy-reviews`).set('Authorization', `Bearer ${w.tokens.admin}`).send({ version: '2025-10', reviewedOn: '2025-08-21' }).expect(201);
    await w.h.app.get(ProjectionRunner).waitUntilCaughtUp();
    expect(await status()).toBe('MET'); // the forgery works on the answer...
    await expectCaught(w, { stream: officerStream(A, 'late'), reason: /read model officer-ledgers\.v4.*altered/ }); // ...and is caught
  });

  it('6. two events swapped in global position order', async () => {
    await w.h.app.get(CheckpointService).issue();
    const log = await all(w);
    const a = log.find((e) => e.stream === officerStream(A, 'late') && e.type === 'PolicyReviewed')!;
    const b = log.find((e) => e.stream === agencyStream(A) && e.type === 'SroPolicyAdopted')!;
    await swapPositions(w.h, a, b);
    await expectCaught(w, { reason: /root|checkpoint|order|read earlier/ });
  });

  it('the server finds it by itself: the background verification turns health to 503', async () => {
    expect((await w.h.http().get('/api/health')).status).toBe(200);
    await editEventData(w.h, officerStream(A, 'late'), 'OfficerAssigned', (d) => d.replace('2025-09-02', '2025-12-02'));
    const monitor = w.h.app.get(IntegrityMonitor);
    monitor.start(20, 0); // as the server does every SRO_VERIFY_INTERVAL seconds
    let health = await w.h.http().get('/api/health');
    for (let i = 0; i < 200 && health.status !== 503; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      health = await w.h.http().get('/api/health');
    }
    expect(health.status).toBe(503);
    expect(health.body.message[0]).toMatch(new RegExp(`officer-${A}/late.*altered`));
    // Put back: the next background run passes and health is 200 again.
    await editEventData(w.h, officerStream(A, 'late'), 'OfficerAssigned', (d) => d.replace('2025-12-02', '2025-09-02'));
    for (let i = 0; i < 200 && health.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      health = await w.h.http().get('/api/health');
    }
    expect(health.status).toBe(200);
  });

  it("the store's record of its tree deleted: reported, never a 500", async () => {
    await deleteTreeRecord(w.h);
    await expectCaught(w, { reason: /record of its Merkle tree is (missing|unreadable)/ });
  });

  it('a forged checkpoint inserted in the store is refused', async () => {
    await w.h.app.get(CheckpointService).issue();
    const copy = `${w.h.keyFile}.other`;
    copyFileSync(w.h.keyFile, copy);
    const latest = (await w.h.store.latestCheckpoint())!;
    await w.h.store.saveCheckpoint({ ...latest, treeSize: latest.treeSize + 5, note: latest.note.replace(/\n(\d+)\n/, (_m, n) => `\n${Number(n) + 5}\n`) });
    await expectCaught(w, { reason: /did not sign/ });
  });
});
