/**
 * Console sessions (docs/decisions.md W20): a random 256-bit id in a cookie, the session itself
 * in this process's memory, keyed by the id's SHA-256 (a memory dump does not give the cookies).
 *
 * Why in memory: a session is a short-lived secret (30 minutes idle, 12 hours at most), not a
 * fact of the record, so it does not belong in the event log; what must be audited is in the
 * access stream (the account, its role, its password changes), and it is read on every request,
 * so a disabled account or a role change takes effect on the next one whichever process recorded
 * it. A restart signs everyone out, and several servers behind one address need sticky routing
 * (docs/decisions.md W20).
 *
 * Every visitor gets a session before signing in (an anonymous one, for the CSRF token of the
 * sign-in form); signing in replaces it with a new id (no session fixation). Anonymous sessions
 * are bounded (the oldest go first), so a flood of visits cannot exhaust memory.
 */
import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CONSOLE_OPTIONS, type ConsoleOptions } from './console-options';

export interface Session {
  /** SHA-256 of the cookie value. */
  key: string;
  /** A synchronizer token for every form of this session (OWASP CSRF cheat sheet). */
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
  /** Set once signed in. */
  userId?: string;
  signedInAt?: number;
  /** A CSV file checked and not yet committed (the import page): kept until committed, replaced or the session ends. */
  pendingImport?: { id: string; fileName: string; text: string; readAs?: string; kind?: string; columns?: Record<string, string>; courses?: Record<string, string> };
  /** A one-time message for the next page ("Signed out.", "Your session ended after 30 minutes without use."). */
  notice?: string;
  /** Refused record forms by their key, for the page the refusal redirects to (src/console/pages/record.tsx; at most 10). */
  keptForms?: Map<string, unknown>;
  /** The report of the CSV file last committed, for the page the commit redirects to (unknown shape here: src/console/pages/import.tsx). */
  committedImport?: unknown;
  /** A refusal of the People page, for the page its POST redirects to (shown once). */
  /** Why Acknowledge was refused on a notice's page (shown once on the page the POST redirects to). */
  noticeRefused?: string[];
  peopleRefused?: { status: number; problems: string[]; values?: { name: string; email: string; role: string } };
  /** A one-time link to hand over (People: an invitation, a new sign-in link), shown once on the page a POST redirects to. */
  handover?: { name: string; email: string; url: string; expiresAt: string; kind: 'invitation' | 'reset' };
}

const MAX_ANONYMOUS = 10_000;
const MAX_SIGNED_IN = 50_000;

const keyOf = (cookieValue: string): string => createHash('sha256').update(cookieValue).digest('hex');

@Injectable()
export class SessionStore {
  private readonly anonymous = new Map<string, Session>();
  private readonly signedIn = new Map<string, Session>();

  constructor(@Inject(CONSOLE_OPTIONS) private readonly options: ConsoleOptions) {}

  /** A new anonymous session and the cookie value that names it. */
  create(now = Date.now()): { cookie: string; session: Session } {
    const cookie = randomBytes(32).toString('base64url');
    const session: Session = { key: keyOf(cookie), csrf: randomBytes(32).toString('base64url'), createdAt: now, lastSeenAt: now };
    this.anonymous.set(session.key, session);
    if (this.anonymous.size > MAX_ANONYMOUS) this.anonymous.delete(this.anonymous.keys().next().value!);
    return { cookie, session };
  }

  /**
   * The live session a cookie names, touched (its idle clock restarts); `expired` when it named a
   * signed-in session that timed out (removed now), so that the page can say why.
   */
  find(cookie: string | undefined, now = Date.now()): { session?: Session; expired?: 'idle' | 'absolute' } {
    if (!cookie) return {};
    const key = keyOf(cookie);
    const session = this.signedIn.get(key) ?? this.anonymous.get(key);
    if (!session) return {};
    if (session.userId) {
      if (now - session.lastSeenAt > this.options.idleMs) return this.drop(session, 'idle');
      if (now - session.signedInAt! > this.options.absoluteMs) return this.drop(session, 'absolute');
      // Least recently used last, so the bound evicts the stalest.
      this.signedIn.delete(key);
      this.signedIn.set(key, session);
    } else if (now - session.lastSeenAt > this.options.idleMs) {
      this.anonymous.delete(key);
      return {};
    }
    session.lastSeenAt = now;
    return { session };
  }

  /** Signs in: the old session ends and a new one (new id, new CSRF token) carries the person. */
  signIn(previous: Session | undefined, userId: string, now = Date.now()): { cookie: string; session: Session } {
    if (previous) this.end(previous);
    const { cookie, session } = this.create(now);
    this.anonymous.delete(session.key);
    session.userId = userId;
    session.signedInAt = now;
    this.signedIn.set(session.key, session);
    if (this.signedIn.size > MAX_SIGNED_IN) this.signedIn.delete(this.signedIn.keys().next().value!);
    return { cookie, session };
  }

  end(session: Session): void {
    this.anonymous.delete(session.key);
    this.signedIn.delete(session.key);
  }

  /** Ends every session of a person (a disabled account; a password set elsewhere). */
  endAllOf(userId: string): void {
    for (const [key, session] of this.signedIn) if (session.userId === userId) this.signedIn.delete(key);
  }

  private drop(session: Session, why: 'idle' | 'absolute') {
    this.end(session);
    return { expired: why };
  }
}

/** Whether a submitted form's token is this session's (constant time). */
export function csrfMatches(session: Session, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}
