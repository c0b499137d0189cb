/**
 * The one verification of the ledger (docs/reference.md#integrity), run by `verify`, by GET
 * .../integrity and by the server in the background, so that all three say the same thing:
 * 1. every stream's hash chain, in one streamed pass of the log in position order (access,
 *    agencies, rosters, officers alike), and positions strictly increasing; where the store's
 *    positions have no legitimate gaps (SQLite), a missing position is a deleted event (log-pass.ts:
 *    in the server, from its last clean pass when the rows it read are unchanged);
 * 2. the store's index of stream heads and every agency's roster (events/integrity.ts);
 * 3. the Merkle tree of the events read against the head the store recorded at its last append
 *    (and against the store's own position sequence);
 * 4. the tree against every signed checkpoint, and each one a witness gives (`verify --checkpoint`),
 *    each from its own size and root (checkpoint-check.ts): an event one covered that was
 *    altered, removed or reordered is caught even when its chain and the heads were recomputed;
 *    The store's index of event ids against the events (event-id-check.ts), and the access
 *    log against its chain and the heads sealed in the ledger (access-log-check.ts);
 * 5. the tree against what this process itself read earlier (the server's LedgerLeaves);
 * 6. the read models against the events they were derived from.
 * The first broken link is named; nothing is repaired.
 */
import { createHash } from 'node:crypto';
import type { Checkpoint } from '../../events/checkpoint';
import type { RecordedEvent } from '../../events/envelope';
import type { BrokenLink } from '../../events/integrity';
import { at, LEDGER, type LogMemory, passOverLog } from './log-pass';
import type { ReadModelStore } from '../read-models/read-model-store.port';
import type { EventStore, StoredCheckpoint } from '../store/event-store.port';
import type { LedgerLeaves } from './ledger-leaves';
import { checkReadModels } from './read-model-check';
import type { ReadModelMemory } from './read-model-memory';
import { checkEventIds } from './event-id-check';
import type { AccessLogStore } from '../access-log/access-log-store';
import { base64Root, checkGivenCheckpoints, checkSignedCheckpoints, type GivenCheckpoint, type GivenCheckpointResult, sizesToCheck } from './checkpoint-check';

export interface LedgerReport {
  ok: boolean;
  eventsChecked: number;
  /** The tree of the events read. */
  tree: { size: number; rootHash: string; rootHashBase64: string };
  /** The latest signed checkpoint the tree was checked against (every one is checked). */
  checkpoint?: { treeSize: number; rootHash: string; rootHashBase64: string; issuedAt?: string };
  /** Each checkpoint given by a witness (`verify --checkpoint FILE`), checked from its own size and root. */
  given?: GivenCheckpointResult[];
  /** Documents checked; `documentsDerived` of them derived again from their events (the others matched what this server verified before: read-model-check.ts). */
  readModels?: { documentsChecked: number; documentsDerived: number };
  /** Of `eventsChecked`, those this server's last verification read and found right, whose stored rows were read again and found the same (log-pass.ts). */
  eventsRemembered?: number;
  /** Certificate files checked against the SHA-256 their events recorded. */
  files?: { checked: number };
  firstBroken?: BrokenLink;
  /**
   * The first failure of the checks over the whole log (its order and positions, the tree against
   * the store's head, the signed and given checkpoints, what this process read earlier), found
   * even when `firstBroken` names something else first. These cannot be pinned on one stream: an
   * event deleted or a stream rolled back shows here, so authentication, which rests on the access
   * stream, closes on it (src/auth/authentication-gate.ts; docs/integrity.md).
   */
  ledgerWide?: BrokenLink;
  checkedAt: string;
}

export interface VerifyInputs {
  store: EventStore;
  readModels?: ReadModelStore;
  /** Signed checkpoints (their signatures already verified), any order. */
  checkpoints: (Checkpoint & { issuedAt?: string })[];
  /** Checkpoints a witness kept outside (signatures already verified): each checked and reported on its own. */
  given?: GivenCheckpoint[];
  /** Set by the ledger's own verification: a log with events and no signed checkpoint at all is a failure (its checkpoints were deleted). */
  checkpointsRequired?: { keyFile: string };
  /** The access log, checked against its chain and the heads sealed in the ledger (access-log-check.ts). */
  accessLog?: AccessLogStore;
  /** What this process read of the log earlier. */
  witness?: LedgerLeaves;
  /** What this process's earlier verifications found of the read models: only what moved since is derived again (read-model-memory.ts). */
  readModelMemory?: ReadModelMemory;
  /** What this process's last verification read of the log: read again as stored, and gone on from when unchanged (log-pass.ts). */
  logMemory?: LogMemory;
}


export async function verifyLedger({ store, readModels, checkpoints, given = [], checkpointsRequired, accessLog, witness, readModelMemory, logMemory }: VerifyInputs): Promise<LedgerReport> {
  let head: Awaited<ReturnType<EventStore['ledgerHead']>>;
  let unreadableTree: string | undefined;
  try {
    head = await store.ledgerHead();
  } catch (err) {
    // A tree row deleted (PostgreSQL) or made unreadable: reported, and the other checks still run.
    unreadableTree = (err as Error).message;
    head = { treeSize: 0, rootHash: '', lastPosition: 0 };
  }
  const wanted = new Set<number>([head.treeSize, ...sizesToCheck(checkpoints, given), ...(witness ? [witness.size] : [])]);
  const gapless = head.issuedPosition !== undefined;
  // The pass over the log, from what this server's last verification read when those rows are unchanged (log-pass.ts).
  const { pass, remembered } = await passOverLog(store, gapless, wanted, logMemory);
  const { leaves, frontier, positions, seals, storedFiles } = pass;
  const rootAt = (size: number): string => pass.rootAt(size);
  let broken: BrokenLink | undefined = pass.broken;
  const fail = (link: BrokenLink) => {
    broken ??= link;
  };
  let wide: BrokenLink | undefined = pass.wide;
  /** A failure of a check over the whole log: reported in order as any other, and kept apart (ledgerWide). */
  const failWide = (link: BrokenLink) => {
    wide ??= link;
    fail(link);
  };
  const gap = pass.gap;
  // The chains go on below (streams that moved during the pass): the pass kept for the next verification stays as the pass left it.
  const chains = logMemory ? pass.chains.clone() : pass.chains;
  broken ??= chains.firstBroken;

  // Stream heads: a stream that moved on while the log was read is read to its new head first.
  const heads = await store.listStreams('');
  if (!broken) {
    for (const h of heads) {
      const verified = chains.revisionOf(h.stream);
      // A stream opened since the pass (verified = -1) is read from its start; if it has no events, checkHeads names it deleted.
      // Only up to the head listed: events appended since belong with heads (and rosters' streams) not listed (docs/decisions.md W40).
      if (h.revision > verified) for (const event of await store.readStream(h.stream, { fromRevision: verified + 1 })) if (event.revision <= h.revision) chains.add(event);
    }
    chains.checkHeads(heads);
    broken ??= chains.firstBroken;
  }
  if (gap) wide ??= gap;
  broken ??= gap;

  // A head read empty before the first events of the log were appended during this pass (the
  // verification at start while the first writes land): the head is read again. A tree record
  // really deleted is still missing then (docs/decisions.md W41).
  // If even more were appended since the pass ended, the log grew from empty while it was read:
  // nothing was recorded to compare with when the pass began, and the next pass compares it.
  let grewFromEmpty = false;
  if (unreadableTree === undefined && head.treeSize === 0 && leaves.size > 0) {
    const now = await store.ledgerHead().catch(() => head);
    if (now.treeSize > 0 && now.treeSize <= leaves.size) head = now;
    else if (now.treeSize > leaves.size) grewFromEmpty = true;
  }
  // The tree against the head the store recorded with its last append (run whatever was found above: ledgerWide).
  if (!grewFromEmpty) {
    if (unreadableTree !== undefined || (head.treeSize === 0 && leaves.size > 0)) {
      failWide({
        stream: LEDGER,
        revision: -1,
        eventId: null,
        reason: `the store's record of its Merkle tree is ${unreadableTree !== undefined ? `unreadable (${unreadableTree})` : 'missing'} although the log holds ${leaves.size} events: it was deleted or altered`,
      });
    } else if (leaves.size < head.treeSize) {
      failWide({ stream: LEDGER, revision: head.treeSize - 1, eventId: null, reason: `the store recorded ${head.treeSize} events in its tree but the log holds ${leaves.size}: events were deleted` });
    } else if (head.treeSize > 0 && positions[head.treeSize - 1] !== head.lastPosition) {
      failWide({ stream: LEDGER, revision: head.treeSize - 1, eventId: null, reason: `the tree's last event is recorded at position ${head.lastPosition}, the log has position ${positions[head.treeSize - 1]} there: events were deleted or moved` });
    } else if (rootAt(head.treeSize) !== head.rootHash) {
      failWide({ stream: LEDGER, revision: -1, eventId: null, reason: 'the events no longer give the Merkle root the store recorded at its last append: an event was altered, removed or reordered' });
    } else if (gapless && head.issuedPosition! > head.lastPosition) {
      failWide({ stream: LEDGER, revision: -1, eventId: null, reason: `the store issued positions up to ${head.issuedPosition} but its last event is at ${head.lastPosition}: the newest events were deleted` });
    }
  }

  // The tree against every signed checkpoint, and against each one a witness gave (checkpoint-check.ts).
  const latest = [...checkpoints].sort((a, b) => a.treeSize - b.treeSize).at(-1);
  const tree = { size: leaves.size, rootAt, eventAt: (index: number) => eventAt(store, positions[index]) };
  // A witness's own checkpoint first: its result is what the witness asked for.
  const givenCheck = checkGivenCheckpoints(given, tree);
  // Not ledgerWide: a checkpoint given by someone (the console's form takes any key) says what it
  // says to the one who asked; it must not let a person with a key of their own close sign-in.
  if (givenCheck.firstBroken) fail(givenCheck.firstBroken);
  {
    const mismatch = await checkSignedCheckpoints(checkpoints, tree, checkpointsRequired);
    if (mismatch) failWide(mismatch);
  }

  // The index of event ids the store keeps (event-id-check.ts).
  if (!broken) {
    const ids = await checkEventIds(store, (position) => eventAt(store, position));
    if (ids) fail(ids);
  }

  // The access log against its chain and the sealed heads (access-log-check.ts).
  if (!broken) {
    const accessLogBroken = await seals.check(accessLog);
    if (accessLogBroken) fail(accessLogBroken);
  }

  // What this process read earlier.
  if (witness && witness.size > 0) {
    if (witness.size > leaves.size || rootAt(witness.size) !== witness.frontier.root().toString('hex')) {
      // The first leaf that differs names the event.
      let i = 0;
      while (i < witness.size && i < leaves.size && witness.positionAt(i) === positions[i] && witness.leaves.leaf(i).equals(leaves.leaf(i))) i++;
      const event = i < positions.length ? await eventAt(store, positions[i]) : undefined;
      const what = i < witness.size ? `the event this server read at position ${witness.positionAt(i)}` : 'an event';
      failWide({
        stream: event?.stream ?? LEDGER,
        revision: event?.revision ?? -1,
        eventId: event?.eventId ?? null,
        reason: `the log differs from the ${witness.size} events this server read earlier, from ${what} on: it was altered, removed or reordered behind the server's back`,
      });
    }
  }

  // The certificate files: each one an event says is stored is there and still has its SHA-256;
  // and every stored file is stored under its own content's hash.
  let filesChecked = 0;
  if (!broken) {
    for (const { event, sha256 } of storedFiles) {
      const bytes = await store.readFile(sha256);
      filesChecked++;
      if (!bytes) fail(at(event, `the certificate file (SHA-256 ${sha256}) this event stored is missing: it was deleted from the store`));
      else if (createHash('sha256').update(bytes).digest('hex') !== sha256) fail(at(event, `the certificate file stored with this event no longer has the SHA-256 ${sha256} it was filed with: the file was altered`));
      if (broken) break;
    }
  }
  if (!broken) {
    for await (const { sha256, bytes } of store.listFiles()) {
      if (createHash('sha256').update(bytes).digest('hex') !== sha256) {
        fail({ stream: LEDGER, revision: -1, eventId: null, reason: `the stored file under SHA-256 ${sha256} does not have that hash: it was altered` });
        break;
      }
    }
  }

  let readModelsChecked: { documentsChecked: number; documentsDerived: number } | undefined;
  if (!broken && readModels) {
    const check = await checkReadModels(store, readModels, undefined, readModelMemory ? { memory: readModelMemory, chains } : undefined);
    readModelsChecked = { documentsChecked: check.documentsChecked, documentsDerived: check.documentsDerived };
    if (check.firstBroken) fail(check.firstBroken);
  }
  // A failed verification keeps nothing: the next one reads and derives everything again.
  if (broken) readModelMemory?.clear();
  else logMemory?.keep(pass);

  const report: LedgerReport = {
    ok: !broken,
    eventsChecked: chains.report().eventsChecked,
    tree: { size: leaves.size, rootHash: frontier.root().toString('hex'), rootHashBase64: frontier.root().toString('base64') },
    ...(latest ? { checkpoint: { treeSize: latest.treeSize, rootHash: latest.rootHash, rootHashBase64: base64Root(latest.rootHash), ...(latest.issuedAt ? { issuedAt: latest.issuedAt } : {}) } } : {}),
    ...(given.length ? { given: givenCheck.results } : {}),
    ...(readModelsChecked ? { readModels: readModelsChecked } : {}),
    ...(remembered ? { eventsRemembered: remembered } : {}),
    files: { checked: filesChecked },
    checkedAt: new Date().toISOString(),
  };
  if (broken) report.firstBroken = broken;
  if (wide) report.ledgerWide = wide;
  return report;
}

async function eventAt(store: EventStore, position: number): Promise<RecordedEvent | undefined> {
  for await (const event of store.readAll({ fromPosition: position - 1, batchSize: 1 })) return event.position === position ? event : undefined;
  return undefined;
}

/** Checkpoints whose signature verifies with `verify`; the others are dropped (and reported by the caller). */
export function signedCheckpoints(stored: StoredCheckpoint[], verify: (note: string) => Checkpoint): { valid: (Checkpoint & { issuedAt: string })[]; invalid: StoredCheckpoint[] } {
  const valid: (Checkpoint & { issuedAt: string })[] = [];
  const invalid: StoredCheckpoint[] = [];
  for (const cp of stored) {
    try {
      valid.push({ ...verify(cp.note), issuedAt: cp.issuedAt });
    } catch {
      invalid.push(cp);
    }
  }
  return { valid, invalid };
}
