/** Slice: an SRO contract ends early (SroContractEnded): endedOn is its last day in force. */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { Command, CommandBus } from '@nestjs/cqrs';
import { Roles } from '../auth/roles.decorator';
import { ContractPath } from '../common/paths';
import { IsLocalDate } from '../common/validation';
import { WriteCtx } from '../common/write-context';
import { AgencyDecision } from '../write/decision';
import { WriteContext, WriteResult } from '../write/ledger-writer';
import { Conflict, Invalid, NotFound } from '../write/refusals';
import { writeHandler } from '../write/write-handler';
import type { AgencyWriteSlice } from '../write/write-slice';

/** The route under /api (POST). */
const ROUTE = 'agencies/:agencyId/contracts/:contractId/end';

export class EndContractDto {
  @IsLocalDate() endedOn!: string;
}

/** The decision: the contract (in the path) must exist and not have ended, and the end cannot come before its start. */
export const END_CONTRACT: AgencyDecision<EndContractDto & { contractId: string }> = {
  event: ({ contractId, endedOn }) => ({ type: 'SroContractEnded', data: { contractId, endedOn } }),
  decide(input, { agency }, target) {
    const contract = agency.contracts.get(input.contractId);
    if (!contract) return new NotFound([`contractId: agency ${target.agencyId} has no contract ${input.contractId}`]);
    if (contract.endedOn) return new Conflict([`contractId: contract ${input.contractId} already ended on ${contract.endedOn}`]);
    if (input.endedOn < contract.effectiveFrom) return new Invalid([`endedOn must be on or after the contract's effectiveFrom ${contract.effectiveFrom}`]);
    return END_CONTRACT.event(input, target);
  },
};

export class EndContractCommand extends Command<WriteResult> {
  constructor(
    readonly ctx: WriteContext,
    readonly contractId: string,
    readonly body: EndContractDto,
  ) {
    super();
  }
}

@Controller(ROUTE)
export class EndContractController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  end(@Param() path: ContractPath, @Body() body: EndContractDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new EndContractCommand(ctx, path.contractId, body));
  }
}

/** The slice, as src/write-slices.ts lists it (docs/decisions.md W41). */
const WRITE = {
  name: 'EndContract',
  scope: 'agency',
  route: ROUTE,
  dto: EndContractDto,
  path: ContractPath,
  pathFields: ['contractId'],
  decision: END_CONTRACT,
  controller: EndContractController,
  command: EndContractCommand,
} as const;

/** Its command handler, made from it (src/write/write-handler.ts). */
export const EndContractHandler = writeHandler(WRITE);

export const END_CONTRACT_SLICE = { ...WRITE, handler: EndContractHandler } as const satisfies AgencyWriteSlice;
