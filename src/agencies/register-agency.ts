/** Slice: register an agency (AgencyRegistered). CLI only: `agency create --id --name`. */
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { LedgerWriter, WriteResult } from '../write/ledger-writer';
import type { WriteContext } from '../write/write-context';

export class RegisterAgencyCommand {
  constructor(
    readonly ctx: WriteContext,
    readonly name: string,
  ) {}
}

@CommandHandler(RegisterAgencyCommand)
export class RegisterAgencyHandler implements ICommandHandler<RegisterAgencyCommand, WriteResult> {
  constructor(private readonly ledger: LedgerWriter) {}

  execute({ ctx, name }: RegisterAgencyCommand): Promise<WriteResult> {
    return this.ledger.registerAgency(ctx, { type: 'AgencyRegistered', data: { agencyId: ctx.agencyId, name } });
  }
}
