/**
 * The daily reminder digest's decision (docs/reference.md "Reminders by e-mail", docs/decisions.md
 * W48): which of today's reminder items a person is told, given what the notices already sent
 * told them. Pure: the caller passes today's items (the reminders of reminders.ts, about officers
 * of one agency, separated officers already left out there) and the person's past notices.
 *
 * An item is the same item while its officer, rule and due date stay the same (a new due date is a
 * new item). It is news to a person when:
 * - they were never told of it;
 * - since they were last told, it crossed one of NOTICE_THRESHOLDS days left (30, 14, 7, 1, 0:
 *   told at 31 days left and now at 30 or fewer is news; a few days without a digest still tells once);
 * - it became overdue since (last told with 0 or more days left, now fewer);
 * - it is overdue, today is a Monday, and they were not told of it today (weekly while overdue).
 * A person already told today (any notice today) hears nothing more today; a person with no news
 * gets no message. When there is news, the message holds every item of today, news marked.
 */
import { daysBetween, toDayNumber, type LocalDate } from './dates';

/** Days left at which an item is told again (docs/reference.md "Reminders by e-mail"). */
export const NOTICE_THRESHOLDS = [30, 14, 7, 1, 0] as const;

/** The largest horizon of the digest: overdue items and those due within 60 days. */
export const DIGEST_HORIZON_DAYS = 60;

/** An item as the digest sees it (the fields of a notice's items). */
export interface DigestItem {
  officerId: string;
  rule: string;
  dueDate: LocalDate;
  daysLeft: number;
}

/** A notice the person was sent (a ReminderNoticeSent): on which Minnesota day, with which items. */
export interface PastNotice {
  day: LocalDate;
  items: DigestItem[];
}

export type NewsReason = 'FIRST' | 'THRESHOLD' | 'OVERDUE' | 'WEEKLY_OVERDUE';

export interface DigestLine<T extends DigestItem> {
  item: T;
  /** Why the item is news today, or null when it is listed only because the message goes anyway. */
  news: NewsReason | null;
}

export interface DigestDecision<T extends DigestItem> {
  /** Whether a message goes today. */
  send: boolean;
  /** Every item of today, in the order given, with why it is news (when it is). */
  lines: DigestLine<T>[];
}

/** The key of an item: the same officer, rule and due date. */
export const itemKey = (item: Pick<DigestItem, 'officerId' | 'rule' | 'dueDate'>): string => `${item.officerId}|${item.rule}|${item.dueDate}`;

/** Monday in the proleptic Gregorian calendar (1970-01-05, day 4 after the epoch, was one). */
export const isMonday = (day: LocalDate): boolean => (((toDayNumber(day) - 4) % 7) + 7) % 7 === 0;

/** Why `item` is news on `today`, given the last time the person was told of it (undefined: never). */
export function newsOf(item: DigestItem, today: LocalDate, last: { day: LocalDate; daysLeft: number } | undefined): NewsReason | null {
  if (!last) return 'FIRST';
  if (last.day === today) return null;
  if (last.daysLeft >= 0 && item.daysLeft < 0) return 'OVERDUE';
  if (NOTICE_THRESHOLDS.some((t) => last.daysLeft > t && item.daysLeft <= t)) return 'THRESHOLD';
  if (item.daysLeft < 0 && isMonday(today)) return 'WEEKLY_OVERDUE';
  return null;
}

/**
 * The digest of one person on `today`: `items` are today's reminder items (daysLeft counted from
 * today), `past` the notices sent to the person (any order).
 */
export function decideDigest<T extends DigestItem>(items: readonly T[], past: readonly PastNotice[], today: LocalDate): DigestDecision<T> {
  const within = items.filter((i) => i.daysLeft <= DIGEST_HORIZON_DAYS);
  if (past.some((n) => n.day === today)) return { send: false, lines: within.map((item) => ({ item, news: null })) };
  // The last time each item was told: the latest notice that held it.
  const last = new Map<string, { day: LocalDate; daysLeft: number }>();
  for (const notice of [...past].sort((a, b) => daysBetween(b.day, a.day))) {
    for (const told of notice.items) {
      const key = itemKey(told);
      const seen = last.get(key);
      if (!seen || seen.day < notice.day) last.set(key, { day: notice.day, daysLeft: told.daysLeft });
    }
  }
  const lines = within.map((item) => ({ item, news: newsOf(item, today, last.get(itemKey(item))) }));
  return { send: lines.some((l) => l.news !== null), lines };
}
