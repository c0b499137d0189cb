/**
 * GET /api/health: 200 without a token once the server is listening and its store answers, with
 * each read model's checkpoint; 503 with the reason while the store answers but the last ledger
 * verification (background or on demand) failed: a tampered store must not look healthy.
 */
import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { Public } from '../auth/roles.decorator';
import { ProjectionProgress, ProjectionRunner } from '../read-models/projection-runner';
import { IntegrityMonitor } from '../ledger/integrity-monitor';
import { EVENT_STORE, type EventStore } from '../store/event-store.port';

@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly runner: ProjectionRunner,
    private readonly integrity: IntegrityMonitor,
  ) {}

  @Get()
  @Public()
  async health(): Promise<{ status: 'ok'; projections: ProjectionProgress[] }> {
    try {
      await this.store.readStream('health-probe');
    } catch {
      throw new ServiceUnavailableException(['the event store does not answer']);
    }
    const failure = this.integrity.failure();
    if (failure) throw new ServiceUnavailableException([`the ledger failed verification: ${failure}`]);
    return { status: 'ok', projections: await this.runner.progress() };
  }
}
