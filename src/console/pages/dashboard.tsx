/**
 * Page: the agency dashboard at / (docs/reference.md#web-console, its "GET /"): counts by status,
 * the officer table (name, status, the violated and pending findings with due dates, the next due
 * date), filter by status, search by name, sort, paging on the server, and a CSV of exactly the
 * rows the filter selects, in the order shown. Read through the QueryBus (GetAgencyStatusQuery, the
 * API's own query). An investigator, who may not read the agency report
 * (docs/reference.md#get-apiagenciesagencyidstatus), gets a home page that finds an officer by id
 * instead.
 */
import { Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { STATUSES, type Finding, type Status } from '../../../projections';
import { GetAgencyStatusQuery, type AgencyStatusView } from '../../agencies/agency-status';
import { toCsv } from '../../common/csv';
import { ListOfficersQuery, type OfficerListView } from '../../officers/list-officers';
import { axesQuery, pageAxes, type PageAxes, officerUrl } from '../console-axes';
import { ConsoleRequest } from '../console.guard';
import { ConsoleController, ConsolePage } from '../console-page';
import { RECORD_FORMS } from '../record-forms';
import { RuleHeader, AxesForm, axesSentence, dateInWords, OutcomeBadge, Page, renderPage, STATUS_WORDS, StatusBadge, type Person } from '../layout';

export const PAGE_SIZE = 50;
/** "1 officer", "2 officers" (docs/decisions.md W36). */
const officersInWords = (n: number): string => `${n} officer${n === 1 ? '' : 's'}`;

const SORTS = { name: 'Name', status: 'Status (most urgent first)', due: 'Next due date' } as const;
type Sort = keyof typeof SORTS;
const SEVERITY: Record<Status, number> = { NON_COMPLIANT: 0, CONDITIONAL: 1, COMPLIANT: 2, EXEMPT: 3, NOT_ASSIGNED: 4 };

type Row = AgencyStatusView['officers'][number] & { open: Finding[]; nextDue?: string };

const openFindings = (findings: Finding[]): Finding[] => findings.filter((f) => f.outcome === 'VIOLATED' || f.outcome === 'PENDING');

/** The earliest due date on or after asOf among the findings (a deadline still ahead). */
const nextDueOf = (findings: Finding[], asOf: string): string | undefined =>
  findings
    .map((f) => f.dueDate)
    .filter((d): d is string => d !== undefined && d >= asOf)
    .sort()[0];

export interface DashboardQuery {
  status?: Status;
  q: string;
  sort: Sort;
  page: number;
}

export function dashboardQuery(query: Record<string, unknown>): DashboardQuery {
  const status = (STATUSES as readonly string[]).includes(String(query.status)) ? (query.status as Status) : undefined;
  const q = typeof query.q === 'string' ? query.q.trim().slice(0, 100) : '';
  const sort = typeof query.sort === 'string' && query.sort in SORTS ? (query.sort as Sort) : 'name';
  const page = typeof query.page === 'string' && /^[1-9]\d{0,6}$/.test(query.page) ? Number(query.page) : 1;
  return { status, q, sort, page };
}

/** The rows the filter selects, in the chosen order. */
export function selectRows(view: AgencyStatusView, query: DashboardQuery): Row[] {
  const needle = query.q.toLocaleLowerCase('en-US');
  const rows: Row[] = [];
  for (const officer of view.officers) {
    if (query.status && officer.status !== query.status) continue;
    if (needle && !officer.name.toLocaleLowerCase('en-US').includes(needle) && !officer.officerId.toLowerCase().includes(needle)) continue;
    rows.push({ ...officer, open: openFindings(officer.findings), nextDue: nextDueOf(officer.findings, view.asOf) });
  }
  const byName = (a: Row, b: Row) => a.name.localeCompare(b.name, 'en-US') || a.officerId.localeCompare(b.officerId);
  if (query.sort === 'status') rows.sort((a, b) => SEVERITY[a.status] - SEVERITY[b.status] || byName(a, b));
  else if (query.sort === 'due') rows.sort((a, b) => (a.nextDue ?? '9999').localeCompare(b.nextDue ?? '9999') || byName(a, b));
  else rows.sort(byName);
  return rows;
}

const findingText = (f: Finding, asOf: string): string =>
  `${f.rule.replace(/_/g, ' ').toLowerCase()}: ${f.outcome === 'VIOLATED' ? 'violated' : 'pending'}${f.dueDate ? `, due ${dateInWords(f.dueDate)}${f.dueDate < asOf ? ' (overdue)' : ''}` : ''}`;

export function dashboardCsv(view: AgencyStatusView, rows: Row[]): string {
  const header = ['officerId', 'name', 'status', 'violatedAndPending', 'nextDueDate', 'asOf', 'knownAt'];
  const lines = rows.map((r) => [r.officerId, r.name, r.status, r.open.map((f) => `${f.rule} ${f.outcome}${f.dueDate ? ` due ${f.dueDate}` : ''} (${f.citation})`).join('; '), r.nextDue ?? '', view.asOf, view.knownAt]);
  return toCsv(header, lines);
}

@ConsoleController()
export class DashboardController {
  constructor(private readonly queries: QueryBus) {}

  @ConsolePage({ roles: ['admin', 'auditor', 'chief', 'investigator'], nav: { href: '/', label: 'Dashboard', labelFor: { investigator: 'Home' }, order: 1 } })
  async dashboard(@Req() request: ConsoleRequest, @Query() query: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const person = request.person!;
    const notice = request.session!.notice;
    request.session!.notice = undefined;
    const axes = pageAxes(query);
    if (person.role === 'investigator') {
      const q = typeof query.q === 'string' && query.q.trim() ? query.q.trim().slice(0, 200) : null;
      const list: OfficerListView = await this.queries.execute(new ListOfficersQuery(person.agencyId, axes.axes, q, 1));
      response.type('html').send(renderPage(<InvestigatorHome person={person} csrf={request.session!.csrf} notice={notice} list={list} q={q ?? ''} />));
      return;
    }
    const view: AgencyStatusView = await this.queries.execute(new GetAgencyStatusQuery(person.agencyId, axes.axes));
    const filter = dashboardQuery(query);
    const rows = selectRows(view, filter);
    if (query.format === 'csv') {
      response
        .type('text/csv')
        .setHeader('Content-Disposition', `attachment; filename="${person.agencyId}-dashboard-${view.asOf}.csv"`)
        .send(dashboardCsv(view, rows));
      return;
    }
    response.type('html').send(renderPage(<Dashboard person={person} csrf={request.session!.csrf} notice={notice} view={view} rows={rows} filter={filter} axes={axes} />));
  }
}

function Dashboard(props: { person: Person; csrf: string; notice?: string; view: AgencyStatusView; rows: Row[]; filter: DashboardQuery; axes: PageAxes }) {
  const { view, rows, filter, axes } = props;
  const asOfParam = query(axes, {});
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const page = Math.min(filter.page, pages);
  const shown = rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  const keep = { status: filter.status, q: filter.q || undefined, sort: filter.sort === 'name' ? undefined : filter.sort };
  const link = (more: Record<string, string | number | undefined>) => `/${query(axes, { ...keep, ...more })}`;
  const total = view.officers.length;
  return (
    <Page title="Dashboard" person={props.person} csrf={props.csrf} current="/" notice={props.notice}>
      <h1>Agency dashboard</h1>
      <p class="sentence" id="axes-sentence">
        {axesSentence(view.asOf, view.knownAt, axes.live)}
      </p>
      <AxesForm action="/" asOf={view.asOf} knownAtText={axes.knownAtText} keep={keep} problems={axes.problems} />

      {props.person.role === 'admin' && (
        <nav aria-label="Record" class="no-print">
          <ul class="actions-list">
            {RECORD_FORMS.filter((f) => f.scope === 'agency').map((f) => (
              <li>
                <a href={`/records/${f.id}`}>{f.title}</a>
              </li>
            ))}
            <li>
              <a href="/import">Import a CSV file</a>
            </li>
          </ul>
        </nav>
      )}
      <section aria-labelledby="counts-heading">
        <h2 id="counts-heading">Officers by status ({total} in all)</h2>
        <ul class="counts">
          {STATUSES.map((s) => (
            <li>
              <a href={link({ status: s, page: undefined })} data-status-count={s}>
                <StatusBadge status={s} /> <span class="count">{view.counts[s]}</span>
              </a>
            </li>
          ))}
        </ul>
      </section>

      {view.agencyFindings && view.agencyFindings.length > 0 && (
        <section aria-labelledby="agency-findings-heading">
          <h2 id="agency-findings-heading">The agency’s own obligations</h2>
          <table class="findings">
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col">Outcome</th>
                <th scope="col">Due date</th>
                <th scope="col">Explanation</th>
              </tr>
            </thead>
            <tbody>
              {view.agencyFindings.map((f) => (
                <tr data-rule={f.rule}>
                  <RuleHeader rule={f.rule} citation={f.citation} detail={f.contractId ? ` (contract ${f.contractId})` : undefined} />
                  <td>
                    <OutcomeBadge outcome={f.outcome} />
                  </td>
                  <td>{f.dueDate ? dateInWords(f.dueDate) : '—'}</td>
                  <td>{f.explanation}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      <section aria-labelledby="officers-heading">
        <h2 id="officers-heading">Officers</h2>
        <form method="get" action="/" class="filters" aria-label="Filter the officers">
          {axes.axes.asOf && <input type="hidden" name="asOf" value={view.asOf} />}
          {axes.knownAtText && <input type="hidden" name="knownAt" value={axes.knownAtText} />}
          <div class="field">
            <label for="status">Filter by status</label>
            <select id="status" name="status">
              <option value="">All statuses</option>
              {STATUSES.map((s) => (
                <option value={s} selected={filter.status === s}>
                  {STATUS_WORDS[s]}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="q">Search by name</label>
            <input id="q" name="q" type="search" value={filter.q} />
          </div>
          <div class="field">
            <label for="sort">Sort by</label>
            <select id="sort" name="sort">
              {Object.entries(SORTS).map(([value, label]) => (
                <option value={value} selected={filter.sort === value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">Apply</button>
        </form>
        <p>
          {rows.length === total ? officersInWords(total) : `${rows.length} of ${officersInWords(total)} ${rows.length === 1 ? 'matches' : 'match'}`}
          {rows.length > 0 && ` · showing ${(page - 1) * PAGE_SIZE + 1}–${(page - 1) * PAGE_SIZE + shown.length}`} ·{' '}
          <a href={link({ format: 'csv', page: undefined })} download>
            Download {rows.length === 1 ? 'this officer' : `these ${rows.length} officers`} as CSV
          </a>
        </p>
        <form method="get" action="/evidence" class="no-print">
          <input type="hidden" name="asOf" value={view.asOf} />
          <input type="hidden" name="knownAt" value={view.knownAt} />
          <p>
            <button type="submit">Download the evidence packet</button> A zip for the two times above: the report as a PDF, every record it rests on, and the signed
            proofs that let anyone check it without trusting the agency (README.txt inside says how).
          </p>
        </form>
        {shown.length === 0 ? (
          <p>{total === 0 ? 'No officers are registered yet.' : 'No officer matches this filter.'}</p>
        ) : (
          <table class="officers">
            <caption class="visually-hidden">Officers, {SORTS[filter.sort].toLowerCase()} order</caption>
            <thead>
              <tr>
                <th scope="col">Officer</th>
                <th scope="col">Status</th>
                <th scope="col">Violated and pending findings</th>
                <th scope="col">Next due date</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr data-officer-id={r.officerId}>
                  <th scope="row">
                    <a href={`${officerUrl(r.officerId)}${asOfParam}`}>{r.name}</a>
                    <span class="id">{r.officerId}</span>
                  </th>
                  <td>
                    <StatusBadge status={r.status} restrictedDuties={r.restrictedDuties} />
                  </td>
                  <td>
                    {r.open.length === 0 ? (
                      'None'
                    ) : (
                      <ul class="plain">
                        {r.open.map((f) => (
                          <li>{findingText(f, view.asOf)}</li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td>{r.nextDue ? dateInWords(r.nextDue) : 'None'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {pages > 1 && (
          <nav aria-label="Pages" class="pager">
            {page > 1 ? <a href={link({ page: page - 1 })}>Previous page</a> : <span>Previous page</span>}
            <span>
              Page {page} of {pages}
            </span>
            {page < pages ? <a href={link({ page: page + 1 })}>Next page</a> : <span>Next page</span>}
          </nav>
        )}
      </section>
    </Page>
  );
}

const query = (axes: PageAxes, more: Record<string, string | number | undefined>): string => axesQuery(axes.axes.asOf, axes.knownAtText, more);

function InvestigatorHome(props: { person: Person; csrf: string; notice?: string; list: OfficerListView; q: string }) {
  const { list } = props;
  return (
    <Page title="Home" person={props.person} csrf={props.csrf} current="/" notice={props.notice}>
      <h1>Investigator</h1>
      <p>Open an officer’s full record (status, findings, every event with who recorded it, retractions) or check the integrity of the ledger.</p>
      <form method="get" action="/officers" class="stack narrow">
        <div class="field">
          <label for="officerId">Officer ID</label>
          <input id="officerId" name="officerId" required />
        </div>
        <button type="submit">Open the record</button>
      </form>
      <h2>Officers</h2>
      <form method="get" action="/" class="inline-fields" aria-label="Search the officers">
        <div class="field">
          <label for="q">Search by name, ID or license number</label>
          <input id="q" name="q" type="search" value={props.q} />
        </div>
        <button type="submit">Search</button>
      </form>
      <p>
        {list.total} officer{list.total === 1 ? '' : 's'}
        {list.total > list.officers.length ? ` (the first ${list.officers.length} shown; search to narrow)` : ''}
      </p>
      <ul>
        {list.officers.map((o) => (
          <li data-officer-id={o.officerId}>
            <a href={officerUrl(o.officerId)}>{o.name}</a> ({o.officerId}
            {o.licenseNumber ? `, license ${o.licenseNumber}` : ''}){o.active ? '' : `: separated${o.separatedOn ? ` on ${dateInWords(o.separatedOn)}` : ''}`}
          </li>
        ))}
      </ul>
      <p>
        <a href="/integrity">Check the integrity of the ledger</a>
      </p>
      <h2>Evidence packet</h2>
      <form method="get" action="/evidence" class="axes no-print" aria-label="Evidence packet">
        <div class="field">
          <label for="evidence-asOf">As of</label>
          <input id="evidence-asOf" name="asOf" type="date" aria-describedby="evidence-asOf-hint" />
          <span id="evidence-asOf-hint" class="hint">
            The day the status is for; empty means today.
          </span>
        </div>
        <div class="field">
          <label for="evidence-knownAt">Known at</label>
          <input id="evidence-knownAt" name="knownAt" type="text" placeholder="now" autoComplete="off" aria-describedby="evidence-knownAt-hint" />
          <span id="evidence-knownAt-hint" class="hint">
            The records as they stood at this moment: Minnesota time as 2026-03-01 17:00, or an ISO instant. Empty means now.
          </span>
        </div>
        <button type="submit">Download the evidence packet</button>
      </form>
    </Page>
  );
}
