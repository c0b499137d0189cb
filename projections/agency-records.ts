/**
 * The agency's own records as known at `knownAt`, shaped for the agency findings
 * (agency-findings.ts): its policy versions (with the model revision each follows) and its SRO
 * contracts with school districts, each with its amendments and its early end.
 *
 * The terms of a contract on day D are those recorded, changed by every amendment effective on or
 * before D (in effectiveOn order, then recorded order). A contract is in force on D when
 * effectiveFrom ≤ D ≤ its effectiveTo (as amended by then) and D ≤ endedOn: effectiveTo and
 * endedOn are both last days in force (decision 25).
 */
import { CONTRACT_CLAUSES, type ContractClause, type ContractClauses } from '../events/catalogue';
import { isLocalDate, type LocalDate } from './dates';
import { buildFacts, type PolicyVersion } from './facts';
import type { LedgerEvent } from './input';
import { know } from './knowledge';

export interface ContractAmendment {
  effectiveOn: LocalDate;
  schools?: string[];
  effectiveTo?: LocalDate;
  clauses?: Partial<ContractClauses>;
  eventId: string;
}

export interface Contract {
  contractId: string;
  district: string;
  schools: string[];
  effectiveFrom: LocalDate;
  effectiveTo: LocalDate | null;
  clauses: ContractClauses;
  /** Sorted by effectiveOn, then recorded order. */
  amendments: ContractAmendment[];
  endedOn: LocalDate | null;
  eventId: string;
  endedEventId?: string;
}

/** A contract's terms on one day. */
export interface ContractTerms {
  contractId: string;
  district: string;
  schools: string[];
  effectiveFrom: LocalDate;
  /** The last day in force as the terms stand on the day: the earlier of effectiveTo and endedOn. */
  lastDay: LocalDate | null;
  clauses: ContractClauses;
  /** Per clause, the day from which its current value holds (effectiveFrom, or the amendment's effectiveOn). */
  clauseSince: Record<ContractClause, LocalDate>;
  /** The recording, the amendments in effect, the end: what a finding rests on. */
  evidence: string[];
}

export interface AgencyRecords {
  /** Sorted by adoptedOn. */
  policies: PolicyVersion[];
  /** In recorded order. */
  contracts: Contract[];
  /** Every effective date of the agency's records (contract boundaries included). */
  effectiveDates: LocalDate[];
}

type Data = Record<string, unknown>;
const str = (v: unknown): v is string => typeof v === 'string';
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter(str) : []);

function clausesOf(v: unknown, partial: boolean): Partial<ContractClauses> {
  const out: Partial<ContractClauses> = {};
  if (v === null || typeof v !== 'object') return out;
  for (const c of CONTRACT_CLAUSES) {
    const value = (v as Data)[c];
    if (str(value) || value === null) out[c] = value;
    else if (!partial) out[c] = null;
  }
  return out;
}

/** The agency's records as known at `knownAt`, from the agency's stream (in revision order). */
export function agencyRecordsKnownAt(agencyEvents: LedgerEvent[], knownAt: string): AgencyRecords {
  const knowledge = know({ officerId: '', name: '', officerEvents: [], agencyEvents }, knownAt);
  const facts = buildFacts('', '', knowledge);
  const contracts = new Map<string, Contract>();
  const dates = new Set<LocalDate>(facts.effectiveDates);
  const later: { type: string; d: Data; eventId: string }[] = [];
  for (const e of knowledge.facts) {
    const d = (e.data ?? {}) as Data;
    if (e.type === 'SroContractRecorded') {
      if (!str(d.contractId) || contracts.has(d.contractId) || !isLocalDate(d.effectiveFrom)) continue;
      const effectiveTo = isLocalDate(d.effectiveTo) ? d.effectiveTo : null;
      contracts.set(d.contractId, {
        contractId: d.contractId,
        district: str(d.district) ? d.district : '',
        schools: strings(d.schools),
        effectiveFrom: d.effectiveFrom,
        effectiveTo,
        clauses: clausesOf(d.clauses, false) as ContractClauses,
        amendments: [],
        endedOn: null,
        eventId: e.eventId,
      });
      dates.add(d.effectiveFrom);
      if (effectiveTo) dates.add(effectiveTo);
    } else if (e.type === 'SroContractAmended' || e.type === 'SroContractEnded') {
      later.push({ type: e.type, d, eventId: e.eventId });
    }
  }
  // Amendments and ends refer to a contract: attached once every contract is known (decision 18).
  for (const { type, d, eventId } of later) {
    const c = str(d.contractId) ? contracts.get(d.contractId) : undefined;
    if (!c) continue;
    if (type === 'SroContractEnded') {
      if (c.endedOn === null && isLocalDate(d.endedOn)) {
        c.endedOn = d.endedOn;
        c.endedEventId = eventId;
        dates.add(d.endedOn);
      }
      continue;
    }
    if (!isLocalDate(d.effectiveOn)) continue;
    c.amendments.push({
      effectiveOn: d.effectiveOn,
      ...(Array.isArray(d.schools) ? { schools: strings(d.schools) } : {}),
      ...(isLocalDate(d.effectiveTo) ? { effectiveTo: d.effectiveTo } : {}),
      ...(d.clauses !== undefined ? { clauses: clausesOf(d.clauses, true) } : {}),
      eventId,
    });
    dates.add(d.effectiveOn);
    if (isLocalDate(d.effectiveTo)) dates.add(d.effectiveTo);
  }
  for (const c of contracts.values()) c.amendments.sort((a, b) => (a.effectiveOn < b.effectiveOn ? -1 : a.effectiveOn > b.effectiveOn ? 1 : 0));
  return { policies: facts.policies, contracts: [...contracts.values()], effectiveDates: [...dates].sort() };
}

/** The terms of a contract on `day` (whether or not it is in force then). */
export function termsOn(c: Contract, day: LocalDate): ContractTerms {
  let schools = c.schools;
  let effectiveTo = c.effectiveTo;
  const clauses = { ...c.clauses };
  const clauseSince = Object.fromEntries(CONTRACT_CLAUSES.map((k) => [k, c.effectiveFrom])) as Record<ContractClause, LocalDate>;
  const evidence = [c.eventId];
  for (const a of c.amendments) {
    if (a.effectiveOn > day) break;
    if (a.schools) schools = a.schools;
    if (a.effectiveTo) effectiveTo = a.effectiveTo;
    for (const k of CONTRACT_CLAUSES) {
      const v = a.clauses?.[k];
      if (v !== undefined && v !== clauses[k]) {
        clauses[k] = v;
        clauseSince[k] = a.effectiveOn;
      }
    }
    evidence.push(a.eventId);
  }
  const ends = [effectiveTo, c.endedOn].filter((d): d is LocalDate => d !== null).sort();
  if (c.endedEventId) evidence.push(c.endedEventId);
  return { contractId: c.contractId, district: c.district, schools, effectiveFrom: c.effectiveFrom, lastDay: ends[0] ?? null, clauses, clauseSince, evidence };
}

/** The contract's terms on `day` when it is in force then, else null. */
export function inForceOn(c: Contract, day: LocalDate): ContractTerms | null {
  if (c.effectiveFrom > day) return null;
  const t = termsOn(c, day);
  return t.lastDay === null || day <= t.lastDay ? t : null;
}

/** How schools are compared between assignments and contracts: case and spacing do not matter (decision 25). */
export const schoolKey = (school: string): string => school.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('en-US');

/** The contracts in force on `day` that cover `school`. */
export function contractsCovering(records: AgencyRecords, school: string, day: LocalDate): ContractTerms[] {
  const key = schoolKey(school);
  return records.contracts.map((c) => inForceOn(c, day)).filter((t): t is ContractTerms => t !== null && t.schools.some((s) => schoolKey(s) === key));
}
