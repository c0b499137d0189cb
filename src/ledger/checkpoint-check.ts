/**
 * The tree against signed checkpoints (docs/integrity.md "The checks", step 4), called by the
 * one verification (ledger-verifier.ts):
 * - every checkpoint the ledger signed (its log file and the store), each from its own size and
 *   root: the root of the first `treeSize` events of today's log, recomputed from the events,
 *   must be the checkpoint's root (RFC 9162 §2.1: a tree of m leaves is a prefix of a tree of n
 *   exactly when MTH(D[0:m]) is the same; docs/decisions.md W37);
 * - every checkpoint a witness gives (`verify --checkpoint FILE`, the console's form), whatever
 *   its age: the same check, never only the latest's. Its result is reported on its own, with
 *   its size and root, so that the witness sees which checkpoint was checked.
 * Root hashes are reported twice, labelled: `rootHash` in hexadecimal (the CLI, the proofs) and
 * `rootHashBase64` as the checkpoint's third line writes it.
 */
import type { Checkpoint } from '../../events/checkpoint';
import type { BrokenLink } from '../../events/integrity';

/** A checkpoint kept outside the ledger, its signature already verified. */
export type GivenCheckpoint = Checkpoint & { issuedAt?: string; file?: string };

/** What a given checkpoint was found to be. */
export interface GivenCheckpointResult {
  /** The file it was read from (the CLI). */
  file?: string;
  origin: string;
  treeSize: number;
  /** The root, 64 hexadecimal digits. */
  rootHash: string;
  /** The same root as the checkpoint's third line writes it (standard base64). */
  rootHashBase64: string;
  /** True when today's log, cut at `treeSize` events, has exactly this root. */
  ok: boolean;
  reason?: string;
}

export const base64Root = (hex: string): string => (/^[0-9a-f]{64}$/.test(hex) ? Buffer.from(hex, 'hex').toString('base64') : '');

/** The tree sizes whose roots the scan must keep for these checks. */
export function sizesToCheck(signed: Checkpoint[], given: Checkpoint[]): number[] {
  return [...signed, ...given].map((c) => c.treeSize);
}

export interface TreeView {
  /** Events in today's log. */
  size: number;
  /** The root (hex) of its first `size` events. */
  rootAt(size: number): string;
  /** The stream, revision and id of the event at a 0-based index in position order, to name it. */
  eventAt(index: number): Promise<{ stream: string; revision: number; eventId: string } | undefined>;
}

const LEDGER = '(ledger)';

/**
 * Every signed checkpoint, smallest first: the first that does not hold is reported, with the
 * range of events between the last one that holds and it. Checking each one (not only the
 * latest) catches a log rewritten and signed again by whoever holds the key, as long as one
 * earlier checkpoint survives anywhere.
 */
export async function checkSignedCheckpoints(signed: (Checkpoint & { issuedAt?: string })[], tree: TreeView, required?: { keyFile: string }): Promise<BrokenLink | undefined> {
  // A ledger signs its first checkpoint when its key is created (checkpoint-service.ts): a log
  // with events and none at all had them deleted, it is not a fresh ledger.
  if (required && signed.length === 0 && tree.size > 0) return { stream: LEDGER, revision: -1, eventId: null, reason: missingCheckpoints(tree.size, required.keyFile) };
  const sorted = [...signed].sort((a, b) => a.treeSize - b.treeSize);
  let from = 0;
  for (const cp of sorted) {
    const holds = cp.treeSize <= tree.size && tree.rootAt(cp.treeSize) === cp.rootHash;
    if (holds) {
      from = cp.treeSize;
      continue;
    }
    const event = from < tree.size ? await tree.eventAt(from) : undefined;
    const when = cp.issuedAt ? ` signed at ${cp.issuedAt}` : '';
    return {
      stream: event?.stream ?? LEDGER,
      revision: event?.revision ?? -1,
      eventId: event?.eventId ?? null,
      reason:
        cp.treeSize > tree.size
          ? `the checkpoint of ${cp.treeSize} events${when} covers more events than the log holds (${tree.size}): events it covered were deleted`
          : `the log no longer matches the checkpoint of ${cp.treeSize} events${when} (root ${base64Root(cp.rootHash)}): one of the events ${from + 1} to ${cp.treeSize} in position order (from this one on) was altered, removed or reordered after it was signed, even though the hash chains agree`,
    };
  }
  return undefined;
}

/** Each checkpoint a witness gave, from its own size and root. */
export function checkGivenCheckpoints(given: GivenCheckpoint[], tree: TreeView): { results: GivenCheckpointResult[]; firstBroken?: BrokenLink } {
  let firstBroken: BrokenLink | undefined;
  const results = given.map((cp): GivenCheckpointResult => {
    const label = `the checkpoint given${cp.file ? ` (${cp.file})` : ''} of ${cp.treeSize} events with root ${base64Root(cp.rootHash)}`;
    let reason: string | undefined;
    if (cp.treeSize > tree.size) {
      reason = `${label} covers more events than the log holds (${tree.size}): events it covered were deleted, or it is not a checkpoint of this log`;
    } else if (tree.rootAt(cp.treeSize) !== cp.rootHash) {
      reason = `the log no longer matches ${label}: its first ${cp.treeSize} events give the root ${base64Root(tree.rootAt(cp.treeSize))}, so one of them was altered, removed or reordered after it was signed (or the checkpoint was signed over another log)`;
    }
    if (reason) firstBroken ??= { stream: LEDGER, revision: -1, eventId: null, reason };
    return {
      ...(cp.file ? { file: cp.file } : {}),
      origin: cp.origin,
      treeSize: cp.treeSize,
      rootHash: cp.rootHash,
      rootHashBase64: base64Root(cp.rootHash),
      ok: !reason,
      ...(reason ? { reason } : {}),
    };
  });
  return { results, firstBroken };
}

/** Why a log with events and no checkpoint at all is a failure, not a fresh ledger. */
export function missingCheckpoints(events: number, keyFile: string): string {
  return `no checkpoint signed by this ledger's key is kept, neither in the store nor in the checkpoint log ${keyFile}.checkpoints, although the log holds ${events} events: a ledger signs its first checkpoint when its key is created, so they were deleted; no checkpoint signed (if this ledger really never signed one, an operator who has checked the log signs the first with "checkpoint")`;
}
