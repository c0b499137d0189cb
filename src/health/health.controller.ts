/** GET /api/health: 200 without a token once the server is listening and its store answers, with each read model's checkpoint. */
import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { Public } from '../auth/roles.decorator';
import { ProjectionProgress, ProjectionRunner } from '../projections-runtime/projection-runner';
import { EVENT_STORE, type EventStore } from '../store/event-store.port';

@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly runner: ProjectionRunner,
  ) {}

  @Get()
  @Public()
  async health(): Promise<{ status: 'ok'; projections: ProjectionProgress[] }> {
    try {
      await this.store.readStream('health-probe');
      return { status: 'ok', projections: await this.runner.progress() };
    } catch {
      throw new ServiceUnavailableException(['the event store does not answer']);
    }
  }
}
