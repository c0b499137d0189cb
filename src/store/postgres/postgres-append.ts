/**
 * The PostgreSQL append. One READ COMMITTED transaction per append (or appendMany batch):
 * 1. transaction-level advisory locks on every stream of the batch (64-bit keys from the stream
 *    names, taken in ascending key order so that batches never deadlock). They serialise the
 *    appends to one stream, including to a stream that does not exist yet, until COMMIT;
 * 2. the stream heads, the database clock and the already stored eventIds are read (one round
 *    trip); expected revisions and duplicates are checked, recordedAt is chosen and the hash
 *    chain computed (append-support.ts);
 * 3. the events are inserted inside the "position section" (see below), and the ledger tree's
 *    row, locked FOR UPDATE inside the section, is extended with them;
 * 4. the heads are updated conditionally (UPDATE ... WHERE revision = the one read; INSERT ...
 *    ON CONFLICT DO NOTHING for new streams), then COMMIT.
 * UNIQUE(event_id), UNIQUE(stream, revision) and the conditional head update are a second line
 * of defence, mapped to DuplicateEventIdError / WrongExpectedRevisionError (postgres-errors.ts).
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
 */
import type { PoolClient } from 'pg';
import {
  ChainedEvent,
  chainEvents,
  checkExpectedRevision,
  extendTree,
  nextRecordedAt,
  StoredTree,
  TreeRowCache,
  validateBatch,
  validateFiles,
  ValidatedRequest,
  WorkingTree,
} from '../append-support';
import { AppendRequest, AppendResult, DuplicateEventIdError } from '../event-store.port';
import type { SqlAppends } from '../sql/sql-event-store';
import { HeadRow, toStoredTree, TreeRow } from '../sql/sql-rows';
import { assertStorableText, HeadConflict, mapAppendError, Query, Target } from './postgres-errors';
import { POSITION_SECTION_LOCK, streamLockKey } from './postgres-locks';

/** ISO-8601 UTC with milliseconds, from the database clock truncated to the millisecond. */
const DB_CLOCK = `to_char(date_trunc('milliseconds', clock_timestamp()) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A stream head as the append transaction tracks it. */
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

export class PostgresAppends implements SqlAppends {
  private readonly treeCache = new TreeRowCache();

  constructor(
    private readonly connect: () => Promise<PoolClient>,
    private readonly query: Query,
    private readonly target: Target,
    /** Tests only: the clock recordedAt comes from. Default: the database clock (clock_timestamp()). */
    private readonly now?: () => Date,
  ) {}

  async append(batch: AppendRequest[]): Promise<AppendResult[]> {
    // Shape checks and JSON normalisation need no lock: done before the transaction starts.
    const plans = validateBatch(batch, {
      request: ({ stream }, i) => assertStorableText(stream, `batch[${i}].stream`),
      event: ({ event }, _i, j) => {
        for (const field of ['eventId', 'type'] as const) assertStorableText(event[field], `events[${j}].${field}`);
        for (const field of ['recordedBy', 'correlationId'] as const) assertStorableText(event.metadata[field], `events[${j}].metadata.${field}`);
      },
    });
    if (plans.length === 0) return [];
    const files = batch.flatMap((request) => validateFiles(request.files));

    const client = await this.connect();
    const section = { entered: false };
    let broken: Error | undefined;
    /** The stream heads as read under the stream locks, for naming a conflict after a rollback. */
    let stored = new Map<string, WorkingHead>();
    try {
      // One round trip: READ COMMITTED (each statement sees the latest commits, so the heads read
      // after the stream locks are current) and durable commit whatever the session says.
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL synchronous_commit = on');
      const keys = [...new Set(plans.map((p) => streamLockKey(p.stream)))].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
      await client.query('SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::bigint[]) AS k', [keys]);

      const state = await this.readState(client, plans);
      stored = state.stored;
      const { results, chained, working } = checkAndChain(plans, state);

      const positions = new Map<string, number>();
      let written: { row: StoredTree; tree: WorkingTree } | undefined;
      if (chained.length > 0) {
        written = await this.insertInSection(client, chained, positions, section);
        await updateHeads(client, stored, working);
      }
      // The files come with the events: committed together or not at all.
      for (const file of files) {
        await client.query('INSERT INTO files (sha256, bytes, size) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING', [file.sha256, file.bytes, file.bytes.length]);
      }
      await client.query('COMMIT');
      if (written) this.treeCache.committed(written.row, written.tree);

      return results.map(({ nextExpectedRevision, events }) => ({
        nextExpectedRevision,
        events: events.map((event) => ({ ...event, position: positions.get(event.eventId)! })),
      }));
    } catch (err) {
      // ROLLBACK before leaving the section: an aborted transaction refuses pg_advisory_unlock.
      try {
        await client.query('ROLLBACK');
        if (section.entered) await client.query('SELECT pg_advisory_unlock($1::bigint)', [POSITION_SECTION_LOCK]);
      } catch (cleanup) {
        // The connection is unusable: destroying it ends the session, which frees its locks.
        broken = new Error(`append cleanup failed: ${String((cleanup as Error)?.message ?? cleanup)}`);
      }
      // Lookups on the same connection (after its ROLLBACK): a full pool cannot make them wait.
      const lookup: Query = broken ? this.query : async (text, params) => (await client.query(text, params)) as unknown as { rows: never[] };
      throw await mapAppendError(err, plans, stored, lookup, this.target);
    } finally {
      client.release(broken);
    }
  }

  /** Step 2's reads, in one round trip, under the stream locks. */
  private async readState(client: PoolClient, plans: ValidatedRequest[]): Promise<BatchState> {
    const streams = [...new Set(plans.map((p) => p.stream))];
    const eventIds = plans.flatMap((p) => p.validated.map((v) => v.event.eventId));
    const { rows: [state] } = await client.query<{ heads: HeadRow[] | null; existing: string[]; now: string }>(
      `SELECT (SELECT json_agg(json_build_object('stream', stream, 'revision', revision, 'hash', hash, 'last_recorded_at', last_recorded_at))
                 FROM streams WHERE stream = ANY($1::text[])) AS heads,
              coalesce((SELECT array_agg(event_id) FROM events WHERE event_id = ANY($2::text[])), '{}') AS existing,
              ${DB_CLOCK} AS now`,
      [streams, eventIds],
    );
    return {
      stored: new Map((state.heads ?? []).map((h) => [h.stream, { revision: h.revision, hash: h.hash, lastRecordedAt: h.last_recorded_at }])),
      existing: new Set(state.existing),
      now: this.now ? this.now() : new Date(state.now),
    };
  }

  /** Step 3: the INSERT inside the position section, then the tree row extended with its positions. */
  private async insertInSection(
    client: PoolClient,
    chained: ChainedRow[],
    positions: Map<string, number>,
    section: { entered: boolean },
  ): Promise<{ row: StoredTree; tree: WorkingTree }> {
    // The position section: transaction id and positions taken together (see the header).
    const { rows: [entered] } = await client.query<{ xid: string | null }>(
      'SELECT pg_advisory_lock($1::bigint), pg_current_xact_id_if_assigned()::text AS xid',
      [POSITION_SECTION_LOCK],
    );
    section.entered = true;
    if (entered.xid !== null) throw new Error('internal error: the append transaction wrote before its position section');
    // The tree row, locked until COMMIT: the next append waits here, so leaves are added in
    // position order (and the row lock gives this transaction its id inside the section).
    const { rows: [treeRow] } = await client.query<TreeRow>('SELECT size, last_position, frontier FROM ledger_tree WHERE id = 1 FOR UPDATE');
    if (!treeRow) throw new Error('the ledger_tree row is missing: the store was altered (run verify)');
    const tree = this.treeCache.load(toStoredTree(treeRow));
    const column = <K extends keyof ChainedEvent>(key: K) => chained.map(({ event }) => event[key]);
    const { rows } = await client.query<{ event_id: string; position: string }>(
      `INSERT INTO events (event_id, stream, revision, type, schema_version, data, recorded_at, recorded_by, correlation_id, prev_hash, hash)
       SELECT e.event_id, e.stream, e.revision, e.type, e.schema_version, e.data::jsonb, e.recorded_at, e.recorded_by, e.correlation_id, e.prev_hash, e.hash
       FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
         AS e (event_id, stream, revision, type, schema_version, data, recorded_at, recorded_by, correlation_id, prev_hash, hash)
       RETURNING event_id, position`,
      [
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
      ],
    );
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [POSITION_SECTION_LOCK]);
    section.entered = false;
    for (const row of rows) positions.set(row.event_id, Number(row.position));
    extendTree(
      tree,
      chained.map(({ event }) => ({ hash: event.hash, position: positions.get(event.eventId)! })).sort((a, b) => a.position - b.position),
    );
    const row = this.treeCache.store(tree);
    await client.query('UPDATE ledger_tree SET size = $1, last_position = $2, frontier = $3 WHERE id = 1', [row.size, row.lastPosition, row.frontier]);
    return { row, tree };
  }
}

/** What step 2 read: the stored heads of the batch's streams, which of its eventIds are stored, the clock. */
interface BatchState {
  stored: Map<string, WorkingHead>;
  existing: Set<string>;
  now: Date;
}

/** Step 2's checks and chains: each request in order, against the heads as the earlier requests left them. */
function checkAndChain(plans: ValidatedRequest[], { stored, existing, now }: BatchState) {
  const working = new Map<string, WorkingHead>(stored);
  const chained: ChainedRow[] = [];
  const results = plans.map(({ stream, expectedRevision, validated }) => {
    const head = working.get(stream);
    // Duplicates first: a concurrent retry of an Idempotency-Key write finds the stream moved
    // on by its own first attempt, and must learn that its event is stored, not that it is late.
    for (const { event } of validated) if (existing.has(event.eventId)) throw new DuplicateEventIdError(event.eventId);
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

/** Step 4: the heads, conditionally on the revisions read: a mismatch means something bypassed the locks. */
async function updateHeads(client: PoolClient, stored: Map<string, WorkingHead>, working: Map<string, WorkingHead>): Promise<void> {
  const changed = [...working].filter(([stream, head]) => stored.get(stream)?.revision !== head.revision);
  const updates = changed.filter(([stream]) => stored.has(stream));
  const inserts = changed.filter(([stream]) => !stored.has(stream));
  const done = new Set<string>();
  if (updates.length > 0) {
    const { rows: updated } = await client.query<{ stream: string }>(
      `UPDATE streams AS s SET revision = u.revision, hash = u.hash, last_recorded_at = u.last_recorded_at
       FROM unnest($1::text[], $2::int[], $3::int[], $4::text[], $5::text[]) AS u (stream, previous, revision, hash, last_recorded_at)
       WHERE s.stream = u.stream AND s.revision = u.previous
       RETURNING s.stream`,
      [updates.map(([s]) => s), updates.map(([s]) => stored.get(s)!.revision), updates.map(([, h]) => h.revision), updates.map(([, h]) => h.hash), updates.map(([, h]) => h.lastRecordedAt)],
    );
    for (const { stream } of updated) done.add(stream);
  }
  if (inserts.length > 0) {
    const { rows: inserted } = await client.query<{ stream: string }>(
      `INSERT INTO streams (stream, revision, hash, last_recorded_at)
       SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[])
       ON CONFLICT (stream) DO NOTHING
       RETURNING stream`,
      [inserts.map(([s]) => s), inserts.map(([, h]) => h.revision), inserts.map(([, h]) => h.hash), inserts.map(([, h]) => h.lastRecordedAt)],
    );
    for (const { stream } of inserted) done.add(stream);
  }
  const missed = changed.find(([stream]) => !done.has(stream));
  if (missed) throw new HeadConflict(missed[0]);
}
