/**
 * The ledger's signing key: an Ed25519 key in a file of its own, never in the event store.
 * Created on first use with mode 0600 (as an SSH host key is), in a directory created 0700;
 * refused when the file can be read or written by anyone but its owner.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isKeyName, parseVerifierKey, rawPublicKey, Verifier, verifierKey } from '../../events/checkpoint';

export interface SigningKey {
  file: string;
  /** The log's name in every checkpoint and its signature line. */
  origin: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** What a witness keeps to check checkpoints: `<origin>+<key hash>+<base64 key>`. */
  verifierKey: string;
  verifier: Verifier;
}

/** A key file that cannot be used; the server refuses to start with it. */
export class SigningKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyError';
  }
}

/** The default origin: the product and the key's fingerprint, so two ledgers never share a name. */
export function defaultOrigin(publicKey: KeyObject): string {
  return `sro-compliance/ledger-${createHash('sha256').update(rawPublicKey(publicKey)).digest('hex').slice(0, 16)}`;
}

/** Creates the key file if it is missing (returns true when it did). */
export function createKeyFile(file: string): boolean {
  if (fs.existsSync(file)) return false;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  try {
    // 'wx': never overwrite a key another process created meanwhile.
    fs.writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  return true;
}

export function loadSigningKey(file: string, origin?: string): SigningKey {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new SigningKeyError(`the ledger signing key ${file} does not exist: start the server once, or run "keys init"`);
  }
  if (!stat.isFile()) throw new SigningKeyError(`the ledger signing key ${file} is not a file`);
  if ((stat.mode & 0o077) !== 0) {
    throw new SigningKeyError(
      `the ledger signing key ${file} is accessible to others (mode ${(stat.mode & 0o777).toString(8)}): run "chmod 600 ${file}"; a key others can read can sign false checkpoints`,
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new SigningKeyError(`the ledger signing key ${file} is not a PEM private key`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new SigningKeyError(`the ledger signing key ${file} is not an Ed25519 key`);
  const publicKey = createPublicKey(privateKey);
  const name = origin ?? defaultOrigin(publicKey);
  if (!isKeyName(name)) throw new SigningKeyError(`SRO_LEDGER_ORIGIN "${name}" is not a log name: no spaces, no "+"`);
  const vkey = verifierKey(name, publicKey);
  return { file, origin: name, privateKey, publicKey, verifierKey: vkey, verifier: parseVerifierKey(vkey) };
}
