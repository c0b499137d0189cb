/**
 * A bound on the password hashes computed at once (scrypt, 32 MB and a few hundred milliseconds
 * of a core each; passwords.ts), fair between accounts (decisions W38):
 * - at most `concurrency` hashes run at once (default: the machine's cores, at most 4: libuv's
 *   thread pool);
 * - the others wait in one queue per key (the email being signed in, or the account setting a
 *   password), served round-robin, so one person's burst does not delay another's sign-in by
 *   more than one turn of each waiting key;
 * - a key may have at most `perKey` hashes waiting: beyond that it is answered 429 at once;
 * - at most `maxWaiting` hashes wait in all: beyond that the server answers 503 at once.
 * Refused hashes cost nothing; the caller says so and asks to retry (Retry-After).
 */
import { HttpException } from '@nestjs/common';
import { availableParallelism } from 'node:os';

/** Too many password checks at once: 429 for one key's own burst, 503 for the server as a whole. */
export class PasswordChecksBusy extends HttpException {
  constructor(
    readonly code: 429 | 503,
    readonly retryAfterSeconds: number,
    readonly text: string,
  ) {
    super({ statusCode: code, error: code === 429 ? 'Too Many Requests' : 'Service Unavailable', message: [text] }, code);
    this.name = 'PasswordChecksBusy';
  }
}

export interface HashSlotOptions {
  concurrency: number;
  perKey: number;
  maxWaiting: number;
}

export const DEFAULT_HASH_SLOTS: HashSlotOptions = { concurrency: Math.max(1, Math.min(4, availableParallelism())), perKey: 2, maxWaiting: 64 };

export class HashSlots {
  private running = 0;
  private waiting = 0;
  /** Key → its waiters, in the order keys are served (a served key with more waiters goes last). */
  private readonly queues = new Map<string, (() => void)[]>();

  constructor(private readonly options: HashSlotOptions = DEFAULT_HASH_SLOTS) {}

  /** Runs `work` when a slot is free and it is `key`'s turn; throws PasswordChecksBusy instead of waiting beyond the bounds. */
  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    if (this.running < this.options.concurrency && this.waiting === 0) {
      this.running++;
    } else {
      const queue = this.queues.get(key) ?? [];
      if (queue.length >= this.options.perKey) {
        throw new PasswordChecksBusy(429, 5, 'Too many sign-in attempts for this email at the same moment: wait a few seconds and try once.');
      }
      if (this.waiting >= this.options.maxWaiting) {
        throw new PasswordChecksBusy(503, 5, 'The server is checking many passwords right now: try again in a few seconds.');
      }
      // The slot is handed over by `release` (already counted as running when this resolves).
      await new Promise<void>((resolve) => {
        queue.push(resolve);
        this.queues.set(key, queue);
        this.waiting++;
      });
    }
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  /** How many hashes run and wait now. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting };
  }

  private release(): void {
    const next = this.queues.entries().next();
    if (next.done) {
      this.running--;
      return;
    }
    const [key, queue] = next.value;
    const resume = queue.shift()!;
    this.queues.delete(key);
    if (queue.length) this.queues.set(key, queue); // served: to the back of the round
    this.waiting--;
    resume(); // the slot passes to it: `running` stays as it is
  }
}
