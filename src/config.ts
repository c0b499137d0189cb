/** Configuration from the environment, in one place (README "Configuration"). */
import { DEFAULT_STORE_URL } from './store/open-event-store';

export const DEFAULT_PORT = 3000;
export const DEFAULT_HOST = '127.0.0.1';

export function storeUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.SRO_STORE?.trim() || DEFAULT_STORE_URL;
}

export function listenAddress(env: NodeJS.ProcessEnv = process.env, portOption?: string): { host: string; port: number } {
  const raw = portOption ?? env.PORT ?? String(DEFAULT_PORT);
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`port must be a whole number from 0 to 65535, not "${raw}"`);
  return { host: env.HOST?.trim() || DEFAULT_HOST, port };
}

/** Largest JSON request body (decisions W13): SRO_JSON_LIMIT in bytes, or with a kb / mb suffix; default 64 KB. */
export const DEFAULT_JSON_LIMIT_BYTES = 64 * 1024;

export function jsonLimitBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SRO_JSON_LIMIT?.trim();
  if (!raw) return DEFAULT_JSON_LIMIT_BYTES;
  const match = /^(\d+)\s*(b|kb|mb)?$/i.exec(raw);
  const bytes = match ? Number(match[1]) * { b: 1, kb: 1024, mb: 1024 * 1024 }[(match[2] ?? 'b').toLowerCase() as 'b' | 'kb' | 'mb'] : NaN;
  if (!(bytes >= 1024 && bytes <= 16 * 1024 * 1024)) throw new UsageError(`SRO_JSON_LIMIT must be from 1kb to 16mb (bytes, or with a kb or mb suffix), not "${raw}"`);
  return bytes;
}

/**
 * Failed authentications allowed per source address and window before it gets 429 (decisions
 * W13): SRO_AUTH_FAILURE_LIMIT (default 20) per SRO_AUTH_FAILURE_WINDOW seconds (default 60);
 * the address is then refused for one window.
 */
export const DEFAULT_AUTH_FAILURE_LIMIT = 20;
export const DEFAULT_AUTH_FAILURE_WINDOW_SECONDS = 60;

export function authFailureLimit(env: NodeJS.ProcessEnv = process.env): { limit: number; windowSeconds: number } {
  const read = (name: string, fallback: number, max: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!(value >= 1 && value <= max)) throw new UsageError(`${name} must be a whole number from 1 to ${max}, not "${raw}"`);
    return value;
  };
  return {
    limit: read('SRO_AUTH_FAILURE_LIMIT', DEFAULT_AUTH_FAILURE_LIMIT, 1_000_000),
    windowSeconds: read('SRO_AUTH_FAILURE_WINDOW', DEFAULT_AUTH_FAILURE_WINDOW_SECONDS, 86_400),
  };
}

/** A mistake in how a command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** SRO_FILES_DIR: keep certificate files in this directory instead of the database (default: in the database; EventStoreDB: ./data/files). */
export function filesDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.SRO_FILES_DIR?.trim() || undefined;
}
