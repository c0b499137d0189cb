/**
 * The command handler of a write slice, made from its descriptor (docs/decisions.md W41): every
 * route's command is `(ctx, ...path fields, body)`, and its decision's input is the body with the
 * path's fields besides the officer (as the import gives it), so no slice writes this by hand.
 * A slice whose handler does more (a certificate's uploaded file) keeps its own class.
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommand } from '@nestjs/cqrs';
import type { AgencyDecision, OfficerDecision } from './decision';
import { LedgerWriter, type WriteContext, type WriteResult } from './ledger-writer';
import type { PathField } from './write-slice';

/** A write command as every route builds it: who writes, the path's fields, the body. */
export type PathCommand = ICommand & { readonly ctx: WriteContext; readonly body: object } & { readonly [F in PathField]?: string };

/** The handler's class: what the app module provides, and what a test constructs with a writer. */
export type WriteHandlerClass<C> = new (ledger: LedgerWriter) => { execute(command: C): Promise<WriteResult> };

/** What the handler needs of the slice: its name, its command, its scope and decision, its path fields. */
export type HandledWrite<C> = { name: string; command: new (...args: never[]) => C; pathFields: readonly PathField[] } & (
  | { scope: 'officer'; decision: OfficerDecision<never> }
  | { scope: 'agency'; decision: AgencyDecision<never> }
);

export function writeHandler<C extends PathCommand>(write: HandledWrite<C>): WriteHandlerClass<C> {
  @CommandHandler(write.command)
  class SliceWriteHandler {
    constructor(@Inject(LedgerWriter) private readonly ledger: LedgerWriter) {}

    execute(command: C): Promise<WriteResult> {
      const input: Record<string, unknown> = { ...command.body };
      for (const field of write.pathFields) if (field !== 'officerId') input[field] = command[field];
      if (write.scope === 'agency') return this.ledger.agencyCommand(command.ctx, write.decision as AgencyDecision<unknown>, input);
      // The registration names its officer in the body; every other officer's write in the path.
      const officerId = write.pathFields.includes('officerId') ? (command.officerId as string) : String((command.body as { officerId?: unknown }).officerId);
      return this.ledger.officerCommand(command.ctx, officerId, write.decision as OfficerDecision<unknown>, input);
    }
  }
  Object.defineProperty(SliceWriteHandler, 'name', { value: `${write.name}Handler` });
  return SliceWriteHandler;
}
