/**
 * Page: one reminder notice at /notices/:noticeId (docs/console.md "A reminder notice"), the page a
 * digest's link opens: to whom it was sent and when, each item as told that day, and whether it
 * was acknowledged. Signed in only (the guard sends others to sign-in and back here). Opening it
 * records nothing (mail scanners such as Safe Links open every link of a message): only the
 * recipient pressing **Acknowledge** (a POST) records ReminderNoticeAcknowledged {noticeId, by}.
 */
import { HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { GetAgencyStatusQuery, type AgencyStatusView } from '../../agencies/agency-status';
import { NoticeAcknowledgements } from '../../notices';
import type { NoticeRecord } from '../../notices/agency-notices';
import { daysLeftWords, dateWords } from '../../notices/notice-message';
import { resolveTimeAxes } from '../../read/time-axes';
import { Refusal } from '../../write/refusals';
import { officerUrl } from '../console-axes';
import { ConsoleRequest, ConsoleRoles } from '../console.guard';
import { ConsoleController, ConsolePage } from '../console-page';
import { CsrfField, instantInWords, Page, Problems, renderPage, type Person } from '../layout';

@ConsoleController('notices')
@ConsoleRoles('admin', 'auditor', 'chief', 'investigator')
export class NoticePageController {
  constructor(
    private readonly acknowledgements: NoticeAcknowledgements,
    private readonly queries: QueryBus,
  ) {}

  @ConsolePage({ path: ':noticeId', roles: ['admin', 'auditor', 'chief', 'investigator'] })
  async page(@Req() request: ConsoleRequest, @Param('noticeId') noticeId: string, @Res() response: Response): Promise<void> {
    const person = request.person!;
    const notice = await this.acknowledgements.notice(person.agencyId, noticeId);
    const refused = request.session!.noticeRefused;
    request.session!.noticeRefused = undefined;
    const flash = request.session!.notice;
    request.session!.notice = undefined;
    const names = await this.names(person.agencyId);
    response.status(refused ? 409 : 200).type('html').send(renderPage(<NoticePage person={person} csrf={request.session!.csrf} notice={notice} names={names} problems={refused} flash={flash} />));
  }

  @Post(':noticeId/acknowledge')
  @HttpCode(200)
  async acknowledge(@Req() request: ConsoleRequest, @Param('noticeId') noticeId: string, @Res() response: Response): Promise<void> {
    const person = request.person;
    if (!person) return void response.redirect(303, `/sign-in?next=${encodeURIComponent(`/notices/${noticeId}`)}`);
    try {
      await this.acknowledgements.acknowledge(person, noticeId);
      request.session!.notice = 'Thank you: your acknowledgement of this notice is recorded.';
    } catch (error) {
      if (!(error instanceof Refusal) || error.status === 404) throw error;
      request.session!.noticeRefused = error.messages;
    }
    response.redirect(303, `/notices/${encodeURIComponent(noticeId)}`);
  }

  /** The officers' names as known now (the agency status, as the reminders page reads them). */
  private async names(agencyId: string): Promise<Map<string, string>> {
    const status: AgencyStatusView = await this.queries.execute(new GetAgencyStatusQuery(agencyId, resolveTimeAxes({})));
    return new Map(status.officers.map((o) => [o.officerId, o.name]));
  }
}

function NoticePage(props: { person: Person; csrf: string; notice: NoticeRecord; names: Map<string, string>; problems?: string[]; flash?: string }) {
  const { notice, person } = props;
  const mine = notice.recipient.email === person.email;
  return (
    <Page title="Reminder notice" person={person} csrf={props.csrf} notice={props.flash}>
      <h1>Reminder notice</h1>
      <p class="sentence" id="notice-sentence">
        {notice.outcome === 'SENT'
          ? `Sent by e-mail to ${notice.recipient.name} (${notice.recipient.email}, ${notice.recipient.role}) on ${instantInWords(notice.recordedAt)}, Minnesota time. The days left below are as they stood on the day it was sent.`
          : `This notice to ${notice.recipient.name} (${notice.recipient.email}) could not be sent (${notice.attempts} attempts, recorded ${instantInWords(notice.recordedAt)}): ${notice.error}`}
      </p>
      <Problems messages={props.problems} />
      <p id="ack-state" data-acknowledged={notice.acknowledged ? 'yes' : 'no'}>
        <strong>
          {notice.acknowledged ? `Acknowledged by ${notice.acknowledged.by} on ${instantInWords(notice.acknowledged.at)}.` : notice.outcome === 'SENT' ? 'Not acknowledged yet.' : 'Nothing to acknowledge: the message was not delivered.'}
        </strong>
      </p>
      {notice.outcome === 'SENT' && !notice.acknowledged && mine && (
        <form method="post" action={`/notices/${encodeURIComponent(notice.noticeId)}/acknowledge`}>
          <CsrfField csrf={props.csrf} />
          <p>Pressing Acknowledge records, in the agency’s ledger, that you have read this notice.</p>
          <button type="submit">Acknowledge</button>
        </form>
      )}
      {notice.outcome === 'SENT' && !notice.acknowledged && !mine && <p>Only {notice.recipient.name}, to whom it was sent, can acknowledge this notice.</p>}
      {notice.items.length > 0 && (
        <table>
          <caption>What the notice told</caption>
          <thead>
            <tr>
              <th scope="col">Officer</th>
              <th scope="col">Rule</th>
              <th scope="col">Due date</th>
              <th scope="col">On the day it was sent</th>
            </tr>
          </thead>
          <tbody>
            {notice.items.map((item) => (
              <tr>
                <th scope="row">
                  <a href={officerUrl(item.officerId)}>{props.names.get(item.officerId) ?? item.officerId}</a>
                </th>
                <td>{item.rule}</td>
                <td>{dateWords(item.dueDate)}</td>
                <td>{daysLeftWords(item.daysLeft)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
