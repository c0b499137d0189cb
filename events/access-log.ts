/**
 * The access log's chain (Minn. Stat. 13.05 subd. 5 and 13.055: the record of who read what is
 * the evidence of an unauthorised access; docs/decisions.md W28, W37). Pure: no I/O.
 *
 * The log is written in batches (one transaction each). Each batch's hash is SHA-256 over the
 * previous batch's hash and the batch's entries, one canonical line each, in id order:
 *
 *   hash(batch n) = SHA-256( hash(batch n-1) ‖ "\n" ‖ line(entry 1) ‖ "\n" ‖ … ‖ line(entry k) )
 *   hash(batch 0) = 64 zeros
 *
 * so a deleted, inserted, rewritten or reordered entry changes every later hash. The chain's
 * head is brought under the ledger's signed checkpoints by an `AccessLogSealed` event in the
 * `access-log` stream, appended before each checkpoint is signed when the head has moved.
 */
import { createHash } from 'node:crypto';

export const ACCESS_LOG_STREAM = 'access-log';
export const ACCESS_LOG_SEALED = 'AccessLogSealed';
export const ACCESS_LOG_SEALED_SCHEMA_VERSION = 1;
export const ACCESS_LOG_GENESIS = '0'.repeat(64);

/** The head of the chain: batches written, entries in them, and the last batch's hash. */
export interface AccessLogHead {
  batches: number;
  rows: number;
  hash: string;
}

/** The data of an AccessLogSealed event: the head as it was when the checkpoint was signed. */
export type AccessLogSealed = AccessLogHead;

/** One entry as a canonical line: its id and its stored columns, as JSON. */
export function accessLogLine(id: number, columns: readonly unknown[]): string {
  return JSON.stringify([id, ...columns]);
}

export function accessLogBatchHash(previous: string, lines: readonly string[]): string {
  const hash = createHash('sha256').update(previous, 'utf8');
  for (const line of lines) hash.update('\n', 'utf8').update(line, 'utf8');
  return hash.digest('hex');
}

export function isAccessLogSealed(data: unknown): data is AccessLogSealed {
  const d = data as AccessLogSealed | null;
  return !!d && Number.isSafeInteger(d.batches) && d.batches >= 0 && Number.isSafeInteger(d.rows) && d.rows >= 0 && typeof d.hash === 'string' && /^[0-9a-f]{64}$/.test(d.hash);
}
