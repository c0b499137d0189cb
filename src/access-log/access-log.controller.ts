/**
 * Slice: the access log of an agency (GET /api/agencies/:agencyId/access-log?officerId=&from=&to=;
 * decisions W28): who read which officer's data, when, through which route, newest first, at most
 * ACCESS_LOG_PAGE entries (`truncated` says when there were more: narrow `from`/`to`).
 */
import { Controller, Get, Param, Query } from '@nestjs/common';
import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { IsOptional } from 'class-validator';
import { Roles } from '../auth/roles.decorator';
import { AgencyPath } from '../common/paths';
import { IsIdentifier, IsInstant } from '../common/validation';
import { Invalid } from '../write/refusals';
import { AccessLog } from './access-log';
import type { AccessEntry } from './access-log-store';

export const ACCESS_LOG_PAGE = 1000;

export class AccessLogQueryDto {
  @IsOptional() @IsIdentifier() officerId?: string;
  @IsOptional() @IsInstant() from?: string;
  @IsOptional() @IsInstant() to?: string;
}

export interface AccessLogView {
  agencyId: string;
  officerId: string | null;
  from: string | null;
  to: string | null;
  truncated: boolean;
  entries: AccessEntry[];
}

export class GetAccessLogQuery {
  constructor(
    readonly agencyId: string,
    readonly filter: { officerId?: string; principalId?: string; from?: string; to?: string },
  ) {}
}

@QueryHandler(GetAccessLogQuery)
export class GetAccessLogHandler implements IQueryHandler<GetAccessLogQuery, AccessLogView> {
  constructor(private readonly log: AccessLog) {}

  async execute({ agencyId, filter }: GetAccessLogQuery): Promise<AccessLogView> {
    // Instants compare as text once in UTC with milliseconds, as entries are stored.
    const utc = (instant?: string) => (instant ? new Date(instant).toISOString() : undefined);
    const from = utc(filter.from);
    const to = utc(filter.to);
    if (from && to && from > to) throw new Invalid(['from must not be after to']);
    const found = await this.log.find({ agencyId, officerId: filter.officerId, principalId: filter.principalId, from, to, limit: ACCESS_LOG_PAGE + 1 });
    return { agencyId, officerId: filter.officerId ?? null, from: from ?? null, to: to ?? null, truncated: found.length > ACCESS_LOG_PAGE, entries: found.slice(0, ACCESS_LOG_PAGE) };
  }
}

@Controller('agencies/:agencyId/access-log')
export class AccessLogController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('admin', 'investigator')
  list(@Param() path: AgencyPath, @Query() query: AccessLogQueryDto): Promise<AccessLogView> {
    return this.queries.execute(new GetAccessLogQuery(path.agencyId, { officerId: query.officerId, from: query.from, to: query.to }));
  }
}
