/**
 * The PostgreSQL adapter's advisory locks: 64-bit keys derived from names, so that they do not
 * meet another application's keys in the same database by accident.
 */
import { createHash } from 'node:crypto';

/** A 64-bit advisory lock key (as a decimal string, for a bigint parameter) for a name. */
function lockKey(name: string): string {
  return BigInt.asIntN(64, createHash('sha256').update(name).digest().readBigUInt64BE(0)).toString();
}

/** Held (transaction-level) while the schema is checked and migrated: concurrent opens wait. */
export const MIGRATION_LOCK = lockKey('sro-compliance/migrations');
/** The position section of an append (postgres-append.ts): session-level, for one INSERT. */
export const POSITION_SECTION_LOCK = lockKey('sro-compliance/position-section');
/** Serialises the appends to one stream (transaction-level), including to a stream that does not exist yet. */
export const streamLockKey = (stream: string) => lockKey(`sro-compliance/stream/${stream}`);
