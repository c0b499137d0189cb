/** Slice: retract a mistaken agency-wide event, e.g. a policy adoption (EventRetracted on the agency stream). */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { Command, CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Roles } from '../auth/roles.decorator';
import { AgencyPath } from '../common/paths';
import { WriteCtx } from '../http/write-context';
import { RetractionDto, retractionRefusal } from '../officers/retract-event';
import { AgencyDecision } from '../write/decision';
import { LedgerWriter, WriteContext, WriteResult } from '../write/ledger-writer';

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
