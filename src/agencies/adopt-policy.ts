/** Slice: the agency adopts a version of its SRO policy (SroPolicyAdopted; 626.8482 subd. 6). */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { Roles } from '../auth/roles.decorator';
import { AgencyPath } from '../common/paths';
import { IsPlainText } from '../common/plain-text';
import { IsLocalDate } from '../common/validation';
import { ADOPT_POLICY } from '../write/invariants';
import { LedgerWriter, WriteResult } from '../write/ledger-writer';
import { WriteContext, WriteCtx } from '../write/write-context';

export class AdoptPolicyDto {
  @IsString() @IsNotEmpty() @MaxLength(64) @IsPlainText() version!: string;
  @IsLocalDate() adoptedOn!: string;
  @IsOptional() @Matches(/^[0-9a-f]{64}$/, { message: 'documentSha256 must be 64 lowercase hexadecimal characters' }) documentSha256?: string;
}

export class AdoptPolicyCommand {
  constructor(
    readonly ctx: WriteContext,
    readonly body: AdoptPolicyDto,
  ) {}
}

@CommandHandler(AdoptPolicyCommand)
export class AdoptPolicyHandler implements ICommandHandler<AdoptPolicyCommand, WriteResult> {
  constructor(private readonly ledger: LedgerWriter) {}

  execute({ ctx, body }: AdoptPolicyCommand): Promise<WriteResult> {
    return this.ledger.agencyCommand(ctx, ADOPT_POLICY, body);
  }
}

@Controller('agencies/:agencyId/policies')
export class AdoptPolicyController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  adopt(@Param() _path: AgencyPath, @Body() body: AdoptPolicyDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new AdoptPolicyCommand(ctx, body));
  }
}
