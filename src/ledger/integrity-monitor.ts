/**
 * Runs the ledger verification (ledger-verifier.ts) for every entry point, and in the server
 * again every SRO_VERIFY_INTERVAL seconds, so that a tampered store does not keep answering as
 * if nothing happened: the last failure is reported by GET /api/health (503 with the reason)
 * and in the log until a later verification passes.
 */
import { Inject, Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import { ACCESS_LOG_STORE, type AccessLogStore } from '../access-log/access-log-store';
import { READ_MODEL_STORE, type ReadModelStore } from '../read-models/read-model-store.port';
import { EVENT_STORE, type EventStore } from '../store/event-store.port';
import { ACCESS_STREAM } from '../../events/streams';
import { CheckpointService } from './checkpoint-service';
import { LedgerReport, verifyLedger } from './ledger-verifier';
import { ProcessorRunner } from '../processors/processor-runner';
import { yielding } from './yielding';
import { ReadModelMemory } from './read-model-memory';
import { LogMemory } from './log-pass';
import type { GivenCheckpoint } from './checkpoint-check';

/** The processor (src/processors) of the background verification. */
export const BACKGROUND_VERIFICATION = 'background-verification';

@Injectable()
export class IntegrityMonitor implements OnApplicationShutdown {
  private readonly logger = new Logger('Integrity');
  private last?: LedgerReport;
  private running?: Promise<LedgerReport>;
  /** What this server's verifications found of the read models: the next one derives again only what moved (read-model-memory.ts). */
  private readonly readModelMemory = new ReadModelMemory();
  /** What this server's last verification read of the log: the next one reads those rows again as stored and goes on from there (log-pass.ts). */
  private readonly logMemory = new LogMemory();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
    private readonly checkpoints: CheckpointService,
    @Optional() @Inject(ACCESS_LOG_STORE) private readonly accessLog?: AccessLogStore,
    @Optional() private readonly processors?: ProcessorRunner,
  ) {}

  /**
   * Verifies the whole ledger now. `extra`: checkpoints kept outside (already signature-checked).
   * `witness`: compare with what this process read earlier (the server; not a one-shot CLI).
   */
  verify(options: { extra?: GivenCheckpoint[]; witness?: boolean } = {}): Promise<LedgerReport> {
    const run = async (): Promise<LedgerReport> => {
      let report: LedgerReport;
      try {
        const signed = await this.checkpoints.checkpoints();
        if (options.witness) await this.checkpoints.leaves.sync();
        // In slices: the other requests of the server keep being answered meanwhile (yielding.ts).
        report = await verifyLedger({
          store: yielding(this.store),
          readModels: yielding(this.readModels),
          checkpoints: signed,
          given: options.extra ?? [],
          checkpointsRequired: { keyFile: this.checkpoints.options.keyFile },
          accessLog: this.accessLog,
          witness: options.witness ? this.checkpoints.leaves : undefined,
          readModelMemory: this.readModelMemory,
          logMemory: this.logMemory,
        });
      } catch (err) {
        if ((err as Error).name !== 'IntegrityAlarm') throw err;
        report = { ok: false, eventsChecked: 0, tree: { size: 0, rootHash: '', rootHashBase64: '' }, checkedAt: new Date().toISOString(), firstBroken: { stream: '(ledger)', revision: -1, eventId: null, reason: (err as Error).message } };
      }
      if (!report.ok) this.logger.error(`integrity: ${report.firstBroken?.stream} revision ${report.firstBroken?.revision}: ${report.firstBroken?.reason}`);
      this.last = report;
      return report;
    };
    // One at a time; a caller that asks with outside checkpoints gets its own run.
    if (options.extra?.length) return run();
    this.running ??= run().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Resolves when no verification is running (the one at start may still be: a measurement waits for it). */
  async idle(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }

  /** Why the ledger cannot be trusted now, or undefined. */
  failure(): string | undefined {
    if (this.checkpoints.alarm) return this.checkpoints.alarm;
    if (this.last && !this.last.ok) {
      const b = this.last.firstBroken;
      return `verification at ${this.last.checkedAt} failed: ${b?.stream} revision ${b?.revision}${b?.eventId ? ` (event ${b.eventId})` : ''}: ${b?.reason}`;
    }
    return undefined;
  }

  /**
   * Why authentication cannot be trusted now, or undefined (src/auth/authentication-gate.ts,
   * docs/decisions.md W38): a checkpoint alarm, a failure in the access stream itself, or one
   * over the whole log (an event deleted, a stream rolled back, the tree or a signed checkpoint not
   * matching: `ledgerWide`, found even when something else was reported first), any of which may
   * hide a revocation deleted or a password replaced. A failure pinned on another stream (an
   * officer's event edited in place), on a read model or on the who-read-what log leaves sign-in
   * open: people see the banner (alarm()) and an investigator can use the Integrity page.
   */
  authenticationFailure(): string | undefined {
    if (this.checkpoints.alarm) return this.checkpoints.alarm;
    const last = this.last;
    if (!last || last.ok) return undefined;
    const b = last.firstBroken;
    if (b && (b.stream === ACCESS_STREAM || b.stream === '(ledger)')) return this.failure();
    if (last.ledgerWide) return `verification at ${last.checkedAt} failed over the whole log: ${last.ledgerWide.reason}`;
    return undefined;
  }

  /**
   * The same state for people (the console's banner on every page, docs/decisions.md W36): when
   * the failed verification ran, without the stream or event (which may be another agency's).
   */
  alarm(): { checkedAt?: string } | undefined {
    if (this.checkpoints.alarm) return {};
    if (this.last && !this.last.ok) return { checkedAt: this.last.checkedAt };
    return undefined;
  }

  /**
   * The server: verify `firstDelayMs` after start, then every `intervalMs`, scheduled by the
   * processor runner (docs/decisions.md W43) on every server, not only the leader: each server
   * checks the log against what it read itself, and reports in its own /api/health.
   */
  start(intervalMs: number, firstDelayMs = Math.min(intervalMs, 5_000)): void {
    if (!this.processors) return;
    this.processors.unregister(BACKGROUND_VERIFICATION);
    if (intervalMs <= 0) return;
    this.processors.register({
      name: BACKGROUND_VERIFICATION,
      everyServer: true,
      schedule: { everyMs: intervalMs, firstDelayMs },
      tick: () => this.verify({ witness: true }),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.processors?.unregister(BACKGROUND_VERIFICATION);
    await this.running?.catch(() => undefined);
  }
}
