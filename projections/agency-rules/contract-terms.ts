/**
 * CONTRACT_TERMS (docs/reference.md "Agency findings"): each SRO contract in force on D addresses
 * the clauses the model policy asks for, one finding per contract: VIOLATED for a missing "must"
 * or "shall" clause (due the day it went missing, no earlier than 2025-09-01), ADVISORY for the
 * missing "should" clause (decision 26), MET otherwise. Policy "General contractual agreements";
 * policy "Data practices".
 */
import { CONTRACT_CLAUSES, type ContractClause } from '../../events/catalogue';
import { inForceOn, type AgencyRecords, type ContractTerms } from '../agency-records';
import { daysBetween, maxDate, type LocalDate } from '../dates';
import { AGENCY_RULES_FROM, CONTRACT_CLAUSE_DUTIES, SHOULD_CLAUSE_OUTCOME } from '../interpretation';
import { STATUTE_START } from '../law';
import { agencyFinding, list, type AgencyAheadInput, type AgencyAheadItem, type AgencyFinding, type OfficerOnDay } from './common';

export const id = 'CONTRACT_TERMS' as const;
export const citation = 'policy "General contractual agreements"; policy "Data practices"';
export const inForceFrom = AGENCY_RULES_FROM;

/** CONTRACT_TERMS of one contract's terms on `day` (also the agency's reminders, for terms taking effect within the horizon). */
export function contractTerms(t: ContractTerms, day: LocalDate): AgencyFinding {
  const missing = (binding: boolean) => CONTRACT_CLAUSES.filter((c) => t.clauses[c] === null && (CONTRACT_CLAUSE_DUTIES[c].word !== 'should') === binding);
  const describe = (c: ContractClause) => `${CONTRACT_CLAUSE_DUTIES[c].what} (${c}; "${CONTRACT_CLAUSE_DUTIES[c].word}", policy "${CONTRACT_CLAUSE_DUTIES[c].section}")`;
  const required = missing(true);
  const advised = missing(false);
  const which = `SRO contract ${t.contractId} with ${t.district}, in force on ${day}`;
  const advice = advised.length > 0 ? ` It does not address ${list(advised.map(describe))}: the model policy says a contract should, so this is reported without making the agency non-compliant.` : '';
  if (required.length > 0) {
    const due = maxDate(required.map((c) => t.clauseSince[c]).sort()[0], STATUTE_START);
    return agencyFinding(id, citation, 'VIOLATED', `${which}, does not address ${list(required.map(describe))}.${advice}`, t.evidence, due, t.contractId);
  }
  if (advised.length > 0) return agencyFinding(id, citation, SHOULD_CLAUSE_OUTCOME, `${which}, addresses every clause the model policy requires.${advice}`, t.evidence, undefined, t.contractId);
  const refs = CONTRACT_CLAUSES.map((c) => `${c} ${t.clauses[c]}`).join(', ');
  return agencyFinding(id, citation, 'MET', `${which}, addresses every clause the model policy asks for (${refs}).`, t.evidence, undefined, t.contractId);
}

/** One finding per contract in force on `day`, or one NOT_APPLICABLE. */
export function findingsOn(records: AgencyRecords, _officers: OfficerOnDay[], day: LocalDate): AgencyFinding[] {
  const inForce = records.contracts.map((c) => inForceOn(c, day)).filter((t): t is ContractTerms => t !== null);
  return inForce.length > 0 ? inForce.map((t) => contractTerms(t, day)) : [agencyFinding(id, citation, 'NOT_APPLICABLE', `No SRO contract of the agency is in force on ${day}.`, [])];
}

export const reminderKinds = ['CONTRACT_TERMS_MISSING'] as const;

export const violated = { kind: 'CONTRACT_TERMS_MISSING', action: 'amend the contract so that it addresses every clause the model policy requires' } as const;

/** Ahead: contracts and amendments taking effect within the horizon, and 2025-09-01 when the rules begin. */
export function remindersAhead({ records, asOf, horizonDays }: AgencyAheadInput): AgencyAheadItem[] {
  const items: AgencyAheadItem[] = [];
  for (const c of records.contracts) {
    const days = [c.effectiveFrom, ...c.amendments.map((a) => a.effectiveOn), AGENCY_RULES_FROM].filter((d) => d > asOf && d >= AGENCY_RULES_FROM && daysBetween(asOf, d) <= horizonDays);
    for (const day of [...new Set(days)].sort()) {
      const terms = inForceOn(c, day);
      if (!terms) continue;
      const f = contractTerms(terms, day);
      if (f.outcome === 'VIOLATED' && f.dueDate !== undefined) items.push({ finding: f, kind: violated.kind, dueDate: f.dueDate, text: `${violated.action}. ${f.explanation}` });
    }
  }
  return items;
}
