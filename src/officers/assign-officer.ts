/** Slice: assign an officer to one or more schools as an SRO from a start date (OfficerAssigned). */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { Command, CommandBus } from '@nestjs/cqrs';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Roles } from '../auth/roles.decorator';
import { OfficerPath } from '../common/paths';
import { IsPlainText } from '../common/plain-text';
import { IsIdentifier, IsLocalDate } from '../common/validation';
import { WriteCtx } from '../common/write-context';
import { OfficerDecision } from '../write/decision';
import { WriteContext, WriteResult } from '../write/ledger-writer';
import { Conflict } from '../write/refusals';
import { writeHandler } from '../write/write-handler';
import type { OfficerWriteSlice } from '../write/write-slice';

/** The route under /api (POST). */
const ROUTE = 'agencies/:agencyId/officers/:officerId/assignments';

export class AssignOfficerDto {
  @IsIdentifier() assignmentId!: string;
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @ArrayUnique() @IsString({ each: true }) @IsNotEmpty({ each: true }) @MaxLength(200, { each: true }) @IsPlainText({ each: true })
  schools!: string[];
  @IsLocalDate() startDate!: string;
}

/** The decision: the assignmentId must be new. A future startDate is a planned assignment, allowed (decisions W12). */
export const ASSIGN_OFFICER: OfficerDecision<AssignOfficerDto> = {
  event: ({ assignmentId, schools, startDate }) => ({ type: 'OfficerAssigned', data: { assignmentId, schools, startDate } }),
  decide(input, { officer }, target) {
    if (officer.assignments.has(input.assignmentId)) return new Conflict([`assignmentId: assignment ${input.assignmentId} is already recorded`]);
    return ASSIGN_OFFICER.event(input, target);
  },
};

export class AssignOfficerCommand extends Command<WriteResult> {
  constructor(
    readonly ctx: WriteContext,
    readonly officerId: string,
    readonly body: AssignOfficerDto,
  ) {
    super();
  }
}

@Controller(ROUTE)
export class AssignOfficerController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  assign(@Param() path: OfficerPath, @Body() body: AssignOfficerDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new AssignOfficerCommand(ctx, path.officerId, body));
  }
}

/** The slice, as src/write-slices.ts lists it (docs/decisions.md W41). */
const WRITE = {
  name: 'AssignOfficer',
  scope: 'officer',
  route: ROUTE,
  dto: AssignOfficerDto,
  path: OfficerPath,
  pathFields: ['officerId'],
  decision: ASSIGN_OFFICER,
  controller: AssignOfficerController,
  command: AssignOfficerCommand,
} as const;

/** Its command handler, made from it (src/write/write-handler.ts). */
export const AssignOfficerHandler = writeHandler(WRITE);

export const ASSIGN_OFFICER_SLICE = { ...WRITE, handler: AssignOfficerHandler } as const satisfies OfficerWriteSlice;
