/**
 * A person's calendar feed (docs/reference.md "Calendar feed", RFC 5545 by ical-generator): one
 * all-day VEVENT per reminder item of the agency, overdue or due within 365 days, on its due date;
 * the SUMMARY names the officer (or the agency) and the action, the DESCRIPTION the citation and
 * the record's link. The UID is a name-based UUID of agency, officer, rule and due date, so a
 * calendar application updates the same event on every fetch instead of adding another.
 */
import ical from 'ical-generator';
import { deterministicEventId } from '../processors/processor';
import type { RemindersView } from '../agencies/reminders';
import { daysLeftWords, recordLink } from './notice-message';
import { messageItemOf } from './notice-digest.service';

/** Overdue items and those due within this many days are in the feed. */
export const FEED_HORIZON_DAYS = 365;

export const feedUid = (agencyId: string, officerId: string | null, rule: string, dueDate: string, host: string): string =>
  `${deterministicEventId('CalendarFeedItem', agencyId, officerId ?? '(agency)', rule, dueDate)}@${host}`;

export function calendarFeed(agency: { agencyId: string; name: string }, view: RemindersView, publicUrl: string, now: Date = new Date()): string {
  const host = new URL(publicUrl).hostname;
  const calendar = ical({ name: `SRO compliance: ${agency.name}`, prodId: { company: 'sro-compliance', product: 'reminders', language: 'EN' } });
  for (const r of view.items) {
    const line = r.officerId !== null ? messageItemOf(r) : undefined;
    const who = line ? line.officerName : r.subject;
    const action = line ? line.action : r.message.replace(/\.\s+(Was due|Due) [^]*$/, '').replace(/^[^:]*:\s*/, '');
    const link = r.officerId !== null ? recordLink(publicUrl, r.officerId) : `${publicUrl}/reminders`;
    calendar.createEvent({
      id: feedUid(agency.agencyId, r.officerId, r.rule, r.dueDate, host),
      start: `${r.dueDate}T00:00:00Z`,
      allDay: true,
      stamp: now,
      summary: `${who}: ${action}`,
      description: `${daysLeftWords(r.daysLeft)} on ${view.asOf}. Rule ${r.rule}, ${r.citation}. Record: ${link}`,
      url: link,
    });
  }
  return calendar.toString();
}
