/**
 * The hash chain is unchanged by the faster canonical JSON (events/canonical-json.ts): a store
 * written by the version before it (fixtures/chain-fixture.sqlite, and the same events with their
 * stored hashes in fixtures/chain-fixture.jsonl, made by fixtures/make-chain-fixture.cjs) is
 * verified by this version and every event re-hashes to the hash that version stored, byte for
 * byte; the Merkle tree over them has the root that version recorded.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RecordedEvent } from '../../events/envelope';
import { ChainVerifier, hashEvent } from '../../events/integrity';
import { eventLeafHash, MerkleLeaves } from '../../events/merkle';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store';

const FIXTURES = path.join(__dirname, 'fixtures');
const lines = fs
  .readFileSync(path.join(FIXTURES, 'chain-fixture.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line) as RecordedEvent | { ledgerHead: { treeSize: number; rootHash: string; lastPosition: number } });
const stored = lines.filter((line): line is RecordedEvent => !('ledgerHead' in line));
const storedHead = (lines.find((line) => 'ledgerHead' in line) as { ledgerHead: { treeSize: number; rootHash: string; lastPosition: number } }).ledgerHead;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sro-chain-fixture-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('the fixture holds the cases that matter: escapes, non-ASCII and astral keys, unsorted keys, nesting, numbers', () => {
  expect(stored.length).toBeGreaterThanOrEqual(30);
  const text = JSON.stringify(stored.map((e) => e.data));
  for (const fragment of ['\\"', '\\\\', '\\n', '\\u0000', '\\ud800', '😀', 'é', '1e+21', '5e-324']) expect(text).toContain(fragment);
});

it('every stored event re-hashes to the hash the earlier version stored (the events as JSON text)', () => {
  for (const event of stored) expect(hashEvent(event)).toBe(event.hash);
  const verifier = new ChainVerifier();
  for (const event of stored) verifier.add(event);
  expect(verifier.report()).toEqual({ ok: true, eventsChecked: stored.length });
});

it('the store the earlier version wrote verifies: the same events, chains, heads and tree root', async () => {
  const file = path.join(dir, 'copy.sqlite');
  fs.copyFileSync(path.join(FIXTURES, 'chain-fixture.sqlite'), file);
  const store = SqliteEventStore.open(file);
  try {
    const read: RecordedEvent[] = [];
    for await (const event of store.readAll({ batchSize: 5 })) read.push(event);
    expect(read).toEqual(stored);
    const verifier = new ChainVerifier();
    const leaves = new MerkleLeaves();
    for (const event of read) {
      expect(hashEvent(event)).toBe(event.hash);
      verifier.add(event);
      leaves.push(eventLeafHash(event.hash));
    }
    verifier.checkHeads(await store.listStreams(''));
    expect(verifier.report()).toEqual({ ok: true, eventsChecked: stored.length });
    expect(leaves.root().toString('hex')).toBe(storedHead.rootHash);
    expect(await store.ledgerHead()).toMatchObject(storedHead);
  } finally {
    await store.close();
  }
});
