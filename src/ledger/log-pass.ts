/**
 * The verification's one pass over the log (ledger-verifier.ts), as state that can be kept: every
 * stream's hash chain, the Merkle tree of the events read, their positions in order, the access
 * log's seals and the certificate files the events stored. The verification feeds it the log in
 * position order; what it found wrong in the order or the hashes is in `broken` and `wide`.
 *
 * The server keeps the pass of its last verification that found nothing wrong, with a digest of
 * the rows it read (LogMemory, below); the next verification reads those rows again as stored,
 * without decoding them (no JSON, no canonical JSON, no hash chain, no tree: one SHA-256 of their
 * values), and when the digest is the same goes on from the kept pass with the events appended
 * since (docs/integrity.md, "The log, checked incrementally"). Anything else (a row altered,
 * added, removed or moved, however its chain was recomputed) gives another digest, and the
 * verification reads the whole log again as on a first run.
 */
import { createHash, type Hash } from 'node:crypto';
import type { RecordedEvent } from '../../events/envelope';
import { type BrokenLink, ChainVerifier } from '../../events/integrity';
import { eventLeafHash, MerkleFrontier, MerkleLeaves } from '../../events/merkle';
import type { EventStore, LogPage } from '../store/event-store.port';
import { AccessLogSeals } from './access-log-check';

export const LEDGER = '(ledger)';
/** Rows a page: 1,000 events read and decoded, or as stored (about 0.5 MB). */
const BATCH = 1000;

export class LogPass {
  readonly chains = new ChainVerifier();
  readonly leaves = new MerkleLeaves();
  /** The roots the checks need, taken as the pass reaches each size: one hash per leaf instead of a whole-tree computation per check. */
  readonly frontier = MerkleFrontier.empty();
  readonly roots = new Map<number, string>();
  readonly positions: number[] = [];
  readonly seals = new AccessLogSeals();
  /** Certificates whose file is stored (CertificateFiled with fileStored). */
  readonly storedFiles: { event: RecordedEvent; sha256: string }[] = [];
  /** The first failure found in the pass, and the first over the whole log (its order). */
  broken?: BrokenLink;
  wide?: BrokenLink;
  /** A position issued that holds no event (where positions have no legitimate gaps). */
  gap?: BrokenLink;
  last = 0;
  private previous?: RecordedEvent;
  /** The rows read, as stored (LogPage.encoded), in order: undefined when the store cannot give them. */
  private readonly digest?: Hash;
  private rowCount = 0;

  /** `gapless`: every position the store issues holds an event (SQLite). */
  constructor(
    readonly gapless: boolean,
    digested: boolean,
  ) {
    if (digested) this.digest = createHash('sha256');
  }

  get rows(): number {
    return this.rowCount;
  }

  /** The digest of the rows read so far; undefined when not digested. */
  digestSoFar(): Buffer | undefined {
    return this.digest?.copy().digest();
  }

  /** A page of rows as stored (LogPage.encoded), into the digest, in the order read. */
  digestPage(page: LogPage): void {
    if (!this.digest) return;
    this.digest.update(page.encoded);
    this.rowCount += page.count;
  }

  /** The next event of the log. `wanted`: the tree sizes whose root the checks will ask for. */
  add(event: RecordedEvent, wanted: ReadonlySet<number>): void {
    if (!this.digest) this.rowCount++;
    this.seals.add(event);
    if (event.type === 'CertificateFiled') {
      const data = event.data as { sha256?: unknown; fileStored?: unknown } | null;
      if (data?.fileStored === true && typeof data.sha256 === 'string') this.storedFiles.push({ event, sha256: data.sha256 });
    }
    const last = this.last;
    if (event.position <= last) {
      this.failWide(at(event, `position ${event.position} comes after position ${last}: the log's order was altered`));
    } else if (this.gapless && event.position !== last + 1) {
      // A missing position says only that something was deleted there; the chains, heads and
      // rosters name the stream, so they are reported first when they catch it too.
      const range = event.position - 1 === last + 1 ? `position ${last + 1} was` : `positions ${last + 1} to ${event.position - 1} were`;
      const previous = this.previous;
      const around = `${previous ? `after event ${previous.eventId} (${previous.stream} revision ${previous.revision})` : 'at the start of the log'} and before event ${event.eventId} (${event.stream} revision ${event.revision})`;
      this.gap ??= { stream: LEDGER, revision: -1, eventId: null, reason: `${range} issued but holds no event, ${around}: events were deleted` };
    }
    this.last = event.position;
    this.previous = event;
    this.chains.add(event);
    let leaf: Buffer;
    try {
      leaf = eventLeafHash(event.hash);
    } catch {
      this.broken ??= at(event, 'the stored hash is not a SHA-256 hash: the event was altered');
      leaf = eventLeafHash('0'.repeat(64));
    }
    this.leaves.push(leaf);
    this.frontier.push(leaf);
    if (wanted.has(this.frontier.size)) this.roots.set(this.frontier.size, this.frontier.root().toString('hex'));
    this.positions.push(event.position);
  }

  /** The root of the tree of the first `size` events read (0: the empty tree's). */
  rootAt(size: number): string {
    if (size === 0) return MerkleFrontier.empty().root().toString('hex');
    return this.roots.get(size) ?? this.leaves.root(size).toString('hex');
  }

  /** True when nothing in the pass was found wrong (a pass worth keeping). */
  get clean(): boolean {
    return !this.broken && !this.wide && !this.gap && !this.chains.firstBroken;
  }

  private failWide(link: BrokenLink): void {
    this.wide ??= link;
    this.broken ??= link;
  }
}

/** The pass of the last verification that found nothing wrong, and the digest of the rows it read: what this server keeps between verifications. */
export class LogMemory {
  private kept?: { pass: LogPass; digest: Buffer };

  /** Takes the kept pass (the verification that takes it goes on from it, or drops it). */
  take(): { pass: LogPass; digest: Buffer } | undefined {
    const kept = this.kept;
    this.kept = undefined;
    return kept;
  }

  keep(pass: LogPass): void {
    const digest = pass.digestSoFar();
    if (digest && pass.clean) this.kept = { pass, digest };
  }
}

/**
 * The pass over the whole log, from the kept pass when the rows it read are still the same.
 * `remembered`: how many events were taken from the kept pass (0: read whole).
 */
export async function passOverLog(store: EventStore, gapless: boolean, wanted: ReadonlySet<number>, memory?: LogMemory): Promise<{ pass: LogPass; remembered: number }> {
  const kept = memory?.take();
  // Nothing to keep it in (a one-shot verification), or a store that cannot give its rows: read as events only.
  if (!memory || !store.readLogPages) {
    const pass = new LogPass(gapless, false);
    for await (const event of store.readAll({ batchSize: BATCH })) pass.add(event, wanted);
    return { pass, remembered: 0 };
  }
  if (kept && kept.pass.gapless === gapless) {
    const rows = kept.pass.rows;
    const resumed = await resume(store, kept, wanted);
    if (resumed) return { pass: resumed, remembered: rows };
  }
  const pass = new LogPass(gapless, true);
  for await (const page of store.readLogPages({ batchSize: BATCH })) {
    for (const event of page.events!) pass.add(event, wanted);
    pass.digestPage(page);
  }
  return { pass, remembered: 0 };
}

/** The kept pass gone on to the end of the log, or undefined when the rows it read are not those stored now. */
async function resume(store: EventStore, kept: { pass: LogPass; digest: Buffer }, wanted: ReadonlySet<number>): Promise<LogPass | undefined> {
  const pass = kept.pass;
  const again = createHash('sha256');
  let rows = 0;
  let same: boolean | undefined;
  const settle = () => (same = rows === pass.rows && again.digest().equals(kept.digest));
  // The rows up to where the pass stopped come as stored only, in pages of their own; then the rest with their events.
  for await (const page of store.readLogPages!({ batchSize: BATCH, decodeAfter: pass.last })) {
    if (!page.events) {
      // Rows past the kept ones, or more of them than were kept: not the same.
      if (same !== undefined) return undefined;
      again.update(page.encoded);
      rows += page.count;
      continue;
    }
    if (same === undefined && !settle()) return undefined;
    for (const event of page.events) pass.add(event, wanted);
    pass.digestPage(page);
  }
  if (same === undefined && !settle()) return undefined;
  return pass;
}

/** A failure pinned on `event`. */
export function at(event: RecordedEvent, reason: string): BrokenLink {
  return { stream: event.stream, revision: event.revision, eventId: event.eventId, reason };
}
