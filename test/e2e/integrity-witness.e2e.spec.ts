/**
 * A witness's checkpoint, whatever its age, against today's log (docs/integrity.md, docs/decisions.md
 * W37), on the harness's store (SQLite, or PostgreSQL with test:postgres). The attacker holds the
 * database, and in the last case the key too: they edit an event, recompute every chain, head and
 * the store's tree, delete the stored checkpoints and the checkpoint log, and sign again. Only the
 * checkpoint a witness kept catches it, from its own size and root, and the answer names the
 * witness's checkpoint (its size and root, in hexadecimal and as the file writes it).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { signCheckpoint } from '../../events/checkpoint';
import { officerStream } from '../../events/streams';
import { Accounts } from '../../src/auth/accounts';
import { checkpointLogFile } from '../../src/ledger/checkpoint-log';
import { CheckpointService } from '../../src/ledger/checkpoint-service';
import { loadSigningKey } from '../../src/ledger/signing-key';
import { ProjectionRunner } from '../../src/read-models/projection-runner';
import { createHttpApp } from '../../src/http/create-http-app';
import request from 'supertest';
import { buildCli, runCli } from '../support/cli-process';
import { deleteStoredCheckpoints, recomputeTree, rewriteEvent } from '../support/tamper';
import { Harness, startHarness } from './http-harness';

jest.setTimeout(90_000);
beforeAll(() => buildCli());

const A = 'witness-pd';
let h: Harness;
let tokens: Awaited<ReturnType<Harness['agency']>>;

beforeEach(async () => {
  h = await startHarness();
  tokens = await h.agency(A);
  await write('/policies', { version: '2025-10', adoptedOn: '2025-08-15' });
  await write('/officers', { officerId: 'late', name: 'Lee Late' });
  await write('/officers/late/assignments', { assignmentId: 'hs', schools: ['Central High'], startDate: '2025-09-02' });
  await h.app.get(ProjectionRunner).waitUntilCaughtUp();
});
afterEach(async () => {
  await h.close();
});

const write = (path: string, body: object) => h.http().post(`/api/agencies/${A}${path}`).set('Authorization', `Bearer ${tokens.admin}`).send(body).expect(201);
const cli = (...args: string[]) => runCli({ ...process.env, SRO_STORE: h.storeUrl, SRO_KEY_FILE: h.keyFile, SRO_CHECKPOINT_INTERVAL: '0' }, ...args);
async function all() {
  const out = [];
  for await (const e of h.store.readAll()) out.push(e);
  return out;
}
/** The witness's copy of the latest checkpoint, signed now. */
async function keepCheckpoint(name: string): Promise<{ file: string; size: number; root64: string }> {
  const note = (await h.app.get(CheckpointService).issue())!.note;
  const file = `${h.keyFile}.${name}`;
  writeFileSync(file, note);
  const [, size, root64] = note.split('\n');
  return { file, size: Number(size), root64 };
}
/** The attacker: edit the assignment, recompute chains, heads and the store's tree, delete both records of checkpoints. */
async function rewriteHistory(): Promise<void> {
  const stream = await h.store.readStream(officerStream(A, 'late'));
  const index = stream.findIndex((e) => e.type === 'OfficerAssigned');
  await rewriteEvent(h, stream, index, { ...(stream[index].data as object), startDate: '2026-01-05' });
  await recomputeTree(h, await all());
  await deleteStoredCheckpoints(h);
  rmSync(checkpointLogFile(h.keyFile), { force: true });
  expect(cli('rebuild').status).toBe(0); // the read models derived again from the rewritten log
}

describe('verify --checkpoint FILE checks the given checkpoint from its own size and root', () => {
  it('reports which checkpoint it checked (size, root in hex and base64) and that it holds, when the log only grew', async () => {
    const witness = await keepCheckpoint('witness.txt');
    await write('/officers', { officerId: 'new', name: 'Nia New' });
    await h.app.get(CheckpointService).issue();
    const run = cli('verify', '--checkpoint', witness.file);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.checkpoint.treeSize).toBeGreaterThan(witness.size);
    expect(report.given).toEqual([
      { file: witness.file, origin: expect.any(String), treeSize: witness.size, rootHash: Buffer.from(witness.root64, 'base64').toString('hex'), rootHashBase64: witness.root64, ok: true },
    ]);
    expect(report.tree.rootHashBase64).toBe(Buffer.from(report.tree.rootHash, 'hex').toString('base64'));
  });

  it('an older checkpoint than the latest: a history rewritten, then signed again over one more event, is caught', async () => {
    const witness = await keepCheckpoint('witness.txt');
    await rewriteHistory();
    await write('/officers', { officerId: 'new', name: 'Nia New' });
    // Signed again by a process that never saw the old log (as after a restart).
    const signed = cli('checkpoint');
    expect(signed.status).toBe(0);
    expect(Number(signed.stdout.split('\n')[1])).toBeGreaterThan(witness.size);
    // Without the witness's copy nothing tells (the window docs/integrity.md states).
    expect(cli('verify').status).toBe(0);

    const run = cli('verify', '--checkpoint', witness.file);
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.ok).toBe(false);
    expect(report.given[0]).toMatchObject({ treeSize: witness.size, rootHashBase64: witness.root64, ok: false });
    expect(report.firstBroken.reason).toMatch(new RegExp(`no longer matches the checkpoint given .* of ${witness.size} events`));
    expect(report.firstBroken.reason).toContain(witness.root64);

    // The console's form says the same, in words, on a server started afresh (the one that read the
    // old log knows by itself, and closes sign-in: docs/integrity.md).
    const again = await startApp(h);
    let page: Awaited<ReturnType<typeof checkInConsole>>;
    try {
      page = await checkInConsole(readFileSync(witness.file, 'utf8'), again);
    } finally {
      await again.close();
    }
    expect(page.text).toContain('data-outside-check="broken"');
    expect(page.text).toContain(`Your checkpoint of ${witness.size} events (root hash ${witness.root64}) is signed, but today’s ledger does not match it`);
    expect(page.text).not.toContain('Verified: nothing was altered');
  });

  it("a checkpoint of 5 events with a garbage root, signed by the ledger's own key, is refused", async () => {
    await h.app.get(CheckpointService).issue();
    const key = loadSigningKey(h.keyFile);
    const file = `${h.keyFile}.garbage.txt`;
    writeFileSync(file, signCheckpoint({ origin: key.origin, treeSize: 5, rootHash: 'ab'.repeat(32) }, key.privateKey, key.publicKey));
    const run = cli('verify', '--checkpoint', file);
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout).given[0]).toMatchObject({ treeSize: 5, ok: false, reason: expect.stringMatching(/no longer matches/) });
  });

  it('after the key was replaced and history signed again, the old checkpoint with the old verifier key still catches it', async () => {
    const witness = await keepCheckpoint('old.txt');
    const oldKey = loadSigningKey(h.keyFile).verifierKey;
    renameSync(h.keyFile, `${h.keyFile}.retired`);
    await rewriteHistory();
    const signed = cli('checkpoint'); // creates a new key, signs the rewritten log
    expect(signed.status).toBe(0);
    expect(loadSigningKey(h.keyFile).verifierKey).not.toBe(oldKey);
    const run = cli('verify', '--checkpoint', witness.file, '--public-key', oldKey);
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout).given[0]).toMatchObject({ treeSize: witness.size, rootHashBase64: witness.root64, ok: false });
  });
});

/** Signs in an investigator and posts the checkpoint form of /integrity. */
async function checkInConsole(checkpoint: string, app = h.app) {
  const http = () => request(app.getHttpServer());
  const email = `inv-${randomUUID().slice(0, 8)}@pd.example.gov`;
  const password = 'lilac tractor mustard canyon';
  const accounts = app.get(Accounts);
  const invitation = await accounts.invite({ agencyId: A, role: 'investigator', email, name: 'Ida Investigator' }, 'test');
  await accounts.setPassword(invitation.secret, password, password);
  let cookie = '';
  const keep = (res: { headers: Record<string, unknown> }) => {
    const set = ((res.headers['set-cookie'] as string[] | undefined) ?? []).find((c) => c.startsWith('sro_session='));
    if (set) cookie = set.split(';')[0];
  };
  const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];
  const signInPage = await http().get('/sign-in');
  keep(signInPage);
  const signedIn = await http().post('/sign-in').set('Cookie', cookie).type('form').send({ _csrf: csrfOf(signInPage.text), email, password, next: '/' });
  keep(signedIn);
  expect(signedIn.status).toBe(303);
  const page = await http().get('/integrity').set('Cookie', cookie);
  return http().post('/integrity/check').set('Cookie', cookie).type('form').send({ _csrf: csrfOf(page.text), checkpoint, verifierKey: '' });
}

describe('checkpoints deleted from both places (the store and the checkpoint log)', () => {
  it('a log with events and no checkpoint at all is a failure for verify, a new server and its health, and is not signed over', async () => {
    await h.app.get(CheckpointService).issue();
    await rewriteHistory();
    // A one-shot verify (no memory of the old log) names it.
    const run = cli('verify');
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout).firstBroken).toMatchObject({ stream: '(ledger)', reason: expect.stringMatching(/no checkpoint signed by this ledger's key is kept.*were deleted/) });
    // A server started afresh on the store (as after a restart): health is 503 at once, it signs nothing over the rewritten log.
    const again = await startApp(h);
    try {
      const health = await request(again.getHttpServer()).get('/api/health');
      expect(health.status).toBe(503);
      expect(health.body.message[0]).toMatch(/no checkpoint signed by this ledger's key is kept/);
      await expect(again.get(CheckpointService).issue()).rejects.toThrow(/no checkpoint signed/);
      // A witness asking for a checkpoint gets a 503 that says why, not a 500.
      const served = await request(again.getHttpServer()).get('/api/ledger/checkpoint').set('Authorization', `Bearer ${tokens.auditor}`);
      expect(served.status).toBe(503);
      // (Tokens are refused first: a log whose checkpoints were deleted may hide an access event, docs/integrity.md.)
      expect(served.text).toMatch(/no checkpoint signed by this ledger's key is kept/);
      expect(await h.store.latestCheckpoint()).toBeUndefined();
      const integrity = await request(again.getHttpServer()).get(`/api/agencies/${A}/integrity`).set('Authorization', `Bearer ${tokens.investigator}`);
      expect(integrity.status).toBe(503);
      expect(integrity.body.message[0]).toMatch(/^sign-in and tokens are refused until the records are investigated: .*no checkpoint signed/);
    } finally {
      await again.close();
    }
  });

  it('a new ledger signs its first checkpoint (of 0 events) when its key is created, so a fresh ledger verifies', async () => {
    const cps = await h.app.get(CheckpointService).checkpoints();
    expect(cps[0]).toMatchObject({ treeSize: 0 });
    // Events were written since, none signed yet: not a failure.
    expect(cli('verify').status).toBe(0);
    // The route serves a checkpoint of the events, never the empty one.
    const served = await h.http().get('/api/ledger/checkpoint').set('Authorization', `Bearer ${tokens.auditor}`);
    expect(Number(served.text.split('\n')[1])).toBe((await all()).length);
  });
});

/** A second app on the harness's store and key, as a restarted server. */
async function startApp(harness: Harness) {
  const app = await createHttpApp({ store: harness.storeUrl, logger: false, ledger: { keyFile: harness.keyFile } });
  await app.init();
  return app;
}
