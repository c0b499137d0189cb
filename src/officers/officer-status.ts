/**
 * Slice: an officer's compliance status on `asOf` as the records stood at `knownAt`
 * (GET .../officers/:officerId/status; docs/reference.md#rules). Every rule is listed with its
 * citation.
 */
import { Controller, Get, Param, Query } from '@nestjs/common';
import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { statusFromFacts, type OfficerStatus } from '../../projections';
import { Roles } from '../auth/roles.decorator';
import { toCsv } from '../common/csv';
import { OfficerPath } from '../common/paths';
import { LedgerReader, registeredBy } from '../read/ledger-reader';
import { resolveTimeAxes, TimeAxes, TimeAxesDto } from '../read/time-axes';
import { NotFound } from '../write/refusals';

export type OfficerStatusView = { officerId: string } & TimeAxes & OfficerStatus;

/** The officer's status as CSV (CLI `status --officer --csv`): one row per rule, the status on each. */
export function officerStatusCsv(view: OfficerStatusView): string {
  return toCsv(
    ['officerId', 'status', 'rule', 'outcome', 'dueDate', 'citation', 'explanation', 'evidence', 'restrictedDuties', 'asOf', 'knownAt'],
    view.findings.map((f) => [view.officerId, view.status, f.rule, f.outcome, f.dueDate ?? '', f.citation, f.explanation, f.evidence.join(' '), view.restrictedDuties.join('; '), view.asOf, view.knownAt]),
  );
}

export class GetOfficerStatusQuery {
  constructor(
    readonly agencyId: string,
    readonly officerId: string,
    readonly axes: TimeAxes,
  ) {}
}

@QueryHandler(GetOfficerStatusQuery)
export class GetOfficerStatusHandler implements IQueryHandler<GetOfficerStatusQuery, OfficerStatusView> {
  constructor(private readonly reader: LedgerReader) {}

  async execute({ agencyId, officerId, axes }: GetOfficerStatusQuery): Promise<OfficerStatusView> {
    const { registeredAt, facts } = await this.reader.officerFacts(agencyId, officerId, axes.knownAt);
    if (!registeredBy(registeredAt, axes.knownAt)) {
      throw new NotFound([`officer ${officerId} was not yet registered as the records stood at ${axes.knownAt}`]);
    }
    const status = statusFromFacts(facts, axes.asOf);
    return { officerId, asOf: axes.asOf, knownAt: axes.knownAt, ...status };
  }
}

@Controller('agencies/:agencyId/officers/:officerId/status')
export class OfficerStatusController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('admin', 'auditor', 'chief', 'investigator')
  status(@Param() path: OfficerPath, @Query() query: TimeAxesDto): Promise<OfficerStatusView> {
    return this.queries.execute(new GetOfficerStatusQuery(path.agencyId, path.officerId, resolveTimeAxes(query)));
  }
}
