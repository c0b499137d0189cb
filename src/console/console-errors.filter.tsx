/**
 * The console's exception filter (docs/reference.md#web-console), set on the console's pages by
 * its module (console.module.ts; the API has its own, src/common/http-errors.filter.ts, and a
 * request that reached no page is sent to one or the other by its path: src/http/edge-errors.filter.ts,
 * docs/decisions.md W45). Every error is answered as a page a person can read: sign-in for a session that is missing
 * or ended (and back afterwards), a 403 page naming the roles that may open the page, a page for a
 * refused form token, and 404/400 pages with the product's messages. Nothing unexpected is shown (a
 * 500 page says nothing was recorded, and the stack goes to the log).
 */
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { AuthenticationClosed } from '../auth/authentication-gate';
import { retryAfterSeconds, toHttp } from '../common/http-errors.filter';
import { CsrfRefused, RoleNotAllowed, SignInRequired, type ConsoleRequest } from './console.guard';
import { Page, renderPage, ROLE_WORDS } from './layout';

const TITLES: Record<number, string> = {
  400: 'This request could not be used',
  401: 'Sign in required',
  403: 'Not allowed',
  404: 'Not found',
  409: 'This conflicts with the records',
  413: 'Too large',
  415: 'Not a form this page takes',
  422: 'Not the same request',
  429: 'Too many attempts',
  503: 'Not available now',
};

@Catch()
export class ConsoleErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Console');

  catch(error: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<ConsoleRequest>();
    const path = request.path ?? request.url ?? '';
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) {
      response.end();
      return;
    }
    if (error instanceof SignInRequired) {
      response.redirect(303, `/sign-in?next=${encodeURIComponent(error.next)}`);
      return;
    }
    const page = (status: number, title: string, body: preact.ComponentChildren) => {
      response
        .status(status)
        .type('html')
        .send(renderPage(<Page title={title} person={request.person} csrf={request.session?.csrf}>{body}</Page>));
    };
    if (error instanceof AuthenticationClosed) {
      // A plain page, no session: the records that say who may sign in do not verify (docs/integrity.md).
      response.setHeader('Retry-After', '300');
      page(
        503,
        'Sign-in stopped',
        <>
          <h1>Sign-in is stopped: the records did not pass their integrity check</h1>
          <p>Nobody can sign in or use the console until an investigator has looked at the records. Nothing was shown or recorded.</p>
          <p>What the check found: {error.reason}.</p>
          <p>Tell your agency's administrator. An investigator can run the command-line verify, which still works, to see exactly what was altered.</p>
        </>,
      );
      return;
    }
    if (error instanceof RoleNotAllowed) {
      page(
        403,
        'Not allowed for your role',
        <>
          <h1>This page is not open to your role</h1>
          <p>
            You are signed in as {ROLE_WORDS[error.role]}. This page may be opened by: {error.allowed.map((r) => ROLE_WORDS[r]).join(', ')}.
          </p>
          <p>
            If you need it, ask an admin of your agency to change your role. <a href="/">Go to your home page</a>.
          </p>
        </>,
      );
      return;
    }
    if (error instanceof CsrfRefused) {
      page(
        403,
        'Form refused',
        <>
          <h1>This form was refused</h1>
          <p>The form did not carry this session’s security token: it may be from an older page, or it did not come from this site. Nothing was recorded.</p>
          <p>
            Go back, reload the page and try again. <a href="/">Go to your home page</a>.
          </p>
        </>,
      );
      return;
    }
    const [status, body] = toHttp(error);
    // The store could not be reached or was busy (docs/decisions.md W40): passes with time, not a bug.
    const retryAfter = retryAfterSeconds(error);
    if (retryAfter !== undefined) response.setHeader('Retry-After', String(retryAfter));
    if (retryAfter !== undefined) this.logger.warn(`${status} ${request.method} ${path}: ${error instanceof Error ? error.message : String(error)}`);
    else if (status >= 500) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    const messages = (body as { message?: string[] }).message ?? [];
    const shown =
      retryAfter !== undefined
        ? [
            'The records could not be reached just now: the connection to the database was lost, or it was busy.',
            'What you sent was recorded whole or not at all. Wait a few seconds, reload the page to see whether it is there, and if not, send it again.',
          ]
        : status >= 500
          ? ['Something went wrong on the server. Nothing was recorded; try again, and if it persists tell your administrator.']
          : messages;
    if (status === 404 && error instanceof HttpException && /^Cannot (GET|POST|HEAD)/.test(String(messages[0] ?? ''))) {
      page(
        404,
        'Page not found',
        <>
          <h1>There is no page at this address</h1>
          <p>
            <a href="/">Go to your home page</a>.
          </p>
        </>,
      );
      return;
    }
    if (status === 413 && request.method === 'POST') {
      // A file or form over the limit is refused before the form's page sees it: say what to do, and lead back to the
      // form (the browser's Back keeps what was typed; docs/decisions.md W36).
      page(
        413,
        'The file is too large',
        <>
          <h1>The file is too large</h1>
          <p>
            Nothing was recorded: {shown.join('; ')}.{' '}
            {/\/records\/certificate$/.test(request.path)
              ? 'A scanned certificate is usually well under 1 MB: scan it again at a lower resolution, or save it as a smaller PDF, and send it again.'
              : 'Split the file into smaller ones and send them one by one.'}
          </p>
          <p>
            Use your browser’s Back button to return to the form with what you typed, or{' '}
            <a href={request.path === '/import/check' ? '/import' : request.path}>open the form again</a>.
          </p>
        </>,
      );
      return;
    }
    page(
      status,
      TITLES[status] ?? 'Error',
      <>
        <h1>{TITLES[status] ?? 'Something went wrong'}</h1>
        <ul>
          {shown.map((m) => (
            <li>{m}</li>
          ))}
        </ul>
        <p>
          <a href="/">Go to your home page</a>.
        </p>
      </>,
    );
  }
}

