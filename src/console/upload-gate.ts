/**
 * Who may send a file to one of the console's upload forms, decided before its body is read
 * (docs/decisions.md W39). A multipart body is parsed before the console guard runs (the guard
 * needs its CSRF field), so without this gate anyone could make the server buffer 10 MB per
 * request before being refused. From the headers alone: the session cookie must name a live,
 * signed-in session of an active account whose role may use the form (the same tests as
 * ConsoleGuard); otherwise the body is not read at all and the guard answers as it would for an
 * empty form. The form's CSRF token travels in the body, before the file (each upload form puts
 * it first); uploadFileFilter refuses the file part unless the token read so far matches, so a
 * forged form's file is never kept either.
 */
import type { Request } from 'express';
import { parse as parseCookies } from 'cookie';
import type { Role } from '../../events/access';
import type { AccessRegistry } from '../auth/access-registry';
import { CsrfRefused, sessionCookieName } from './console.guard';
import { csrfMatches, type Session, type SessionStore } from './sessions';

/** The signed-in session that may upload to a form open to `roles`, or undefined (then the body is not read). */
export async function uploadSession(request: Request, sessions: SessionStore, registry: AccessRegistry, roles: readonly Role[]): Promise<Session | undefined> {
  const cookies = parseCookies(request.headers.cookie ?? '');
  const { session } = await sessions.find(cookies[sessionCookieName(request.secure)]);
  if (!session?.userId) return undefined;
  const account = await registry.account({ userId: session.userId });
  if (!account || account.disabledAt || !roles.includes(account.role)) return undefined;
  // A password set after this sign-in ends the session (ConsoleGuard says so on the next page).
  if (account.passwordSetAt !== undefined && Date.parse(account.passwordSetAt) > session.signedInAt!) return undefined;
  return session;
}

/** multer's fileFilter: the file part is read only when the fields before it carried the session's CSRF token. */
export function uploadFileFilter(session: Session) {
  return (request: Request, _file: unknown, accept: (error: Error | null, take?: boolean) => void): void => {
    if (csrfMatches(session, (request.body as Record<string, unknown> | undefined)?._csrf)) accept(null, true);
    else accept(new CsrfRefused());
  };
}
