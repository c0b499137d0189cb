/**
 * A person's own notice settings, as access-stream events (docs/decisions.md W50, W51): the digest
 * on or off (NoticePreferenceSet), and the calendar feed's secret address (CalendarFeedIssued; a
 * new one replaces the old, whose address then answers 404).
 */
import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Account } from '../auth/access-registry';
import { AccessRegistry } from '../auth/access-registry';
import { NotFound } from '../write/refusals';

/** 256 random bits, URL-safe: the last part of `/calendar/<secret>.ics`. */
export const newCalendarSecret = (): string => randomBytes(32).toString('base64url');

export const calendarUrl = (publicUrl: string, secret: string): string => `${publicUrl}/calendar/${secret}.ics`;

@Injectable()
export class NoticeAccounts {
  constructor(private readonly registry: AccessRegistry) {}

  /** Turns the person's digest on or off, recorded by the person (or the CLI user) named. */
  async setNotices(userId: string, enabled: boolean, recordedBy: string): Promise<Account> {
    await this.registry.append(recordedBy, (view) => {
      if (!view.accountById(userId)) throw new NotFound(['This account does not exist']);
      return { type: 'NoticePreferenceSet', data: { userId, enabled } };
    });
    return (await this.registry.account({ userId }))!;
  }

  /** The person's feed secret: the one issued, or a new one when none was (or `replace`). */
  async calendarSecret(userId: string, recordedBy: string, replace = false): Promise<string> {
    const account = await this.registry.account({ userId });
    if (!account) throw new NotFound(['This account does not exist']);
    if (account.calendarSecret && !replace) return account.calendarSecret;
    const secret = newCalendarSecret();
    await this.registry.append(recordedBy, () => ({ type: 'CalendarFeedIssued', data: { userId, secret } }));
    return secret;
  }

  /** The account whose feed `secret` is: undefined for an unknown, replaced or disabled one. */
  async accountOfFeed(secret: string): Promise<Account | undefined> {
    const account = await this.registry.account({ calendarSecret: secret });
    return account && !account.disabledAt ? account : undefined;
  }
}
