/**
 * An agency's identity providers (docs/decisions.md W56): added, listed and removed as events in
 * the access stream (IdentityProviderAdded, IdentityProviderRemoved), by the CLI (`idp add|list|
 * remove`) and the admin page (Identity providers). The client secret is sealed before it is
 * recorded (client-secret-seal.ts) and never returned, printed or logged; it is opened only to
 * talk to the provider (oidc-flow.ts). Also whether an agency's people may still sign in with a
 * password (PasswordSignInSet; docs/decisions.md W59).
 */
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { agencyStream } from '../../events/streams';
import type { Role } from '../../events/access';
import { AccessRegistry, type IdentityProvider } from '../auth/access-registry';
import { plainTextProblem } from '../common/plain-text';
import { LEDGER_OPTIONS, type LedgerOptions } from '../ledger/ledger-options';
import { EVENT_STORE, type EventStore } from '../store/event-store.port';
import { agencyNotRegistered, Conflict, Invalid, NotFound } from '../write/refusals';
import { loadSecretKey, openSecret, sealSecret, secretKeyFileBeside } from './client-secret-seal';
import { parseRoleMapping } from './provider-sign-in';

export interface NewProvider {
  agencyId: string;
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  groupsClaim?: string;
  /** `<group>=<role>` each, in order. */
  roles: string[];
}

/** A provider as shown (CLI, admin page): never the secret, sealed or not. */
export interface ProviderShown {
  providerId: string;
  agencyId: string;
  name: string;
  issuer: string;
  clientId: string;
  groupsClaim: string;
  roles: { group: string; role: Role }[];
  addedAt: string;
  addedBy: string;
}

export const shown = (p: IdentityProvider): ProviderShown => ({
  providerId: p.providerId,
  agencyId: p.agencyId,
  name: p.name,
  issuer: p.issuer,
  clientId: p.clientId,
  groupsClaim: p.groupsClaim,
  roles: p.roles,
  addedAt: p.addedAt,
  addedBy: p.addedBy,
});

/** An issuer URL: https, or http on this machine only (a test provider); no query or fragment. */
export function issuerProblem(issuer: string): string | undefined {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return 'Issuer: enter the provider\u2019s issuer URL, e.g. https://login.microsoftonline.com/<tenant id>/v2.0';
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) return 'Issuer: the issuer URL must start with https:// (http:// only for a provider on this machine)';
  if (url.search || url.hash || url.username) return 'Issuer: the issuer URL has no query, fragment or user name';
  return undefined;
}

@Injectable()
export class IdentityProviders {
  constructor(
    private readonly registry: AccessRegistry,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEDGER_OPTIONS) private readonly ledger: LedgerOptions,
  ) {}

  /** The file of the key that seals client secrets: beside the ledger's signing key. */
  get secretKeyFile(): string {
    return secretKeyFileBeside(this.ledger.keyFile);
  }

  async add(input: NewProvider, recordedBy: string): Promise<ProviderShown> {
    const problems: string[] = [];
    const name = (input.name ?? '').trim();
    const nameProblem = name ? plainTextProblem(name) : 'must not be blank';
    if (nameProblem || name.length > 60) problems.push(`Name: ${nameProblem ?? 'use at most 60 characters'} (it is the button's label, "Sign in with <name>")`);
    const issuer = (input.issuer ?? '').trim().replace(/\/+$/, '');
    const issuerIssue = issuerProblem(issuer);
    if (issuerIssue) problems.push(issuerIssue);
    const clientId = (input.clientId ?? '').trim();
    if (!clientId || clientId.length > 512 || /\s/.test(clientId)) problems.push('Client ID: enter the application (client) ID the provider gave');
    const secret = input.clientSecret ?? '';
    if (!secret.trim() || secret.length > 2048) problems.push('Client secret: enter the client secret the provider gave');
    const groupsClaim = (input.groupsClaim ?? '').trim() || 'groups';
    if (!/^[A-Za-z0-9_.:/-]{1,100}$/.test(groupsClaim)) problems.push('Groups claim: a claim name such as groups or roles');
    const roles: { group: string; role: Role }[] = [];
    for (const text of input.roles ?? []) {
      const mapping = parseRoleMapping(text);
      if (typeof mapping === 'string') problems.push(`Role: ${mapping}`);
      else if (roles.some((r) => r.group === mapping.group)) problems.push(`Role: the group "${mapping.group}" is mapped twice`);
      else roles.push(mapping);
    }
    if ((input.roles ?? []).length === 0) problems.push('Role: map at least one group to a role, as <group>=<role> (e.g. SRO-Admins=admin)');
    if (problems.length) throw new Invalid(problems);
    if ((await this.store.readStream(agencyStream(input.agencyId))).length === 0) throw agencyNotRegistered(input.agencyId);
    const providerId = randomUUID();
    const clientSecretSealed = sealSecret(loadSecretKey(this.secretKeyFile, true), providerId, secret);
    await this.registry.append(recordedBy, (view) => {
      if (view.identityProviders(input.agencyId).some((p) => p.name.toLowerCase() === name.toLowerCase())) throw new Conflict([`Name: agency ${input.agencyId} already has a provider named "${name}"; remove it first or choose another name`]);
      return { type: 'IdentityProviderAdded', data: { providerId, agencyId: input.agencyId, name, issuer, clientId, clientSecretSealed, groupsClaim, roles } };
    });
    return shown((await this.registry.identityProviders(input.agencyId)).find((p) => p.providerId === providerId)!);
  }

  async list(agencyId: string): Promise<ProviderShown[]> {
    return (await this.registry.identityProviders(agencyId)).map(shown);
  }

  /** Every agency's providers (the sign-in page's buttons). */
  async all(): Promise<ProviderShown[]> {
    return (await this.registry.identityProviders()).map(shown);
  }

  async byId(providerId: string): Promise<IdentityProvider | undefined> {
    return (await this.registry.identityProviders()).find((p) => p.providerId === providerId);
  }

  /** The secret in clear, to talk to the provider (never shown). */
  clientSecretOf(provider: IdentityProvider): string {
    return openSecret(loadSecretKey(this.secretKeyFile, false), provider.providerId, provider.clientSecretSealed);
  }

  /**
   * Removes a provider. The agency's password sign-in is turned back on when it was off and this
   * was its last provider, so that nobody is locked out (docs/decisions.md W59).
   */
  async remove(agencyId: string, name: string, recordedBy: string): Promise<{ provider: ProviderShown; passwordsBackOn: boolean }> {
    let removed: IdentityProvider | undefined;
    let passwordsBackOn = false;
    await this.registry.append(recordedBy, (view) => {
      const providers = view.identityProviders(agencyId);
      removed = providers.find((p) => p.name.toLowerCase() === name.trim().toLowerCase());
      if (!removed) throw new NotFound([`Name: agency ${agencyId} has no identity provider named "${name}"`]);
      passwordsBackOn = providers.length === 1 && !view.passwordSignInAllowed(agencyId);
      return [{ type: 'IdentityProviderRemoved', data: { providerId: removed.providerId } }, ...(passwordsBackOn ? [{ type: 'PasswordSignInSet' as const, data: { agencyId, allowed: true } }] : [])];
    });
    return { provider: shown(removed!), passwordsBackOn };
  }

  /** Turns an agency's password sign-in on or off; off only while it has a provider. */
  async setPasswordSignIn(agencyId: string, allowed: boolean, recordedBy: string): Promise<void> {
    await this.registry.append(recordedBy, (view) => {
      if (view.passwordSignInAllowed(agencyId) === allowed) throw new Conflict([`Passwords: password sign-in is already ${allowed ? 'on' : 'off'} for agency ${agencyId}`]);
      if (!allowed && view.identityProviders(agencyId).length === 0)
        throw new Conflict([`Passwords: agency ${agencyId} has no identity provider: add one and sign in through it first, then turn passwords off`]);
      return { type: 'PasswordSignInSet', data: { agencyId, allowed } };
    });
  }

  passwordSignInAllowed(agencyId: string): Promise<boolean> {
    return this.registry.passwordSignInAllowed(agencyId);
  }
}
