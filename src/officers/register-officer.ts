/** Slice: register an officer with the agency (OfficerRegistered), creating the officer's stream. */
import { Body, ConflictException, Controller, Param, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { Roles } from '../auth/roles.decorator';
import { AgencyPath } from '../common/paths';
import { IsIdentifier } from '../common/validation';
import { LedgerWriter, WriteResult } from '../write/ledger-writer';
import { WriteContext, WriteCtx } from '../write/write-context';

export class RegisterOfficerDto {
  @IsIdentifier() officerId!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(64) licenseNumber?: string;
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
    const { officerId, name, licenseNumber } = body;
    return this.ledger.appendToOfficer(
      ctx,
      officerId,
      { type: 'OfficerRegistered', data: { officerId, name, licenseNumber } },
      (officer) => {
        if (officer.revision >= 0) throw new ConflictException([`officerId: officer ${officerId} is already registered`]);
      },
      { creates: true },
    );
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
