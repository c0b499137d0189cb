/**
 * Slice: retract a mistaken agency-wide event, e.g. a policy adoption or a contract (EventRetracted
 * on the agency stream; docs/decisions.md W2); and the agency's events as recorded now, each with
 * whether it was retracted, for the console's pick-list of what may be retracted (W35).
 */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { Command, CommandBus, IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Roles } from '../auth/roles.decorator';
import { AgencyPath } from '../common/paths';
import { WriteCtx } from '../common/write-context';
import { RetractionDto, retractionRefusal } from '../officers/retract-event';
import { AgencyDecision } from '../write/decision';
import { WriteContext, WriteResult } from '../write/ledger-writer';
import { LedgerReader } from '../read/ledger-reader';
import { toLedgerEvent } from '../read-models/ledger-event';
import { agencyFindingsOn, agencyRecordsKnownAt, officerOnDay, type AgencyFinding, type OfficerOnDay } from '../../projections';
import { NotFound } from '../write/refusals';
import { writeHandler } from '../write/write-handler';
import type { AgencyWriteSlice } from '../write/write-slice';

/** The route under /api (POST). */
const ROUTE = 'agencies/:agencyId/retractions';

/** The decision: the retraction must name a live, retractable event of the agency's own stream (decisions W2). */
export const RETRACT_AGENCY_EVENT: AgencyDecision<RetractionDto> = {
  event: ({ eventId, reason }) => ({ type: 'EventRetracted', data: { retractedEventId: eventId, reason } }),
  decide: (input, { agency }, target) =>
    retractionRefusal(agency, input.eventId, `agency ${target.agencyId}`) ?? RETRACT_AGENCY_EVENT.event(input, target),
};

export class RetractAgencyEventCommand extends Command<WriteResult> {
  constructor(
    readonly ctx: WriteContext,
    readonly body: RetractionDto,
  ) {
    super();
  }
}

@Controller(ROUTE)
export class RetractAgencyEventController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  retract(@Param() _path: AgencyPath, @Body() body: RetractionDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new RetractAgencyEventCommand(ctx, body));
  }
}

/** One event of the agency's stream as recorded now, and the retraction that struck it, if any. */
export interface AgencyEventView {
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  recordedAt: string;
  recordedBy: string;
  retractedBy?: string;
}

export class GetAgencyEventsQuery {
  constructor(readonly agencyId: string) {}
}

@QueryHandler(GetAgencyEventsQuery)
export class GetAgencyEventsHandler implements IQueryHandler<GetAgencyEventsQuery, AgencyEventView[]> {
  constructor(private readonly reader: LedgerReader) {}

  /** The agency's stream as stored (404 for an unknown agency), in recorded order. */
  async execute({ agencyId }: GetAgencyEventsQuery): Promise<AgencyEventView[]> {
    const events = await this.reader.agencyStream(agencyId);
    const retractedBy = new Map<string, string>();
    for (const e of events) if (e.type === 'EventRetracted') retractedBy.set(String((e.data as { retractedEventId?: unknown }).retractedEventId), e.eventId);
    return events.map((e) => ({
      eventId: e.eventId,
      type: e.type,
      data: e.data as Record<string, unknown>,
      recordedAt: e.recordedAt,
      recordedBy: e.recordedBy,
      ...(retractedBy.has(e.eventId) ? { retractedBy: retractedBy.get(e.eventId) } : {}),
    }));
  }
}

/**
 * What retracting an agency record would change (the console shows it before it is confirmed, as
 * for an officer's event): the agency's own findings on `asOf` as the records stand now, and as
 * they would stand with the retraction recorded. Evaluated by the engine, nothing recorded. The
 * officers' own findings that rest on the record (the reviews of a retracted policy version) are
 * evaluated again too; they show on each officer's record once it is recorded.
 */
export interface AgencyRetractionPreview {
  asOf: string;
  event: AgencyEventView;
  before: AgencyFinding[];
  after: AgencyFinding[];
  /** The agency findings whose outcome or due date would change on asOf. */
  changed: { rule: string; citation: string; contractId?: string; before: string; after: string }[];
}

export class GetAgencyRetractionPreviewQuery {
  constructor(
    readonly agencyId: string,
    readonly eventId: string,
    readonly asOf: string,
  ) {}
}

@QueryHandler(GetAgencyRetractionPreviewQuery)
export class GetAgencyRetractionPreviewHandler implements IQueryHandler<GetAgencyRetractionPreviewQuery, AgencyRetractionPreview> {
  constructor(private readonly reader: LedgerReader) {}

  async execute({ agencyId, eventId, asOf }: GetAgencyRetractionPreviewQuery): Promise<AgencyRetractionPreview> {
    const stored = await this.reader.agencyStream(agencyId);
    const target = stored.find((e) => e.eventId === eventId);
    if (!target) throw new NotFound([`eventId: agency ${agencyId} has no event ${eventId}`]);
    const now = new Date().toISOString();
    const events = stored.map(toLedgerEvent);
    const retraction = { eventId: '00000000-0000-4000-8000-000000000000', type: 'EventRetracted', data: { retractedEventId: eventId, reason: 'preview' }, recordedAt: now, recordedBy: 'preview' };
    // What the agency findings read of each officer on asOf (assignments in force, role), as for the agency report.
    const onDay: (OfficerOnDay | null)[] = [];
    for await (const page of this.reader.agencyFactsPages(agencyId, now)) for (const facts of page) onDay.push(officerOnDay(facts, asOf));
    const before = agencyFindingsOn(agencyRecordsKnownAt(events, now), onDay, asOf);
    const after = agencyFindingsOn(agencyRecordsKnownAt([...events, retraction], now), onDay, asOf);
    const outcome = (f: AgencyFinding | undefined) => (f ? `${f.outcome}${f.dueDate ? ` due ${f.dueDate}` : ''}` : '');
    const key = (f: AgencyFinding) => `${f.rule}\u0000${f.contractId ?? ''}`;
    const beforeBy = new Map(before.map((f) => [key(f), f]));
    const afterBy = new Map(after.map((f) => [key(f), f]));
    const changed = [...new Set([...beforeBy.keys(), ...afterBy.keys()])]
      .filter((k) => outcome(beforeBy.get(k)) !== outcome(afterBy.get(k)))
      .map((k) => {
        const f = (afterBy.get(k) ?? beforeBy.get(k))!;
        return { rule: f.rule, citation: f.citation, ...(f.contractId ? { contractId: f.contractId } : {}), before: outcome(beforeBy.get(k)), after: outcome(afterBy.get(k)) };
      });
    const retractedBy = stored.find((e) => e.type === 'EventRetracted' && (e.data as { retractedEventId?: unknown }).retractedEventId === eventId)?.eventId;
    return {
      asOf,
      event: { eventId, type: target.type, data: target.data as Record<string, unknown>, recordedAt: target.recordedAt, recordedBy: target.recordedBy, ...(retractedBy ? { retractedBy } : {}) },
      before,
      after,
      changed,
    };
  }
}

/** The slice, as src/write-slices.ts lists it (docs/decisions.md W41). */
const WRITE = {
  name: 'RetractAgencyEvent',
  scope: 'agency',
  route: ROUTE,
  dto: RetractionDto,
  pathFields: [],
  decision: RETRACT_AGENCY_EVENT,
  controller: RetractAgencyEventController,
  command: RetractAgencyEventCommand,
  queries: [GetAgencyEventsHandler, GetAgencyRetractionPreviewHandler],
} as const;

/** Its command handler, made from it (src/write/write-handler.ts). */
export const RetractAgencyEventHandler = writeHandler(WRITE);

export const RETRACT_AGENCY_EVENT_SLICE = { ...WRITE, handler: RetractAgencyEventHandler } as const satisfies AgencyWriteSlice;
