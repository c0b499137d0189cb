/**
 * Property tests over generated event histories (fast-check):
 *  - an event recorded after knownAt never changes any answer at knownAt;
 *  - a known retraction is the same as the retracted event never having been recorded;
 *  - the status intervals agree with officerStatus on every boundary, the day before it and
 *    random days, and are maximal (neighbours differ) and contiguous;
 *  - a facts snapshot joined with the agency's facts equals the facts of the whole ledger
 *    wherever the snapshot covers knownAt, and an agency report of several officers built from
 *    snapshots equals the one built from whole ledgers (what the agency report relies on);
 *  - the pinned shape of every answer;
 *  - the agency findings and reminders (docs/reference.md#agency-findings) from snapshots equal
 *    those from whole ledgers, and an agency event recorded after knownAt never changes them.
 * The histories include contracts (recorded, amended, ended), policies with a model revision,
 * corrections of an officer's name and separations.
 * The histories have several officers (or one), equal recordedAt instants, and retractions of
 * officer and agency events; the properties that hold only under a condition count how often
 * the condition was met and require it most of the time, so that they cannot pass by not
 * reaching what they check.
 */
import * as fc from 'fast-check';
import { COURSES } from '../../events/catalogue';
import {
  AGENCY_CITATIONS,
  RULE_IDS,
  agencyObligationReminders,
  dutyStartAhead,
  agencyFactsKnownAt,
  agencyFindingsOn,
  agencyRecordsKnownAt,
  agencyRemindersOn,
  agencyStatus,
  contractRemindersFor,
  officerOnDay,
  agencyStatusFromFacts,
  compareReminders,
  factsFromSnapshot,
  factsKnownAt,
  officerFactsSnapshot,
  remindersFromFacts,
  snapshotCovers,
  statusFromFacts,
  officerHistory,
  officerStatus,
  remindersFor,
  statusIntervals,
  type Facts,
  type LedgerEvent,
  type OfficerLedger,
} from '../../projections';
import { addDays } from '../../projections/dates';
import { LATER } from './ledger-builder';

/** Where an event is recorded: the agency's stream, or an officer's. */
type Stream = 'agency' | `officer:${string}`;
interface Draft {
  stream: 'officer' | 'agency';
  type: string;
  data: Record<string, unknown>;
}

const BASE = '2024-06-01';
const day = fc.integer({ min: 0, max: 365 * 6 }).map((n) => addDays(BASE, n));
// Dates near the statute's own boundaries are drawn more often.
const boundaryDay = fc.constantFrom('2025-08-31', '2025-09-01', '2025-09-02', '2027-05-31', '2027-06-01', '2026-06-30', '2026-07-01', '2026-08-31', '2028-02-29');
const anyDay = fc.oneof({ arbitrary: day, weight: 4 }, { arbitrary: boundaryDay, weight: 1 });
const aid = fc.constantFrom('a1', 'a2', 'a3');
const tid = fc.constantFrom('t1', 't2', 't3', 't4');
const version = fc.constantFrom('v1', 'v2', 'v3');
const cid = fc.constantFrom('c1', 'c2');
const school = fc.constantFrom('S', 'T', 's');
const clause = fc.constantFrom<string | null>('§1', null);
const clauses = fc.record({ dutiesPerSubd2: clause, attire: clause, districtRoleInSelection: clause, deescalationResources: clause, publicNotification: clause, dataPractices: clause });

const draft: fc.Arbitrary<Draft[]> = fc.oneof(
  fc.record({ version, adoptedOn: anyDay, modelRevision: fc.constantFrom(undefined, '2024-06-01', '2025-10-23') }).map(({ modelRevision, ...d }) => [
    { stream: 'agency' as const, type: 'SroPolicyAdopted', data: modelRevision ? { ...d, modelRevision } : d },
  ]),
  fc.record({ contractId: cid, schools: fc.uniqueArray(school, { minLength: 1, maxLength: 2 }), effectiveFrom: anyDay, effectiveTo: fc.option(anyDay, { nil: undefined }), clauses }).map(({ effectiveTo, ...d }) => [
    { stream: 'agency' as const, type: 'SroContractRecorded', data: { ...d, district: 'ISD', ...(effectiveTo ? { effectiveTo } : {}) } },
  ]),
  fc.record({ contractId: cid, effectiveOn: anyDay, schools: fc.option(fc.uniqueArray(school, { minLength: 1, maxLength: 3 }), { nil: undefined }), effectiveTo: fc.option(anyDay, { nil: undefined }), attire: fc.option(clause, { nil: undefined }) }).map(
    ({ schools, effectiveTo, attire, ...d }) => [
      { stream: 'agency' as const, type: 'SroContractAmended', data: { ...d, ...(schools ? { schools } : {}), ...(effectiveTo ? { effectiveTo } : {}), ...(attire !== undefined ? { clauses: { attire } } : {}) } },
    ],
  ),
  fc.record({ contractId: cid, endedOn: anyDay }).map((d) => [{ stream: 'agency' as const, type: 'SroContractEnded', data: d }]),
  fc.record({ name: fc.option(fc.constantFrom('Pat A', 'Pat B'), { nil: undefined }), licenseNumber: fc.option(fc.constantFrom('L1', 'L2'), { nil: undefined }) }).map(({ name, licenseNumber }) => [
    { stream: 'officer' as const, type: 'OfficerDetailsCorrected', data: { ...(name ? { name } : {}), ...(licenseNumber ? { licenseNumber } : { name: name ?? 'Pat C' }), reason: 'typo' } },
  ]),
  fc.record({ separatedOn: anyDay, reason: fc.constantFrom('LEFT_AGENCY', 'ENTERED_IN_ERROR') }).map((d) => [{ stream: 'officer' as const, type: 'OfficerSeparated', data: d }]),
  fc.record({ assignmentId: aid, startDate: anyDay }).map((d) => [{ stream: 'officer' as const, type: 'OfficerAssigned', data: { ...d, schools: ['S'] } }]),
  fc.record({ assignmentId: aid, endDate: anyDay }).map((d) => [{ stream: 'officer' as const, type: 'AssignmentEnded', data: d }]),
  fc.record({ assignmentId: aid, declaredOn: anyDay }).map((d) => [{ stream: 'officer' as const, type: 'TrainingUnavailableDeclared', data: { ...d, reason: 'r' } }]),
  fc.record({ trainingId: tid, course: fc.constantFrom(...COURSES), completedOn: anyDay }).map((d) => [{ stream: 'officer' as const, type: 'TrainingCompleted', data: d }]),
  fc.record({ trainingId: tid, filedOn: anyDay }).map((d) => [{ stream: 'officer' as const, type: 'CertificateFiled', data: { ...d, sha256: 'x', fileName: 'c.pdf' } }]),
  fc.record({ version, reviewedOn: anyDay }).map((d) => [{ stream: 'officer' as const, type: 'PolicyReviewed', data: d }]),
  // A run of substitute days (up to 70, so that the 60th is reached), at one or two schools.
  fc.record({ from: anyDay, count: fc.integer({ min: 1, max: 70 }), step: fc.constantFrom(1, 2), twoSchools: fc.boolean() }).map(({ from, count, step, twoSchools }) =>
    Array.from({ length: count }, (_, i) => ({
      stream: 'officer' as const,
      type: 'SubstituteDayServed',
      data: { date: addDays(from, i * step), school: twoSchools && i % 3 === 0 ? 'T' : 'S' },
    })),
  ),
);

interface Recorded extends LedgerEvent {
  stream: Stream;
}

/** Time between two recordings: often the same instant (the clock's millisecond is shared), else up to five days. */
const gap = fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: fc.integer({ min: 1, max: 5 * 86_400_000 }), weight: 3 });

/**
 * An agency with 1..maxOfficers officers: each officer's stream starts with its registration
 * (recorded somewhere in the agency's history), the drafts go to the agency or to one officer,
 * recordedAt never decreases (equal instants are common), and retractions name an earlier,
 * not yet retracted event of their own stream (an officer's or the agency's), as the write side
 * allows.
 */
function agencyHistory(maxOfficers: number) {
  return fc
    .record({
      officers: fc.integer({ min: 1, max: maxOfficers }),
      drafts: fc.array(fc.record({ who: fc.nat(), events: draft }), { minLength: 1, maxLength: 14 }),
      registeredAt: fc.array(fc.nat(), { minLength: maxOfficers, maxLength: maxOfficers }),
      gaps: fc.array(gap, { minLength: 200, maxLength: 200 }),
      retractions: fc.array(fc.record({ at: fc.nat(), agency: fc.boolean(), who: fc.nat(), pick: fc.nat() }), { maxLength: 4 }),
    })
    .map(({ officers, drafts, registeredAt, gaps, retractions }) => {
      const ids = Array.from({ length: officers }, (_, k) => `o${k + 1}`);
      const steps = drafts.flatMap(({ who, events: ds }) => ds.map((d) => ({ ...d, officerId: ids[who % officers] })));
      // Each officer registers before its first event, at the latest.
      const registerAt = ids.map((id, k) => Math.min(registeredAt[k] % (steps.length + 1), ...steps.flatMap((d, i) => (d.stream === 'officer' && d.officerId === id ? [i] : []))));
      const events: Recorded[] = [];
      let t = Date.parse('2024-05-01T12:00:00.000Z');
      let g = 0;
      const push = (stream: Stream, type: string, data: unknown) => {
        t += gaps[g++ % gaps.length];
        events.push({ eventId: `e${events.length}`, type, data, recordedAt: new Date(t).toISOString(), recordedBy: 'gen', stream });
      };
      const retracted = new Set<string>();
      for (let i = 0; i <= steps.length; i++) {
        ids.forEach((id, k) => registerAt[k] === i && push(`officer:${id}`, 'OfficerRegistered', { officerId: id, name: `Officer ${id}` }));
        if (i === steps.length) break;
        const d = steps[i];
        push(d.stream === 'agency' ? 'agency' : `officer:${d.officerId}`, d.type, d.data);
        for (const r of retractions) {
          if (r.at % steps.length !== i) continue;
          const stream: Stream = r.agency ? 'agency' : `officer:${ids[r.who % officers]}`;
          const candidates = events.filter((e) => e.stream === stream && e.type !== 'OfficerRegistered' && e.type !== 'EventRetracted' && !retracted.has(e.eventId));
          if (candidates.length === 0) continue;
          const target = candidates[r.pick % candidates.length];
          retracted.add(target.eventId);
          push(stream, 'EventRetracted', { retractedEventId: target.eventId, reason: 'x' });
        }
      }
      return { officerIds: ids, events };
    });
}

/** One officer's history (its stream and the agency's). */
const history = agencyHistory(1).map(({ events }) => events);

function ledgerFor(events: Recorded[], officerId: string): OfficerLedger {
  const strip = ({ stream: _s, ...e }: Recorded): LedgerEvent => e;
  return {
    officerId,
    name: `Officer ${officerId}`,
    officerEvents: events.filter((e) => e.stream === `officer:${officerId}`).map(strip),
    agencyEvents: events.filter((e) => e.stream === 'agency').map(strip),
  };
}

const ledgerOf = (events: Recorded[]): OfficerLedger => ledgerFor(events, 'o1');

const at = (e: { recordedAt: string }) => Date.parse(e.recordedAt);

/** An instant written in Minnesota winter time (-06:00), as a client might send it. */
function chicagoIso(ms: number): string {
  return new Date(ms - 6 * 3_600_000).toISOString().replace('Z', '-06:00');
}

const RUNS = Number(process.env.FC_RUNS ?? 150);

describe('properties', () => {
  it('an event recorded after knownAt never changes the answer at knownAt', () => {
    fc.assert(
      fc.property(history, fc.nat(), fc.double({ min: 0, max: 0.999, noNaN: true }), anyDay, (events, k, frac, asOf) => {
        // A knownAt from the instant of the cut-th event up to (not including) the next later
        // instant: with equal instants, every event recorded at that instant is known.
        const cut = k % (events.length + 1);
        const lastKnown = cut === 0 ? at(events[0]) - 86_400_000 : at(events[cut - 1]);
        const nextRecorded = events.map(at).find((ms) => ms > lastKnown) ?? lastKnown + 86_400_000;
        const knownAtMs = lastKnown + Math.floor(frac * (nextRecorded - lastKnown));
        const knownAt = chicagoIso(knownAtMs);
        const knownEvents = events.filter((e) => at(e) <= knownAtMs);
        expect(knownEvents).toEqual(events.slice(0, knownEvents.length)); // recordedAt never decreases: a prefix
        expect(knownEvents.length).toBeGreaterThanOrEqual(cut);
        const full = ledgerOf(events);
        const known = ledgerOf(knownEvents);
        expect(officerStatus(full, asOf, knownAt)).toEqual(officerStatus(known, asOf, knownAt));
        expect(statusIntervals(full, knownAt)).toEqual(statusIntervals(known, knownAt));
        expect(remindersFor(full, asOf, knownAt, 90)).toEqual(remindersFor(known, asOf, knownAt, 90));
        expect(officerHistory(full, knownAt)).toEqual(officerHistory(known, knownAt));
        // and the cut-off really cuts: the history at knownAt has exactly the known events
        expect(officerHistory(full, knownAt).events.length).toBe(knownEvents.length);
      }),
      { numRuns: RUNS },
    );
  });

  it('a known retraction is the same as the retracted event never recorded', () => {
    fc.assert(
      fc.property(history, anyDay, (events, asOf) => {
        const retracted = new Set(events.filter((e) => e.type === 'EventRetracted').map((e) => (e.data as { retractedEventId: string }).retractedEventId));
        const without = events.filter((e) => e.type !== 'EventRetracted' && !retracted.has(e.eventId));
        expect(officerStatus(ledgerOf(events), asOf, LATER)).toEqual(officerStatus(ledgerOf(without), asOf, LATER));
        expect(statusIntervals(ledgerOf(events), LATER)).toEqual(statusIntervals(ledgerOf(without), LATER));
      }),
      { numRuns: RUNS },
    );
  });

  it('status intervals agree with officerStatus on every boundary, the day before it and random days', () => {
    fc.assert(
      fc.property(history, fc.array(fc.integer({ min: 0, max: 365 * 10 }), { minLength: 5, maxLength: 5 }), (events, offsets) => {
        const ledger = ledgerOf(events);
        const intervals = statusIntervals(ledger, LATER);
        expect(intervals.length).toBeGreaterThan(0);
        const at = (d: string) => {
          const s = officerStatus(ledger, d, LATER);
          return { status: s.status, rules: s.findings.map((f) => ({ rule: f.rule, outcome: f.outcome })), restrictedDuties: s.restrictedDuties };
        };
        const of = (i: (typeof intervals)[number]) => ({ status: i.status, rules: i.rules, restrictedDuties: i.restrictedDuties });
        intervals.forEach((interval, n) => {
          expect(at(interval.from)).toEqual(of(interval));
          if (interval.to !== null) expect(at(interval.to)).toEqual(of(interval));
          if (n > 0) {
            const prev = intervals[n - 1];
            expect(prev.to).toBe(addDays(interval.from, -1));
            expect(at(addDays(interval.from, -1))).toEqual(of(prev));
            expect(of(prev)).not.toEqual(of(interval)); // merged: neighbours differ
          }
        });
        expect(intervals[intervals.length - 1].to).toBeNull();
        const first = intervals[0].from;
        for (const o of offsets) {
          const d = addDays(first, o);
          const interval = intervals.find((i) => i.from <= d && (i.to === null || d <= i.to))!;
          expect(at(d)).toEqual(of(interval));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('every answer has the pinned shape and a status consistent with its findings', () => {
    fc.assert(
      fc.property(history, anyDay, (events, asOf) => {
        const s = officerStatus(ledgerOf(events), asOf, LATER);
        expect(s.findings.map((f) => f.rule)).toEqual([...RULE_IDS]);
        for (const f of s.findings) if (f.outcome === 'VIOLATED' || f.outcome === 'PENDING') expect(f.dueDate).toBeDefined();
        const any = (o: string) => s.findings.some((f) => f.outcome === o);
        if (s.status === 'NON_COMPLIANT') expect(any('VIOLATED')).toBe(true);
        if (s.status === 'CONDITIONAL' || s.status === 'COMPLIANT' || s.status === 'EXEMPT') expect(any('VIOLATED')).toBe(false);
        if (s.status === 'COMPLIANT') expect(any('PENDING')).toBe(false);
        if (s.status === 'EXEMPT') expect(s.findings[6].outcome).toBe('EXEMPT');
        if (s.status === 'NOT_ASSIGNED' || asOf < '2025-09-01') expect(s.findings.every((f) => f.outcome === 'NOT_APPLICABLE')).toBe(true);
        const facts = factsKnownAt(ledgerOf(events), LATER);
        if (facts.separation && facts.separation.separatedOn <= asOf) expect(s.status).toBe('NOT_ASSIGNED');
        if (s.findings[0].outcome === 'EXEMPT' && s.status !== 'EXEMPT') {
          expect(s.findings[1].outcome !== 'NOT_APPLICABLE' || s.findings[2].outcome !== 'NOT_APPLICABLE').toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  /**
   * A knownAt for `events`: in three runs of four (`mode` 1..3) at or after `from` (an instant
   * of the history from then on, or LATER), else the instant of any event of the history.
   */
  function knownAtFor(events: Recorded[], from: number, k: number, mode: number): string {
    if (mode % 4 === 0) return chicagoIso(at(events[k % events.length]));
    const later = events.map(at).filter((ms) => ms >= from);
    const choices = [...later.map(chicagoIso), LATER];
    return choices[k % choices.length];
  }

  it('a facts snapshot with the agency facts equals the facts of the whole ledger wherever it covers knownAt', () => {
    const runs = RUNS * 2;
    const reached = { covered: 0, notCovered: 0 };
    fc.assert(
      fc.property(history, fc.nat(), fc.nat(), anyDay, (events, k, mode, asOf) => {
        const ledger = ledgerOf(events);
        const lastOfficerEvent = Math.max(...ledger.officerEvents.map(at));
        const knownAt = knownAtFor(events, lastOfficerEvent, k, mode);
        const snapshot = officerFactsSnapshot(ledger.officerId, ledger.name, ledger.officerEvents);
        expect(snapshot).not.toBeNull(); // the generator retracts within a stream
        expect(snapshot!.registeredAt).toBe(ledger.officerEvents.find((e) => e.type === 'OfficerRegistered')!.recordedAt);
        const agency = agencyFactsKnownAt(ledger.agencyEvents, knownAt);
        expect(agency.separable).toBe(true);
        const covers = snapshotCovers(snapshot!, knownAt);
        expect(covers).toBe(ledger.officerEvents.every((e) => at(e) <= Date.parse(knownAt)));
        if (!covers) {
          reached.notCovered++;
          return;
        }
        reached.covered++;
        const facts = factsFromSnapshot(snapshot!, agency);
        expect(facts).toEqual(factsKnownAt(ledger, knownAt));
        expect(statusFromFacts(facts, asOf)).toEqual(officerStatus(ledger, asOf, knownAt));
        expect(remindersFromFacts(facts, asOf, 90)).toEqual(remindersFor(ledger, asOf, knownAt, 90));
      }),
      { numRuns: runs },
    );
    // The property itself is reached in most runs, and the uncovered side is seen too.
    expect(reached.covered).toBeGreaterThanOrEqual(runs / 2);
    expect(reached.notCovered).toBeGreaterThanOrEqual(runs / 20);
  });

  it('an agency report of several officers from facts snapshots equals the report from whole ledgers, at every knownAt', () => {
    const reached = { officers: 0, covered: 0, severalOfficers: 0, agencyRetractions: 0, equalInstants: 0 };
    fc.assert(
      fc.property(agencyHistory(3), fc.nat(), fc.nat(), anyDay, ({ officerIds, events }, k, mode, asOf) => {
        const ledgers = officerIds.map((id) => ledgerFor(events, id));
        const lastOfficerEvent = Math.max(...ledgers.flatMap((l) => l.officerEvents.map(at)));
        const knownAt = knownAtFor(events, lastOfficerEvent, k, mode);
        const agency = agencyFactsKnownAt(ledgers[0].agencyEvents, knownAt);
        expect(agency.separable).toBe(true);
        // As the agency report reads them: the snapshot where it covers knownAt, else the whole ledger.
        const registeredBy = (l: OfficerLedger) => at(l.officerEvents.find((e) => e.type === 'OfficerRegistered')!) <= Date.parse(knownAt);
        const fromSnapshots: Facts[] = [];
        for (const ledger of ledgers) {
          const snapshot = officerFactsSnapshot(ledger.officerId, ledger.name, ledger.officerEvents)!;
          reached.officers++;
          if (snapshotCovers(snapshot, knownAt)) {
            reached.covered++;
            expect(factsFromSnapshot(snapshot, agency)).toEqual(factsKnownAt(ledger, knownAt));
            if (registeredBy(ledger)) fromSnapshots.push(factsFromSnapshot(snapshot, agency));
          } else if (registeredBy(ledger)) fromSnapshots.push(factsKnownAt(ledger, knownAt));
        }
        const known = ledgers.filter(registeredBy);
        expect(agencyStatusFromFacts(fromSnapshots, asOf)).toEqual(agencyStatus(known, asOf, knownAt));
        const reminders = fromSnapshots.flatMap((f) => remindersFromFacts(f, asOf, 90)).sort(compareReminders);
        expect(reminders).toEqual(known.flatMap((l) => remindersFor(l, asOf, knownAt, 90)).sort(compareReminders));
        // The agency findings and reminders, as the report and the reminders route compute them, from either source.
        const records = agencyRecordsKnownAt(ledgers[0].agencyEvents, knownAt);
        const wholeFacts = known.map((l) => factsKnownAt(l, knownAt));
        expect(agencyFindingsOn(records, fromSnapshots.map((f) => officerOnDay(f, asOf)), asOf)).toEqual(agencyFindingsOn(records, wholeFacts.map((f) => officerOnDay(f, asOf)), asOf));
        expect(fromSnapshots.flatMap((f) => contractRemindersFor(f, records, asOf, 90))).toEqual(wholeFacts.flatMap((f) => contractRemindersFor(f, records, asOf, 90)));
        const obligations = (facts: Facts[]) => agencyObligationReminders(records, facts.map((f) => officerOnDay(f, asOf)), facts.map((f) => dutyStartAhead(f, asOf, 90)), asOf, 90);
        expect(obligations(fromSnapshots)).toEqual(obligations(wholeFacts));
        // An agency event recorded after knownAt changes nothing at knownAt.
        const knownAgency = ledgers[0].agencyEvents.filter((e) => at(e) <= Date.parse(knownAt));
        expect(agencyRecordsKnownAt(knownAgency, knownAt)).toEqual(records);
        expect(agencyRemindersOn(agencyRecordsKnownAt(knownAgency, knownAt), asOf, 90)).toEqual(agencyRemindersOn(records, asOf, 90));
        // The agency findings' pinned shape: a due date on every VIOLATED finding.
        for (const f of agencyFindingsOn(records, wholeFacts.map((x) => officerOnDay(x, asOf)), asOf)) if (f.outcome === 'VIOLATED') expect(f.dueDate).toBeDefined();
        if (officerIds.length > 1) reached.severalOfficers++;
        if (events.some((e) => e.stream === 'agency' && e.type === 'EventRetracted')) reached.agencyRetractions++;
        if (events.some((e, i) => i > 0 && e.recordedAt === events[i - 1].recordedAt)) reached.equalInstants++;
      }),
      { numRuns: RUNS * 2 },
    );
    // What the generator is for is generated: snapshots that cover, several officers, agency retractions, equal instants.
    expect(reached.covered).toBeGreaterThanOrEqual(reached.officers / 2);
    expect(reached.severalOfficers).toBeGreaterThanOrEqual(RUNS / 2);
    expect(reached.agencyRetractions).toBeGreaterThanOrEqual(RUNS / 20);
    expect(reached.equalInstants).toBeGreaterThanOrEqual(RUNS / 2);
  });

  it('a retraction naming an event of the other stream gives no snapshot (the whole ledger is used)', () => {
    const at = (n: number) => new Date(Date.parse('2025-01-01T00:00:00Z') + n * 1000).toISOString();
    const policy = { eventId: 'p1', type: 'SroPolicyAdopted', data: { version: 'v1', adoptedOn: '2025-01-01' }, recordedAt: at(1), recordedBy: 't' };
    const review = { eventId: 'r1', type: 'PolicyReviewed', data: { version: 'v1', reviewedOn: '2025-01-02' }, recordedAt: at(2), recordedBy: 't' };
    const crossOfficer = { eventId: 'x1', type: 'EventRetracted', data: { retractedEventId: 'p1', reason: 'x' }, recordedAt: at(3), recordedBy: 't' };
    const crossAgency = { eventId: 'x2', type: 'EventRetracted', data: { retractedEventId: 'r1', reason: 'x' }, recordedAt: at(4), recordedBy: 't' };
    expect(officerFactsSnapshot('o1', 'O', [review, crossOfficer])).toBeNull();
    expect(officerFactsSnapshot('o1', 'O', [review])).not.toBeNull();
    expect(agencyFactsKnownAt([policy, crossAgency], LATER).separable).toBe(false);
    expect(agencyFactsKnownAt([policy, crossAgency], at(3)).separable).toBe(true); // not yet known
  });
});

describe('one citation per rule and case (docs/decisions.md W33)', () => {
  it('every reminder cites what its rule’s finding cites, in the item and in its message', () => {
    const reached = { officerItems: 0, agencyItems: 0, policyReviews: 0 };
    fc.assert(
      fc.property(agencyHistory(2), fc.array(anyDay, { minLength: 4, maxLength: 4 }), ({ officerIds, events }, days) => {
        for (const asOf of days) check(officerIds.map((id) => ledgerFor(events, id)), asOf);
      }),
      { numRuns: RUNS },
    );
    function check(ledgers: OfficerLedger[], asOf: string): void {
      const records = agencyRecordsKnownAt(ledgers[0].agencyEvents, LATER);
      const facts = ledgers.map((l) => factsKnownAt(l, LATER));
      for (const f of facts) {
        for (const r of remindersFromFacts(f, asOf, 365)) {
          // An item about a duty that starts later comes from the finding on that day (its due date); every other from the finding on asOf.
          const upcoming = r.dueDate > asOf && (r.kind === 'TRAINING_MISSING' || r.kind === 'POLICY_REVIEW_MISSING');
          const finding = statusFromFacts(f, upcoming ? r.dueDate : asOf).findings.find((x) => x.rule === r.rule)!;
          expect([r.kind, r.citation]).toEqual([r.kind, finding.citation]);
          expect(r.message.endsWith(`(${finding.citation})`)).toBe(true);
          expect([r.scope, r.officerId, r.subject]).toEqual(['OFFICER', f.officerId, `${f.name} (${f.officerId})`]);
          reached.officerItems++;
          if (r.rule === 'POLICY_REVIEW_BEFORE_DUTY') reached.policyReviews++;
        }
      }
      const onDay = facts.map((f) => officerOnDay(f, asOf));
      const agencyCitations = new Map(agencyFindingsOn(records, onDay, asOf).map((x) => [x.rule, x.citation]));
      const agencyItems = [
        ...agencyRemindersOn(records, asOf, 365),
        ...facts.flatMap((f) => contractRemindersFor(f, records, asOf, 365)),
        ...agencyObligationReminders(records, onDay, facts.map((f) => dutyStartAhead(f, asOf, 365)), asOf, 365),
      ];
      for (const r of agencyItems) {
        expect(r.citation).toBe(AGENCY_CITATIONS[r.rule]);
        if (agencyCitations.has(r.rule)) expect(r.citation).toBe(agencyCitations.get(r.rule));
        expect(r.message.endsWith(`(${r.citation})`)).toBe(true);
        expect(r.scope).toBe('AGENCY');
        reached.agencyItems++;
      }
    }
    expect(reached.officerItems).toBeGreaterThanOrEqual(RUNS / 2);
    expect(reached.policyReviews).toBeGreaterThanOrEqual(RUNS / 10);
    expect(reached.agencyItems).toBeGreaterThanOrEqual(RUNS / 2);
  });
});
