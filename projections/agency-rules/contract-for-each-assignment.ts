/**
 * CONTRACT_FOR_EACH_ASSIGNMENT (docs/reference.md "Agency findings"): every school of every SRO
 * assignment in force on D is covered by an SRO contract in force on D; VIOLATED otherwise, due
 * the first day of the earliest uncovered stretch. Its reminders: a contract in force ending
 * within the horizon (CONTRACT_ENDING), an assignment starting within it at a school no contract
 * will cover (CONTRACT_MISSING). Minn. Stat. 626.8482 subd. 1(c); policy "Definitions".
 */
import { contractsCovering, inForceOn, termsOn, type AgencyRecords, type Contract } from '../agency-records';
import { covers } from '../context';
import { addDays, daysBetween, maxDate, type LocalDate } from '../dates';
import type { Facts } from '../facts';
import { AGENCY_RULES_FROM } from '../interpretation';
import { STATUTE_START } from '../law';
import { separatedBy } from '../officer-status';
import { agencyFinding, contractSubject, list, noAgencyReminders, type AgencyFinding, type AgencyReminderItem, type OfficerOnDay } from './common';

export const id = 'CONTRACT_FOR_EACH_ASSIGNMENT' as const;
export const citation = 'Minn. Stat. 626.8482 subd. 1(c); policy "Definitions"';
export const inForceFrom = AGENCY_RULES_FROM;

/** The days on which a contract's coverage can change, in ascending order. */
function changePoints(records: AgencyRecords): LocalDate[] {
  const points = new Set<LocalDate>();
  for (const c of records.contracts) {
    points.add(c.effectiveFrom);
    for (const a of c.amendments) points.add(a.effectiveOn);
    for (const d of [c.effectiveTo, c.endedOn, ...c.amendments.map((a) => a.effectiveTo ?? null)]) if (d) points.add(addDays(d, 1));
  }
  return [...points].sort();
}

/** The first day of the uncovered stretch of `school` that includes `day`, for an assignment since `start`. */
function uncoveredSince(records: AgencyRecords, points: LocalDate[], school: string, start: LocalDate, day: LocalDate): LocalDate {
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i];
    if (p > day || p <= start) continue;
    if (contractsCovering(records, school, addDays(p, -1)).length > 0) return p;
  }
  return start;
}

/** At most the first 10 uncovered schools by name, and how many more (an agency without contracts would list every assignment). */
const SHOWN_UNCOVERED = 10;
function uncoveredList(texts: string[]): string {
  if (texts.length <= SHOWN_UNCOVERED) return list(texts);
  return `${list(texts.slice(0, SHOWN_UNCOVERED))} and ${texts.length - SHOWN_UNCOVERED} more assignment school(s) (the evidence lists every assignment)`;
}

export function findingsOn(records: AgencyRecords, officers: OfficerOnDay[], day: LocalDate): AgencyFinding[] {
  const assignments = officers.flatMap((o) => o.assignments.map((a) => ({ ...a, officerId: o.officerId })));
  if (assignments.length === 0) return [agencyFinding(id, citation, 'NOT_APPLICABLE', `No SRO assignment of the agency is in force on ${day}.`, [])];
  const points = changePoints(records);
  const covered: string[] = [];
  const uncovered: { text: string; since: LocalDate; eventId: string }[] = [];
  const evidence = new Set<string>();
  for (const a of assignments) {
    for (const school of a.schools) {
      const by = contractsCovering(records, school, day);
      if (by.length > 0) {
        for (const t of by) t.evidence.forEach((e) => evidence.add(e));
        evidence.add(a.eventId);
        covered.push(school);
        continue;
      }
      const since = uncoveredSince(records, points, school, maxDate(a.startDate, STATUTE_START), day);
      uncovered.push({ text: `${school} (officer ${a.officerId}, assignment ${a.assignmentId}, uncovered since ${since})`, since, eventId: a.eventId });
    }
  }
  if (uncovered.length === 0) {
    return [agencyFinding(id, citation, 'MET', `Every school of the ${assignments.length} SRO assignment(s) in force on ${day} is covered by an SRO contract in force that day.`, [...evidence])];
  }
  const due = uncovered.map((u) => u.since).sort()[0];
  return [
    agencyFinding(
      id,
      citation,
      'VIOLATED',
      `No SRO contract in force on ${day} covers ${uncoveredList(uncovered.map((u) => u.text))}: an SRO is assigned to a school through the terms of a contract with its district or charter school.`,
      [...new Set(uncovered.map((u) => u.eventId))],
      due,
    ),
  ];
}

export const reminderKinds = ['SCHOOL_NOT_COVERED', 'CONTRACT_ENDING', 'CONTRACT_MISSING'] as const;

export const violated = {
  kind: 'SCHOOL_NOT_COVERED',
  action: 'record an SRO contract with the school district or charter school (or amend one) so that it covers every school an SRO is assigned to',
} as const;

/** Nothing ahead from the findings: an assignment ahead is CONTRACT_MISSING (contractMissingReminders), a contract's end CONTRACT_ENDING. */
export const remindersAhead = noAgencyReminders;

/** The last day in force of a contract in force on `asOf`, as the terms will stand on that day. */
function lastDayFrom(c: Contract, asOf: LocalDate): LocalDate | null {
  let day = asOf;
  for (let i = 0; i <= c.amendments.length + 1; i++) {
    const t = termsOn(c, day);
    if (t.lastDay === null || t.lastDay === day) return t.lastDay;
    day = t.lastDay; // amendments effective by then may move it again
  }
  return termsOn(c, day).lastDay;
}

/** A contract in force on asOf whose last day falls within the horizon (CONTRACT_ENDING). */
export function contractEndingReminders(records: AgencyRecords, asOf: LocalDate, horizonDays: number): AgencyReminderItem[] {
  const items: AgencyReminderItem[] = [];
  for (const c of records.contracts) {
    const now = inForceOn(c, asOf);
    if (!now) continue;
    const last = lastDayFrom(c, asOf);
    if (last === null) continue;
    const daysLeft = daysBetween(asOf, last);
    if (daysLeft < 0 || daysLeft > horizonDays) continue;
    const schools = termsOn(c, last).schools;
    items.push({
      officerId: null,
      rule: id,
      kind: 'CONTRACT_ENDING',
      dueDate: last,
      daysLeft,
      message:
        `SRO contract ${c.contractId} with ${c.district} ends on ${last} (its last day in force; ${daysLeft} day(s) left): renew or amend it, or record the contract that follows, ` +
        `for ${list(schools)}. (${citation})`,
      citation,
      scope: 'AGENCY',
      subject: contractSubject(c),
      contractId: c.contractId,
    });
  }
  return items;
}

/** An officer's assignments starting within the horizon at a school no contract will cover on its first day (CONTRACT_MISSING). */
export function contractMissingReminders(facts: Facts, records: AgencyRecords, asOf: LocalDate, horizonDays: number): AgencyReminderItem[] {
  const items: AgencyReminderItem[] = [];
  for (const a of facts.assignments) {
    const start = maxDate(a.startDate, AGENCY_RULES_FROM);
    if (start <= asOf || daysBetween(asOf, start) > horizonDays || separatedBy(facts, start) || !covers(a, start)) continue;
    const missing = a.schools.filter((s) => contractsCovering(records, s, start).length === 0);
    if (missing.length === 0) continue;
    const daysLeft = daysBetween(asOf, start);
    items.push({
      officerId: facts.officerId,
      rule: id,
      kind: 'CONTRACT_MISSING',
      dueDate: start,
      daysLeft,
      message:
        `${facts.name} (${facts.officerId}): assignment ${a.assignmentId} starts on ${start} at ${list(missing)}, which no SRO contract in force that day covers: ` +
        `record the contract with the district (or amend one) before then. Due ${start}: ${daysLeft} day(s) left. (${citation})`,
      citation,
      scope: 'AGENCY',
      subject: `${facts.name} (${facts.officerId})`,
    });
  }
  return items;
}
