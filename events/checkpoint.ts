/**
 * Signed checkpoints of the ledger's Merkle tree (docs/reference.md#integrity; docs/decisions.md
 * W14), in the C2SP formats that transparency logs use, so that anyone can check them with the
 * public key alone:
 *
 * - `tlog-checkpoint`: the note text is three lines, the origin (the log's name), the tree
 *   size in decimal, and the root hash in standard base64;
 * - `signed-note`: the text, a blank line, then one signature line per signer:
 *   `— <key name> <base64(key hash ‖ Ed25519 signature)>`, where the key hash is the first four
 *   bytes of SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ public key) and the signature covers the text
 *   including its final newline;
 * - the verifier key, which is what a witness keeps: `<name>+<hex key hash>+<base64(0x01 ‖ public key)>`.
 *
 * Pure (node:crypto only): the key itself is kept outside the event store by src/ledger.
 */
import { createHash, createPublicKey, KeyObject, sign, verify } from 'node:crypto';

export interface Checkpoint {
  origin: string;
  treeSize: number;
  /** The Merkle tree head, 64 hex digits. */
  rootHash: string;
}

/** An Ed25519 public key and the name it signs under. */
export interface Verifier {
  name: string;
  keyHash: Buffer;
  publicKey: KeyObject;
}

/** A checkpoint that is not well formed or whose signature does not verify. */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

const ED25519 = 0x01;
const SIGNATURE_PREFIX = '\u2014 ';

/** A key name (and an origin): non-empty, no white space, no '+' (C2SP signed-note). */
export function isKeyName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= 255 && !/[\s+]/u.test(name) && !/[\u0000-\u001f\u007f]/.test(name);
}

export function rawPublicKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' }) as { kty?: string; crv?: string; x?: string };
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !jwk.x) throw new CheckpointError('the checkpoint key must be an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

export function keyHash(name: string, publicKey: KeyObject): Buffer {
  return createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, ED25519]))
    .update(rawPublicKey(publicKey))
    .digest()
    .subarray(0, 4);
}

/** The verifier key a witness keeps: `<name>+<hex key hash>+<base64(0x01 ‖ public key)>`. */
export function verifierKey(name: string, publicKey: KeyObject): string {
  if (!isKeyName(name)) throw new CheckpointError(`"${name}" is not a key name: no spaces, no "+"`);
  return `${name}+${keyHash(name, publicKey).toString('hex')}+${Buffer.concat([Buffer.from([ED25519]), rawPublicKey(publicKey)]).toString('base64')}`;
}

export function parseVerifierKey(text: string): Verifier {
  // <name>+<hash>+<key>: the base64 of the key may itself hold a '+'.
  const match = /^([^+\s]+)\+([^+]*)\+(.*)$/s.exec(typeof text === 'string' ? text.trim() : '');
  const parts = match ? [match[1], match[2], match[3]] : [];
  if (parts.length !== 3 || !isKeyName(parts[0]) || !/^[0-9a-f]{8}$/.test(parts[1]) || !/^[A-Za-z0-9+/]+={0,2}$/.test(parts[2])) {
    throw new CheckpointError('a verifier key has the form <name>+<8 hex digits>+<base64 key>');
  }
  const key = Buffer.from(parts[2], 'base64');
  if (key.length !== 33 || key[0] !== ED25519 || key.toString('base64') !== parts[2]) throw new CheckpointError('the verifier key is not an Ed25519 key');
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.subarray(1).toString('base64url') }, format: 'jwk' });
  const verifier = { name: parts[0], keyHash: Buffer.from(parts[1], 'hex'), publicKey };
  if (!keyHash(verifier.name, publicKey).equals(verifier.keyHash)) throw new CheckpointError('the verifier key hash does not match its name and key');
  return verifier;
}

/** The note text of a checkpoint (what the signature covers). */
export function checkpointText({ origin, treeSize, rootHash }: Checkpoint): string {
  if (!isKeyName(origin)) throw new CheckpointError(`"${origin}" is not an origin: no spaces, no "+"`);
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) throw new CheckpointError('treeSize must be a whole number');
  if (!/^[0-9a-f]{64}$/.test(rootHash)) throw new CheckpointError('rootHash must be 64 lowercase hexadecimal digits');
  return `${origin}\n${treeSize}\n${Buffer.from(rootHash, 'hex').toString('base64')}\n`;
}

/** Signs a note's text (which must end in a newline) under `name`: the whole signed note. */
export function signNote(text: string, name: string, privateKey: KeyObject, publicKey: KeyObject): string {
  if (!text.endsWith('\n') || text.includes('\n\n')) throw new CheckpointError('a note text ends in a newline and has no blank line');
  const signature = sign(null, Buffer.from(text, 'utf8'), privateKey);
  return `${text}\n${SIGNATURE_PREFIX}${name} ${Buffer.concat([keyHash(name, publicKey), signature]).toString('base64')}\n`;
}

/** Signs a checkpoint under its origin: the whole signed note, ending in a newline. */
export function signCheckpoint(checkpoint: Checkpoint, privateKey: KeyObject, publicKey: KeyObject): string {
  return signNote(checkpointText(checkpoint), checkpoint.origin, privateKey, publicKey);
}

/** Splits a signed note into its text and signature lines, without checking any signature. */
export function parseNote(note: string): { text: string; signatures: { name: string; keyHash: Buffer; signature: Buffer }[] } {
  if (typeof note !== 'string' || note.length > 65_536) throw new CheckpointError('a signed note is a text of at most 64 KB');
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) throw new CheckpointError('a signed note has no control characters but newlines');
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new CheckpointError('a signed note is its text, a blank line, then signature lines');
  const text = note.slice(0, split + 1);
  const signatures = note
    .slice(split + 2, -1)
    .split('\n')
    .map((line) => {
      const match = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})$/.exec(line);
      if (!match || !isKeyName(match[1])) throw new CheckpointError(`malformed signature line: ${JSON.stringify(line.slice(0, 80))}`);
      const raw = Buffer.from(match[2], 'base64');
      if (raw.length < 5) throw new CheckpointError('a signature line holds a key hash and a signature');
      return { name: match[1], keyHash: raw.subarray(0, 4), signature: raw.subarray(4) };
    });
  return { text, signatures };
}

/** The text of a note signed by `verifier`; throws CheckpointError when no signature of that key verifies. */
export function openNote(note: string, verifier: Verifier): string {
  const { text, signatures } = parseNote(note);
  const mine = signatures.find((s) => s.name === verifier.name && s.keyHash.equals(verifier.keyHash));
  if (!mine) throw new CheckpointError(`the note carries no signature by the key ${verifier.name}+${verifier.keyHash.toString('hex')}`);
  if (!verify(null, Buffer.from(text, 'utf8'), verifier.publicKey, mine.signature)) {
    throw new CheckpointError('the signature does not verify: the note was altered or not signed by this key');
  }
  return text;
}

/** Parses a signed checkpoint without checking its signature. */
export function parseCheckpoint(note: string): { checkpoint: Checkpoint; text: string } {
  const { text } = parseNote(note);
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new CheckpointError('a checkpoint has an origin, a tree size and a root hash, one per line');
  const [origin, size, root] = lines;
  if (!isKeyName(origin)) throw new CheckpointError('the checkpoint origin is not well formed');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(size) || !Number.isSafeInteger(Number(size))) throw new CheckpointError('the checkpoint tree size is not a whole number');
  const rootBytes = Buffer.from(root, 'base64');
  if (rootBytes.length !== 32 || rootBytes.toString('base64') !== root) throw new CheckpointError('the checkpoint root hash is not 32 bytes of base64');
  return { checkpoint: { origin, treeSize: Number(size), rootHash: rootBytes.toString('hex') }, text };
}

/** The checkpoint, if `note` carries a valid signature by `verifier` for its own origin; throws CheckpointError otherwise. */
export function verifyCheckpoint(note: string, verifier: Verifier): Checkpoint {
  const { checkpoint } = parseCheckpoint(note);
  if (checkpoint.origin !== verifier.name) {
    throw new CheckpointError(`the checkpoint is of the log "${checkpoint.origin}", not of "${verifier.name}"`);
  }
  openNote(note, verifier);
  return checkpoint;
}
