/** Slice: retract a mistaken agency-wide event, e.g. a policy adoption (EventRetracted on the agency stream). */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AgencyPath } from '../common/paths';
import { Roles } from '../auth/roles.decorator';
import { RetractionDto } from '../officers/retract-event';
import { RETRACT_AGENCY_EVENT } from '../write/invariants';
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
