/**
 * Sign-in through an identity provider, OpenID Connect with openid-client 6 (docs/decisions.md
 * W58): discovery from the issuer URL; the authorization code flow with PKCE (S256), `state` and
 * `nonce`, each 256 random bits kept in the visitor's (anonymous) session until the provider
 * answers, and used once; the ID token checked by openid-client (issuer, audience, expiry, nonce,
 * and its signature through the provider's JWKS: enableNonRepudiationChecks). Then who gets in is decided (provider-sign-in.ts) and
 * its events appended in one decision against the caught-up access stream.
 *
 * openid-client is an ES module: Node's require() loads it in dist/; jest transpiles it
 * (jest.config.js).
 */
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import * as oidc from 'openid-client';
import type { IdentityProvider } from '../auth/access-registry';
import { AccessRegistry } from '../auth/access-registry';
import { IdentityProviders } from './identity-providers';
import { decideProviderSignIn, type Claims, type Refusal } from './provider-sign-in';

/** The scopes asked for: who the person is and their email (groups come in the ID token). */
export const SCOPES = 'openid email profile';

/** What the session keeps between the start and the provider's answer. */
export interface PendingSignIn {
  providerId: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  next: string;
  startedAt: number;
}

/** A sign-in through a provider that did not go through, in words, and whether the person got as far as the provider saying who they are. */
export class ProviderSignInFailed extends Error {
  constructor(
    readonly words: string,
    readonly provider?: IdentityProvider,
    /** 400: the request or the answer is not acceptable; 502: the provider could not be reached. */
    readonly status: 400 | 502 = 400,
  ) {
    super(words);
  }
}

/** How long a person may take at the provider (the pending state is refused after). */
export const PENDING_MS = 10 * 60_000;
/** Discovery documents are fetched again after this long. */
const DISCOVERY_MS = 10 * 60_000;

export type Outcome =
  | { provider: IdentityProvider; subject: string; refused: Refusal }
  | { provider: IdentityProvider; subject: string; account: { userId: string; email: string; name: string; role: string } };

@Injectable()
export class OidcSignIn {
  private readonly configs = new Map<string, { at: number; config: Promise<oidc.Configuration> }>();

  constructor(
    private readonly providers: IdentityProviders,
    private readonly registry: AccessRegistry,
  ) {}

  /** The provider's authorization URL, and what to keep in the session until it answers. */
  async start(providerId: string, redirectUri: string, next: string, now = Date.now()): Promise<{ url: string; pending: PendingSignIn }> {
    const provider = await this.providers.byId(providerId);
    if (!provider) throw new ProviderSignInFailed('This identity provider is no longer configured. Choose another way to sign in.');
    const config = await this.configOf(provider);
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const pending: PendingSignIn = { providerId, state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier, next, startedAt: now };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: SCOPES,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, pending };
  }

  /**
   * The provider's answer at the callback (`currentUrl`, with code and state): the code exchanged
   * and the ID token checked against what `pending` holds; then the decision, recorded.
   */
  async finish(pending: PendingSignIn | undefined, currentUrl: URL, now = Date.now()): Promise<Outcome> {
    if (!pending) throw new ProviderSignInFailed('No sign-in through a provider is under way in this browser (the answer was used already, or came from elsewhere). Start again from the sign-in page.');
    const provider = await this.providers.byId(pending.providerId);
    if (!provider) throw new ProviderSignInFailed('This identity provider was removed meanwhile. Start again from the sign-in page.');
    if (now - pending.startedAt > PENDING_MS) throw new ProviderSignInFailed('The sign-in took longer than 10 minutes at the provider. Start again from the sign-in page.', provider);
    const error = currentUrl.searchParams.get('error');
    if (error) throw new ProviderSignInFailed(`${provider.name} did not sign you in (${error}${currentUrl.searchParams.get('error_description') ? `: ${currentUrl.searchParams.get('error_description')}` : ''}).`, provider);
    let claims: Claims;
    try {
      const tokens = await oidc.authorizationCodeGrant(await this.configOf(provider), currentUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = (tokens.claims() ?? {}) as Claims;
    } catch (err) {
      throw new ProviderSignInFailed(`The answer from ${provider.name} could not be accepted (${(err as Error).message}). Nothing was signed in; start again from the sign-in page.`, provider);
    }
    const subject = typeof claims.sub === 'string' ? claims.sub : '';
    let outcome: Outcome | undefined;
    await this.registry
      .append(`idp:${provider.name}`, (view) => {
        const decision = decideProviderSignIn(provider, claims, { accountOfSubject: view.accountOfSubject, accountByEmail: view.accountByEmail }, randomUUID);
        if ('refused' in decision) {
          outcome = { provider, subject, refused: decision.refused };
          throw new NothingToAppend();
        }
        outcome = { provider, subject, account: decision.account };
        if (decision.events.length === 0) throw new NothingToAppend();
        return decision.events;
      })
      .catch((err) => {
        if (!(err instanceof NothingToAppend)) throw err;
      });
    return outcome!;
  }

  /**
   * Where a provider's button may send the browser: its issuer's origin, and its authorization
   * endpoint's once discovered (for the sign-in page's CSP form-action, which Chromium applies to
   * the redirect after the form: docs/decisions.md W58).
   */
  async formTargets(providers: { providerId: string; issuer: string }[]): Promise<string[]> {
    const origins = new Set<string>();
    for (const p of providers) {
      origins.add(new URL(p.issuer).origin);
      const cached = this.configs.get(p.providerId);
      const endpoint = cached && (await cached.config.then((c) => c.serverMetadata().authorization_endpoint, () => undefined));
      if (endpoint) origins.add(new URL(endpoint).origin);
    }
    return [...origins];
  }

  private configOf(provider: IdentityProvider): Promise<oidc.Configuration> {
    const cached = this.configs.get(provider.providerId);
    if (cached && Date.now() - cached.at < DISCOVERY_MS) return cached.config;
    const loopback = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/.test(provider.issuer);
    const config = oidc
      .discovery(new URL(provider.issuer), provider.clientId, undefined, oidc.ClientSecretBasic(this.providers.clientSecretOf(provider)), {
        // The ID token's signature is checked against the provider's JWKS even though it came
        // straight from the token endpoint (OIDC Core 3.1.3.7 would let TLS stand in for it;
        // docs/decisions.md W58). http only for a provider on this machine (a test's):
        // issuerProblem refuses any other.
        execute: [oidc.enableNonRepudiationChecks, ...(loopback ? [oidc.allowInsecureRequests] : [])],
        timeout: 10,
      })
      .catch((err: Error) => {
        this.configs.delete(provider.providerId);
        throw new ProviderSignInFailed(`${provider.name} could not be reached to start the sign-in (${err.message}). Try again in a minute; if it persists, tell an admin of your agency.`, provider, 502);
      });
    this.configs.set(provider.providerId, { at: Date.now(), config });
    return config;
  }
}

/** A decision that appends nothing (a refusal, or a person whose account needs no change). */
class NothingToAppend extends Error {}
