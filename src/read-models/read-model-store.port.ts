/**
 * Where projections keep their read models: JSON documents by key, per projection, with the
 * projection's checkpoint (the global position of the last event applied). A commit writes
 * documents and moves the checkpoint in ONE transaction, and only if the checkpoint is still
 * where the projection read it: each event is applied exactly once, across restarts and across
 * processes (a server and a CLI rebuild racing on one store).
 */
export interface ProjectionState {
  /** Global position of the last applied event; 0 before the first. */
  checkpoint: number;
  /** True from `reset` until `markRebuilt`: a rebuild is under way (or crashed and will resume). */
  rebuilding: boolean;
}

export interface ReadModelStore {
  state(projection: string): Promise<ProjectionState>;
  get<T>(projection: string, key: string): Promise<T | undefined>;
  /** Every document whose key starts with `prefix`, in key order. */
  getByPrefix<T>(projection: string, prefix: string): Promise<T[]>;
  /**
   * One page of getByPrefix, for readers that must not hold every document at once: at most
   * `limit` documents whose key starts with `prefix` and is greater than `after` ('' for the
   * first page), in key order, with their keys.
   */
  getPageByPrefix<T>(projection: string, prefix: string, after: string, limit: number): Promise<{ key: string; doc: T }[]>;
  /** The same page with each document's JSON text as stored, unparsed (the integrity check digests it: src/ledger/read-model-check.ts). */
  getTextPageByPrefix(projection: string, prefix: string, after: string, limit: number): Promise<{ key: string; text: string }[]>;
  /**
   * The projection's state and the documents under `keys` (absent keys left out), read together
   * as of one instant: every document as committed with that checkpoint, never one of a later
   * commit. What the integrity check compares with the events (docs/decisions.md W40).
   */
  readAtCheckpoint<T>(projection: string, keys: readonly string[]): Promise<ProjectionState & { docs: Map<string, T> }>;
  /**
   * Writes `changes` (key → document) and moves the checkpoint from `from` to `to`, atomically.
   * Returns false, writing nothing, when the checkpoint is no longer `from`.
   */
  commit(projection: string, from: number, to: number, changes: ReadonlyMap<string, unknown>): Promise<boolean>;
  /** Deletes the projection's documents, sets its checkpoint to 0 and marks it rebuilding. */
  reset(projection: string): Promise<void>;
  markRebuilt(projection: string): Promise<void>;
  close(): Promise<void>;
}

export const READ_MODEL_STORE = Symbol('READ_MODEL_STORE');
