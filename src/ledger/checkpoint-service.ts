/**
 * Signs checkpoints of the ledger tree (docs/reference.md#integrity, docs/decisions.md W14): on
 * `checkpoint` (CLI) and, in the server, every SRO_CHECKPOINT_INTERVAL seconds when new events
 * exist. Each is kept in the store and appended to the checkpoint log beside the key; GET
 * /api/ledger/checkpoint serves the latest.
 *
 * The server signs only a tree it has read itself (LedgerLeaves) and found equal to the head
 * the store recorded at its last append, and only after the latest checkpoint it knows (from
 * the log file and the store) is a prefix of that tree. A store rewritten behind its back is
 * therefore never signed: the attempt is refused and raised as an integrity failure.
 */
import { Inject, Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ACCESS_LOG_SEALED, ACCESS_LOG_SEALED_SCHEMA_VERSION, ACCESS_LOG_STREAM } from '../../events/access-log';
import { ACCESS_LOG_STORE, type AccessLogStore } from '../access-log/access-log-store';
import { Checkpoint, signCheckpoint, verifyCheckpoint } from '../../events/checkpoint';
import { EVENT_STORE, type EventStore, type LedgerHead, type StoredCheckpoint, WrongExpectedRevisionError } from '../store/event-store.port';
import { appendToCheckpointLog, checkpointLogFile, readCheckpointLogFrom } from './checkpoint-log';
import { missingCheckpoints } from './checkpoint-check';
import { LedgerLeaves } from './ledger-leaves';
import { ProcessorRunner } from '../processors/processor-runner';
import { LEDGER_OPTIONS, type LedgerOptions } from './ledger-options';
import { createKeyFile, loadSigningKey, type SigningKey } from './signing-key';

/** The log and the store disagree with what the ledger signed or read: it was altered. */
export class IntegrityAlarm extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntegrityAlarm';
  }
}

/** The processor (src/processors) that signs every SRO_CHECKPOINT_INTERVAL on the leading server. */
export const CHECKPOINT_SIGNER = 'checkpoint-signer';

export type VerifiedCheckpoint = Checkpoint & { issuedAt: string; note: string };

@Injectable()
export class CheckpointService implements OnApplicationShutdown {
  private readonly logger = new Logger('Checkpoints');
  private signingKey?: SigningKey;
  /** The tree size of the latest checkpoint found to be a prefix of `leaves` (checked once, then signed from them). */
  private consistentUpTo = -1;
  private issuing?: Promise<VerifiedCheckpoint | undefined>;
  /** The log file's checkpoints verified so far, and how far it has been read. */
  private readonly logged = new Map<number, VerifiedCheckpoint>();
  private logOffset = 0;
  /** This process created the key file: the log it finds is signed as the key's first checkpoint. */
  private createdKey = false;
  /** Set when an issue found the store altered; the integrity monitor reports it. */
  alarm?: string;
  readonly leaves: LedgerLeaves;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEDGER_OPTIONS) readonly options: LedgerOptions,
    @Optional() @Inject(ACCESS_LOG_STORE) private readonly accessLog?: AccessLogStore,
    @Optional() private readonly processors?: ProcessorRunner,
  ) {
    this.leaves = new LedgerLeaves(store);
  }

  /** The signing key, created (0600) when missing if `create`; throws SigningKeyError when unusable. */
  key(create = false): SigningKey {
    if (!this.signingKey) {
      if (create && createKeyFile(this.options.keyFile)) {
        this.createdKey = true;
        this.logger.log(`created the ledger signing key ${this.options.keyFile} (mode 0600); keep a copy of its verifier key: ${loadSigningKey(this.options.keyFile, this.options.origin).verifierKey}`);
      }
      this.signingKey = loadSigningKey(this.options.keyFile, this.options.origin);
    }
    return this.signingKey;
  }

  /**
   * Every checkpoint of this ledger's key, from the log file and the store, by tree size. Throws
   * IntegrityAlarm for a stored one whose signature fails. The log is read incrementally: each
   * line's signature is checked once per process (a year of 5-minute checkpoints is 105,000).
   */
  async checkpoints(): Promise<VerifiedCheckpoint[]> {
    const verify = (note: string) => verifyCheckpoint(note, this.key().verifier);
    const read = readCheckpointLogFrom(checkpointLogFile(this.options.keyFile), this.logOffset);
    // A log file removed or replaced while the server runs does not make it forget what it verified.
    this.logOffset = read.offset;
    for (const cp of read.checkpoints) {
      try {
        this.logged.set(cp.treeSize, { ...verify(cp.note), issuedAt: cp.issuedAt, note: cp.note });
      } catch {
        // another key's (before a rotation) or a damaged line: not this key's record
      }
    }
    const bySize = new Map(this.logged);
    const fromStore = await this.store.latestCheckpoint();
    if (fromStore && !bySize.has(fromStore.treeSize)) {
      let checked: Checkpoint;
      try {
        checked = verify(fromStore.note);
      } catch (err) {
        throw new IntegrityAlarm(`the store holds a checkpoint of ${fromStore.treeSize} events that this ledger's key did not sign (${(err as Error).message}): it was forged`);
      }
      bySize.set(checked.treeSize, { ...checked, issuedAt: fromStore.issuedAt, note: fromStore.note });
    }
    return [...bySize.values()].sort((a, b) => a.treeSize - b.treeSize);
  }

  async latest(): Promise<VerifiedCheckpoint | undefined> {
    return (await this.checkpoints()).at(-1);
  }

  /**
   * Signs a checkpoint of the whole log if it has grown since the last one; the latest otherwise.
   * A log with events and no checkpoint of this key anywhere (store or log file) is not signed
   * but raised: its checkpoints were deleted (docs/decisions.md W37). `first`: sign it anyway (the
   * key was just created, or an operator runs `checkpoint`); `genesis`: an empty log with no
   * checkpoint gets one of 0 events, so that from the key's creation on there is always one.
   */
  issue(options: { first?: boolean; genesis?: boolean } = {}): Promise<VerifiedCheckpoint | undefined> {
    this.issuing ??= this.issueNow(options).finally(() => (this.issuing = undefined));
    return this.issuing;
  }

  private async issueNow({ first = false, genesis = false }: { first?: boolean; genesis?: boolean }): Promise<VerifiedCheckpoint | undefined> {
    const key = this.key(true);
    await this.sealAccessLog();
    const head = await this.readHeadInStep();
    if (head.treeSize !== this.leaves.size || this.leaves.frontier.root().toString('hex') !== head.rootHash) {
      throw this.raise(`the store's recorded tree (${head.treeSize} events) differs from the ${this.leaves.size} events this process read: the store was altered; no checkpoint signed`);
    }
    const known = await this.checkpoints();
    const latest = known.at(-1);
    if (latest && latest.treeSize !== this.consistentUpTo) {
      if (latest.treeSize > this.leaves.size || this.leaves.leaves.root(latest.treeSize).toString('hex') !== latest.rootHash) {
        throw this.raise(`the log is not an extension of the checkpoint of ${latest.treeSize} events signed at ${latest.issuedAt}: events it covered were altered or removed; no checkpoint signed`);
      }
      this.consistentUpTo = latest.treeSize;
    }
    if (latest && latest.treeSize === this.leaves.size) return latest;
    if (!latest && this.leaves.size > 0 && !first && !this.createdKey) throw this.raise(missingCheckpoints(this.leaves.size, this.options.keyFile));
    if (!latest && this.leaves.size === 0 && !genesis) return undefined;
    const checkpoint: Checkpoint = { origin: key.origin, treeSize: this.leaves.size, rootHash: this.leaves.frontier.root().toString('hex') };
    const stored: StoredCheckpoint = { treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash, note: signCheckpoint(checkpoint, key.privateKey, key.publicKey), issuedAt: new Date().toISOString() };
    // The file first: it is the record outside the store.
    appendToCheckpointLog(checkpointLogFile(this.options.keyFile), stored);
    await this.store.saveCheckpoint(stored);
    this.consistentUpTo = stored.treeSize;
    this.createdKey = false; // the key's first checkpoint is signed: from now on none at all is a deletion
    this.alarm = undefined; // the log was found whole again
    return { ...checkpoint, issuedAt: stored.issuedAt, note: stored.note };
  }

  /**
   * Brings the access log under the checkpoint about to be signed (docs/decisions.md W37): when
   * its chain's head moved since the last seal, an AccessLogSealed event records the new head in
   * the `access-log` stream, so that the checkpoint commits to it. Another server sealing at the
   * same moment wins the race; that is enough.
   */
  private async sealAccessLog(): Promise<void> {
    if (!this.accessLog) return;
    const head = await this.accessLog.head();
    if (head.batches === 0) return;
    const [stream] = await this.store.listStreams(ACCESS_LOG_STREAM);
    const current = stream?.stream === ACCESS_LOG_STREAM ? stream : undefined;
    if (current) {
      const [last] = await this.store.readStream(ACCESS_LOG_STREAM, { fromRevision: current.revision });
      const data = last?.data as { batches?: number; hash?: string } | undefined;
      if (data?.batches === head.batches && data.hash === head.hash) return;
    }
    try {
      await this.store.appendToStream(
        ACCESS_LOG_STREAM,
        [{ eventId: randomUUID(), type: ACCESS_LOG_SEALED, schemaVersion: ACCESS_LOG_SEALED_SCHEMA_VERSION, data: head, metadata: { recordedBy: 'ledger', correlationId: randomUUID() } }],
        { expectedRevision: current ? current.revision : 'no_stream' },
      );
    } catch (err) {
      if (!(err instanceof WrongExpectedRevisionError)) throw err;
    }
  }

  /**
   * Reads new events until the store's recorded head is no further than what was read (equal,
   * or smaller when events were deleted: the caller raises that). A log that keeps growing faster
   * than it is read is not an alarm: this checkpoint waits for the next interval.
   */
  private async readHeadInStep(): Promise<LedgerHead> {
    for (let attempt = 0; attempt < 5; attempt++) {
      await this.leaves.sync();
      const head = await this.store.ledgerHead();
      if (head.treeSize <= this.leaves.size) return head;
    }
    throw new Error('the log grew while it was being read, five times over: no checkpoint signed this time');
  }

  private raise(message: string): IntegrityAlarm {
    this.alarm = message;
    this.logger.error(`integrity: ${message}`);
    return new IntegrityAlarm(message);
  }

  /**
   * The server: sign every `checkpointIntervalMs` when new events exist. First, when no
   * checkpoint of this key exists at all, the key's first one (of 0 events on a new ledger, of
   * the whole log when the key was just created beside an existing one); a log with events and
   * no checkpoint under a key that existed is raised instead (its checkpoints were deleted).
   */
  async start(): Promise<void> {
    const interval = this.options.checkpointIntervalMs;
    this.key(true);
    if (this.options.keyBesideStore) {
      this.logger.warn(`the ledger signing key ${this.options.keyFile} is in the store's folder: move it and its .checkpoints log to ${this.options.keyBesideStore} (docs/integrity.md "The key")`);
    }
    if ((await this.checkpoints()).length === 0) {
      await this.issue({ genesis: true }).catch((err: Error) => {
        if (err.name !== 'IntegrityAlarm') throw err; // raised: the integrity monitor and /api/health report it
      });
    }
    if (interval <= 0 || !this.processors) return;
    // Through the processor runner (docs/decisions.md W43): only the server that leads signs, so
    // two servers on one database do not both append a checkpoint of the same tree.
    this.processors.unregister(CHECKPOINT_SIGNER);
    this.processors.register({ name: CHECKPOINT_SIGNER, schedule: { everyMs: interval }, tick: () => this.issue() });
  }

  async onApplicationShutdown(): Promise<void> {
    this.processors?.unregister(CHECKPOINT_SIGNER);
    await this.issuing?.catch(() => undefined);
  }
}

