/**
 * Property tests over generated event histories (fast-check):
 *  - an event recorded after knownAt never changes any answer at knownAt;
 *  - a known retraction is the same as the retracted event never having been recorded;
 *  - the status intervals agree with officerStatus on every boundary, the day before it and
 *    random days, and are maximal (neighbours differ) and contiguous;
 *  - a facts snapshot joined with the agency's facts equals the facts of the whole ledger
 *    wherever the snapshot covers knownAt (what the agency report relies on);
 *  - the pinned shape of every answer.
 */
import * as fc from 'fast-check';
import { COURSES } from '../../events/catalogue';
import {
  RULE_IDS,
  agencyFactsKnownAt,
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
  type LedgerEvent,
  type OfficerLedger,
} from '../../projections';
import { addDays } from '../../projections/dates';
import { LATER } from './ledger-builder';

type Stream = 'officer' | 'agency';
interface Draft {
  stream: Stream;
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

const draft: fc.Arbitrary<Draft[]> = fc.oneof(
  fc.record({ version, adoptedOn: anyDay }).map((d) => [{ stream: 'agency' as const, type: 'SroPolicyAdopted', data: d }]),
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

/** Materializes drafts with ids and strictly increasing recordedAt; `retract` adds retractions of earlier events. */
const history = fc
  .record({
    drafts: fc.array(draft, { minLength: 1, maxLength: 14 }).map((xs) => xs.flat()),
    gaps: fc.array(fc.integer({ min: 1, max: 5 * 86_400_000 }), { minLength: 200, maxLength: 200 }),
    retractions: fc.array(fc.record({ target: fc.nat(), after: fc.nat() }), { maxLength: 3 }),
  })
  .map(({ drafts, gaps, retractions }) => {
    const events: Recorded[] = [];
    let t = Date.parse('2024-05-01T12:00:00.000Z');
    let g = 0;
    const push = (stream: Stream, type: string, data: unknown) => {
      t += gaps[g++ % gaps.length];
      const e: Recorded = { eventId: `e${events.length}`, type, data, recordedAt: new Date(t).toISOString(), recordedBy: 'gen', stream };
      events.push(e);
      return e;
    };
    const pending = retractions.map((r) => ({ target: r.target % drafts.length, at: Math.min(drafts.length - 1, (r.target % drafts.length) + (r.after % 5)) }));
    const retracted = new Set<number>();
    drafts.forEach((d, i) => {
      push(d.stream, d.type, d.data);
      for (const r of pending) {
        if (r.at === i && !retracted.has(r.target)) {
          retracted.add(r.target);
          push(drafts[r.target].stream, 'EventRetracted', { retractedEventId: events.find((e, j) => j >= r.target && e.type === drafts[r.target].type && e.data === drafts[r.target].data)!.eventId, reason: 'x' });
        }
      }
    });
    return events;
  });

function ledgerOf(events: Recorded[]): OfficerLedger {
  const strip = ({ stream: _s, ...e }: Recorded): LedgerEvent => e;
  return {
    officerId: 'o1',
    name: 'Gen Officer',
    officerEvents: events.filter((e) => e.stream === 'officer').map(strip),
    agencyEvents: events.filter((e) => e.stream === 'agency').map(strip),
  };
}

/** An instant written in Minnesota winter time (-06:00), as a client might send it. */
function chicagoIso(ms: number): string {
  return new Date(ms - 6 * 3_600_000).toISOString().replace('Z', '-06:00');
}

const RUNS = Number(process.env.FC_RUNS ?? 150);

describe('properties', () => {
  it('an event recorded after knownAt never changes the answer at knownAt', () => {
    fc.assert(
      fc.property(history, fc.nat(), fc.double({ min: 0, max: 0.999, noNaN: true }), anyDay, (events, k, frac, asOf) => {
        const cut = k % (events.length + 1);
        const lastKnown = cut === 0 ? Date.parse(events[0].recordedAt) - 86_400_000 : Date.parse(events[cut - 1].recordedAt);
        const nextRecorded = cut < events.length ? Date.parse(events[cut].recordedAt) : lastKnown + 86_400_000;
        const knownAt = chicagoIso(lastKnown + Math.floor(frac * (nextRecorded - lastKnown)));
        const full = ledgerOf(events);
        const known = ledgerOf(events.slice(0, cut));
        expect(officerStatus(full, asOf, knownAt)).toEqual(officerStatus(known, asOf, knownAt));
        expect(statusIntervals(full, knownAt)).toEqual(statusIntervals(known, knownAt));
        expect(remindersFor(full, asOf, knownAt, 90)).toEqual(remindersFor(known, asOf, knownAt, 90));
        expect(officerHistory(full, knownAt)).toEqual(officerHistory(known, knownAt));
        // and the cut-off really cuts: the history at knownAt has exactly the known events
        expect(officerHistory(full, knownAt).events.length).toBe(cut);
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
        if (s.findings[0].outcome === 'EXEMPT' && s.status !== 'EXEMPT') {
          expect(s.findings[1].outcome !== 'NOT_APPLICABLE' || s.findings[2].outcome !== 'NOT_APPLICABLE').toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('a facts snapshot with the agency facts equals the facts of the whole ledger wherever it covers knownAt', () => {
    fc.assert(
      fc.property(history, fc.nat(), anyDay, (events, k, asOf) => {
        const ledger = ledgerOf(events);
        const cut = k % (events.length + 1);
        const knownAt = cut === events.length ? LATER : chicagoIso(Date.parse(events[cut].recordedAt));
        const snapshot = officerFactsSnapshot(ledger.officerId, ledger.name, ledger.officerEvents);
        if (ledger.officerEvents.length === 0) return expect(snapshot).toBeNull();
        const agency = agencyFactsKnownAt(ledger.agencyEvents, knownAt);
        expect(agency.separable).toBe(true); // the generator retracts within a stream
        const covers = snapshotCovers(snapshot!, knownAt);
        expect(covers).toBe(ledger.officerEvents.every((e) => Date.parse(e.recordedAt) <= Date.parse(knownAt)));
        if (!covers) return;
        const facts = factsFromSnapshot(snapshot!, agency);
        expect(facts).toEqual(factsKnownAt(ledger, knownAt));
        expect(statusFromFacts(facts, asOf)).toEqual(officerStatus(ledger, asOf, knownAt));
        expect(remindersFromFacts(facts, asOf, 90)).toEqual(remindersFor(ledger, asOf, knownAt, 90));
      }),
      { numRuns: RUNS * 2 },
    );
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
