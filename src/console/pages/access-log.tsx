/**
 * Page: who read what, at /access-log (docs/reference.md#get-access-log; docs/decisions.md W28),
 * for admins and investigators: the agency's access log newest first (GetAccessLogQuery, the API's
 * own route's query), filtered by officer and by a time range. Reached by URL (and from
 * docs/console.md); reading it is not itself recorded.
 */
import { Accounts } from '../../auth/accounts';
import { Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { GetAccessLogQuery, type AccessLogView } from '../../access-log/access-log.controller';
import type { AccessEntry } from '../../access-log/access-log-store';
import { instantFromText } from '../../common/dates';
import { ID_PATTERN } from '../../../events/streams';
import { Refusal } from '../../write/refusals';
import { ConsoleRequest } from '../console.guard';
import { ConsoleController, ConsolePage } from '../console-page';
import { Page, Problems, renderPage, type Person } from '../layout';
import { instantInWords } from '../time-words';

const KIND_WORDS: Record<string, string> = {
  'officer-status': 'status',
  'officer-history': 'history',
  'officer-changes': 'what changed',
  'agency-status': 'agency report',
  'officer-list': 'officer list',
  reminders: 'reminders',
  notices: 'reminder notices',
  'evidence-packet': 'evidence packet',
};

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

@ConsoleController('access-log')
export class AccessLogPageController {
  constructor(
    private readonly queries: QueryBus,
    private readonly accounts: Accounts,
  ) {}

  @ConsolePage({ roles: ['admin', 'investigator'], nav: { href: '/access-log', label: 'Who read what', order: 4 } })
  async page(@Req() request: ConsoleRequest, @Query() query: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const person = request.person!;
    const filter = { officerId: text(query.officerId), person: text(query.person), from: text(query.from), to: text(query.to) };
    // The agency's people, for "Person" (their reads and their sign-ins, docs/decisions.md W60).
    const people = (await this.accounts.list(person.agencyId)).map((a) => ({ userId: a.userId, label: `${a.name} <${a.email}>` })).sort((a, b) => a.label.localeCompare(b.label, 'en-US'));
    const problems: string[] = [];
    if (filter.officerId && !ID_PATTERN.test(filter.officerId)) problems.push('Officer ID: 1-64 letters, digits, ".", "_" or "-"');
    if (filter.person && !people.some((p) => p.userId === filter.person)) problems.push('Person: choose a person of this agency');
    // Instants as people type them (src/common/dates.ts): a date alone is the start of that day in From, its end in To.
    const from = filter.from ? instantFromText(filter.from, { dateAlone: 'start' }) : undefined;
    const to = filter.to ? instantFromText(filter.to) : undefined;
    if (filter.from && !from) problems.push('From: an ISO instant with a time zone, e.g. 2026-03-01T00:00:00-06:00, or Minnesota time as 3/1/2026 8:00 AM or 2026-03-01 08:00; a date alone is the start of that day');
    if (filter.to && !to) problems.push('To: an ISO instant with a time zone, e.g. 2026-03-31T23:59:59-05:00, or Minnesota time as 3/31/2026 5:00 PM or 2026-03-31 17:00; a date alone is the end of that day');
    let view: AccessLogView | undefined;
    if (problems.length === 0) {
      try {
        view = await this.queries.execute(new GetAccessLogQuery(person.agencyId, { officerId: filter.officerId || undefined, principalId: filter.person || undefined, from, to }));
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        problems.push(...error.messages);
      }
    }
    response
      .status(problems.length ? 400 : 200)
      .type('html')
      .send(renderPage(<AccessLogPage person={person} csrf={request.session!.csrf} view={view} filter={filter} people={people} problems={problems} />));
  }
}

function what(entry: AccessEntry): string {
  if (entry.kind === 'sign-in') return 'Signed in';
  if (entry.kind === 'sign-in-refused') return 'Sign-in refused';
  const kind = KIND_WORDS[entry.kind] ?? entry.kind;
  return entry.officerId ? `${kind} of ${entry.officerId}` : `${kind} (${entry.officerCount ?? 0} officer${entry.officerCount === 1 ? '' : 's'})`;
}

function AccessLogPage(props: { person: Person; csrf: string; view?: AccessLogView; filter: { officerId: string; person: string; from: string; to: string }; people: { userId: string; label: string }[]; problems: string[] }) {
  const { view, filter } = props;
  return (
    <Page title="Access log" person={props.person} csrf={props.csrf} current="/access-log">
      <h1>Who read what</h1>
      <p class="sentence">
        Every read of officer data (a status, a history, what changed, the agency report, the officer list, the reminders), over the console, the API and the command line, newest first.
        Entries are written once a second. Each sign-in to the console, accepted or refused, is listed too.
      </p>
      <form method="get" action="/access-log" class="inline-fields" aria-label="Filter the access log">
        <Problems messages={props.problems} />
        <div class="field">
          <label for="officerId">Officer ID</label>
          <input id="officerId" name="officerId" value={filter.officerId} />
        </div>
        <div class="field">
          <label for="person">Person</label>
          <select id="person" name="person">
            <option value="">Everyone</option>
            {props.people.map((p) => (
              <option value={p.userId} selected={p.userId === filter.person}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="from">From</label>
          <input id="from" name="from" value={filter.from} placeholder="3/1/2026 or 2026-03-01 08:00" />
        </div>
        <div class="field">
          <label for="to">To</label>
          <input id="to" name="to" value={filter.to} placeholder="3/31/2026 or 2026-03-31 17:00" />
        </div>
        <button type="submit">Show</button>
      </form>
      {view && view.entries.length === 0 && <p>No reads recorded{filter.officerId ? ` of ${filter.officerId}` : ''} in this range.</p>}
      {view && view.entries.length > 0 && (
        <>
          {view.truncated && <p class="hint">Only the newest {view.entries.length} are shown: narrow the range to see older ones.</p>}
          <table class="access-log">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Where</th>
              </tr>
            </thead>
            <tbody>
              {view.entries.map((e) => (
                <tr data-officer-id={e.officerId ?? undefined} data-kind={e.kind}>
                  <td>{instantInWords(e.at, { seconds: true })}</td>
                  <td>
                    {e.principal.name} ({e.principal.kind === 'token' ? `token, ${e.principal.role}` : e.principal.kind === 'cli' ? 'command line' : e.principal.role})
                  </td>
                  <td>{what(e)}</td>
                  <td>
                    <code>{e.route}</code> {e.format}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Page>
  );
}
