/**
 * Page: the chief's reminders at /reminders (docs/reference.md#get-reminders): what falls due,
 * overdue first and then by due date, each with the officer (or "The agency" for the agency's own
 * obligations: docs/decisions.md W33), the action to take, the citation and the days left;
 * a horizon picker; printable (the print stylesheet leaves out the menus and forms). Read through
 * the QueryBus (GetRemindersQuery, the API's own; the officers' names from GetAgencyStatusQuery).
 */
import { Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { GetAgencyStatusQuery, type AgencyStatusView } from '../../agencies/agency-status';
import { DEFAULT_HORIZON_DAYS, GetRemindersQuery, type RemindersView } from '../../agencies/reminders';
import { axesQuery, pageAxes, type PageAxes, officerUrl } from '../console-axes';
import { ConsoleRequest } from '../console.guard';
import { ConsoleController, ConsolePage } from '../console-page';
import { AxesForm, axesSentence, dateInWords, Page } from '../layout';
import { sendPage } from '../send-page';

export const HORIZONS = [30, 60, 90, 180, 365];

const daysWords = (days: number): string =>
  days < 0 ? `${-days} day${days === -1 ? '' : 's'} overdue` : days === 0 ? 'due today' : `${days} day${days === 1 ? '' : 's'} left`;

@ConsoleController('reminders')
export class RemindersPageController {
  constructor(private readonly queries: QueryBus) {}

  @ConsolePage({ roles: ['admin', 'chief'], nav: { href: '/reminders', label: 'Reminders', order: 2 } })
  async reminders(@Req() request: ConsoleRequest, @Query() query: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const person = request.person!;
    const axes = pageAxes(query);
    const horizon = HORIZONS.includes(Number(query.horizonDays)) ? Number(query.horizonDays) : DEFAULT_HORIZON_DAYS;
    const view: RemindersView = await this.queries.execute(new GetRemindersQuery(person.agencyId, axes.axes, horizon));
    const status: AgencyStatusView = await this.queries.execute(new GetAgencyStatusQuery(person.agencyId, axes.axes));
    const names = new Map(status.officers.map((o) => [o.officerId, o.name]));
    sendPage(request, response, <RemindersPage view={view} names={names} axes={axes} />);
  }
}

function RemindersPage(props: { view: RemindersView; names: Map<string, string>; axes: PageAxes }) {
  const { view, axes } = props;
  const overdue = view.items.filter((i) => i.daysLeft < 0).length;
  return (
    <Page title="Reminders" current="/reminders">
      <h1>Reminders</h1>
      <p class="sentence" id="axes-sentence">
        {axesSentence(view.asOf, view.knownAt, axes.live, 'Reminders')} Due within {view.horizonDays} days: {view.items.length} reminder{view.items.length === 1 ? '' : 's'}, {overdue} overdue.
      </p>
      <AxesForm action="/reminders" asOf={view.asOf} knownAtText={axes.knownAtText} problems={axes.problems} asOfHint="The day the reminders are counted from.">
        <div class="field">
          <label for="horizonDays">Due within</label>
          <select id="horizonDays" name="horizonDays">
            {HORIZONS.map((h) => (
              <option value={String(h)} selected={h === view.horizonDays}>
                {h} days
              </option>
            ))}
          </select>
        </div>
      </AxesForm>
      <p class="hint no-print">To print this list, use your browser’s Print command: menus and forms are left out of the printout.</p>
      {view.items.length === 0 ? (
        <p>Nothing falls due within {view.horizonDays} days of {dateInWords(view.asOf)}.</p>
      ) : (
        <table class="reminders">
          <thead>
            <tr>
              <th scope="col">Due date</th>
              <th scope="col">Days left</th>
              <th scope="col">Officer or agency</th>
              <th scope="col">Action to take</th>
              <th scope="col">Rule and citation</th>
            </tr>
          </thead>
          <tbody>
            {view.items.map((item) => (
              <tr class={item.daysLeft < 0 ? 'overdue' : undefined} data-officer-id={item.officerId ?? undefined} data-rule={item.rule} data-days-left={String(item.daysLeft)}>
                <td>{dateInWords(item.dueDate)}</td>
                <td>
                  <span class={item.daysLeft < 0 ? 'badge outcome-violated' : 'badge outcome-pending'}>{daysWords(item.daysLeft)}</span>
                </td>
                <td>
                  {item.officerId === null ? (
                    item.subject
                  ) : (
                    <a href={officerUrl(item.officerId, { asOf: view.asOf, knownAt: axes.knownAtText })}>{props.names.get(item.officerId) ?? item.officerId}</a>
                  )}
                </td>
                <td>{item.message}</td>
                <td>
                  {item.rule}
                  <span class="citation">{item.citation}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
