/** Slice: the officer reviewed a version of the agency's SRO policy (PolicyReviewed; subd. 3(c), policy "Substitute SROs"). */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Roles } from '../auth/roles.decorator';
import { OfficerPath } from '../common/paths';
import { IsPlainText } from '../common/plain-text';
import { IsLocalDate } from '../common/validation';
import { RECORD_POLICY_REVIEW } from '../write/invariants';
import { LedgerWriter, WriteResult } from '../write/ledger-writer';
import { WriteContext, WriteCtx } from '../write/write-context';

export class RecordPolicyReviewDto {
  @IsString() @IsNotEmpty() @MaxLength(64) @IsPlainText() version!: string;
  @IsLocalDate() reviewedOn!: string;
}

export class RecordPolicyReviewCommand {
  constructor(
    readonly ctx: WriteContext,
    readonly officerId: string,
    readonly body: RecordPolicyReviewDto,
  ) {}
}

@CommandHandler(RecordPolicyReviewCommand)
export class RecordPolicyReviewHandler implements ICommandHandler<RecordPolicyReviewCommand, WriteResult> {
  constructor(private readonly ledger: LedgerWriter) {}

  execute({ ctx, officerId, body }: RecordPolicyReviewCommand): Promise<WriteResult> {
    return this.ledger.officerCommand(ctx, officerId, RECORD_POLICY_REVIEW, body);
  }
}

@Controller('agencies/:agencyId/officers/:officerId/policy-reviews')
export class RecordPolicyReviewController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  record(@Param() path: OfficerPath, @Body() body: RecordPolicyReviewDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new RecordPolicyReviewCommand(ctx, path.officerId, body));
  }
}
