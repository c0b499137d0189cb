/**
 * Slice: the agency's officers, for every role (GET /agencies/:agencyId/officers?q=&page=;
 * docs/reference.md#get-apiagenciesagencyidofficers): each officer registered by knownAt, with the
 * name and license number as known then and whether active (not separated) on asOf; searched by q,
 * in officerId order, a page at a time. An investigator, who may not read the agency report, finds
 * an officer id here.
 */
import { Controller, Get, Header, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { toCsv, wantsCsv } from '../common/csv';
import { separatedBy } from '../../projections';
import { Roles } from '../auth/roles.decorator';
import { AgencyPath } from '../common/paths';
import { IsPlainText } from '../common/plain-text';
import { IsInstant, IsLocalDate, IsPlainInteger } from '../common/validation';
import { LedgerReader } from '../read/ledger-reader';
import { resolveTimeAxes, type TimeAxes } from '../read/time-axes';

/** Officers per page of the listing. */
export const OFFICERS_PAGE_SIZE = 50;
const MAX_PAGE = 100_000;

export class ListOfficersQueryDto {
  @IsOptional() @IsLocalDate() asOf?: string;
  @IsOptional() @IsInstant() knownAt?: string;
  /** Case-insensitive text found in the officerId, the name or the license number. */
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) @IsPlainText() q?: string;
  @IsOptional() @IsPlainInteger(1, MAX_PAGE, 'pages') page?: string;
  /** `csv`: every officer that matches q (all pages) as CSV, as Accept: text/csv does; for a browser link. */
  @IsOptional() @IsIn(['json', 'csv'], { message: 'format must be json or csv' }) format?: 'json' | 'csv';
}

/** Every page: a query with this page number answers all the officers that match (the CSV download). */
export const ALL_PAGES = 0;

export function officerListCsv(view: OfficerListView): string {
  return toCsv(
    ['officerId', 'name', 'licenseNumber', 'active', 'separatedOn', 'separationReason', 'asOf', 'knownAt'],
    view.officers.map((o) => [o.officerId, o.name, o.licenseNumber ?? '', o.active ? 'yes' : 'no', o.separatedOn ?? '', o.separationReason ?? '', view.asOf, view.knownAt]),
  );
}

export interface OfficerListItem {
  officerId: string;
  name: string;
  licenseNumber: string | null;
  active: boolean;
  /** When separated (also when the separation is after asOf). */
  separatedOn?: string;
  separationReason?: string;
}

export interface OfficerListView extends TimeAxes {
  agencyId: string;
  q: string | null;
  page: number;
  pageSize: number;
  total: number;
  pages: number;
  officers: OfficerListItem[];
}

export class ListOfficersQuery {
  constructor(
    readonly agencyId: string,
    readonly axes: TimeAxes,
    readonly q: string | null,
    readonly page: number,
  ) {}
}

/** The search: every word of q in the officerId, the name or the license number, ignoring case and accents' composition. */
export function matches(item: Pick<OfficerListItem, 'officerId' | 'name' | 'licenseNumber'>, q: string | null): boolean {
  if (q === null) return true;
  const hay = `${item.officerId} ${item.name} ${item.licenseNumber ?? ''}`.normalize('NFC').toLocaleLowerCase('en-US');
  return q
    .normalize('NFC')
    .toLocaleLowerCase('en-US')
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => hay.includes(word));
}

@QueryHandler(ListOfficersQuery)
export class ListOfficersHandler implements IQueryHandler<ListOfficersQuery, OfficerListView> {
  constructor(private readonly reader: LedgerReader) {}

  async execute({ agencyId, axes, q, page }: ListOfficersQuery): Promise<OfficerListView> {
    const all = page === ALL_PAGES;
    const first = all ? 0 : (page - 1) * OFFICERS_PAGE_SIZE;
    const officers: OfficerListItem[] = [];
    let total = 0;
    for await (const facts of this.reader.agencyFactsPages(agencyId, axes.knownAt)) {
      for (const f of facts) {
        const item: OfficerListItem = {
          officerId: f.officerId,
          name: f.name,
          licenseNumber: f.licenseNumber,
          active: !separatedBy(f, axes.asOf),
          ...(f.separation ? { separatedOn: f.separation.separatedOn, separationReason: f.separation.reason } : {}),
        };
        if (!matches(item, q)) continue;
        if (total >= first && (all || officers.length < OFFICERS_PAGE_SIZE)) officers.push(item);
        total++;
      }
    }
    const pageSize = all ? Math.max(total, 1) : OFFICERS_PAGE_SIZE;
    return { agencyId, asOf: axes.asOf, knownAt: axes.knownAt, q, page: all ? 1 : page, pageSize, total, pages: Math.ceil(total / pageSize), officers };
  }
}

@Controller('agencies/:agencyId/officers')
export class ListOfficersController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('admin', 'auditor', 'chief', 'investigator')
  @Header('Vary', 'Accept')
  async list(@Param() path: AgencyPath, @Query() query: ListOfficersQueryDto, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<OfficerListView | string> {
    const csv = wantsCsv(request);
    const page = csv ? ALL_PAGES : query.page === undefined ? 1 : Number(query.page);
    const view: OfficerListView = await this.queries.execute(new ListOfficersQuery(path.agencyId, resolveTimeAxes(query), query.q ?? null, page));
    if (csv) {
      response.type('text/csv').setHeader('Content-Disposition', `attachment; filename="${path.agencyId}-officers-${view.asOf}.csv"`);
      return officerListCsv(view);
    }
    return view;
  }
}
