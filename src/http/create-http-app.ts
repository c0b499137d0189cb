/** Builds the HTTP application exactly as `serve` runs it; the end-to-end tests use the same function. */
import { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { AppModule, AppOptions } from '../app.module';
import { ForbiddenKeysPipe } from '../common/forbidden-keys';
import { createValidationPipe } from '../common/validation';
import { loadConfig } from '../config';
import { AuthenticationGate } from '../auth/authentication-gate';
import { CheckpointService } from '../ledger/checkpoint-service';
import { ProcessorRunner } from '../processors/processor-runner';
import { IntegrityMonitor } from '../ledger/integrity-monitor';
import { LEDGER_OPTIONS, type LedgerOptions } from '../ledger/ledger-options';
import { ProjectionRunner } from '../read-models/projection-runner';
import { consoleRoutes, UPLOAD_ROUTES } from '../console';
import { CsrfRefused } from '../console/console.guard';
import { SessionStore, type Session } from '../console/sessions';
import { uploadFileFilter, uploadSession } from '../console/upload-gate';
import { AccessRegistry } from '../auth/access-registry';
import multer from 'multer';
import { LoggedClientError } from '../common/http-errors.filter';
import { jsonBody } from './json-body';
import { buildOpenApiDocument, serveOpenApi } from './openapi';
import { ServerLogger } from './request-log';

/**
 * `logger`: Nest's own logger (tests, the bench) and no request log, unless `requestLog` is given
 * too. Without `logger` (`serve`): the request log at SRO_LOG_LEVEL in SRO_LOG_FORMAT, which
 * Nest's messages go to as well.
 */
export async function createHttpApp(
  options: AppOptions & { logger?: LogLevel[] | false | LoggerService },
): Promise<INestApplication> {
  const config = loadConfig(process.env);
  const limitBytes = config.jsonLimitBytes;
  const requestLog = options.requestLog ?? (options.logger === undefined ? { level: config.logLevel, format: config.logFormat } : undefined);
  // Nest's own parsers (JSON at 100 KB, and form-encoded bodies) are replaced by jsonBody below.
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register({ ...options, requestLog }), {
    logger: options.logger ?? ['warn', 'error'],
    bodyParser: false,
    bufferLogs: requestLog !== undefined && options.logger === undefined,
  });
  if (requestLog && options.logger === undefined) app.useLogger(app.get(ServerLogger));
  app.disable('x-powered-by');
  // Which proxies are believed about the client's address and scheme (SRO_TRUST_PROXY; docs/console.md):
  // the limits count request.ip, and the session cookie is Secure and __Host- when request.secure.
  app.set('trust proxy', config.trustProxy);
  app.use(securityHeaders());
  // The API takes JSON (jsonBody); the console's pages take their own forms (formBody).
  const json = jsonBody({ limitBytes });
  const form = formBody(app.get(SessionStore), app.get(AccessRegistry));
  app.use((req: Request, res: Response, next: NextFunction) => (isApi(req) ? json(req, res, next) : form(req, res, next)));
  // The console's pages are at / (docs/reference.md#web-console); everything else is under /api.
  app.setGlobalPrefix('api', { exclude: consoleRoutes() });
  app.useGlobalPipes(new ForbiddenKeysPipe(createValidationPipe()));
  // The API's OpenAPI document (/api/openapi.json) and Swagger UI (/api/docs), from the controllers and DTOs.
  serveOpenApi(app, buildOpenApiDocument(app));
  app.enableShutdownHooks();
  // The server keeps the read models up to date in the background; queries also catch up first.
  try {
    // The signing key is created (0600) or checked first: a key others can read refuses the start.
    await app.get(CheckpointService).start();
  } catch (err) {
    await app.close();
    throw err;
  }
  app.get(ProjectionRunner).start();
  app.get(IntegrityMonitor).start(app.get<LedgerOptions>(LEDGER_OPTIONS).verifyIntervalMs);
  // The side effects (src/processors): checkpoint signing on the leading server, the background verification on each.
  app.get(ProcessorRunner).start();
  // The ledger verified once before any token or sign-in is answered (authentication waits for it; docs/integrity.md).
  app.get(AuthenticationGate).start().catch(() => undefined);
  return app;
}

const isApi = (req: Request): boolean => req.path === '/api' || req.path.startsWith('/api/');

/**
 * helmet with a CSP for a JSON API (nothing may load, frame or be framed), and `Cache-Control:
 * no-store` on every answer: the answers carry personnel records (decisions W13). The console's
 * pages get their own CSP: the page's own stylesheet and nothing else (no script at all, no
 * inline style, forms only to this site, never framed; decisions W20).
 */
function securityHeaders() {
  const common = { frameguard: { action: 'deny' as const }, referrerPolicy: { policy: 'no-referrer' as const } };
  const api = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
    },
    ...common,
  });
  const pages = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], styleSrc: ["'self'"], imgSrc: ["'self'"], formAction: ["'self'"], frameAncestors: ["'none'"], baseUri: ["'none'"] },
    },
    ...common,
  });
  // Swagger UI (/api/docs): its own scripts and stylesheet, its inline styles, and the document from this site; still never framed.
  const docs = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], scriptSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:'], connectSrc: ["'self'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
    },
    ...common,
  });
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    (req.path === '/api/docs' || req.path.startsWith('/api/docs/') ? docs : isApi(req) ? api : pages)(req, res, next);
  };
}

/**
 * The console's form bodies: URL-encoded only, at most 64 KB and 200 fields; anything else is
 * refused before a page sees it. A multipart upload (UPLOAD_ROUTES) is read only for a signed-in
 * person whose role may use the form, and its file only after the form's CSRF token
 * (src/console/upload-gate.ts): anyone else's body is never read, the response closes the
 * connection, and the console guard answers as for an empty form (docs/decisions.md W39).
 */
export const FORM_LIMIT_BYTES = 64 * 1024;
function formBody(sessions: SessionStore, registry: AccessRegistry) {
  const parse = express.urlencoded({ extended: false, limit: FORM_LIMIT_BYTES, parameterLimit: 200, type: () => true });
  const unread = (req: Request, res: Response, next: NextFunction) => {
    req.body = {};
    res.setHeader('Connection', 'close');
    next();
  };
  // multer fills req.body and req.file before the guard checks the form's token (again); file names are UTF-8, as browsers send them.
  const read = (req: Request, res: Response, next: NextFunction, upload: (typeof UPLOAD_ROUTES)[number], session: Session) => {
    const limits = { fileSize: upload.maxBytes, files: 1, fields: 50, fieldSize: FORM_LIMIT_BYTES, parts: 60 };
    multer({ storage: multer.memoryStorage(), defParamCharset: 'utf8', limits, fileFilter: uploadFileFilter(session) }).single(upload.field)(req, res, (err?: unknown) => {
      if (!err) {
        if (req.body === null || typeof req.body !== 'object') req.body = {};
        return next();
      }
      if (err instanceof CsrfRefused) {
        delete (req as Request & { file?: unknown }).file;
        return unread(req, res, next);
      }
      const code = (err as { code?: string }).code;
      if (code === 'LIMIT_FILE_SIZE') return next(new LoggedClientError(413, [`the file is larger than ${Math.round(upload.maxBytes / 1024 / 1024)} MB`]));
      next(new LoggedClientError(400, ['the upload could not be read']));
    });
  };
  return (req: Request, res: Response, next: NextFunction) => {
    const upload = req.method === 'POST' && req.is('multipart/form-data') ? UPLOAD_ROUTES.find((u) => u.path.test(req.path)) : undefined;
    if (upload) {
      uploadSession(req, sessions, registry, upload.roles)
        .then((session) => (session ? read(req, res, next, upload, session) : unread(req, res, next)))
        .catch(next);
      return;
    }
    const length = req.headers['content-length'];
    const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
    if (!hasBody) {
      req.body = {};
      next();
      return;
    }
    if (req.method !== 'POST') return next(new LoggedClientError(400, ['a page request does not take a body']));
    if (!req.is('application/x-www-form-urlencoded')) return next(new LoggedClientError(415, ['the console takes forms sent by its own pages (application/x-www-form-urlencoded)']));
    parse(req, res, (err?: unknown) => {
      if (err) return next(new LoggedClientError((err as { status?: number }).status === 413 ? 413 : 400, [(err as { status?: number }).status === 413 ? 'the form is too large' : 'the form could not be read']));
      if (req.body === null || typeof req.body !== 'object') req.body = {};
      next();
    });
  };
}
