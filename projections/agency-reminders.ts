/**
 * The agency's own obligations as reminders (docs/decisions.md W33), beside an officer's
 * (reminders.ts) and in the same shape, with officerId null:
 * - every agency finding VIOLATED on asOf (SRO_POLICY_ADOPTED, CONTRACT_FOR_EACH_ASSIGNMENT, each
 *   contract's CONTRACT_TERMS) is an item due on the finding's dueDate, the day it became
 *   violated: overdue (negative daysLeft), or due today when it became violated on asOf;
 * - SRO_POLICY_ADOPTED ahead: an officer takes up SRO duty within the horizon (an assignment's
 *   first day, or 2025-09-01 for one already serving) while no policy is adopted by then: due that day;
 * - CONTRACT_TERMS ahead: a contract, or an amendment, taking effect within the horizon (or a
 *   contract in force when the rules begin, 2025-09-01) leaves out a clause the model policy
 *   requires: due the day the clause goes missing (no earlier than 2025-09-01).
 * An assignment starting within the horizon at an uncovered school is CONTRACT_MISSING
 * (contractRemindersFor), a contract ending within it CONTRACT_ENDING (agencyRemindersOn).
 * Pure: the caller gives each officer's OfficerOnDay on asOf and first duty day ahead.
 */
import {
  AGENCY_RULES,
  AGENCY_SUBJECT,
  agencyFindingsOn,
  contractSubject,
  officerOnDay,
  type AgencyFinding,
  type AgencyReminderItem,
  type OfficerOnDay,
} from './agency-findings';
import type { AgencyRecords } from './agency-records';
import { assertLocalDate, daysBetween, maxDate, type LocalDate } from './dates';
import type { Facts } from './facts';
import { AGENCY_RULES_FROM } from './interpretation';
import { whenWords } from './reminders';

/**
 * The first day after asOf, within the horizon, on which the officer serves as SRO or substitute
 * SRO and the agency rules apply: an assignment's first day, or 2025-09-01 (the day the rules
 * begin) for one serving then. null: none.
 */
export function dutyStartAhead(facts: Facts, asOf: LocalDate, horizonDays: number): LocalDate | null {
  assertLocalDate(asOf, 'asOf');
  const days = [...new Set([AGENCY_RULES_FROM, ...facts.assignments.map((a) => maxDate(a.startDate, AGENCY_RULES_FROM))])]
    .filter((d) => d > asOf && daysBetween(asOf, d) <= horizonDays)
    .sort();
  return days.find((d) => officerOnDay(facts, d)?.inRole === true) ?? null;
}

/**
 * The agency's reminders from its findings: `officers` and `dutyStarts` in the same order, one
 * entry per officer of the agency (officerOnDay(facts, asOf), dutyStartAhead(facts, asOf, horizonDays)).
 */
export function agencyObligationReminders(
  records: AgencyRecords,
  officers: (OfficerOnDay | null)[],
  dutyStarts: (LocalDate | null)[],
  asOf: LocalDate,
  horizonDays: number,
): AgencyReminderItem[] {
  assertLocalDate(asOf, 'asOf');
  if (!Number.isInteger(horizonDays) || horizonDays < 0) throw new RangeError(`horizonDays must be a non-negative integer, got ${horizonDays}`);
  const items = new Map<string, AgencyReminderItem>();
  const add = (f: Pick<AgencyFinding, 'rule' | 'citation' | 'contractId'>, kind: AgencyReminderItem['kind'], dueDate: LocalDate, text: string) => {
    const daysLeft = daysBetween(asOf, dueDate);
    if (daysLeft > horizonDays) return;
    const key = `${f.rule}|${f.contractId ?? ''}|${dueDate}`;
    if (items.has(key)) return;
    const contract = f.contractId === undefined ? undefined : records.contracts.find((c) => c.contractId === f.contractId);
    const subject = contract ? contractSubject(contract) : AGENCY_SUBJECT;
    items.set(key, {
      officerId: null,
      rule: f.rule,
      kind,
      dueDate,
      daysLeft,
      message: `${subject}: ${text} ${whenWords(dueDate, daysLeft)} (${f.citation})`,
      citation: f.citation,
      scope: 'AGENCY',
      subject,
      ...(f.contractId !== undefined ? { contractId: f.contractId } : {}),
    });
  };

  // Violated on asOf: overdue since the day each became violated (each rule says the kind and the action).
  const now = agencyFindingsOn(records, officers, asOf);
  for (const f of now) {
    if (f.outcome !== 'VIOLATED' || f.dueDate === undefined) continue;
    const { kind, action } = AGENCY_RULES.find((r) => r.id === f.rule)!.violated;
    add(f, kind, f.dueDate, `${action}. ${f.explanation}`);
  }

  // Ahead: what each rule says falls due within the horizon (agency-rules/*.ts: remindersAhead).
  for (const rule of AGENCY_RULES) {
    for (const r of rule.remindersAhead({ records, now, dutyStarts, asOf, horizonDays })) add(r.finding, r.kind, r.dueDate, r.text);
  }
  return [...items.values()];
}
