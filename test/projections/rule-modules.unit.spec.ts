/**
 * A rule is one file (projections/rules/*.ts; docs/decisions.md W42): each rule
 * module says when it comes into force, on which dates its outcome can change, which duties it
 * restricts and which reminders it gives, and the engine iterates RULES for all of it. Checked
 * here over generated histories:
 *  - every rule's declared candidate dates (candidateDatesOf(facts, [rule])) include every day on
 *    which its outcome changes, found by evaluating day by day; the whole answer (status, every
 *    outcome, restricted duties) changes only on candidateDates(facts); and without a rule's own
 *    changeDates some change is missed (so each declaration is needed, and the check can fail);
 *  - the reminders and restricted duties from iterating the rules equal the hand-coded ones the
 *    engine had before (kept below as the oracle, verbatim in what it computes), and each reminder's
 *    kind is one its rule declares.
 */
import * as fc from 'fast-check';
import { COURSES, type Course } from '../../events/catalogue';
import {
  AGENCY_CITATIONS,
  AGENCY_RULES,
  AGENCY_RULE_IDS,
  RULES,
  RULE_IDS,
  REMINDER_KINDS,
  agencyFindingsOn,
  agencyObligationReminders,
  agencyRecordsKnownAt,
  agencyRemindersOn,
  compareReminders,
  contractRemindersFor,
  dutyStartAhead,
  factsKnownAt,
  officerOnDay,
  remindersFromFacts,
  statusFromFacts,
  type Facts,
  type Reminder,
  type RuleId,
} from '../../projections';
import { coursesBy, coursesFor, dayContext, policyInForce } from '../../projections/context';
import { addDays, addYears, daysBetween, schoolYearLabel, type LocalDate } from '../../projections/dates';
import { courseLabel, courseList, type Training } from '../../projections/facts';
import { GRACE_RESTRICTION_UNTIL_COMPLETED, LEGACY_DEADLINE, POLICY_REREVIEW_DAYS, RESTRICTED_DUTIES, SUBSTITUTE_HEADS_UP_DAYS } from '../../projections/interpretation';
import { STATUTE_START, SUBSTITUTE_CONTACT_DAY_LIMIT } from '../../projections/law';
import { separatedBy, statusOn } from '../../projections/officer-status';
import { whenWords } from '../../projections/reminders';
import { acceptableVersions, requiredVersion } from '../../projections/rules/policy-review-before-duty';
import { candidateDates, candidateDatesOf } from '../../projections/status-intervals';
import { LATER, LedgerBuilder } from './ledger-builder';

const BASE = '2024-06-01';
const day = fc.integer({ min: 0, max: 365 * 5 }).map((n) => addDays(BASE, n));
// Dates at the statute's own boundaries are drawn more often.
const boundaryDay = fc.constantFrom('2025-08-31', '2025-09-01', '2025-09-02', '2026-02-28', '2026-03-01', '2026-06-30', '2026-07-01', '2027-05-31', '2027-06-01');
const anyDay = fc.oneof({ arbitrary: day, weight: 4 }, { arbitrary: boundaryDay, weight: 1 });
const aid = fc.constantFrom('a1', 'a2');
const tid = fc.constantFrom('t1', 't2', 't3');
const version = fc.constantFrom('v1', 'v2');

type Step = (b: LedgerBuilder) => void;
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ a: aid, d: anyDay }).map(({ a, d }): Step => (b) => b.assign(a, d)), weight: 4 },
  { arbitrary: fc.record({ a: aid, d: anyDay }).map(({ a, d }): Step => (b) => b.end(a, d)), weight: 1 },
  { arbitrary: fc.record({ a: aid, d: anyDay }).map(({ a, d }): Step => (b) => b.unavailable(a, d)), weight: 2 },
  { arbitrary: fc.record({ t: tid, c: fc.constantFrom<Course>(...COURSES), d: anyDay }).map(({ t, c, d }): Step => (b) => b.training(t, c, d)), weight: 4 },
  { arbitrary: fc.record({ t: tid, d: anyDay }).map(({ t, d }): Step => (b) => b.certificate(t, d)), weight: 2 },
  { arbitrary: fc.record({ v: version, d: anyDay }).map(({ v, d }): Step => (b) => b.policy(v, d)), weight: 2 },
  { arbitrary: fc.record({ v: version, d: anyDay }).map(({ v, d }): Step => (b) => b.review(v, d)), weight: 2 },
  // A run of substitute days (up to 70, so that the 60th is reached).
  {
    arbitrary: fc.record({ from: anyDay, count: fc.integer({ min: 1, max: 70 }), gap: fc.constantFrom(1, 2) }).map(({ from, count, gap }): Step => (b) => {
      for (let i = 0; i < count; i++) b.sub(addDays(from, i * gap));
    }),
    weight: 2,
  },
  { arbitrary: anyDay.map((d): Step => (b) => b.event('officer', 'OfficerSeparated', { separatedOn: d, reason: 'LEFT_AGENCY' })), weight: 1 },
  // The agency's records: a policy following an older model revision, contracts (some clauses missing) and their ends.
  { arbitrary: fc.record({ v: version, d: anyDay }).map(({ v, d }): Step => (b) => b.event('agency', 'SroPolicyAdopted', { version: v, adoptedOn: d, modelRevision: '2024-06-01' })), weight: 1 },
  {
    arbitrary: fc
      .record({ c: fc.constantFrom('c1', 'c2'), from: anyDay, to: fc.option(anyDay, { nil: undefined }), school: fc.constantFrom('Central High', 'North'), attire: fc.constantFrom<string | null>('§3', null), deesc: fc.constantFrom<string | null>('§5', null) })
      .map(({ c, from, to, school, attire, deesc }): Step => (b) =>
        b.event('agency', 'SroContractRecorded', {
          contractId: c,
          district: 'ISD 1',
          schools: [school],
          effectiveFrom: from,
          ...(to ? { effectiveTo: to } : {}),
          clauses: { dutiesPerSubd2: '§2', attire, districtRoleInSelection: '§4', deescalationResources: deesc, publicNotification: '§6', dataPractices: '§7' },
        }),
      ),
    weight: 2,
  },
  { arbitrary: fc.record({ c: fc.constantFrom('c1', 'c2'), d: anyDay }).map(({ c, d }): Step => (b) => b.event('agency', 'SroContractEnded', { contractId: c, endedOn: d })), weight: 1 },
);
// Some histories start from a case the random steps reach rarely: an officer with a legacy course, a policy revised during
// duty, a substitute past 50 contact days.
const start = fc.constantFrom<Step>(
  () => undefined,
  (b) => {
    b.training('old', 'SSC_BASIC', '2024-05-01');
    b.assign('a1', '2024-09-03');
  },
  (b) => {
    b.policy('v1', '2025-08-01');
    b.review('v1', '2025-08-15');
    b.assign('a1', '2025-09-02');
    b.policy('v2', '2026-01-15');
  },
  (b) => {
    for (let i = 0; i < 55; i++) b.sub(addDays('2025-09-02', i));
  },
);
const ledger = fc.tuple(start, fc.array(step, { minLength: 1, maxLength: 9 })).map(([first, steps]) => {
  const b = new LedgerBuilder();
  first(b);
  for (const s of steps) s(b);
  return b.ledger();
});
const history: fc.Arbitrary<Facts> = ledger.map((l) => factsKnownAt(l, LATER));

const RUNS = Number(process.env.FC_RUNS ?? 60);
const OWN_DATES: RuleId[] = ['TRAINING_GRACE_6_MONTHS', 'LEGACY_COURSE_2027', 'REFRESHER_3_YEARS'];

describe('a rule is one file: its candidate dates', () => {
  it('every rule comes into force on 2025-09-01, and before it every finding is NOT_APPLICABLE', () => {
    expect(RULES.map((r) => [r.id, r.inForceFrom])).toEqual(RULE_IDS.map((id) => [id, STATUTE_START]));
    const b = new LedgerBuilder();
    b.assign('a1', '2025-01-06');
    const facts = factsKnownAt(b.ledger(), LATER);
    expect(statusFromFacts(facts, addDays(STATUTE_START, -1)).findings.map((f) => f.outcome)).toEqual(RULES.map(() => 'NOT_APPLICABLE'));
    expect(candidateDates(facts)).toEqual(expect.arrayContaining([STATUTE_START, addDays(STATUTE_START, 1)]));
  });

  it('each rule declares every date on which its outcome changes (checked day by day), and needs its own dates', () => {
    const changes = Object.fromEntries(RULE_IDS.map((id) => [id, 0])) as Record<RuleId, number>;
    const missedWithoutOwn = Object.fromEntries(OWN_DATES.map((id) => [id, 0])) as Record<RuleId, number>;
    fc.assert(
      fc.property(history, (facts) => {
        const first = facts.effectiveDates.length > 0 && facts.effectiveDates[0] < STATUTE_START ? facts.effectiveDates[0] : STATUTE_START;
        const latest = [LEGACY_DEADLINE, ...facts.effectiveDates].sort().pop()!;
        const last = addDays(addYears(latest, 3), 370); // past a refresher due on the latest date, and the July 1 after it
        const own = RULES.map((r) => new Set(candidateDatesOf(facts, [r])));
        const without = RULES.map((r) => new Set(candidateDatesOf(facts, [{ ...r, changeDates: () => [] }])));
        const all = new Set(candidateDates(facts));
        const answer = (d: LocalDate) => JSON.stringify((({ status, restrictedDuties, findings }) => [status, restrictedDuties, findings.map((f) => f.outcome)])(statusFromFacts(facts, d)));
        let prev = statusFromFacts(facts, addDays(first, -1));
        let prevAnswer = answer(addDays(first, -1));
        for (let d = first; d <= last; d = addDays(d, 1)) {
          const now = statusFromFacts(facts, d);
          now.findings.forEach((f, i) => {
            if (f.outcome === prev.findings[i].outcome) return;
            changes[f.rule]++;
            // The rule's outcome changed on d: its own candidate dates must say so.
            expect([f.rule, prev.findings[i].outcome, f.outcome, d, own[i].has(d)]).toEqual([f.rule, prev.findings[i].outcome, f.outcome, d, true]);
            if (f.rule in missedWithoutOwn && !without[i].has(d)) missedWithoutOwn[f.rule]++;
          });
          const nowAnswer = answer(d);
          if (nowAnswer !== prevAnswer) expect([d, all.has(d)]).toEqual([d, true]);
          prev = now;
          prevAnswer = nowAnswer;
        }
      }),
      { numRuns: RUNS },
    );
    // Every rule's outcome changes in some histories, and a rule's own deadlines are where some changes happen.
    for (const id of RULE_IDS) expect([id, changes[id] > 0]).toEqual([id, true]);
    for (const id of OWN_DATES) expect([id, missedWithoutOwn[id] > 0]).toEqual([id, true]);
  });
});

describe('a rule is one file: its reminders and restricted duties', () => {
  const OFFICER_KINDS = REMINDER_KINDS.slice(0, 8);

  it('each officer reminder kind belongs to exactly one rule', () => {
    expect(RULES.flatMap((r) => r.reminderKinds).sort()).toEqual([...OFFICER_KINDS].sort());
    expect(OFFICER_KINDS).toEqual(['TRAINING_MISSING', 'GRACE_DEADLINE', 'LEGACY_DEADLINE', 'REFRESHER_DUE', 'CERTIFICATE_MISSING', 'POLICY_REVIEW_MISSING', 'POLICY_REREVIEW', 'SUBSTITUTE_NEARING_60_DAYS']);
  });

  it('iterating the rules gives the reminders and restricted duties the hand-coded engine gave, each kind from its own rule', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(history, fc.array(fc.oneof(anyDay, fc.nat()), { minLength: 4, maxLength: 4 }), (facts, picks) => {
        // asOf: a generated day, or one of the history's own dates (a contact day near the 60th, a due date).
        const days = picks.map((p) => (typeof p === 'string' ? p : facts.effectiveDates.length > 0 ? addDays(facts.effectiveDates[p % facts.effectiveDates.length], (p % 3) - 1) : BASE));
        for (const asOf of days) {
          for (const horizon of [0, 30, 400]) {
            const got = remindersFromFacts(facts, asOf, horizon);
            expect(got).toEqual(handCodedReminders(facts, asOf, horizon));
            for (const r of got) {
              expect([r.kind, RULES.find((x) => x.id === r.rule)!.reminderKinds.includes(r.kind)]).toEqual([r.kind, true]);
              seen.add(r.kind);
            }
          }
          expect(statusFromFacts(facts, asOf).restrictedDuties).toEqual(handCodedRestrictedDuties(facts, asOf));
        }
      }),
      { numRuns: RUNS * 3 },
    );
    expect([...seen].sort()).toEqual([...OFFICER_KINDS].sort());
  });
});

/** The restricted duties as officer-status.ts computed them before the rules said it. */
function handCodedRestrictedDuties(facts: Facts, day: LocalDate): string[] {
  const s = statusOn(facts, day);
  if (separatedBy(facts, day)) return [];
  const ctx = dayContext(facts, day);
  if (ctx.role.kind === 'NONE' || ctx.preStatute) return [];
  const outcome = (id: string) => s.findings.find((f) => f.rule === id)!.outcome;
  const graceOpen = ctx.training?.grace != null && (outcome('TRAINING_GRACE_6_MONTHS') === 'PENDING' || (GRACE_RESTRICTION_UNTIL_COMPLETED && outcome('TRAINING_GRACE_6_MONTHS') === 'VIOLATED'));
  return ctx.substituteExempt || graceOpen ? [...RESTRICTED_DUTIES] : [];
}

/** The officer's reminders as reminders.ts hand-coded them before the rules gave them (the oracle). */
function handCodedReminders(facts: Facts, asOf: string, horizonDays: number): Reminder[] {
  if (separatedBy(facts, asOf)) return [];
  const who = `${facts.name} (${facts.officerId})`;
  const items = new Map<string, Reminder>();
  const add = (from: { rule: RuleId; citation: string }, kind: Reminder['kind'], dueDate: LocalDate, action: string) => {
    const daysLeft = daysBetween(asOf, dueDate);
    if (daysLeft > horizonDays) return;
    const key = `${from.rule}|${kind}|${dueDate}`;
    if (!items.has(key)) {
      items.set(key, {
        officerId: facts.officerId,
        rule: from.rule,
        kind,
        dueDate,
        daysLeft,
        message: `${who}: ${action}. ${whenWords(dueDate, daysLeft)} (${from.citation})`,
        citation: from.citation,
        scope: 'OFFICER',
        subject: who,
      });
    }
  };
  const now = statusOn(facts, asOf);
  const f = (rule: RuleId) => now.findings.find((x) => x.rule === rule)!;
  const qualifying = `complete the Board-approved SRO course on the learning objectives of subd. 4 (${courseList(coursesFor('BEFORE_DUTY'))})`;
  const named = (t: Training) => `${courseLabel(t)} (training ${t.trainingId}, completed ${t.completedOn})`;
  const clock = coursesBy(facts, asOf, 'REFRESHER');
  const latest = clock.length > 0 ? clock[clock.length - 1] : undefined;
  const ctx = dayContext(facts, asOf);
  if (f('TRAINING_BEFORE_DUTY').outcome === 'VIOLATED') add(f('TRAINING_BEFORE_DUTY'), 'TRAINING_MISSING', f('TRAINING_BEFORE_DUTY').dueDate!, `${qualifying}, required before assuming SRO duties`);
  const grace = f('TRAINING_GRACE_6_MONTHS');
  if (grace.outcome === 'PENDING' || grace.outcome === 'VIOLATED') add(grace, 'GRACE_DEADLINE', grace.dueDate!, `${qualifying} within six months of assuming SRO duties (the agency declared the course unavailable); until then duties (4) and (5) of subd. 2(a) are not required`);
  const legacy = f('LEGACY_COURSE_2027');
  if (legacy.outcome === 'PENDING' || legacy.outcome === 'VIOLATED') {
    const old = ctx.training?.legacy?.legacyCourse;
    add(legacy, 'LEGACY_DEADLINE', legacy.dueDate!, `complete ${courseList(coursesFor('LEGACY'))}; the earlier SSC/NASRO basic course${old ? ` ${named(old)}` : ''} suffices only before June 1, 2027`);
  }
  const refresher = f('REFRESHER_3_YEARS');
  if ((refresher.outcome === 'MET' || refresher.outcome === 'VIOLATED') && refresher.dueDate) add(refresher, 'REFRESHER_DUE', refresher.dueDate, `complete the SRO refresher course (MN_SRO_REFRESHER), required at least once every three years${latest ? `; the most recent Minnesota SRO course is ${named(latest)}` : ''}`);
  const certificate = f('CERTIFICATE_ON_FILE');
  if (certificate.outcome === 'VIOLATED') add(certificate, 'CERTIFICATE_MISSING', certificate.dueDate!, `file the certificate of the most recent Minnesota SRO course${latest ? `, ${named(latest)}` : ''} (the chief keeps a copy)`);
  const policy = f('POLICY_REVIEW_BEFORE_DUTY');
  if (policy.outcome === 'VIOLATED') add(policy, 'POLICY_REVIEW_MISSING', policy.dueDate!, "review the agency's SRO policy, required before assuming SRO duties");
  if (ctx.policy && policy.outcome === 'MET') {
    const required = requiredVersion(facts.policies, ctx.policy.dueDate, asOf);
    const inForce = policyInForce(facts.policies, asOf);
    if (required && inForce && inForce !== required) {
      const accepted = acceptableVersions(facts.policies, inForce);
      if (!facts.reviews.some((r) => accepted.has(r.version) && r.reviewedOn <= asOf)) {
        add(policy, 'POLICY_REREVIEW', addDays(inForce.adoptedOn, POLICY_REREVIEW_DAYS), `review SRO policy version ${inForce.version}, adopted ${inForce.adoptedOn}, within ${POLICY_REREVIEW_DAYS} days of its adoption`);
      }
    }
  }
  if (ctx.role.kind === 'SUBSTITUTE' && ctx.role.sixtiethDay === null && ctx.role.contactDays.length >= SUBSTITUTE_HEADS_UP_DAYS) {
    const n = ctx.role.contactDays.length;
    const earliest60th = addDays(asOf, SUBSTITUTE_CONTACT_DAY_LIMIT - n);
    if (earliest60th <= ctx.role.schoolYearEnd) {
      add(f('SUBSTITUTE_60_DAYS'), 'SUBSTITUTE_NEARING_60_DAYS', earliest60th,
        `has served ${n} substitute contact days in school year ${schoolYearLabel(asOf)}; from the 60th the SRO training requirements apply (${courseList(coursesFor('BEFORE_DUTY'))} completed, its certificate on file), so complete the training before then; the 60th day can come as early as ${earliest60th}`);
    }
  }
  const checkpoints = new Set<LocalDate>(facts.assignments.map((a) => a.startDate));
  checkpoints.add(STATUTE_START);
  for (const d of [...checkpoints].sort()) {
    if (d <= asOf || daysBetween(asOf, d) > horizonDays) continue;
    const then = statusOn(facts, d);
    const tbd = then.findings.find((x) => x.rule === 'TRAINING_BEFORE_DUTY')!;
    if (tbd.outcome === 'VIOLATED') add(tbd, 'TRAINING_MISSING', tbd.dueDate!, `${qualifying} before SRO duty starts on ${d}`);
    const review = then.findings.find((x) => x.rule === 'POLICY_REVIEW_BEFORE_DUTY')!;
    if (review.outcome === 'VIOLATED') add(review, 'POLICY_REVIEW_MISSING', review.dueDate!, `review the agency's SRO policy before SRO duty starts on ${d}`);
  }
  return [...items.values()].sort(compareReminders);
}

describe('an agency rule is one file', () => {
  const AGENCY_KINDS = REMINDER_KINDS.slice(8);

  it('the modules are the agency rules in order, with their citations, and each agency reminder kind belongs to exactly one', () => {
    expect(AGENCY_RULES.map((r) => r.id)).toEqual([...AGENCY_RULE_IDS]);
    expect(AGENCY_RULES.map((r) => [r.id, r.citation])).toEqual(Object.entries(AGENCY_CITATIONS));
    expect(AGENCY_RULES.map((r) => r.inForceFrom)).toEqual(AGENCY_RULES.map(() => STATUTE_START));
    expect(AGENCY_RULES.flatMap((r) => r.reminderKinds).sort()).toEqual([...AGENCY_KINDS].sort());
    // The kind a violated finding gives, as agency-reminders.ts named it before the rules said it.
    expect(AGENCY_RULES.map((r) => [r.id, r.violated.kind])).toEqual([
      ['SRO_POLICY_ADOPTED', 'POLICY_NOT_ADOPTED'],
      ['CONTRACT_FOR_EACH_ASSIGNMENT', 'SCHOOL_NOT_COVERED'],
      ['CONTRACT_TERMS', 'CONTRACT_TERMS_MISSING'],
    ]);
  });

  it('every agency finding and reminder comes from its rule: the rule’s citation, one of the rule’s kinds', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(ledger, fc.array(anyDay, { minLength: 3, maxLength: 3 }), (l, days) => {
        const records = agencyRecordsKnownAt(l.agencyEvents, LATER);
        const facts = factsKnownAt(l, LATER);
        for (const asOf of days) {
          for (const f of agencyFindingsOn(records, [officerOnDay(facts, asOf)], asOf)) expect(f.citation).toBe(AGENCY_RULES.find((r) => r.id === f.rule)!.citation);
          const items = [
            ...agencyRemindersOn(records, asOf, 365),
            ...contractRemindersFor(facts, records, asOf, 365),
            ...agencyObligationReminders(records, [officerOnDay(facts, asOf)], [dutyStartAhead(facts, asOf, 365)], asOf, 365),
          ];
          for (const r of items) {
            expect([r.rule, r.kind, AGENCY_RULES.find((x) => x.id === r.rule)!.reminderKinds.includes(r.kind)]).toEqual([r.rule, r.kind, true]);
            seen.add(r.kind);
          }
        }
      }),
      { numRuns: RUNS * 2 },
    );
    expect([...seen].sort()).toEqual([...AGENCY_KINDS].sort());
  });
});
