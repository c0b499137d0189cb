/**
 * Acknowledging a notice (docs/reference.md "Reminders by e-mail"): the recipient, signed in,
 * presses Acknowledge on `/notices/<noticeId>`, and ReminderNoticeAcknowledged {noticeId, by} is
 * appended to the agency's stream, once (its event id is derived from the notice). Opening the
 * page records nothing: mail scanners open every link of a message.
 */
import { Inject, Injectable } from '@nestjs/common';
import { agencyStream } from '../../events/streams';
import type { Account } from '../auth/access-registry';
import { DuplicateEventIdError, EVENT_STORE, type EventStore } from '../store/event-store.port';
import { newEvent } from '../write/new-events';
import { Conflict, NotFound } from '../write/refusals';
import { noticesOf, type NoticeRecord } from './agency-notices';
import { acknowledgementEventId } from './notice-ids';

const notFound = () => new NotFound(['This notice does not exist in your agency’s records. Check that the link is complete, and that you are signed in with the account the message was sent to.']);

@Injectable()
export class NoticeAcknowledgements {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** The notice of the person's agency with this id (404 otherwise). */
  async notice(agencyId: string, noticeId: string): Promise<NoticeRecord> {
    const notice = noticesOf(await this.store.readStream(agencyStream(agencyId))).get(noticeId);
    if (!notice) throw notFound();
    return notice;
  }

  /** Records that `account`, the notice's recipient, acknowledged it; a second press records nothing more. */
  async acknowledge(account: Pick<Account, 'agencyId' | 'email'>, noticeId: string): Promise<NoticeRecord> {
    const notice = await this.notice(account.agencyId, noticeId);
    if (notice.outcome !== 'SENT') throw new Conflict(['This notice was never delivered, so there is nothing to acknowledge.']);
    if (notice.recipient.email !== account.email) throw new Conflict([`This notice was sent to ${notice.recipient.name} (${notice.recipient.email}); only they can acknowledge it.`]);
    if (notice.acknowledged) return notice;
    try {
      await this.store.appendToStream(
        agencyStream(account.agencyId),
        [newEvent({ type: 'ReminderNoticeAcknowledged', data: { noticeId, by: account.email } }, { recordedBy: account.email, correlationId: noticeId }, acknowledgementEventId(noticeId))],
        { expectedRevision: 'any' },
      );
    } catch (error) {
      if (!(error instanceof DuplicateEventIdError)) throw error;
    }
    return this.notice(account.agencyId, noticeId);
  }
}
