/** Slice: an amendment of an SRO contract (SroContractAmended): its schools, its last day or its clauses change from effectiveOn on. */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { Command, CommandBus } from '@nestjs/cqrs';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { Roles } from '../auth/roles.decorator';
import { ContractPath } from '../common/paths';
import { IsPlainText } from '../common/plain-text';
import { IsLocalDate } from '../common/validation';
import { WriteCtx } from '../common/write-context';
import { AgencyDecision } from '../write/decision';
import { WriteContext, WriteResult } from '../write/ledger-writer';
import { Conflict, Invalid, NotFound } from '../write/refusals';
import { ContractClausesDto, givenClauses } from './contract-clauses';
import { writeHandler } from '../write/write-handler';
import type { AgencyWriteSlice } from '../write/write-slice';

/** The route under /api (POST). */
const ROUTE = 'agencies/:agencyId/contracts/:contractId/amendments';

export class AmendContractDto {
  @IsLocalDate() effectiveOn!: string;
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(200) @ArrayUnique() @IsString({ each: true }) @IsNotEmpty({ each: true }) @MaxLength(200, { each: true }) @IsPlainText({ each: true })
  schools?: string[];
  @IsOptional() @IsLocalDate() effectiveTo?: string;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ContractClausesDto) clauses?: ContractClausesDto;
}

/**
 * The decision: the contract (in the path) must exist and not have ended; the amendment changes
 * something; it takes effect on or after the contract's effectiveFrom; a new last day is not
 * before effectiveOn.
 */
export const AMEND_CONTRACT: AgencyDecision<AmendContractDto & { contractId: string }> = {
  event: ({ contractId, effectiveOn, schools, effectiveTo, clauses }) => ({
    type: 'SroContractAmended',
    data: { contractId, effectiveOn, schools, effectiveTo, clauses: clauses === undefined ? undefined : givenClauses(clauses) },
  }),
  decide(input, { agency }, target) {
    const contract = agency.contracts.get(input.contractId);
    if (!contract) return new NotFound([`contractId: agency ${target.agencyId} has no contract ${input.contractId}`]);
    if (contract.endedOn) return new Conflict([`contractId: contract ${input.contractId} already ended on ${contract.endedOn}`]);
    const clauses = input.clauses === undefined ? {} : givenClauses(input.clauses);
    if (input.schools === undefined && input.effectiveTo === undefined && Object.keys(clauses).length === 0) {
      return new Invalid(['schools, effectiveTo or clauses must be given: the amendment names what changes']);
    }
    if (input.effectiveOn < contract.effectiveFrom) return new Invalid([`effectiveOn must be on or after the contract's effectiveFrom ${contract.effectiveFrom}`]);
    if (input.effectiveTo !== undefined && input.effectiveTo < input.effectiveOn) return new Invalid([`effectiveTo must be on or after effectiveOn ${input.effectiveOn}`]);
    return AMEND_CONTRACT.event(input, target);
  },
};

export class AmendContractCommand extends Command<WriteResult> {
  constructor(
    readonly ctx: WriteContext,
    readonly contractId: string,
    readonly body: AmendContractDto,
  ) {
    super();
  }
}

@Controller(ROUTE)
export class AmendContractController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  amend(@Param() path: ContractPath, @Body() body: AmendContractDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new AmendContractCommand(ctx, path.contractId, body));
  }
}

/** The slice, as src/write-slices.ts lists it (docs/decisions.md W41). */
const WRITE = {
  name: 'AmendContract',
  scope: 'agency',
  route: ROUTE,
  dto: AmendContractDto,
  path: ContractPath,
  pathFields: ['contractId'],
  decision: AMEND_CONTRACT,
  controller: AmendContractController,
  command: AmendContractCommand,
} as const;

/** Its command handler, made from it (src/write/write-handler.ts). */
export const AmendContractHandler = writeHandler(WRITE);

export const AMEND_CONTRACT_SLICE = { ...WRITE, handler: AmendContractHandler } as const satisfies AgencyWriteSlice;
