/**
 * The notices of an agency as its stream has them (events/catalogue.ts, ReminderNotice*): which
 * notice was sent or failed, to whom, with which items, and whether it was acknowledged. Pure over
 * recorded events.
 */
import type { NoticeItem, NoticeRecipient } from '../../events/catalogue';
import type { RecordedEvent } from '../../events/envelope';
import { addDays, type PastNotice } from '../../projections';

export interface NoticeRecord {
  noticeId: string;
  recipient: NoticeRecipient;
  outcome: 'SENT' | 'FAILED';
  /** When the outcome was recorded. */
  recordedAt: string;
  eventId: string;
  messageId?: string;
  items: NoticeItem[];
  error?: string;
  attempts?: number;
  acknowledged?: { by: string; at: string; eventId: string };
}

export const NOTICE_EVENT_TYPES = ['ReminderNoticeSent', 'ReminderNoticeFailed', 'ReminderNoticeAcknowledged'] as const;

/** The notices of the agency's stream, by noticeId, in the order recorded. */
export function noticesOf(events: readonly RecordedEvent[]): Map<string, NoticeRecord> {
  const notices = new Map<string, NoticeRecord>();
  for (const e of events) {
    const d = e.data as Record<string, unknown>;
    if (e.type === 'ReminderNoticeSent') {
      notices.set(String(d.noticeId), { noticeId: String(d.noticeId), recipient: d.recipient as NoticeRecipient, outcome: 'SENT', recordedAt: e.recordedAt, eventId: e.eventId, messageId: String(d.messageId), items: d.items as NoticeItem[] });
    } else if (e.type === 'ReminderNoticeFailed') {
      notices.set(String(d.noticeId), { noticeId: String(d.noticeId), recipient: d.recipient as NoticeRecipient, outcome: 'FAILED', recordedAt: e.recordedAt, eventId: e.eventId, items: [], error: String(d.error), attempts: Number(d.attempts) });
    } else if (e.type === 'ReminderNoticeAcknowledged') {
      const notice = notices.get(String(d.noticeId));
      if (notice && !notice.acknowledged) notice.acknowledged = { by: String(d.by), at: e.recordedAt, eventId: e.eventId };
    }
  }
  return notices;
}

/** The day a sent notice was for: its items' due date less their days left (every item agrees). */
export const dayOfNotice = (items: readonly NoticeItem[]): string | undefined => (items.length ? addDays(items[0].dueDate, -items[0].daysLeft) : undefined);

/** The notices sent to `email`, as the digest's decision reads them. */
export function pastNoticesTo(notices: Map<string, NoticeRecord>, email: string): PastNotice[] {
  const past: PastNotice[] = [];
  for (const n of notices.values()) {
    const day = dayOfNotice(n.items);
    if (n.outcome === 'SENT' && n.recipient.email === email && day) past.push({ day, items: n.items });
  }
  return past;
}
