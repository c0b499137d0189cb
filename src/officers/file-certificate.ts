/**
 * Slice: the chief files a copy of a training certificate (CertificateFiled; policy "Training":
 * the chief law enforcement officer keeps the most recent certificate), and gets it back.
 *
 * - `POST .../trainings/:trainingId/certificate` with JSON `{sha256, fileName, filedOn}` records
 *   the hash of a file kept elsewhere; with `multipart/form-data` (the PDF in the part `file`,
 *   `filedOn` as a field) the server checks that the bytes are a PDF (certificate-file.ts and
 *   src/common/pdf-check.ts; else 415, or 413/422 for a file that inflates too far or is too
 *   complex to read in a bounded check), computes the SHA-256 itself, and stores the file under it in the same transaction as
 *   the event (`fileStored: true`; EventStore.readFile).
 * - `GET` on the same path returns the stored PDF of the training's latest certificate, byte for
 *   byte, after checking it against the SHA-256 its event recorded: a file that no longer matches
 *   is refused (409), never served.
 */
import {
  CallHandler,
  Controller,
  ExecutionContext,
  Get,
  Inject,
  Injectable,
  NestInterceptor,
  Param,
  Post,
  Req,
  Res,
  UseInterceptors,
  Body,
} from '@nestjs/common';
import { Command, CommandBus, CommandHandler, ICommandHandler, IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import type { Request, Response } from 'express';
import multer from 'multer';
import { Roles } from '../auth/roles.decorator';
import { LoggedClientError } from '../common/http-errors.filter';
import { TrainingPath } from '../common/paths';
import { IsPlainText } from '../common/plain-text';
import { IsLocalDate } from '../common/validation';
import { WriteCtx } from '../common/write-context';
import { EVENT_STORE, type EventStore } from '../store/event-store.port';
import { notAfterToday, OfficerDecision } from '../write/decision';
import { LedgerWriter, WriteContext, WriteResult } from '../write/ledger-writer';
import { LedgerReader } from '../read/ledger-reader';
import { Conflict, Invalid, NotFound } from '../write/refusals';
import { checkedCertificate, MAX_CERTIFICATE_BYTES, sha256Of } from './certificate-file';
import type { OfficerWriteSlice } from '../write/write-slice';

/** The route under /api (POST). */
const ROUTE = 'agencies/:agencyId/officers/:officerId/trainings/:trainingId/certificate';

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
export const FILE_CERTIFICATE: OfficerDecision<FileCertificateDto & { trainingId: string; fileStored?: boolean }> = {
  event: ({ trainingId, sha256, fileName, filedOn, fileStored }) => ({
    type: 'CertificateFiled',
    data: { trainingId, sha256: sha256.toLowerCase(), fileName, filedOn, ...(fileStored ? { fileStored: true } : {}) },
  }),
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
    /** The uploaded PDF (already checked to be one): stored with the event, under its SHA-256. */
    readonly file?: { bytes: Buffer },
  ) {
    super();
  }
}

@CommandHandler(FileCertificateCommand)
export class FileCertificateHandler implements ICommandHandler<FileCertificateCommand> {
  constructor(private readonly ledger: LedgerWriter) {}

  execute({ ctx, officerId, trainingId, body, file }: FileCertificateCommand): Promise<WriteResult> {
    const { fileName, filedOn } = body;
    if (!file) return this.ledger.officerCommand(ctx, officerId, FILE_CERTIFICATE, { trainingId, sha256: body.sha256, fileName, filedOn });
    // The hash of an uploaded file is the server's own, of the bytes it stores.
    const sha256 = sha256Of(file.bytes);
    return this.ledger.officerCommand(ctx, officerId, FILE_CERTIFICATE, { trainingId, sha256, fileName, filedOn, fileStored: true }, [{ sha256, bytes: file.bytes }]);
  }
}

/** The stored file of a training's latest certificate, checked against its event's SHA-256. */
export interface CertificateFileView {
  eventId: string;
  fileName: string;
  sha256: string;
  filedOn: string;
  recordedAt: string;
  recordedBy: string;
  bytes: Buffer;
}

export class GetCertificateFileQuery {
  constructor(
    readonly agencyId: string,
    readonly officerId: string,
    readonly trainingId: string,
  ) {}
}

@QueryHandler(GetCertificateFileQuery)
export class GetCertificateFileHandler implements IQueryHandler<GetCertificateFileQuery, CertificateFileView> {
  constructor(
    private readonly reader: LedgerReader,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ agencyId, officerId, trainingId }: GetCertificateFileQuery): Promise<CertificateFileView> {
    // The officer's stream as stored (404 for an unknown agency or officer), and the file by the hash it recorded.
    const events = await this.reader.officerStream(agencyId, officerId);
    const retracted = new Set(events.filter((e) => e.type === 'EventRetracted').map((e) => (e.data as { retractedEventId?: string }).retractedEventId));
    const filed = events.filter((e) => e.type === 'CertificateFiled' && (e.data as { trainingId?: string }).trainingId === trainingId && !retracted.has(e.eventId));
    const latest = filed[filed.length - 1];
    if (!latest) throw new NotFound([`trainingId: officer ${officerId} has no certificate filed for training ${trainingId}`]);
    const data = latest.data as { sha256: string; fileName: string; filedOn: string; fileStored?: boolean };
    if (!data.fileStored) throw new NotFound([`the certificate of training ${trainingId} was recorded by its SHA-256 only (${data.sha256}); the file itself is kept outside this ledger`]);
    const bytes = await this.store.readFile(data.sha256);
    if (!bytes) throw new Conflict([`the file of this certificate (SHA-256 ${data.sha256}) is missing from the store: it was removed after filing; run verify`]);
    if (sha256Of(bytes) !== data.sha256) {
      throw new Conflict([`the stored file no longer matches the SHA-256 recorded when it was filed (${data.sha256}): it was altered after filing, and is not served; run verify`]);
    }
    return { eventId: latest.eventId, fileName: data.fileName, sha256: data.sha256, filedOn: data.filedOn, recordedAt: latest.recordedAt, recordedBy: latest.recordedBy, bytes };
  }
}

/**
 * For a multipart request: parses the upload (one part `file`, at most 10 MB), refuses what is
 * not a PDF (415; 413/422: checkPdf), and puts the server's SHA-256 and the file's own name into the body the route's
 * DTO validates, so both forms of the request go through the same validation. A JSON request
 * passes untouched (src/http/json-body.ts parsed it).
 */
@Injectable()
export class CertificateUpload implements NestInterceptor {
  private readonly parse = multer({ storage: multer.memoryStorage(), defParamCharset: 'utf8', limits: { fileSize: MAX_CERTIFICATE_BYTES, files: 1, fields: 10, parts: 12 } }).single('file');

  async intercept(context: ExecutionContext, next: CallHandler) {
    const request = context.switchToHttp().getRequest<Request & { certificate?: Buffer }>();
    if (request.method !== 'POST' || !request.is('multipart/form-data')) return next.handle();
    await new Promise<void>((resolve, reject) =>
      this.parse(request, context.switchToHttp().getResponse<Response>(), (err?: unknown) => {
        if (!err) return resolve();
        const code = (err as { code?: string }).code;
        reject(code === 'LIMIT_FILE_SIZE' ? new LoggedClientError(413, ['file: a certificate is at most 10 MB']) : new LoggedClientError(400, [`the upload could not be read${code ? ` (${code})` : ''}`]));
      }),
    );
    const file = (request as Request & { file?: { buffer: Buffer; originalname: string } }).file;
    if (!file) throw new Invalid(['file: the PDF goes in the part named "file"']);
    const checked = await checkedCertificate(file.buffer, file.originalname);
    if ('problem' in checked) throw checked.status === 400 ? new Invalid([checked.problem]) : new LoggedClientError(checked.status, [checked.problem]);
    const fields = (request.body ?? {}) as Record<string, unknown>;
    const extra = Object.keys(fields).filter((k) => k !== 'filedOn');
    if (extra.length) throw new Invalid(extra.map((k) => `property ${k} should not exist (the upload takes the file and filedOn; the hash and the name come from the file)`));
    request.body = { sha256: checked.sha256, fileName: checked.fileName, filedOn: fields.filedOn };
    request.certificate = file.buffer;
    return next.handle();
  }
}

@Controller(ROUTE)
export class FileCertificateController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @Roles('admin')
  @UseInterceptors(CertificateUpload)
  file(@Param() path: TrainingPath, @Body() body: FileCertificateDto, @WriteCtx() ctx: WriteContext, @Req() request: Request & { certificate?: Buffer }): Promise<WriteResult> {
    const file = request.certificate ? { bytes: request.certificate } : undefined;
    return this.commands.execute(new FileCertificateCommand(ctx, path.officerId, path.trainingId, body, file));
  }

  /** The stored PDF, byte for byte (admin, chief, investigator; decisions W20 on the auditor). */
  @Get()
  @Roles('admin', 'chief', 'investigator')
  async download(@Param() path: TrainingPath, @Res() response: Response): Promise<void> {
    const view: CertificateFileView = await this.queries.execute(new GetCertificateFileQuery(path.agencyId, path.officerId, path.trainingId));
    sendCertificate(response, view);
  }
}

/**
 * The name a certificate downloads under: the recorded name, with `.pdf` added when it does not
 * already end so. The bytes are always a PDF (checked at upload), but the recorded name is the
 * uploader's and is in the immutable log: `polyglot.html` downloads as `polyglot.html.pdf`, so a
 * browser never saves a PDF that also parses as HTML under a name it would open as a page
 * (docs/decisions.md W39).
 */
export function downloadName(recorded: string): string {
  const name = recorded.trim() || 'certificate';
  return /\.pdf$/i.test(name) ? name : `${name}.pdf`;
}

/**
 * `Content-Disposition: attachment` for a file name in any script (RFC 6266): `filename*` carries
 * the name in UTF-8, percent-encoding every byte outside RFC 5987's attr-char (so `'`, `(`, `)`,
 * `*`, `%`, spaces and every non-ASCII byte; encodeURIComponent leaves `'()*` as they are);
 * `filename` is an ASCII fallback for older clients: accents dropped (é → e), other characters
 * outside printable ASCII and `"`, `\`, `%` as `_`.
 */
export function attachmentDisposition(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]|["\\%]/gu, '_');
  const encoded = [...Buffer.from(name.normalize('NFC'), 'utf8')]
    .map((byte) => (/[A-Za-z0-9!#$&+\-.^_`|~]/.test(String.fromCharCode(byte)) && byte < 0x80 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * The PDF as a download (never shown in the page's place), with its recorded SHA-256 beside it:
 * `application/pdf`, `attachment` under downloadName() (attachmentDisposition), `nosniff` so no
 * browser second-guesses the type, and a sandboxing CSP should anything still render it
 * (docs/decisions.md W39).
 */
export function sendCertificate(response: Response, view: CertificateFileView): void {
  response
    .status(200)
    .type('application/pdf')
    .setHeader('Content-Disposition', attachmentDisposition(downloadName(view.fileName)))
    .setHeader('X-Content-Type-Options', 'nosniff')
    .setHeader('Content-Security-Policy', "default-src 'none'; sandbox")
    .setHeader('X-Content-SHA256', view.sha256)
    .send(view.bytes);
}

/** The slice, as src/write-slices.ts lists it (docs/decisions.md W41). */
export const FILE_CERTIFICATE_SLICE = {
  name: 'FileCertificate',
  scope: 'officer',
  route: ROUTE,
  dto: FileCertificateDto,
  path: TrainingPath,
  pathFields: ['officerId', 'trainingId'],
  decision: FILE_CERTIFICATE,
  controller: FileCertificateController,
  command: FileCertificateCommand,
  handler: FileCertificateHandler,
  queries: [GetCertificateFileHandler],
} as const satisfies OfficerWriteSlice;
