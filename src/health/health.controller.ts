/** GET /api/health: 200 without a token once the server is listening and its store answers. */
import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { Public } from '../auth/roles.decorator';
import { EVENT_STORE, EventStore } from '../store/event-store.port';

@Controller('health')
export class HealthController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get()
  @Public()
  async health(): Promise<{ status: 'ok' }> {
    try {
      await this.store.readStream('health-probe');
    } catch {
      throw new ServiceUnavailableException(['the event store does not answer']);
    }
    return { status: 'ok' };
  }
}
