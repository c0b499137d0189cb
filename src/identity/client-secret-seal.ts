/**
 * Client secrets of identity providers, sealed (docs/decisions.md W56): AES-256-GCM with a 256-bit
 * key in a file of its own, kept beside the ledger's signing key (`keys/<folder>/...`, mode 0600
 * in a 0700 folder, as that key) and never in the store. The sealed form is bound to its provider
 * id (GCM's additional data): a sealed secret copied onto another provider's row does not open.
 * A database reader alone (a backup, a replica) sees only the sealed form.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The key file beside a ledger key file: `sro.db.ledger-key.pem` → `sro.db.idp-secret-key`. */
export function secretKeyFileBeside(ledgerKeyFile: string): string {
  const base = path.basename(ledgerKeyFile);
  const name = base.includes('ledger-key') ? base.replace('ledger-key', 'idp-secret-key').replace(/\.pem$/, '') : `${base}.idp-secret-key`;
  return path.join(path.dirname(ledgerKeyFile), name);
}

/** A key file that cannot be used. */
export class SecretKeyError extends Error {}

/** The 32-byte key, created (0600) when `create` and missing; refused when others may read it. */
export function loadSecretKey(file: string, create: boolean): Buffer {
  if (!fs.existsSync(file)) {
    if (!create) throw new SecretKeyError(`the identity providers' secret key ${file} does not exist: add a provider first (idp add), from the server's machine`);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const stat = fs.statSync(file);
  if ((stat.mode & 0o077) !== 0) throw new SecretKeyError(`the identity providers' secret key ${file} is accessible to others (mode ${(stat.mode & 0o777).toString(8)}): run "chmod 600 ${file}"`);
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new SecretKeyError(`the identity providers' secret key ${file} is not a 256-bit key in base64`);
  return key;
}

export function sealSecret(key: Buffer, providerId: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`sro-compliance/idp/${providerId}`));
  const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), sealed.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

export function openSecret(key: Buffer, providerId: string, sealed: string): string {
  const [version, iv, data, tag] = sealed.split('.');
  if (version !== 'v1' || !iv || data === undefined || !tag) throw new SecretKeyError('the sealed client secret is not in a known form');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(`sro-compliance/idp/${providerId}`));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretKeyError('the client secret does not open with this key: the key file was replaced, or the sealed secret was altered');
  }
}
