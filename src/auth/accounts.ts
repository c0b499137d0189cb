/**
 * Personal accounts (docs/reference.md#web-console; docs/decisions.md W20): invitations and
 * password resets as one-time links valid 24 hours, passwords set through them, sign-in checks,
 * role changes and disabling. Every change is an event in the access stream (events/access.ts),
 * decided against the caught-up registry and refused, appending nothing, with the product's refusal
 * types.
 *
 * Used by the console (src/console) and the CLI (`user invite`, `user reset`, ...).
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { ROLES, type Role } from '../../events/access';
import { agencyStream } from '../../events/streams';
import { plainTextProblem } from '../common/plain-text';
import { EVENT_STORE, type EventStore } from '../store/event-store.port';
import { agencyNotRegistered, Conflict, Invalid, NotFound } from '../write/refusals';
import { Account, AccessRegistry } from './access-registry';
import { HashSlots } from './hash-slots';
import { SESSION_RECORDS, type SessionRecordStore } from './session-store.port';
import { decoyHash, hashPassword, passwordProblems, verifyPassword } from './passwords';
import { hashToken } from './tokens';

/** An invitation refused without saying so: the email has an account in another agency (Accounts.invite). */
class AccountOfAnotherAgency extends Error {}

/** How long an invitation, a reset or the first-run setup link works. */
export const LINK_VALIDITY_MS = 24 * 60 * 60 * 1000;

/** A practical email check (one @, a dot in the domain, no spaces); the address is what a person signs in with. */
const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$/;

/** Whether `email` (normalised) passes the practical check people's addresses pass (a witness's too). */
export const isEmailAddress = (email: string): boolean => EMAIL.test(email) && email.length <= 254;

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

/** A new one-time link secret: 256 random bits, given once, stored as its SHA-256. */
export const newLinkSecret = (): string => randomBytes(32).toString('base64url');

export interface NewPerson {
  agencyId: string;
  role: string;
  email: string;
  name: string;
}

export interface Invitation {
  account: Account;
  /** The link's secret, in clear: the only time it exists outside the person's hands. */
  secret: string;
  expiresAt: string;
}

/** The field messages for a new person, empty when acceptable. */
export function personProblems(person: NewPerson): string[] {
  const problems: string[] = [];
  if (!(ROLES as readonly string[]).includes(person.role)) problems.push(`Role: choose one of ${ROLES.join(', ')}`);
  const email = normaliseEmail(person.email ?? '');
  if (!EMAIL.test(email) || email.length > 254) problems.push('Email: enter an email address such as name@agency.example.gov');
  const name = (person.name ?? '').trim();
  const nameProblem = name ? plainTextProblem(name) : 'must not be blank';
  if (nameProblem || name.length > 200) problems.push(`Name: ${nameProblem ?? 'use at most 200 characters'}`);
  return problems;
}

/** An admin who can use the console now: the admin role, a password set or a provider linked (docs/decisions.md W57), not disabled. */
export const isActiveAdmin = (a: Account): boolean => a.role === 'admin' && (!!a.password || (a.subjects?.size ?? 0) > 0) && !a.disabledAt;

/**
 * The refusal when `account` is its agency's last active admin (docs/decisions.md W35): without
 * one, no one could invite, reset or enable anybody in the console, and recovery would need the
 * server's command line. Decided against the caught-up access stream, in the same append.
 */
export function lastAdminRefusal(agencyAccounts: Account[], account: Account, change: string): Conflict | undefined {
  if (!isActiveAdmin(account)) return undefined;
  if (agencyAccounts.some((a) => a.userId !== account.userId && isActiveAdmin(a))) return undefined;
  return new Conflict([
    `Role: ${account.email} is the last active admin of agency ${account.agencyId} (the only one who can sign in and manage its people and records): ${change} would lock the agency out of the console. Invite another admin (who sets a password) or enable one first (docs/decisions.md W35).`,
  ]);
}

@Injectable()
export class Accounts {
  private readonly logger = new Logger('Accounts');
  /** Every scrypt of this process goes through these slots: bounded, and fair between accounts (hash-slots.ts). */
  private readonly slots = new HashSlots();

  constructor(
    private readonly registry: AccessRegistry,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SESSION_RECORDS) private readonly sessions: SessionRecordStore,
  ) {}

  /**
   * Invites a person: a UserInvited event with a one-time link valid 24 hours. An email that
   * already has an account in this agency is refused (409: the admin sees those on People). An
   * email that has an account in **another** agency is answered exactly as a new one, so the
   * answer does not tell which addresses other agencies use, but nothing is recorded: the link
   * given was never recorded and does not work, and the server log says so (decisions W38).
   */
  async invite(person: NewPerson, recordedBy: string, now = new Date()): Promise<Invitation> {
    const problems = personProblems(person);
    if (problems.length) throw new Invalid(problems);
    await this.requireAgency(person.agencyId);
    const secret = newLinkSecret();
    const expiresAt = new Date(now.getTime() + LINK_VALIDITY_MS).toISOString();
    const userId = randomUUID();
    const email = normaliseEmail(person.email);
    const invited = { type: 'UserInvited' as const, data: { userId, agencyId: person.agencyId, role: person.role as Role, email, name: person.name.trim(), linkSha256: hashToken(secret), expiresAt } };
    let elsewhere = false;
    try {
      await this.registry.append(recordedBy, (view) => {
        const existing = view.accountByEmail(email);
        if (existing?.agencyId === person.agencyId) throw new Conflict([`Email: an account for ${email} already exists; issue a password reset instead`]);
        if (existing) throw new AccountOfAnotherAgency();
        return invited;
      });
    } catch (error) {
      if (!(error instanceof AccountOfAnotherAgency)) throw error;
      elsewhere = true;
    }
    if (elsewhere) {
      this.logger.warn(`${recordedBy} of agency ${person.agencyId} invited an email that has an account in another agency: nothing was recorded, and the link shown does not work`);
      const { linkSha256: _unrecorded, ...data } = invited.data;
      return { account: { ...data, invitedAt: now.toISOString(), invitedBy: recordedBy, links: new Map() }, secret, expiresAt };
    }
    return { account: (await this.registry.account({ userId }))!, secret, expiresAt };
  }

  /**
   * The first admin of a new agency, with the password set at once (first-run setup): the
   * invitation and the password in one append, recorded by `recordedBy`.
   */
  async createFirstAdmin(person: Omit<NewPerson, 'role'>, password: string, setupSecret: string, recordedBy: string): Promise<Account> {
    const problems = [...personProblems({ ...person, role: 'admin' }), ...passwordProblems(password, person)];
    if (problems.length) throw new Invalid(problems);
    await this.requireAgency(person.agencyId);
    const hash = await this.slots.run('first-run setup', () => hashPassword(password));
    const userId = randomUUID();
    const email = normaliseEmail(person.email);
    const linkSha256 = hashToken(setupSecret);
    await this.registry.append(recordedBy, (view) => {
      if (view.accountByEmail(email)) throw new Conflict([`Email: an account for ${email} already exists`]);
      return [
        { type: 'UserInvited', data: { userId, agencyId: person.agencyId, role: 'admin', email, name: person.name.trim(), linkSha256, expiresAt: new Date().toISOString() } },
        { type: 'UserPasswordSet', data: { userId, linkSha256, password: hash } },
      ];
    });
    return (await this.registry.account({ userId }))!;
  }

  /** The account an open, unexpired link belongs to, or a refusal saying why the link does not work. */
  async accountForLink(secret: string, now = new Date()): Promise<Account> {
    const linkSha256 = hashToken(secret);
    const account = await this.registry.account({ linkSha256 });
    const expiresAt = account?.links.get(linkSha256);
    if (!account || !expiresAt) throw new NotFound(['This link is not valid: it was already used, it was replaced by a newer one, or the account was disabled since. Ask an admin of your agency for a new link.']);
    if (Date.parse(expiresAt) < now.getTime()) throw new Invalid(['This link has expired (links work for 24 hours). Ask an admin of your agency for a new link.']);
    if (account.disabledAt) throw new Invalid(['This account is disabled. Ask an admin of your agency.']);
    return account;
  }

  /** Sets the password through a one-time link; the link (and every other open link of the account) is used up. */
  async setPassword(secret: string, password: string, confirmation: string, now = new Date()): Promise<Account> {
    const account = await this.accountForLink(secret, now);
    const problems = passwordProblems(password, account);
    if (!problems.length && password !== confirmation) problems.push('Confirm password: the two passwords are not the same');
    if (problems.length) throw new Invalid(problems);
    const hash = await this.slots.run(`account:${account.userId}`, () => hashPassword(password));
    const linkSha256 = hashToken(secret);
    await this.registry.append(account.email, (view) => {
      const current = view.accountByLink(linkSha256);
      if (!current || current.userId !== account.userId) throw new NotFound(['This link is not valid: it was already used. Ask an admin of your agency for a new link.']);
      return { type: 'UserPasswordSet', data: { userId: account.userId, linkSha256, password: hash } };
    });
    return (await this.registry.account({ userId: account.userId }))!;
  }

  /**
   * The account whose email and password these are, and that may sign in; undefined otherwise.
   * An unknown email costs the same scrypt as a known one, so the answer does not tell them apart.
   * The hash waits for a slot, in the email's own queue (hash-slots.ts); throws
   * PasswordChecksBusy (429 or 503) instead of waiting beyond the bounds.
   */
  async checkPassword(email: string, password: string): Promise<Account | undefined> {
    const normalised = normaliseEmail(email);
    const account = await this.registry.account({ email: normalised });
    const stored = account?.password ?? (await decoyHash());
    const ok = await this.slots.run(`sign-in:${normalised}`, () => verifyPassword(password, stored));
    return ok && account?.password && !account.disabledAt ? account : undefined;
  }

  /** A new one-time link for a person of the agency (a forgotten password, a lost invitation). */
  async issueReset(agencyId: string, email: string, recordedBy: string, now = new Date()): Promise<Invitation> {
    const account = await this.accountOf(agencyId, email);
    const secret = newLinkSecret();
    const expiresAt = new Date(now.getTime() + LINK_VALIDITY_MS).toISOString();
    await this.registry.append(recordedBy, () => ({ type: 'PasswordResetIssued', data: { userId: account.userId, linkSha256: hashToken(secret), expiresAt } }));
    return { account: (await this.registry.account({ userId: account.userId }))!, secret, expiresAt };
  }

  /** A new role; the agency's last active admin keeps the role (lastAdminRefusal). */
  async changeRole(agencyId: string, email: string, role: string, recordedBy: string): Promise<Account> {
    if (!(ROLES as readonly string[]).includes(role)) throw new Invalid([`Role: choose one of ${ROLES.join(', ')}`]);
    const account = await this.accountOf(agencyId, email);
    await this.registry.append(recordedBy, (view) => {
      const current = view.accountById(account.userId)!;
      if (current.role === role) throw new Conflict([`Role: ${current.email} already has the role ${role}`]);
      const refusal = lastAdminRefusal(view.accountsOf(agencyId), current, `changing the role to ${role}`);
      if (refusal) throw refusal;
      return { type: 'UserRoleChanged', data: { userId: account.userId, role: role as Role } };
    });
    return (await this.registry.account({ userId: account.userId }))!;
  }

  async disable(agencyId: string, email: string, reason: string, recordedBy: string): Promise<Account> {
    const text = reason.trim();
    const problem = text ? plainTextProblem(text) : 'must not be blank';
    if (problem) throw new Invalid([`Reason: ${problem}`]);
    const account = await this.accountOf(agencyId, email);
    await this.registry.append(recordedBy, (view) => {
      const current = view.accountById(account.userId)!;
      if (current.disabledAt) throw new Conflict([`${current.email} is already disabled`]);
      const refusal = lastAdminRefusal(view.accountsOf(agencyId), current, 'disabling the account');
      if (refusal) throw refusal;
      return { type: 'UserDisabled', data: { userId: account.userId, reason: text } };
    });
    // Every session of the account ends now, on every server (docs/decisions.md W55), whoever disabled it (People, the CLI).
    await this.sessions.deleteAllOf(account.userId);
    return (await this.registry.account({ userId: account.userId }))!;
  }

  async enable(agencyId: string, email: string, recordedBy: string): Promise<Account> {
    const account = await this.accountOf(agencyId, email);
    if (!account.disabledAt) throw new Conflict([`${account.email} is not disabled`]);
    await this.registry.append(recordedBy, () => ({ type: 'UserEnabled', data: { userId: account.userId } }));
    return (await this.registry.account({ userId: account.userId }))!;
  }

  list(agencyId: string): Promise<Account[]> {
    return this.registry.accountsOf(agencyId);
  }

  private async accountOf(agencyId: string, email: string): Promise<Account> {
    const account = await this.registry.account({ email: normaliseEmail(email) });
    if (!account || account.agencyId !== agencyId) throw new NotFound([`Email: agency ${agencyId} has no account for ${normaliseEmail(email)}`]);
    return account;
  }

  private async requireAgency(agencyId: string): Promise<void> {
    if ((await this.store.readStream(agencyStream(agencyId))).length === 0) throw agencyNotRegistered(agencyId);
  }
}
