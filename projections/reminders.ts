/**
 * Reminders: what an officer (or the agency) must do next, with a due date. Items due within
 * horizonDays of asOf, plus everything overdue (negative daysLeft). An officer's items come from
 * the rules (rules/*.ts: each says which reminders its finding gives); this file adds who, the
 * days left and the finding's citation, and keeps one item per rule, kind and due date.
 */
import { dayContext } from './context';
import { assertLocalDate, daysBetween, type LocalDate } from './dates';
import type { Facts } from './facts';
import type { OfficerLedger } from './input';
import { STATUTE_START } from './law';
import { factsKnownAt, separatedBy, statusOn } from './officer-status';
import { RULES } from './rules';
import type { ReminderContext } from './rules/common';
import type { AgencyRuleId, Finding, ReminderKind, RuleId } from './types';

/** The kinds, pinned, live with the other enums in types.ts (the rule modules name theirs). */
export { REMINDER_KINDS, type ReminderKind } from './types';

export interface Reminder {
  /** The officer the item is about; null for the agency's own obligations (docs/decisions.md W33). */
  officerId: string | null;
  rule: RuleId | AgencyRuleId;
  kind: ReminderKind;
  dueDate: LocalDate;
  /** dueDate − asOf in days; negative when overdue. */
  daysLeft: number;
  /** Plain English: who, the action, the due date and the citation. */
  message: string;
  /** The citation of the rule's finding the item comes from, as its rule module gives it (docs/decisions.md W33). */
  citation: string;
  /** Whose obligation: an officer's own rule, or the agency's (an agency rule, CONTRACT_MISSING included). */
  scope: ReminderScope;
  /** Who or what the item is about, in plain words: "Pat Officer (off-1)", "The agency", "The agency: SRO contract c1 with ISD 1". */
  subject: string;
  /** The contract an agency item is about (CONTRACT_ENDING, CONTRACT_TERMS_MISSING). */
  contractId?: string;
}

export const REMINDER_SCOPES = ['OFFICER', 'AGENCY'] as const;
export type ReminderScope = (typeof REMINDER_SCOPES)[number];

/** "Was due 2026-02-01: 3 day(s) overdue.", "Due today, 2026-02-04.", "Due 2026-03-01: 25 day(s) left." */
export function whenWords(dueDate: LocalDate, daysLeft: number): string {
  return daysLeft < 0 ? `Was due ${dueDate}: ${-daysLeft} day(s) overdue.` : daysLeft === 0 ? `Due today, ${dueDate}.` : `Due ${dueDate}: ${daysLeft} day(s) left.`;
}

/** Orders reminders by dueDate, then officerId, rule and kind. */
export function compareReminders(a: Reminder, b: Reminder): number {
  const key = (r: Reminder) => [r.dueDate, r.officerId ?? '', r.rule, r.kind];
  const ka = key(a);
  const kb = key(b);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
  return 0;
}

export function remindersFor(ledger: OfficerLedger, asOf: string, knownAt: string, horizonDays: number): Reminder[] {
  assertLocalDate(asOf, 'asOf');
  assertHorizon(horizonDays);
  return remindersFromFacts(factsKnownAt(ledger, knownAt), asOf, horizonDays);
}

function assertHorizon(horizonDays: number): void {
  if (!Number.isInteger(horizonDays) || horizonDays < 0) throw new RangeError(`horizonDays must be a non-negative integer, got ${horizonDays}`);
}

/** remindersFor with the knowledge step already done: `facts` from factsKnownAt(ledger, knownAt). */
export function remindersFromFacts(facts: Facts, asOf: string, horizonDays: number): Reminder[] {
  assertLocalDate(asOf, 'asOf');
  assertHorizon(horizonDays);
  if (separatedBy(facts, asOf)) return []; // off the active roster (docs/decisions.md 24)
  const who = `${facts.name} (${facts.officerId})`;
  const items = new Map<string, Reminder>();
  // `from`: the finding the item comes from; its citation is the item's (one citation per rule and case, from the rule module).
  const add = (from: Finding, kind: ReminderKind, dueDate: LocalDate, action: string) => {
    const daysLeft = daysBetween(asOf, dueDate);
    if (daysLeft > horizonDays) return;
    const key = `${from.rule}|${kind}|${dueDate}`;
    if (!items.has(key)) {
      items.set(key, {
        officerId: facts.officerId,
        rule: from.rule,
        kind,
        dueDate,
        daysLeft,
        message: `${who}: ${action}. ${whenWords(dueDate, daysLeft)} (${from.citation})`,
        citation: from.citation,
        scope: 'OFFICER',
        subject: who,
      });
    }
  };
  // What each rule's finding on asOf asks for (rules/*.ts: reminders).
  const now = statusOn(facts, asOf);
  const context: ReminderContext = { facts, asOf, ctx: dayContext(facts, asOf) };
  RULES.forEach((rule, i) => {
    for (const r of rule.reminders(now.findings[i], context)) add(now.findings[i], r.kind, r.dueDate, r.action);
  });
  // Duty starting within the horizon (a new assignment, or 2025-09-01): what each rule's finding on that day will ask for.
  const checkpoints = new Set<LocalDate>(facts.assignments.map((a) => a.startDate));
  checkpoints.add(STATUTE_START);
  for (const day of [...checkpoints].sort()) {
    if (day <= asOf || daysBetween(asOf, day) > horizonDays) continue;
    const then = statusOn(facts, day);
    RULES.forEach((rule, i) => {
      for (const r of rule.remindersBeforeDuty(then.findings[i], day)) add(then.findings[i], r.kind, r.dueDate, r.action);
    });
  }
  return [...items.values()].sort(compareReminders);
}
