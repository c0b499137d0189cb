/**
 * The ids of a notice (docs/decisions.md W49): one noticeId per agency, person and Minnesota day,
 * and one event id for its outcome (sent or failed) and one for its acknowledgement, so that the
 * store refuses a second one (DuplicateEventIdError) however often it is attempted.
 */
import { deterministicEventId } from '../processors/processor';

export const noticeIdFor = (agencyId: string, userId: string, day: string): string => deterministicEventId('ReminderNotice', agencyId, userId, day);
export const outcomeEventId = (noticeId: string): string => deterministicEventId('ReminderNoticeOutcome', noticeId);
export const acknowledgementEventId = (noticeId: string): string => deterministicEventId('ReminderNoticeAcknowledged', noticeId);
/** The Message-ID of a notice's message: the same for every attempt, so a mail system that dedupes on it keeps one. */
export const messageIdFor = (noticeId: string, publicUrl: string): string => `<${noticeId}@${new URL(publicUrl).hostname}>`;
