/** Slice: end an assignment (AssignmentEnded). The officer is no longer an SRO after endDate. */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { Command, CommandBus } from '@nestjs/cqrs';
import { Roles } from '../auth/roles.decorator';
import { AssignmentPath } from '../common/paths';
import { IsLocalDate } from '../common/validation';
import { WriteCtx } from '../common/write-context';
import { OfficerDecision } from '../write/decision';
import { WriteContext, WriteResult } from '../write/ledger-writer';
import { Conflict, Invalid, NotFound } from '../write/refusals';
import { writeHandler } from '../write/write-handler';
import type { OfficerWriteSlice } from '../write/write-slice';

/** The route under /api (POST). */
const ROUTE = 'agencies/:agencyId/officers/:officerId/assignments/:assignmentId/end';

export class EndAssignmentDto {
  @IsLocalDate() endDate!: string;
}

/**
 * The decision: the assignment (in the path) must exist and not have ended, and the end cannot
 * come before its start. A future endDate is a planned end, allowed (decisions W12).
 */
export const END_ASSIGNMENT: OfficerDecision<EndAssignmentDto & { assignmentId: string }> = {
  event: ({ assignmentId, endDate }) => ({ type: 'AssignmentEnded', data: { assignmentId, endDate } }),
  decide(input, { officer }, target) {
    const assignment = officer.assignments.get(input.assignmentId);
    if (!assignment) return new NotFound([`assignmentId: officer ${target.officerId} has no assignment ${input.assignmentId}`]);
    if (assignment.endDate) return new Conflict([`assignmentId: assignment ${input.assignmentId} already ended on ${assignment.endDate}`]);
    if (input.endDate < assignment.startDate) return new Invalid([`endDate must be on or after the assignment's startDate ${assignment.startDate}`]);
    return END_ASSIGNMENT.event(input, target);
  },
};

export class EndAssignmentCommand extends Command<WriteResult> {
  constructor(
    readonly ctx: WriteContext,
    readonly officerId: string,
    readonly assignmentId: string,
    readonly body: EndAssignmentDto,
  ) {
    super();
  }
}

@Controller(ROUTE)
export class EndAssignmentController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  end(@Param() path: AssignmentPath, @Body() body: EndAssignmentDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new EndAssignmentCommand(ctx, path.officerId, path.assignmentId, body));
  }
}

/** The slice, as src/write-slices.ts lists it (docs/decisions.md W41). */
const WRITE = {
  name: 'EndAssignment',
  scope: 'officer',
  route: ROUTE,
  dto: EndAssignmentDto,
  path: AssignmentPath,
  pathFields: ['officerId', 'assignmentId'],
  decision: END_ASSIGNMENT,
  controller: EndAssignmentController,
  command: EndAssignmentCommand,
} as const;

/** Its command handler, made from it (src/write/write-handler.ts). */
export const EndAssignmentHandler = writeHandler(WRITE);

export const END_ASSIGNMENT_SLICE = { ...WRITE, handler: EndAssignmentHandler } as const satisfies OfficerWriteSlice;
