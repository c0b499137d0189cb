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

/** A mistake in how a command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {}
