/**
 * Page: sign-in and sign-out (docs/reference.md#web-console: fields labelled Email and Password,
 * button Sign in). Attempts are counted before the password is hashed, and limited per email and
 * address first, per address, and per email only at a much higher count (sign-in-limits.ts); the
 * hashes are bounded and fair between accounts (src/auth/hash-slots.ts); a success
 * starts a new session (new id and CSRF token) and returns to where the person was going.
 */
import { Body, Controller, Get, HttpCode, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { Account } from '../../auth/access-registry';
import { Accounts, normaliseEmail } from '../../auth/accounts';
import { AccessRegistry } from '../../auth/access-registry';
import { AccessLog } from '../../access-log/access-log';
import { signInEntry } from '../../access-log/sign-in-entries';
import { IdentityProviders } from '../../identity/identity-providers';
import { OidcSignIn } from '../../identity/oidc-sign-in';
import { PasswordChecksBusy } from '../../auth/hash-slots';
import { Public } from '../../auth/roles.decorator';
import { ConsoleGuard, ConsoleRequest, safeNext, setSessionCookie } from '../console.guard';
import { CsrfField, Page, Problems, renderPage } from '../layout';
import { SessionStore } from '../sessions';
import { SignInLimits, type LockScope } from '../sign-in-limits';
import { instantInWords } from '../time-words';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a locked sign-in says: which lock, until when, and how to get in meanwhile. */
export function lockedMessage(scope: LockScope, until: number): string {
  const when = instantInWords(new Date(until).toISOString());
  const what = {
    pair: 'Too many failed sign-ins with this email from this network address: signing in with it from here is paused',
    address: 'Too many failed sign-ins from this network address: signing in from here is paused',
    account: 'Too many failed sign-ins with this email from many places: signing in with it is paused everywhere',
  }[scope];
  return `${what} until ${when}. Try again after that. To get in sooner, ask an admin of your agency for a new sign-in link (People, New sign-in link): it works at once.`;
}

/** A button per identity provider (docs/decisions.md W58): a form that posts to /auth/oidc/start with the session's token. */
function ProviderButtons(props: { csrf: string; next: string; providers: { providerId: string; name: string }[] }) {
  if (props.providers.length === 0) return null;
  return (
    <section aria-labelledby="providers-heading" class="stack narrow">
      <h2 id="providers-heading">Sign in through your organisation</h2>
      {props.providers.map((p) => (
        <form method="post" action="/auth/oidc/start">
          <CsrfField csrf={props.csrf} />
          <input type="hidden" name="provider" value={p.providerId} />
          <input type="hidden" name="next" value={props.next} />
          <button type="submit">Sign in with {p.name}</button>
        </form>
      ))}
      <p class="hint">Or sign in with your email and password:</p>
    </section>
  );
}

function SignInPage(props: { csrf: string; next: string; email?: string; problems?: string[]; notice?: string; providers?: { providerId: string; name: string }[] }) {
  return (
    <Page title="Sign in" notice={props.notice}>
      <h1>Sign in</h1>
      <ProviderButtons csrf={props.csrf} next={props.next} providers={props.providers ?? []} />
      <form method="post" action="/sign-in" class="stack narrow">
        <Problems messages={props.problems} />
        <CsrfField csrf={props.csrf} />
        <input type="hidden" name="next" value={props.next} />
        <div class="field">
          <label for="email">Email</label>
          <input id="email" name="email" type="email" autoComplete="username" required value={props.email ?? ''} />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required />
        </div>
        <button type="submit">Sign in</button>
      </form>
      <p class="hint">Forgot your password, or no account yet? Ask an admin of your agency for a sign-in link.</p>
    </Page>
  );
}

@Controller()
@Public()
@UseGuards(ConsoleGuard)
export class SignInController {
  constructor(
    private readonly accounts: Accounts,
    private readonly sessions: SessionStore,
    private readonly limits: SignInLimits,
    private readonly registry: AccessRegistry,
    private readonly providers: IdentityProviders,
    private readonly log: AccessLog,
    private readonly oidc: OidcSignIn,
  ) {}

  /**
   * Every configured provider's button (several agencies, several providers each); the page's
   * CSP lets its forms lead to those providers (the redirect after "Sign in with ..." is checked
   * against form-action).
   */
  private async buttons(response: Response): Promise<{ providerId: string; name: string }[]> {
    const providers = await this.providers.all();
    if (providers.length) {
      const csp = String(response.getHeader('Content-Security-Policy') ?? '');
      const origins = await this.oidc.formTargets(providers);
      if (csp.includes("form-action 'self'")) response.setHeader('Content-Security-Policy', csp.replace("form-action 'self'", `form-action 'self' ${origins.join(' ')}`));
    }
    return providers.map((p) => ({ providerId: p.providerId, name: p.name }));
  }

  @Get('sign-in')
  async page(@Req() request: ConsoleRequest, @Query('next') next: unknown, @Res() response: Response): Promise<void> {
    if (request.person) {
      response.redirect(303, safeNext(next));
      return;
    }
    const notice = request.session!.notice;
    request.session!.notice = undefined;
    response.type('html').send(renderPage(<SignInPage csrf={request.session!.csrf} next={safeNext(next)} notice={notice} providers={await this.buttons(response)} />));
  }

  @Post('sign-in')
  @HttpCode(200)
  async signIn(@Req() request: ConsoleRequest, @Body() body: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const email = normaliseEmail(typeof body.email === 'string' ? body.email : '');
    const password = typeof body.password === 'string' ? body.password : '';
    const next = safeNext(body.next);
    const address = request.ip ?? request.socket.remoteAddress ?? 'unknown';
    const providers = await this.buttons(response);
    const again = (status: number, problems: string[]) =>
      response.status(status).type('html').send(renderPage(<SignInPage csrf={request.session!.csrf} next={next} email={email} problems={problems} providers={providers} />));
    if (!email || !password) return void again(400, ['Enter your email and your password.']);
    // Counted before the password is hashed (sign-in-limits.ts): a burst cannot outrun the count.
    const attempt = this.limits.begin(email, address);
    if ('lockedUntil' in attempt) {
      response.setHeader('Retry-After', String(Math.max(1, Math.ceil((attempt.lockedUntil - Date.now()) / 1000))));
      return void again(429, [lockedMessage(attempt.scope, attempt.lockedUntil)]);
    }
    let account: Account | undefined;
    try {
      account = await this.accounts.checkPassword(email, password);
    } catch (error) {
      if (!(error instanceof PasswordChecksBusy)) throw error;
      this.limits.abandoned(attempt);
      response.setHeader('Retry-After', String(error.retryAfterSeconds));
      return void again(error.code, [error.text]);
    }
    if (!account) {
      const known = await this.registry.account({ email });
      if (known) this.record(known, false, 'the email or the password is not right, or the account is disabled');
      await sleep(this.limits.failed(attempt));
      return void again(401, ['The email or the password is not right (or the account is disabled).']);
    }
    this.limits.succeeded(attempt);
    // An agency that signs in through its identity provider only (docs/decisions.md W59).
    if (!(await this.providers.passwordSignInAllowed(account.agencyId))) {
      this.record(account, false, 'password sign-in is turned off for the agency');
      const names = (await this.providers.list(account.agencyId)).map((p) => `"Sign in with ${p.name}"`);
      return void again(403, [`Your agency signs in through its identity provider, not with a password: use ${names.join(' or ') || 'your organisation\u2019s sign-in'} above.`]);
    }
    this.record(account, true);
    const { cookie } = await this.sessions.signIn(request.session, account.userId);
    setSessionCookie(request, response, cookie);
    response.redirect(303, next);
  }

  private record(account: Account, accepted: boolean, reason?: string): void {
    this.log.record(signInEntry({ agencyId: account.agencyId, accepted, method: { password: true }, person: { userId: account.userId, email: account.email, name: account.name, role: account.role }, reason }));
  }

  @Post('sign-out')
  async signOut(@Req() request: ConsoleRequest, @Res() response: Response): Promise<void> {
    if (request.session) await this.sessions.end(request.session);
    const { cookie, session } = await this.sessions.create();
    session.notice = 'You have signed out.';
    await this.sessions.save(session);
    setSessionCookie(request, response, cookie);
    response.redirect(303, '/sign-in');
  }
}

