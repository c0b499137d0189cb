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
export interface AccessEventDataByType {
  TokenIssued: TokenIssued;
  TokenRevoked: TokenRevoked;
}
export type AccessEvent = {
  [T in keyof AccessEventDataByType]: { type: T; data: AccessEventDataByType[T] };
}[keyof AccessEventDataByType];

/** The schema version each access event is written with (as CURRENT_SCHEMA_VERSION of events/upcasters.ts for the others). */
export const ACCESS_SCHEMA_VERSION: { readonly [T in keyof AccessEventDataByType]: number } = {
  TokenIssued: 1,
  TokenRevoked: 1,
};
