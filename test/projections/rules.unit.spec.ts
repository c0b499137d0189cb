/**
 * Table-driven checks of every rule of docs/reference.md#rules with the statute's own dates and the
 * boundaries: the due date itself and the day after, month-end clamping, the school-year turn, 59
 * vs 60 contact days, the statute's start, and the 2027 legacy deadline.
 */
import { RULE_IDS, RULES, officerStatus, type OfficerLedger, type Outcome, type RuleId, type Status } from '../../projections';
import { RESTRICTED_DUTIES } from '../../projections/interpretation';
import { CITATION_GRACE, CITATION_PRODUCT_READING, CITATION_SUBSTITUTE } from '../../projections/rules/policy-review-before-duty';
import { LATER, LedgerBuilder, consecutiveDates, withPolicy } from './ledger-builder';

/** A finding's citation: the rule's, or for POLICY_REVIEW_BEFORE_DUTY the one of its case (decision 27). */
const citationsOf = (rule: string): string[] => {
  const own = RULES.find((r) => r.id === rule)!.citation;
  return rule === 'POLICY_REVIEW_BEFORE_DUTY' ? [own, CITATION_GRACE, CITATION_SUBSTITUTE, CITATION_PRODUCT_READING] : [own];
};

interface Case {
  name: string;
  ledger: () => OfficerLedger;
  day: string;
  status: Status;
  outcomes?: Partial<Record<RuleId, Outcome>>;
  due?: Partial<Record<RuleId, string>>;
  restricted?: boolean;
}

function run(cases: Case[]) {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const s = officerStatus(c.ledger(), c.day, LATER);
    const got = Object.fromEntries(s.findings.map((f) => [f.rule, f.outcome]));
    expect({ status: s.status, ...pick(got, Object.keys(c.outcomes ?? {})) }).toEqual({ status: c.status, ...(c.outcomes ?? {}) });
    for (const [rule, due] of Object.entries(c.due ?? {})) {
      expect([rule, s.findings.find((f) => f.rule === rule)!.dueDate]).toEqual([rule, due]);
    }
    if (c.restricted !== undefined) expect(s.restrictedDuties).toEqual(c.restricted ? [...RESTRICTED_DUTIES] : []);
    // Pinned shape: all 7 rules in table order, a dueDate on every VIOLATED or PENDING finding.
    expect(s.findings.map((f) => f.rule)).toEqual([...RULE_IDS]);
    for (const f of s.findings) {
      if (f.outcome === 'VIOLATED' || f.outcome === 'PENDING') expect(f.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(citationsOf(f.rule)).toContain(f.citation);
      expect(f.explanation.length).toBeGreaterThan(10);
    }
  });
}

const pick = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, o[k]]));

// ---------------------------------------------------------------------------------------------
describe('rule metadata', () => {
  it('has one module per rule id, in the order of docs/reference.md#rules, with its citations', () => {
    expect(RULES.map((r) => [r.id, r.citation])).toEqual([
      ['TRAINING_BEFORE_DUTY', 'Minn. Stat. 626.8482 subd. 3(a); policy "Training"'],
      ['TRAINING_GRACE_6_MONTHS', 'Minn. Stat. 626.8482 subd. 3(c); policy "Training"'],
      ['LEGACY_COURSE_2027', 'Minn. Stat. 626.8482 subd. 3(b); policy "Training"'],
      ['REFRESHER_3_YEARS', 'policy "Training" (refresher at least once every three years)'],
      ['CERTIFICATE_ON_FILE', 'policy "Training" (chief keeps the latest certificate)'],
      ['POLICY_REVIEW_BEFORE_DUTY', 'Minn. Stat. 626.8482 subd. 3(c); policy "Substitute SROs"'],
      ['SUBSTITUTE_60_DAYS', 'policy "Substitute SROs"'],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
describe('assignment and the statute start', () => {
  const serving = () => {
    const b = withPolicy();
    b.assign('a1', '2024-08-20');
    return b.ledger();
  };
  run([
    { name: 'never assigned: NOT_ASSIGNED, all NOT_APPLICABLE', ledger: () => withPolicy().ledger(), day: '2026-01-05', status: 'NOT_ASSIGNED', outcomes: Object.fromEntries(RULE_IDS.map((r) => [r, 'NOT_APPLICABLE'])) },
    { name: 'day before the start date: NOT_ASSIGNED', ledger: serving, day: '2024-08-19', status: 'NOT_ASSIGNED' },
    { name: 'untrained SRO on 2025-08-31: COMPLIANT, every rule NOT_APPLICABLE', ledger: serving, day: '2025-08-31', status: 'COMPLIANT', outcomes: Object.fromEntries(RULE_IDS.map((r) => [r, 'NOT_APPLICABLE'])) },
    { name: 'untrained SRO serving since 2024 on 2025-09-01: VIOLATED, due 2025-09-01', ledger: serving, day: '2025-09-01', status: 'NON_COMPLIANT', outcomes: { TRAINING_BEFORE_DUTY: 'VIOLATED', POLICY_REVIEW_BEFORE_DUTY: 'MET' }, due: { TRAINING_BEFORE_DUTY: '2025-09-01' } },
    {
      name: 'endDate is the last day served',
      ledger: () => {
        const b = withPolicy();
        b.trained('t1', 'MN_SRO_BASIC', '2025-08-01');
        b.assign('a1', '2025-09-02');
        b.end('a1', '2025-12-19');
        return b.ledger();
      },
      day: '2025-12-19',
      status: 'COMPLIANT',
    },
    {
      name: 'the day after endDate: NOT_ASSIGNED',
      ledger: () => {
        const b = withPolicy();
        b.assign('a1', '2025-09-02');
        b.end('a1', '2025-12-19');
        return b.ledger();
      },
      day: '2025-12-20',
      status: 'NOT_ASSIGNED',
    },
  ]);
});

// ---------------------------------------------------------------------------------------------
describe('TRAINING_BEFORE_DUTY', () => {
  const startsOct1 = (completedOn?: string, course: 'MN_SRO_BASIC' | 'MN_SRO_REFRESHER' | 'SSC_BASIC' | 'NASRO_BASIC' = 'MN_SRO_BASIC') => () => {
    const b = withPolicy();
    b.assign('a1', '2025-10-01');
    if (completedOn) b.trained('t1', course, completedOn);
    return b.ledger();
  };
  run([
    { name: 'course completed on the start day counts as before duty', ledger: startsOct1('2025-10-01'), day: '2025-10-01', status: 'COMPLIANT', outcomes: { TRAINING_BEFORE_DUTY: 'MET' } },
    { name: 'course completed the day after the start: VIOLATED on the start day', ledger: startsOct1('2025-10-02'), day: '2025-10-01', status: 'NON_COMPLIANT', outcomes: { TRAINING_BEFORE_DUTY: 'VIOLATED', CERTIFICATE_ON_FILE: 'NOT_APPLICABLE', REFRESHER_3_YEARS: 'NOT_APPLICABLE' }, due: { TRAINING_BEFORE_DUTY: '2025-10-01' } },
    { name: '... and MET from the completion day on', ledger: startsOct1('2025-10-02'), day: '2025-10-02', status: 'COMPLIANT', outcomes: { TRAINING_BEFORE_DUTY: 'MET' } },
    { name: 'a refresher alone does not meet subd. 3(a) (decision 23): VIOLATED, its clock and certificate still run', ledger: startsOct1('2025-09-15', 'MN_SRO_REFRESHER'), day: '2025-10-01', status: 'NON_COMPLIANT', outcomes: { TRAINING_BEFORE_DUTY: 'VIOLATED', REFRESHER_3_YEARS: 'MET', CERTIFICATE_ON_FILE: 'MET' }, due: { TRAINING_BEFORE_DUTY: '2025-10-01', REFRESHER_3_YEARS: '2028-09-15' } },
    { name: 'NASRO_BASIC completed on 2025-09-01 is neither qualifying nor legacy', ledger: startsOct1('2025-09-01', 'NASRO_BASIC'), day: '2025-10-01', status: 'NON_COMPLIANT', outcomes: { TRAINING_BEFORE_DUTY: 'VIOLATED', LEGACY_COURSE_2027: 'NOT_APPLICABLE' } },
    { name: 'NASRO_BASIC completed 2025-08-31 opens the legacy exception: EXEMPT', ledger: startsOct1('2025-08-31', 'NASRO_BASIC'), day: '2025-10-01', status: 'CONDITIONAL', outcomes: { TRAINING_BEFORE_DUTY: 'EXEMPT', LEGACY_COURSE_2027: 'PENDING' }, due: { LEGACY_COURSE_2027: '2027-05-31' } },
    {
      name: 'SRO since 2024 trained on 2025-09-01 meets it',
      ledger: () => {
        const b = withPolicy();
        b.assign('a1', '2024-08-20');
        b.trained('t1', 'MN_SRO_BASIC', '2025-09-01');
        return b.ledger();
      },
      day: '2025-09-01',
      status: 'COMPLIANT',
      outcomes: { TRAINING_BEFORE_DUTY: 'MET' },
    },
  ]);
});

// ---------------------------------------------------------------------------------------------
describe('TRAINING_GRACE_6_MONTHS', () => {
  const graceFrom = (start: string, completedOn?: string) => () => {
    const b = withPolicy();
    b.assign('a1', start);
    b.unavailable('a1', start);
    if (completedOn) b.trained('t1', 'MN_SRO_BASIC', completedOn);
    return b.ledger();
  };
  run([
    { name: 'start 2025-10-15: PENDING on the due date 2026-04-15, duties (4),(5) restricted', ledger: graceFrom('2025-10-15'), day: '2026-04-15', status: 'CONDITIONAL', outcomes: { TRAINING_BEFORE_DUTY: 'EXEMPT', TRAINING_GRACE_6_MONTHS: 'PENDING' }, due: { TRAINING_GRACE_6_MONTHS: '2026-04-15' }, restricted: true },
    { name: '... VIOLATED the day after, still restricted until completed', ledger: graceFrom('2025-10-15'), day: '2026-04-16', status: 'NON_COMPLIANT', outcomes: { TRAINING_BEFORE_DUTY: 'EXEMPT', TRAINING_GRACE_6_MONTHS: 'VIOLATED' }, due: { TRAINING_GRACE_6_MONTHS: '2026-04-15' }, restricted: true },
    { name: 'completed within the grace: MET, no restriction', ledger: graceFrom('2025-10-15', '2026-03-01'), day: '2026-03-01', status: 'COMPLIANT', outcomes: { TRAINING_BEFORE_DUTY: 'EXEMPT', TRAINING_GRACE_6_MONTHS: 'MET', REFRESHER_3_YEARS: 'MET' }, restricted: false },
    { name: 'Aug 31 + 6 months = Feb 28: PENDING on 2027-02-28', ledger: graceFrom('2026-08-31'), day: '2027-02-28', status: 'CONDITIONAL', due: { TRAINING_GRACE_6_MONTHS: '2027-02-28' } },
    { name: 'Aug 31 + 6 months = Feb 28: VIOLATED on 2027-03-01', ledger: graceFrom('2026-08-31'), day: '2027-03-01', status: 'NON_COMPLIANT', outcomes: { TRAINING_GRACE_6_MONTHS: 'VIOLATED' } },
    { name: 'Aug 31 + 6 months in a leap year = Feb 29', ledger: graceFrom('2027-08-31'), day: '2028-02-29', status: 'CONDITIONAL', due: { TRAINING_GRACE_6_MONTHS: '2028-02-29' } },
    { name: 'leap-year grace VIOLATED on 2028-03-01', ledger: graceFrom('2027-08-31'), day: '2028-03-01', status: 'NON_COMPLIANT', outcomes: { TRAINING_GRACE_6_MONTHS: 'VIOLATED' } },
    { name: 'serving since 2024: grace runs from 2025-09-01 (due 2026-03-01)', ledger: graceFrom('2024-09-03'), day: '2026-03-01', status: 'CONDITIONAL', due: { TRAINING_GRACE_6_MONTHS: '2026-03-01' } },
    {
      name: 'a contiguous assignment (end E, start E+1) keeps the run and the grace',
      ledger: () => {
        const b = withPolicy();
        b.assign('a1', '2025-09-02');
        b.unavailable('a1', '2025-09-02');
        b.end('a1', '2025-12-31');
        b.assign('a2', '2026-01-01');
        return b.ledger();
      },
      day: '2026-01-15',
      status: 'CONDITIONAL',
      outcomes: { TRAINING_GRACE_6_MONTHS: 'PENDING', TRAINING_BEFORE_DUTY: 'EXEMPT' },
      due: { TRAINING_GRACE_6_MONTHS: '2026-03-02' },
    },
    {
      name: 'a one-day gap starts a new run: the declaration for the old assignment does not carry over',
      ledger: () => {
        const b = withPolicy();
        b.assign('a1', '2025-09-02');
        b.unavailable('a1', '2025-09-02');
        b.end('a1', '2025-12-30');
        b.assign('a2', '2026-01-01');
        return b.ledger();
      },
      day: '2026-01-15',
      status: 'NON_COMPLIANT',
      outcomes: { TRAINING_GRACE_6_MONTHS: 'NOT_APPLICABLE', TRAINING_BEFORE_DUTY: 'VIOLATED' },
      due: { TRAINING_BEFORE_DUTY: '2026-01-01' },
      restricted: false,
    },
    {
      name: 'overlapping assignments form one run starting at the earliest start',
      ledger: () => {
        const b = withPolicy();
        b.assign('a1', '2025-09-02');
        b.assign('a2', '2025-10-01');
        b.unavailable('a2', '2025-10-01');
        b.end('a1', '2025-11-30');
        return b.ledger();
      },
      day: '2026-03-02',
      status: 'CONDITIONAL',
      due: { TRAINING_GRACE_6_MONTHS: '2026-03-02' },
    },
  ]);
});

// ---------------------------------------------------------------------------------------------
describe('LEGACY_COURSE_2027 (before June 1, 2027: due 2027-05-31)', () => {
  const legacy = (start: string, extra?: (b: LedgerBuilder) => void) => () => {
    const b = withPolicy();
    b.training('old', 'SSC_BASIC', '2024-05-01');
    b.assign('a1', start);
    extra?.(b);
    return b.ledger();
  };
  run([
    { name: 'legacy officer serving since 2024: PENDING on 2027-05-31', ledger: legacy('2024-09-03'), day: '2027-05-31', status: 'CONDITIONAL', outcomes: { TRAINING_BEFORE_DUTY: 'EXEMPT', LEGACY_COURSE_2027: 'PENDING', REFRESHER_3_YEARS: 'NOT_APPLICABLE' }, due: { LEGACY_COURSE_2027: '2027-05-31' }, restricted: false },
    { name: 'legacy officer: VIOLATED on 2027-06-01 (not June 30)', ledger: legacy('2024-09-03'), day: '2027-06-01', status: 'NON_COMPLIANT', outcomes: { LEGACY_COURSE_2027: 'VIOLATED' }, due: { LEGACY_COURSE_2027: '2027-05-31' } },
    { name: 'legacy officer with MN_SRO_SUPPLEMENTAL on 2027-05-31: MET', ledger: legacy('2024-09-03', (b) => b.trained('sup', 'MN_SRO_SUPPLEMENTAL', '2027-05-31')), day: '2027-06-01', status: 'COMPLIANT', outcomes: { LEGACY_COURSE_2027: 'MET', TRAINING_BEFORE_DUTY: 'EXEMPT', REFRESHER_3_YEARS: 'MET' } },
    { name: 'a refresher satisfies the legacy exception (the POST Board\'s word for its course; decision 23)', ledger: legacy('2024-09-03', (b) => b.trained('r', 'MN_SRO_REFRESHER', '2026-05-01')), day: '2027-06-01', status: 'COMPLIANT', outcomes: { LEGACY_COURSE_2027: 'MET', TRAINING_BEFORE_DUTY: 'EXEMPT', REFRESHER_3_YEARS: 'MET' } },
    { name: 'duty start 2027-05-31: the exception still applies', ledger: legacy('2027-05-31'), day: '2027-05-31', status: 'CONDITIONAL', outcomes: { LEGACY_COURSE_2027: 'PENDING', TRAINING_BEFORE_DUTY: 'EXEMPT' } },
    { name: 'duty start 2027-06-01: no exception, training before duty VIOLATED', ledger: legacy('2027-06-01'), day: '2027-06-01', status: 'NON_COMPLIANT', outcomes: { LEGACY_COURSE_2027: 'NOT_APPLICABLE', TRAINING_BEFORE_DUTY: 'VIOLATED' }, due: { TRAINING_BEFORE_DUTY: '2027-06-01' } },
    {
      name: 'legacy officer restarting after 2027-05-31 (new run) gets no exception',
      ledger: legacy('2025-09-02', (b) => {
        b.end('a1', '2027-04-30');
        b.assign('a2', '2027-08-20');
      }),
      day: '2027-08-20',
      status: 'NON_COMPLIANT',
      outcomes: { LEGACY_COURSE_2027: 'NOT_APPLICABLE', TRAINING_BEFORE_DUTY: 'VIOLATED' },
    },
    { name: 'combined with the grace: both PENDING on 2027-05-31', ledger: legacy('2027-03-01', (b) => b.unavailable('a1', '2027-03-01')), day: '2027-05-31', status: 'CONDITIONAL', outcomes: { LEGACY_COURSE_2027: 'PENDING', TRAINING_GRACE_6_MONTHS: 'PENDING', TRAINING_BEFORE_DUTY: 'EXEMPT' }, due: { LEGACY_COURSE_2027: '2027-05-31', TRAINING_GRACE_6_MONTHS: '2027-09-01' }, restricted: true },
    { name: 'combined with the grace: each deadline binds, the legacy one is missed first', ledger: legacy('2027-03-01', (b) => b.unavailable('a1', '2027-03-01')), day: '2027-06-01', status: 'NON_COMPLIANT', outcomes: { LEGACY_COURSE_2027: 'VIOLATED', TRAINING_GRACE_6_MONTHS: 'PENDING' } },
    { name: 'combined with the grace: one MN_SRO_BASIC meets both', ledger: legacy('2027-03-01', (b) => { b.unavailable('a1', '2027-03-01'); b.trained('basic', 'MN_SRO_BASIC', '2027-05-20'); }), day: '2027-06-01', status: 'COMPLIANT', outcomes: { LEGACY_COURSE_2027: 'MET', TRAINING_GRACE_6_MONTHS: 'MET', TRAINING_BEFORE_DUTY: 'EXEMPT' }, restricted: false },
    { name: 'legacy officer serving since 2024 whose training was declared unavailable: grace due 2026-03-01 binds', ledger: legacy('2024-09-03', (b) => b.unavailable('a1', '2025-08-25')), day: '2026-03-02', status: 'NON_COMPLIANT', outcomes: { TRAINING_GRACE_6_MONTHS: 'VIOLATED', LEGACY_COURSE_2027: 'PENDING' } },
    { name: 'qualifying course before duty: exceptions NOT_APPLICABLE', ledger: legacy('2025-10-01', (b) => b.trained('basic', 'MN_SRO_BASIC', '2025-09-20')), day: '2025-10-01', status: 'COMPLIANT', outcomes: { TRAINING_BEFORE_DUTY: 'MET', LEGACY_COURSE_2027: 'NOT_APPLICABLE', TRAINING_GRACE_6_MONTHS: 'NOT_APPLICABLE' } },
  ]);
});

// ---------------------------------------------------------------------------------------------
describe('REFRESHER_3_YEARS', () => {
  const leap = (extra?: (b: LedgerBuilder) => void) => () => {
    const b = withPolicy();
    b.trained('t1', 'MN_SRO_BASIC', '2028-02-29');
    b.assign('a1', '2028-03-01');
    extra?.(b);
    return b.ledger();
  };
  run([
    { name: 'Feb 29 + 3 years = Feb 28: MET on 2031-02-28', ledger: leap(), day: '2031-02-28', status: 'COMPLIANT', outcomes: { REFRESHER_3_YEARS: 'MET' }, due: { REFRESHER_3_YEARS: '2031-02-28' } },
    { name: 'Feb 29 + 3 years: VIOLATED on 2031-03-01', ledger: leap(), day: '2031-03-01', status: 'NON_COMPLIANT', outcomes: { REFRESHER_3_YEARS: 'VIOLATED', TRAINING_BEFORE_DUTY: 'MET' }, due: { REFRESHER_3_YEARS: '2031-02-28' } },
    { name: 'a refresher resets the clock', ledger: leap((b) => b.trained('t2', 'MN_SRO_REFRESHER', '2031-03-05')), day: '2031-03-05', status: 'COMPLIANT', outcomes: { REFRESHER_3_YEARS: 'MET' }, due: { REFRESHER_3_YEARS: '2034-03-05' } },
    { name: '... and the gap before it is VIOLATED', ledger: leap((b) => b.trained('t2', 'MN_SRO_REFRESHER', '2031-03-05')), day: '2031-03-04', status: 'NON_COMPLIANT', outcomes: { REFRESHER_3_YEARS: 'VIOLATED' } },
    {
      name: 'a legacy course alone: NOT_APPLICABLE',
      ledger: () => {
        const b = withPolicy();
        b.training('old', 'NASRO_BASIC', '2020-01-10');
        b.assign('a1', '2025-09-02');
        return b.ledger();
      },
      day: '2026-01-10',
      status: 'CONDITIONAL',
      outcomes: { REFRESHER_3_YEARS: 'NOT_APPLICABLE', CERTIFICATE_ON_FILE: 'NOT_APPLICABLE' },
    },
  ]);
});

// ---------------------------------------------------------------------------------------------
describe('CERTIFICATE_ON_FILE', () => {
  const cert = (extra: (b: LedgerBuilder) => void) => () => {
    const b = withPolicy();
    b.assign('a1', '2025-09-02');
    b.training('t1', 'MN_SRO_BASIC', '2025-09-01');
    extra(b);
    return b.ledger();
  };
  run([
    { name: 'no certificate yet: VIOLATED, due the completion date', ledger: cert((b) => b.certificate('t1', '2025-09-05')), day: '2025-09-04', status: 'NON_COMPLIANT', outcomes: { CERTIFICATE_ON_FILE: 'VIOLATED', TRAINING_BEFORE_DUTY: 'MET' }, due: { CERTIFICATE_ON_FILE: '2025-09-01' } },
    { name: 'certificate filed: MET from filedOn', ledger: cert((b) => b.certificate('t1', '2025-09-05')), day: '2025-09-05', status: 'COMPLIANT', outcomes: { CERTIFICATE_ON_FILE: 'MET' } },
    { name: 'a newer course without certificate: VIOLATED although an older one is on file', ledger: cert((b) => { b.certificate('t1', '2025-09-01'); b.training('t2', 'MN_SRO_REFRESHER', '2028-08-01'); }), day: '2028-08-02', status: 'NON_COMPLIANT', outcomes: { CERTIFICATE_ON_FILE: 'VIOLATED', REFRESHER_3_YEARS: 'MET' }, due: { CERTIFICATE_ON_FILE: '2028-08-01' } },
    { name: 'two courses on the latest date, a certificate for one: MET', ledger: cert((b) => { b.training('t2', 'MN_SRO_SUPPLEMENTAL', '2025-09-01'); b.certificate('t2', '2025-09-01'); }), day: '2025-09-02', status: 'COMPLIANT', outcomes: { CERTIFICATE_ON_FILE: 'MET' } },
    { name: 'a certificate for an unknown training does not count', ledger: cert((b) => b.certificate('nope', '2025-09-01')), day: '2025-09-02', status: 'NON_COMPLIANT', outcomes: { CERTIFICATE_ON_FILE: 'VIOLATED' } },
  ]);
});

// ---------------------------------------------------------------------------------------------
describe('POLICY_REVIEW_BEFORE_DUTY', () => {
  const sro = (extra: (b: LedgerBuilder) => void) => () => {
    const b = new LedgerBuilder();
    b.trained('t1', 'MN_SRO_BASIC', '2025-08-01');
    b.assign('a1', '2025-10-01');
    extra(b);
    return b.ledger();
  };
  run([
    { name: 'no policy adopted by the agency: VIOLATED, due S', ledger: sro(() => undefined), day: '2025-10-01', status: 'NON_COMPLIANT', outcomes: { POLICY_REVIEW_BEFORE_DUTY: 'VIOLATED', TRAINING_BEFORE_DUTY: 'MET' }, due: { POLICY_REVIEW_BEFORE_DUTY: '2025-10-01' } },
    { name: 'policy adopted after S and reviewed: MET from the review', ledger: sro((b) => { b.policy('v1', '2025-11-01'); b.review('v1', '2025-11-03'); }), day: '2025-11-03', status: 'COMPLIANT', outcomes: { POLICY_REVIEW_BEFORE_DUTY: 'MET' } },
    { name: 'policy adopted after S, not yet reviewed: VIOLATED', ledger: sro((b) => { b.policy('v1', '2025-11-01'); b.review('v1', '2025-11-03'); }), day: '2025-11-02', status: 'NON_COMPLIANT', outcomes: { POLICY_REVIEW_BEFORE_DUTY: 'VIOLATED' } },
    { name: 'reviewed on the start day: MET', ledger: sro((b) => { b.policy('v1', '2025-08-01'); b.review('v1', '2025-10-01'); }), day: '2025-10-01', status: 'COMPLIANT', outcomes: { POLICY_REVIEW_BEFORE_DUTY: 'MET' } },
    { name: 'reviewed the day after the start: VIOLATED on the start day', ledger: sro((b) => { b.policy('v1', '2025-08-01'); b.review('v1', '2025-10-02'); }), day: '2025-10-01', status: 'NON_COMPLIANT', outcomes: { POLICY_REVIEW_BEFORE_DUTY: 'VIOLATED' }, due: { POLICY_REVIEW_BEFORE_DUTY: '2025-10-01' } },
    { name: 'a version adopted mid-assignment is not a violation', ledger: sro((b) => { b.policy('v1', '2025-08-01'); b.review('v1', '2025-09-20'); b.policy('v2', '2026-01-10'); }), day: '2026-06-01', status: 'COMPLIANT', outcomes: { POLICY_REVIEW_BEFORE_DUTY: 'MET' } },
    {
      name: 'a new run after a gap asks for the version then in force',
      ledger: sro((b) => {
        b.policy('v1', '2025-08-01');
        b.review('v1', '2025-09-20');
        b.end('a1', '2026-06-10');
        b.policy('v2', '2026-07-15');
        b.assign('a2', '2026-08-25');
      }),
      day: '2026-08-25',
      status: 'NON_COMPLIANT',
      outcomes: { POLICY_REVIEW_BEFORE_DUTY: 'VIOLATED' },
      due: { POLICY_REVIEW_BEFORE_DUTY: '2026-08-25' },
    },
  ]);
});

// ---------------------------------------------------------------------------------------------
describe('SUBSTITUTE_60_DAYS', () => {
  // 60 school days from 2025-09-02, weekdays only, so that the 60th is well inside the school year.
  const weekdays = (from: string, n: number) => consecutiveDates(from, n * 2).filter((d) => ![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay())).slice(0, n);
  const days60 = weekdays('2025-09-02', 60);
  const sixtieth = days60[59];
  const substitute = (n: number, extra?: (b: LedgerBuilder) => void, base = withPolicy) => () => {
    const b = base();
    for (const d of days60.slice(0, n)) b.sub(d);
    extra?.(b);
    return b.ledger();
  };
  const training = ['TRAINING_BEFORE_DUTY', 'TRAINING_GRACE_6_MONTHS', 'LEGACY_COURSE_2027', 'REFRESHER_3_YEARS', 'CERTIFICATE_ON_FILE'] as const;
  const exempt = Object.fromEntries(training.map((r) => [r, 'EXEMPT']));
  run([
    { name: '59 contact days: EXEMPT, training rules EXEMPT, duties (4),(5) restricted', ledger: substitute(59), day: '2026-06-30', status: 'EXEMPT', outcomes: { ...exempt, SUBSTITUTE_60_DAYS: 'EXEMPT', POLICY_REVIEW_BEFORE_DUTY: 'MET' }, restricted: true },
    { name: 'the 60th contact day: training applies with S = that day', ledger: substitute(60), day: sixtieth, status: 'NON_COMPLIANT', outcomes: { TRAINING_BEFORE_DUTY: 'VIOLATED', SUBSTITUTE_60_DAYS: 'NOT_APPLICABLE' }, due: { TRAINING_BEFORE_DUTY: sixtieth }, restricted: false },
    { name: 'the day before the 60th contact day: still EXEMPT', ledger: substitute(60), day: days60[58], status: 'EXEMPT' },
    { name: 'a trained substitute past 60 days is COMPLIANT', ledger: substitute(60, (b) => b.trained('t1', 'MN_SRO_BASIC', '2025-08-20')), day: sixtieth, status: 'COMPLIANT', outcomes: { TRAINING_BEFORE_DUTY: 'MET', CERTIFICATE_ON_FILE: 'MET' } },
    { name: 'two schools on one day count once (60 events, 59 dates)', ledger: substitute(59, (b) => b.sub(days60[10], 'North Middle')), day: '2026-06-30', status: 'EXEMPT' },
    { name: 'no policy review before the first contact day: NON_COMPLIANT, not EXEMPT', ledger: substitute(10, (b) => { b.policy('v1', '2025-08-01'); b.review('v1', days60[1]); }, () => new LedgerBuilder()), day: days60[0], status: 'NON_COMPLIANT', outcomes: { POLICY_REVIEW_BEFORE_DUTY: 'VIOLATED', SUBSTITUTE_60_DAYS: 'EXEMPT' }, due: { POLICY_REVIEW_BEFORE_DUTY: days60[0] }, restricted: true },
    { name: '... and EXEMPT once reviewed', ledger: substitute(10, (b) => { b.policy('v1', '2025-08-01'); b.review('v1', days60[1]); }, () => new LedgerBuilder()), day: days60[1], status: 'EXEMPT', outcomes: { POLICY_REVIEW_BEFORE_DUTY: 'MET' } },
    { name: 'before the first contact day of the school year: NOT_ASSIGNED', ledger: substitute(10), day: '2025-09-01', status: 'NOT_ASSIGNED' },
    {
      name: 'school-year turn: June 30 still a substitute',
      ledger: () => {
        const b = withPolicy();
        for (const d of weekdays('2026-04-01', 45)) b.sub(d);
        for (const d of weekdays('2026-08-24', 20)) b.sub(d);
        return b.ledger();
      },
      day: '2026-06-30',
      status: 'EXEMPT',
    },
    {
      name: 'school-year turn: July 1 starts a new count (no contact day yet): NOT_ASSIGNED',
      ledger: () => {
        const b = withPolicy();
        for (const d of weekdays('2026-04-01', 45)) b.sub(d);
        return b.ledger();
      },
      day: '2026-07-01',
      status: 'NOT_ASSIGNED',
    },
    {
      name: 'school-year turn: 45 days before July 1 and 20 after never reach 60',
      ledger: () => {
        const b = withPolicy();
        for (const d of weekdays('2026-04-01', 45)) b.sub(d);
        for (const d of weekdays('2026-08-24', 20)) b.sub(d);
        return b.ledger();
      },
      day: '2026-10-30',
      status: 'EXEMPT',
      outcomes: { SUBSTITUTE_60_DAYS: 'EXEMPT', TRAINING_BEFORE_DUTY: 'EXEMPT' },
    },
    {
      name: 'contact days before 2025-09-01: 60th on 2025-08-29 counts as 2025-09-01',
      ledger: () => {
        const b = withPolicy();
        for (const d of consecutiveDates('2025-07-01', 60)) b.sub(d);
        return b.ledger();
      },
      day: '2025-09-01',
      status: 'NON_COMPLIANT',
      outcomes: { TRAINING_BEFORE_DUTY: 'VIOLATED' },
      due: { TRAINING_BEFORE_DUTY: '2025-09-01' },
    },
    {
      name: '... and COMPLIANT on 2025-08-31 (before the statute)',
      ledger: () => {
        const b = withPolicy();
        for (const d of consecutiveDates('2025-07-01', 60)) b.sub(d);
        return b.ledger();
      },
      day: '2025-08-31',
      status: 'COMPLIANT',
      outcomes: Object.fromEntries(RULE_IDS.map((r) => [r, 'NOT_APPLICABLE'])),
    },
    {
      name: 'a substitute who becomes a regular SRO mid-year follows the SRO rules',
      ledger: substitute(20, (b) => b.assign('a1', '2025-11-03')),
      day: '2025-11-03',
      status: 'NON_COMPLIANT',
      outcomes: { SUBSTITUTE_60_DAYS: 'NOT_APPLICABLE', TRAINING_BEFORE_DUTY: 'VIOLATED' },
      due: { TRAINING_BEFORE_DUTY: '2025-11-03' },
      restricted: false,
    },
    {
      name: '... and is a substitute again, under 60 days, after the assignment ends',
      ledger: substitute(20, (b) => { b.assign('a1', '2025-11-03'); b.end('a1', '2025-12-19'); }),
      day: '2026-01-05',
      status: 'EXEMPT',
    },
  ]);
});
