/**
 * The console's guard (docs/reference.md#web-console; docs/decisions.md W20): every page request
 * gets a session (anonymous until sign-in, for the CSRF token of its forms); every POST must carry
 * that session's token; a page for signed-in people sends others to sign-in and back; the account
 * is read from the access stream on every request, so a disabled account, a role change or a new
 * password takes effect on the next request; a role the page does not allow gets a 403 page naming
 * the roles that may.
 *
 * The bearer-token guard (src/auth/auth.guard.ts) does not apply: it is the API module's
 * (src/api.module.ts), and a console controller is declared with @ConsoleController (console-page.ts),
 * which puts this guard on it (docs/decisions.md W45).
 */
import { CanActivate, ExecutionContext, Injectable, Logger, Optional, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { parse as parseCookies } from 'cookie';
import type { Role } from '../../events/access';
import { AccessRegistry } from '../auth/access-registry';
import { IntegrityMonitor } from '../ledger/integrity-monitor';
import { AuthenticationGate } from '../auth/authentication-gate';
import type { Person } from './layout';
import { csrfMatches, Session, SessionStore } from './sessions';

export interface ConsoleRequest extends Request {
  session?: Session;
  person?: Person;
}

const CONSOLE_ROLES = 'sro:console-roles';
/** The roles that may open a page; without it the page is open to everyone (sign-in, setup, links). */
export const ConsoleRoles = (...roles: Role[]) => SetMetadata(CONSOLE_ROLES, roles);

/** Not signed in (or the session ended): to sign-in, then back to `next`. */
export class SignInRequired extends Error {
  constructor(
    readonly next: string,
    readonly notice?: string,
  ) {
    super('sign-in required');
  }
}

/** A signed-in person whose role may not open the page. */
export class RoleNotAllowed extends Error {
  constructor(
    readonly role: Role,
    readonly allowed: Role[],
  ) {
    super(`role ${role} may not open this page`);
  }
}

/** A POST without this session's CSRF token. */
export class CsrfRefused extends Error {
  constructor() {
    super('the form did not carry this session’s token');
  }
}

/** The session cookie: `__Host-` prefixed and Secure when the page was served over HTTPS. */
export const sessionCookieName = (secure: boolean): string => (secure ? '__Host-sro_session' : 'sro_session');

export function setSessionCookie(request: Request, response: Response, value: string): void {
  response.cookie(sessionCookieName(request.secure), value, { httpOnly: true, sameSite: 'lax', secure: request.secure, path: '/' });
}

const EXPIRED_NOTICE = {
  idle: 'Your session ended after 30 minutes without use. Sign in again to go back to the page you were on.',
  absolute: 'Your session ended 12 hours after you signed in. Sign in again to go back to the page you were on.',
};

@Injectable()
export class ConsoleGuard implements CanActivate {
  private readonly logger = new Logger('ConsoleGuard');
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionStore,
    private readonly registry: AccessRegistry,
    private readonly gate: AuthenticationGate,
    @Optional() private readonly integrity?: IntegrityMonitor,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // A store that does not verify: no page, no session, no sign-in; a 503 page says why (authentication-gate.ts).
    await this.gate.check();
    const request = context.switchToHttp().getRequest<ConsoleRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    const cookies = parseCookies(request.headers.cookie ?? '');
    const found = await this.sessions.find(cookies[sessionCookieName(request.secure)]);
    let session = found.session;
    if (!session) {
      const created = await this.sessions.create();
      session = created.session;
      if (found.expired) session.notice = EXPIRED_NOTICE[found.expired];
      setSessionCookie(request, response, created.cookie);
    }
    request.session = session;
    this.saveBeforeTheEnd(request, response);

    if (request.method === 'POST' && !csrfMatches(session, (request.body as Record<string, unknown> | undefined)?._csrf)) throw new CsrfRefused();

    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(CONSOLE_ROLES, [context.getHandler(), context.getClass()]);
    if (session.userId) {
      const account = await this.registry.account({ userId: session.userId });
      const passwordChanged = account?.passwordSetAt !== undefined && Date.parse(account.passwordSetAt) > session.signedInAt!;
      if (!account || account.disabledAt || passwordChanged) {
        await this.sessions.end(session);
        // A disabled account ends every session it has, on every server (docs/decisions.md W55).
        if (account?.disabledAt) await this.sessions.endAllOf(account.userId);
        const fresh = await this.sessions.create();
        fresh.session.notice = account?.disabledAt ? 'Your account has been disabled. Ask an admin of your agency.' : 'Your password was changed: sign in again.';
        await this.sessions.save(fresh.session);
        setSessionCookie(request, response, fresh.cookie);
        request.session = fresh.session;
        if (allowed) throw new SignInRequired(request.method === 'GET' ? request.originalUrl : '/');
        return true;
      }
      request.person = { userId: account.userId, agencyId: account.agencyId, role: account.role, name: account.name, email: account.email, ledgerAlarm: this.integrity?.alarm() };
    }
    if (!allowed) return true;
    if (!request.person) {
      const notice = session.notice;
      throw new SignInRequired(request.method === 'GET' ? request.originalUrl : '/', notice);
    }
    if (!allowed.includes(request.person.role)) throw new RoleNotAllowed(request.person.role, allowed);
    return true;
  }

  /**
   * The session's page state (a notice, a checked file, a pending provider sign-in) is written
   * before the answer ends, as express-session does: the next request, on any server, finds it
   * (docs/decisions.md W55). The end is held only for that write; a failed write is logged.
   */
  private saveBeforeTheEnd(request: ConsoleRequest, response: Response): void {
    const end = response.end.bind(response) as (...args: unknown[]) => Response;
    let held = false;
    (response as { end: unknown }).end = (...args: unknown[]) => {
      if (held) return end(...args);
      held = true;
      const session = request.session;
      if (!session) return end(...args);
      this.sessions.save(session).then(
        () => end(...args),
        (error: Error) => {
          this.logger.error(`the session could not be saved: ${error.message}`);
          end(...args);
        },
      );
      return response;
    };
  }
}

/** A `next` target that stays on this site: a path, never `//host` or a scheme. */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || /[\u0000-\u001f]/.test(next)) return '/';
  if (next.startsWith('/sign-in') || next.startsWith('/sign-out')) return '/';
  return next.slice(0, 2000);
}
