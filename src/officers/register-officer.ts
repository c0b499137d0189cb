/** Slice: register an officer with the agency (OfficerRegistered), creating the officer's stream and enrolling it on the roster. */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { Command, CommandBus } from '@nestjs/cqrs';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { Roles } from '../auth/roles.decorator';
import { AgencyPath } from '../common/paths';
import { IsPlainText } from '../common/plain-text';
import { IsIdentifier } from '../common/validation';
import { WriteCtx } from '../common/write-context';
import { OfficerDecision } from '../write/decision';
import { WriteContext, WriteResult } from '../write/ledger-writer';
import { Conflict } from '../write/refusals';
import { writeHandler } from '../write/write-handler';
import type { OfficerWriteSlice } from '../write/write-slice';

/** The route under /api (POST). */
const ROUTE = 'agencies/:agencyId/officers';

export class RegisterOfficerDto {
  @IsIdentifier() officerId!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) @IsPlainText() name!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(64) @IsPlainText() licenseNumber?: string;
}

/** The decision: the officer's stream must not exist yet. */
export const REGISTER_OFFICER: OfficerDecision<RegisterOfficerDto> = {
  creates: true,
  event: ({ officerId, name, licenseNumber }) => ({ type: 'OfficerRegistered', data: { officerId, name, licenseNumber } }),
  decide(input, { officer }, target) {
    if (officer.revision >= 0) return new Conflict([`officerId: officer ${input.officerId} is already registered`]);
    return REGISTER_OFFICER.event(input, target);
  },
};

export class RegisterOfficerCommand extends Command<WriteResult> {
  constructor(
    readonly ctx: WriteContext,
    readonly body: RegisterOfficerDto,
  ) {
    super();
  }
}

@Controller(ROUTE)
export class RegisterOfficerController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  register(@Param() _path: AgencyPath, @Body() body: RegisterOfficerDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new RegisterOfficerCommand(ctx, body));
  }
}

/** The slice, as src/write-slices.ts lists it (docs/decisions.md W41). */
const WRITE = {
  name: 'RegisterOfficer',
  scope: 'officer',
  route: ROUTE,
  dto: RegisterOfficerDto,
  path: AgencyPath,
  pathFields: [],
  decision: REGISTER_OFFICER,
  controller: RegisterOfficerController,
  command: RegisterOfficerCommand,
} as const;

/** Its command handler, made from it (src/write/write-handler.ts). */
export const RegisterOfficerHandler = writeHandler(WRITE);

export const REGISTER_OFFICER_SLICE = { ...WRITE, handler: RegisterOfficerHandler } as const satisfies OfficerWriteSlice;
