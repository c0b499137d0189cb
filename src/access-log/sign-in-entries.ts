/**
 * Sign-ins as access-log entries (docs/decisions.md W60): each sign-in to the console, with a
 * password or through an identity provider, accepted or refused, is an entry of the agency's
 * access log (kind `sign-in` or `sign-in-refused`), chained as every entry; the route says how
 * (`password`, or the provider's name and the person's subject there) and, when refused, why.
 * A refusal for an email that has no account names no agency, so it has no log to go in: only
 * the server's log has it.
 */
import type { AccessEntry } from './access-log-store';

export interface SignInAttempt {
  agencyId: string;
  accepted: boolean;
  /** `password`, or the provider's name. */
  method: { password: true } | { provider: string; subject: string };
  person: { userId?: string; email: string; name?: string; role?: string };
  /** Why it was refused, in a few words. */
  reason?: string;
  requestId?: string | null;
}

export function signInEntry(attempt: SignInAttempt, at = new Date()): AccessEntry {
  const how = 'password' in attempt.method ? 'with a password' : `through ${JSON.stringify(attempt.method.provider)} (subject ${JSON.stringify(attempt.method.subject)})`;
  return {
    at: at.toISOString(),
    agencyId: attempt.agencyId,
    officerId: null,
    officerCount: null,
    kind: attempt.accepted ? 'sign-in' : 'sign-in-refused',
    route: `sign-in ${how}${attempt.accepted ? '' : `: refused, ${attempt.reason ?? 'not accepted'}`}`.slice(0, 500),
    format: 'html',
    principal: { kind: 'person', id: attempt.person.userId ?? `email:${attempt.person.email}`, name: attempt.person.name ? `${attempt.person.name} <${attempt.person.email}>` : attempt.person.email, role: attempt.person.role ?? 'none' },
    requestId: attempt.requestId ?? null,
    asOf: null,
    knownAt: null,
  };
}
