/**
 * A small in-memory MODEL of the parts of EventStoreDB's client that the adapter uses, written
 * from the client's type definitions and documentation: NOT EventStoreDB. It lets the contract
 * suite exercise the adapter's own logic (planning, guards, paging, prefixes, link parsing)
 * without a server; how a real server behaves is checked only by esdb-event-store.integration.spec.ts with
 * ESDB_URL set. Modelled: expected-revision checks with ESDB's idempotent re-append (the same
 * event ids at the same expected revision, `no_stream` included: what completing an interrupted
 * registration relies on when its writer is still alive, docs/decisions.md W16), positions
 * as growing byte offsets (commit === prepare), inclusive $all reads, system records in $all
 * ($stats, `$>` links to $streams, $category-<c>, $ce-<c>), StreamNotFound errors by `type`.
 */
import type { Position } from '@eventstore/db-client';

interface ModelRecord {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  isJson: boolean;
  data: unknown;
  metadata: unknown;
  created: Date;
  position: Position;
}

type Rev = 'start' | 'end' | bigint;
type Pos = 'start' | 'end' | Position;

const notFound = (streamName: string) => Object.assign(new Error(`${streamName} not found`), { type: 'stream-not-found', streamName });

export class EsdbModelClient {
  private readonly log: ModelRecord[] = [];
  private readonly streams = new Map<string, ModelRecord[]>();
  private nextPosition = 1_000;
  private readonly waiters = new Set<() => void>();
  disposed = false;

  constructor() {
    this.write('$stats-127.0.0.1:2113', [{ id: '00000000-0000-4000-8000-000000000000', type: '$statsCollected', data: {}, metadata: undefined, isJson: true }]);
  }

  private write(streamId: string, events: { id: string; type: string; data: unknown; metadata: unknown; isJson: boolean }[]): ModelRecord[] {
    const stream = this.streams.get(streamId) ?? [];
    const isNew = !this.streams.has(streamId);
    this.streams.set(streamId, stream);
    const written = events.map((e) => {
      const size = 100 + JSON.stringify(e.data ?? null).length;
      const record: ModelRecord = {
        streamId,
        id: e.id,
        revision: BigInt(stream.length),
        type: e.type,
        isJson: e.isJson,
        data: e.data,
        metadata: e.metadata,
        created: new Date(),
        position: { commit: BigInt(this.nextPosition), prepare: BigInt(this.nextPosition) },
      };
      this.nextPosition += size;
      stream.push(record);
      this.log.push(record);
      return record;
    });
    if (!streamId.startsWith('$')) {
      const dash = streamId.indexOf('-');
      const link = (target: ModelRecord) => ({ id: cryptoId(), type: '$>', data: Buffer.from(`${target.revision}@${target.streamId}`), metadata: undefined, isJson: false });
      if (isNew) {
        this.write('$streams', [link(written[0])]);
        if (dash >= 0) this.write(`$category-${streamId.slice(0, dash)}`, [link(written[0])]);
      }
      if (dash >= 0) this.write(`$ce-${streamId.slice(0, dash)}`, written.map(link));
    }
    for (const wake of [...this.waiters]) wake();
    return written;
  }

  async appendToStream(
    streamName: string,
    events: { id: string; type: string; data: unknown; metadata?: unknown; contentType: string }[],
    options: { expectedRevision?: 'any' | 'no_stream' | 'stream_exists' | bigint } = {},
  ): Promise<{ success: boolean; nextExpectedRevision: bigint; position?: Position }> {
    this.assertOpen();
    const stream = this.streams.get(streamName) ?? [];
    const current = BigInt(stream.length - 1);
    const expected = options.expectedRevision ?? 'any';
    const wanted = expected === 'no_stream' ? -1n : expected;
    if (typeof wanted === 'bigint' && wanted !== current) {
      // ESDB: the same event ids at the same expected revision again is an idempotent success.
      const already = stream.slice(Number(wanted) + 1, Number(wanted) + 1 + events.length);
      if (already.length === events.length && already.every((r, i) => r.id === events[i].id)) {
        return { success: true, nextExpectedRevision: already[already.length - 1].revision, position: already[already.length - 1].position };
      }
      throw Object.assign(new Error('wrong expected version'), {
        type: 'wrong-expected-version',
        streamName,
        expectedVersion: expected,
        actualVersion: stream.length === 0 ? 'no_stream' : current,
      });
    }
    const written = this.write(
      streamName,
      events.map((e) => ({
        id: e.id,
        type: e.type,
        // As the client sends it: JSON text, parsed again on read.
        data: JSON.parse(JSON.stringify(e.data)),
        metadata: e.metadata === undefined ? undefined : JSON.parse(JSON.stringify(e.metadata)),
        isJson: e.contentType === 'application/json',
      })),
    );
    const last = written[written.length - 1];
    return { success: true, nextExpectedRevision: last ? last.revision : current, position: last?.position };
  }

  readStream(streamName: string, options: { fromRevision?: Rev; direction?: 'forwards' | 'backwards'; maxCount?: number | bigint } = {}) {
    this.assertOpen();
    const stream = this.streams.get(streamName);
    const copy = (r: ModelRecord) => ({ event: { ...r, data: structuredClone(r.data), metadata: structuredClone(r.metadata) } });
    const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    return (async function* () {
      if (!stream) throw notFound(streamName);
      const backwards = options.direction === 'backwards';
      const from = options.fromRevision ?? (backwards ? 'end' : 'start');
      let items: ModelRecord[];
      if (backwards) {
        const start = from === 'end' ? stream.length - 1 : from === 'start' ? 0 : Number(from);
        items = stream.slice(0, start + 1).reverse();
      } else {
        const start = from === 'start' ? 0 : from === 'end' ? stream.length : Number(from);
        items = stream.slice(start);
      }
      for (const r of items.slice(0, max)) yield copy(r);
    })();
  }

  readAll(options: { fromPosition?: Pos; direction?: 'forwards' | 'backwards'; maxCount?: number | bigint } = {}) {
    this.assertOpen();
    const log = this.log;
    const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    return (async function* () {
      const backwards = options.direction === 'backwards';
      const from = options.fromPosition ?? (backwards ? 'end' : 'start');
      let items: ModelRecord[];
      if (backwards) {
        items = from === 'end' ? [...log].reverse() : log.filter((r) => from === 'start' || r.position.commit < from.commit).reverse();
      } else {
        items = from === 'start' ? log : from === 'end' ? [] : log.filter((r) => r.position.commit >= from.commit); // inclusive
      }
      for (const r of items.slice(0, max)) yield { event: { ...r, data: structuredClone(r.data), metadata: structuredClone(r.metadata) } };
    })();
  }

  subscribeToAll(options: { fromPosition?: Pos; filter?: { filterOn: string; prefixes?: string[]; regex?: string } } = {}) {
    this.assertOpen();
    let stopped = false;
    let index = 0;
    const from = options.fromPosition ?? 'start';
    if (from === 'end') index = this.log.length;
    else if (from !== 'start') index = this.log.findIndex((r) => r.position.commit > from.commit);
    if (index < 0) index = this.log.length;
    const filter = options.filter;
    const allowed = (r: ModelRecord) => {
      if (!filter) return true;
      const subject = filter.filterOn === 'streamName' ? r.streamId : r.type;
      if (filter.prefixes) return filter.prefixes.some((p) => subject.startsWith(p));
      return new RegExp(filter.regex!).test(subject);
    };
    let wake: (() => void) | undefined;
    const self = this;
    const iterator = (async function* () {
      while (!stopped) {
        while (index < self.log.length && !stopped) {
          const r = self.log[index++];
          if (allowed(r)) yield { event: { ...r, data: structuredClone(r.data), metadata: structuredClone(r.metadata) } };
        }
        if (stopped) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
          self.waiters.add(resolve);
        });
        if (wake) self.waiters.delete(wake);
      }
    })();
    return {
      [Symbol.asyncIterator]: () => iterator,
      unsubscribe: async () => {
        stopped = true;
        wake?.();
      },
    };
  }

  async getProjectionStatus(name: string) {
    this.assertOpen();
    return { name, projectionStatus: 'Running' };
  }

  async dispose() {
    this.disposed = true;
    for (const wake of [...this.waiters]) wake();
  }

  private assertOpen() {
    if (this.disposed) throw new Error('client disposed');
  }
}

let ids = 0;
function cryptoId(): string {
  ids++;
  return `00000000-0000-4000-8000-${ids.toString(16).padStart(12, '0')}`;
}
