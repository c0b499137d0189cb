/**
 * Failed sign-ins are slowed and then locked, per account and per source address (issue 11;
 * NIST SP 800-63B §5.2.2 "rate limiting"; decisions W20):
 * - each failure of an email answers after a delay that grows with its recent failures (0.2 s
 *   per failure, at most 2 s);
 * - 5 failures of one email within 15 minutes lock that email for 15 minutes (whether or not an
 *   account has it, so the lock tells nothing about which addresses exist);
 * - 20 failures from one address within 15 minutes lock that address for 15 minutes (IPv6 by
 *   its /64, as the token guard counts).
 * A successful sign-in clears the email's failures. Counts are kept in this process's memory,
 * bounded; an admin can always issue a new sign-in link (people page, `user reset`).
 */
import { Injectable } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';

export const ACCOUNT_FAILURE_LIMIT = 5;
export const ADDRESS_FAILURE_LIMIT = 20;
export const FAILURE_WINDOW_MS = 15 * 60_000;
export const LOCK_MS = 15 * 60_000;
const MAX_KEYS = 20_000;

interface Counter {
  failures: number[];
  lockedUntil?: number;
}

@Injectable()
export class SignInLimits {
  private readonly counters = new Map<string, Counter>();

  /** The instant until which this email or address may not sign in, if locked. */
  lockedUntil(email: string, address: string, now = Date.now()): number | undefined {
    const until = Math.max(this.counter(`email:${email}`, now)?.lockedUntil ?? 0, this.counter(`address:${normalizeIp(address)}`, now)?.lockedUntil ?? 0);
    return until > now ? until : undefined;
  }

  /** Counts a failure; returns how long to wait before answering. */
  failed(email: string, address: string, now = Date.now()): number {
    const forEmail = this.count(`email:${email}`, ACCOUNT_FAILURE_LIMIT, now);
    this.count(`address:${normalizeIp(address)}`, ADDRESS_FAILURE_LIMIT, now);
    return Math.min(200 * forEmail, 2000);
  }

  succeeded(email: string): void {
    this.counters.delete(`email:${email}`);
  }

  private counter(key: string, now: number): Counter | undefined {
    const counter = this.counters.get(key);
    if (!counter) return undefined;
    if (counter.lockedUntil !== undefined && counter.lockedUntil <= now) counter.lockedUntil = undefined;
    counter.failures = counter.failures.filter((at) => now - at < FAILURE_WINDOW_MS);
    if (!counter.failures.length && counter.lockedUntil === undefined) {
      this.counters.delete(key);
      return undefined;
    }
    return counter;
  }

  private count(key: string, limit: number, now: number): number {
    const counter = this.counter(key, now) ?? { failures: [] };
    counter.failures.push(now);
    if (counter.failures.length >= limit) counter.lockedUntil = now + LOCK_MS;
    this.counters.delete(key);
    this.counters.set(key, counter);
    if (this.counters.size > MAX_KEYS) this.counters.delete(this.counters.keys().next().value!);
    return counter.failures.length;
  }
}
