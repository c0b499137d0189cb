/**
 * Runs the projections (ledger-projections.ts) over the global log: asynchronously in the
 * background (polling, or the store's subscription when it has one) and on demand before a
 * query. Each projection advances on its own checkpoint in batches; a batch's documents and
 * checkpoint commit together (read-model-store.port.ts), so each event is applied exactly once.
 *
 * A projection whose handler throws is logged with the event id and halted at its last good
 * checkpoint (retried on the next tick); the other projections and the app go on, and queries
 * read the event store directly while a read model is not caught up.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RecordedEvent } from '../../events/envelope';
import { EVENT_STORE, type EventStore } from '../store/event-store.port';
import { Projection, PROJECTIONS, WorkingSet } from './ledger-projections';
import { READ_MODEL_STORE, type ReadModelStore } from './read-model-store.port';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Events read and applied per committed batch. */
export const BATCH_SIZE = 2000;
/** The same for a rebuild, which nothing waits on between batches: fewer, larger commits. */
export const REBUILD_BATCH_SIZE = 10_000;
/**
 * Documents one commit writes at most (besides those a projection derives from them): a batch
 * whose events touch more documents is committed in parts. Without it, a batch of late facts
 * spread over ten thousand officers held ten thousand ledgers, and their JSON, at once.
 */
export const MAX_DOCS_PER_COMMIT = 1000;

export interface ProjectionProgress {
  name: string;
  checkpoint: number;
  rebuilding: boolean;
  failed?: { eventId: string; position: number; error: string };
}

export const PROJECTION_LIST = Symbol('PROJECTION_LIST');

@Injectable()
export class ProjectionRunner {
  private readonly logger = new Logger('Projections');
  /** One run at a time per projection, in this process. */
  private readonly running = new Map<string, Promise<void>>();
  private readonly failures = new Map<string, NonNullable<ProjectionProgress['failed']>>();
  private readonly caughtUpAt = new Map<string, number>();
  /**
   * During a rebuild that this runner started with a reset: the keys its own commits have
   * written since. Every other key is absent (reset deleted every document, and a commit only
   * succeeds from the checkpoint the previous one left), so the rebuild does not look it up.
   * Dropped at the first refused commit (another process wrote) and when the rebuild ends.
   */
  private readonly writtenSinceReset = new Map<string, Set<string>>();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** MAX_DOCS_PER_COMMIT; a test lowers it to see batches committed in parts. */
  maxDocsPerCommit = MAX_DOCS_PER_COMMIT;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
    @Inject(PROJECTION_LIST) private readonly projections: readonly Projection[] = PROJECTIONS,
  ) {}

  /** Starts catching up in the background every `intervalMs` (the server; the CLI does not). */
  start(intervalMs = 200): void {
    const tick = async () => {
      if (this.stopped) return;
      await this.catchUp().catch((error) => this.logger.error(`catch-up failed: ${(error as Error).message}`));
      if (!this.stopped) this.timer = setTimeout(tick, intervalMs);
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops the background loop and waits for a batch in flight to commit. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled(this.running.values());
  }

  /** Applies every event committed so far to every projection (or one). */
  async catchUp(only?: string): Promise<void> {
    for (const projection of this.projections) {
      if (only && projection.name !== only) continue;
      await this.runExclusive(projection, () => this.advance(projection));
    }
  }

  /**
   * Before a query: applies what is pending if that is at most one batch per projection, and
   * tells whether every read model now holds every committed event (false while one is far
   * behind, e.g. during a rebuild, or halted on a failure: the caller then reads the event store).
   */
  async freshen(): Promise<boolean> {
    if (this.projections.some((p) => this.failures.has(p.name))) return false;
    // The common case first: nothing committed since the checkpoints (one state read per
    // projection, one probe of the log per distinct checkpoint: usually one, as they move together).
    const states = await Promise.all(this.projections.map((p) => this.readModels.state(p.name)));
    const nothingAfter = new Map<number, boolean>();
    for (const [i, projection] of this.projections.entries()) {
      const { checkpoint } = states[i];
      let caughtUp = nothingAfter.get(checkpoint);
      if (caughtUp === undefined) nothingAfter.set(checkpoint, (caughtUp = await this.nothingCommittedAfter(checkpoint)));
      if (caughtUp) {
        this.caughtUpAt.set(projection.name, checkpoint);
        continue;
      }
      await this.runExclusive(projection, () => this.advance(projection, undefined, 1));
      if (this.failures.has(projection.name) || !(await this.isCaughtUp(projection.name))) return false;
    }
    return true;
  }

  /** True when `name` has applied every event committed before this call. */
  async isCaughtUp(name: string): Promise<boolean> {
    const { checkpoint } = await this.readModels.state(name);
    if (!(await this.nothingCommittedAfter(checkpoint))) return false;
    this.caughtUpAt.set(name, checkpoint);
    return true;
  }

  private async nothingCommittedAfter(position: number): Promise<boolean> {
    for await (const _ of this.store.readAll({ fromPosition: position, batchSize: 1 })) return false;
    return true;
  }

  /**
   * The checkpoint at which `name` was last seen caught up (by freshen or isCaughtUp): documents
   * read after it are at least that fresh, so it can key caches of what was read.
   */
  caughtUpCheckpoint(name: string): number | undefined {
    return this.caughtUpAt.get(name);
  }

  /** For tests and the CLI: resolves once every projection has caught up, or throws after `timeoutMs`. */
  async waitUntilCaughtUp(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.catchUp();
      const states = await Promise.all(this.projections.map((p) => this.isCaughtUp(p.name)));
      if (states.every(Boolean)) return;
      if (Date.now() > deadline) throw new Error(`projections did not catch up within ${timeoutMs} ms: ${JSON.stringify(await this.progress())}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * Rebuilds a projection (or all) from position 0. A rebuild that was interrupted (crash,
   * kill) resumes from its last committed batch instead of starting over.
   */
  async rebuild(only?: string, onProgress?: (p: ProjectionProgress) => void): Promise<void> {
    const targets = this.projections.filter((p) => !only || p.name === only);
    const exclusive = targets.reduceRight<() => Promise<void>>((inner, projection) => () => this.runExclusive(projection, inner), async () => {
      for (const projection of targets) {
        const state = await this.readModels.state(projection.name);
        if (!state.rebuilding) {
          await this.readModels.reset(projection.name);
          this.writtenSinceReset.set(projection.name, new Set());
        }
      }
      try {
        // One read of the log for every projection while their checkpoints agree (a fresh
        // rebuild); then each finishes on its own (a resumed rebuild, a failure, another process).
        await this.advanceTogether(targets, onProgress);
        for (const projection of targets) {
          await this.advance(projection, onProgress, Infinity, REBUILD_BATCH_SIZE);
          if (!this.failures.has(projection.name)) await this.readModels.markRebuilt(projection.name);
        }
      } finally {
        for (const projection of targets) this.writtenSinceReset.delete(projection.name);
      }
    });
    await exclusive();
  }

  /**
   * Applies each batch read once to every projection of `group` that is at the batch's starting
   * checkpoint, committing each projection's documents and checkpoint separately (the same
   * exactly-once commit as advance). A projection that fails or whose commit is refused leaves
   * the group; advance() then takes it from its own checkpoint.
   */
  private async advanceTogether(group: Projection[], onProgress?: (p: ProjectionProgress) => void): Promise<void> {
    let members = [...group];
    for (;;) {
      if (members.length < 2) return;
      const states = await Promise.all(members.map((p) => this.readModels.state(p.name)));
      const checkpoint = states[0].checkpoint;
      if (states.some((s) => s.checkpoint !== checkpoint)) return;
      const batch: RecordedEvent[] = [];
      for await (const event of this.store.readAll({ fromPosition: checkpoint, batchSize: REBUILD_BATCH_SIZE })) {
        batch.push(event);
        if (batch.length >= REBUILD_BATCH_SIZE) break;
      }
      if (batch.length === 0) return;
      const next: Projection[] = [];
      member: for (const [i, projection] of members.entries()) {
        let from = checkpoint;
        for (let offset = 0; offset < batch.length; ) {
          const { changes, applied, next: rest, failure } = await this.applyBatch(projection, from, batch, offset);
          if (failure) continue member; // advance() applies it alone, halting and logging at the failing event
          if (!(await this.commit(projection.name, from, applied, changes))) continue member;
          from = applied;
          offset = rest;
        }
        this.failures.delete(projection.name);
        onProgress?.({ name: projection.name, checkpoint: from, rebuilding: states[i].rebuilding });
        next.push(projection);
      }
      members = next;
      if (batch.length < REBUILD_BATCH_SIZE) return;
    }
  }

  async progress(): Promise<ProjectionProgress[]> {
    return Promise.all(
      this.projections.map(async (p) => {
        const state = await this.readModels.state(p.name);
        const failed = this.failures.get(p.name);
        return { name: p.name, ...state, ...(failed ? { failed } : {}) };
      }),
    );
  }

  names(): string[] {
    return this.projections.map((p) => p.name);
  }

  private async runExclusive(projection: Projection, run: () => Promise<void>): Promise<void> {
    const previous = this.running.get(projection.name) ?? Promise.resolve();
    const next = previous.then(run, run);
    this.running.set(projection.name, next);
    try {
      await next;
    } finally {
      if (this.running.get(projection.name) === next) this.running.delete(projection.name);
    }
  }

  /** Applies batches until the projection has seen every committed event. */
  private async advance(projection: Projection, onProgress?: (p: ProjectionProgress) => void, maxBatches = Infinity, batchSize = BATCH_SIZE): Promise<void> {
    batches: for (let batches = 0; batches < maxBatches; batches++) {
      const { checkpoint, rebuilding } = await this.readModels.state(projection.name);
      const batch: RecordedEvent[] = [];
      for await (const event of this.store.readAll({ fromPosition: checkpoint, batchSize })) {
        batch.push(event);
        if (batch.length >= batchSize) break;
      }
      if (batch.length === 0) return;

      let from = checkpoint;
      for (let offset = 0; offset < batch.length; ) {
        let { changes, applied, next, failure } = await this.applyBatch(projection, from, batch, offset);
        if (failure) {
          this.fail(projection, batch[failure.index], failure.error);
          // Commit the events before the failing one, applied afresh: a handler that threw may have
          // changed a document before throwing.
          ({ changes, applied } = await this.applyBatch(projection, from, batch, offset, failure.index));
        }
        if (applied !== from && !(await this.commit(projection.name, from, applied, changes))) {
          continue batches; // another process moved the checkpoint: re-read and go on from there
        }
        if (failure) return;
        from = applied;
        offset = next;
      }
      this.failures.delete(projection.name);
      onProgress?.({ name: projection.name, checkpoint: from, rebuilding });
      if (batch.length < batchSize) return;
      await nextTurn(); // the server's requests between two batches of a catch-up (docs/decisions.md W40)
    }
  }

  /**
   * Applies batch[offset..end) until maxDocsPerCommit documents have changed; `next` is the
   * index of the first event not applied. Then lets the projection derive documents from the
   * ones that changed (once per document per commit, not once per event).
   */
  private async applyBatch(projection: Projection, checkpoint: number, batch: RecordedEvent[], offset = 0, end = batch.length) {
    const changes = new Map<string, unknown>();
    /** Each changed document's first event in this part: a failing derive is reported at it. */
    const firstChange = new Map<string, number>();
    let current = offset;
    const written = this.writtenSinceReset.get(projection.name);
    const docs: WorkingSet = {
      get: async <T>(key: string) => {
        if (changes.has(key)) return changes.get(key) as T;
        if (written && !written.has(key)) return undefined;
        return this.readModels.get<T>(projection.name, key);
      },
      set: (key, doc) => {
        if (!firstChange.has(key)) firstChange.set(key, current);
        changes.set(key, doc);
      },
    };
    let applied = checkpoint;
    let next = offset;
    for (; next < end; ) {
      current = next;
      try {
        await projection.apply(batch[next], docs);
        applied = batch[next].position;
      } catch (error) {
        return { changes, applied, next, failure: { index: next, error: error as Error } };
      }
      next++;
      if (changes.size >= this.maxDocsPerCommit) break;
    }
    if (projection.derive) {
      for (const [key, index] of firstChange) {
        try {
          const derived = projection.derive(key, changes.get(key));
          if (derived) changes.set(derived.key, derived.doc);
        } catch (error) {
          return { changes, applied, next, failure: { index, error: error as Error } };
        }
      }
    }
    return { changes, applied, next, failure: undefined as { index: number; error: Error } | undefined };
  }

  /** ReadModelStore.commit, keeping writtenSinceReset. */
  private async commit(name: string, from: number, to: number, changes: Map<string, unknown>): Promise<boolean> {
    const committed = await this.readModels.commit(name, from, to, changes);
    const written = this.writtenSinceReset.get(name);
    if (!committed) this.writtenSinceReset.delete(name);
    else if (written) for (const key of changes.keys()) written.add(key);
    return committed;
  }

  private fail(projection: Projection, event: RecordedEvent, error: Error): void {
    const known = this.failures.get(projection.name);
    if (known?.eventId !== event.eventId) {
      this.logger.error(`projection ${projection.name} failed on event ${event.eventId} (position ${event.position}, ${event.type}): ${error.stack ?? error.message}`);
    }
    this.failures.set(projection.name, { eventId: event.eventId, position: event.position, error: error.message });
  }
}
