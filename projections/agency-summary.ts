/** The agency's officers and a count per status on one day (SPEC §4 agency status). */
import { assertLocalDate } from './dates';
import type { OfficerLedger } from './input';
import { officerStatus } from './officer-status';
import { STATUSES, type Finding, type Status } from './types';

export interface AgencyStatus {
  counts: Record<Status, number>;
  /** In the order of `ledgers`. */
  officers: { officerId: string; name: string; status: Status; restrictedDuties: string[]; findings: Finding[] }[];
}

export function agencyStatus(ledgers: OfficerLedger[], asOf: string, knownAt: string): AgencyStatus {
  assertLocalDate(asOf, 'asOf');
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  const officers = ledgers.map((ledger) => {
    const s = officerStatus(ledger, asOf, knownAt);
    counts[s.status]++;
    return { officerId: ledger.officerId, name: ledger.name, status: s.status, restrictedDuties: s.restrictedDuties, findings: s.findings };
  });
  return { counts, officers };
}
