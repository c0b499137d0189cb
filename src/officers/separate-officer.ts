/**
 * Slice: the officer leaves the agency, or was registered by mistake (OfficerSeparated): off the
 * active roster, the agency report and the reminders from separatedOn on; the record and its
 * proofs stay. A retraction of the separation puts the officer back.
 */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { Command, CommandBus } from '@nestjs/cqrs';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { SEPARATION_REASONS, type SeparationReason } from '../../events/catalogue';
import { Roles } from '../auth/roles.decorator';
import { OfficerPath } from '../common/paths';
import { IsPlainText } from '../common/plain-text';
import { IsLocalDate } from '../common/validation';
import { WriteCtx } from '../common/write-context';
import { OfficerDecision } from '../write/decision';
import { WriteContext, WriteResult } from '../write/ledger-writer';
import { Conflict } from '../write/refusals';
import { writeHandler } from '../write/write-handler';
import type { OfficerWriteSlice } from '../write/write-slice';

/** The route under /api (POST). */
const ROUTE = 'agencies/:agencyId/officers/:officerId/separation';

export class SeparateOfficerDto {
  @IsLocalDate() separatedOn!: string;
  @IsIn(SEPARATION_REASONS, { message: `reason must be one of ${SEPARATION_REASONS.join(', ')}` }) reason!: SeparationReason;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(2000) @IsPlainText() note?: string;
}

/**
 * The decision: an officer is separated once (a second one is a 409 until the first is
 * retracted). A future separatedOn is a planned departure, allowed like a planned end of an
 * assignment (decisions W12, W19).
 */
export const SEPARATE_OFFICER: OfficerDecision<SeparateOfficerDto> = {
  event: ({ separatedOn, reason, note }) => ({ type: 'OfficerSeparated', data: { separatedOn, reason, note } }),
  decide(input, { officer }, target) {
    if (officer.separatedOn !== undefined) return new Conflict([`officerId: officer ${target.officerId} is already separated, on ${officer.separatedOn}`]);
    return SEPARATE_OFFICER.event(input, target);
  },
};

export class SeparateOfficerCommand extends Command<WriteResult> {
  constructor(
    readonly ctx: WriteContext,
    readonly officerId: string,
    readonly body: SeparateOfficerDto,
  ) {
    super();
  }
}

@Controller(ROUTE)
export class SeparateOfficerController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  separate(@Param() path: OfficerPath, @Body() body: SeparateOfficerDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new SeparateOfficerCommand(ctx, path.officerId, body));
  }
}

/** The slice, as src/write-slices.ts lists it (docs/decisions.md W41). */
const WRITE = {
  name: 'SeparateOfficer',
  scope: 'officer',
  route: ROUTE,
  dto: SeparateOfficerDto,
  path: OfficerPath,
  pathFields: ['officerId'],
  decision: SEPARATE_OFFICER,
  controller: SeparateOfficerController,
  command: SeparateOfficerCommand,
} as const;

/** Its command handler, made from it (src/write/write-handler.ts). */
export const SeparateOfficerHandler = writeHandler(WRITE);

export const SEPARATE_OFFICER_SLICE = { ...WRITE, handler: SeparateOfficerHandler } as const satisfies OfficerWriteSlice;
