/**
 * Where the processors keep their checkpoints, and who among the servers acts: beside the events,
 * in the same store (docs/decisions.md W43). One adapter per backend: memory (in-process),
 * SQLite (a table in the events' file), PostgreSQL (a table and an advisory lock).
 */
/** Who first claimed an effect, and when (epoch ms). */
export interface Claim {
  claimant: string;
  at: number;
}

export interface ProcessorStore {
  /** The position of the last event the processor handled; 0 when none. */
  checkpoint(processor: string): Promise<number>;
  /** Moves the checkpoint (never backwards). */
  saveCheckpoint(processor: string, position: number): Promise<void>;
  /**
   * Tries to be (or stay) the one server that acts; true while this process is. PostgreSQL: an
   * advisory lock held on a dedicated connection; a lost connection is lost leadership, and the
   * next call tries again. SQLite: one process by construction (see src/store/sqlite/sqlite-processor-store.ts).
   * Memory: one runner per store in the process.
   */
  lead(): Promise<boolean>;
  /**
   * Records, once, that `processor` is about to make the effect `key` (an intent written before
   * an effect outside the log, such as an e-mail: docs/decisions.md W49). Returns the first claim
   * of the key: `claimant` and `at` as given when this call made it, another attempt's (another
   * server's, or this one's before a restart) when it was made before.
   */
  claim(processor: string, key: string, claimant: string, at: number): Promise<Claim>;
  /** Gives the lead up and closes what the adapter opened. */
  close(): Promise<void>;
}

/**
 * Memory: beside the in-memory events, keyed by the event store object: its checkpoints (shared by
 * every runner on it, lost with it), and one leader among the runners on it in the process.
 */
export class MemoryProcessorStore implements ProcessorStore {
  private static readonly leaders = new WeakMap<object, MemoryProcessorStore>();
  private static readonly positions = new WeakMap<object, Map<string, number>>();
  private static readonly claims = new WeakMap<object, Map<string, Claim>>();
  private readonly checkpoints: Map<string, number>;

  constructor(private readonly scope: object) {
    let positions = MemoryProcessorStore.positions.get(scope);
    if (!positions) MemoryProcessorStore.positions.set(scope, (positions = new Map()));
    this.checkpoints = positions;
  }

  async checkpoint(processor: string): Promise<number> {
    return this.checkpoints.get(processor) ?? 0;
  }

  async saveCheckpoint(processor: string, position: number): Promise<void> {
    this.checkpoints.set(processor, Math.max(position, this.checkpoints.get(processor) ?? 0));
  }

  async claim(processor: string, key: string, claimant: string, at: number): Promise<Claim> {
    let claims = MemoryProcessorStore.claims.get(this.scope);
    if (!claims) MemoryProcessorStore.claims.set(this.scope, (claims = new Map()));
    const id = `${processor}\u0000${key}`;
    if (!claims.has(id)) claims.set(id, { claimant, at });
    return claims.get(id)!;
  }

  async lead(): Promise<boolean> {
    const holder = MemoryProcessorStore.leaders.get(this.scope);
    if (!holder) MemoryProcessorStore.leaders.set(this.scope, this);
    return (holder ?? this) === this;
  }

  async close(): Promise<void> {
    if (MemoryProcessorStore.leaders.get(this.scope) === this) MemoryProcessorStore.leaders.delete(this.scope);
  }
}
