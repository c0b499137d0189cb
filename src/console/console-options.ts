/**
 * Settings of the web console (README "Configuration"): session timeouts and the address used in
 * the links the product hands out (invitations, resets, the first-run setup).
 */
import { loadConfig } from '../config';

export const CONSOLE_OPTIONS = Symbol('CONSOLE_OPTIONS');

export interface ConsoleOptions {
  /** A session unused this long ends (default 30 minutes; SRO_SESSION_IDLE_MINUTES). */
  idleMs: number;
  /** A session ends this long after sign-in, used or not (default 12 hours; SRO_SESSION_MAX_HOURS). */
  absoluteMs: number;
  /** The address people open (SRO_PUBLIC_URL; default http://HOST:PORT): the start of every link handed out. */
  publicUrl?: string;
}

export { DEFAULT_IDLE_MINUTES, DEFAULT_SESSION_MAX_HOURS } from '../config';

/** From the environment, validated by the one schema (src/config.ts): SRO_SESSION_IDLE_MINUTES, SRO_SESSION_MAX_HOURS, SRO_PUBLIC_URL. */
export function consoleOptionsFrom(env: NodeJS.ProcessEnv, overrides: Partial<ConsoleOptions> = {}): ConsoleOptions {
  const config = loadConfig(env);
  return {
    idleMs: config.sessionIdleMinutes * 60_000,
    absoluteMs: config.sessionMaxHours * 3_600_000,
    publicUrl: config.publicUrl,
    ...overrides,
  };
}
