/**
 * The errors of a request that reached neither the API's controllers nor the console's pages: no
 * route at that address (404), a body refused before any route (413, 415, a malformed JSON or
 * form), the upload gate's refusals. They go by path to the filter of the module the address
 * belongs to: under /api the API's (src/common/http-errors.filter.ts), anywhere else the
 * console's (src/console/console-errors.filter.tsx). A routed request is answered by its own
 * module's filter and never comes here (docs/decisions.md W45).
 */
import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Request } from 'express';
import { HttpErrorsFilter } from '../common/http-errors.filter';
import { ConsoleErrorsFilter } from '../console';

@Catch()
export class EdgeErrorsFilter implements ExceptionFilter {
  private readonly api = new HttpErrorsFilter();
  private readonly console = new ConsoleErrorsFilter();

  catch(error: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<Request>();
    const path = request.path ?? request.url ?? '';
    if (path === '/api' || path.startsWith('/api/')) this.api.catch(error, host);
    else this.console.catch(error, host);
  }
}
