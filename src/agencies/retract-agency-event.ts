/**
 * Slice: retract a mistaken agency-wide event, e.g. a policy adoption or a contract (EventRetracted
 * on the agency stream; docs/decisions.md W2); and the agency's events as recorded now, each with
 * whether it was retracted, for the console's pick-list of what may be retracted (W35).
 */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { Command, CommandBus, CommandHandler, ICommandHandler, IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Roles } from '../auth/roles.decorator';
import { AgencyPath } from '../common/paths';
import { WriteCtx } from '../http/write-context';
import { RetractionDto, retractionRefusal } from '../officers/retract-event';
import { AgencyDecision } from '../write/decision';
import { LedgerWriter, WriteContext, WriteResult } from '../write/ledger-writer';
import { LedgerReader } from '../read/ledger-reader';

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

@CommandHandler(RetractAgencyEventCommand)
export class RetractAgencyEventHandler implements ICommandHandler<RetractAgencyEventCommand> {
  constructor(private readonly ledger: LedgerWriter) {}

  execute({ ctx, body }: RetractAgencyEventCommand): Promise<WriteResult> {
    return this.ledger.agencyCommand(ctx, RETRACT_AGENCY_EVENT, body);
  }
}

@Controller('agencies/:agencyId/retractions')
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
