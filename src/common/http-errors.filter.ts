/**
 * Maps every error to the JSON shape of docs/reference.md#errors `{statusCode, message: [...]}`
 * (`message` always an array). The product's refusals (src/write/refusals.ts, thrown by the core)
 * are answered here and nowhere else: their status (400, 404, 409, 422) with their field messages.
 * Nest's HttpExceptions (the edge's own: guard, pipes, body parser) pass through; a store revision
 * conflict becomes 409; a 4xx raised below Nest (an http-errors error from Express) keeps its
 * status with a generic message (its own may echo the input); anything unexpected is logged with
 * its stack and answered 500 without internals (a bug, never the client's fault, and never a
 * half-written record: appends are atomic). A LoggedClientError (a refused body, a failed
 * authentication) is logged as one warning line naming the status, route and source address,
 * never a stack (decisions W13). A store that cannot be reached, or whose connection broke under
 * the request (StoreUnavailableError), is a 503 with Retry-After, logged as one warning line: the
 * write it carried was recorded whole or not at all, and only the caller retries (decisions W40).
 */
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { StoreUnavailableError, WrongExpectedRevisionError } from '../store/event-store.port';
import { Refusal } from '../write/refusals';

/** A client error worth one warning line in the log (`logged: false` for a repeat not worth another). */
export class LoggedClientError extends HttpException {
  constructor(
    status: number,
    readonly messages: string[],
    readonly logged = true,
  ) {
    super({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', message: messages }, status);
  }
}

@Catch()
export class HttpErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const [status, body] = toHttp(error);
    if (error instanceof StoreUnavailableError) this.logger.warn(`503 ${http.getRequest<Request>().method} ${(http.getRequest<Request>().originalUrl ?? '').split('?')[0].slice(0, 200)}: ${error.message}`);
    else if (status >= 500) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    else if (error instanceof LoggedClientError ? error.logged : isExpressClientError(error)) {
      this.logger.warn(clientErrorLine(status, http.getRequest<Request>(), (body as { message: string[] }).message));
    }
    if (response.headersSent) {
      response.end();
      return;
    }
    const retryAfter = retryAfterSeconds(error);
    if (retryAfter !== undefined) response.setHeader('Retry-After', String(retryAfter));
    response.status(status).json(body);
  }
}

/** Seconds a client should wait before it asks again, for the errors that pass with time (a store unreachable or busy); undefined otherwise. */
export function retryAfterSeconds(error: unknown): number | undefined {
  if (error instanceof StoreUnavailableError) return STORE_RETRY_AFTER_SECONDS;
  if ((error as { code?: unknown })?.code === 'SQLITE_BUSY') return STORE_RETRY_AFTER_SECONDS;
  return undefined;
}

/** Retry-After of a 503 for a store that could not be reached (decisions W40). */
export const STORE_RETRY_AFTER_SECONDS = 2;

/** The 503 body of a store that could not be reached or lost its connection under the request. */
export const STORE_UNAVAILABLE_MESSAGE =
  'the store could not be reached or its connection broke; a write was recorded whole or not at all (nothing was half-written): try again in a few seconds, with the same Idempotency-Key to record it only once';

/** `401 POST /api/agencies/a/officers from 127.0.0.1: <messages>`: what was refused, where, from whom; never a header or the body. */
export function clientErrorLine(status: number, request: Request, messages: string[]): string {
  const path = (request.originalUrl ?? request.url ?? '').split('?')[0].slice(0, 200);
  const address = request.ip ?? request.socket?.remoteAddress ?? 'unknown';
  // The path is the client's: control characters (Node refuses them in a URL anyway) are escaped.
  return `${status} ${request.method} ${path} from ${address}: ${messages.join('; ')}`.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function isExpressClientError(error: unknown): error is { status: number } {
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
  return !(error instanceof HttpException) && !(error instanceof Refusal) && error instanceof Error && typeof status === 'number' && status >= 400 && status < 500;
}

export function toHttp(error: unknown): [number, object] {
  if (error instanceof Refusal) {
    return [error.status, { statusCode: error.status, message: error.messages, error: STATUS_CODES[error.status] }];
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const body = error.getResponse();
    if (typeof body === 'string') return [status, { statusCode: status, message: [body] }];
    const message = (body as { message?: unknown }).message;
    return [status, { statusCode: status, ...body, message: Array.isArray(message) ? message : [typeof message === 'string' ? message : (STATUS_CODES[status] ?? 'error')] }];
  }
  if (error instanceof WrongExpectedRevisionError) {
    return [
      HttpStatus.CONFLICT,
      { statusCode: 409, error: 'Conflict', message: ['the record changed while this write was being made; reload and try again'] },
    ];
  }
  if (error instanceof StoreUnavailableError) {
    return [HttpStatus.SERVICE_UNAVAILABLE, { statusCode: 503, error: 'Service Unavailable', message: [STORE_UNAVAILABLE_MESSAGE] }];
  }
  if ((error as { code?: unknown })?.code === 'SQLITE_BUSY') {
    // Another process held the SQLite write lock past busy_timeout: nothing was written.
    return [HttpStatus.SERVICE_UNAVAILABLE, { statusCode: 503, error: 'Service Unavailable', message: ['the store is busy; nothing was recorded, try again'] }];
  }
  if (isExpressClientError(error)) {
    const status = error.status;
    return [status, { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message: [`the request was refused (${STATUS_CODES[status] ?? status})`] }];
  }
  return [HttpStatus.INTERNAL_SERVER_ERROR, { statusCode: 500, error: 'Internal Server Error', message: ['unexpected error; nothing was recorded'] }];
}
