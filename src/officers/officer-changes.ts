/**
 * Slice: what changed in an officer's record between two instants (GET
 * .../officers/:officerId/changes?from=&to=&asOf=;
 * docs/reference.md#get-apiagenciesagencyidofficersofficeridchanges): the events recorded after
 * `from` and at or before `to` (retractions included), and every finding whose outcome or due date
 * on `asOf` differs between the records as known at `from` and as known at `to`: the question
 * behind a records dispute ("when did the record say this, and what changed it?").
 */
import { Controller, Get, Param, Query } from '@nestjs/common';
import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { IsOptional } from 'class-validator';
import { officerHistory, officerStatus, type Finding, type HistoryEntry, type Outcome, type RuleId, type Status } from '../../projections';
import { Roles } from '../auth/roles.decorator';
import { OfficerPath } from '../common/paths';
import { IsInstant, IsLocalDate } from '../common/validation';
import { knownBy, LedgerReader } from '../read/ledger-reader';
import { resolveTimeAxes } from '../read/time-axes';
import { Invalid } from '../write/refusals';

export class ChangesQueryDto {
  @IsInstant() from!: string;
  @IsOptional() @IsInstant() to?: string;
  @IsOptional() @IsLocalDate() asOf?: string;
}

export interface FindingChange {
  rule: RuleId;
  citation: string;
  before?: { outcome: Outcome; dueDate?: string; explanation: string };
  after?: { outcome: Outcome; dueDate?: string; explanation: string };
  /** The events recorded in the interval that the finding rests on after (or rested on before). */
  causedBy: string[];
}

export interface OfficerChangesView {
  agencyId: string;
  officerId: string;
  asOf: string;
  from: string;
  to: string;
  /** null when the officer was not yet registered as the records stood at that instant. */
  statusBefore: Status | null;
  statusAfter: Status | null;
  events: HistoryEntry[];
  findings: FindingChange[];
}

export class GetOfficerChangesQuery {
  constructor(
    readonly agencyId: string,
    readonly officerId: string,
    readonly asOf: string,
    readonly from: string,
    readonly to: string,
  ) {}
}

const summary = (f: Finding) => ({ outcome: f.outcome, ...(f.dueDate ? { dueDate: f.dueDate } : {}), explanation: f.explanation });

@QueryHandler(GetOfficerChangesQuery)
export class GetOfficerChangesHandler implements IQueryHandler<GetOfficerChangesQuery, OfficerChangesView> {
  constructor(private readonly reader: LedgerReader) {}

  async execute({ agencyId, officerId, asOf, from, to }: GetOfficerChangesQuery): Promise<OfficerChangesView> {
    if (Date.parse(from) > Date.parse(to)) throw new Invalid(['from must not be after to']);
    const ledger = await this.reader.officer(agencyId, officerId);
    const fromMs = Date.parse(from);
    const all = officerHistory(ledger, to).events;
    const events = all.filter((e) => Date.parse(e.recordedAt) > fromMs);
    const inInterval = new Set(events.map((e) => e.eventId));
    /** A fact retracted in the interval → its retraction: a finding that rested on the fact changed because of it. */
    const retractedIn = new Map(all.filter((e) => e.retractedBy && inInterval.has(e.retractedBy)).map((e) => [e.eventId, e.retractedBy!]));
    const before = knownBy(ledger, from) ? officerStatus(ledger, asOf, from) : undefined;
    const after = knownBy(ledger, to) ? officerStatus(ledger, asOf, to) : undefined;
    const findings: FindingChange[] = [];
    const rules = new Map<RuleId, { before?: Finding; after?: Finding }>();
    for (const f of before?.findings ?? []) rules.set(f.rule, { before: f });
    for (const f of after?.findings ?? []) rules.set(f.rule, { ...rules.get(f.rule), after: f });
    for (const [rule, { before: b, after: a }] of rules) {
      if (b && a && b.outcome === a.outcome && b.dueDate === a.dueDate) continue;
      const evidence = new Set([...(a?.evidence ?? []), ...(b?.evidence ?? [])]);
      findings.push({
        rule,
        citation: (a ?? b)!.citation,
        ...(b ? { before: summary(b) } : {}),
        ...(a ? { after: summary(a) } : {}),
        causedBy: [...new Set([...evidence].flatMap((id) => (inInterval.has(id) ? [id] : retractedIn.has(id) ? [retractedIn.get(id)!] : [])))],
      });
    }
    return { agencyId, officerId, asOf, from, to, statusBefore: before?.status ?? null, statusAfter: after?.status ?? null, events, findings };
  }
}

@Controller('agencies/:agencyId/officers/:officerId/changes')
export class OfficerChangesController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('admin', 'auditor', 'investigator')
  changes(@Param() path: OfficerPath, @Query() query: ChangesQueryDto): Promise<OfficerChangesView> {
    const from = resolveTimeAxes({ knownAt: query.from }).knownAt;
    const { asOf, knownAt: to } = resolveTimeAxes({ asOf: query.asOf, knownAt: query.to });
    return this.queries.execute(new GetOfficerChangesQuery(path.agencyId, path.officerId, asOf, from, to));
  }
}
