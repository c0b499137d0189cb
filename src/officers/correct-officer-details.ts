/** Slice: correct a misspelled name or license number (OfficerDetailsCorrected). The registration stays; reads show the name as known at knownAt. */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { Command, CommandBus } from '@nestjs/cqrs';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { Roles } from '../auth/roles.decorator';
import { OfficerPath } from '../common/paths';
import { IsPlainText } from '../common/plain-text';
import { WriteCtx } from '../common/write-context';
import { OfficerDecision } from '../write/decision';
import { WriteContext, WriteResult } from '../write/ledger-writer';
import { Invalid } from '../write/refusals';
import { writeHandler } from '../write/write-handler';
import type { OfficerWriteSlice } from '../write/write-slice';

/** The route under /api (POST). */
const ROUTE = 'agencies/:agencyId/officers/:officerId/corrections';

export class CorrectOfficerDetailsDto {
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) @IsPlainText() name?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(64) @IsPlainText() licenseNumber?: string;
  @IsString() @IsNotEmpty() @MaxLength(2000) @IsPlainText() reason!: string;
}

/**
 * The decision: a correction names the name, the license number or both, and changes at least one
 * of them (the same value again would record nothing new; decisions W19).
 */
export const CORRECT_OFFICER_DETAILS: OfficerDecision<CorrectOfficerDetailsDto> = {
  event: ({ name, licenseNumber, reason }) => ({ type: 'OfficerDetailsCorrected', data: { name, licenseNumber, reason } }),
  decide(input, { officer }, target) {
    if (input.name === undefined && input.licenseNumber === undefined) return new Invalid(['name or licenseNumber must be given: the correction names what changes']);
    const changes = (input.name !== undefined && input.name !== officer.name) || (input.licenseNumber !== undefined && input.licenseNumber !== officer.licenseNumber);
    if (!changes) return new Invalid([`name and licenseNumber: officer ${target.officerId} already has these details; nothing to correct`]);
    return CORRECT_OFFICER_DETAILS.event(input, target);
  },
};

export class CorrectOfficerDetailsCommand extends Command<WriteResult> {
  constructor(
    readonly ctx: WriteContext,
    readonly officerId: string,
    readonly body: CorrectOfficerDetailsDto,
  ) {
    super();
  }
}

@Controller(ROUTE)
export class CorrectOfficerDetailsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  correct(@Param() path: OfficerPath, @Body() body: CorrectOfficerDetailsDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new CorrectOfficerDetailsCommand(ctx, path.officerId, body));
  }
}

/** The slice, as src/write-slices.ts lists it (docs/decisions.md W41). */
const WRITE = {
  name: 'CorrectOfficerDetails',
  scope: 'officer',
  route: ROUTE,
  dto: CorrectOfficerDetailsDto,
  path: OfficerPath,
  pathFields: ['officerId'],
  decision: CORRECT_OFFICER_DETAILS,
  controller: CorrectOfficerDetailsController,
  command: CorrectOfficerDetailsCommand,
} as const;

/** Its command handler, made from it (src/write/write-handler.ts). */
export const CorrectOfficerDetailsHandler = writeHandler(WRITE);

export const CORRECT_OFFICER_DETAILS_SLICE = { ...WRITE, handler: CorrectOfficerDetailsHandler } as const satisfies OfficerWriteSlice;
