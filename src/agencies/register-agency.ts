/** Slice: register an agency (AgencyRegistered), creating its stream. CLI only: `agency create --id --name`. */
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AgencyDecision } from '../write/decision';
import { LedgerWriter, WriteContext, WriteResult } from '../write/ledger-writer';
import { Conflict } from '../write/refusals';
import type { AgencyWriteSlice } from '../write/write-slice';

/** The decision: the agency's stream must not exist yet. */
export const REGISTER_AGENCY: AgencyDecision<{ name: string }> = {
  creates: true,
  event: ({ name }, { agencyId }) => ({ type: 'AgencyRegistered', data: { agencyId, name } }),
  decide(input, { agency }, target) {
    if (agency.revision >= 0) return new Conflict([`agencyId: agency ${target.agencyId} is already registered`]);
    return REGISTER_AGENCY.event(input, target);
  },
};

export class RegisterAgencyCommand extends Command<WriteResult> {
  constructor(
    readonly ctx: WriteContext,
    readonly name: string,
  ) {
    super();
  }
}

@CommandHandler(RegisterAgencyCommand)
export class RegisterAgencyHandler implements ICommandHandler<RegisterAgencyCommand> {
  constructor(private readonly ledger: LedgerWriter) {}

  execute({ ctx, name }: RegisterAgencyCommand): Promise<WriteResult> {
    return this.ledger.agencyCommand(ctx, REGISTER_AGENCY, { name });
  }
}

/** The slice, as src/write-slices.ts lists it (docs/decisions.md W41): no route, so not in the import either. */
export const REGISTER_AGENCY_SLICE = {
  name: 'RegisterAgency',
  scope: 'agency',
  pathFields: [],
  decision: REGISTER_AGENCY,
  handler: RegisterAgencyHandler,
} as const satisfies AgencyWriteSlice;
