/**
 * The PostgreSQL append: one statement, one round trip (schema migration 3, docs/decisions.md W31).
 * The statement is a call of the function sro_append (postgres-schema.ts) outside any explicit
 * transaction, so it is its own READ COMMITTED transaction with synchronous_commit on, committed
 * when it returns. In it, under the transaction-level advisory locks of the batch's streams
 * (64-bit keys from the stream names, taken in ascending key order so that batches never
 * deadlock):
 * 1. the batch's event ids are looked up; any stored one answers "duplicate";
 * 2. the stream heads and recordedAt are compared with what the client chained from; any
 *    difference answers "stale" with the stored heads and clock, and nothing is written;
 * 3. the events are inserted inside the "position section" (see below); the tree's row, locked
 *    FOR UPDATE inside the section and held until COMMIT, is set to the frontier the client
 *    computed when the client extended the stored one, else extended in SQL from the stored one
 *    (another process appended meanwhile); the heads are updated conditionally (a mismatch is
 *    SQLSTATE SR001).
 * The client side (here) chains the events and extends the tree before the call, from the heads
 * and the frontier it committed or was last told (a bounded cache): an append that finds its
 * heads unchanged is one round trip; a stale one costs a round trip more per retry (another
 * process appended to the stream, a head not in the cache, an expected revision to be checked
 * against the stored head). recordedAt is the database clock as the client tracks
 * it from every answer (the largest recent sample of the offset: never ahead of it, at most 10 s
 * behind, in practice the least latency of a reply behind), or the stream's last recordedAt
 * when that is later; a store opened with a test clock (`now`) uses that clock unchecked.
 * The unique constraints and UNIQUE(stream, revision) remain a second line of defence, mapped to
 * DuplicateEventIdError / WrongExpectedRevisionError (postgres-errors.ts).
 *
 * The position section: the transaction id (events.tx_id, default pg_current_xact_id()) and the
 * positions of an append are taken together, under a session advisory lock held only for that
 * one INSERT (no write happens before it, so the transaction has no id yet; this is checked).
 * Hence for any two events, position order and transaction id order agree: what readAll's
 * horizon relies on (postgres-read.ts).
 *
 * The ledger tree's row is locked inside the section and held until COMMIT: the next append
 * waits there, so leaves are added in position order. This serialises appends through COMMIT
 * (docs/decisions.md W14).
 *
 * Within one process, appends that share a stream (every registration shares its agency's roster)
 * wait for each other here before they chain, in the order they arrived (docs/decisions.md W40):
 * they would wait for each other on the stream locks in the database anyway, and there each one
 * that had chained from the same remembered head but lost the race was "stale", chained again
 * and waited again: under 20 concurrent registrations, some lost 20 rounds in a row and failed.
 * Rounds are then only lost to other processes; when they are exhausted the append fails as
 * StoreUnavailableError (busy: nothing was written, try again later).
 */
import type { PoolClient } from 'pg';
import { leafHash } from '../../../events/merkle';
import {
  ChainedEvent,
  chainEvents,
  checkExpectedRevision,
  loadTree,
  nextRecordedAt,
  StoredTree,
  storeTree,
  validateBatch,
  validateFiles,
  ValidatedRequest,
  WorkingTree,
} from '../append-support';
import { AppendRequest, AppendResult, DuplicateEventIdError, StoreUnavailableError, WrongExpectedRevisionError } from '../event-store.port';
import type { SqlAppends } from '../sql/sql-event-store';
import { HeadRow, toStoredTree, TreeRow } from '../sql/sql-rows';
import { assertStorableText, HeadConflict, mapAppendError, Query, sqlState, Target } from './postgres-errors';
import { POSITION_SECTION_LOCK, streamLockKey } from './postgres-locks';

/** A stream head as the append tracks it. */
interface WorkingHead {
  revision: number;
  hash: string;
  lastRecordedAt: string;
}

/** An event of the batch, chained, with its data as the JSON text the INSERT casts to jsonb. */
interface ChainedRow {
  event: ChainedEvent;
  dataJson: string;
}

/** What sro_append answers. */
type AppendReply =
  | { status: 'ok'; positions: number[] | null; now: string; tree: TreeRow | null }
  | { status: 'duplicate'; ids: string[] }
  | { status: 'stale'; heads: HeadRow[] | null; tree: TreeRow | null; now: string };

/** Stream heads an instance remembers (about 200 bytes each). */
const HEAD_CACHE_SIZE = 10_000;
/** Rounds of "stale" before an append gives up (each one means another writer moved a head or the tree). */
const MAX_ROUNDS = 20;

const APPEND_CALL = `SELECT sro_append(
  $1::bigint[], $2::text[], $3::int[], $4::text[], $5::int[], $6::text[], $7::text[],
  $8::bigint, $9::text, $10::bigint, $11::text, $12::boolean, $13::boolean,
  $14::text[], $15::text[], $16::int[], $17::text[], $18::int[], $19::text[], $20::text[], $21::text[], $22::text[], $23::text[], $24::text[]
) AS reply`;

export class PostgresAppends implements SqlAppends {
  /** The heads this instance last committed or was told, most recent last. */
  private readonly heads = new Map<string, WorkingHead>();
  /** The tree as this instance last committed it or was told. */
  private tree?: { row: StoredTree; tree: WorkingTree };
  /** The database clock minus this process's clock, as last answered. */
  /**
   * Samples of the database clock minus this process's clock, each taken when a reply arrived:
   * a lower bound of the true offset (the database read its clock before the reply travelled
   * back). The estimate is the largest recent sample, the one with the least latency in it: the
   * latest sample alone lags by that reply's latency, and under load a stamp then fell behind
   * instants the caller had already seen before it wrote (a fact recorded after T stamped before T).
   */
  private clockSamples: { offsetMs: number; at: number }[] = [];
  /** Per stream, the end of the last append of this process that uses it (see the header). */
  private readonly tails = new Map<string, Promise<void>>();

  constructor(
    private readonly connect: () => Promise<PoolClient>,
    private readonly query: Query,
    private readonly target: Target,
    /** Tests only: the clock recordedAt comes from. Default: the database clock (clock_timestamp()). */
    private readonly now?: () => Date,
  ) {}

  async append(batch: AppendRequest[]): Promise<AppendResult[]> {
    const streams = [...new Set((Array.isArray(batch) ? batch : []).map((request: AppendRequest | undefined) => request?.stream).filter((stream): stream is string => typeof stream === 'string'))];
    // Taken synchronously, all at once: an append waits only for appends that arrived before it (no cycle, no deadlock).
    const before = streams.map((stream) => this.tails.get(stream)).filter((tail): tail is Promise<void> => tail !== undefined);
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    for (const stream of streams) this.tails.set(stream, mine);
    try {
      if (before.length > 0) await Promise.all(before);
      return await this.appendNow(batch);
    } finally {
      for (const stream of streams) if (this.tails.get(stream) === mine) this.tails.delete(stream);
      done();
    }
  }

  private async appendNow(batch: AppendRequest[]): Promise<AppendResult[]> {
    // Shape checks and JSON normalisation need no lock: done before the call.
    const plans = validateBatch(batch, {
      request: ({ stream }, i) => assertStorableText(stream, `batch[${i}].stream`),
      event: ({ event }, _i, j) => {
        for (const field of ['eventId', 'type'] as const) assertStorableText(event[field], `events[${j}].${field}`);
        for (const field of ['recordedBy', 'correlationId'] as const) assertStorableText(event.metadata[field], `events[${j}].metadata.${field}`);
      },
    });
    if (plans.length === 0) return [];
    const files = batch.flatMap((request) => validateFiles(request.files));

    const streams = [...new Set(plans.map((p) => p.stream))];
    const keys = [...new Set(streams.map(streamLockKey))].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
    const client = await this.connect();
    let broken: Error | undefined;
    /** The heads as the store reported them during this append (authoritative), once it has. */
    let told: Map<string, WorkingHead> | undefined;
    let stored = new Map<string, WorkingHead>();
    let now = this.clock();
    // Files (a certificate's PDF) commit with their events: the call and their INSERT in one
    // explicit transaction, the INSERT after the call (no write may precede the position section).
    const inTransaction = files.length > 0;
    try {
      if (inTransaction) await client.query('BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL synchronous_commit = on');
      for (let round = 0; round < MAX_ROUNDS; round++) {
        stored = told ?? this.cachedHeads(streams);
        let planned: ReturnType<typeof checkAndChain> | undefined;
        try {
          planned = checkAndChain(plans, stored, now);
        } catch (err) {
          // Against remembered heads a mismatch may only mean they are old: ask the store.
          if (!(err instanceof WrongExpectedRevisionError) || told) throw err;
        }
        const tree = this.tree?.tree ?? loadTree(undefined);
        const next = planned ? extended(tree, planned.chained) : tree;
        const reply = await this.call(client, keys, streams, stored, planned, this.tree?.row, next, !planned);
        if (reply.status === 'duplicate') {
          const found = new Set(reply.ids);
          const ids = plans.flatMap((p) => p.validated.map((v) => v.event.eventId));
          throw new DuplicateEventIdError(ids.find((id) => found.has(id)) ?? reply.ids[0]);
        }
        this.observeClock(reply.now, reply.status === 'stale');
        if (reply.status === 'stale') {
          told = new Map((reply.heads ?? []).map((h) => [h.stream, { revision: h.revision, hash: h.hash, lastRecordedAt: h.last_recorded_at }]));
          for (const stream of streams) {
            const head = told.get(stream);
            if (head) this.remember(stream, head);
            else this.heads.delete(stream);
          }
          if (reply.tree) {
            const row = toStoredTree(reply.tree);
            this.tree = { row, tree: loadTree(row) };
          }
          now = this.now ? this.now() : new Date(reply.now);
          continue;
        }
        if (!planned) throw new Error('internal error: sro_append wrote a probe');
        const positions = reply.positions ?? [];
        if (reply.tree) {
          // Another process had appended: the function extended the stored frontier.
          const row = toStoredTree(reply.tree);
          this.tree = { row, tree: loadTree(row) };
        } else if (planned.chained.length > 0) {
          next.lastPosition = positions[positions.length - 1];
          this.tree = { row: storeTree(next), tree: next };
        }
        if (inTransaction) {
          for (const file of files) {
            await client.query('INSERT INTO files (sha256, bytes, size) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING', [file.sha256, file.bytes, file.bytes.length]);
          }
          await client.query('COMMIT');
        }
        for (const [stream, head] of planned.working) this.remember(stream, head);
        let i = 0;
        return planned.results.map(({ nextExpectedRevision, events }) => ({
          nextExpectedRevision,
          events: events.map((event) => ({ ...event, position: positions[i++] })),
        }));
      }
      throw new StoreUnavailableError(`append: the stream heads changed under ${MAX_ROUNDS} attempts in a row (other processes writing to the same streams); nothing was written`);
    } catch (err) {
      if (inTransaction) {
        try {
          await client.query('ROLLBACK');
        } catch (cleanup) {
          broken = new Error(`append rollback failed: ${String((cleanup as Error)?.message ?? cleanup)}`);
        }
      }
      if (err instanceof DuplicateEventIdError || err instanceof WrongExpectedRevisionError || err instanceof TypeError || err instanceof StoreUnavailableError) throw err;
      // A failed statement ended its transaction; the session lock of the position section may
      // still be held (an error after it was taken): free it on this connection.
      if (sqlState(err) !== undefined) {
        try {
          const key = BigInt.asUintN(64, BigInt(POSITION_SECTION_LOCK));
          await client.query(
            `SELECT pg_advisory_unlock($1::bigint) FROM pg_locks
             WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND classid = $2::oid AND objid = $3::oid AND objsubid = 1 AND granted`,
            [POSITION_SECTION_LOCK, String(key >> 32n), String(key & 0xffffffffn)],
          );
        } catch (cleanup) {
          broken = new Error(`append cleanup failed: ${String((cleanup as Error)?.message ?? cleanup)}`);
        }
      } else {
        broken = err instanceof Error ? err : new Error(String(err));
      }
      // The heads and tree this instance remembers may be what made it fail: forget them.
      for (const stream of streams) this.heads.delete(stream);
      this.tree = undefined;
      const lookup: Query = broken ? this.query : async (text, params) => (await client.query(text, params)) as unknown as { rows: never[] };
      const mapped = sqlState(err) === 'SR001' ? new HeadConflict(streams[0]) : err;
      throw await mapAppendError(mapped, plans, stored, lookup, this.target);
    } finally {
      client.release(broken);
    }
  }

  private async call(
    client: PoolClient,
    keys: string[],
    streams: string[],
    stored: Map<string, WorkingHead>,
    planned: ReturnType<typeof checkAndChain> | undefined,
    treeRow: StoredTree | undefined,
    next: WorkingTree,
    probe: boolean,
  ): Promise<AppendReply> {
    const base = streams.map((s) => stored.get(s));
    const after = streams.map((s, i) => planned?.working.get(s) ?? base[i]);
    const chained = planned?.chained ?? [];
    const column = <K extends keyof ChainedEvent>(key: K) => chained.map(({ event }) => event[key]);
    const { rows: [{ reply }] } = await client.query<{ reply: AppendReply }>(APPEND_CALL, [
      keys,
      streams,
      base.map((h) => h?.revision ?? -1),
      base.map((h) => h?.hash ?? null),
      after.map((h) => h?.revision ?? -1),
      after.map((h) => h?.hash ?? null),
      after.map((h) => h?.lastRecordedAt ?? null),
      treeRow ? treeRow.size : -1,
      treeRow ? treeRow.frontier : '',
      next.frontier.size,
      JSON.stringify(next.frontier.toJSON().nodes),
      this.now === undefined,
      probe,
      column('eventId'),
      column('stream'),
      column('revision'),
      column('type'),
      column('schemaVersion'),
      chained.map((c) => c.dataJson),
      column('recordedAt'),
      column('recordedBy'),
      column('correlationId'),
      column('prevHash'),
      column('hash'),
    ]);
    return reply;
  }

  /** The database clock as this process tracks it (a little behind: it was read one round trip ago), or the test clock. */
  private clock(): Date {
    if (this.now) return this.now();
    const offset = this.clockSamples.reduce((best, s) => Math.max(best, s.offsetMs), -Infinity);
    return new Date(Date.now() + (Number.isFinite(offset) ? offset : 0));
  }

  /** A stale reply may mean the clocks moved: the estimate starts again from it. Samples older than 30 s are dropped (drift). */
  private observeClock(dbNow: string, restart: boolean): void {
    const at = Date.now();
    const sample = { offsetMs: Date.parse(dbNow) - at, at };
    this.clockSamples = restart ? [sample] : [...this.clockSamples.filter((s) => at - s.at < 30_000).slice(-63), sample];
  }

  private cachedHeads(streams: string[]): Map<string, WorkingHead> {
    const heads = new Map<string, WorkingHead>();
    for (const stream of streams) {
      const head = this.heads.get(stream);
      if (head) heads.set(stream, head);
    }
    return heads;
  }

  private remember(stream: string, head: WorkingHead): void {
    this.heads.delete(stream);
    this.heads.set(stream, head);
    if (this.heads.size > HEAD_CACHE_SIZE) this.heads.delete(this.heads.keys().next().value!);
  }
}

/** The tree extended with the batch's events, in the order of the call's arrays (the function checks that it is the position order). */
function extended(tree: WorkingTree, chained: ChainedRow[]): WorkingTree {
  const next: WorkingTree = { frontier: tree.frontier.clone(), lastPosition: tree.lastPosition };
  for (const { event } of chained) next.frontier.push(leafHash(Buffer.from(event.hash, 'hex')));
  return next;
}

/** The checks and chains: each request in order, against the heads as the earlier requests left them. */
function checkAndChain(plans: ValidatedRequest[], stored: Map<string, WorkingHead>, now: Date) {
  const working = new Map<string, WorkingHead>(stored);
  const chained: ChainedRow[] = [];
  const results = plans.map(({ stream, expectedRevision, validated }) => {
    const head = working.get(stream);
    checkExpectedRevision(stream, expectedRevision, head?.revision);
    if (validated.length === 0) return { nextExpectedRevision: head?.revision ?? -1, events: [] as ChainedEvent[] };
    const recordedAt = nextRecordedAt(now, head?.lastRecordedAt);
    const appended = chainEvents(stream, head, validated, recordedAt);
    appended.forEach((event, i) => chained.push({ event, dataJson: validated[i].dataJson }));
    const last = appended[appended.length - 1];
    working.set(stream, { revision: last.revision, hash: last.hash, lastRecordedAt: recordedAt });
    return { nextExpectedRevision: last.revision, events: appended };
  });
  return { results, chained, working };
}
