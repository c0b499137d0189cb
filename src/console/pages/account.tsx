/**
 * Page: your own account at /account (docs/console.md "Your account"; every signed-in person): your
 * name, email, role and agency; the daily reminder digest by e-mail, on or off (chiefs and admins,
 * opted in until they turn it off: docs/decisions.md W50); your calendar feed's secret address (everyone),
 * shown again on every visit, and a button that replaces it (the old address stops working:
 * W51); your sign-in sessions (a link to /account/sessions and "Sign out everywhere": W55). Each
 * change is an access-stream event recorded by you (src/notices/notice-accounts.ts), answered with
 * a redirect back here (post/redirect/get).
 *
 * To add a section: a component below taking AccountProps, its place
 * in ACCOUNT_SECTIONS, and its POST routes under /account/... in this controller or another.
 */
import { Body, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { VNode } from 'preact';
import type { Account } from '../../auth/access-registry';
import { AccessRegistry } from '../../auth/access-registry';
import { NOTICE_OPTIONS, NoticeAccounts, type NoticeOptions } from '../../notices';
import { calendarUrl } from '../../notices/notice-accounts';
import { mayReceiveNotices } from '../../notices/recipients';
import { ConsoleRequest, ConsoleRoles } from '../console.guard';
import { ConsoleController, ConsolePage } from '../console-page';
import { CsrfField, Page, renderPage, ROLE_WORDS, type Person } from '../layout';


export interface AccountProps {
  person: Person;
  csrf: string;
  account: Account;
  options: NoticeOptions;
}

@ConsoleController('account')
@ConsoleRoles('admin', 'auditor', 'chief', 'investigator')
export class AccountPageController {
  constructor(
    private readonly registry: AccessRegistry,
    private readonly notices: NoticeAccounts,
    @Inject(NOTICE_OPTIONS) private readonly options: NoticeOptions,
  ) {}

  @ConsolePage({ roles: ['admin', 'auditor', 'chief', 'investigator'] })
  async page(@Req() request: ConsoleRequest, @Res() response: Response): Promise<void> {
    const person = request.person!;
    const account = (await this.registry.account({ userId: person.userId }))!;
    const notice = request.session!.notice;
    request.session!.notice = undefined;
    response.type('html').send(renderPage(<AccountPage person={person} csrf={request.session!.csrf} account={account} options={this.options} notice={notice} />));
  }

  @Post('notices')
  @HttpCode(200)
  async setNotices(@Req() request: ConsoleRequest, @Body() body: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const person = request.person!;
    const enabled = body.enabled === 'on';
    if (mayReceiveNotices(person)) {
      await this.notices.setNotices(person.userId, enabled, person.email);
      request.session!.notice = enabled ? 'Reminders by e-mail are on: you receive the daily digest when there is something new.' : 'Reminders by e-mail are off: you receive no digest until you turn them on again.';
    }
    response.redirect(303, '/account#notices');
  }

  @Post('calendar')
  @HttpCode(200)
  async calendar(@Req() request: ConsoleRequest, @Body() body: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const person = request.person!;
    {
      const replace = body.replace === 'yes';
      await this.notices.calendarSecret(person.userId, person.email, replace);
      request.session!.notice = replace ? 'Your calendar feed has a new address: the old one no longer works. Subscribe to the new one in your calendar application.' : 'Your calendar feed address is ready: subscribe to it in your calendar application.';
    }
    response.redirect(303, '/account#calendar');
  }
}

function AccountPage(props: AccountProps & { notice?: string }) {
  const { person } = props;
  return (
    <Page title="Your account" person={person} csrf={props.csrf} current="/account" notice={props.notice}>
      <h1>Your account</h1>
      <dl class="facts">
        <dt>Name</dt>
        <dd>{props.account.name}</dd>
        <dt>Email</dt>
        <dd>{props.account.email}</dd>
        <dt>Role</dt>
        <dd>{ROLE_WORDS[props.account.role]}</dd>
        <dt>Agency</dt>
        <dd>{props.account.agencyId}</dd>
      </dl>
      {ACCOUNT_SECTIONS.map((Section) => (
        <Section {...props} />
      ))}
    </Page>
  );
}

function NoticesSection({ account, csrf, options }: AccountProps) {
  if (!mayReceiveNotices(account)) {
    return (
      <section id="notices" aria-labelledby="notices-heading">
        <h2 id="notices-heading">Reminders by e-mail</h2>
        <p>The daily reminder digest goes to chiefs and admins only; your role does not receive it.</p>
      </section>
    );
  }
  const on = account.notices !== false;
  return (
    <section id="notices" aria-labelledby="notices-heading">
      <h2 id="notices-heading">Reminders by e-mail</h2>
      <p id="notices-state">
        {on
          ? `On: each day at ${options.digestTime} Minnesota time, when something is newly overdue or due within 60 days, you receive one e-mail listing what falls due, at ${account.email}.`
          : 'Off: you receive no reminder digest. The reminders page still lists everything that falls due.'}
      </p>
      {!options.smtpUrl && <p class="warning">This server sends no e-mail: its mail server (SRO_SMTP_URL) is not configured. Tell whoever looks after the server.</p>}
      <form method="post" action="/account/notices">
        <CsrfField csrf={csrf} />
        <input type="hidden" name="enabled" value={on ? 'off' : 'on'} />
        <button type="submit" aria-describedby="notices-state">
          {on ? 'Turn reminders by e-mail off' : 'Turn reminders by e-mail on'}
        </button>
      </form>
    </section>
  );
}

function CalendarSection({ account, csrf, options }: AccountProps) {
  const url = account.calendarSecret ? calendarUrl(options.publicUrl, account.calendarSecret) : undefined;
  return (
    <section id="calendar" aria-labelledby="calendar-heading">
      <h2 id="calendar-heading">Calendar feed</h2>
      <p>
        Your calendar application (Outlook, Google Calendar, Apple Calendar) can show the agency’s deadlines: one all-day event on each due date, for everything overdue or due
        within a year. Subscribe to the address below (in Outlook: Add calendar, Subscribe from web). Anyone who has the address sees the deadlines and the officers’ names:
        keep it to yourself, and replace it if it was shared by mistake.
      </p>
      {url ? (
        <>
          <p>
            <label for="calendar-url">Your calendar feed address</label>
            <input id="calendar-url" class="link" readOnly value={url} />
          </p>
          <form method="post" action="/account/calendar">
            <CsrfField csrf={csrf} />
            <input type="hidden" name="replace" value="yes" />
            <button type="submit">Replace the address (the old one stops working)</button>
          </form>
        </>
      ) : (
        <form method="post" action="/account/calendar">
          <CsrfField csrf={csrf} />
          <p>You have no calendar feed address yet.</p>
          <button type="submit">Create my calendar feed address</button>
        </form>
      )}
    </section>
  );
}

/** Where the person is signed in (the page /account/sessions, docs/decisions.md W55), and ending every session at once. */
function SessionsSection({ csrf }: AccountProps) {
  return (
    <section id="sessions" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Sign-in sessions</h2>
      <p>
        <a href="/account/sessions">See where you are signed in</a>. If you left yourself signed in on a shared computer or lost a phone, sign out everywhere: every session
        ends, this one too, on every server.
      </p>
      <form method="post" action="/account/sessions/end-all">
        <CsrfField csrf={csrf} />
        <button type="submit">Sign out everywhere</button>
      </form>
    </section>
  );
}

/** The page's sections, in order (the module comment says how to add one). */
export const ACCOUNT_SECTIONS: ((props: AccountProps) => VNode | null)[] = [NoticesSection, CalendarSection, SessionsSection];
