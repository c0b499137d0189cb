/**
 * Pages opened by a one-time link (docs/reference.md#web-console: fields labelled New password and
 * Confirm password, button Set password):
 * - /welcome?token=…: an invitation or a reset; the password is set, the link is used up, and the
 *   person is signed in;
 * - /setup?token=…: the first run (first-run.ts): the agency and its first admin in one form.
 */
import { Body, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { ID_PATTERN } from '../../../events/streams';
import { RegisterAgencyCommand } from '../../agencies/register-agency';
import { Accounts, personProblems } from '../../auth/accounts';
import { passwordProblems, MIN_PASSWORD_LENGTH } from '../../auth/passwords';
import { plainTextProblem } from '../../common/plain-text';
import { Refusal } from '../../write/refusals';
import { ConsoleRequest, setSessionCookie } from '../console.guard';
import { ConsoleController } from '../console-page';
import { FirstRunSetup } from '../first-run';
import { CsrfField, Page, Problems, renderPage, ROLE_WORDS } from '../layout';
import { SessionStore } from '../sessions';

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function PasswordFields() {
  return (
    <>
      <div class="field">
        <label for="password">New password</label>
        <input id="password" name="password" type="password" autoComplete="new-password" required minLength={MIN_PASSWORD_LENGTH} aria-describedby="password-hint" />
        <span id="password-hint" class="hint">
          At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words make a strong password that is easy to remember; very common passwords are refused.
        </span>
      </div>
      <div class="field">
        <label for="confirm">Confirm password</label>
        <input id="confirm" name="confirm" type="password" autoComplete="new-password" required />
      </div>
    </>
  );
}

function LinkProblem({ messages }: { messages: string[] }) {
  return (
    <Page title="Link not valid">
      <h1>This link does not work</h1>
      <Problems messages={messages} />
      <p>
        <a href="/sign-in">Go to sign-in</a>
      </p>
    </Page>
  );
}

@ConsoleController()
export class SetPasswordController {
  constructor(
    private readonly accounts: Accounts,
    private readonly sessions: SessionStore,
    private readonly setup: FirstRunSetup,
    private readonly commands: CommandBus,
  ) {}

  @Get('welcome')
  async welcome(@Req() request: ConsoleRequest, @Query('token') token: unknown, @Res() response: Response): Promise<void> {
    try {
      const account = await this.accounts.accountForLink(text(token));
      response.type('html').send(renderPage(<WelcomePage token={text(token)} name={account.name} email={account.email} role={ROLE_WORDS[account.role]} />, { csrf: request.session!.csrf }));
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      response.status(error.status).type('html').send(renderPage(<LinkProblem messages={error.messages} />));
    }
  }

  @Post('welcome')
  @HttpCode(200)
  async setPassword(@Req() request: ConsoleRequest, @Body() body: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const token = text(body.token);
    let account;
    try {
      account = await this.accounts.accountForLink(token);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      return void response.status(error.status).type('html').send(renderPage(<LinkProblem messages={error.messages} />));
    }
    try {
      account = await this.accounts.setPassword(token, text(body.password), text(body.confirm));
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      return void response
        .status(error.status)
        .type('html')
        .send(renderPage(<WelcomePage token={token} name={account.name} email={account.email} role={ROLE_WORDS[account.role]} problems={error.messages} />, { csrf: request.session!.csrf }));
    }
    await this.sessions.endAllOf(account.userId);
    const { cookie, session } = await this.sessions.signIn(request.session, account.userId);
    session.notice = `Welcome, ${account.name}. Your password is set; use it with ${account.email} to sign in next time.`;
    await this.sessions.save(session);
    setSessionCookie(request, response, cookie);
    response.redirect(303, '/');
  }

  @Get('setup')
  async setupPage(@Req() request: ConsoleRequest, @Query('token') token: unknown, @Res() response: Response): Promise<void> {
    if (!(await this.setupOpen(token))) return void this.setupClosed(response);
    response.type('html').send(renderPage(<SetupPage token={text(token)} values={{}} />, { csrf: request.session!.csrf }));
  }

  @Post('setup')
  @HttpCode(200)
  async createAgency(@Req() request: ConsoleRequest, @Body() body: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const token = text(body.token);
    if (!(await this.setupOpen(token))) return void this.setupClosed(response);
    const values = { agencyId: text(body.agencyId).trim(), agencyName: text(body.agencyName).trim(), name: text(body.name).trim(), email: text(body.email).trim() };
    const problems: string[] = [];
    if (!ID_PATTERN.test(values.agencyId)) problems.push('Agency ID: use 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit (for example "stpaul-pd")');
    const nameProblem = values.agencyName ? plainTextProblem(values.agencyName) : 'must not be blank';
    if (nameProblem) problems.push(`Agency name: ${nameProblem}`);
    problems.push(...personProblems({ agencyId: values.agencyId, role: 'admin', email: values.email, name: values.name }));
    const password = text(body.password);
    const passwordProblem = passwordProblems(password, values);
    problems.push(...passwordProblem);
    if (!passwordProblem.length && password !== text(body.confirm)) problems.push('Confirm password: the two passwords are not the same');
    const again = (status: number, messages: string[]) =>
      response.status(status).type('html').send(renderPage(<SetupPage token={token} values={values} problems={messages} />, { csrf: request.session!.csrf }));
    if (problems.length) return void again(400, problems);
    const recordedBy = values.email.toLowerCase();
    try {
      await this.commands.execute(new RegisterAgencyCommand({ agencyId: values.agencyId, recordedBy, correlationId: randomUUID() }, values.agencyName));
      const account = await this.accounts.createFirstAdmin({ agencyId: values.agencyId, email: values.email, name: values.name }, password, token, recordedBy);
      this.setup.close();
      const { cookie, session } = await this.sessions.signIn(request.session, account.userId);
      session.notice = `Agency ${values.agencyName} is set up and you are its first admin. Next: register your first officer, and invite the chief from People.`;
      await this.sessions.save(session);
      setSessionCookie(request, response, cookie);
      response.redirect(303, '/');
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      again(error.status, error.messages);
    }
  }

  private async setupOpen(token: unknown): Promise<boolean> {
    return this.setup.matches(token) && (await this.setup.needed());
  }

  private setupClosed(response: Response): void {
    response
      .status(404)
      .type('html')
      .send(
        renderPage(
          <LinkProblem messages={['This setup link is not valid: it was already used, it expired (24 hours), or the server was restarted (it prints a new link at start while no agency exists).']} />,
        ),
      );
  }
}

function WelcomePage(props: { token: string; name: string; email: string; role: string; problems?: string[] }) {
  return (
    <Page title="Set your password">
      <h1>Set your password</h1>
      <p>
        Welcome, {props.name}. You will sign in with <strong>{props.email}</strong> as {props.role}.
      </p>
      <form method="post" action="/welcome" class="stack narrow">
        <Problems messages={props.problems} />
        <CsrfField />
        <input type="hidden" name="token" value={props.token} />
        <input type="hidden" name="email" value={props.email} autoComplete="username" />
        <PasswordFields />
        <button type="submit">Set password</button>
      </form>
    </Page>
  );
}

function SetupPage(props: { token: string; values: { agencyId?: string; agencyName?: string; name?: string; email?: string }; problems?: string[] }) {
  const v = props.values;
  return (
    <Page title="Set up your agency">
      <h1>Set up your agency</h1>
      <p>This ledger has no agency yet. Register yours and create its first admin account (you). You can invite the chief, auditors and investigators afterwards.</p>
      <form method="post" action="/setup" class="stack narrow">
        <Problems messages={props.problems} />
        <CsrfField />
        <input type="hidden" name="token" value={props.token} />
        <fieldset>
          <legend>Agency</legend>
          <div class="field">
            <label for="agencyId">Agency ID</label>
            <input id="agencyId" name="agencyId" required value={v.agencyId ?? ''} aria-describedby="agencyId-hint" />
            <span id="agencyId-hint" class="hint">
              A short code used in addresses and exports, such as stpaul-pd. It cannot be changed later.
            </span>
          </div>
          <div class="field">
            <label for="agencyName">Agency name</label>
            <input id="agencyName" name="agencyName" required value={v.agencyName ?? ''} />
          </div>
        </fieldset>
        <fieldset>
          <legend>Your account (admin)</legend>
          <div class="field">
            <label for="name">Your name</label>
            <input id="name" name="name" required autoComplete="name" value={v.name ?? ''} />
          </div>
          <div class="field">
            <label for="email">Email</label>
            <input id="email" name="email" type="email" required autoComplete="username" value={v.email ?? ''} />
          </div>
          <PasswordFields />
        </fieldset>
        <button type="submit">Set password</button>
      </form>
    </Page>
  );
}
