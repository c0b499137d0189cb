/**
 * Slice: the chief files a copy of a training certificate (CertificateFiled; policy "Training":
 * the chief law enforcement officer keeps the most recent certificate). The file's SHA-256 is
 * recorded so that the copy on file can be checked against the ledger.
 */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { Roles } from '../auth/roles.decorator';
import { TrainingPath } from '../common/paths';
import { IsPlainText } from '../common/plain-text';
import { IsLocalDate } from '../common/validation';
import { FILE_CERTIFICATE } from '../write/invariants';
import { LedgerWriter, WriteResult } from '../write/ledger-writer';
import { WriteContext, WriteCtx } from '../write/write-context';

export class FileCertificateDto {
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'sha256 must be 64 hexadecimal characters' }) sha256!: string;
  @IsString() @IsNotEmpty() @MaxLength(255) @IsPlainText() fileName!: string;
  @IsLocalDate() filedOn!: string;
}

export class FileCertificateCommand {
  constructor(
    readonly ctx: WriteContext,
    readonly officerId: string,
    readonly trainingId: string,
    readonly body: FileCertificateDto,
  ) {}
}

@CommandHandler(FileCertificateCommand)
export class FileCertificateHandler implements ICommandHandler<FileCertificateCommand, WriteResult> {
  constructor(private readonly ledger: LedgerWriter) {}

  execute({ ctx, officerId, trainingId, body }: FileCertificateCommand): Promise<WriteResult> {
    const { sha256, fileName, filedOn } = body;
    return this.ledger.officerCommand(ctx, officerId, FILE_CERTIFICATE, { trainingId, sha256, fileName, filedOn });
  }
}

@Controller('agencies/:agencyId/officers/:officerId/trainings/:trainingId/certificate')
export class FileCertificateController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  file(@Param() path: TrainingPath, @Body() body: FileCertificateDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new FileCertificateCommand(ctx, path.officerId, path.trainingId, body));
  }
}
