/**
 * Slice: the chief files a copy of a training certificate (CertificateFiled; policy "Training":
 * the chief law enforcement officer keeps the most recent certificate). The file's SHA-256 is
 * recorded so that the copy on file can be checked against the ledger.
 */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { Command, CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { Roles } from '../auth/roles.decorator';
import { TrainingPath } from '../common/paths';
import { IsPlainText } from '../common/plain-text';
import { IsLocalDate } from '../common/validation';
import { WriteCtx } from '../http/write-context';
import { notAfterToday, OfficerDecision } from '../write/decision';
import { LedgerWriter, WriteContext, WriteResult } from '../write/ledger-writer';
import { Invalid, NotFound } from '../write/refusals';

export class FileCertificateDto {
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'sha256 must be 64 hexadecimal characters' }) sha256!: string;
  @IsString() @IsNotEmpty() @MaxLength(255) @IsPlainText() fileName!: string;
  @IsLocalDate() filedOn!: string;
}

/**
 * The decision: a filing after today is refused first (decisions W12), then one for a training
 * (in the path) the officer does not have (a retracted one included), then one dated before the
 * course was completed: a certificate attests a completed course.
 */
export const FILE_CERTIFICATE: OfficerDecision<FileCertificateDto & { trainingId: string }> = {
  event: ({ trainingId, sha256, fileName, filedOn }) => ({ type: 'CertificateFiled', data: { trainingId, sha256: sha256.toLowerCase(), fileName, filedOn } }),
  decide(input, { officer }, target) {
    const future = notAfterToday('filedOn', input.filedOn, target.today);
    if (future) return future;
    const training = officer.trainings.get(input.trainingId);
    if (!training) return new NotFound([`trainingId: officer ${target.officerId} has no training ${input.trainingId}`]);
    if (input.filedOn < training.completedOn) {
      return new Invalid([`filedOn must be on or after the training's completedOn ${training.completedOn} (got ${input.filedOn})`]);
    }
    return FILE_CERTIFICATE.event(input, target);
  },
};

export class FileCertificateCommand extends Command<WriteResult> {
  constructor(
    readonly ctx: WriteContext,
    readonly officerId: string,
    readonly trainingId: string,
    readonly body: FileCertificateDto,
  ) {
    super();
  }
}

@CommandHandler(FileCertificateCommand)
export class FileCertificateHandler implements ICommandHandler<FileCertificateCommand> {
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
