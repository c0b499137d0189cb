/**
 * Page: an officer's record at /officers/:officerId (docs/reference.md#get-officersofficerid): the
 * status on "As of" as known at "Known at", with restricted duties; every finding with its rule,
 * citation, outcome, due date, explanation and links to the events it rests on; the status
 * intervals drawn as a bar; the timeline of events (retracted ones struck through, with who
 * retracted them, when and why); and, for the roles that may read the history, "what changed
 * between two instants" (/officers/:officerId/changes). Read through the QueryBus with the API's
 * own queries.
 */
import { Controller, Get, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import type { Role } from '../../../events/access';
import { ID_PATTERN } from '../../../events/streams';
import { Public } from '../../auth/roles.decorator';
import { GetCertificateFileQuery, sendCertificate, type CertificateFileView } from '../../officers/file-certificate';
import { GetOfficerChangesQuery, type OfficerChangesView } from '../../officers/officer-changes';
import { GetOfficerHistoryQuery, type OfficerHistoryView } from '../../officers/officer-history';
import { GetOfficerStatusQuery, type OfficerStatusView } from '../../officers/officer-status';
import { NotFound } from '../../write/refusals';
import { axesQuery, pageAxes, type PageAxes, officerUrl } from '../console-axes';
import { Certificates, NoticesOfOfficer, RestsOn, separationOn, Timeline } from './officer-parts';
import { GetNoticesQuery, type NoticesView } from '../../agencies/notices';
import { ConsoleGuard, ConsoleRequest, ConsoleRoles } from '../console.guard';
import { describeEvent, eventTitle } from '../event-words';
import { RuleHeader, AxesForm, axesSentence, dateInWords, instantInWords, OutcomeBadge, Page, Problems, renderPage, STATUS_WORDS, StatusBadge, type Person } from '../layout';
import { RECORD_FORMS } from '../record-forms';
import { StatusBar } from '../status-bar';
import { knownAtFromText } from '../time-words';
import { INSTANT_FORMS } from '../../common/dates';

/**
 * The roles that may read an officer's history
 * (docs/reference.md#get-apiagenciesagencyidofficersofficeridhistory), and so the timeline and the
 * changes.
 */
const HISTORY_ROLES: Role[] = ['admin', 'auditor', 'investigator'];

function officerId(raw: string): string {
  if (!ID_PATTERN.test(raw)) throw new NotFound([`There is no officer with the ID "${raw.slice(0, 64)}".`]);
  return raw;
}

@Controller('officers')
@Public()
@UseGuards(ConsoleGuard)
export class OfficerPageController {
  constructor(private readonly queries: QueryBus) {}

  /** The investigator's lookup form (?officerId=) goes to the record's own address. */
  @Get()
  @ConsoleRoles('admin', 'auditor', 'chief', 'investigator')
  lookup(@Query('officerId') id: unknown, @Res() response: Response): void {
    const raw = typeof id === 'string' ? id.trim() : '';
    response.redirect(303, raw ? officerUrl(raw) : '/');
  }

  @Get(':officerId')
  @ConsoleRoles('admin', 'auditor', 'chief', 'investigator')
  async record(@Req() request: ConsoleRequest, @Param('officerId') raw: string, @Query() query: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const person = request.person!;
    const id = officerId(raw);
    let axes = pageAxes(query);
    let status: OfficerStatusView;
    try {
      status = await this.queries.execute(new GetOfficerStatusQuery(person.agencyId, id, axes.axes));
    } catch (error) {
      // "Known at" before the officer was registered: not a dead end, but the record as it stands
      // now, with a sentence saying when the officer entered the records (docs/decisions.md W36).
      if (!(error instanceof NotFound)) throw error;
      // The API's message names an ISO instant; a person is told plainly that there is no such officer.
      const unknown = new NotFound([`There is no officer with the ID "${id}" in the records of your agency.`]);
      const now: OfficerHistoryView | undefined = await this.queries.execute(new GetOfficerHistoryQuery(person.agencyId, id, new Date().toISOString())).catch((e: unknown) => {
        if (e instanceof NotFound) return undefined;
        throw e;
      });
      const registered = now?.events.find((e) => e.type === 'OfficerRegistered');
      if (!now || axes.live || !registered) throw unknown;
      const asked = axes.axes.knownAt;
      axes = pageAxes({ asOf: axes.axes.asOf });
      axes.problems.push(
        `Known at: as the records stood at ${instantInWords(asked, { seconds: true })}, ${now.name} (${id}) was not registered yet; ` +
          `the registration was recorded at ${instantInWords(registered.recordedAt, { seconds: true })}. Showing the records as they stand now instead.`,
      );
      status = await this.queries.execute(new GetOfficerStatusQuery(person.agencyId, id, axes.axes));
    }
    // Every role reads the officer's events: the chief too, for the name, the facts the findings
    // rest on and the certificates on file; the timeline stays with the history route's roles.
    const history: OfficerHistoryView = await this.queries.execute(new GetOfficerHistoryQuery(person.agencyId, id, axes.axes.knownAt));
    // Who was told of this officer's deadlines, by e-mail, and whether they acknowledged (docs/console.md).
    const notices: NoticesView = await this.queries.execute(new GetNoticesQuery(person.agencyId, { officerId: id }));
    const notice = request.session!.notice;
    request.session!.notice = undefined;
    response.type('html').send(renderPage(<OfficerRecord person={person} csrf={request.session!.csrf} status={status} history={history} axes={axes} notice={notice} notices={notices} />));
  }

  /** A stored certificate PDF (the API's query: checked against its recorded SHA-256, refused if altered). */
  @Get(':officerId/certificates/:trainingId')
  @ConsoleRoles('admin', 'chief', 'investigator')
  async certificate(@Req() request: ConsoleRequest, @Param('officerId') raw: string, @Param('trainingId') trainingId: string, @Res() response: Response): Promise<void> {
    const id = officerId(raw);
    if (!ID_PATTERN.test(trainingId)) throw new NotFound([`There is no training with the ID "${trainingId.slice(0, 64)}".`]);
    const view: CertificateFileView = await this.queries.execute(new GetCertificateFileQuery(request.person!.agencyId, id, trainingId));
    sendCertificate(response, view);
  }

  @Get(':officerId/changes')
  @ConsoleRoles(...HISTORY_ROLES)
  async changes(@Req() request: ConsoleRequest, @Param('officerId') raw: string, @Query() query: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const person = request.person!;
    const id = officerId(raw);
    const axes = pageAxes({ asOf: query.asOf });
    const fromText = typeof query.from === 'string' ? query.from.trim() : '';
    const toText = typeof query.to === 'string' ? query.to.trim() : '';
    const problems: string[] = [...axes.problems];
    const now = new Date().toISOString();
    let from = knownAtFromText(fromText);
    let to = toText ? knownAtFromText(toText) : now;
    if (!from) problems.push(`From: write ${INSTANT_FORMS}`);
    if (!to) problems.push(`To: write ${INSTANT_FORMS}, or leave it empty for now`);
    let swapped = false;
    if (from && to && toText && from > to) {
      // Not a dead end: the question is the same with the two moments in order (docs/decisions.md W36).
      [from, to] = [to, from];
      swapped = true;
    }
    if (from && from > now) problems.push(`From: ${instantInWords(from)} is still to come; the records are known only up to now (${instantInWords(now)})`);
    let view: OfficerChangesView | undefined;
    let history: OfficerHistoryView | undefined;
    let name = id;
    if (problems.length === 0) {
      const found: OfficerChangesView = await this.queries.execute(new GetOfficerChangesQuery(person.agencyId, id, axes.axes.asOf, from!, to! > now ? now : to!));
      view = found;
      history = await this.queries.execute(new GetOfficerHistoryQuery(person.agencyId, id, found.to));
      name = history!.name;
    }
    response
      .status(problems.length ? 400 : 200)
      .type('html')
      .send(
        renderPage(
          <ChangesPage
            person={person}
            csrf={request.session!.csrf}
            officerId={id}
            name={name}
            view={view}
            history={history}
            fromText={swapped ? toText : fromText}
            toText={swapped ? fromText : toText}
            swapped={swapped}
            asOf={axes.axes.asOf}
            problems={problems}
          />,
        ),
      );
  }
}

function OfficerRecord(props: { person: Person; csrf: string; status: OfficerStatusView; history: OfficerHistoryView; axes: PageAxes; notice?: string; notices: NoticesView }) {
  const { status, history, axes } = props;
  const events = history.events;
  const byId = new Map(events.map((e) => [e.eventId, e]));
  const name = history.name || status.officerId;
  const self = officerUrl(status.officerId);
  const timeline = HISTORY_ROLES.includes(props.person.role);
  const separation = separationOn(events, status.asOf);
  return (
    <Page title={`${name}: officer record`} person={props.person} csrf={props.csrf} notice={props.notice}>
      <p class="crumbs">
        <a href={`/${axesQuery(status.asOf, axes.knownAtText)}`}>Dashboard</a> › Officer record
      </p>
      <h1>
        {name} <span class="id">({status.officerId})</span>
      </h1>
      <p class="sentence" id="axes-sentence">
        {axesSentence(status.asOf, status.knownAt, axes.live)}
      </p>
      <AxesForm action={self} asOf={status.asOf} knownAtText={axes.knownAtText} problems={axes.problems} />

      {props.person.role === 'admin' && (
        <nav aria-label="Record for this officer" class="no-print">
          <ul class="actions-list">
            {RECORD_FORMS.filter((f) => f.scope === 'officer').map((f) => (
              <li>
                <a href={`${self}/records/${f.id}`}>{f.title}</a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <section aria-labelledby="status-heading">
        <h2 id="status-heading">Status</h2>
        <p class="status-line">
          <StatusBadge status={status.status} restrictedDuties={status.restrictedDuties} />
          {separation && (
            <span class="separated" data-separated-on={separation.separatedOn}>
              {' '}
              Separated on {dateInWords(separation.separatedOn)} ({separation.reason === 'ENTERED_IN_ERROR' ? 'registered by mistake' : 'left the agency'}): off the active roster from that day.
            </span>
          )}
        </p>
        {status.restrictedDuties.length > 0 && (
          <>
            <h3>Restricted duties</h3>
            <ul>
              {status.restrictedDuties.map((r) => (
                <li>{r}</li>
              ))}
            </ul>
          </>
        )}
      </section>

      <section aria-labelledby="findings-heading">
        <h2 id="findings-heading">Findings</h2>
        <table class="findings">
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">Outcome</th>
              <th scope="col">Due date</th>
              <th scope="col">Explanation</th>
              <th scope="col">Rests on</th>
            </tr>
          </thead>
          <tbody>
            {status.findings.map((f) => (
              <tr data-rule={f.rule}>
                <RuleHeader rule={f.rule} citation={f.citation} />
                <td>
                  <OutcomeBadge outcome={f.outcome} />
                </td>
                <td>{f.dueDate ? dateInWords(f.dueDate) : '—'}</td>
                <td>{f.explanation}</td>
                <td>
                  <RestsOn evidence={f.evidence} byId={byId} timeline={timeline} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <Certificates events={events} self={self} canDownload={props.person.role !== 'auditor'} />
      <NoticesOfOfficer notices={props.notices} officerId={status.officerId} />
      {timeline ? (
        <>
          <section aria-labelledby="intervals-heading">
            <h2 id="intervals-heading">Status over time</h2>
            <p>As the records stood at {instantInWords(history.knownAt)}.</p>
            <StatusBar intervals={history.statusIntervals} asOf={status.asOf} />
            {separationOn(events, '9999-12-31') && (
              <p class="hint" data-separation-note>
                From {dateInWords(separationOn(events, '9999-12-31')!.separatedOn)} on, “Not assigned” means separated: the officer is off the active roster from that day.
              </p>
            )}
          </section>
          <section aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">Timeline of events</h2>
            <Timeline events={events} retractFrom={props.person.role === 'admin' ? self : undefined} />
          </section>
          <section aria-labelledby="changes-heading" class="no-print">
            <h2 id="changes-heading">What changed between two instants</h2>
            <p>The events recorded between two moments, and the findings on {dateInWords(status.asOf)} whose outcome they changed.</p>
            <form method="get" action={`${self}/changes`} class="inline-fields">
              <input type="hidden" name="asOf" value={status.asOf} />
              <div class="field">
                <label for="from">From (records as they stood then)</label>
                <input id="from" name="from" required placeholder="2026-03-01 17:00" />
              </div>
              <div class="field">
                <label for="to">To (empty for now)</label>
                <input id="to" name="to" placeholder="now" />
              </div>
              <button type="submit">Compare</button>
            </form>
          </section>
        </>
      ) : (
        <p class="hint">The timeline of events is shown to admins, auditors and investigators.</p>
      )}
    </Page>
  );
}

function ChangesPage(props: {
  person: Person;
  csrf: string;
  officerId: string;
  name: string;
  view?: OfficerChangesView;
  history?: OfficerHistoryView;
  fromText: string;
  toText: string;
  swapped?: boolean;
  asOf: string;
  problems: string[];
}) {
  const { view } = props;
  const known = new Map((props.history?.events ?? []).map((e) => [e.eventId, e]));
  const lookup = (id: string) => known.get(id) ?? view?.events.find((e) => e.eventId === id);
  const self = officerUrl(props.officerId);
  return (
    <Page title={`What changed: ${props.name}`} person={props.person} csrf={props.csrf}>
      <p class="crumbs">
        <a href="/">Dashboard</a> › <a href={`${self}?asOf=${props.asOf}`}>Officer record</a> › What changed
      </p>
      <h1>What changed in the record of {props.name}</h1>
      <form method="get" action={`${self}/changes`} class="inline-fields">
        <Problems messages={props.problems} />
        <div class="field">
          <label for="asOf">Status on</label>
          <input id="asOf" name="asOf" type="date" value={props.asOf} required />
        </div>
        <div class="field">
          <label for="from">From (records as they stood then)</label>
          <input id="from" name="from" required value={props.fromText} placeholder="2026-03-01 17:00" />
        </div>
        <div class="field">
          <label for="to">To (empty for now)</label>
          <input id="to" name="to" value={props.toText} placeholder="now" />
        </div>
        <button type="submit">Compare</button>
      </form>
      {view && (
        <>
          {props.swapped && (
            <p class="notice" role="status">
              From was later than To, so the two moments were taken the other way round.
            </p>
          )}
          <p class="sentence">
            Between the records as they stood at {instantInWords(view.from, { seconds: true })} and at {instantInWords(view.to, { seconds: true })}, for the status on{' '}
            {dateInWords(view.asOf)}: the status was {view.statusBefore ? STATUS_WORDS[view.statusBefore] : 'not yet recorded (the officer was not registered)'} and became{' '}
            {view.statusAfter ? STATUS_WORDS[view.statusAfter] : 'not recorded'}.
          </p>
          <section aria-labelledby="changed-findings">
            <h2 id="changed-findings">Findings that changed ({view.findings.length})</h2>
            {view.findings.length === 0 ? (
              <p>No finding changed.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Rule</th>
                    <th scope="col">Before</th>
                    <th scope="col">After</th>
                    <th scope="col">Because of</th>
                  </tr>
                </thead>
                <tbody>
                  {view.findings.map((f) => (
                    <tr data-rule={f.rule}>
                      <RuleHeader rule={f.rule} citation={f.citation} />
                      <td>{f.before ? <Outcome o={f.before} /> : 'Not yet recorded'}</td>
                      <td>{f.after ? <Outcome o={f.after} /> : 'Not recorded'}</td>
                      <td>
                        {f.causedBy.length === 0
                          ? 'An event outside the two records (see the list below)'
                          : f.causedBy.map((id, i) => {
                              const e = view.events.find((x) => x.eventId === id);
                              return (
                                <>
                                  {i > 0 && '; '}
                                  <a href={`#change-${id}`}>{e ? describeEvent(e.type, e.data, lookup) : 'a record not shown here'}</a>
                                </>
                              );
                            })}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section aria-labelledby="recorded-between">
            <h2 id="recorded-between">Events recorded in between ({view.events.length})</h2>
            {view.events.length === 0 ? (
              <p>Nothing was recorded in between.</p>
            ) : (
              <ul>
                {view.events.map((e) => (
                  <li id={`change-${e.eventId}`} data-event-id={e.eventId}>
                    {instantInWords(e.recordedAt, { seconds: true })}, by {e.recordedBy}: <strong>{eventTitle(e.type)}</strong>: {describeEvent(e.type, e.data, lookup)}
                    {e.retracted && ' (retracted later in this interval)'}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </Page>
  );
}

function Outcome({ o }: { o: { outcome: import('../../../projections').Outcome; dueDate?: string; explanation: string } }) {
  return (
    <>
      <OutcomeBadge outcome={o.outcome} />
      {o.dueDate && ` due ${dateInWords(o.dueDate)}`}
      <p class="hint">{o.explanation}</p>
    </>
  );
}
