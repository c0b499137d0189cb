/**
 * Slice: the agency declares it could not provide the training before the officer took up the
 * assignment (TrainingUnavailableDeclared), which opens the six-month grace of 626.8482 subd. 3(c).
 */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Roles } from '../auth/roles.decorator';
import { AssignmentPath } from '../common/paths';
import { IsPlainText } from '../common/plain-text';
import { IsLocalDate } from '../common/validation';
import { DECLARE_TRAINING_UNAVAILABLE } from '../write/invariants';
import { LedgerWriter, WriteResult } from '../write/ledger-writer';
import { WriteContext, WriteCtx } from '../write/write-context';

export class DeclareTrainingUnavailableDto {
  @IsLocalDate() declaredOn!: string;
  @IsString() @IsNotEmpty() @MaxLength(2000) @IsPlainText() reason!: string;
}

export class DeclareTrainingUnavailableCommand {
  constructor(
    readonly ctx: WriteContext,
    readonly officerId: string,
    readonly assignmentId: string,
    readonly body: DeclareTrainingUnavailableDto,
  ) {}
}

@CommandHandler(DeclareTrainingUnavailableCommand)
export class DeclareTrainingUnavailableHandler implements ICommandHandler<DeclareTrainingUnavailableCommand, WriteResult> {
  constructor(private readonly ledger: LedgerWriter) {}

  execute({ ctx, officerId, assignmentId, body }: DeclareTrainingUnavailableCommand): Promise<WriteResult> {
    return this.ledger.officerCommand(ctx, officerId, DECLARE_TRAINING_UNAVAILABLE, { assignmentId, declaredOn: body.declaredOn, reason: body.reason });
  }
}

@Controller('agencies/:agencyId/officers/:officerId/assignments/:assignmentId/training-unavailable')
export class DeclareTrainingUnavailableController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  declare(@Param() path: AssignmentPath, @Body() body: DeclareTrainingUnavailableDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new DeclareTrainingUnavailableCommand(ctx, path.officerId, path.assignmentId, body));
  }
}
