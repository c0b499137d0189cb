/**
 * Maps every error to the SPEC §4 JSON shape. Nest's HttpExceptions pass through; a store
 * revision conflict becomes 409; anything unexpected is logged with its stack and answered 500
 * without internals (a bug, never the client's fault, and never a half-written record: appends
 * are atomic).
 */
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { WrongExpectedRevisionError } from '../store/event-store.port';

@Catch()
export class HttpErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const [status, body] = toHttp(error);
    if (status >= 500) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    response.status(status).json(body);
  }
}

export function toHttp(error: unknown): [number, object] {
  if (error instanceof HttpException) {
    const body = error.getResponse();
    return [error.getStatus(), typeof body === 'string' ? { statusCode: error.getStatus(), message: [body] } : body];
  }
  if (error instanceof WrongExpectedRevisionError) {
    return [
      HttpStatus.CONFLICT,
      { statusCode: 409, error: 'Conflict', message: ['the record changed while this write was being made; reload and try again'] },
    ];
  }
  if ((error as { code?: unknown })?.code === 'SQLITE_BUSY') {
    // Another process held the SQLite write lock past busy_timeout: nothing was written.
    return [HttpStatus.SERVICE_UNAVAILABLE, { statusCode: 503, error: 'Service Unavailable', message: ['the store is busy; nothing was recorded, try again'] }];
  }
  return [HttpStatus.INTERNAL_SERVER_ERROR, { statusCode: 500, error: 'Internal Server Error', message: ['unexpected error; nothing was recorded'] }];
}
