/**
 * Slice: what falls due for the chief (GET /agencies/:agencyId/reminders;
 * docs/reference.md#get-apiagenciesagencyidreminders): everything due within `horizonDays` of
 * `asOf` and everything overdue (negative daysLeft), sorted by due date, each with a plain-English
 * message naming the action and the citation; the agency's own obligations (its violated findings,
 * and those falling due) among them (docs/decisions.md W33). Like every query it takes knownAt too
 * (default now), so a chief can see what the reminders said at a past instant.
 */
import { Controller, Get, Header, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { IsIn, IsOptional } from 'class-validator';
import { toCsv, wantsCsv } from '../common/csv';
import { agencyObligationReminders, agencyRemindersOn, compareReminders, contractRemindersFor, dutyStartAhead, officerOnDay, remindersFromFacts, type LocalDate, type OfficerOnDay, type Reminder } from '../../projections';
import { Roles } from '../auth/roles.decorator';
import { AgencyPath } from '../common/paths';
import { IsInstant, IsLocalDate, IsPlainInteger } from '../common/validation';
import { LedgerReader } from '../read/ledger-reader';
import { resolveTimeAxes, type TimeAxes } from '../read/time-axes';

export const DEFAULT_HORIZON_DAYS = 60;
/** The longest horizon a query may ask for (ten years of 365 days); the CLI's `--horizon-days` agrees. */
export const MAX_HORIZON_DAYS = 3650;

export class RemindersQueryDto {
  @IsOptional() @IsLocalDate() asOf?: string;
  @IsOptional() @IsInstant() knownAt?: string;
  /** Plain digits from 0 to MAX_HORIZON_DAYS ('', '1e3', '-1', '2.5' are 400s); kept as the query's text, converted below. */
  @IsOptional() @IsPlainInteger(0, MAX_HORIZON_DAYS, 'days') horizonDays?: string;
  /** `csv`: the CSV download (as Accept: text/csv), for a browser link. */
  @IsOptional() @IsIn(['json', 'csv'], { message: 'format must be json or csv' }) format?: 'json' | 'csv';
}

/**
 * The reminders as CSV: one row per reminder, in the answer's order; `subject` says in words whom
 * each is about ("The agency" for the agency's own, whose officerId is empty: docs/decisions.md W33).
 */
export function remindersCsv(view: RemindersView): string {
  return toCsv(
    ['officerId', 'subject', 'scope', 'rule', 'kind', 'dueDate', 'daysLeft', 'citation', 'message', 'asOf', 'knownAt'],
    view.items.map((r) => [r.officerId ?? '', r.subject, r.scope, r.rule, r.kind, r.dueDate, r.daysLeft, r.citation, r.message, view.asOf, view.knownAt]),
  );
}

export interface RemindersView {
  agencyId: string;
  asOf: string;
  knownAt: string;
  horizonDays: number;
  items: Reminder[];
}

export class GetRemindersQuery {
  constructor(
    readonly agencyId: string,
    readonly axes: TimeAxes,
    readonly horizonDays: number,
  ) {}
}

@QueryHandler(GetRemindersQuery)
export class GetRemindersHandler implements IQueryHandler<GetRemindersQuery, RemindersView> {
  constructor(private readonly reader: LedgerReader) {}

  async execute({ agencyId, axes: { asOf, knownAt }, horizonDays }: GetRemindersQuery): Promise<RemindersView> {
    const records = await this.reader.agencyRecords(agencyId, knownAt);
    const items: Reminder[] = [...agencyRemindersOn(records, asOf, horizonDays)];
    // What the agency's own findings need of each officer (small, kept for the whole agency).
    const onDay: (OfficerOnDay | null)[] = [];
    const dutyStarts: (LocalDate | null)[] = [];
    // The officers registered by knownAt, their facts as known then (from the facts snapshots where they cover it).
    for await (const page of this.reader.agencyFactsPages(agencyId, knownAt)) {
      for (const facts of page) {
        items.push(...remindersFromFacts(facts, asOf, horizonDays), ...contractRemindersFor(facts, records, asOf, horizonDays));
        onDay.push(officerOnDay(facts, asOf));
        dutyStarts.push(dutyStartAhead(facts, asOf, horizonDays));
      }
    }
    items.push(...agencyObligationReminders(records, onDay, dutyStarts, asOf, horizonDays));
    items.sort(compareReminders);
    return { agencyId, asOf, knownAt, horizonDays, items };
  }
}

@Controller('agencies/:agencyId/reminders')
export class RemindersController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('admin', 'chief')
  @Header('Vary', 'Accept')
  async reminders(@Param() path: AgencyPath, @Query() query: RemindersQueryDto, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<RemindersView | string> {
    const horizonDays = query.horizonDays === undefined ? DEFAULT_HORIZON_DAYS : Number(query.horizonDays);
    const view: RemindersView = await this.queries.execute(new GetRemindersQuery(path.agencyId, resolveTimeAxes(query), horizonDays));
    if (wantsCsv(request)) {
      response.type('text/csv').setHeader('Content-Disposition', `attachment; filename="${path.agencyId}-reminders-${view.asOf}.csv"`);
      return remindersCsv(view);
    }
    return view;
  }
}
