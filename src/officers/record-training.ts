/** Slice: a completed training course (TrainingCompleted; 626.8482 subd. 3, policy "Training"). */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { Command, CommandBus } from '@nestjs/cqrs';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { COURSES, Course } from '../../events/catalogue';
import { Roles } from '../auth/roles.decorator';
import { OfficerPath } from '../common/paths';
import { IsPlainText } from '../common/plain-text';
import { IsIdentifier, IsLocalDate } from '../common/validation';
import { WriteCtx } from '../common/write-context';
import { notAfterToday, OfficerDecision } from '../write/decision';
import { WriteContext, WriteResult } from '../write/ledger-writer';
import { Conflict } from '../write/refusals';
import { writeHandler } from '../write/write-handler';
import type { OfficerWriteSlice } from '../write/write-slice';

/** The route under /api (POST). */
const ROUTE = 'agencies/:agencyId/officers/:officerId/trainings';

export class RecordTrainingDto {
  @IsIdentifier() trainingId!: string;
  @IsIn(COURSES, { message: `course must be one of ${COURSES.join(', ')}` }) course!: Course;
  @IsLocalDate() completedOn!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) @IsPlainText() provider?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(64) @IsPlainText() courseNumber?: string;
}

/** The decision: a completion after today is refused first (decisions W12), then a trainingId already recorded. */
export const RECORD_TRAINING: OfficerDecision<RecordTrainingDto> = {
  event: ({ trainingId, course, completedOn, provider, courseNumber }) => ({
    type: 'TrainingCompleted',
    data: { trainingId, course, completedOn, provider, courseNumber },
  }),
  decide(input, { officer }, target) {
    const future = notAfterToday('completedOn', input.completedOn, target.today);
    if (future) return future;
    if (officer.trainings.has(input.trainingId)) return new Conflict([`trainingId: training ${input.trainingId} is already recorded`]);
    return RECORD_TRAINING.event(input, target);
  },
};

export class RecordTrainingCommand extends Command<WriteResult> {
  constructor(
    readonly ctx: WriteContext,
    readonly officerId: string,
    readonly body: RecordTrainingDto,
  ) {
    super();
  }
}

@Controller(ROUTE)
export class RecordTrainingController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  record(@Param() path: OfficerPath, @Body() body: RecordTrainingDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new RecordTrainingCommand(ctx, path.officerId, body));
  }
}

/** The slice, as src/write-slices.ts lists it (docs/decisions.md W41). */
const WRITE = {
  name: 'RecordTraining',
  scope: 'officer',
  route: ROUTE,
  dto: RecordTrainingDto,
  path: OfficerPath,
  pathFields: ['officerId'],
  decision: RECORD_TRAINING,
  controller: RecordTrainingController,
  command: RecordTrainingCommand,
} as const;

/** Its command handler, made from it (src/write/write-handler.ts). */
export const RecordTrainingHandler = writeHandler(WRITE);

export const RECORD_TRAINING_SLICE = { ...WRITE, handler: RecordTrainingHandler } as const satisfies OfficerWriteSlice;
