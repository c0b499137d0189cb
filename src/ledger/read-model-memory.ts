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
 * everything). About 100 bytes per document.
 */
import { createHash } from 'node:crypto';

interface Unit {
  fingerprint: string;
  keys: string[];
}

interface Projected {
  units: Map<string, Unit>;
  /** Document key → its unit and the digest of its stored JSON. */
  documents: Map<string, { unit: string; digest: string }>;
}

/** SHA-256 of a document's JSON text as stored, the first 128 bits in base64: a forged document with the same digest is a second preimage. */
export const textDigest = (text: string): string => createHash('sha256').update(text).digest('base64').slice(0, 22);

/** The digest of a document the stores wrote: they store JSON.stringify of it. */
export const documentDigest = (doc: unknown): string => textDigest(JSON.stringify(doc) ?? 'undefined');

export class ReadModelMemory {
  private readonly projections = new Map<string, Projected>();

  private of(projection: string): Projected {
    let p = this.projections.get(projection);
    if (!p) this.projections.set(projection, (p = { units: new Map(), documents: new Map() }));
    return p;
  }

  /** The fingerprint `unit`'s documents were last verified at, if any. */
  fingerprintOf(projection: string, unit: string): string | undefined {
    return this.projections.get(projection)?.units.get(unit)?.fingerprint;
  }

  /** The keys of `unit`'s documents as last verified. */
  keysOf(projection: string, unit: string): readonly string[] {
    return this.projections.get(projection)?.units.get(unit)?.keys ?? [];
  }

  /** The digest `key`'s document had when last verified, with its unit. */
  documentOf(projection: string, key: string): { unit: string; digest: string } | undefined {
    return this.projections.get(projection)?.documents.get(key);
  }

  /** `unit`'s stored documents were found equal to what the events with `fingerprint` derive. */
  remember(projection: string, unit: string, fingerprint: string, docs: ReadonlyMap<string, unknown>): void {
    this.forget(projection, unit);
    const p = this.of(projection);
    p.units.set(unit, { fingerprint, keys: [...docs.keys()] });
    for (const [key, doc] of docs) p.documents.set(key, { unit, digest: documentDigest(doc) });
  }

  forget(projection: string, unit: string): void {
    const p = this.projections.get(projection);
    const known = p?.units.get(unit);
    if (!p || !known) return;
    for (const key of known.keys) p.documents.delete(key);
    p.units.delete(unit);
  }

  /** Forgets a whole projection (it is being rebuilt, or it failed). */
  clear(projection?: string): void {
    if (projection === undefined) this.projections.clear();
    else this.projections.delete(projection);
  }

  /** Units remembered, all projections. */
  get size(): number {
    let n = 0;
    for (const p of this.projections.values()) n += p.units.size;
    return n;
  }
}
