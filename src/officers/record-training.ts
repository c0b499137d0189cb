/** Slice: a completed training course (TrainingCompleted; 626.8482 subd. 3, policy "Training"). */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { COURSES, Course } from '../../events/catalogue';
import { Roles } from '../auth/roles.decorator';
import { OfficerPath } from '../common/paths';
import { IsPlainText } from '../common/plain-text';
import { IsIdentifier, IsLocalDate } from '../common/validation';
import { RECORD_TRAINING } from '../write/invariants';
import { LedgerWriter, WriteResult } from '../write/ledger-writer';
import { WriteContext, WriteCtx } from '../write/write-context';

export class RecordTrainingDto {
  @IsIdentifier() trainingId!: string;
  @IsIn(COURSES, { message: `course must be one of ${COURSES.join(', ')}` }) course!: Course;
  @IsLocalDate() completedOn!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) @IsPlainText() provider?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(64) @IsPlainText() courseNumber?: string;
}

export class RecordTrainingCommand {
  constructor(
    readonly ctx: WriteContext,
    readonly officerId: string,
    readonly body: RecordTrainingDto,
  ) {}
}

@CommandHandler(RecordTrainingCommand)
export class RecordTrainingHandler implements ICommandHandler<RecordTrainingCommand, WriteResult> {
  constructor(private readonly ledger: LedgerWriter) {}

  execute({ ctx, officerId, body }: RecordTrainingCommand): Promise<WriteResult> {
    return this.ledger.officerCommand(ctx, officerId, RECORD_TRAINING, body);
  }
}

@Controller('agencies/:agencyId/officers/:officerId/trainings')
export class RecordTrainingController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  record(@Param() path: OfficerPath, @Body() body: RecordTrainingDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new RecordTrainingCommand(ctx, path.officerId, body));
  }
}
