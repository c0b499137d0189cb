/** The agency's officers and a count per status on one day (docs/reference.md#get-apiagenciesagencyidstatus). */
import { assertLocalDate } from './dates';
import type { OfficerLedger } from './input';
import type { Facts } from './facts';
import { factsKnownAt, separatedBy, statusFromFacts } from './officer-status';
import { STATUSES, type Finding, type Status } from './types';

export interface AgencyStatus {
  counts: Record<Status, number>;
  /** In the order of `ledgers`. */
  officers: { officerId: string; name: string; status: Status; restrictedDuties: string[]; findings: Finding[] }[];
}

export function agencyStatus(ledgers: OfficerLedger[], asOf: string, knownAt: string): AgencyStatus {
  assertLocalDate(asOf, 'asOf');
  return agencyStatusFromFacts(
    ledgers.map((ledger) => factsKnownAt(ledger, knownAt)),
    asOf,
  );
}

/**
 * agencyStatus with the knowledge step already done: each officer's facts as known at one knownAt.
 * An officer separated on or before asOf is off the report (docs/decisions.md 24).
 */
export function agencyStatusFromFacts(officers: Facts[], asOf: string): AgencyStatus {
  assertLocalDate(asOf, 'asOf');
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  return {
    counts,
    officers: officers.filter((facts) => !separatedBy(facts, asOf)).map((facts) => {
      const s = statusFromFacts(facts, asOf);
      counts[s.status]++;
      return { officerId: facts.officerId, name: facts.name, status: s.status, restrictedDuties: s.restrictedDuties, findings: s.findings };
    }),
  };
}
