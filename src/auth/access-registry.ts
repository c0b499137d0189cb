/**
 * Who may act for which agency. Grants live as TokenIssued / TokenRevoked events in the global
 * access stream (events/access.ts), so access is audited and hash-chained like every other fact.
 * This registry folds that stream into a lookup by token hash and catches up on every
 * authentication (one indexed read of the stream's tail), so a token revoked by the CLI in
 * another process stops working on the server's next request.
 */
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ACCESS_STREAM } from '../../events/streams';
import type { AccessEvent, PasswordHash, Role } from '../../events/access';
import type { RecordedEvent } from '../../events/envelope';
import { ChainVerifier } from '../../events/integrity';
import { EVENT_STORE, EventStore, WrongExpectedRevisionError } from '../store/event-store.port';
import { newEvent } from '../write/new-events';
import { Conflict, NotFound } from '../write/refusals';
import { generateToken, hashToken } from './tokens';

/** A person's account as the access stream has it (events/access.ts). */
export interface Account {
  userId: string;
  agencyId: string;
  role: Role;
  email: string;
  name: string;
  invitedAt: string;
  invitedBy: string;
  password?: PasswordHash;
  /** When the password was last set: sessions begun before it end (a reset signs out everywhere). */
  passwordSetAt?: string;
  disabledAt?: string;
  disabledReason?: string;
  /** Open one-time links by their SHA-256 → expiry (ISO). */
  links: Map<string, string>;
  /** The person's own choice of the reminder digest (NoticePreferenceSet); undefined: never chosen (src/notices/recipients.ts). */
  notices?: boolean;
  /** The secret of the person's calendar feed address (CalendarFeedIssued), when one was issued. */
  calendarSecret?: string;
  /** The identity providers this account signs in through, and its subject at each (docs/decisions.md W57). */
  subjects?: Map<string, string>;
}

/** An agency's identity provider as the access stream has it (IdentityProviderAdded; src/identity). */
export interface IdentityProvider {
  providerId: string;
  agencyId: string;
  name: string;
  issuer: string;
  clientId: string;
  clientSecretSealed: string;
  groupsClaim: string;
  roles: { group: string; role: Role }[];
  addedAt: string;
  addedBy: string;
}

export interface Grant {
  tokenId: string;
  agencyId: string;
  role: Role;
  name: string;
  issuedAt: string;
  revokedAt?: string;
}

/** A witness of an agency: who receives its checkpoints by e-mail (docs/integrity.md "Witnesses"). */
export interface Witness {
  agencyId: string;
  email: string;
  name: string;
  addedAt: string;
  addedBy: string;
}

@Injectable()
export class AccessRegistry {
  private revision = -1;
  private readonly byHash = new Map<string, Grant>();
  private readonly byId = new Map<string, Grant>();
  private readonly accounts = new Map<string, Account>();
  private readonly accountByEmail = new Map<string, Account>();
  private readonly accountByLink = new Map<string, Account>();
  private readonly accountByCalendar = new Map<string, Account>();
  private readonly mappings = new Map<string, { columns: Record<string, string>; courses: Record<string, string> }>();
  private readonly providers = new Map<string, IdentityProvider>();
  private readonly accountBySubject = new Map<string, Account>();
  /** Agencies whose people may not sign in with a password (PasswordSignInSet allowed: false). */
  private readonly passwordsOff = new Set<string>();
  /** Agencies whose public page is on (PublicPageSet), with when it was turned on. */
  private readonly publicPages = new Map<string, string>();
  /** Each agency's witnesses (WitnessAdded, WitnessRemoved), by lower-cased e-mail. */
  private readonly witnesses = new Map<string, Map<string, Witness>>();
  /** The access stream's hash chain, checked event by event as it is folded (events/integrity.ts). */
  private readonly chain = new ChainVerifier();
  /** Why the access stream does not verify, once its chain broke: nothing after the break is applied. */
  private broken?: string;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** The active grant for a presented token, or undefined (always, once the stream's chain is broken). */
  async authenticate(token: string): Promise<Grant | undefined> {
    await this.catchUp();
    if (this.broken) return undefined;
    const grant = this.byHash.get(hashToken(token));
    return grant && !grant.revokedAt ? grant : undefined;
  }

  async grants(agencyId: string): Promise<Grant[]> {
    await this.catchUp();
    return [...this.byId.values()].filter((g) => g.agencyId === agencyId);
  }

  /** Issues a token; returns it in clear, the only time it exists outside the caller's hands. */
  async issue(input: { agencyId: string; role: Role; name: string; recordedBy: string }): Promise<{ token: string; grant: Grant }> {
    const token = generateToken();
    const tokenId = randomUUID();
    const event = await this.appendChecked(input.recordedBy, () => {
      const active = [...this.byId.values()].find((g) => g.agencyId === input.agencyId && g.name === input.name && !g.revokedAt);
      if (active) throw new Conflict([`name: agency ${input.agencyId} already has an active token named "${input.name}"; revoke it first or choose another name`]);
      return { type: 'TokenIssued', data: { tokenId, tokenSha256: hashToken(token), agencyId: input.agencyId, role: input.role, name: input.name } };
    });
    return { token, grant: { ...this.byId.get(tokenId)!, issuedAt: event.recordedAt } };
  }

  async revoke(input: { agencyId: string; name: string; reason: string; recordedBy: string }): Promise<Grant> {
    let tokenId = '';
    await this.appendChecked(input.recordedBy, () => {
      const active = [...this.byId.values()].find((g) => g.agencyId === input.agencyId && g.name === input.name && !g.revokedAt);
      if (!active) throw new NotFound([`name: agency ${input.agencyId} has no active token named "${input.name}"`]);
      tokenId = active.tokenId;
      return { type: 'TokenRevoked', data: { tokenId, reason: input.reason } };
    });
    return this.byId.get(tokenId)!;
  }

  /** The account as of the latest access event (caught up first), by id, email or open link. */
  async account(by: { userId?: string; email?: string; linkSha256?: string; calendarSecret?: string }): Promise<Account | undefined> {
    await this.catchUp();
    if (this.broken) return undefined; // nothing of a broken stream is trusted (authentication-gate.ts)
    if (by.userId !== undefined) return this.accounts.get(by.userId);
    if (by.email !== undefined) return this.accountByEmail.get(by.email.toLowerCase());
    if (by.linkSha256 !== undefined) return this.accountByLink.get(by.linkSha256);
    if (by.calendarSecret !== undefined) return this.accountByCalendar.get(by.calendarSecret);
    return undefined;
  }

  /** The identity providers in force: an agency's, or every agency's (src/identity). */
  async identityProviders(agencyId?: string): Promise<IdentityProvider[]> {
    await this.catchUp();
    if (this.broken) return [];
    return [...this.providers.values()].filter((p) => agencyId === undefined || p.agencyId === agencyId);
  }

  /** Whether an agency's people may sign in with a password (default yes; docs/decisions.md W59). */
  async passwordSignInAllowed(agencyId: string): Promise<boolean> {
    await this.catchUp();
    return !this.passwordsOff.has(agencyId);
  }

  /** The account linked to a provider's subject. */
  async accountOfSubject(providerId: string, subject: string): Promise<Account | undefined> {
    await this.catchUp();
    if (this.broken) return undefined;
    return this.accountBySubject.get(`${providerId}\u0000${subject}`);
  }

  /** The import mapping last saved for an agency and kind of import (ImportMappingSaved). */
  async importMapping(agencyId: string, kind: string): Promise<{ columns: Record<string, string>; courses: Record<string, string> } | undefined> {
    await this.catchUp();
    return this.mappings.get(`${agencyId}\u0000${kind}`);
  }

  /** When the agency's public page was turned on, or undefined while it is off (the default). */
  async publicPageSince(agencyId: string): Promise<string | undefined> {
    await this.catchUp();
    return this.broken ? undefined : this.publicPages.get(agencyId);
  }

  /** Turns the agency's public page on or off (nothing is appended when it already is). */
  async setPublicPage(input: { agencyId: string; on: boolean; recordedBy: string }): Promise<void> {
    await this.catchUp();
    if (this.publicPages.has(input.agencyId) === input.on) return;
    await this.appendChecked(input.recordedBy, () => ({ type: 'PublicPageSet', data: { agencyId: input.agencyId, on: input.on } }));
  }

  /** The agency's witnesses, in the order they were named (docs/integrity.md "Witnesses"). */
  async witnessesOf(agencyId: string): Promise<Witness[]> {
    await this.catchUp();
    return this.broken ? [] : [...(this.witnesses.get(agencyId)?.values() ?? [])].map((w) => ({ ...w }));
  }

  /** Names a witness (WitnessAdded); an address already a witness of the agency is refused. */
  async addWitness(input: { agencyId: string; email: string; name: string; recordedBy: string }): Promise<void> {
    await this.appendChecked(input.recordedBy, () => {
      if (this.witnesses.get(input.agencyId)?.has(input.email)) throw new Conflict([`Email: ${input.email} is already a witness of agency ${input.agencyId}`]);
      return { type: 'WitnessAdded', data: { agencyId: input.agencyId, email: input.email, name: input.name } };
    });
  }

  /** Removes a witness (WitnessRemoved); an address that is not one is refused. */
  async removeWitness(input: { agencyId: string; email: string; recordedBy: string }): Promise<void> {
    await this.appendChecked(input.recordedBy, () => {
      if (!this.witnesses.get(input.agencyId)?.has(input.email)) throw new NotFound([`Email: ${input.email} is not a witness of agency ${input.agencyId}`]);
      return { type: 'WitnessRemoved', data: { agencyId: input.agencyId, email: input.email } };
    });
  }

  async accountsOf(agencyId: string): Promise<Account[]> {
    await this.catchUp();
    return [...this.accounts.values()].filter((a) => a.agencyId === agencyId);
  }

  /**
   * Appends one access event decided against the caught-up state (`decide` sees the registry's
   * lookups through `view`, and throws a refusal to append nothing); retries on a concurrent write.
   */
  async append(recordedBy: string, decide: (view: AccessView) => AccessEvent | AccessEvent[]): Promise<RecordedEvent[]> {
    return this.appendAll(recordedBy, () => decide(this.view));
  }

  private readonly view: AccessView = {
    accountById: (userId) => this.accounts.get(userId),
    accountByEmail: (email) => this.accountByEmail.get(email.toLowerCase()),
    accountByLink: (linkSha256) => this.accountByLink.get(linkSha256),
    accountsOf: (agencyId) => [...this.accounts.values()].filter((a) => a.agencyId === agencyId),
    identityProviders: (agencyId) => [...this.providers.values()].filter((p) => p.agencyId === agencyId),
    accountOfSubject: (providerId, subject) => this.accountBySubject.get(`${providerId}\u0000${subject}`),
    passwordSignInAllowed: (agencyId) => !this.passwordsOff.has(agencyId),
  };

  /** Decides against the caught-up state and appends at that revision; retries when another writer got there first. */
  private async appendChecked(recordedBy: string, decide: () => AccessEvent): Promise<RecordedEvent> {
    return (await this.appendAll(recordedBy, decide))[0];
  }

  /** The events of one decision go in one append: all of them or none. */
  private async appendAll(recordedBy: string, decide: () => AccessEvent | AccessEvent[]): Promise<RecordedEvent[]> {
    for (let attempt = 0; ; attempt++) {
      await this.catchUp();
      if (this.broken) throw new Error(`${this.broken}; nothing is appended to it until it is investigated (run verify)`);
      const decided = decide();
      const events = Array.isArray(decided) ? decided : [decided];
      const correlationId = randomUUID();
      try {
        const result = await this.store.appendToStream(
          ACCESS_STREAM,
          events.map((event) => newEvent(event, { recordedBy, correlationId })),
          { expectedRevision: this.revision < 0 ? 'no_stream' : this.revision },
        );
        await this.catchUp();
        return result.events;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= 5) throw error;
      }
    }
  }

  /**
   * Why the access stream cannot be trusted, or undefined: its hash chain broke at the event
   * named (an event altered, removed or reordered). Read afresh first. Authentication refuses
   * everything while this is set (authentication-gate.ts; docs/integrity.md).
   */
  async chainProblem(): Promise<string | undefined> {
    await this.catchUp();
    return this.broken;
  }

  private async catchUp(): Promise<void> {
    if (this.broken) return;
    const events = await this.store.readStream(ACCESS_STREAM, { fromRevision: this.revision + 1 });
    for (const event of events) {
      if (event.revision <= this.revision) continue; // another caller applied it meanwhile
      // An event that does not chain onto the last one applied is not applied, nor anything after it.
      this.chain.add(event);
      const link = this.chain.firstBroken;
      if (link) {
        this.broken = `the access stream's hash chain is broken at revision ${link.revision}${link.eventId ? ` (event ${link.eventId})` : ''}: ${link.reason}`;
        return;
      }
      this.apply(event);
      this.revision = event.revision;
    }
  }

  private dropLinks(account: Account): void {
    for (const link of account.links.keys()) this.accountByLink.delete(link);
    account.links.clear();
  }

  private apply(event: RecordedEvent): void {
    const access = { type: event.type, data: event.data } as AccessEvent;
    if (access.type === 'TokenIssued') {
      const { tokenId, tokenSha256, agencyId, role, name } = access.data;
      const grant: Grant = { tokenId, agencyId, role, name, issuedAt: event.recordedAt };
      this.byHash.set(tokenSha256, grant);
      this.byId.set(tokenId, grant);
    } else if (access.type === 'TokenRevoked') {
      const grant = this.byId.get(access.data.tokenId);
      if (grant) grant.revokedAt = event.recordedAt;
    } else if (access.type === 'ImportMappingSaved') {
      const { agencyId, kind, columns, courses } = access.data;
      this.mappings.set(`${agencyId}\u0000${kind}`, { columns, courses });
    } else if (access.type === 'IdentityProviderAdded') {
      this.providers.set(access.data.providerId, { ...access.data, roles: access.data.roles.map((r) => ({ ...r })), addedAt: event.recordedAt, addedBy: event.recordedBy });
    } else if (access.type === 'IdentityProviderRemoved') {
      this.providers.delete(access.data.providerId);
    } else if (access.type === 'PasswordSignInSet') {
      if (access.data.allowed) this.passwordsOff.delete(access.data.agencyId);
      else this.passwordsOff.add(access.data.agencyId);
    } else if (access.type === 'UserSignedUpThroughProvider') {
      const { userId, agencyId, role, email, name, providerId, subject } = access.data;
      const account: Account = { userId, agencyId, role, email, name, invitedAt: event.recordedAt, invitedBy: event.recordedBy, links: new Map(), subjects: new Map([[providerId, subject]]) };
      this.accounts.set(userId, account);
      this.accountByEmail.set(email.toLowerCase(), account);
      this.accountBySubject.set(`${providerId}\u0000${subject}`, account);
    } else if (access.type === 'WitnessAdded') {
      const { agencyId, email, name } = access.data;
      let witnesses = this.witnesses.get(agencyId);
      if (!witnesses) this.witnesses.set(agencyId, (witnesses = new Map()));
      witnesses.set(email, { agencyId, email, name, addedAt: event.recordedAt, addedBy: event.recordedBy });
    } else if (access.type === 'WitnessRemoved') {
      this.witnesses.get(access.data.agencyId)?.delete(access.data.email);
    } else if (access.type === 'PublicPageSet') {
      if (access.data.on) this.publicPages.set(access.data.agencyId, event.recordedAt);
      else this.publicPages.delete(access.data.agencyId);
    } else if (access.type === 'UserInvited') {
      const { userId, agencyId, role, email, name, linkSha256, expiresAt } = access.data;
      const account: Account = { userId, agencyId, role, email, name, invitedAt: event.recordedAt, invitedBy: event.recordedBy, links: new Map([[linkSha256, expiresAt]]) };
      this.accounts.set(userId, account);
      this.accountByEmail.set(email.toLowerCase(), account);
      this.accountByLink.set(linkSha256, account);
    } else {
      const account = this.accounts.get(access.data.userId);
      if (!account) return; // refused at write time; a hand-made row naming no account changes nothing
      if (access.type === 'UserPasswordSet') {
        account.password = access.data.password;
        account.passwordSetAt = event.recordedAt;
        // Setting a password uses up every open link of the account (the one used and any older one).
        this.dropLinks(account);
      } else if (access.type === 'PasswordResetIssued') {
        // A new link replaces every older one of the account (an invitation or a reset): only the newest works.
        this.dropLinks(account);
        account.links.set(access.data.linkSha256, access.data.expiresAt);
        this.accountByLink.set(access.data.linkSha256, account);
      } else if (access.type === 'UserRoleChanged') {
        account.role = access.data.role;
      } else if (access.type === 'UserDisabled') {
        account.disabledAt = event.recordedAt;
        account.disabledReason = access.data.reason;
        // Disabling revokes every open link: re-enabling does not bring one back (an admin issues a new one).
        this.dropLinks(account);
      } else if (access.type === 'UserLinkedToProvider') {
        (account.subjects ??= new Map()).set(access.data.providerId, access.data.subject);
        this.accountBySubject.set(`${access.data.providerId}\u0000${access.data.subject}`, account);
      } else if (access.type === 'UserEnabled') {
        account.disabledAt = undefined;
        account.disabledReason = undefined;
      } else if (access.type === 'NoticePreferenceSet') {
        account.notices = access.data.enabled;
      } else if (access.type === 'CalendarFeedIssued') {
        // A new address replaces the old one: the old secret finds no one (404).
        if (account.calendarSecret) this.accountByCalendar.delete(account.calendarSecret);
        account.calendarSecret = access.data.secret;
        this.accountByCalendar.set(access.data.secret, account);
      }
    }
  }
}

/** What an access decision may look up (the registry's state when it decides). */
export interface AccessView {
  accountById(userId: string): Account | undefined;
  accountByEmail(email: string): Account | undefined;
  accountByLink(linkSha256: string): Account | undefined;
  accountsOf(agencyId: string): Account[];
  identityProviders(agencyId: string): IdentityProvider[];
  accountOfSubject(providerId: string, subject: string): Account | undefined;
  passwordSignInAllowed(agencyId: string): boolean;
}
