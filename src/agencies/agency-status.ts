/**
 * Slice: the whole agency's status on `asOf` as known at `knownAt` (GET /agencies/:agencyId/status;
 * SPEC §4): counts per status and one row per officer, as JSON or, with `Accept: text/csv` or `?format=csv`, CSV.
 */
import { Controller, Get, Header, Param, Query, Req, Res } from '@nestjs/common';
import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { agencyFindingsOn, agencyStatusFromFacts, officerOnDay, STATUSES, type AgencyFinding, type AgencyStatus, type OfficerOnDay } from '../../projections';
import { Roles } from '../auth/roles.decorator';
import { IsIn, IsOptional } from 'class-validator';
import { toCsv, wantsCsv } from '../common/csv';
import { AgencyPath } from '../common/paths';
import { LedgerReader, type AgencyCoverage } from '../read/ledger-reader';
import { resolveTimeAxes, TimeAxes, TimeAxesDto } from '../read/time-axes';

/** The report: the officers' rows, and the agency's own findings (SPEC §3 "Agency findings"). */
export type AgencyStatusView = { agencyId: string } & TimeAxes & AgencyStatus & { agencyFindings: AgencyFinding[] };

export class GetAgencyStatusQuery {
  constructor(
    readonly agencyId: string,
    readonly axes: TimeAxes,
  ) {}
}

/** Reports kept (agency and asOf), least recently used evicted first: the dashboard's "now" for a few days. */
const CACHED_REPORTS = 3;

@QueryHandler(GetAgencyStatusQuery)
export class GetAgencyStatusHandler implements IQueryHandler<GetAgencyStatusQuery, AgencyStatusView> {
  /**
   * Reports that knew every event of the agency, by agency and asOf (decisions W20): the same
   * answer holds for every later knownAt until the read models move (a write, anywhere in the
   * store), so the dashboard's "now" is evaluated once per change, not once per page view.
   */
  private readonly cache = new Map<string, { version: string; coversFrom: number; report: AgencyStatus & { agencyFindings: AgencyFinding[] } }>();

  constructor(private readonly reader: LedgerReader) {}

  async execute({ agencyId, axes }: GetAgencyStatusQuery): Promise<AgencyStatusView> {
    const version = await this.reader.readModelVersion();
    const key = `${agencyId}\u0000${axes.asOf}`;
    const cached = this.cache.get(key);
    if (version !== undefined && cached?.version === version && Date.parse(axes.knownAt) >= cached.coversFrom) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return { agencyId, asOf: axes.asOf, knownAt: axes.knownAt, ...cached.report };
    }
    // Page by page (bounded memory); officers registered after knownAt were not in the records then.
    const report: AgencyStatus = agencyStatusFromFacts([], axes.asOf);
    const records = await this.reader.agencyRecords(agencyId, axes.knownAt);
    // What the agency findings need of each officer on asOf (its assignments in force, its role): small, kept for the whole report.
    const onDay: (OfficerOnDay | null)[] = [];
    const coverage: AgencyCoverage = {};
    for await (const page of this.reader.agencyFactsPages(agencyId, axes.knownAt, undefined, coverage)) {
      const part = agencyStatusFromFacts(page, axes.asOf);
      for (const s of STATUSES) report.counts[s] += part.counts[s];
      for (const officer of part.officers) report.officers.push(officer);
      for (const facts of page) onDay.push(officerOnDay(facts, axes.asOf));
    }
    const agencyFindings = agencyFindingsOn(records, onDay, axes.asOf);
    if (version !== undefined && coverage.complete) {
      this.cache.delete(key);
      this.cache.set(key, { version, coversFrom: coverage.coversFrom ?? 0, report: { ...report, agencyFindings } });
      if (this.cache.size > CACHED_REPORTS) this.cache.delete(this.cache.keys().next().value!);
    }
    return { agencyId, asOf: axes.asOf, knownAt: axes.knownAt, ...report, agencyFindings };
  }
}

/** The findings that need attention: VIOLATED or PENDING (and an agency finding's ADVISORY), with due dates and citations. */
const openIssues = (findings: { rule: string; outcome: string; dueDate?: string; citation: string; contractId?: string }[]): string =>
  findings
    .filter((f) => f.outcome === 'VIOLATED' || f.outcome === 'PENDING' || f.outcome === 'ADVISORY')
    .map((f) => `${f.rule}${f.contractId ? ` ${f.contractId}` : ''} ${f.outcome}${f.dueDate ? ` due ${f.dueDate}` : ''} (${f.citation})`)
    .join('; ');

/** The officerId cell of the agency's own row: parentheses are not allowed in ids, so it is never an officer's. */
export const AGENCY_ROW_ID = '(agency)';

/** One CSV cell (src/common/csv.ts: csv-stringify with escape_formulas, and the other leading characters a spreadsheet may fold). */
export { csvCell } from '../common/csv';

export function agencyStatusCsv(view: AgencyStatusView): string {
  const header = ['officerId', 'name', 'status', 'restrictedDuties', 'openFindings', 'asOf', 'knownAt'];
  const rows = view.officers.map((o) => [o.officerId, o.name, o.status, o.restrictedDuties.join('; '), openIssues(o.findings), view.asOf, view.knownAt]);
  // The agency's own findings, as one last row (decisions W19).
  if (view.agencyFindings) rows.push([AGENCY_ROW_ID, view.agencyId, '', '', openIssues(view.agencyFindings), view.asOf, view.knownAt]);
  return toCsv(header, rows);
}

/** The query of the agency status: the two time axes, and `format` for a CSV link. */
export class AgencyStatusQueryDto extends TimeAxesDto {
  @IsOptional() @IsIn(['json', 'csv'], { message: 'format must be json or csv' }) format?: 'json' | 'csv';
}

@Controller('agencies/:agencyId/status')
export class AgencyStatusController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('admin', 'auditor', 'chief')
  @Header('Vary', 'Accept')
  async status(@Param() path: AgencyPath, @Query() query: AgencyStatusQueryDto, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    const view: AgencyStatusView = await this.queries.execute(new GetAgencyStatusQuery(path.agencyId, resolveTimeAxes(query)));
    if (wantsCsv(request)) {
      response.type('text/csv').setHeader('Content-Disposition', `attachment; filename="${path.agencyId}-status-${view.asOf}.csv"`);
      return agencyStatusCsv(view);
    }
    return view;
  }
}
