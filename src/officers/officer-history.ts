/**
 * Slice: an officer's full record as stored (GET .../officers/:officerId/history). Every event,
 * retracted ones included and marked, with both time axes.
 */
import { Controller, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { IsOptional } from 'class-validator';
import { effectiveDateOf } from '../../events/catalogue';
import { officerStream } from '../../events/streams';
import { upcast } from '../../events/upcasters';
import { Roles } from '../auth/roles.decorator';
import { OfficerPath } from '../common/paths';
import { IsInstant } from '../common/validation';
import { EVENT_STORE, EventStore } from '../store/event-store.port';

export class HistoryQueryDto {
  @IsOptional() @IsInstant() knownAt?: string;
}

export interface HistoryEventView {
  eventId: string;
  revision: number;
  type: string;
  schemaVersion: number;
  data: unknown;
  effectiveDate: string | null;
  recordedAt: string;
  recordedBy: string;
  correlationId: string;
  retracted: boolean;
  retractedBy?: string;
}

export class GetOfficerHistoryQuery {
  constructor(
    readonly agencyId: string,
    readonly officerId: string,
    readonly knownAt: string,
  ) {}
}

@QueryHandler(GetOfficerHistoryQuery)
export class GetOfficerHistoryHandler implements IQueryHandler<GetOfficerHistoryQuery> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ agencyId, officerId, knownAt }: GetOfficerHistoryQuery) {
    const stored = await this.store.readStream(officerStream(agencyId, officerId));
    if (stored.length === 0) throw new NotFoundException([`officer ${officerId} is not registered with agency ${agencyId}`]);
    const known = stored.filter((e) => Date.parse(e.recordedAt) <= Date.parse(knownAt));
    const events: HistoryEventView[] = known.map((e) => {
      const event = upcast(e);
      return {
        eventId: e.eventId,
        revision: e.revision,
        type: e.type,
        schemaVersion: e.schemaVersion,
        data: event.data,
        effectiveDate: effectiveDateOf(event),
        recordedAt: e.recordedAt,
        recordedBy: e.recordedBy,
        correlationId: e.correlationId,
        retracted: false,
      };
    });
    const byId = new Map(events.map((e) => [e.eventId, e]));
    for (const e of events) {
      if (e.type !== 'EventRetracted') continue;
      const target = byId.get((e.data as { retractedEventId: string }).retractedEventId);
      if (target) Object.assign(target, { retracted: true, retractedBy: e.eventId });
    }
    return { agencyId, officerId, knownAt, events };
  }
}

@Controller('agencies/:agencyId/officers/:officerId/history')
export class OfficerHistoryController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('admin', 'auditor', 'investigator')
  history(@Param() path: OfficerPath, @Query() query: HistoryQueryDto) {
    return this.queries.execute(new GetOfficerHistoryQuery(path.agencyId, path.officerId, query.knownAt ?? new Date().toISOString()));
  }
}
