/**
 * Runs the processors (processor.ts) of one server, in the spirit of Emmett's processors and
 * Marten's async daemon (docs/decisions.md W43). Every `pollMs` a round:
 * 1. `lead()` on the processor store: is this server the one that acts? (PostgreSQL: an advisory
 *    lock; SQLite: a lease; memory: in-process.) A server that is not runs only the `everyServer`
 *    ticks.
 * 2. The leader feeds each processor with `handle` the events after its checkpoint, a batch at a
 *    time, and moves the checkpoint past a batch once it is handled: at least once.
 * 3. Each due tick runs (`schedule`); a tick never overlaps itself, and a failed one is logged and
 *    comes again at its next due time.
 * A failure in one processor is reported and does not stop the others. Timers never keep the
 * process alive. Nest-free: the server makes one in src/app.module.ts; tests make their own.
 */
import type { RecordedEvent } from '../../events/envelope';
import type { EventStore } from '../store/event-store.port';
import { nextDue, type Processor, type ProcessorContext } from './processor';
import type { ProcessorStore } from './processor-store.port';

export interface ProcessorRunnerOptions {
  /** How often a round runs. Default 1000 ms. */
  pollMs?: number;
  /** Events handed to `handle` at most at once. Default 500. */
  batchSize?: number;
  now?: () => Date;
  onError?: (processor: string, error: Error) => void;
}

interface Registered {
  processor: Processor;
  due?: Date;
  ticking?: Promise<unknown>;
}

export class ProcessorRunner {
  private readonly registered = new Map<string, Registered>();
  private readonly context: ProcessorContext;
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private started = false;
  private stopped = false;
  private leading = false;

  constructor(
    private readonly store: EventStore,
    private readonly processorStore: ProcessorStore,
    private readonly options: ProcessorRunnerOptions = {},
  ) {
    this.context = { store, now: () => this.now() };
  }

  /** Adds a processor; its schedule starts counting now if the runner runs. Names are unique. */
  register(processor: Processor): void {
    if (this.registered.has(processor.name)) throw new Error(`a processor named "${processor.name}" is already registered`);
    if (processor.schedule && !processor.tick) throw new Error(`processor "${processor.name}" has a schedule and no tick`);
    const entry: Registered = { processor };
    if (this.started && processor.schedule) entry.due = nextDue(processor.schedule, this.now(), true);
    this.registered.set(processor.name, entry);
  }

  /** Removes a processor (a schedule replaced); a tick in flight ends on its own. */
  unregister(name: string): void {
    this.registered.delete(name);
  }

  /** Whether this server acted as the leader in its last round. */
  get isLeader(): boolean {
    return this.leading;
  }

  /** Starts the rounds: the first at once, then every pollMs after the previous ends. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    const now = this.now();
    for (const entry of this.registered.values()) if (entry.processor.schedule) entry.due = nextDue(entry.processor.schedule, now, true);
    const loop = () => {
      this.round = this.runRound().finally(() => {
        this.round = undefined;
        if (!this.stopped) this.timer = setTimeout(loop, this.untilNextRound()).unref();
      });
    };
    loop();
  }

  /**
   * One round now (tests, and `start`'s loop): lead, catch every event processor up, run the due
   * ticks. Resolves when the events are handled; ticks started run on (their promise is kept).
   */
  async runRound(): Promise<void> {
    if (this.stopped) return;
    try {
      this.leading = await this.processorStore.lead();
    } catch (error) {
      this.leading = false;
      this.report('(lead)', error);
    }
    for (const entry of this.registered.values()) {
      if (this.stopped) return;
      if (this.leading && entry.processor.handle) {
        try {
          await this.catchUp(entry.processor);
        } catch (error) {
          this.report(entry.processor.name, error);
        }
      }
      this.tickIfDue(entry);
    }
  }

  /** pollMs, or less when a tick is due sooner. */
  private untilNextRound(): number {
    let wait = this.options.pollMs ?? 1000;
    const now = this.now().getTime();
    for (const entry of this.registered.values()) if (entry.due && !entry.ticking) wait = Math.min(wait, Math.max(0, entry.due.getTime() - now));
    return Math.max(wait, 5);
  }

  /** Feeds `processor` every event after its checkpoint; the checkpoint follows each batch. */
  private async catchUp(processor: Processor): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    let from = await this.processorStore.checkpoint(processor.name);
    let batch: RecordedEvent[] = [];
    const flush = async () => {
      await processor.handle!(batch, this.context);
      from = batch[batch.length - 1].position;
      await this.processorStore.saveCheckpoint(processor.name, from);
      batch = [];
    };
    for await (const event of this.store.readAll({ fromPosition: from, batchSize })) {
      if (this.stopped) return;
      batch.push(event);
      if (batch.length >= batchSize) {
        await flush();
        // Still the leader? A lost lock stops feeding at a batch's end.
        if (!(await this.processorStore.lead())) return;
      }
    }
    if (batch.length > 0) await flush();
  }

  private tickIfDue(entry: Registered): void {
    const { processor } = entry;
    if (!processor.schedule || !entry.due || entry.ticking) return;
    if (!this.leading && !processor.everyServer) return;
    const now = this.now();
    if (now.getTime() < entry.due.getTime()) return;
    const due = entry.due;
    entry.ticking = Promise.resolve()
      .then(() => processor.tick!(due, this.context))
      .catch((error) => this.report(processor.name, error))
      .finally(() => {
        entry.ticking = undefined;
        entry.due = nextDue(processor.schedule!, 'everyMs' in processor.schedule! ? this.now() : due, false);
      });
  }

  /** The ticks running now (tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.registered.values()].map((e) => e.ticking));
  }

  /** Stops the rounds, waits for the one in flight and the running ticks, then gives up the lead and closes the processor store. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.round?.catch(() => undefined);
    await this.settled().catch(() => undefined);
    this.leading = false;
    await this.processorStore.close();
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private report(processor: string, error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error));
    if (this.options.onError) this.options.onError(processor, err);
    else console.error(`processor ${processor}: ${err.message}`);
  }
}
