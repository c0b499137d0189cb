/** Slice: a student contact day served as a substitute SRO (SubstituteDayServed; policy "Substitute SROs"). */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Roles } from '../auth/roles.decorator';
import { OfficerPath } from '../common/paths';
import { IsPlainText } from '../common/plain-text';
import { IsLocalDate } from '../common/validation';
import { RECORD_SUBSTITUTE_DAY } from '../write/invariants';
import { LedgerWriter, WriteResult } from '../write/ledger-writer';
import { WriteContext, WriteCtx } from '../write/write-context';

export class RecordSubstituteDayDto {
  @IsLocalDate() date!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) @IsPlainText() school!: string;
}

export class RecordSubstituteDayCommand {
  constructor(
    readonly ctx: WriteContext,
    readonly officerId: string,
    readonly body: RecordSubstituteDayDto,
  ) {}
}

@CommandHandler(RecordSubstituteDayCommand)
export class RecordSubstituteDayHandler implements ICommandHandler<RecordSubstituteDayCommand, WriteResult> {
  constructor(private readonly ledger: LedgerWriter) {}

  execute({ ctx, officerId, body }: RecordSubstituteDayCommand): Promise<WriteResult> {
    return this.ledger.officerCommand(ctx, officerId, RECORD_SUBSTITUTE_DAY, body);
  }
}

@Controller('agencies/:agencyId/officers/:officerId/substitute-days')
export class RecordSubstituteDayController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  record(@Param() path: OfficerPath, @Body() body: RecordSubstituteDayDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new RecordSubstituteDayCommand(ctx, path.officerId, body));
  }
}
