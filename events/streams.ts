/**
 * Stream names. One stream per agency for agency-wide facts, one per officer
 * (docs/reference.md#records-and-events), and one roster per agency (the index of its officer
 * streams), and one global stream for access grants (token issue and revocation). Identifiers are
 * restricted by ID_PATTERN so that a stream name can always be split back into its parts.
 */

/** Agency, officer, assignment and training identifiers: letters, digits, '.', '_' and '-'. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const ACCESS_STREAM = 'access';

export const agencyStream = (agencyId: string): string => `agency-${agencyId}`;
/**
 * The agency's roster: one OfficerEnrolled per officer stream ever opened, appended in the same
 * transaction as the registration. An index of the agency's officer streams with its own hash
 * chain, so that deleting a whole officer stream is detected (events/integrity.ts).
 */
export const rosterStream = (agencyId: string): string => `roster-${agencyId}`;
export const officerStream = (agencyId: string, officerId: string): string => `officer-${agencyId}/${officerId}`;
/** Prefix of every officer stream of one agency, for listing them. */
export const officerStreamPrefix = (agencyId: string): string => `officer-${agencyId}/`;

export type ParsedStream =
  | { kind: 'agency'; agencyId: string }
  | { kind: 'officer'; agencyId: string; officerId: string }
  | { kind: 'roster'; agencyId: string }
  | { kind: 'access' };

export function parseStream(stream: string): ParsedStream | null {
  if (stream === ACCESS_STREAM) return { kind: 'access' };
  const officer = /^officer-([^/]+)\/([^/]+)$/.exec(stream);
  if (officer) return { kind: 'officer', agencyId: officer[1], officerId: officer[2] };
  const roster = /^roster-([^/]+)$/.exec(stream);
  if (roster) return { kind: 'roster', agencyId: roster[1] };
  const agency = /^agency-([^/]+)$/.exec(stream);
  if (agency) return { kind: 'agency', agencyId: agency[1] };
  return null;
}
