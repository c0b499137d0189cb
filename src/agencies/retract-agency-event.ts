/** Slice: retract a mistaken agency-wide event, e.g. a policy adoption (EventRetracted on the agency stream). */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AgencyPath } from '../common/paths';
import { Roles } from '../auth/roles.decorator';
import { RetractionDto } from '../officers/retract-event';
import { checkRetraction } from '../write/retraction';
import { LedgerWriter, WriteResult } from '../write/ledger-writer';
import { WriteContext, WriteCtx } from '../write/write-context';

export class RetractAgencyEventCommand {
  constructor(
    readonly ctx: WriteContext,
    readonly body: RetractionDto,
  ) {}
}

@CommandHandler(RetractAgencyEventCommand)
export class RetractAgencyEventHandler implements ICommandHandler<RetractAgencyEventCommand, WriteResult> {
  constructor(private readonly ledger: LedgerWriter) {}

  execute({ ctx, body }: RetractAgencyEventCommand): Promise<WriteResult> {
    const event = { type: 'EventRetracted' as const, data: { retractedEventId: body.eventId, reason: body.reason } };
    return this.ledger.appendToAgency(ctx, event, (agency) => checkRetraction(agency, body.eventId, `agency ${ctx.agencyId}`));
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
