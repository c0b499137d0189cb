/**
 * Slice: an import of many write commands as one command on the CommandBus (the console's CSV
 * import; the CLI calls the importer itself). The handler runs the bulk import (bulk-import.ts)
 * in the mode asked: `dry-run` checks every command as its write would and records nothing;
 * `all-or-nothing` records the whole file, or nothing when any command is refused.
 */
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { BulkImporter, type ImportCommand, type ImportReport } from './bulk-import';

export class ImportCommandsCommand extends Command<ImportReport> {
  constructor(
    readonly agencyId: string,
    readonly recordedBy: string,
    readonly commands: ImportCommand[],
    readonly mode: 'dry-run' | 'all-or-nothing',
  ) {
    super();
  }
}

@CommandHandler(ImportCommandsCommand)
export class ImportCommandsHandler implements ICommandHandler<ImportCommandsCommand> {
  constructor(private readonly importer: BulkImporter) {}

  execute({ agencyId, recordedBy, commands, mode }: ImportCommandsCommand): Promise<ImportReport> {
    return this.importer.import(commands, { agencyId, recordedBy, mode, maxReported: 5000 });
  }
}
