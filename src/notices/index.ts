/**
 * Reminders by e-mail, proof of notice and calendar feeds (docs/reference.md "Reminders by
 * e-mail"): the services the app module provides. The pages that use them are the console's
 * (src/console/pages/account.tsx, notice.tsx, calendar-feed.ts), the route of the notices is a
 * slice (src/agencies/notices.ts), the commands are src/cli/notice-commands.ts.
 */
import type { Provider } from '@nestjs/common';
import { NoticeAcknowledgements } from './acknowledgements';
import { DigestSchedule } from './digest-schedule';
import { NoticeAccounts } from './notice-accounts';
import { NoticeDigest } from './notice-digest.service';
import { NOTICE_OPTIONS, noticeOptionsFrom, type NoticeOptions } from './notice-options';

export function noticeProviders(overrides: Partial<NoticeOptions> = {}): Provider[] {
  return [{ provide: NOTICE_OPTIONS, useFactory: () => noticeOptionsFrom(process.env, overrides) }, NoticeDigest, DigestSchedule, NoticeAccounts, NoticeAcknowledgements];
}

export { NOTICE_OPTIONS, NoticeAccounts, NoticeAcknowledgements, NoticeDigest, DigestSchedule, type NoticeOptions };
