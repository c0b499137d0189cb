/**
 * An officer's history as known at `knownAt`: every event recorded at or before it (retracted
 * ones included and marked; a retraction recorded after knownAt does not show), in recorded
 * order, plus the status intervals over time.
 */
import { EFFECTIVE_DATE_FIELD, type EventType } from '../events/catalogue';
import { isLocalDate, type LocalDate } from './dates';
import { buildFacts } from './facts';
import type { OfficerLedger } from './input';
import { HISTORY_INCLUDES_AGENCY_EVENTS } from './interpretation';
import { know } from './knowledge';
import { intervalsOf, type StatusInterval } from './status-intervals';

export interface HistoryEntry {
  eventId: string;
  type: string;
  data: unknown;
  /**
   * The day the fact happened (docs/reference.md#time); null for events without one
   * (registrations, retractions).
   */
  effectiveDate: LocalDate | null;
  recordedAt: string;
  recordedBy: string;
  /** Which stream the event belongs to. */
  stream: 'officer' | 'agency';
  retracted: boolean;
  /** eventId of the retraction, when retracted. */
  retractedBy?: string;
  retractedAt?: string;
}

export function effectiveDateOfEvent(type: string, data: unknown): LocalDate | null {
  const field = (EFFECTIVE_DATE_FIELD as Record<string, string | null>)[type as EventType];
  if (!field || data === null || typeof data !== 'object') return null;
  const value = (data as Record<string, unknown>)[field];
  return isLocalDate(value) ? value : null;
}

/**
 * The notices (ReminderNoticeSent, and their acknowledgements) whose items named the officer: an
 * officer's history shows those of the agency's notices only (docs/decisions.md W52). A failed
 * notice told no one and names no item, so it is on the agency's notices, not an officer's history.
 */
function noticesNaming(officerId: string, events: readonly { type: string; data: unknown }[]): Set<string> {
  const ids = new Set<string>();
  for (const e of events) {
    if (e.type !== 'ReminderNoticeSent') continue;
    const data = e.data as { noticeId: string; items?: { officerId: string }[] };
    if (data.items?.some((i) => i.officerId === officerId)) ids.add(data.noticeId);
  }
  return ids;
}

export function officerHistory(ledger: OfficerLedger, knownAt: string): { name: string; events: HistoryEntry[]; statusIntervals: StatusInterval[] } {
  const knowledge = know(ledger, knownAt);
  const naming = noticesNaming(ledger.officerId, knowledge.recorded);
  const events = knowledge.recorded
    .filter((e) => HISTORY_INCLUDES_AGENCY_EVENTS || e.stream === 'officer')
    .filter((e) => !e.type.startsWith('ReminderNotice') || naming.has(String((e.data as { noticeId?: unknown }).noticeId)))
    .map((e): HistoryEntry => {
      const by = knowledge.retractedBy.get(e.eventId);
      const entry: HistoryEntry = {
        eventId: e.eventId,
        type: e.type,
        data: e.data,
        effectiveDate: effectiveDateOfEvent(e.type, e.data),
        recordedAt: e.recordedAt,
        recordedBy: e.recordedBy,
        stream: e.stream,
        retracted: by !== undefined,
      };
      if (by) {
        entry.retractedBy = by.eventId;
        entry.retractedAt = by.recordedAt;
      }
      return entry;
    });
  const facts = buildFacts(ledger.officerId, ledger.name, knowledge);
  // The name as known at knownAt (registered, or as corrected by then).
  return { name: facts.name, events, statusIntervals: intervalsOf(facts) };
}
