/** Slice: the agency adopts a version of its SRO policy (SroPolicyAdopted; 626.8482 subd. 6). */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { Command, CommandBus } from '@nestjs/cqrs';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { Roles } from '../auth/roles.decorator';
import { AgencyPath } from '../common/paths';
import { IsPlainText } from '../common/plain-text';
import { IsLocalDate } from '../common/validation';
import { WriteCtx } from '../common/write-context';
import { AgencyDecision } from '../write/decision';
import { WriteContext, WriteResult } from '../write/ledger-writer';
import { Conflict } from '../write/refusals';
import { writeHandler } from '../write/write-handler';
import type { AgencyWriteSlice } from '../write/write-slice';

/** The route under /api (POST). */
const ROUTE = 'agencies/:agencyId/policies';

export class AdoptPolicyDto {
  @IsString() @IsNotEmpty() @MaxLength(64) @IsPlainText() version!: string;
  @IsLocalDate() adoptedOn!: string;
  @IsOptional() @Matches(/^[0-9a-f]{64}$/, { message: 'documentSha256 must be 64 lowercase hexadecimal characters' }) documentSha256?: string;
  /** The date of the POST Board model policy revision this version follows (e.g. 2025-10-23). */
  @IsOptional() @IsLocalDate() modelRevision?: string;
}

/**
 * The decision: the version must not be adopted already (unless that adoption was retracted). A
 * future adoptedOn is a version adopted to take effect later, allowed (decisions W12).
 */
export const ADOPT_POLICY: AgencyDecision<AdoptPolicyDto> = {
  event: ({ version, adoptedOn, documentSha256, modelRevision }) => ({ type: 'SroPolicyAdopted', data: { version, adoptedOn, documentSha256, modelRevision } }),
  decide(input, { agency }, target) {
    if (agency.policies.has(input.version)) return new Conflict([`version: policy version "${input.version}" is already adopted`]);
    return ADOPT_POLICY.event(input, target);
  },
};

export class AdoptPolicyCommand extends Command<WriteResult> {
  constructor(
    readonly ctx: WriteContext,
    readonly body: AdoptPolicyDto,
  ) {
    super();
  }
}

@Controller(ROUTE)
export class AdoptPolicyController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  adopt(@Param() _path: AgencyPath, @Body() body: AdoptPolicyDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new AdoptPolicyCommand(ctx, body));
  }
}

/** The slice, as src/write-slices.ts lists it (docs/decisions.md W41). */
const WRITE = {
  name: 'AdoptPolicy',
  scope: 'agency',
  route: ROUTE,
  dto: AdoptPolicyDto,
  pathFields: [],
  decision: ADOPT_POLICY,
  controller: AdoptPolicyController,
  command: AdoptPolicyCommand,
} as const;

/** Its command handler, made from it (src/write/write-handler.ts). */
export const AdoptPolicyHandler = writeHandler(WRITE);

export const ADOPT_POLICY_SLICE = { ...WRITE, handler: AdoptPolicyHandler } as const satisfies AgencyWriteSlice;
