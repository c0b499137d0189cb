/**
 * What every access-log store shares (docs/decisions.md W28, W37): the row layout, the batch
 * rows, and the chain walk that `verify` runs over any store's batches and entries. The stores
 * themselves are in their backend's folder (src/store/<backend>/<backend>-access-log-store.ts).
 */
import { ACCESS_LOG_GENESIS, accessLogBatchHash, accessLogLine } from '../../events/access-log';
import type { AccessLogHead } from '../../events/access-log';
import type { AccessEntry } from './access-log-store';

/** A batch as stored. */
export interface BatchRow {
  seq: number;
  firstId: number;
  lastId: number;
  rows: number;
  prevHash: string;
  hash: string;
}

/** Paged reads of one store's chain, bounded by the head read first (appends may go on meanwhile). */
export interface ChainReader {
  head(): Promise<{ seq: number; lastId: number; rows: number; hash: string }>;
  batchesAfter(seq: number, limit: number): Promise<BatchRow[]>;
  /** Entries as canonical lines, by id. */
  linesAfter(id: number, limit: number): Promise<{ id: number; line: string }[]>;
  maxId(): Promise<number>;
}

export const PAGE = 2000;

/** The chain walk every store shares: each batch's entries, count, link and hash; nothing outside a batch; the sealed head. */
export async function walkChain(reader: ChainReader, sealedHeads: readonly AccessLogHead[] = []): Promise<string | undefined> {
  const head = await reader.head();
  const seals = new Map(sealedHeads.map((s) => [s.batches, s]));
  const sealed = sealedHeads.reduce<AccessLogHead | undefined>((a, b) => (a && a.batches >= b.batches ? a : b), undefined);
  let previous = ACCESS_LOG_GENESIS;
  let seq = 0;
  let lines: { id: number; line: string }[] = [];
  let at = 0; // index in lines
  let lastRead = 0;
  let exhausted = false;
  const nextLine = async (): Promise<{ id: number; line: string } | undefined> => {
    if (at >= lines.length) {
      if (exhausted) return undefined;
      lines = (await reader.linesAfter(lastRead, PAGE)).filter((l) => l.id <= head.lastId);
      at = 0;
      if (lines.length === 0) {
        exhausted = true;
        return undefined;
      }
      lastRead = lines[lines.length - 1].id;
      exhausted = lines.length < PAGE; // a short page: nothing more up to the head
    }
    return lines[at++];
  };
  let pending = await nextLine();
  while (seq < head.seq) {
    const page = (await reader.batchesAfter(seq, PAGE)).filter((b) => b.seq <= head.seq);
    if (page.length === 0) break;
    for (const batch of page) {
      if (batch.seq !== seq + 1) return `the access log's batch ${seq + 1} is missing (the next is ${batch.seq}): its record was deleted`;
      if (batch.prevHash !== previous) return `the access log's batch ${batch.seq} does not link to batch ${seq}: the chain of batches was altered`;
      if (pending && pending.id < batch.firstId) return `the access log's entry ${pending.id} is in no batch: it was inserted outside the server`;
      const content: string[] = [];
      while (pending && pending.id <= batch.lastId) {
        content.push(pending.line);
        pending = await nextLine();
      }
      if (content.length !== batch.rows) {
        return `the access log's batch ${batch.seq} (entries ${batch.firstId} to ${batch.lastId}) was written with ${batch.rows} entries and holds ${content.length}: ${content.length < batch.rows ? 'an entry who read what was deleted' : 'an entry was inserted'}`;
      }
      const hash = accessLogBatchHash(previous, content);
      if (hash !== batch.hash) return `the access log's batch ${batch.seq} (entries ${batch.firstId} to ${batch.lastId}) no longer has its hash: an entry was altered (who read, what, or when)`;
      if (seals.has(batch.seq) && hash !== seals.get(batch.seq)!.hash) {
        return `the access log's batch ${batch.seq} differs from the one the ledger sealed under a signed checkpoint: entries up to it were altered, deleted or inserted, and the chain recomputed`;
      }
      previous = hash;
      seq = batch.seq;
    }
  }
  if (seq < head.seq) return `the access log's batches end at ${seq}, its head is batch ${head.seq}: batches were deleted`;
  if (pending) return `the access log's entry ${pending.id} is in no batch: it was inserted outside the server`;
  if (sealed && sealed.batches > seq) {
    return `the ledger sealed ${sealed.batches} batches (${sealed.rows} entries) of the access log under a signed checkpoint, and it holds ${seq}: entries who read what were deleted, or the table was emptied or dropped`;
  }
  // Entries beyond the head read at the start must belong to batches written since.
  const maxId = await reader.maxId();
  const now = await reader.head();
  if (maxId > now.lastId) return `the access log's entry ${maxId} is in no batch: it was inserted outside the server`;
  return undefined;
}

/** A store the chain cannot be read from (its table dropped, say): the problem in words. */
export async function readable(what: () => Promise<string | undefined>): Promise<string | undefined> {
  try {
    return await what();
  } catch (error) {
    return `the access log cannot be read (${(error as Error).message}): its tables were dropped or damaged`;
  }
}

export interface Row {
  at: string;
  agency_id: string;
  officer_id: string | null;
  officer_count: number | null;
  kind: string;
  route: string;
  format: string;
  principal_kind: string;
  principal_id: string;
  principal_name: string;
  principal_role: string;
  request_id: string | null;
  as_of: string | null;
  known_at: string | null;
}

export const COLUMNS = ['at', 'agency_id', 'officer_id', 'officer_count', 'kind', 'route', 'format', 'principal_kind', 'principal_id', 'principal_name', 'principal_role', 'request_id', 'as_of', 'known_at'] as const;

export const toRow = (e: AccessEntry): unknown[] => [
  e.at,
  e.agencyId,
  e.officerId,
  e.officerCount,
  e.kind,
  e.route,
  e.format,
  e.principal.kind,
  e.principal.id,
  e.principal.name,
  e.principal.role,
  e.requestId,
  e.asOf,
  e.knownAt,
];

export const fromRow = (r: Row): AccessEntry => ({
  at: typeof r.at === 'string' ? r.at : new Date(r.at as unknown as Date).toISOString(),
  agencyId: r.agency_id,
  officerId: r.officer_id,
  officerCount: r.officer_count === null ? null : Number(r.officer_count),
  kind: r.kind,
  route: r.route,
  format: r.format,
  principal: { kind: r.principal_kind as AccessEntry['principal']['kind'], id: r.principal_id, name: r.principal_name, role: r.principal_role },
  requestId: r.request_id,
  asOf: r.as_of,
  knownAt: r.known_at,
});
export const BATCHES_TABLE = 'access_log_batches';
export const BATCH_COLUMNS = 'seq, first_id, last_id, rows, prev_hash, hash';
export interface StoredBatch {
  seq: number | string;
  first_id: number | string;
  last_id: number | string;
  rows: number | string;
  prev_hash: string;
  hash: string;
}
export const toBatch = (b: StoredBatch): BatchRow => ({ seq: Number(b.seq), firstId: Number(b.first_id), lastId: Number(b.last_id), rows: Number(b.rows), prevHash: b.prev_hash, hash: b.hash });
export const lineOf = (r: Row & { id: number | string }): { id: number; line: string } => {
  const e = fromRow(r);
  return { id: Number(r.id), line: accessLogLine(Number(r.id), toRow(e)) };
};

