/**
 * What this process's earlier verifications found true of the read models, so that the next one
 * derives again only what moved (docs/integrity.md, "Read models, checked incrementally"). For
 * each unit (an officer's ledger and facts documents: the officer's stream; an agency's summary:
 * the agency's stream) it keeps the fingerprint of the events its documents were derived from
 * (taken from the hash chains verified in the same pass, never from the read-model store) and a
 * digest of each document as it was found equal to what those events derive.
 *
 * It lives in this process's memory only: nothing in it can be written by someone with write
 * access to the database, and a process that starts has none (its first verification derives
 * everything). One string per unit: the fingerprint's digest, then each document's, in the
 * order of the unit's keys, 48 one-byte characters for an officer (with the unit's name and its
 * map entry, about 150 bytes; 4 MB at 25,000 officers).
 */
import { createHash } from 'node:crypto';

/** Characters of one digest: the first 128 bits of a SHA-256, one byte a character (latin1), so that a unit's string is flat and small. */
const DIGEST_CHARS = 16;
/** In place of the digest of a document the unit does not have (a digest equal to it is a 2^-128 chance, and costs only a derivation). */
const ABSENT = '\0'.repeat(DIGEST_CHARS);

/** A stored document's digest: of its JSON text as stored. A forged document with the same digest is a second preimage. */
export const textDigest = (text: string): string => createHash('sha256').update(text).digest().toString('latin1', 0, DIGEST_CHARS);

/** The digest of a document the stores wrote: they store JSON.stringify of it. */
export const documentDigest = (doc: unknown): string => textDigest(JSON.stringify(doc) ?? 'undefined');

export class ReadModelMemory {
  private readonly projections = new Map<string, Map<string, string>>();

  /** True when `unit`'s documents were last verified at exactly `fingerprint`. */
  matches(projection: string, unit: string, fingerprint: string): boolean {
    return this.projections.get(projection)?.get(unit)?.startsWith(textDigest(fingerprint)) === true;
  }

  /**
   * The digest the document under the unit's `index`th key had when last verified; undefined when
   * the unit had no document there (or is not remembered).
   */
  digestOf(projection: string, unit: string, index: number): string | undefined {
    const packed = this.projections.get(projection)?.get(unit);
    const digest = packed?.slice((index + 1) * DIGEST_CHARS, (index + 2) * DIGEST_CHARS);
    return digest && digest !== ABSENT ? digest : undefined;
  }

  /** `unit`'s stored documents `docs` (under its `keys`) were found equal to what the events with `fingerprint` derive. */
  remember(projection: string, unit: string, fingerprint: string, keys: readonly string[], docs: ReadonlyMap<string, unknown>): void {
    let units = this.projections.get(projection);
    if (!units) this.projections.set(projection, (units = new Map()));
    const packed = textDigest(fingerprint) + keys.map((key) => (docs.has(key) ? documentDigest(docs.get(key)) : ABSENT)).join('');
    // One flat string (a concatenation is kept as a tree of its parts until something reads it whole).
    units.set(unit, Buffer.from(packed, 'latin1').toString('latin1'));
  }

  forget(projection: string, unit: string): void {
    this.projections.get(projection)?.delete(unit);
  }

  /** Forgets a whole projection (it is being rebuilt), or everything (a verification failed). */
  clear(projection?: string): void {
    if (projection === undefined) this.projections.clear();
    else this.projections.delete(projection);
  }

  /** Units remembered, all projections. */
  get size(): number {
    let n = 0;
    for (const units of this.projections.values()) n += units.size;
    return n;
  }
}
