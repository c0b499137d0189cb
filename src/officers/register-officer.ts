/** Slice: register an officer with the agency (OfficerRegistered), creating the officer's stream. */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { Roles } from '../auth/roles.decorator';
import { AgencyPath } from '../common/paths';
import { IsPlainText } from '../common/plain-text';
import { IsIdentifier } from '../common/validation';
import { REGISTER_OFFICER } from '../write/invariants';
import { LedgerWriter, WriteResult } from '../write/ledger-writer';
import { WriteContext, WriteCtx } from '../write/write-context';

export class RegisterOfficerDto {
  @IsIdentifier() officerId!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) @IsPlainText() name!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(64) @IsPlainText() licenseNumber?: string;
}

export class RegisterOfficerCommand {
  constructor(
    readonly ctx: WriteContext,
    readonly body: RegisterOfficerDto,
  ) {}
}

@CommandHandler(RegisterOfficerCommand)
export class RegisterOfficerHandler implements ICommandHandler<RegisterOfficerCommand, WriteResult> {
  constructor(private readonly ledger: LedgerWriter) {}

  execute({ ctx, body }: RegisterOfficerCommand): Promise<WriteResult> {
    return this.ledger.officerCommand(ctx, body.officerId, REGISTER_OFFICER, body);
  }
}

@Controller('agencies/:agencyId/officers')
export class RegisterOfficerController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  register(@Param() _path: AgencyPath, @Body() body: RegisterOfficerDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new RegisterOfficerCommand(ctx, body));
  }
}
