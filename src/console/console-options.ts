/**
 * Settings of the web console (README "Configuration"): session timeouts and the address used in
 * the links the product hands out (invitations, resets, the first-run setup).
 */
import { UsageError } from '../config';

export const CONSOLE_OPTIONS = Symbol('CONSOLE_OPTIONS');

export interface ConsoleOptions {
  /** A session unused this long ends (default 30 minutes; SRO_SESSION_IDLE_MINUTES). */
  idleMs: number;
  /** A session ends this long after sign-in, used or not (default 12 hours; SRO_SESSION_MAX_HOURS). */
  absoluteMs: number;
  /** The address people open (SRO_PUBLIC_URL; default http://HOST:PORT): the start of every link handed out. */
  publicUrl?: string;
}

export const DEFAULT_IDLE_MINUTES = 30;
export const DEFAULT_SESSION_MAX_HOURS = 12;

function number(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  if (!(value > 0 && value <= max)) throw new UsageError(`${name} must be a number greater than 0 and at most ${max}, not "${raw}"`);
  return value;
}

export function consoleOptionsFrom(env: NodeJS.ProcessEnv, overrides: Partial<ConsoleOptions> = {}): ConsoleOptions {
  const publicUrl = env.SRO_PUBLIC_URL?.trim();
  if (publicUrl && !/^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(publicUrl)) throw new UsageError(`SRO_PUBLIC_URL must be an http:// or https:// address, not "${publicUrl}"`);
  return {
    idleMs: number(env, 'SRO_SESSION_IDLE_MINUTES', DEFAULT_IDLE_MINUTES, 24 * 60) * 60_000,
    absoluteMs: number(env, 'SRO_SESSION_MAX_HOURS', DEFAULT_SESSION_MAX_HOURS, 24 * 7) * 3_600_000,
    publicUrl: publicUrl ? publicUrl.replace(/\/+$/, '') : undefined,
    ...overrides,
  };
}
