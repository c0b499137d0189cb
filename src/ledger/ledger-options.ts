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
import { UsageError } from '../config';

export interface LedgerOptions {
  keyFile: string;
  /** undefined: derived from the key. */
  origin?: string;
  checkpointIntervalMs: number;
  verifyIntervalMs: number;
}

export const LEDGER_OPTIONS = Symbol('LEDGER_OPTIONS');

export const DEFAULT_CHECKPOINT_INTERVAL_SECONDS = 300;
export const DEFAULT_VERIFY_INTERVAL_SECONDS = 900;

/**
 * The key file's default place for a store URL: one key (and checkpoint log) per ledger.
 * - SQLite: beside the database file, `ledger-key.pem`;
 * - PostgreSQL / EventStoreDB: `./data/ledger-key.<database>@<host>-<port>.pem`, so that two
 *   databases used from one directory never share a checkpoint log (each would take the other's
 *   checkpoints for a rewrite of its own log);
 * - memory (or anything else): a fresh temporary directory per process, as the store itself.
 */
export function defaultKeyFile(storeUrl: string | undefined, cwd = process.cwd()): string {
  const url = storeUrl?.trim() ?? '';
  const sqlite = /^sqlite:(?:\/\/)?(.+)$/i.exec(url);
  if (sqlite && sqlite[1] !== ':memory:') return path.join(path.dirname(path.resolve(cwd, sqlite[1])), 'ledger-key.pem');
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

export function ledgerOptionsFrom(env: NodeJS.ProcessEnv, storeUrl: string | undefined, overrides: Partial<LedgerOptions> = {}): LedgerOptions {
  const seconds = (name: string, fallback: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) > 31 * 86_400) throw new UsageError(`${name} must be a whole number of seconds from 0 to 2678400, not "${raw}"`);
    return Number(raw);
  };
  return {
    keyFile: overrides.keyFile ?? (env.SRO_KEY_FILE?.trim() ? path.resolve(env.SRO_KEY_FILE.trim()) : defaultKeyFile(storeUrl)),
    origin: overrides.origin ?? (env.SRO_LEDGER_ORIGIN?.trim() || undefined),
    checkpointIntervalMs: overrides.checkpointIntervalMs ?? seconds('SRO_CHECKPOINT_INTERVAL', DEFAULT_CHECKPOINT_INTERVAL_SECONDS) * 1000,
    verifyIntervalMs: overrides.verifyIntervalMs ?? seconds('SRO_VERIFY_INTERVAL', DEFAULT_VERIFY_INTERVAL_SECONDS) * 1000,
  };
}
