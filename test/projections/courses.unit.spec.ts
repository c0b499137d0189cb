/**
 * Which course meets which training rule (docs/reference.md#courses; docs/decisions.md 23),
 * table-driven with the statute's dates: every training rule with each of the three Minnesota SRO
 * courses, under the default reading and under each alternative reading of COURSE_READING.
 *
 * - TRAINING_BEFORE_DUTY, TRAINING_GRACE_6_MONTHS: MN_SRO_BASIC (subd. 3(a), 3(c));
 * - LEGACY_COURSE_2027: MN_SRO_BASIC, MN_SRO_SUPPLEMENTAL or MN_SRO_REFRESHER (subd. 3(b); the
 *   POST Board's page), due 2027-05-31;
 * - REFRESHER_3_YEARS, CERTIFICATE_ON_FILE: the latest of any of the three.
 */
import type { Course } from '../../events/catalogue';
import * as projections from '../../projections';
import type { OfficerLedger, Outcome, RuleId } from '../../projections';
import * as interpretation from '../../projections/interpretation';
import { LATER, LedgerBuilder, withPolicy } from './ledger-builder';

type Api = typeof projections;
type Reading = typeof interpretation.COURSE_READING;
const MN_COURSES = ['MN_SRO_BASIC', 'MN_SRO_SUPPLEMENTAL', 'MN_SRO_REFRESHER'] as const satisfies readonly Course[];
type MnCourse = (typeof MN_COURSES)[number];
type TrainingRule = Extract<RuleId, 'TRAINING_BEFORE_DUTY' | 'TRAINING_GRACE_6_MONTHS' | 'LEGACY_COURSE_2027' | 'REFRESHER_3_YEARS' | 'CERTIFICATE_ON_FILE'>;

/** The projections' public API with COURSE_READING set to `reading` (a fresh module registry). */
function withReading(reading: Reading): Api {
  let api: Api | undefined;
  jest.isolateModules(() => {
    jest.doMock('../../projections/interpretation', () => ({ ...jest.requireActual('../../projections/interpretation'), COURSE_READING: reading }));
    api = require('../../projections') as Api;
  });
  jest.dontMock('../../projections/interpretation');
  return api!;
}

/** One rule judged with one course, on a day where the statute's dates decide it. */
interface Scenario {
  rule: TrainingRule;
  /** The ledger with `course` as the course under test. */
  ledger: (course: MnCourse) => OfficerLedger;
  day: string;
  /** The outcome when the course meets the rule, and when it does not. */
  meets: Outcome;
  fails: Outcome;
  due?: string;
}

const SCENARIOS: Scenario[] = [
  {
    // A non-legacy officer assigned 2025-10-01 with the course completed 2025-09-15.
    rule: 'TRAINING_BEFORE_DUTY',
    ledger: (course) => {
      const b = withPolicy();
      b.trained('t1', course, '2025-09-15');
      b.assign('a1', '2025-10-01');
      return b.ledger();
    },
    day: '2025-10-01',
    meets: 'MET',
    fails: 'VIOLATED',
    due: '2025-10-01',
  },
  {
    // Assigned 2025-10-15, course declared unavailable: due 2026-04-15; the course completed 2026-03-01.
    rule: 'TRAINING_GRACE_6_MONTHS',
    ledger: (course) => {
      const b = withPolicy();
      b.assign('a1', '2025-10-15');
      b.unavailable('a1', '2025-10-15');
      b.trained('t1', course, '2026-03-01');
      return b.ledger();
    },
    day: '2026-04-16',
    meets: 'MET',
    fails: 'VIOLATED',
    due: '2026-04-15',
  },
  {
    // SSC_BASIC 2024-05-01, serving since 2024-09-03: due 2027-05-31; the course completed on that day.
    rule: 'LEGACY_COURSE_2027',
    ledger: (course) => {
      const b = withPolicy();
      b.training('old', 'SSC_BASIC', '2024-05-01');
      b.assign('a1', '2024-09-03');
      b.trained('t1', course, '2027-05-31');
      return b.ledger();
    },
    day: '2027-06-01',
    meets: 'MET',
    fails: 'VIOLATED',
    due: '2027-05-31',
  },
  {
    // MN_SRO_BASIC 2025-08-01 (its clock ends 2028-08-01), then the course 2028-07-01: the clock runs from it.
    rule: 'REFRESHER_3_YEARS',
    ledger: (course) => {
      const b = withPolicy();
      b.trained('basic', 'MN_SRO_BASIC', '2025-08-01');
      b.assign('a1', '2025-09-02');
      b.trained('t1', course, '2028-07-01');
      return b.ledger();
    },
    day: '2028-08-02',
    meets: 'MET',
    fails: 'VIOLATED',
    due: '2031-07-01',
  },
  {
    // The course 2028-07-01 without a certificate, the older MN_SRO_BASIC's on file: the newer one is asked for.
    rule: 'CERTIFICATE_ON_FILE',
    ledger: (course) => {
      const b = withPolicy();
      b.trained('basic', 'MN_SRO_BASIC', '2025-08-01');
      b.assign('a1', '2025-09-02');
      b.training('t1', course, '2028-07-01');
      return b.ledger();
    },
    day: '2028-07-02',
    meets: 'VIOLATED', // the course counts as the latest: its missing certificate is the violation
    fails: 'MET', // the course would not count: the older certificate would do
    due: '2028-07-01',
  },
];

/** Which courses meet each rule under each reading. */
const MEETING: Record<Reading, Record<TrainingRule, readonly MnCourse[]>> = {
  EACH_RULE_ITS_COURSE: {
    TRAINING_BEFORE_DUTY: ['MN_SRO_BASIC'],
    TRAINING_GRACE_6_MONTHS: ['MN_SRO_BASIC'],
    LEGACY_COURSE_2027: MN_COURSES,
    REFRESHER_3_YEARS: MN_COURSES,
    CERTIFICATE_ON_FILE: MN_COURSES,
  },
  ANY_MN_SRO_COURSE: {
    TRAINING_BEFORE_DUTY: MN_COURSES,
    TRAINING_GRACE_6_MONTHS: MN_COURSES,
    LEGACY_COURSE_2027: MN_COURSES,
    REFRESHER_3_YEARS: MN_COURSES,
    CERTIFICATE_ON_FILE: MN_COURSES,
  },
  LEGACY_BY_STATUTE_TEXT: {
    TRAINING_BEFORE_DUTY: ['MN_SRO_BASIC'],
    TRAINING_GRACE_6_MONTHS: ['MN_SRO_BASIC'],
    LEGACY_COURSE_2027: ['MN_SRO_BASIC', 'MN_SRO_SUPPLEMENTAL'],
    REFRESHER_3_YEARS: MN_COURSES,
    CERTIFICATE_ON_FILE: MN_COURSES,
  },
};

const finding = (api: Api, ledger: OfficerLedger, day: string, rule: RuleId) =>
  api.officerStatus(ledger, day, LATER).findings.find((f) => f.rule === rule)!;

describe('the interpretation constants (decision 23)', () => {
  it('default to each rule its course', () => {
    expect(interpretation.COURSE_READING).toBe('EACH_RULE_ITS_COURSE');
    expect(interpretation.BEFORE_DUTY_COURSES).toEqual(['MN_SRO_BASIC']);
    expect(interpretation.LEGACY_EXCEPTION_COURSES).toEqual(['MN_SRO_BASIC', 'MN_SRO_SUPPLEMENTAL', 'MN_SRO_REFRESHER']);
    expect(interpretation.REFRESHER_CLOCK_COURSES).toEqual(['MN_SRO_BASIC', 'MN_SRO_SUPPLEMENTAL', 'MN_SRO_REFRESHER']);
  });
});

describe.each(Object.keys(MEETING) as Reading[])('each rule with each course, COURSE_READING = %s', (reading) => {
  const api = reading === interpretation.COURSE_READING ? projections : withReading(reading);
  const rows = SCENARIOS.flatMap((s) => MN_COURSES.map((course) => [s.rule, course, MEETING[reading][s.rule].includes(course), s] as const));
  test.each(rows)('%s with %s: meets it = %s', (rule, course, meets, s) => {
    const f = finding(api, s.ledger(course), s.day, rule);
    expect([rule, course, f.outcome]).toEqual([rule, course, meets ? s.meets : s.fails]);
    if (f.outcome === 'VIOLATED' && s.due) expect(f.dueDate).toBe(s.due);
    if (f.outcome === 'MET' && s.due && rule !== 'CERTIFICATE_ON_FILE') expect(f.dueDate).toBe(s.due);
  });
});

describe('the SUPPLEMENTAL course of an officer not covered by subd. 3(b)', () => {
  const supplementalOnly = () => {
    const b = withPolicy();
    b.assign('a1', '2025-09-02');
    const ev = b.trained('sup', 'MN_SRO_SUPPLEMENTAL', '2025-10-01', 'S-77');
    return { ledger: b.ledger(), ev };
  };

  it('is recorded (a fact) but TRAINING_BEFORE_DUTY is VIOLATED, and the finding says why', () => {
    const { ledger, ev } = supplementalOnly();
    const s = projections.officerStatus(ledger, '2025-10-02', LATER);
    expect(s.status).toBe('NON_COMPLIANT');
    const f = s.findings.find((x) => x.rule === 'TRAINING_BEFORE_DUTY')!;
    expect(f).toMatchObject({ outcome: 'VIOLATED', dueDate: '2025-09-02' });
    expect(f.explanation).toBe(
      'No MN_SRO_BASIC course completed by 2025-10-02; one was required on or before duty start 2025-09-02 (assignment a1), and no exception applies. ' +
        'MN_SRO_SUPPLEMENTAL (POST course S-77) completed 2025-10-01 (training sup) does not satisfy subd. 3(a) for an officer who completed no SSC or NASRO basic course before 2025-09-01; MN_SRO_BASIC is required.',
    );
    expect(f.evidence).toContain(ev);
    // It still starts the refresher clock and asks for its certificate.
    expect(s.findings.find((x) => x.rule === 'REFRESHER_3_YEARS')).toMatchObject({ outcome: 'MET', dueDate: '2028-10-01' });
    expect(s.findings.find((x) => x.rule === 'CERTIFICATE_ON_FILE')!.outcome).toBe('MET');
  });

  it('the reminder asks for MN_SRO_BASIC', () => {
    const { ledger } = supplementalOnly();
    const [r] = projections.remindersFor(ledger, '2025-10-02', LATER, 0);
    expect(r).toMatchObject({ kind: 'TRAINING_MISSING', dueDate: '2025-09-02' });
    expect(r.message).toContain('(MN_SRO_BASIC), required before assuming SRO duties');
  });

  it('a later MN_SRO_BASIC meets it from that day; the history keeps the violated interval', () => {
    const b = withPolicy();
    b.assign('a1', '2025-09-02');
    b.trained('sup', 'MN_SRO_SUPPLEMENTAL', '2025-10-01');
    b.trained('basic', 'MN_SRO_BASIC', '2025-11-03', '1234');
    const f = finding(projections, b.ledger(), '2025-11-03', 'TRAINING_BEFORE_DUTY');
    expect(f.outcome).toBe('MET');
    expect(f.explanation).toMatch(/^MN_SRO_BASIC \(POST course 1234\) \(training basic\) completed 2025-11-03, after duty start 2025-09-02/);
    expect(f.explanation).toContain('MN_SRO_SUPPLEMENTAL completed 2025-10-01 (training sup) does not satisfy subd. 3(a)');
    const intervals = projections.statusIntervals(b.ledger(), LATER, { from: '2025-09-02', to: '2025-11-30' });
    expect(intervals.map((i) => [i.from, i.to, i.status])).toEqual([
      ['2025-09-02', '2025-09-30', 'NON_COMPLIANT'],
      ['2025-10-01', '2025-11-02', 'NON_COMPLIANT'], // the supplemental course starts the refresher clock
      ['2025-11-03', '2025-11-30', 'COMPLIANT'],
    ]);
  });

  it('a refresher alone, too, does not satisfy subd. 3(a)', () => {
    const b = withPolicy();
    b.trained('r', 'MN_SRO_REFRESHER', '2025-08-20');
    b.assign('a1', '2025-09-02');
    const f = finding(projections, b.ledger(), '2025-09-02', 'TRAINING_BEFORE_DUTY');
    expect(f.outcome).toBe('VIOLATED');
    expect(f.explanation).toContain('MN_SRO_REFRESHER completed 2025-08-20 (training r) does not satisfy subd. 3(a)');
  });

  it('under ANY_MN_SRO_COURSE it meets TRAINING_BEFORE_DUTY (the alternative reading)', () => {
    const api = withReading('ANY_MN_SRO_COURSE');
    const { ledger } = supplementalOnly();
    expect(finding(api, ledger, '2025-10-02', 'TRAINING_BEFORE_DUTY').outcome).toBe('MET');
    expect(api.officerStatus(ledger, '2025-10-02', LATER).status).toBe('COMPLIANT');
  });
});

describe('the officer covered by subd. 3(b) (SSC_BASIC or NASRO_BASIC before 2025-09-01)', () => {
  const legacy = (start: string, extra: (b: LedgerBuilder) => void) => () => {
    const b = withPolicy();
    b.training('old', 'NASRO_BASIC', '2025-08-31', 'N-1');
    b.assign('a1', start);
    extra(b);
    return b.ledger();
  };
  const cases: [string, () => OfficerLedger, string, Partial<Record<RuleId, Outcome>>, string][] = [
    ['MN_SRO_SUPPLEMENTAL on 2027-05-31 meets the exception', legacy('2025-09-02', (b) => b.trained('sup', 'MN_SRO_SUPPLEMENTAL', '2027-05-31')), '2027-05-31', { LEGACY_COURSE_2027: 'MET', TRAINING_BEFORE_DUTY: 'EXEMPT', REFRESHER_3_YEARS: 'MET' }, 'COMPLIANT'],
    ['MN_SRO_REFRESHER on 2027-05-31 meets the exception', legacy('2025-09-02', (b) => b.trained('ref', 'MN_SRO_REFRESHER', '2027-05-31')), '2027-06-01', { LEGACY_COURSE_2027: 'MET', TRAINING_BEFORE_DUTY: 'EXEMPT' }, 'COMPLIANT'],
    ['MN_SRO_SUPPLEMENTAL on 2027-06-01 is late: VIOLATED on 2027-06-01', legacy('2025-09-02', (b) => b.trained('sup', 'MN_SRO_SUPPLEMENTAL', '2027-06-02')), '2027-06-01', { LEGACY_COURSE_2027: 'VIOLATED' }, 'NON_COMPLIANT'],
    ['a supplemental course before the duty start: the exception carries it, MET (not TRAINING_BEFORE_DUTY MET)', legacy('2025-10-01', (b) => b.trained('sup', 'MN_SRO_SUPPLEMENTAL', '2025-09-20')), '2025-10-01', { TRAINING_BEFORE_DUTY: 'EXEMPT', LEGACY_COURSE_2027: 'MET' }, 'COMPLIANT'],
    ['MN_SRO_BASIC before the duty start meets subd. 3(a): the exception is not needed', legacy('2025-10-01', (b) => b.trained('basic', 'MN_SRO_BASIC', '2025-09-20')), '2025-10-01', { TRAINING_BEFORE_DUTY: 'MET', LEGACY_COURSE_2027: 'NOT_APPLICABLE' }, 'COMPLIANT'],
    ['with the grace too: a supplemental course meets the legacy deadline, not the grace (MN_SRO_BASIC)', legacy('2027-03-01', (b) => { b.unavailable('a1', '2027-03-01'); b.trained('sup', 'MN_SRO_SUPPLEMENTAL', '2027-05-20'); }), '2027-09-02', { LEGACY_COURSE_2027: 'MET', TRAINING_GRACE_6_MONTHS: 'VIOLATED' }, 'NON_COMPLIANT'],
  ];
  test.each(cases)('%s', (_name, ledger, day, outcomes, status) => {
    const s = projections.officerStatus(ledger(), day, LATER);
    const got = Object.fromEntries(s.findings.filter((f) => f.rule in outcomes).map((f) => [f.rule, f.outcome]));
    expect({ status: s.status, ...got }).toEqual({ status, ...outcomes });
  });

  it('the exception names the courses that satisfy it, and the course numbers', () => {
    const pending = finding(projections, legacy('2025-09-02', () => undefined)(), '2026-01-05', 'LEGACY_COURSE_2027');
    expect(pending.outcome).toBe('PENDING');
    expect(pending.explanation).toBe(
      "NASRO_BASIC (POST course N-1) (training old) completed 2025-08-31, before 2025-09-01; under subd. 3(b) (before June 1, 2027; the statute governs over the POST web page's June 30, 2027): " +
        'an MN_SRO_BASIC, MN_SRO_SUPPLEMENTAL or MN_SRO_REFRESHER course is due by 2027-05-31; none completed by 2026-01-05.',
    );
    const met = finding(projections, legacy('2025-09-02', (b) => b.trained('ref', 'MN_SRO_REFRESHER', '2026-02-01', 'R-9'))(), '2026-02-01', 'LEGACY_COURSE_2027');
    expect(met.explanation).toContain(': MN_SRO_REFRESHER (POST course R-9) (training ref) completed 2026-02-01, by the deadline 2027-05-31.');
    const [r] = projections.remindersFor(legacy('2025-09-02', () => undefined)(), '2027-05-01', LATER, 30);
    expect(r.message).toContain('complete MN_SRO_BASIC, MN_SRO_SUPPLEMENTAL or MN_SRO_REFRESHER; the earlier SSC/NASRO basic course NASRO_BASIC (POST course N-1) (training old, completed 2025-08-31)');
  });

  it('under LEGACY_BY_STATUTE_TEXT a refresher does not meet the exception (the alternative reading)', () => {
    const api = withReading('LEGACY_BY_STATUTE_TEXT');
    const ledger = legacy('2025-09-02', (b) => b.trained('ref', 'MN_SRO_REFRESHER', '2026-02-01'))();
    const f = finding(api, ledger, '2027-06-01', 'LEGACY_COURSE_2027');
    expect(f).toMatchObject({ outcome: 'VIOLATED', dueDate: '2027-05-31' });
    expect(f.explanation).toContain('an MN_SRO_BASIC or MN_SRO_SUPPLEMENTAL course was due by 2027-05-31');
  });

  it('restarting after 2027-05-31 (no exception): a supplemental course does not meet subd. 3(a), and the finding says why', () => {
    const ledger = legacy('2025-09-02', (b) => {
      b.trained('sup', 'MN_SRO_SUPPLEMENTAL', '2026-02-01');
      b.end('a1', '2027-04-30');
      b.assign('a2', '2027-08-20');
    })();
    const f = finding(projections, ledger, '2027-08-20', 'TRAINING_BEFORE_DUTY');
    expect(f.outcome).toBe('VIOLATED');
    expect(f.explanation).toContain(
      'MN_SRO_SUPPLEMENTAL completed 2026-02-01 (training sup) does not satisfy subd. 3(a): it stands in for that course only under the legacy exception of subd. 3(b), which does not apply to duty start 2027-08-20 (assignment a2) (after 2027-05-31); MN_SRO_BASIC is required.',
    );
  });
});

describe('the refresher clock and the certificate run from the latest of any of the three', () => {
  it('a REFRESHER after a BASIC resets the clock (due its completedOn + 3 years); the reminder names the course', () => {
    const b = withPolicy();
    b.trained('basic', 'MN_SRO_BASIC', '2025-08-01', '1234');
    b.assign('a1', '2025-09-02');
    b.trained('ref', 'MN_SRO_REFRESHER', '2028-07-15', '5678');
    const f = finding(projections, b.ledger(), '2028-08-02', 'REFRESHER_3_YEARS');
    expect(f).toMatchObject({ outcome: 'MET', dueDate: '2031-07-15' });
    expect(f.explanation).toBe('Most recent Minnesota SRO course MN_SRO_REFRESHER (POST course 5678) (training ref) completed 2028-07-15; a refresher (MN_SRO_REFRESHER) is due by 2031-07-15.');
    expect(finding(projections, b.ledger(), '2028-07-14', 'REFRESHER_3_YEARS')).toMatchObject({ outcome: 'MET', dueDate: '2028-08-01' });
    const [r] = projections.remindersFor(b.ledger(), '2031-07-01', LATER, 30);
    expect(r).toMatchObject({ kind: 'REFRESHER_DUE', dueDate: '2031-07-15' });
    expect(r.message).toContain('the most recent Minnesota SRO course is MN_SRO_REFRESHER (POST course 5678) (training ref, completed 2028-07-15)');
  });

  it('a missing certificate names the course and its number, in the finding and the reminder', () => {
    const b = withPolicy();
    b.trained('basic', 'MN_SRO_BASIC', '2025-08-01');
    b.assign('a1', '2025-09-02');
    b.training('sup', 'MN_SRO_SUPPLEMENTAL', '2026-01-10', 'S-2');
    const f = finding(projections, b.ledger(), '2026-01-11', 'CERTIFICATE_ON_FILE');
    expect(f).toMatchObject({ outcome: 'VIOLATED', dueDate: '2026-01-10' });
    expect(f.explanation).toBe('No certificate filed by 2026-01-11 for the most recent Minnesota SRO course MN_SRO_SUPPLEMENTAL (POST course S-2) (training sup), completed 2026-01-10.');
    const [r] = projections.remindersFor(b.ledger(), '2026-01-11', LATER, 0);
    expect(r.message).toContain('file the certificate of the most recent Minnesota SRO course, MN_SRO_SUPPLEMENTAL (POST course S-2) (training sup, completed 2026-01-10)');
  });
});

describe('the grace asks for MN_SRO_BASIC', () => {
  it('names it while PENDING', () => {
    const b = withPolicy();
    b.assign('a1', '2025-10-15');
    b.unavailable('a1', '2025-10-15');
    b.trained('sup', 'MN_SRO_SUPPLEMENTAL', '2026-01-05');
    const f = finding(projections, b.ledger(), '2026-02-01', 'TRAINING_GRACE_6_MONTHS');
    expect(f.outcome).toBe('PENDING');
    expect(f.explanation).toContain('an MN_SRO_BASIC course is due by 2026-04-15; none completed by 2026-02-01.');
    expect(projections.officerStatus(b.ledger(), '2026-02-01', LATER).restrictedDuties).toHaveLength(2);
  });
});
