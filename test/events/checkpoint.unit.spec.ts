/**
 * Signed notes and checkpoints against the reference vector of golang.org/x/mod/sumdb/note
 * (the PeterNeumann key of its tests and documentation): Ed25519 is deterministic, so signing
 * its text with its key must give its note byte for byte, and its note must open with its
 * verifier key. Then checkpoints round-trip, and every alteration is refused.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import {
  CheckpointError,
  checkpointText,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  signCheckpoint,
  signNote,
  verifierKey,
  verifyCheckpoint,
} from '../../events/checkpoint';

const GO_VERIFIER_KEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_SIGNER_KEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

function goKeys() {
  // PRIVATE+KEY+<name>+<hash>+base64(0x01 ‖ 32-byte seed); the base64 itself may hold a '+'.
  const encoded = GO_SIGNER_KEY.split('+').slice(4).join('+');
  const seed = Buffer.from(encoded, 'base64').subarray(1);
  const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

describe('signed notes: the sumdb/note reference vector', () => {
  it('signing its text with its key gives its note byte for byte', () => {
    const { privateKey, publicKey } = goKeys();
    expect(signNote(GO_TEXT, 'PeterNeumann', privateKey, publicKey)).toBe(GO_NOTE);
    expect(verifierKey('PeterNeumann', publicKey)).toBe(GO_VERIFIER_KEY);
  });

  it('its note opens with its verifier key; an altered text or signature does not', () => {
    const verifier = parseVerifierKey(GO_VERIFIER_KEY);
    expect(openNote(GO_NOTE, verifier)).toBe(GO_TEXT);
    expect(() => openNote(GO_NOTE.replace('cryptography', 'cryptographY'), verifier)).toThrow(CheckpointError);
    expect(() => openNote(GO_NOTE.replace('x08go', 'x08gO'), verifier)).toThrow(CheckpointError);
  });

  it('a mangled verifier key is refused', () => {
    for (const bad of [GO_VERIFIER_KEY.slice(1), GO_VERIFIER_KEY.replace('c74f20a3', 'c74f20a4'), 'PeterNeumann+c74f20a3', `${GO_VERIFIER_KEY}x`]) {
      expect(() => parseVerifierKey(bad)).toThrow(CheckpointError);
    }
  });
});

describe('checkpoints (C2SP tlog-checkpoint)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const origin = 'sro-compliance.example/ledger';
  const checkpoint = { origin, treeSize: 42, rootHash: 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7' };
  const note = signCheckpoint(checkpoint, privateKey, publicKey);
  const verifier = parseVerifierKey(verifierKey(origin, publicKey));

  it('has the three lines, a blank line and one signature line', () => {
    expect(checkpointText(checkpoint)).toBe(`${origin}\n42\n${Buffer.from(checkpoint.rootHash, 'hex').toString('base64')}\n`);
    expect(note.startsWith(checkpointText(checkpoint))).toBe(true);
    expect(note.split('\n')).toHaveLength(6);
    expect(note).toMatch(/\n\n\u2014 sro-compliance\.example\/ledger [A-Za-z0-9+/]+=*\n$/);
  });

  it('verifies and parses back', () => {
    expect(verifyCheckpoint(note, verifier)).toEqual(checkpoint);
    expect(parseCheckpoint(note).checkpoint).toEqual(checkpoint);
  });

  it('an altered size, root, origin or signature is refused; so is another key', () => {
    expect(() => verifyCheckpoint(note.replace('\n42\n', '\n41\n'), verifier)).toThrow(/does not verify/);
    expect(() => verifyCheckpoint(note.replace('037k', '037j'), verifier)).toThrow(CheckpointError);
    expect(() => verifyCheckpoint(note.replace(/^sro-compliance/, 'sro-complianse'), verifier)).toThrow(CheckpointError);
    const other = generateKeyPairSync('ed25519');
    expect(() => verifyCheckpoint(signCheckpoint(checkpoint, other.privateKey, other.publicKey), verifier)).toThrow(/no signature by the key/);
    expect(() => verifyCheckpoint('not a note', verifier)).toThrow(CheckpointError);
  });
});
