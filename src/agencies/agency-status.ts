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
import { Refusal } from '../write/refusals';
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
const CACHED_REPORTS = 2;
/** Changed officers refreshed one by one; more than this and the report is evaluated whole. */
const MAX_REFRESHED_OFFICERS = 500;

type Row = AgencyStatus['officers'][number];

/** A report that knew every event of the agency, per officer, in officerId order. */
interface CachedReport {
  version: string;
  /** The read models' position it was evaluated at (undefined: cannot be refreshed, only reused). */
  position?: number;
  /** The latest recordedAt it knew (epoch ms): it holds for every knownAt at or after it. */
  coversFrom: number;
  ids: string[];
  officers: Map<string, { row?: Row; onDay: OfficerOnDay | null }>;
  view: AgencyStatus & { agencyFindings: AgencyFinding[] };
}

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

@QueryHandler(GetAgencyStatusQuery)
export class GetAgencyStatusHandler implements IQueryHandler<GetAgencyStatusQuery, AgencyStatusView> {
  /**
   * Reports that knew every event of the agency, by agency and asOf (decisions W20): the same
   * answer holds for every later knownAt until the read models move. When they have moved, the
   * officers whose streams changed are evaluated again, and only they (the agency's own stream,
   * or many changes, make a whole evaluation), so the dashboard's "now" after a write costs the
   * officers written, not the agency.
   */
  private readonly cache = new Map<string, CachedReport>();

  constructor(private readonly reader: LedgerReader) {}

  async execute({ agencyId, axes }: GetAgencyStatusQuery): Promise<AgencyStatusView> {
    const version = await this.reader.readModelVersion();
    const position = version === undefined ? undefined : this.reader.readModelPosition();
    const key = `${agencyId}\u0000${axes.asOf}`;
    const knownAt = Date.parse(axes.knownAt);
    let cached = this.cache.get(key);
    if (cached && version !== undefined && cached.version !== version && knownAt >= cached.coversFrom) {
      cached = await this.refreshed(cached, agencyId, axes, version, position);
    }
    if (version !== undefined && cached?.version === version && knownAt >= cached.coversFrom) {
      this.remember(key, cached);
      return { agencyId, asOf: axes.asOf, knownAt: axes.knownAt, ...cached.view };
    }
    // Page by page (bounded memory); officers registered after knownAt were not in the records then.
    const report: AgencyStatus = agencyStatusFromFacts([], axes.asOf);
    const records = await this.reader.agencyRecords(agencyId, axes.knownAt);
    // What the agency findings need of each officer on asOf (its assignments in force, its role): small, kept for the whole report.
    const onDay: (OfficerOnDay | null)[] = [];
    const coverage: AgencyCoverage = {};
    const officers = new Map<string, { row?: Row; onDay: OfficerOnDay | null }>();
    const ids: string[] = [];
    for await (const page of this.reader.agencyFactsPages(agencyId, axes.knownAt, undefined, coverage)) {
      const part = agencyStatusFromFacts(page, axes.asOf);
      for (const s of STATUSES) report.counts[s] += part.counts[s];
      for (const officer of part.officers) report.officers.push(officer);
      const rows = new Map(part.officers.map((o) => [o.officerId, o]));
      for (const facts of page) {
        const day = officerOnDay(facts, axes.asOf);
        onDay.push(day);
        ids.push(facts.officerId);
        officers.set(facts.officerId, { row: rows.get(facts.officerId), onDay: day });
      }
    }
    const agencyFindings = agencyFindingsOn(records, onDay, axes.asOf);
    if (version !== undefined && coverage.complete) {
      this.remember(key, { version, position, coversFrom: coverage.coversFrom ?? 0, ids, officers, view: { ...report, agencyFindings } });
    }
    return { agencyId, asOf: axes.asOf, knownAt: axes.knownAt, ...report, agencyFindings };
  }

  /**
   * The cached report brought to `version` by evaluating again the officers whose streams changed
   * since; undefined when that cannot give the same answer as a whole evaluation (the agency's own
   * stream changed, too many changes, a change not known at knownAt, the positions unknown).
   */
  private async refreshed(cached: CachedReport, agencyId: string, axes: TimeAxes, version: string, position: number | undefined): Promise<CachedReport | undefined> {
    if (cached.position === undefined || position === undefined || position < cached.position) return undefined;
    const changes = await this.reader.agencyChangesBetween(agencyId, cached.position, position);
    if (!changes || changes.agency || changes.officers.size > MAX_REFRESHED_OFFICERS || changes.latestRecordedAt > Date.parse(axes.knownAt)) return undefined;
    const officers = new Map(cached.officers);
    const ids = [...cached.ids];
    for (const officerId of changes.officers) {
      let known: Awaited<ReturnType<LedgerReader['officerFacts']>>;
      try {
        known = await this.reader.officerFacts(agencyId, officerId, axes.knownAt);
      } catch (error) {
        if (error instanceof Refusal) return undefined; // a stream the whole evaluation would judge on its own
        throw error;
      }
      const { registeredAt, facts } = known;
      if (registeredAt === null || Date.parse(registeredAt) > Date.parse(axes.knownAt)) return undefined;
      const [row] = agencyStatusFromFacts([facts], axes.asOf).officers;
      if (!officers.has(officerId)) {
        // A new officer: in officerId order, as the read model's pages give them.
        let lo = 0;
        let hi = ids.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (byId(ids[mid], officerId) < 0) lo = mid + 1;
          else hi = mid;
        }
        ids.splice(lo, 0, officerId);
      }
      officers.set(officerId, { row, onDay: officerOnDay(facts, axes.asOf) });
    }
    const report: AgencyStatus = agencyStatusFromFacts([], axes.asOf);
    const onDay: (OfficerOnDay | null)[] = [];
    for (const id of ids) {
      const entry = officers.get(id)!;
      onDay.push(entry.onDay);
      if (!entry.row) continue;
      report.officers.push(entry.row);
      report.counts[entry.row.status]++;
    }
    const records = await this.reader.agencyRecords(agencyId, axes.knownAt);
    const agencyFindings = agencyFindingsOn(records, onDay, axes.asOf);
    return { version, position, coversFrom: Math.max(cached.coversFrom, changes.latestRecordedAt), ids, officers, view: { ...report, agencyFindings } };
  }

  private remember(key: string, report: CachedReport): void {
    this.cache.delete(key);
    this.cache.set(key, report);
    if (this.cache.size > CACHED_REPORTS) this.cache.delete(this.cache.keys().next().value!);
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
