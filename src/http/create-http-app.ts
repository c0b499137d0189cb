/** Builds the HTTP application exactly as `serve` runs it; the end-to-end tests use the same function. */
import { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule, AppOptions } from '../app.module';
import { createValidationPipe } from '../common/validation';
import { CheckpointService } from '../ledger/checkpoint-service';
import { IntegrityMonitor } from '../ledger/integrity-monitor';
import { LEDGER_OPTIONS, type LedgerOptions } from '../ledger/ledger-options';
import { ProjectionRunner } from '../projections-runtime/projection-runner';

export async function createHttpApp(options: AppOptions & { logger?: LogLevel[] | false }): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.register(options), { logger: options.logger ?? ['warn', 'error'] });
  app.setGlobalPrefix('api');
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  // The server keeps the read models up to date in the background; queries also catch up first.
  app.get(ProjectionRunner).start();
  // The signing key is created (0600) or checked now: a key others can read refuses the start.
  app.get(CheckpointService).start();
  app.get(IntegrityMonitor).start(app.get<LedgerOptions>(LEDGER_OPTIONS).verifyIntervalMs);
  return app;
}
