/**
 * Who receives the daily digest (docs/decisions.md W50): the agency's chiefs and admins whose
 * accounts are not disabled (an invited person who has not set a password yet included: the
 * message is how many first hear of the console), unless they opted out on their account page.
 * Every account has an e-mail address (it is what a person signs in with); officers have no
 * account and are never sent anything: their chief is.
 */
import type { Account } from '../auth/access-registry';

export const NOTICE_ROLES = ['chief', 'admin'] as const;

/** Whether the person may receive the digest at all (their role). */
export const mayReceiveNotices = (account: Pick<Account, 'role'>): boolean => (NOTICE_ROLES as readonly string[]).includes(account.role);

/** Whether the person receives it now: the role, an account not disabled, and not opted out (opted in by default). */
export const receivesNotices = (account: Account): boolean => mayReceiveNotices(account) && !account.disabledAt && account.notices !== false;

export const recipientsOf = (accounts: Account[]): Account[] => accounts.filter(receivesNotices).sort((a, b) => a.email.localeCompare(b.email));
