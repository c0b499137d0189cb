/**
 * Console sessions (docs/decisions.md W20, W55): a random 256-bit id in a cookie; the session
 * itself in the store (src/auth/session-store.port.ts, a table beside the events), keyed by the
 * id's SHA-256, so that neither a database reader nor a memory dump gets the cookies, a restart
 * signs no one out, and several servers on one database share every session (no sticky routing).
 * Idle (30 minutes) and absolute (12 hours) expiry are decided here, on each read.
 *
 * The CSRF token is bound to the session: it is derived from the session id (SHA-256 over a
 * label and the id), so it is never stored and cannot be computed from the stored key.
 *
 * Every visitor gets a session before signing in (an anonymous one, for the CSRF token of the
 * sign-in form); signing in replaces it with a new id (no session fixation). What the pages keep
 * between requests (a one-time notice, a checked CSV file, a pending provider sign-in) is saved
 * with the row before the answer ends (the console guard holds the response's end for it), so the
 * next request finds it on any server. Rows unused past the idle limit are purged now and then.
 */
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SESSION_RECORDS, type SessionRecord, type SessionRecordStore } from '../auth/session-store.port';
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
  /** How: `password` or `provider:<name>`. */
  method?: string;
  /** A refusal of the Identity providers page's remove or passwords form, for the page its POST redirects to (shown once). */
  providersRefused?: { status: number; problems: string[] };
  /** A provider sign-in under way (src/identity): its state, nonce and PKCE verifier, until the provider answers. */
  pendingProvider?: PendingProviderSignIn;
  /** A CSV file checked and not yet committed (the import page): kept until committed, replaced or the session ends. */
  pendingImport?: { id: string; fileName: string; text: string; readAs?: string; kind?: string; columns?: Record<string, string>; courses?: Record<string, string> };
  /** A one-time message for the next page ("Signed out.", "Your session ended after 30 minutes without use."). */
  notice?: string;
  /** Refused record forms by their key, for the page the refusal redirects to (src/console/pages/record.tsx; at most 10). */
  keptForms?: Map<string, unknown>;
  /** The report of the CSV file last committed, for the page the commit redirects to (unknown shape here: src/console/pages/import.tsx). */
  committedImport?: unknown;
  /** Why Acknowledge was refused on a notice's page (shown once on the page the POST redirects to). */
  noticeRefused?: string[];
  /** A refusal of the People page, for the page its POST redirects to (shown once). */
  peopleRefused?: { status: number; problems: string[]; values?: { name: string; email: string; role: string } };
  /** A one-time link to hand over (People: an invitation, a new sign-in link), shown once on the page a POST redirects to. */
  handover?: { name: string; email: string; url: string; expiresAt: string; kind: 'invitation' | 'reset' };
}

/** A provider sign-in under way (src/identity): what the callback must match, kept in the anonymous session. */
export interface PendingProviderSignIn {
  providerId: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  next: string;
  startedAt: number;
}

/** What a session row holds in its own columns; every other field of Session is page data. */
type RowField = 'key' | 'csrf' | 'createdAt' | 'lastSeenAt' | 'userId' | 'signedInAt' | 'method';

/** The parts of a session the pages keep between requests (saved as JSON with the row). */
const DATA_FIELDS = ['notice', 'noticeRefused', 'pendingImport', 'keptForms', 'committedImport', 'peopleRefused', 'handover', 'pendingProvider', 'providersRefused'] as const satisfies readonly Exclude<keyof Session, RowField>[];

/** A field added to Session and not listed above would be lost between two requests: this fails to compile then. */
const EVERY_DATA_FIELD_LISTED: Exclude<keyof Session, RowField | (typeof DATA_FIELDS)[number]> extends never ? true : never = true;
void EVERY_DATA_FIELD_LISTED;

/** Rows are purged at most this often (one DELETE over an index). */
const PURGE_EVERY_MS = 10 * 60_000;
/** The last-seen time is written at most this often per session: the idle limit is kept to within it. */
const TOUCH_EVERY_MS = 30_000;

const keyOf = (cookieValue: string): string => createHash('sha256').update(cookieValue).digest('hex');
const csrfOf = (cookieValue: string): string => createHash('sha256').update('sro-compliance/csrf\u0000').update(cookieValue).digest('base64url');

function dataOf(session: Session): string {
  const data: Record<string, unknown> = {};
  for (const field of DATA_FIELDS) {
    const value = session[field];
    if (value === undefined) continue;
    data[field] = value instanceof Map ? { map: [...value.entries()] } : value;
  }
  return JSON.stringify(data);
}

function applyData(session: Session, json: string): void {
  let data: Record<string, unknown> = {};
  try {
    data = JSON.parse(json) as Record<string, unknown>;
  } catch {
    // a row written by hand: no page state
  }
  for (const field of DATA_FIELDS) {
    const value = data[field];
    if (value === undefined) continue;
    (session as unknown as Record<string, unknown>)[field] = field === 'keptForms' ? new Map((value as { map: [string, unknown][] }).map ?? []) : value;
  }
}

/** What was last written for a session (to write only what changed), and the sessions ended. */
const saved = new WeakMap<Session, { data: string; lastSeenAt: number }>();
const ended = new WeakSet<Session>();

@Injectable()
export class SessionStore implements OnApplicationShutdown {
  private readonly logger = new Logger('Sessions');
  private lastPurge = 0;

  constructor(
    @Inject(CONSOLE_OPTIONS) private readonly options: ConsoleOptions,
    @Inject(SESSION_RECORDS) private readonly records: SessionRecordStore,
  ) {}

  /** A new anonymous session and the cookie value that names it (written at once). */
  async create(now = Date.now()): Promise<{ cookie: string; session: Session }> {
    const cookie = randomBytes(32).toString('base64url');
    const session: Session = { key: keyOf(cookie), csrf: csrfOf(cookie), createdAt: now, lastSeenAt: now };
    await this.write(session);
    this.purgeNowAndThen(now);
    return { cookie, session };
  }

  /**
   * The live session a cookie names, touched (its idle clock restarts); `expired` when it named a
   * signed-in session that timed out (removed now), so that the page can say why.
   */
  async find(cookie: string | undefined, now = Date.now()): Promise<{ session?: Session; expired?: 'idle' | 'absolute' }> {
    if (!cookie || cookie.length > 200) return {};
    const record = await this.records.get(keyOf(cookie));
    if (!record) return {};
    const session = this.fromRecord(record, cookie);
    if (session.userId) {
      if (now - session.lastSeenAt > this.options.idleMs) return this.drop(session, 'idle');
      if (now - session.signedInAt! > this.options.absoluteMs) return this.drop(session, 'absolute');
    } else if (now - session.lastSeenAt > this.options.idleMs) {
      await this.records.delete(session.key);
      return {};
    }
    session.lastSeenAt = now;
    return { session };
  }

  /** Signs in: the old session ends and a new one (new id, new CSRF token) carries the person. */
  async signIn(previous: Session | undefined, userId: string, now = Date.now(), method = 'password'): Promise<{ cookie: string; session: Session }> {
    if (previous) await this.end(previous);
    const cookie = randomBytes(32).toString('base64url');
    const session: Session = { key: keyOf(cookie), csrf: csrfOf(cookie), createdAt: now, lastSeenAt: now, userId, signedInAt: now, method };
    await this.write(session);
    return { cookie, session };
  }

  /**
   * Writes what changed in a session since it was read or last saved (its page state; its
   * last-seen time at most every 30 seconds). An ended session is never written again.
   */
  async save(session: Session): Promise<void> {
    if (ended.has(session)) return;
    const before = saved.get(session);
    const data = dataOf(session);
    if (!before) return this.write(session, data);
    if (before.data !== data) {
      // Only a row that still exists: a session ended meanwhile (signed out everywhere, on any server) stays ended.
      await this.records.update(session.key, session.lastSeenAt, data);
      saved.set(session, { data, lastSeenAt: session.lastSeenAt });
      return;
    }
    if (session.lastSeenAt - before.lastSeenAt >= TOUCH_EVERY_MS) {
      await this.records.touch(session.key, session.lastSeenAt);
      saved.set(session, { data, lastSeenAt: session.lastSeenAt });
    }
  }

  async end(session: Session): Promise<void> {
    ended.add(session);
    await this.records.delete(session.key);
  }

  /** Ends every session of a person (a disabled account, a password set elsewhere, "Sign out everywhere"); how many there were. */
  endAllOf(userId: string): Promise<number> {
    return this.records.deleteAllOf(userId);
  }

  /** A person's live sessions (for "Your sessions"): when each began, was last used, and how. */
  async listOf(userId: string, now = Date.now()): Promise<{ key: string; signedInAt: number; lastSeenAt: number; method: string }[]> {
    return (await this.records.listOf(userId))
      .filter((r) => r.signedInAt !== null && now - r.lastSeenAt <= this.options.idleMs && now - r.signedInAt <= this.options.absoluteMs)
      .map((r) => ({ key: r.key, signedInAt: r.signedInAt!, lastSeenAt: r.lastSeenAt, method: r.method ?? 'password' }));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.records.close();
  }

  private fromRecord(record: SessionRecord, cookie: string): Session {
    const session: Session = { key: record.key, csrf: csrfOf(cookie), createdAt: record.createdAt, lastSeenAt: record.lastSeenAt };
    if (record.userId) {
      session.userId = record.userId;
      session.signedInAt = record.signedInAt ?? record.createdAt;
      session.method = record.method ?? 'password';
    }
    applyData(session, record.data);
    saved.set(session, { data: record.data, lastSeenAt: record.lastSeenAt });
    return session;
  }

  private async write(session: Session, data = dataOf(session)): Promise<void> {
    await this.records.put({ key: session.key, userId: session.userId ?? null, createdAt: session.createdAt, lastSeenAt: session.lastSeenAt, signedInAt: session.signedInAt ?? null, method: session.method ?? null, data });
    saved.set(session, { data, lastSeenAt: session.lastSeenAt });
  }

  private async drop(session: Session, why: 'idle' | 'absolute') {
    await this.end(session);
    return { expired: why };
  }

  /** Removes expired rows at most every ten minutes, in the background (a failure is only logged). */
  private purgeNowAndThen(now: number): void {
    if (now - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now;
    this.records.purge(now - this.options.idleMs, now - this.options.absoluteMs).catch((error: Error) => this.logger.warn(`expired sessions not purged: ${error.message}`));
  }
}

/** Whether a submitted form's token is this session's (constant time). */
export function csrfMatches(session: Session, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}
