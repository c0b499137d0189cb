/**
 * A processor (a reactor) over the log: the one place for side effects (docs/decisions.md W43).
 * It reacts to new events (`handle`, fed in global position order from a checkpoint kept beside
 * the events) and to time (`schedule` + `tick`: every n milliseconds, or once a day at a time of
 * day). The runner (processor-runner.ts) calls it on one server only: the one holding the lock.
 *
 * Delivery is at least once: a batch handled and not yet checkpointed (a crash, a lost lock) is
 * handled again, and a daily tick may run twice. An effect is therefore made idempotent by
 * appending an event whose id is derived from what it reacts to (`deterministicEventId`): the
 * store refuses a second event with the same id (DuplicateEventIdError), so "send today's digest"
 * happens once however often it is attempted.
 */
import { createHash } from 'node:crypto';
import type { RecordedEvent } from '../../events/envelope';
import type { EventStore } from '../store/event-store.port';

/** When a processor reacts to time. */
export type Schedule =
  /** Every `everyMs` after the previous run ends; the first `firstDelayMs` (default `everyMs`) after the runner starts. */
  | { everyMs: number; firstDelayMs?: number }
  /** Once a day at `at` (HH:MM, UTC); a day whose time passed while no server ran is run at once. */
  | { dailyAt: string };

export interface ProcessorContext {
  /** The event store the processor's effects are appended to. */
  store: EventStore;
  /** The runner's clock. */
  now(): Date;
}

export interface Processor {
  /** Unique, stable: the key of its checkpoint. */
  readonly name: string;
  /** New events after the checkpoint, in position order, a batch at a time; the checkpoint moves past them when this resolves. */
  handle?(events: RecordedEvent[], context: ProcessorContext): Promise<void>;
  /** When `tick` runs. */
  readonly schedule?: Schedule;
  /** The time-driven reaction; `due` is the scheduled moment (for a daily schedule: that day's time). */
  tick?(due: Date, context: ProcessorContext): Promise<unknown>;
  /**
   * true: ticks on every server, not only the leader (work about this process's own state, such as
   * the background verification of what this server read); never for an effect on the log.
   */
  readonly everyServer?: boolean;
}

/**
 * A UUID-shaped event id that is the same for the same parts (a name-based UUID, version 5 layout,
 * over SHA-256): the id of an effect, so that the store refuses it a second time.
 */
export function deterministicEventId(...parts: string[]): string {
  const hash = createHash('sha256').update(JSON.stringify(parts)).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The first moment after `after` when a schedule is due. */
export function nextDue(schedule: Schedule, after: Date, first: boolean): Date {
  if ('everyMs' in schedule) return new Date(after.getTime() + (first ? (schedule.firstDelayMs ?? schedule.everyMs) : schedule.everyMs));
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(schedule.dailyAt);
  if (!match) throw new TypeError(`dailyAt must be HH:MM (UTC), got "${schedule.dailyAt}"`);
  const today = new Date(Date.UTC(after.getUTCFullYear(), after.getUTCMonth(), after.getUTCDate(), Number(match[1]), Number(match[2])));
  // At start, a day whose time has passed is due now (its effect is idempotent); afterwards, the next day's.
  if (first) return today;
  return today.getTime() > after.getTime() ? today : new Date(today.getTime() + 86_400_000);
}
