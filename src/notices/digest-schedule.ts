/**
 * When the digest goes (docs/decisions.md W48): SRO_DIGEST_TIME is Minnesota wall time, and the
 * processor port's daily schedule is UTC, which would move the digest by an hour twice a year.
 * So the digest is a processor that looks at the Minnesota clock every minute (on the leading
 * server only: processor-runner.ts) and runs once the Minnesota time has reached HH:MM on a day
 * whose digest it has not run yet, then again every `rerunEveryMs` (an hour) until the day ends,
 * for the people who had no notice yet that day (a chief invited at 10:00 hears within the hour;
 * everyone already told is passed over without reading the reminders). A server started after
 * HH:MM runs that day's digest at once; a restart, or a leader taking over, runs it again, which
 * tells no one twice (the notice ids and claims of notice-digest.service.ts). Nothing runs while
 * SRO_SMTP_URL is not set.
 */
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { localDateAt, MINNESOTA_TIME_ZONE } from '../../projections';
import { minnesotaParts } from '../common/dates';
import { ProcessorRunner } from '../processors/processor-runner';
import { DIGEST_PROCESSOR, NoticeDigest } from './notice-digest.service';

/** Whether the digest of `now`'s Minnesota day is due: its wall time has reached `digestTime` (HH:MM). */
export function digestDue(now: Date, digestTime: string): { due: boolean; day: string } {
  const p = minnesotaParts(now);
  return { due: `${p.hour}:${p.minute}` >= digestTime, day: localDateAt(now, MINNESOTA_TIME_ZONE) };
}

@Injectable()
export class DigestSchedule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('DigestSchedule');
  /** The Minnesota day of this server's last run, and when it ran (system clock, ms). */
  private lastRun?: { day: string; at: number };

  constructor(
    private readonly digest: NoticeDigest,
    @Optional() private readonly processors?: ProcessorRunner,
  ) {}

  onModuleInit(): void {
    this.processors?.register({ name: DIGEST_PROCESSOR, schedule: { everyMs: this.digest.options.checkEveryMs, firstDelayMs: 0 }, tick: () => this.check() });
  }

  /** One look at the clock: runs the day's digest when due and not yet run here. */
  async check(): Promise<void> {
    if (!this.digest.smtpConfigured) return;
    const now = this.digest.now();
    const { due, day } = digestDue(now, this.digest.options.digestTime);
    if (!due) return;
    if (this.lastRun?.day === day && Date.now() - this.lastRun.at < this.digest.options.rerunEveryMs) return;
    this.lastRun = { day, at: Date.now() };
    const reports = await this.digest.runAll(now);
    const sent = reports.flatMap((r) => r.recipients).filter((r) => r.outcome === 'SENT').length;
    if (sent > 0) this.logger.log(`the digest of ${day} went to ${sent} people`);
  }

  onApplicationShutdown(): void {
    this.processors?.unregister(DIGEST_PROCESSOR);
    this.digest.close();
  }
}
