/**
 * Who gets in through an identity provider (docs/decisions.md W57), a pure function of the ID
 * token's claims, the provider and the accounts as the access stream has them:
 * - a verified email (`email_verified: true`; Entra ID's `xms_edov: true` counts as the same), else refused;
 * - a group in the provider's claim (default `groups`) that maps to a role: the first mapping, in
 *   the order the admin gave them, that the person's groups contain; none → "no access yet";
 * - the account: the one linked to this provider's subject; else the one with the same email,
 *   which is then linked; else a new one (created now). An account of another agency, a disabled
 *   account, or an email whose account is linked to another subject of this provider stays out;
 * - the role the provider gives now replaces the account's (role changes apply at the next sign-in).
 */
import { ROLES, type AccessEvent, type Role } from '../../events/access';
import type { Account, IdentityProvider } from '../auth/access-registry';

export type Claims = Record<string, unknown>;

export type Refusal =
  | { reason: 'no-subject' }
  | { reason: 'no-verified-email'; email?: string }
  | { reason: 'no-mapped-group'; email: string; groups: string[] }
  | { reason: 'groups-overage'; email: string }
  | { reason: 'other-agency'; email: string }
  | { reason: 'disabled'; email: string }
  | { reason: 'other-subject'; email: string };

export type Decision =
  | { refused: Refusal }
  | { account: { userId: string; email: string; name: string; role: Role; subject: string }; events: AccessEvent[] };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The person's groups from the provider's claim: a list of strings, or one string. */
export function groupsOf(claims: Claims, claim: string): string[] {
  const value = claims[claim];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  return [];
}

/** The role the person's groups map to: the first mapping (in the provider's order) whose group they have. */
export function roleFor(provider: Pick<IdentityProvider, 'roles'>, groups: string[]): Role | undefined {
  const have = new Set(groups);
  return provider.roles.find((m) => have.has(m.group))?.role;
}

/** A verified email, lower-cased, or undefined. */
export function verifiedEmail(claims: Claims): string | undefined {
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  if (!EMAIL.test(email) || email.length > 254) return undefined;
  const verified = claims.email_verified === true || claims.email_verified === 'true' || claims.xms_edov === true || claims.xms_edov === '1' || claims.xms_edov === 'true';
  return verified ? email : undefined;
}

/** Parses `<group>=<role>` (the CLI's --role, the admin page's lines); the last `=` separates, so a group may contain one. */
export function parseRoleMapping(text: string): { group: string; role: Role } | string {
  const at = text.lastIndexOf('=');
  const group = at > 0 ? text.slice(0, at).trim() : '';
  const role = at > 0 ? text.slice(at + 1).trim() : '';
  if (!group || !role) return `"${text}" is not <group>=<role> (e.g. SRO-Admins=admin)`;
  if (!(ROLES as readonly string[]).includes(role)) return `"${text}": the role must be one of ${ROLES.join(', ')}`;
  if (group.length > 256) return `"${text}": the group is longer than 256 characters`;
  return { group, role: role as Role };
}

export interface Lookup {
  accountOfSubject(providerId: string, subject: string): Account | undefined;
  accountByEmail(email: string): Account | undefined;
}

export function decideProviderSignIn(provider: IdentityProvider, claims: Claims, lookup: Lookup, newUserId: () => string): Decision {
  const subject = typeof claims.sub === 'string' ? claims.sub : '';
  if (!subject) return { refused: { reason: 'no-subject' } };
  const email = verifiedEmail(claims);
  if (!email) return { refused: { reason: 'no-verified-email', ...(typeof claims.email === 'string' ? { email: claims.email } : {}) } };
  const groups = groupsOf(claims, provider.groupsClaim);
  const role = roleFor(provider, groups);
  if (!role) {
    // Entra ID sends no groups past 200 (a "groups overage": _claim_names instead): say so rather than "no group".
    const names = claims._claim_names as Record<string, unknown> | undefined;
    if (groups.length === 0 && names && typeof names === 'object' && provider.groupsClaim in names) return { refused: { reason: 'groups-overage', email } };
    return { refused: { reason: 'no-mapped-group', email, groups } };
  }
  const name = (typeof claims.name === 'string' && claims.name.trim()) || [claims.given_name, claims.family_name].filter((p) => typeof p === 'string' && p).join(' ') || email;
  const linked = lookup.accountOfSubject(provider.providerId, subject);
  const account = linked ?? lookup.accountByEmail(email);
  if (!account) {
    const userId = newUserId();
    return {
      account: { userId, email, name: name.slice(0, 200), role, subject },
      events: [{ type: 'UserSignedUpThroughProvider', data: { userId, agencyId: provider.agencyId, role, email, name: name.slice(0, 200), providerId: provider.providerId, subject } }],
    };
  }
  if (account.agencyId !== provider.agencyId) return { refused: { reason: 'other-agency', email } };
  if (account.disabledAt) return { refused: { reason: 'disabled', email: account.email } };
  const knownSubject = account.subjects?.get(provider.providerId);
  if (!linked && knownSubject !== undefined && knownSubject !== subject) return { refused: { reason: 'other-subject', email } };
  const events: AccessEvent[] = [];
  if (!linked) events.push({ type: 'UserLinkedToProvider', data: { userId: account.userId, providerId: provider.providerId, subject } });
  if (account.role !== role) events.push({ type: 'UserRoleChanged', data: { userId: account.userId, role } });
  return { account: { userId: account.userId, email: account.email, name: account.name, role, subject }, events };
}

/** What a refused person reads (the page says whom to ask). */
export function refusalInWords(refusal: Refusal, providerName: string): string {
  switch (refusal.reason) {
    case 'no-subject':
      return `${providerName} did not say who you are (no subject in its answer).`;
    case 'no-verified-email':
      return `${providerName} did not give a verified email address${refusal.email ? ` (${refusal.email} is not marked verified)` : ''}: this product signs people in by a verified email.`;
    case 'no-mapped-group':
      return `You signed in at ${providerName} as ${refusal.email}, but none of your groups there gives access to this agency yet.`;
    case 'groups-overage':
      return `You signed in at ${providerName} as ${refusal.email}, but you are in too many groups for ${providerName} to list them in its answer (more than 200). Your IT department can send app roles instead.`;
    case 'other-agency':
      return `${refusal.email} has an account in another agency: one email belongs to one agency here.`;
    case 'disabled':
      return `The account of ${refusal.email} is disabled here, whatever ${providerName} says.`;
    case 'other-subject':
      return `The account of ${refusal.email} is linked to another person at ${providerName}.`;
  }
}
