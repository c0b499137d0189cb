/**
 * Slice: the agency declares it could not provide the training before the officer took up the
 * assignment (TrainingUnavailableDeclared), which opens the six-month grace of 626.8482 subd. 3(c).
 */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { Command, CommandBus } from '@nestjs/cqrs';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Roles } from '../auth/roles.decorator';
import { AssignmentPath } from '../common/paths';
import { IsPlainText } from '../common/plain-text';
import { IsLocalDate } from '../common/validation';
import { WriteCtx } from '../common/write-context';
import { notAfterToday, OfficerDecision } from '../write/decision';
import { WriteContext, WriteResult } from '../write/ledger-writer';
import { NotFound } from '../write/refusals';
import { writeHandler } from '../write/write-handler';
import type { OfficerWriteSlice } from '../write/write-slice';

/** The route under /api (POST). */
const ROUTE = 'agencies/:agencyId/officers/:officerId/assignments/:assignmentId/training-unavailable';

export class DeclareTrainingUnavailableDto {
  @IsLocalDate() declaredOn!: string;
  @IsString() @IsNotEmpty() @MaxLength(2000) @IsPlainText() reason!: string;
}

/**
 * The decision: a declaration after today is refused first (decisions W12), then one for an
 * assignment (in the path) the officer does not have. One dated before the assignment's start is
 * allowed (decision 8).
 */
export const DECLARE_TRAINING_UNAVAILABLE: OfficerDecision<DeclareTrainingUnavailableDto & { assignmentId: string }> = {
  event: ({ assignmentId, declaredOn, reason }) => ({ type: 'TrainingUnavailableDeclared', data: { assignmentId, declaredOn, reason } }),
  decide(input, { officer }, target) {
    const future = notAfterToday('declaredOn', input.declaredOn, target.today);
    if (future) return future;
    if (!officer.assignments.has(input.assignmentId)) return new NotFound([`assignmentId: officer ${target.officerId} has no assignment ${input.assignmentId}`]);
    return DECLARE_TRAINING_UNAVAILABLE.event(input, target);
  },
};

export class DeclareTrainingUnavailableCommand extends Command<WriteResult> {
  constructor(
    readonly ctx: WriteContext,
    readonly officerId: string,
    readonly assignmentId: string,
    readonly body: DeclareTrainingUnavailableDto,
  ) {
    super();
  }
}

@Controller(ROUTE)
export class DeclareTrainingUnavailableController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  declare(@Param() path: AssignmentPath, @Body() body: DeclareTrainingUnavailableDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new DeclareTrainingUnavailableCommand(ctx, path.officerId, path.assignmentId, body));
  }
}

/** The slice, as src/write-slices.ts lists it (docs/decisions.md W41). */
const WRITE = {
  name: 'DeclareTrainingUnavailable',
  scope: 'officer',
  route: ROUTE,
  dto: DeclareTrainingUnavailableDto,
  path: AssignmentPath,
  pathFields: ['officerId', 'assignmentId'],
  decision: DECLARE_TRAINING_UNAVAILABLE,
  controller: DeclareTrainingUnavailableController,
  command: DeclareTrainingUnavailableCommand,
} as const;

/** Its command handler, made from it (src/write/write-handler.ts). */
export const DeclareTrainingUnavailableHandler = writeHandler(WRITE);

export const DECLARE_TRAINING_UNAVAILABLE_SLICE = { ...WRITE, handler: DeclareTrainingUnavailableHandler } as const satisfies OfficerWriteSlice;
