/**
 * Page: Your sessions, `/account/sessions` (docs/reference.md#web-console; docs/decisions.md
 * W55): where the signed-in person is signed in (when each session began, how, when last used),
 * and "Sign out everywhere", which ends all of them, this one too, on every server. An admin
 * ends another person's sessions from People.
 */
import { HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ROLES } from '../../../events/access';
import { ConsoleRequest, ConsoleRoles, setSessionCookie } from '../console.guard';
import { ConsoleController, ConsolePage } from '../console-page';
import { CsrfField, instantInWords, Page, renderPage, type Person } from '../layout';
import { SessionStore } from '../sessions';
import { CONSOLE_OPTIONS, type ConsoleOptions } from '../console-options';

const howInWords = (method: string): string => (method.startsWith('provider:') ? `through ${method.slice('provider:'.length)}` : 'with a password');

const minutesOrHours = (ms: number): string => (ms % 3_600_000 === 0 ? `${ms / 3_600_000} hour${ms === 3_600_000 ? '' : 's'}` : `${Math.round(ms / 60_000)} minutes`);

function SessionsPage(props: { person: Person; csrf: string; notice?: string; current: string; idleMs: number; absoluteMs: number; sessions: { key: string; signedInAt: number; lastSeenAt: number; method: string }[] }) {
  return (
    <Page title="Your sessions" person={props.person} csrf={props.csrf} current="/account/sessions" notice={props.notice}>
      <h1>Your sessions</h1>
      <p>
        You have {props.sessions.length === 1 ? 'one session' : `${props.sessions.length} sessions`}. A session ends after {minutesOrHours(props.idleMs)} without use, or{' '}
        {minutesOrHours(props.absoluteMs)} after signing in.
      </p>
      <table>
        <caption>Where you are signed in, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Signed in</th>
            <th scope="col">How</th>
            <th scope="col">Last used</th>
            <th scope="col">This browser?</th>
          </tr>
        </thead>
        <tbody>
          {props.sessions.map((s) => (
            <tr>
              <td>{instantInWords(new Date(s.signedInAt).toISOString())}</td>
              <td>{howInWords(s.method)}</td>
              <td>{instantInWords(new Date(s.lastSeenAt).toISOString())}</td>
              <td>{s.key === props.current ? 'Yes, this one' : 'No'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="post" action="/account/sessions/end-all" class="stack narrow">
        <CsrfField csrf={props.csrf} />
        <p class="hint">Signs you out on every computer and phone, this one too. Use it if you left a session open somewhere, or think someone else used your account.</p>
        <button type="submit">Sign out everywhere</button>
      </form>
    </Page>
  );
}

@ConsoleController('account/sessions')
@ConsoleRoles(...ROLES)
export class AccountSessionsController {
  constructor(
    private readonly sessions: SessionStore,
    @Inject(CONSOLE_OPTIONS) private readonly options: ConsoleOptions,
  ) {}

  @ConsolePage({ roles: ROLES, nav: { href: '/account/sessions', label: 'Your sessions', order: 90 } })
  async page(@Req() request: ConsoleRequest, @Res() response: Response): Promise<void> {
    const person = request.person!;
    const notice = request.session!.notice;
    request.session!.notice = undefined;
    const sessions = await this.sessions.listOf(person.userId);
    response.type('html').send(renderPage(<SessionsPage person={person} csrf={request.session!.csrf} notice={notice} current={request.session!.key} idleMs={this.options.idleMs} absoluteMs={this.options.absoluteMs} sessions={sessions} />));
  }

  @Post('end-all')
  @HttpCode(200)
  async endAll(@Req() request: ConsoleRequest, @Res() response: Response): Promise<void> {
    const ended = await this.sessions.endAllOf(request.person!.userId);
    await this.sessions.end(request.session!);
    const { cookie, session } = await this.sessions.create();
    session.notice = `You are signed out everywhere (${ended} session${ended === 1 ? '' : 's'} ended).`;
    await this.sessions.save(session);
    setSessionCookie(request, response, cookie);
    response.redirect(303, '/sign-in');
  }
}
