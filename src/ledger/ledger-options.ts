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
import path from 'node:path';
import { loadConfig } from '../config';
import { backendFor, knownBackend } from '../store/backends';

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
 * The key file's default place for a store URL: one key (and checkpoint log) per ledger, where
 * the store's backend keeps it (`backendFor`, src/store/backends.ts; docs/decisions.md W44):
 * - SQLite: out of the database's folder, in a `keys` folder beside it, one subfolder per
 *   database folder: `./data/sro.db` → `./keys/data/sro.db.ledger-key.pem` (docs/decisions.md
 *   W37). A key an older version created beside the file (`./data/ledger-key.pem`) is still
 *   found there when none exists at the new place;
 * - PostgreSQL / EventStoreDB: `./data/ledger-key.<database>@<host>-<port>.pem`, so that two
 *   databases used from one directory never share a checkpoint log (each would take the other's
 *   checkpoints for a rewrite of its own log);
 * - memory (or a URL no backend takes): a fresh temporary directory per process, as the store itself.
 */
export function defaultKeyFile(storeUrl: string | undefined, cwd = process.cwd()): string {
  return (knownBackend(storeUrl) ?? backendFor('memory:')).defaultKeyFile(cwd);
}

export function ledgerOptionsFrom(env: NodeJS.ProcessEnv, storeUrl: string | undefined, overrides: Partial<LedgerOptions> = {}): LedgerOptions {
  // The variables are validated by the one schema (src/config.ts).
  const config = loadConfig(env);
  const keyFile = overrides.keyFile ?? (config.keyFile ? path.resolve(config.keyFile) : defaultKeyFile(storeUrl));
  const legacy = !overrides.keyFile && !config.keyFile ? knownBackend(storeUrl)?.legacyKeyFile?.() : undefined;
  return {
    keyFile,
    ...(legacy && keyFile === legacy.legacy ? { keyBesideStore: legacy.current } : {}),
    origin: overrides.origin ?? config.ledgerOrigin,
    checkpointIntervalMs: overrides.checkpointIntervalMs ?? config.checkpointIntervalSeconds * 1000,
    verifyIntervalMs: overrides.verifyIntervalMs ?? config.verifyIntervalSeconds * 1000,
  };
}
