/**
 * The verification in slices (docs/decisions.md W40): it reads the whole log, every stream and
 * every read-model document, and with SQLite every read is synchronous, so without a pause it
 * held the event loop for the whole run (14.5 s on a large store), and every other request of
 * the server waited that long. Seen through `yielding`, a store gives the event loop a turn
 * (setImmediate: pending I/O and other requests first) after every call that returns a promise,
 * and every `every` items of an async iteration (readAll, listFiles): the verification takes a
 * little longer, and nobody else waits for more than one slice.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

const isThenable = (value: unknown): value is PromiseLike<unknown> => typeof (value as { then?: unknown } | null)?.then === 'function';
const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> => typeof (value as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === 'function';

async function* sliced<T>(source: AsyncIterable<T>, every: number): AsyncGenerator<T> {
  let n = 0;
  for await (const item of source) {
    yield item;
    if (++n % every === 0) await nextTurn();
  }
}

/** `target` whose asynchronous methods and iterations give the event loop a turn (see above); everything else as it is. */
export function yielding<T extends object>(target: T, every = 100): T {
  return new Proxy(target, {
    get(object, property) {
      const value = Reflect.get(object, property, object) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(object, args);
        if (isThenable(result)) return Promise.resolve(result).then(async (resolved) => (await nextTurn(), resolved));
        if (isAsyncIterable(result)) return sliced(result, every);
        return result;
      };
    },
  });
}
