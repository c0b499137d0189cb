/**
 * A real event store with a hook in front of its appends, for end-to-end tests that need
 * something to happen at one precise moment of a write: between the writer's read and its
 * append (a competing writer), or instead of the append (a failing disk). Everything else, and
 * the append itself, is the real store's: the wrapper is a Proxy, so `instanceof` still sees the
 * adapter (the app keeps its SQLite read models beside the events).
 */
import type { EventStore } from '../../src/store/event-store.port';

export interface AppendInterceptor {
  /**
   * Called with the streams of an append (appendToStream: one; appendMany: every request's),
   * before the real store sees it. Throwing makes the append throw.
   */
  beforeAppend(streams: string[], inner: EventStore): Promise<void> | void;
}

export function interceptAppends(inner: EventStore, interceptor: AppendInterceptor): EventStore {
  const appendToStream: EventStore['appendToStream'] = async (stream, events, options) => {
    await interceptor.beforeAppend([stream], inner);
    return inner.appendToStream(stream, events, options);
  };
  const appendMany: EventStore['appendMany'] = async (batch) => {
    await interceptor.beforeAppend(
      batch.map((r) => r.stream),
      inner,
    );
    return inner.appendMany(batch);
  };
  return new Proxy(inner, {
    get(target, property) {
      if (property === 'appendToStream') return appendToStream;
      if (property === 'appendMany') return appendMany;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * One-shot interference on the next append that touches `stream`: `run` gets the real store and
 * acts (e.g. appends a competing event), then the intercepted append goes on (or `run` throws
 * and the append fails with that). `fired` tells whether it ran.
 */
export class Interference implements AppendInterceptor {
  private armed?: { stream: string; run: (inner: EventStore) => Promise<void> };
  fired = false;

  arm(stream: string, run: (inner: EventStore) => Promise<void>): void {
    this.armed = { stream, run };
    this.fired = false;
  }

  disarm(): void {
    this.armed = undefined;
  }

  async beforeAppend(streams: string[], inner: EventStore): Promise<void> {
    const armed = this.armed;
    if (!armed || !streams.includes(armed.stream)) return;
    this.armed = undefined;
    this.fired = true;
    await armed.run(inner);
  }
}
