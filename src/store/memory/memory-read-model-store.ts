/** Read models in memory: for the memory event store, and for EventStoreDB (rebuilt at each start). */
import type { ProjectionState, ReadModelStore } from '../../read-models/read-model-store.port';

export class MemoryReadModelStore implements ReadModelStore {
  private readonly docs = new Map<string, Map<string, string>>();
  private readonly states = new Map<string, ProjectionState>();

  private docsOf(projection: string): Map<string, string> {
    let docs = this.docs.get(projection);
    if (!docs) this.docs.set(projection, (docs = new Map()));
    return docs;
  }

  async state(projection: string): Promise<ProjectionState> {
    return { ...(this.states.get(projection) ?? { checkpoint: 0, rebuilding: false }) };
  }

  async get<T>(projection: string, key: string): Promise<T | undefined> {
    const doc = this.docsOf(projection).get(key);
    return doc === undefined ? undefined : (JSON.parse(doc) as T);
  }

  async getByPrefix<T>(projection: string, prefix: string): Promise<T[]> {
    return [...this.docsOf(projection).entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, doc]) => JSON.parse(doc) as T);
  }

  async getPageByPrefix<T>(projection: string, prefix: string, after: string, limit: number): Promise<{ key: string; doc: T }[]> {
    return (await this.getTextPageByPrefix(projection, prefix, after, limit)).map(({ key, text }) => ({ key, doc: JSON.parse(text) as T }));
  }

  async getTextPageByPrefix(projection: string, prefix: string, after: string, limit: number): Promise<{ key: string; text: string }[]> {
    return [...this.docsOf(projection).entries()]
      .filter(([key]) => key.startsWith(prefix) && key > after)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, limit)
      .map(([key, text]) => ({ key, text }));
  }

  async readAtCheckpoint<T>(projection: string, keys: readonly string[]): Promise<ProjectionState & { docs: Map<string, T> }> {
    // Synchronous from here: no commit can come between the state and the documents.
    const docs = this.docsOf(projection);
    const found = new Map<string, T>();
    for (const key of keys) {
      const doc = docs.get(key);
      if (doc !== undefined) found.set(key, JSON.parse(doc) as T);
    }
    return { ...(this.states.get(projection) ?? { checkpoint: 0, rebuilding: false }), docs: found };
  }

  async commit(projection: string, from: number, to: number, changes: ReadonlyMap<string, unknown>): Promise<boolean> {
    const state = await this.state(projection);
    if (state.checkpoint !== from) return false;
    const docs = this.docsOf(projection);
    for (const [key, doc] of changes) docs.set(key, JSON.stringify(doc));
    this.states.set(projection, { ...state, checkpoint: to });
    return true;
  }

  async reset(projection: string): Promise<void> {
    this.docs.delete(projection);
    this.states.set(projection, { checkpoint: 0, rebuilding: true });
  }

  async markRebuilt(projection: string): Promise<void> {
    const state = await this.state(projection);
    this.states.set(projection, { ...state, rebuilding: false });
  }

  async close(): Promise<void> {}
}
