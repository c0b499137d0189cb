/** Slice: assign an officer to one or more schools as an SRO from a start date (OfficerAssigned). */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Roles } from '../auth/roles.decorator';
import { OfficerPath } from '../common/paths';
import { IsPlainText } from '../common/plain-text';
import { IsIdentifier, IsLocalDate } from '../common/validation';
import { ASSIGN_OFFICER } from '../write/invariants';
import { LedgerWriter, WriteResult } from '../write/ledger-writer';
import { WriteContext, WriteCtx } from '../write/write-context';

export class AssignOfficerDto {
  @IsIdentifier() assignmentId!: string;
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @ArrayUnique() @IsString({ each: true }) @IsNotEmpty({ each: true }) @MaxLength(200, { each: true }) @IsPlainText({ each: true })
  schools!: string[];
  @IsLocalDate() startDate!: string;
}

export class AssignOfficerCommand {
  constructor(
    readonly ctx: WriteContext,
    readonly officerId: string,
    readonly body: AssignOfficerDto,
  ) {}
}

@CommandHandler(AssignOfficerCommand)
export class AssignOfficerHandler implements ICommandHandler<AssignOfficerCommand, WriteResult> {
  constructor(private readonly ledger: LedgerWriter) {}

  execute({ ctx, officerId, body }: AssignOfficerCommand): Promise<WriteResult> {
    return this.ledger.officerCommand(ctx, officerId, ASSIGN_OFFICER, body);
  }
}

@Controller('agencies/:agencyId/officers/:officerId/assignments')
export class AssignOfficerController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  assign(@Param() path: OfficerPath, @Body() body: AssignOfficerDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new AssignOfficerCommand(ctx, path.officerId, body));
  }
}
