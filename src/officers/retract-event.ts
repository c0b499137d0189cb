/** Slice: retract a mistaken event of an officer's record (EventRetracted). The event stays; it stops counting. */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { IsNotEmpty, IsString, IsUUID, MaxLength } from 'class-validator';
import { Roles } from '../auth/roles.decorator';
import { OfficerPath } from '../common/paths';
import { IsPlainText } from '../common/plain-text';
import { RETRACT_OFFICER_EVENT } from '../write/invariants';
import { LedgerWriter, WriteResult } from '../write/ledger-writer';
import { WriteContext, WriteCtx } from '../write/write-context';

export class RetractionDto {
  @IsUUID() eventId!: string;
  @IsString() @IsNotEmpty() @MaxLength(2000) @IsPlainText() reason!: string;
}

export class RetractOfficerEventCommand {
  constructor(
    readonly ctx: WriteContext,
    readonly officerId: string,
    readonly body: RetractionDto,
  ) {}
}

@CommandHandler(RetractOfficerEventCommand)
export class RetractOfficerEventHandler implements ICommandHandler<RetractOfficerEventCommand, WriteResult> {
  constructor(private readonly ledger: LedgerWriter) {}

  execute({ ctx, officerId, body }: RetractOfficerEventCommand): Promise<WriteResult> {
    return this.ledger.officerCommand(ctx, officerId, RETRACT_OFFICER_EVENT, body);
  }
}

@Controller('agencies/:agencyId/officers/:officerId/retractions')
export class RetractOfficerEventController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  retract(@Param() path: OfficerPath, @Body() body: RetractionDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new RetractOfficerEventCommand(ctx, path.officerId, body));
  }
}
