/**
 * Slice: the whole agency's status on `asOf` as known at `knownAt` (GET /agencies/:agencyId/status;
 * docs/reference.md): counts per status and one row per officer, as JSON or, with `Accept: text/csv` or `?format=csv`, CSV.
 *
 * One request must not stall the others (docs/decisions.md W40): the JSON answer is a page of
 * officers (`page`, `pageSize`: default AGENCY_STATUS_PAGE_SIZE), the counts and the agency's
 * findings whole; the CSV is the whole agency, sent in slices of rows with a turn of the event
 * loop between them; the report is evaluated page by page with a turn between pages.
 */
import { Controller, Get, Header, Param, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { agencyFindingsOn, agencyStatusFromFacts, officerOnDay, STATUSES, type AgencyFinding, type AgencyStatus, type OfficerOnDay } from '../../projections';
import { Roles } from '../auth/roles.decorator';
import { IsIn, IsOptional } from 'class-validator';
import { IsPlainInteger } from '../common/validation';
import { toCsv, wantsCsv } from '../common/csv';
import { AgencyPath } from '../common/paths';
import { LedgerReader, type AgencyCoverage } from '../read/ledger-reader';
import { Refusal } from '../write/refusals';
import { resolveTimeAxes, TimeAxes, TimeAxesDto } from '../read/time-axes';

/** The report: the officers' rows, and the agency's own findings (docs/reference.md#agency-findings). */
export type AgencyStatusView = { agencyId: string } & TimeAxes & AgencyStatus & { agencyFindings: AgencyFinding[] };

export class GetAgencyStatusQuery {
  constructor(
    readonly agencyId: string,
    readonly axes: TimeAxes,
  ) {}
}

/** Reports kept (agency and asOf), least recently used evicted first: the dashboard's "now" for a few days. */
const CACHED_REPORTS = 2;
/** Officers' facts read at once, and evaluated between two turns of the event loop (decisions W40). */
const FACTS_PAGE = 200;
const EVALUATED_TOGETHER = 25;
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

  /** Whole evaluations under way, by agency and asOf: a request for the same report waits for it, then asks the cache (decisions W40). */
  private readonly evaluating = new Map<string, Promise<unknown>>();

  async execute(query: GetAgencyStatusQuery): Promise<AgencyStatusView> {
    const key = `${query.agencyId}\u0000${query.axes.asOf}`;
    const running = this.evaluating.get(key);
    if (running) await running.catch(() => undefined);
    const answer = this.evaluate(query);
    if (!this.evaluating.has(key)) {
      this.evaluating.set(key, answer);
      void answer.catch(() => undefined).finally(() => this.evaluating.get(key) === answer && this.evaluating.delete(key));
    }
    return answer;
  }

  private async evaluate({ agencyId, axes }: GetAgencyStatusQuery): Promise<AgencyStatusView> {
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
    for await (const whole of this.reader.agencyFactsPages(agencyId, axes.knownAt, FACTS_PAGE, coverage)) {
      for (let at = 0; at < whole.length; at += EVALUATED_TOGETHER) {
        const page = whole.slice(at, at + EVALUATED_TOGETHER);
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
        await nextTurn(); // the other requests between two slices of officers (decisions W40)
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

const CSV_HEADER = ['officerId', 'name', 'status', 'restrictedDuties', 'openFindings', 'asOf', 'knownAt'];

/** The CSV in pieces of `rowsPerPiece` rows: the header and the first rows, then the next rows, the agency's own row last (decisions W19). */
export function* agencyStatusCsvPieces(view: AgencyStatusView, rowsPerPiece = 100): Generator<string> {
  const header = toCsv(CSV_HEADER, []);
  yield header;
  for (let i = 0; i < view.officers.length; i += rowsPerPiece) {
    const rows = view.officers.slice(i, i + rowsPerPiece).map((o) => [o.officerId, o.name, o.status, o.restrictedDuties.join('; '), openIssues(o.findings), view.asOf, view.knownAt]);
    yield toCsv(CSV_HEADER, rows).slice(header.length);
  }
  if (view.agencyFindings) yield toCsv(CSV_HEADER, [[AGENCY_ROW_ID, view.agencyId, '', '', openIssues(view.agencyFindings), view.asOf, view.knownAt]]).slice(header.length);
}

export function agencyStatusCsv(view: AgencyStatusView): string {
  return [...agencyStatusCsvPieces(view)].join('');
}

/** Officers per page of the JSON agency status, unless `pageSize` says otherwise (decisions W40). */
export const AGENCY_STATUS_PAGE_SIZE = 500;
/** The largest `pageSize` of the JSON agency status. */
export const AGENCY_STATUS_MAX_PAGE_SIZE = 2000;
const MAX_PAGE = 100_000;

/** The whole agency's CSV, sent in slices (the HTTP route); what it holds, for the access log, without reading it back. */
export class AgencyStatusCsvFile extends StreamableFile {
  readonly officerCount: number;
  readonly asOf: string;
  readonly knownAt: string;

  constructor(view: AgencyStatusView) {
    const pieces = agencyStatusCsvPieces(view);
    super(
      Readable.from(
        (async function* () {
          for (const piece of pieces) {
            yield Buffer.from(piece, 'utf8');
            await nextTurn(); // the other requests between two slices
          }
        })(),
      ),
    );
    this.officerCount = view.officers.length;
    this.asOf = view.asOf;
    this.knownAt = view.knownAt;
  }
}

/** One page of the JSON agency status: the pinned fields (asOf, knownAt, counts, officers) and the paging of the officer listing. */
export type AgencyStatusPage = AgencyStatusView & { page: number; pageSize: number; total: number; pages: number };

export function agencyStatusPage(view: AgencyStatusView, page: number, pageSize: number): AgencyStatusPage {
  const total = view.officers.length;
  return { ...view, officers: view.officers.slice((page - 1) * pageSize, page * pageSize), page, pageSize, total, pages: Math.ceil(total / pageSize) };
}

/** The query of the agency status: the two time axes, `format` for a CSV link, and the page of officers (JSON). */
export class AgencyStatusQueryDto extends TimeAxesDto {
  @IsOptional() @IsIn(['json', 'csv'], { message: 'format must be json or csv' }) format?: 'json' | 'csv';
  @IsOptional() @IsPlainInteger(1, MAX_PAGE, 'pages') page?: string;
  @IsOptional() @IsPlainInteger(1, AGENCY_STATUS_MAX_PAGE_SIZE, 'officers') pageSize?: string;
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
      return new AgencyStatusCsvFile(view);
    }
    return agencyStatusPage(view, query.page === undefined ? 1 : Number(query.page), query.pageSize === undefined ? AGENCY_STATUS_PAGE_SIZE : Number(query.pageSize));
  }
}
