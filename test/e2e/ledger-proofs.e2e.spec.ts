/**
 * The ledger routes as a witness uses them: the checkpoint (any valid token) verifies with the
 * verifier key; an inclusion proof puts an event of the caller's agency in it, and a
 * consistency proof shows a later checkpoint extends an earlier one — each checked with the
 * RFC 9162 verification algorithms, which use nothing but the proof.
 */
import { parseVerifierKey, verifyCheckpoint } from '../../events/checkpoint';
import { verifyConsistency, verifyInclusion } from '../../events/merkle';
import { CheckpointService } from '../../src/ledger/checkpoint-service';
import { Harness, startHarness } from './http-harness';

let h: Harness;
let tokens: Awaited<ReturnType<Harness['agency']>>;
let other: Awaited<ReturnType<Harness['agency']>>;
const A = 'proof-pd';
const B = 'other-pd';

beforeAll(async () => {
  h = await startHarness();
  tokens = await h.agency(A);
  other = await h.agency(B);
});
afterAll(async () => {
  await h.close();
});

const get = (path: string, token?: string) => {
  const req = h.http().get(`/api${path}`);
  return token ? req.set('Authorization', `Bearer ${token}`) : req;
};
const hex = (s: string) => Buffer.from(s, 'hex');

async function register(officerId: string): Promise<string> {
  const res = await h.http().post(`/api/agencies/${A}/officers`).set('Authorization', `Bearer ${tokens.admin}`).send({ officerId, name: `Officer ${officerId}` }).expect(201);
  return res.body.eventId;
}

describe('GET /api/ledger/checkpoint and /api/ledger/key', () => {
  it('serve a signed checkpoint to any valid token, as text, that verifies with the served key', async () => {
    await register('first');
    for (const role of ['admin', 'auditor', 'chief', 'investigator'] as const) {
      const res = await get('/ledger/checkpoint', tokens[role]);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
    }
    const note = (await get('/ledger/checkpoint', other.chief)).text;
    const key = (await get('/ledger/key', tokens.auditor)).text.trim();
    const checkpoint = verifyCheckpoint(note, parseVerifierKey(key));
    let count = 0;
    for await (const _ of h.store.readAll()) count++;
    expect(checkpoint.treeSize).toBe(count);
    expect(checkpoint.rootHash).toBe((await h.store.ledgerHead()).rootHash);
  });

  it('refuse a request without a valid token', async () => {
    expect((await get('/ledger/checkpoint')).status).toBe(401);
    expect((await get('/ledger/checkpoint', 'sro_not-a-token')).status).toBe(401);
  });
});

describe('proofs', () => {
  it('an inclusion proof puts the event in the checkpoint; a consistency proof links two checkpoints', async () => {
    const checkpoints = h.app.get(CheckpointService);
    const first = (await checkpoints.issue())!;
    const eventId = await register('second');
    await register('third');
    const second = (await checkpoints.issue())!;
    expect(second.treeSize).toBeGreaterThan(first.treeSize);

    const inclusion = await get(`/ledger/proofs/inclusion?eventId=${eventId}`, tokens.investigator);
    expect(inclusion.status).toBe(200);
    expect(inclusion.body).toMatchObject({ eventId, stream: `officer-${A}/second`, treeSize: second.treeSize, rootHash: second.rootHash, checkpoint: second.note });
    const { leafHash, leafIndex, treeSize, proof, rootHash } = inclusion.body;
    expect(verifyInclusion(hex(leafHash), leafIndex, treeSize, proof.map(hex), hex(rootHash))).toBe(true);
    expect(verifyInclusion(hex(leafHash), leafIndex + 1, treeSize, proof.map(hex), hex(rootHash))).toBe(false);

    const consistency = await get(`/ledger/proofs/consistency?from=${first.treeSize}&to=${second.treeSize}`, tokens.admin);
    expect(consistency.status).toBe(200);
    expect(consistency.body).toMatchObject({ from: first.treeSize, to: second.treeSize, fromRootHash: first.rootHash, toRootHash: second.rootHash });
    expect(verifyConsistency(first.treeSize, second.treeSize, hex(first.rootHash), hex(second.rootHash), consistency.body.proof.map(hex))).toBe(true);

    // An event recorded after the tree asked for is not in it.
    const late = await get(`/ledger/proofs/inclusion?eventId=${eventId}&treeSize=${first.treeSize}`, tokens.investigator);
    expect(late.status).toBe(400);
    expect(late.body.message[0]).toMatch(/recorded after the tree/);
  });

  it('only for investigators and admins, and only for events of their agency', async () => {
    const eventId = await register('fourth');
    await h.app.get(CheckpointService).issue();
    expect((await get(`/ledger/proofs/inclusion?eventId=${eventId}`, tokens.chief)).status).toBe(403);
    expect((await get(`/ledger/proofs/inclusion?eventId=${eventId}`, tokens.auditor)).status).toBe(403);
    const foreign = await get(`/ledger/proofs/inclusion?eventId=${eventId}`, other.investigator);
    expect(foreign.status).toBe(404);
  });

  it('refuse malformed parameters with field messages', async () => {
    for (const [path, message] of [
      ['/ledger/proofs/inclusion?eventId=nope', /eventId must be an event id/],
      ['/ledger/proofs/consistency?from=1e3', /from must be a whole number/],
      ['/ledger/proofs/consistency?from=-1', /from must be a whole number/],
      ['/ledger/proofs/consistency?from=1&to=99999999', /fewer than 99999999/],
      ['/ledger/proofs/consistency?from=9999&to=2', /must not be larger/],
    ] as const) {
      const res = await get(path, tokens.investigator);
      expect(res.status).toBe(400);
      expect(res.body.message.join(' ')).toMatch(message);
    }
  });
});
