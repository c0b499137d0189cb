/**
 * Failed sign-ins are limited so that guessing is slow, without letting a stranger lock a person
 * out (NIST SP 800-63B §5.2.2 "rate limiting"; decisions W20, W38):
 * - per email **and** source address first: 5 failures within 15 minutes lock that email from
 *   that address for 15 minutes (IPv6 addresses by their /64, as the token guard counts). The
 *   owner signing in from their own address is not affected by someone failing elsewhere;
 * - per source address: 20 failures within 15 minutes lock that address for 15 minutes (one
 *   address trying many emails);
 * - per email from every address, only at a much higher count: 100 failures within 15 minutes
 *   lock the email for 15 minutes; before that, each failure of the email answers after a delay
 *   that grows with the email's recent failures from everywhere (0.2 s each, at most 5 s).
 * A lock applies whether or not an account has the email, so it tells nothing about which exist.
 *
 * An attempt is counted **when it begins**, before its password is hashed, in one synchronous
 * step (Node runs it without interleaving): a burst of simultaneous attempts cannot all pass the
 * check before the first failure is counted. A success takes its own attempt back and clears the
 * email-and-address failures; an attempt that was not checked (the server too busy) is taken back.
 * Counts are kept in this process's memory, bounded. An admin can always hand out a new sign-in
 * link, which works at once, lock or not (people page, `user reset`).
 */
import { Injectable } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';

/** Failures of one email from one address before that pair is locked. */
export const PAIR_FAILURE_LIMIT = 5;
/** Failures from one address (any email) before the address is locked. */
export const ADDRESS_FAILURE_LIMIT = 20;
/** Failures of one email from every address before the email is locked everywhere. */
export const ACCOUNT_FAILURE_LIMIT = 100;
export const FAILURE_WINDOW_MS = 15 * 60_000;
export const LOCK_MS = 15 * 60_000;
/** The delay before a failure is answered: per recent failure of the email, and at most. */
export const DELAY_PER_FAILURE_MS = 200;
export const MAX_DELAY_MS = 5_000;
const MAX_KEYS = 20_000;

interface Counter {
  attempts: number[];
  lockedUntil?: number;
}

/** Which limit refused an attempt: the words the sign-in page uses. */
export type LockScope = 'pair' | 'address' | 'account';

/** An attempt that began: what was counted, to be settled once the password is checked. */
export interface Attempt {
  keys: { pair: string; address: string; account: string };
  at: number;
}

@Injectable()
export class SignInLimits {
  private readonly counters = new Map<string, Counter>();

  /**
   * Begins an attempt: refused with the instant the lock ends when the email from this address,
   * the address, or the email everywhere is locked; otherwise counted now (as a failure until
   * settled).
   */
  begin(email: string, address: string, now = Date.now()): Attempt | { lockedUntil: number; scope: LockScope } {
    const ip = normalizeIp(address);
    const keys = { pair: `pair:${email}\u0000${ip}`, address: `address:${ip}`, account: `email:${email}` };
    for (const scope of ['pair', 'address', 'account'] as const) {
      const until = this.counter(keys[scope], now)?.lockedUntil;
      if (until !== undefined && until > now) return { lockedUntil: until, scope };
    }
    this.count(keys.pair, PAIR_FAILURE_LIMIT, now);
    this.count(keys.address, ADDRESS_FAILURE_LIMIT, now);
    this.count(keys.account, ACCOUNT_FAILURE_LIMIT, now);
    return { keys, at: now };
  }

  /** The attempt failed (it stays counted): how long to wait before answering. */
  failed(attempt: Attempt, now = Date.now()): number {
    const recent = this.counter(attempt.keys.account, now)?.attempts.length ?? 0;
    return Math.min(DELAY_PER_FAILURE_MS * recent, MAX_DELAY_MS);
  }

  /** The attempt succeeded: it is taken back, and the email's failures from this address are cleared. */
  succeeded(attempt: Attempt): void {
    this.counters.delete(attempt.keys.pair);
    this.takeBack(attempt.keys.address, attempt.at);
    this.takeBack(attempt.keys.account, attempt.at);
  }

  /** The password was not checked (the server was too busy): the attempt is taken back. */
  abandoned(attempt: Attempt): void {
    for (const key of Object.values(attempt.keys)) this.takeBack(key, attempt.at);
  }

  private takeBack(key: string, at: number): void {
    const counter = this.counters.get(key);
    if (!counter) return;
    const index = counter.attempts.lastIndexOf(at);
    if (index >= 0) counter.attempts.splice(index, 1);
    // A lock this attempt set (it reached the limit) is lifted with it: it was not a failure.
    if (counter.lockedUntil === at + LOCK_MS) counter.lockedUntil = undefined;
  }

  private counter(key: string, now: number): Counter | undefined {
    const counter = this.counters.get(key);
    if (!counter) return undefined;
    if (counter.lockedUntil !== undefined && counter.lockedUntil <= now) counter.lockedUntil = undefined;
    counter.attempts = counter.attempts.filter((at) => now - at < FAILURE_WINDOW_MS);
    if (!counter.attempts.length && counter.lockedUntil === undefined) {
      this.counters.delete(key);
      return undefined;
    }
    return counter;
  }

  private count(key: string, limit: number, now: number): void {
    const counter = this.counter(key, now) ?? { attempts: [] };
    counter.attempts.push(now);
    if (counter.attempts.length >= limit) counter.lockedUntil = now + LOCK_MS;
    // Least recently counted last, so the bound evicts the stalest.
    this.counters.delete(key);
    this.counters.set(key, counter);
    if (this.counters.size > MAX_KEYS) this.counters.delete(this.counters.keys().next().value!);
  }
}
