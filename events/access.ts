/**
 * Access grants are events too, in the global ACCESS_STREAM: who could act for which agency, in
 * which role, from when to when, is part of the audited record and covered by the hash chain.
 * Only the SHA-256 of a token is ever stored; the token itself is shown once, by the CLI.
 */
export const ROLES = ['admin', 'auditor', 'chief', 'investigator'] as const;
export type Role = (typeof ROLES)[number];

export interface TokenIssued {
  tokenId: string;
  tokenSha256: string;
  agencyId: string;
  role: Role;
  name: string;
}
export interface TokenRevoked {
  tokenId: string;
  reason: string;
}

/**
 * Personal accounts of the web console (people sign in with email and password; tokens stay for
 * scripts). An account belongs to one agency and has one role at a time. Links (an invitation, a
 * password reset, docs/decisions.md W20) are one-time and expire: only their SHA-256 is stored, and
 * setting a password with one uses it up. A password is stored only as its scrypt hash, with the
 * salt and the parameters it was computed with (so that they can be raised later without losing
 * accounts).
 */
export interface UserInvited {
  userId: string;
  agencyId: string;
  role: Role;
  /** Lower-cased; unique among the accounts of every agency (it is what a person signs in with). */
  email: string;
  name: string;
  linkSha256: string;
  /** ISO instant after which the link no longer works (24 hours after the invitation). */
  expiresAt: string;
}
export interface PasswordHash {
  algorithm: 'scrypt';
  /** scrypt cost parameters (N = 2^logN), derived key length in bytes. */
  logN: number;
  r: number;
  p: number;
  keyLength: number;
  /** base64 */
  salt: string;
  /** base64 */
  hash: string;
}
export interface UserPasswordSet {
  userId: string;
  /** The one-time link used (invitation, reset or first-run setup); it cannot be used again. */
  linkSha256: string;
  password: PasswordHash;
}
export interface PasswordResetIssued {
  userId: string;
  linkSha256: string;
  expiresAt: string;
}
export interface UserRoleChanged {
  userId: string;
  role: Role;
}
export interface UserDisabled {
  userId: string;
  reason: string;
}
export interface UserEnabled {
  userId: string;
}

/**
 * How the columns of another system's CSV export map to an import's fields (and which course code
 * a value means), remembered per agency and kind of import for the next file (the console's import).
 */
export interface ImportMappingSaved {
  agencyId: string;
  /** trainings, substitute-days or assignments */
  kind: string;
  /** import field → the export's column header */
  columns: Record<string, string>;
  /** a value of the export's course column → a course code */
  courses: Record<string, string>;
}

/**
 * A person's own choice of the daily reminder digest (docs/decisions.md W50): `enabled` false is
 * opted out. Without one, chiefs and admins are opted in.
 */
export interface NoticePreferenceSet {
  userId: string;
  enabled: boolean;
}
/**
 * A person's calendar feed address (docs/decisions.md W51): `secret` is the last part of
 * `<SRO_PUBLIC_URL>/calendar/<secret>.ics`, kept as issued so that the account page can show it
 * again; a newer one replaces it (the old address answers 404).
 */
export interface CalendarFeedIssued {
  userId: string;
  secret: string;
}

/**
 * An agency's OpenID Connect identity provider (docs/decisions.md W56): people of the agency sign
 * in through it. The client secret is recorded sealed (AES-256-GCM with a key kept beside the
 * ledger's signing key, never in the store): a reader of the database alone cannot use it.
 */
export interface IdentityProviderAdded {
  providerId: string;
  agencyId: string;
  /** The label of its button, "Sign in with <name>"; unique among the agency's providers. */
  name: string;
  /** The issuer URL (discovery at `<issuer>/.well-known/openid-configuration`). */
  issuer: string;
  clientId: string;
  /** `v1.<iv>.<ciphertext>.<tag>` (base64url), sealed for this provider id. */
  clientSecretSealed: string;
  /** The ID token claim that lists the person's groups (default `groups`; Entra may send `roles`). */
  groupsClaim: string;
  /** Group → role, in the order given: the first group the person has decides the role. */
  roles: { group: string; role: Role }[];
}
export interface IdentityProviderRemoved {
  providerId: string;
}
/** Whether an agency's people may sign in with a password (default yes); turned off once a provider works. */
export interface PasswordSignInSet {
  agencyId: string;
  allowed: boolean;
}
/** An account created by a first sign-in through a provider (no password, no link). */
export interface UserSignedUpThroughProvider {
  userId: string;
  agencyId: string;
  role: Role;
  /** Lower-cased; unique among the accounts of every agency, as UserInvited's. */
  email: string;
  name: string;
  providerId: string;
  /** The provider's `sub` for this person. */
  subject: string;
}
/** An existing account (same email) linked to a provider's subject at its first sign-in through it. */
export interface UserLinkedToProvider {
  userId: string;
  providerId: string;
  subject: string;
}

/**
 * The agency's public page (docs/reference.md "Public page"; docs/decisions.md W67) turned on or
 * off: who may read what without signing in is an access setting, audited like a token.
 */
export interface PublicPageSet {
  agencyId: string;
  on: boolean;
}

/**
 * A witness of the agency (docs/integrity.md "Witnesses"): someone outside it (a county attorney,
 * the school district's data practices designee) who receives each day's latest signed checkpoint
 * by e-mail. `email` is lower-cased: one witness per address and agency.
 */
export interface WitnessAdded {
  agencyId: string;
  email: string;
  name: string;
}
/** The witness no longer receives checkpoints (the copies already sent stay theirs). */
export interface WitnessRemoved {
  agencyId: string;
  email: string;
}

export interface AccessEventDataByType {
  NoticePreferenceSet: NoticePreferenceSet;
  CalendarFeedIssued: CalendarFeedIssued;
  IdentityProviderAdded: IdentityProviderAdded;
  IdentityProviderRemoved: IdentityProviderRemoved;
  PasswordSignInSet: PasswordSignInSet;
  UserSignedUpThroughProvider: UserSignedUpThroughProvider;
  UserLinkedToProvider: UserLinkedToProvider;
  ImportMappingSaved: ImportMappingSaved;
  PublicPageSet: PublicPageSet;
  WitnessAdded: WitnessAdded;
  WitnessRemoved: WitnessRemoved;
  TokenIssued: TokenIssued;
  TokenRevoked: TokenRevoked;
  UserInvited: UserInvited;
  UserPasswordSet: UserPasswordSet;
  PasswordResetIssued: PasswordResetIssued;
  UserRoleChanged: UserRoleChanged;
  UserDisabled: UserDisabled;
  UserEnabled: UserEnabled;
}
export type AccessEvent = {
  [T in keyof AccessEventDataByType]: { type: T; data: AccessEventDataByType[T] };
}[keyof AccessEventDataByType];

/** The schema version each access event is written with (as CURRENT_SCHEMA_VERSION of events/upcasters.ts for the others). */
export const ACCESS_SCHEMA_VERSION: { readonly [T in keyof AccessEventDataByType]: number } = {
  TokenIssued: 1,
  TokenRevoked: 1,
  UserInvited: 1,
  UserPasswordSet: 1,
  PasswordResetIssued: 1,
  UserRoleChanged: 1,
  UserDisabled: 1,
  UserEnabled: 1,
  ImportMappingSaved: 1,
  NoticePreferenceSet: 1,
  CalendarFeedIssued: 1,
  IdentityProviderAdded: 1,
  IdentityProviderRemoved: 1,
  PasswordSignInSet: 1,
  UserSignedUpThroughProvider: 1,
  UserLinkedToProvider: 1,
  PublicPageSet: 1,
  WitnessAdded: 1,
  WitnessRemoved: 1,
};
