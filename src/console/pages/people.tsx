/**
 * Page: the people of the agency at /people (admin; docs/reference.md#get-people): every account
 * with its role and state; invite a person (the one-time link, valid 24 hours, is shown once to
 * hand over); a new sign-in link for a forgotten password; change a role; disable or re-enable an
 * account. Each change is an access-stream event recorded by the admin (src/auth/accounts.ts);
 * a refusal is shown with its message and records nothing. Every POST answers with a redirect to
 * /people (post/redirect/get: Back and reload never send it again), the link, the notice or the
 * refusal (with its 4xx status) carried once in the session. Changing one's own role asks for confirmation first, and
 * the agency's last active admin keeps the role (docs/decisions.md W35).
 */
import { Body, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { GetNoticesQuery, type NoticesView } from '../../agencies/notices';
import { NOTICE_OPTIONS, type NoticeOptions } from '../../notices';
import { mayReceiveNotices } from '../../notices/recipients';
import type { Request, Response } from 'express';
import { ROLES } from '../../../events/access';
import type { Account } from '../../auth/access-registry';
import { Accounts, lastAdminRefusal, type Invitation } from '../../auth/accounts';
import { Refusal } from '../../write/refusals';
import { SessionStore } from '../sessions';
import { CONSOLE_OPTIONS, type ConsoleOptions } from '../console-options';
import { ConsoleRequest, ConsoleRoles } from '../console.guard';
import { ConsoleController, ConsolePage } from '../console-page';
import { CsrfField, instantInWords, Page, Problems, renderPage, ROLE_WORDS, type Person } from '../layout';

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The address at the start of a link handed out: SRO_PUBLIC_URL, else the address this page was opened at. */
export function linkBase(options: ConsoleOptions, request: Request): string {
  return options.publicUrl ?? `${request.protocol}://${request.get('host') ?? '127.0.0.1'}`;
}

export const welcomeLink = (base: string, secret: string): string => `${base}/welcome?token=${encodeURIComponent(secret)}`;

const stateOf = (a: Account): string =>
  a.disabledAt
    ? `Disabled ${instantInWords(a.disabledAt)}${a.disabledReason ? ` (${a.disabledReason})` : ''}`
    : a.password
      ? 'Active'
      : (a.subjects?.size ?? 0) > 0
        ? 'Active: signs in through an identity provider'
        : 'Invited: the link has not been used yet';

@ConsoleController('people')
@ConsoleRoles('admin')
export class PeoplePageController {
  constructor(
    private readonly accounts: Accounts,
    @Inject(CONSOLE_OPTIONS) private readonly options: ConsoleOptions,
    private readonly queries: QueryBus,
    @Inject(NOTICE_OPTIONS) private readonly noticeOptions: NoticeOptions,
    private readonly sessions: SessionStore,
  ) {}

  @ConsolePage({ roles: ['admin'], nav: { href: '/people', label: 'People', order: 5 } })
  async page(@Req() request: ConsoleRequest, @Query('confirmRole') confirmRole: unknown, @Res() response: Response): Promise<void> {
    // The link a POST just created, or its refusal (with its 4xx status), shown once.
    const link = request.session!.handover;
    const refused = request.session!.peopleRefused;
    request.session!.handover = undefined;
    request.session!.peopleRefused = undefined;
    if (refused) return this.render(request, response, refused.status, { problems: refused.problems, values: refused.values });
    // One's own new role, asked for confirmation.
    const role = typeof confirmRole === 'string' && (ROLES as readonly string[]).includes(confirmRole) && confirmRole !== request.person!.role ? confirmRole : undefined;
    await this.render(request, response, 200, link ? { link } : role ? { confirmRole: role } : {});
  }

  /** A refusal: kept for the page the redirect opens, which shows it with its status (post/redirect/get; nothing recorded). */
  private refused(request: ConsoleRequest, response: Response, status: number, problems: string[], values?: PeopleProps['values']): void {
    request.session!.peopleRefused = { status, problems, ...(values ? { values } : {}) };
    response.redirect(303, '/people');
  }

  /** Post/redirect/get: what was recorded is said on the page the redirect opens. */
  private done(request: ConsoleRequest, response: Response, notice: string | undefined, invitation?: Invitation, kind?: 'invitation' | 'reset', to = '/people'): void {
    if (notice) request.session!.notice = notice;
    if (invitation && kind) {
      const { name, email } = invitation.account;
      request.session!.handover = { name, email, url: welcomeLink(linkBase(this.options, request), invitation.secret), expiresAt: invitation.expiresAt, kind };
    }
    response.redirect(303, to);
  }

  @Post('invite')
  @HttpCode(200)
  async invite(@Req() request: ConsoleRequest, @Body() body: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const person = request.person!;
    const values = { name: text(body.name), email: text(body.email), role: text(body.role) };
    try {
      const invitation = await this.accounts.invite({ agencyId: person.agencyId, ...values }, person.email);
      this.done(request, response, undefined, invitation, 'invitation');
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      this.refused(request, response, error.status, error.messages, values);
    }
  }

  @Post('action')
  @HttpCode(200)
  async action(@Req() request: ConsoleRequest, @Body() body: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const person = request.person!;
    const email = text(body.email);
    try {
      switch (text(body.action)) {
        case 'reset': {
          const invitation = await this.accounts.issueReset(person.agencyId, email, person.email);
          return this.done(request, response, undefined, invitation, 'reset');
        }
        case 'role': {
          const role = text(body.role);
          const own = email.trim().toLowerCase() === person.email;
          if (own && body.confirm !== 'yes' && role !== person.role && (ROLES as readonly string[]).includes(role)) {
            // One's own role: refused at once when it would leave the agency without an admin, else confirmed first.
            const self = (await this.accounts.list(person.agencyId)).find((a) => a.userId === person.userId);
            const refusal = self && role !== 'admin' ? lastAdminRefusal(await this.accounts.list(person.agencyId), self, `changing the role to ${role}`) : undefined;
            if (refusal) return this.refused(request, response, refusal.status, refusal.messages);
            return void response.redirect(303, `/people?confirmRole=${encodeURIComponent(role)}`);
          }
          await this.accounts.changeRole(person.agencyId, email, role, person.email);
          const words = ROLE_WORDS[role as keyof typeof ROLE_WORDS];
          // One's own new role applies at once: the dashboard, which every role but the investigator's opens.
          if (own) return this.done(request, response, `Your role is now ${words}.`, undefined, undefined, '/');
          return this.done(request, response, `The role of ${email} is now ${words}; it applies from their next page.`);
        }
        case 'disable':
          if (email.toLowerCase() === person.email) return this.refused(request, response, 400, ['You cannot disable your own account; ask another admin.']);
          // Their sessions end at once, on every server (Accounts.disable; docs/decisions.md W55).
          await this.accounts.disable(person.agencyId, email, text(body.reason) || 'disabled by an admin', person.email);
          return this.done(request, response, `${email} is disabled and signed out everywhere.`);
        case 'end-sessions': {
          const target = (await this.accounts.list(person.agencyId)).find((a) => a.email === email.trim().toLowerCase());
          if (!target) return this.refused(request, response, 404, [`Email: agency ${person.agencyId} has no account for ${email}`]);
          const ended = await this.sessions.endAllOf(target.userId);
          const own = target.userId === person.userId;
          return this.done(request, response, own ? undefined : `${ended === 0 ? 'No session of' : `${ended} session${ended === 1 ? '' : 's'} of`} ${target.email} ${ended === 0 ? 'was open' : 'ended'}: they sign in again on their next page.`, undefined, undefined, own ? '/sign-in' : '/people');
        }
        case 'enable':
          await this.accounts.enable(person.agencyId, email, person.email);
          return this.done(request, response, `${email} is enabled again.`);
        default:
          return this.refused(request, response, 400, ['Choose an action.']);
      }
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      this.refused(request, response, error.status, error.messages);
    }
  }

  private async render(request: ConsoleRequest, response: Response, status: number, props: Omit<PeopleProps, 'person' | 'csrf' | 'accounts' | 'mail'>): Promise<void> {
    const person = request.person!;
    const accounts = (await this.accounts.list(person.agencyId)).sort((a, b) => a.name.localeCompare(b.name, 'en-US'));
    const notices: NoticesView = await this.queries.execute(new GetNoticesQuery(person.agencyId));
    const mail = { smtpConfigured: this.noticeOptions.smtpUrl !== undefined, digestTime: this.noticeOptions.digestTime, notices };
    const notice = props.notice ?? request.session!.notice;
    request.session!.notice = undefined;
    response.status(status).type('html').send(renderPage(<PeoplePage person={person} csrf={request.session!.csrf} accounts={accounts} mail={mail} {...props} notice={notice} />));
  }
}

interface PeopleProps {
  person: Person;
  csrf: string;
  accounts: Account[];
  /** Reminders by e-mail: whether a mail server is configured, when the digest goes, the notices so far. */
  mail: { smtpConfigured: boolean; digestTime: string; notices: NoticesView };
  link?: NonNullable<ConsoleRequest['session']>['handover'];
  notice?: string;
  /** The role the signed-in admin is about to give themself: asked for confirmation first. */
  confirmRole?: string;
  problems?: string[];
  values?: { name: string; email: string; role: string };
}

/** Who receives the digest, in a sentence (or that no one does: an agency with no chief or admin who receives it). */
function recipientsWords(accounts: Account[]): string {
  const receiving = accounts.filter((a) => mayReceiveNotices(a) && !a.disabledAt && a.notices !== false);
  if (receiving.length === 0) return 'No one receives the daily reminder digest: no chief or admin of the agency has it turned on.';
  return `The daily reminder digest goes to ${receiving.map((a) => a.name).join(', ')}.`;
}

/** One person's reminders by e-mail in words: whether they receive them, when the last went, and a failed send. */
function noticeWords(a: Account, mail: PeopleProps['mail']): string {
  if (!mayReceiveNotices(a)) return 'Not sent to this role';
  if (a.disabledAt) return 'Not sent: the account is disabled';
  if (a.notices === false) return 'Off: turned off by the person';
  const own = mail.notices.notices.filter((n) => n.recipient.email === a.email && n.type !== 'ACKNOWLEDGED');
  const lastSent = own.filter((n) => n.type === 'SENT').at(-1);
  const last = own.at(-1);
  const parts = [`On: daily at ${mail.digestTime} Minnesota time when there is news`];
  parts.push(lastSent ? `last sent ${instantInWords(lastSent.recordedAt)}` : 'none sent yet');
  if (last?.type === 'FAILED') parts.push(`the last send FAILED on ${instantInWords(last.recordedAt)} after ${last.attempts} attempts: ${last.error}`);
  return `${parts.join('; ')}.`;
}

function PeoplePage(props: PeopleProps) {
  const v = props.values ?? { name: '', email: '', role: 'chief' };
  return (
    <Page title="People" person={props.person} csrf={props.csrf} current="/people" notice={props.notice}>
      <h1>People of agency {props.person.agencyId}</h1>
      {props.confirmRole && (
        <section class="confirm" role="alert" aria-labelledby="confirm-heading">
          <h2 id="confirm-heading">Change your own role?</h2>
          <p>
            You are about to change your own role from {ROLE_WORDS[props.person.role]} to {ROLE_WORDS[props.confirmRole as keyof typeof ROLE_WORDS]}. From your next page you will see only what that role
            sees{props.person.role === 'admin' ? ', no longer People or the record forms, and only another admin can give the role back' : ''}.
          </p>
          <form method="post" action="/people/action" class="inline-fields">
            <CsrfField csrf={props.csrf} />
            <input type="hidden" name="email" value={props.person.email} />
            <input type="hidden" name="action" value="role" />
            <input type="hidden" name="role" value={props.confirmRole} />
            <input type="hidden" name="confirm" value="yes" />
            <button type="submit">Yes, change my role</button>
          </form>
          <p>
            <a href="/people">No, keep my role</a>
          </p>
        </section>
      )}
      {props.link && (
        <section class="handover" aria-labelledby="link-heading">
          <h2 id="link-heading">{props.link.kind === 'invitation' ? 'Invitation link' : 'New sign-in link'}</h2>
          <p>
            Give this link to {props.link.name} ({props.link.email}). It works once, until {instantInWords(props.link.expiresAt)}; it is shown only now.
          </p>
          <p>
            <input class="link" aria-label="The link to hand over" readOnly value={props.link.url} id="handover-link" />
          </p>
        </section>
      )}
      <Problems messages={props.problems} />
      {!props.mail.smtpConfigured && (
        <p class="warning" role="status" id="smtp-not-configured">
          Reminders by e-mail are not sent: this server has no mail server configured (SRO_SMTP_URL). Chiefs and admins see what falls due only on the Reminders page until whoever
          looks after the server sets it (README “Reminders by e-mail”).
        </p>
      )}
      {props.mail.smtpConfigured && recipientsWords(props.accounts) && <p id="notices-recipients">{recipientsWords(props.accounts)}</p>}
      <section aria-labelledby="accounts-heading">
        <h2 id="accounts-heading">Accounts</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">State</th>
              <th scope="col">Reminders by e-mail</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {props.accounts.map((a) => (
              <tr data-email={a.email}>
                <th scope="row">{a.name}</th>
                <td>{a.email}</td>
                <td>{ROLE_WORDS[a.role]}</td>
                <td>{stateOf(a)}</td>
                <td data-notices={a.email}>{noticeWords(a, props.mail)}</td>
                <td class="actions">
                  <form method="post" action="/people/action">
                    <CsrfField csrf={props.csrf} />
                    <input type="hidden" name="email" value={a.email} />
                    <input type="hidden" name="action" value="reset" />
                    <button type="submit">New sign-in link for {a.name}</button>
                  </form>
                  <form method="post" action="/people/action">
                    <CsrfField csrf={props.csrf} />
                    <input type="hidden" name="email" value={a.email} />
                    <input type="hidden" name="action" value="role" />
                    <label for={`role-${a.userId}`}>New role for {a.name}</label>
                    <select id={`role-${a.userId}`} name="role">
                      {ROLES.map((r) => (
                        <option value={r} selected={r === a.role}>
                          {ROLE_WORDS[r]}
                        </option>
                      ))}
                    </select>
                    <button type="submit">Change role</button>
                  </form>
                  <form method="post" action="/people/action">
                    <CsrfField csrf={props.csrf} />
                    <input type="hidden" name="email" value={a.email} />
                    <input type="hidden" name="action" value="end-sessions" />
                    <button type="submit">Sign {a.name} out everywhere</button>
                  </form>
                  {a.email !== props.person.email && (
                    <form method="post" action="/people/action">
                      <CsrfField csrf={props.csrf} />
                      <input type="hidden" name="email" value={a.email} />
                      {a.disabledAt ? (
                        <>
                          <input type="hidden" name="action" value="enable" />
                          <button type="submit">Enable {a.name}</button>
                        </>
                      ) : (
                        <>
                          <input type="hidden" name="action" value="disable" />
                          <label for={`reason-${a.userId}`}>Reason to disable {a.name}</label>
                          <input id={`reason-${a.userId}`} name="reason" />
                          <button type="submit">Disable</button>
                        </>
                      )}
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="invite-heading">
        <h2 id="invite-heading">Invite a person</h2>
        <form method="post" action="/people/invite" class="stack narrow">
          <CsrfField csrf={props.csrf} />
          <div class="field">
            <label for="invite-name">Name</label>
            <input id="invite-name" name="name" required autoComplete="off" value={v.name} />
          </div>
          <div class="field">
            <label for="invite-email">Email</label>
            <input id="invite-email" name="email" type="email" required autoComplete="off" value={v.email} />
          </div>
          <div class="field">
            <label for="invite-role">Role</label>
            <select id="invite-role" name="role">
              {ROLES.map((r) => (
                <option value={r} selected={r === v.role}>
                  {ROLE_WORDS[r]}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">Invite</button>
        </form>
      </section>
    </Page>
  );
}
