/**
 * Health for people and orchestrators, without a token (decisions W27):
 * - GET /api/health/live: liveness. 200 while the process answers HTTP; no I/O, so a slow store
 *   never gets the server restarted.
 * - GET /api/health/ready, and GET /api/health (docs/reference.md#get-apihealth: 200 once the
 *   server is ready): readiness. 503 while the event store does not answer, while a read model is
 *   being rebuilt from the log, or while the last ledger verification (background or on demand)
 *   failed or a checkpoint could not be signed: a tampered store must not look healthy, and a
 *   rebuilding server is not sent traffic.
 * The answer without a token names the checks and the read models but gives no count of records
 * (no checkpoint positions); a valid bearer token of any role adds each read model's checkpoint.
 */
import { Controller, Get, Headers, Inject, Optional, ServiceUnavailableException } from '@nestjs/common';
import { NoticeDigest } from '../notices/notice-digest.service';
import { AccessRegistry } from '../auth/access-registry';
import { Public } from '../auth/roles.decorator';
import { IntegrityMonitor } from '../ledger/integrity-monitor';
import { ProjectionRunner } from '../read-models/projection-runner';
import { EVENT_STORE, type EventStore } from '../store/event-store.port';

export interface ReadinessView {
  status: 'ok';
  checks: { store: 'up' | 'down'; readModels: 'ready' | 'rebuilding' | 'halted'; integrity: 'ok' | 'failed' };
  projections: { name: string; rebuilding: boolean; halted: boolean; checkpoint?: number; failed?: { eventId: string; position: number; error: string } }[];
  /**
   * With a token: the reminders by e-mail (docs/reference.md "Reminders by e-mail"), in words: whether
   * a mail server is configured, and the last send this server could not make. Never makes the
   * server unready: the ledger works without e-mail.
   */
  notices?: { email: 'configured' | 'not configured'; detail: string; lastFailure?: { agencyId: string; email: string; at: string; error: string } };
}

@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly runner: ProjectionRunner,
    private readonly integrity: IntegrityMonitor,
    private readonly access: AccessRegistry,
    @Optional() private readonly digest?: NoticeDigest,
  ) {}

  @Get('live')
  @Public()
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get()
  @Public()
  health(@Headers('authorization') authorization?: string): Promise<ReadinessView> {
    return this.readiness(authorization);
  }

  @Get('ready')
  @Public()
  ready(@Headers('authorization') authorization?: string): Promise<ReadinessView> {
    return this.readiness(authorization);
  }

  private async readiness(authorization: string | undefined): Promise<ReadinessView> {
    try {
      await this.store.readStream('health-probe');
    } catch {
      throw new ServiceUnavailableException({ message: ['the event store does not answer'], checks: { store: 'down' } });
    }
    const progress = await this.runner.progress();
    const rebuilding = progress.filter((p) => p.rebuilding).map((p) => p.name);
    const halted = progress.some((p) => p.failed);
    const failure = this.integrity.failure();
    const checks: ReadinessView['checks'] = { store: 'up', readModels: rebuilding.length ? 'rebuilding' : halted ? 'halted' : 'ready', integrity: failure ? 'failed' : 'ok' };
    if (failure) throw new ServiceUnavailableException({ message: [`the ledger failed verification: ${failure}`], checks });
    if (rebuilding.length) throw new ServiceUnavailableException({ message: [`read models are being rebuilt from the log: ${rebuilding.join(', ')}`], checks });
    const detailed = await this.authenticated(authorization);
    return {
      status: 'ok',
      checks,
      projections: progress.map((p) => ({
        name: p.name,
        rebuilding: p.rebuilding,
        halted: p.failed !== undefined,
        ...(detailed ? { checkpoint: p.checkpoint, ...(p.failed ? { failed: p.failed } : {}) } : {}),
      })),
      ...(detailed && this.digest ? { notices: this.noticesDetail(this.digest) } : {}),
    };
  }

  private noticesDetail(digest: NoticeDigest): NonNullable<ReadinessView['notices']> {
    if (!digest.smtpConfigured) return { email: 'not configured', detail: 'SRO_SMTP_URL is not set: no reminder e-mail is sent, and no witness receives the ledger’s checkpoint by e-mail; the reminders are on the console’s Reminders page only, the checkpoint at GET /api/ledger/checkpoint (and the public page’s checkpoint.txt when it is on).' };
    const failure = digest.lastFailure;
    return {
      email: 'configured',
      detail: failure ? `The last reminder e-mail this server could not send was to ${failure.email} (agency ${failure.agencyId}) at ${failure.at}: ${failure.error}` : `Reminder e-mails, and the ledger’s checkpoint to each agency’s witnesses, go by SMTP daily at ${digest.options.digestTime} Minnesota time; no reminder has failed since this server started.`,
      ...(failure ? { lastFailure: failure } : {}),
    };
  }

  /** A valid token of any role (a wrong one is simply not one: health never answers 401). */
  private async authenticated(authorization: string | undefined): Promise<boolean> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    return match ? (await this.access.authenticate(match[1])) !== undefined : false;
  }
}
