/** Slice: the agency's SRO contract with a school district or charter school (SroContractRecorded; 626.8482 subd. 1(c), policy "General contractual agreements"). */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { Command, CommandBus } from '@nestjs/cqrs';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsNotEmpty, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { Roles } from '../auth/roles.decorator';
import { AgencyPath } from '../common/paths';
import { IsPlainText } from '../common/plain-text';
import { IsIdentifier, IsLocalDate } from '../common/validation';
import { WriteCtx } from '../common/write-context';
import { AgencyDecision } from '../write/decision';
import { WriteContext, WriteResult } from '../write/ledger-writer';
import { Conflict, Invalid } from '../write/refusals';
import { allClauses, ContractClausesDto } from './contract-clauses';
import { writeHandler } from '../write/write-handler';
import type { AgencyWriteSlice } from '../write/write-slice';

/** The route under /api (POST). */
const ROUTE = 'agencies/:agencyId/contracts';

export class RecordContractDto {
  @IsIdentifier() contractId!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) @IsPlainText() district!: string;
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(200) @ArrayUnique() @IsString({ each: true }) @IsNotEmpty({ each: true }) @MaxLength(200, { each: true }) @IsPlainText({ each: true })
  schools!: string[];
  @IsLocalDate() effectiveFrom!: string;
  @IsOptional() @IsLocalDate() effectiveTo?: string;
  @IsOptional() @Matches(/^[0-9a-f]{64}$/, { message: 'documentSha256 must be 64 lowercase hexadecimal characters' }) documentSha256?: string;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ContractClausesDto) clauses?: ContractClausesDto;
}

/**
 * The decision: the contractId must be new (unless that contract was retracted), and its last day
 * (effectiveTo) not before its first. Dates may be in the future: a contract signed ahead of the
 * school year (decisions W19).
 */
export const RECORD_CONTRACT: AgencyDecision<RecordContractDto> = {
  event: ({ contractId, district, schools, effectiveFrom, effectiveTo, documentSha256, clauses }) => ({
    type: 'SroContractRecorded',
    data: { contractId, district, schools, effectiveFrom, effectiveTo, documentSha256, clauses: allClauses(clauses) },
  }),
  decide(input, { agency }, target) {
    if (input.effectiveTo !== undefined && input.effectiveTo < input.effectiveFrom) return new Invalid([`effectiveTo must be on or after effectiveFrom ${input.effectiveFrom}`]);
    if (agency.contracts.has(input.contractId)) return new Conflict([`contractId: contract ${input.contractId} is already recorded`]);
    return RECORD_CONTRACT.event(input, target);
  },
};

export class RecordContractCommand extends Command<WriteResult> {
  constructor(
    readonly ctx: WriteContext,
    readonly body: RecordContractDto,
  ) {
    super();
  }
}

@Controller(ROUTE)
export class RecordContractController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  record(@Param() _path: AgencyPath, @Body() body: RecordContractDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new RecordContractCommand(ctx, body));
  }
}

/** The slice, as src/write-slices.ts lists it (docs/decisions.md W41). */
const WRITE = {
  name: 'RecordContract',
  scope: 'agency',
  route: ROUTE,
  dto: RecordContractDto,
  pathFields: [],
  decision: RECORD_CONTRACT,
  controller: RecordContractController,
  command: RecordContractCommand,
} as const;

/** Its command handler, made from it (src/write/write-handler.ts). */
export const RecordContractHandler = writeHandler(WRITE);

export const RECORD_CONTRACT_SLICE = { ...WRITE, handler: RecordContractHandler } as const satisfies AgencyWriteSlice;
