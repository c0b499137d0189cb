/**
 * When witnesses receive the checkpoint (docs/decisions.md W70): with the reminder digest, once the
 * Minnesota wall time has reached SRO_DIGEST_TIME, and again every hour that day (a witness named
 * at 10:00 receives a copy within the hour); the processor ticks on the leading server only. The
 * morning's copy covers everything recorded the day before. Nothing runs while SRO_SMTP_URL is
 * not set.
 */
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { digestDue } from '../notices/digest-schedule';
import { NoticeDigest } from '../notices/notice-digest.service';
import { ProcessorRunner } from '../processors/processor-runner';
import { WITNESS_PROCESSOR, WitnessCheckpoints } from './witness-checkpoints.service';

@Injectable()
export class WitnessSchedule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('WitnessSchedule');
  private lastRun?: { day: string; at: number };

  constructor(
    private readonly witnesses: WitnessCheckpoints,
    private readonly digest: NoticeDigest,
    @Optional() private readonly processors?: ProcessorRunner,
  ) {}

  onModuleInit(): void {
    this.processors?.register({ name: WITNESS_PROCESSOR, schedule: { everyMs: this.witnesses.options.checkEveryMs, firstDelayMs: 0 }, tick: () => this.check() });
  }

  /** One look at the clock (the digest's, which tests drive): gives the checkpoint when due and not given within the hour here. */
  async check(): Promise<void> {
    if (!this.witnesses.smtpConfigured) return;
    const now = this.digest.now();
    const { due, day } = digestDue(now, this.witnesses.options.digestTime);
    if (!due) return;
    if (this.lastRun?.day === day && Date.now() - this.lastRun.at < this.witnesses.options.rerunEveryMs) return;
    this.lastRun = { day, at: Date.now() };
    const reports = await this.witnesses.runAll(now);
    const sent = reports.flatMap((r) => r.witnesses).filter((w) => w.outcome === 'SENT').length;
    if (sent > 0) this.logger.log(`the checkpoint went to ${sent} witnesses`);
  }

  onApplicationShutdown(): void {
    this.processors?.unregister(WITNESS_PROCESSOR);
    this.witnesses.close();
  }
}
