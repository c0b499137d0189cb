/**
 * Page: sign-in through the agency's identity provider (docs/reference.md#web-console;
 * docs/decisions.md W57, W58). "Sign in with <name>" on the sign-in page posts here (with the
 * session's CSRF token); the person is sent to the provider with a fresh state, nonce and PKCE
 * challenge kept in their session; the provider's answer comes back to
 * `<SRO_PUBLIC_URL>/auth/oidc/callback`, where it is checked (src/identity/oidc-sign-in.ts) and
 * used once. Accepted: a new session (new id) with the role the provider's group maps to.
 * Refused: a page that says why and whom to ask, and no session. Each attempt is an entry of the
 * agency's access log (src/access-log/sign-in-entries.ts).
 */
import { Body, Controller, Get, HttpCode, Inject, Logger, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { AccessLog } from '../../access-log/access-log';
import { signInEntry } from '../../access-log/sign-in-entries';
import { AccessRegistry, type IdentityProvider } from '../../auth/access-registry';
import { Public } from '../../auth/roles.decorator';
import { OidcSignIn, ProviderSignInFailed } from '../../identity/oidc-sign-in';
import { refusalInWords, type Refusal } from '../../identity/provider-sign-in';
import { ConsoleGuard, ConsoleRequest, safeNext, setSessionCookie } from '../console.guard';
import { CONSOLE_OPTIONS, type ConsoleOptions } from '../console-options';
import { Page, renderPage } from '../layout';
import { SessionStore } from '../sessions';
import { linkBase } from './people';

/** The redirect URI every provider is registered with: `<SRO_PUBLIC_URL>/auth/oidc/callback`. */
export const CALLBACK_PATH = '/auth/oidc/callback';

function Refused(props: { title: string; words: string; admins?: { name: string; email: string }[]; agencyId?: string }) {
  return (
    <Page title={props.title}>
      <h1>{props.title}</h1>
      <p role="alert">{props.words}</p>
      {props.admins !== undefined &&
        (props.admins.length ? (
          <>
            <p>
              Ask an admin of agency {props.agencyId} to give one of your groups access (they map groups to roles on the Identity providers page), or to check your account:
            </p>
            <ul>
              {props.admins.map((a) => (
                <li>
                  {a.name} (<a href={`mailto:${a.email}`}>{a.email}</a>)
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p>Ask your agency's records clerk or IT department: agency {props.agencyId} has no admin who can sign in yet.</p>
        ))}
      <p>You are not signed in. <a href="/sign-in">Back to sign-in</a></p>
    </Page>
  );
}

@Controller()
@Public()
@UseGuards(ConsoleGuard)
export class ProviderSignInController {
  private readonly logger = new Logger('ProviderSignIn');

  constructor(
    private readonly oidc: OidcSignIn,
    private readonly sessions: SessionStore,
    private readonly registry: AccessRegistry,
    private readonly log: AccessLog,
    @Inject(CONSOLE_OPTIONS) private readonly options: ConsoleOptions,
  ) {}

  @Post('auth/oidc/start')
  @HttpCode(200)
  async start(@Req() request: ConsoleRequest, @Body() body: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const providerId = typeof body.provider === 'string' ? body.provider : '';
    try {
      const { url, pending } = await this.oidc.start(providerId, this.redirectUri(request), safeNext(body.next));
      request.session!.pendingProvider = pending;
      response.redirect(303, url);
    } catch (error) {
      if (!(error instanceof ProviderSignInFailed)) throw error;
      response.status(error.status).type('html').send(renderPage(<Refused title="Sign-in did not start" words={error.words} />));
    }
  }

  @Get('auth/oidc/callback')
  async callback(@Req() request: ConsoleRequest, @Res() response: Response): Promise<void> {
    const session = request.session!;
    // Used once: a replayed answer finds nothing under way.
    const pending = session.pendingProvider;
    session.pendingProvider = undefined;
    const currentUrl = new URL(request.originalUrl, this.redirectUri(request));
    let outcome;
    try {
      outcome = await this.oidc.finish(pending, currentUrl);
    } catch (error) {
      if (!(error instanceof ProviderSignInFailed)) throw error;
      this.logger.warn(`a sign-in through ${error.provider?.name ?? 'a provider'} was refused: ${error.words}`);
      if (error.provider) this.record(request, error.provider, { accepted: false, subject: '', email: 'unknown', reason: 'the provider\u2019s answer was not accepted' });
      return void response.status(error.status).type('html').send(renderPage(<Refused title="Not signed in" words={error.words} />));
    }
    const { provider, subject } = outcome;
    if ('refused' in outcome) {
      const email = 'email' in outcome.refused && outcome.refused.email ? outcome.refused.email : 'unknown';
      this.record(request, provider, { accepted: false, subject, email, reason: outcome.refused.reason });
      const admins = await this.adminsOf(provider.agencyId);
      const title = outcome.refused.reason === 'no-mapped-group' ? 'No access yet' : 'Not signed in';
      return void response.status(403).type('html').send(renderPage(<Refused title={title} words={refusalInWords(outcome.refused as Refusal, provider.name)} admins={admins} agencyId={provider.agencyId} />));
    }
    const { account } = outcome;
    this.record(request, provider, { accepted: true, subject, email: account.email, userId: account.userId, name: account.name, role: account.role });
    const { cookie } = await this.sessions.signIn(session, account.userId, Date.now(), `provider:${provider.name}`);
    setSessionCookie(request, response, cookie);
    response.redirect(303, safeNext(pending?.next));
  }

  private redirectUri(request: ConsoleRequest): string {
    return `${linkBase(this.options, request)}${CALLBACK_PATH}`;
  }

  private async adminsOf(agencyId: string): Promise<{ name: string; email: string }[]> {
    return (await this.registry.accountsOf(agencyId)).filter((a) => a.role === 'admin' && !a.disabledAt).map((a) => ({ name: a.name, email: a.email }));
  }

  private record(request: ConsoleRequest, provider: IdentityProvider, what: { accepted: boolean; subject: string; email: string; userId?: string; name?: string; role?: string; reason?: string }): void {
    this.log.record(
      signInEntry({
        agencyId: provider.agencyId,
        accepted: what.accepted,
        method: { provider: provider.name, subject: what.subject },
        person: { userId: what.userId, email: what.email, name: what.name, role: what.role },
        reason: what.reason,
        requestId: (request.headers['x-request-id'] as string | undefined) ?? null,
      }),
    );
  }
}
