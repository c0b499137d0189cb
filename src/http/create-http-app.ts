/** Builds the HTTP application exactly as `serve` runs it; the end-to-end tests use the same function. */
import { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { AppModule, AppOptions } from '../app.module';
import { ForbiddenKeysPipe } from '../common/forbidden-keys';
import { createValidationPipe } from '../common/validation';
import { jsonLimitBytes } from '../config';
import { CheckpointService } from '../ledger/checkpoint-service';
import { IntegrityMonitor } from '../ledger/integrity-monitor';
import { LEDGER_OPTIONS, type LedgerOptions } from '../ledger/ledger-options';
import { ProjectionRunner } from '../read-models/projection-runner';
import { jsonBody } from './json-body';

export async function createHttpApp(
  options: AppOptions & { logger?: LogLevel[] | false | LoggerService },
): Promise<INestApplication> {
  const limitBytes = jsonLimitBytes(process.env);
  // Nest's own parsers (JSON at 100 KB, and form-encoded bodies) are replaced by jsonBody below.
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(options), {
    logger: options.logger ?? ['warn', 'error'],
    bodyParser: false,
  });
  app.disable('x-powered-by');
  app.use(securityHeaders());
  app.use(jsonBody({ limitBytes }));
  app.setGlobalPrefix('api');
  app.useGlobalPipes(new ForbiddenKeysPipe(createValidationPipe()));
  app.enableShutdownHooks();
  // The server keeps the read models up to date in the background; queries also catch up first.
  try {
    // The signing key is created (0600) or checked first: a key others can read refuses the start.
    app.get(CheckpointService).start();
  } catch (err) {
    await app.close();
    throw err;
  }
  app.get(ProjectionRunner).start();
  app.get(IntegrityMonitor).start(app.get<LedgerOptions>(LEDGER_OPTIONS).verifyIntervalMs);
  return app;
}

/**
 * helmet with a CSP for a JSON API (nothing may load, frame or be framed), and `Cache-Control:
 * no-store` on every answer: the answers carry personnel records (decisions W13). The web
 * console (SPEC §4a), when it comes, needs its own CSP for its pages.
 */
function securityHeaders() {
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
    },
    frameguard: { action: 'deny' },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    headers(req, res, next);
  };
}
