/** The signing key file: created 0600 once, refused when others can access it, never overwritten. */
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseVerifierKey } from '../../events/checkpoint';
import { createHttpApp } from '../../src/http/create-http-app';
import { defaultKeyFile, ledgerOptionsFrom } from '../../src/ledger/ledger-options';
import { createKeyFile, loadSigningKey, SigningKeyError } from '../../src/ledger/signing-key';

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sro-key-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('the ledger signing key', () => {
  it('is created with mode 0600 in a new 0700 directory, once', () => {
    const file = path.join(tempDir(), 'keys', 'ledger-key.pem');
    expect(createKeyFile(file)).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const first = fs.readFileSync(file, 'utf8');
    expect(createKeyFile(file)).toBe(false);
    expect(fs.readFileSync(file, 'utf8')).toBe(first);
    const key = loadSigningKey(file);
    expect(key.origin).toMatch(/^sro-compliance\/ledger-[0-9a-f]{16}$/);
    expect(parseVerifierKey(key.verifierKey).name).toBe(key.origin);
    expect(loadSigningKey(file, 'records.example.mn.us/sro-ledger').verifierKey).toMatch(/^records\.example\.mn\.us\/sro-ledger\+[0-9a-f]{8}\+/);
  });

  it.each([0o644, 0o640, 0o604, 0o660])('is refused when its mode is %o', (mode) => {
    const file = path.join(tempDir(), 'ledger-key.pem');
    createKeyFile(file);
    fs.chmodSync(file, mode);
    expect(() => loadSigningKey(file)).toThrow(/accessible to others.*chmod 600/);
  });

  it('is refused when missing, not PEM, or not Ed25519', () => {
    const dir = tempDir();
    expect(() => loadSigningKey(path.join(dir, 'absent.pem'))).toThrow(SigningKeyError);
    const garbage = path.join(dir, 'garbage.pem');
    fs.writeFileSync(garbage, 'not a key', { mode: 0o600 });
    expect(() => loadSigningKey(garbage)).toThrow(/not a PEM private key/);
    const rsa = path.join(dir, 'rsa.pem');
    fs.writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, { mode: 0o600 });
    expect(() => loadSigningKey(rsa)).toThrow(/not an Ed25519 key/);
    const named = path.join(dir, 'named.pem');
    createKeyFile(named);
    expect(() => loadSigningKey(named, 'has space')).toThrow(/not a log name/);
  });

  it('a server whose key others can read does not start', async () => {
    const dir = tempDir();
    const keyFile = path.join(dir, 'ledger-key.pem');
    createKeyFile(keyFile);
    fs.chmodSync(keyFile, 0o644);
    await expect(createHttpApp({ store: `sqlite:${path.join(dir, 'sro.db')}`, logger: false, ledger: { keyFile } })).rejects.toThrow(/accessible to others/);
  });

  it("lives out of the SQLite file's folder by default (a keys folder beside it), else in ./data; intervals come from the environment", () => {
    expect(defaultKeyFile('sqlite:/srv/sro/sro.db')).toBe('/srv/keys/sro/sro.db.ledger-key.pem');
    expect(defaultKeyFile('sqlite:./data/sro.db', '/home/clerk/app')).toBe('/home/clerk/app/keys/data/sro.db.ledger-key.pem');
    expect(defaultKeyFile('sqlite:./data/other.db', '/home/clerk/app')).toBe('/home/clerk/app/keys/data/other.db.ledger-key.pem');
    expect(defaultKeyFile('postgres://postgres@db.city.local:5432/sro', '/home/clerk/app')).toBe('/home/clerk/app/data/ledger-key.sro@db.city.local-5432.pem');
    expect(defaultKeyFile('postgres://db/other', '/home/clerk/app')).toBe('/home/clerk/app/data/ledger-key.other@db-default.pem');
    // An in-memory store's key and log die with it: a temporary directory of this process.
    const memory = defaultKeyFile('memory:');
    expect(memory.startsWith(os.tmpdir())).toBe(true);
    expect(defaultKeyFile('memory:')).not.toBe(memory);
    expect(ledgerOptionsFrom({ SRO_KEY_FILE: '/keys/k.pem', SRO_CHECKPOINT_INTERVAL: '60', SRO_VERIFY_INTERVAL: '0' }, 'sqlite:x.db')).toMatchObject({
      keyFile: '/keys/k.pem',
      checkpointIntervalMs: 60_000,
      verifyIntervalMs: 0,
    });
    expect(ledgerOptionsFrom({}, 'sqlite:x.db')).toMatchObject({ checkpointIntervalMs: 300_000, verifyIntervalMs: 900_000 });
  });

  it('an existing key beside the SQLite file (an older version) is still found there, and its new place named', () => {
    const dir = tempDir();
    const store = `sqlite:${path.join(dir, 'data', 'sro.db')}`;
    const legacy = path.join(dir, 'data', 'ledger-key.pem');
    const moved = path.join(dir, 'keys', 'data', 'sro.db.ledger-key.pem');
    expect(defaultKeyFile(store)).toBe(moved);
    createKeyFile(legacy);
    expect(defaultKeyFile(store)).toBe(legacy);
    expect(ledgerOptionsFrom({}, store)).toMatchObject({ keyFile: legacy, keyBesideStore: moved });
    // Once moved, the new place wins.
    createKeyFile(moved);
    expect(ledgerOptionsFrom({}, store)).toMatchObject({ keyFile: moved });
    expect(ledgerOptionsFrom({}, store).keyBesideStore).toBeUndefined();
    expect(() => ledgerOptionsFrom({ SRO_CHECKPOINT_INTERVAL: '5m' }, undefined)).toThrow(/whole number of seconds/);
  });
});
