/**
 * The parts of an officer's record page (officer.tsx, docs/reference.md#web-console): the facts a
 * finding rests on, the certificates on file, the timeline, the separation in force. Apart from
 * the page's controller so that each file stays readable (docs/decisions.md W45).
 */
import type { NoticesView } from '../../agencies/notices';
import { type HistoryEventView } from '../../officers/officer-history';
import { COURSE_WORDS, describeEvent, eventTitle } from '../event-words';
import { dateInWords, instantInWords } from '../layout';

/** The officer's separation in force on `asOf` (not retracted), if any: the status says Not assigned, this says why. */
export function separationOn(events: HistoryEventView[], asOf: string): { separatedOn: string; reason: string } | undefined {
  const separated = events.filter((e) => e.type === 'OfficerSeparated' && !e.retracted).map((e) => e.data as { separatedOn: string; reason: string });
  return separated.find((d) => d.separatedOn <= asOf);
}

/** Substitute days beyond this many in one finding's evidence are shown as one line. */
export const GROUP_FROM = 3;

/**
 * The facts a finding rests on, in words (docs/decisions.md W36): each one's type, effective date
 * and what it says, linking to its entry in the timeline (or, for a chief, who has no timeline, to
 * the certificate on file); many substitute days are one line with their count and first and last day.
 */
export function RestsOn({ evidence, byId, timeline }: { evidence: string[]; byId: Map<string, HistoryEventView>; timeline: boolean }) {
  if (evidence.length === 0) return <>No recorded fact</>;
  const found = evidence.map((id) => ({ id, event: byId.get(id) }));
  const days = found.filter((f) => f.event?.type === 'SubstituteDayServed').map((f) => f.event!);
  const grouped = days.length >= GROUP_FROM;
  const items: preact.ComponentChildren[] = [];
  const target = (e: HistoryEventView): string | undefined => {
    if (timeline) return `#event-${e.eventId}`;
    if (e.type === 'CertificateFiled' || e.type === 'TrainingCompleted') return `#certificate-${(e.data as { trainingId: string }).trainingId}`;
    return undefined;
  };
  let groupShown = false;
  for (const { id, event } of found) {
    if (!event) {
      items.push(<li class="fact">A record not shown here (ID {id})</li>);
      continue;
    }
    if (grouped && event.type === 'SubstituteDayServed') {
      if (groupShown) continue;
      groupShown = true;
      const dates = days.map((d) => (d.data as { date: string }).date).sort();
      const schools = [...new Set(days.map((d) => (d.data as { school: string }).school))];
      const first = days.find((d) => (d.data as { date: string }).date === dates[0])!;
      items.push(
        <li class="fact" data-fact-group="SubstituteDayServed">
          {timeline ? <a href={`#event-${first.eventId}`}>{`${days.length} substitute days served`}</a> : <strong>{`${days.length} substitute days served`}</strong>}, {dateInWords(dates[0])} to {dateInWords(dates[dates.length - 1])}, at{' '}
          {schools.join(', ')}
        </li>,
      );
      continue;
    }
    const href = target(event);
    const title = eventTitle(event.type);
    items.push(
      <li class="fact" data-fact-type={event.type}>
        {href ? <a href={href}>{title}</a> : <strong>{title}</strong>}
        {event.effectiveDate ? `, ${dateInWords(event.effectiveDate)}` : ''}: {describeEvent(event.type, event.data, (x) => byId.get(x))}
      </li>,
    );
  }
  return <ul class="facts">{items}</ul>;
}

/** The course words of a training ("the Minnesota SRO basic course" → "Minnesota SRO basic course"). */
export const courseWords = (course: string | undefined): string => (course ? (COURSE_WORDS[course] ?? course).replace(/^the /, '') : 'a course no longer on record');

/** Certificates on file (docs/decisions.md W36): the chief keeps the latest one (CERTIFICATE_ON_FILE), so every role sees them; the auditor without the file. */
export function Certificates({ events, self, canDownload }: { events: HistoryEventView[]; self: string; canDownload: boolean }) {
  const filed = events.filter((e) => e.type === 'CertificateFiled' && !e.retracted);
  const trainings = new Map(
    events.filter((e) => e.type === 'TrainingCompleted' && !e.retracted).map((e) => [(e.data as { trainingId: string }).trainingId, e.data as { course: string; completedOn: string }]),
  );
  return (
    <section aria-labelledby="certificates-heading">
      <h2 id="certificates-heading">Certificates on file</h2>
      {filed.length === 0 ? (
        <p>No certificate is on file.</p>
      ) : (
        <table class="certificates">
          <thead>
            <tr>
              <th scope="col">Course</th>
              <th scope="col">Completed on</th>
              <th scope="col">File</th>
              <th scope="col">Filed on</th>
              <th scope="col">SHA-256</th>
            </tr>
          </thead>
          <tbody>
            {filed.map((e) => {
              const d = e.data as { trainingId: string; fileName: string; sha256: string; filedOn: string; fileStored?: boolean };
              const training = trainings.get(d.trainingId);
              return (
                <tr data-training-id={d.trainingId} id={`certificate-${d.trainingId}`}>
                  <td>
                    {courseWords(training?.course)}
                    <span class="id">training {d.trainingId}</span>
                  </td>
                  <td>{training ? dateInWords(training.completedOn) : '—'}</td>
                  <td>
                    {d.fileStored && canDownload ? (
                      <a href={`${self}/certificates/${encodeURIComponent(d.trainingId)}`} download>
                        {d.fileName}
                      </a>
                    ) : (
                      d.fileName
                    )}
                    {!d.fileStored && <span class="hint">Only the hash is recorded; the file is kept elsewhere.</span>}
                  </td>
                  <td>
                    {dateInWords(d.filedOn)}
                    <span class="hint">
                      recorded {instantInWords(e.recordedAt)} by {e.recordedBy}
                    </span>
                  </td>
                  <td>
                    <code class="hash">{d.sha256}</code>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

export const NOT_RETRACTABLE = new Set(['AgencyRegistered', 'OfficerRegistered', 'EventRetracted']);

export function Timeline({ events, retractFrom }: { events: HistoryEventView[]; retractFrom?: string }) {
  const byId = new Map(events.map((e) => [e.eventId, e]));
  const lookup = (id: string) => byId.get(id);
  if (events.length === 0) return <p>No events are recorded for this officer as the records stood then.</p>;
  return (
    <table class="timeline">
      <thead>
        <tr>
          <th scope="col">Recorded at</th>
          <th scope="col">Effective date</th>
          <th scope="col">Event</th>
          <th scope="col">Recorded by</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => {
          const retraction = e.retractedBy ? byId.get(e.retractedBy) : undefined;
          const reason = (retraction?.data as { reason?: string } | undefined)?.reason;
          return (
            <tr id={`event-${e.eventId}`} class={e.retracted ? 'retracted' : undefined} data-event-id={e.eventId} data-retracted={e.retracted ? 'true' : 'false'}>
              <td>{instantInWords(e.recordedAt, { seconds: true })}</td>
              <td>{e.effectiveDate ? dateInWords(e.effectiveDate) : '—'}</td>
              <td>
                {e.retracted ? (
                  <>
                    <del>
                      <strong>{eventTitle(e.type)}</strong>: {describeEvent(e.type, e.data, lookup)}
                    </del>
                    <p class="retraction">
                      Retracted{retraction ? ` by ${retraction.recordedBy}` : ''} on {e.retractedAt ? instantInWords(e.retractedAt, { seconds: true }) : 'an unknown date'}
                      {reason ? `: ${reason}` : ''}
                      {retraction && (
                        <>
                          {' '}
                          (<a href={`#event-${retraction.eventId}`}>the retraction</a>)
                        </>
                      )}
                    </p>
                  </>
                ) : (
                  <>
                    <strong>{eventTitle(e.type)}</strong>: {describeEvent(e.type, e.data, lookup)}
                    {e.type === 'EventRetracted' && byId.has(String((e.data as { retractedEventId?: string }).retractedEventId)) && (
                      <>
                        {' '}
                        (<a href={`#event-${(e.data as { retractedEventId: string }).retractedEventId}`}>the retracted record</a>)
                      </>
                    )}
                  </>
                )}
                {e.stream === 'agency' && <span class="hint"> (agency-wide)</span>}
                {retractFrom && e.stream === 'officer' && !e.retracted && !NOT_RETRACTABLE.has(e.type) && (
                  <span class="no-print">
                    {' '}
                    <a href={`${retractFrom}/records/retract?eventId=${e.eventId}`} aria-label={`Retract: ${eventTitle(e.type)} recorded ${instantInWords(e.recordedAt, { seconds: true })}`}>
                      Retract…
                    </a>
                  </span>
                )}
              </td>
              <td>{e.recordedBy}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/**
 * The reminder notices that named the officer (docs/console.md "Proof of notice"): to whom, when,
 * what they said of this officer, and whether the recipient acknowledged, each in words.
 */
export function NoticesOfOfficer({ notices, officerId }: { notices: NoticesView; officerId: string }) {
  const sent = notices.notices.filter((n) => n.type === 'SENT');
  const acknowledged = new Map(notices.notices.filter((n) => n.type === 'ACKNOWLEDGED').map((n) => [n.noticeId, n]));
  return (
    <section aria-labelledby="notices-heading" id="notices">
      <h2 id="notices-heading">Reminder notices about this officer</h2>
      {sent.length === 0 ? (
        <p>No reminder e-mail has named this officer yet.</p>
      ) : (
        <table>
          <caption>Each daily digest e-mail that named this officer, with what it said and whether its recipient acknowledged it.</caption>
          <thead>
            <tr>
              <th scope="col">Sent to</th>
              <th scope="col">When</th>
              <th scope="col">What it said</th>
              <th scope="col">Acknowledged</th>
            </tr>
          </thead>
          <tbody>
            {sent.map((n) => {
              const ack = acknowledged.get(n.noticeId);
              return (
                <tr data-notice={n.noticeId}>
                  <th scope="row">
                    {n.recipient.name} ({n.recipient.email}, {n.recipient.role})
                  </th>
                  <td>
                    <a href={`/notices/${n.noticeId}`}>{instantInWords(n.recordedAt)}</a>
                  </td>
                  <td>
                    {n.items
                      .filter((i) => i.officerId === officerId)
                      .map((i) => `${i.rule}: due ${dateInWords(i.dueDate)}, ${i.daysLeft < 0 ? `${-i.daysLeft} day${i.daysLeft === -1 ? '' : 's'} overdue` : i.daysLeft === 0 ? 'due that day' : `${i.daysLeft} day${i.daysLeft === 1 ? '' : 's'} left`}`)
                      .join('; ')}
                  </td>
                  <td data-acknowledged={ack ? 'yes' : 'no'}>{ack ? `Yes, by ${ack.by} on ${instantInWords(ack.recordedAt)}` : 'Not yet'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
