/**
 * Where the ledger's signing key and checkpoint log live, and how often the server signs and
 * re-verifies (docs/integrity.md). The key is never in the event store: an attacker who can
 * write the database but cannot read this file cannot sign a checkpoint.
 *
 * Environment (read by `ledgerOptionsFrom`, config in one place per concern):
 * - SRO_KEY_FILE: the Ed25519 private key (PKCS#8 PEM). Default: `defaultKeyFile` below.
 * - SRO_LEDGER_ORIGIN: the log's name in its checkpoints. Default `sro-compliance/ledger-<key id>`.
 * - SRO_CHECKPOINT_INTERVAL: seconds between checkpoints when new events exist (default 300; 0: off).
 * - SRO_VERIFY_INTERVAL: seconds between background re-verifications (default 900; 0: off).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config';

export interface LedgerOptions {
  keyFile: string;
  /** Set when the key in use is the one an older version kept beside the SQLite file: where it should move. */
  keyBesideStore?: string;
  /** undefined: derived from the key. */
  origin?: string;
  checkpointIntervalMs: number;
  verifyIntervalMs: number;
}

export const LEDGER_OPTIONS = Symbol('LEDGER_OPTIONS');

export { DEFAULT_CHECKPOINT_INTERVAL_SECONDS, DEFAULT_VERIFY_INTERVAL_SECONDS } from '../config';

/**
 * The key file's default place for a store URL: one key (and checkpoint log) per ledger.
 * - SQLite: out of the database's folder, in a `keys` folder beside it, one subfolder per
 *   database folder: `./data/sro.db` → `./keys/data/sro.db.ledger-key.pem` (docs/decisions.md
 *   W37). A key an older version created beside the file (`./data/ledger-key.pem`) is still
 *   found there when none exists at the new place (`legacyKeyFile`);
 * - PostgreSQL / EventStoreDB: `./data/ledger-key.<database>@<host>-<port>.pem`, so that two
 *   databases used from one directory never share a checkpoint log (each would take the other's
 *   checkpoints for a rewrite of its own log);
 * - memory (or anything else): a fresh temporary directory per process, as the store itself.
 */
export function defaultKeyFile(storeUrl: string | undefined, cwd = process.cwd()): string {
  const url = storeUrl?.trim() ?? '';
  const sqlite = /^sqlite:(?:\/\/)?(.+)$/i.exec(url);
  if (sqlite && sqlite[1] !== ':memory:') {
    const key = sqliteKeyFile(path.resolve(cwd, sqlite[1]));
    const legacy = legacyKeyFile(storeUrl, cwd);
    return legacy && !fs.existsSync(key) && fs.existsSync(legacy) ? legacy : key;
  }
  if (/^(postgres|postgresql|esdb|kurrentdb)(\+discover)?:\/\//i.test(url)) {
    let where = 'server';
    try {
      const parsed = new URL(url);
      const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'default';
      where = `${database}@${parsed.hostname || 'localhost'}-${parsed.port || 'default'}`;
    } catch {
      // a malformed URL is refused by the store; the name only needs to be a file name
    }
    return path.resolve(cwd, 'data', `ledger-key.${where.replace(/[^A-Za-z0-9._@-]/g, '_')}.pem`);
  }
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sro-ledger-key-')), 'ledger-key.pem');
}

/** A SQLite database's key: `<folder>/../keys/<folder name>/<file name>.ledger-key.pem`. */
function sqliteKeyFile(db: string): string {
  const folder = path.dirname(db);
  return path.join(path.dirname(folder), 'keys', path.basename(folder) || 'root', `${path.basename(db)}.ledger-key.pem`);
}

/** Where versions before W37 kept a SQLite ledger's key: beside the database file. */
export function legacyKeyFile(storeUrl: string | undefined, cwd = process.cwd()): string | undefined {
  const sqlite = /^sqlite:(?:\/\/)?(.+)$/i.exec(storeUrl?.trim() ?? '');
  return sqlite && sqlite[1] !== ':memory:' ? path.join(path.dirname(path.resolve(cwd, sqlite[1])), 'ledger-key.pem') : undefined;
}

export function ledgerOptionsFrom(env: NodeJS.ProcessEnv, storeUrl: string | undefined, overrides: Partial<LedgerOptions> = {}): LedgerOptions {
  // The variables are validated by the one schema (src/config.ts).
  const config = loadConfig(env);
  const keyFile = overrides.keyFile ?? (config.keyFile ? path.resolve(config.keyFile) : defaultKeyFile(storeUrl));
  const legacy = !overrides.keyFile && !config.keyFile && keyFile === legacyKeyFile(storeUrl);
  return {
    keyFile,
    ...(legacy ? { keyBesideStore: sqliteKeyFile(path.resolve(/^sqlite:(?:\/\/)?(.+)$/i.exec(storeUrl!.trim())![1])) } : {}),
    origin: overrides.origin ?? config.ledgerOrigin,
    checkpointIntervalMs: overrides.checkpointIntervalMs ?? config.checkpointIntervalSeconds * 1000,
    verifyIntervalMs: overrides.verifyIntervalMs ?? config.verifyIntervalSeconds * 1000,
  };
}
