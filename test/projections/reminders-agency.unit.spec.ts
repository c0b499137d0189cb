import { agencyStatus, compareReminders, officerStatus, remindersFor, statusIntervals, type Reminder } from '../../projections';
import { CITATION_PRODUCT_READING, CITATION_SUBSTITUTE } from '../../projections/rules/policy-review-before-duty';
import { LATER, LedgerBuilder, consecutiveDates, withPolicy } from './ledger-builder';

const summary = (rs: Reminder[]) => rs.map((r) => [r.kind, r.rule, r.dueDate, r.daysLeft]);

describe('remindersFor', () => {
  it('grace deadline within the horizon, with the citation in the message', () => {
    const b = withPolicy();
    b.assign('a1', '2025-10-15');
    b.unavailable('a1', '2025-10-15');
    expect(remindersFor(b.ledger(), '2026-03-01', LATER, 44)).toEqual([]);
    const rs = remindersFor(b.ledger(), '2026-03-01', LATER, 45);
    expect(summary(rs)).toEqual([['GRACE_DEADLINE', 'TRAINING_GRACE_6_MONTHS', '2026-04-15', 45]]);
    expect(rs[0].message).toContain('Minn. Stat. 626.8482 subd. 3(c)');
    expect(rs[0].message).toContain('Pat Officer');
    expect(summary(remindersFor(b.ledger(), '2026-04-20', LATER, 10))).toEqual([['GRACE_DEADLINE', 'TRAINING_GRACE_6_MONTHS', '2026-04-15', -5]]);
  });

  it('legacy deadline 2027-05-31, overdue items always listed', () => {
    const b = withPolicy();
    b.training('old', 'SSC_BASIC', '2024-05-01');
    b.assign('a1', '2024-09-03');
    expect(summary(remindersFor(b.ledger(), '2027-05-01', LATER, 30))).toEqual([['LEGACY_DEADLINE', 'LEGACY_COURSE_2027', '2027-05-31', 30]]);
    expect(remindersFor(b.ledger(), '2027-05-01', LATER, 29)).toEqual([]);
    expect(summary(remindersFor(b.ledger(), '2028-01-01', LATER, 0))).toEqual([['LEGACY_DEADLINE', 'LEGACY_COURSE_2027', '2027-05-31', -215]]);
  });

  it('refresher due and certificate missing, sorted by due date', () => {
    const b = withPolicy();
    b.assign('a1', '2025-09-02');
    b.trained('t1', 'MN_SRO_BASIC', '2025-09-02');
    b.training('t2', 'MN_SRO_SUPPLEMENTAL', '2025-09-02');
    expect(remindersFor(b.ledger(), '2028-07-01', LATER, 30)).toEqual([]);
    expect(summary(remindersFor(b.ledger(), '2028-08-10', LATER, 30))).toEqual([['REFRESHER_DUE', 'REFRESHER_3_YEARS', '2028-09-02', 23]]);
    b.training('t3', 'MN_SRO_REFRESHER', '2028-08-20');
    expect(summary(remindersFor(b.ledger(), '2028-09-01', LATER, 30))).toEqual([['CERTIFICATE_MISSING', 'CERTIFICATE_ON_FILE', '2028-08-20', -12]]);
  });

  it('a new policy version: review within 30 days of adoption, a reminder not a violation', () => {
    const b = withPolicy();
    b.assign('a1', '2025-09-02');
    b.trained('t1', 'MN_SRO_BASIC', '2025-09-01');
    b.policy('v2', '2026-01-10');
    const rs = remindersFor(b.ledger(), '2026-01-20', LATER, 10);
    expect(rs).toEqual([]);
    expect(summary(remindersFor(b.ledger(), '2026-01-20', LATER, 30))).toEqual([['POLICY_REREVIEW', 'POLICY_REVIEW_BEFORE_DUTY', '2026-02-09', 20]]);
    expect(summary(remindersFor(b.ledger(), '2026-03-01', LATER, 0))).toEqual([['POLICY_REREVIEW', 'POLICY_REVIEW_BEFORE_DUTY', '2026-02-09', -20]]);
    b.review('v2', '2026-02-01');
    expect(remindersFor(b.ledger(), '2026-03-01', LATER, 0)).toEqual([]);
  });

  it('substitute heads-up from the 50th contact day', () => {
    const b = withPolicy();
    for (const d of consecutiveDates('2025-09-02', 49)) b.sub(d);
    expect(remindersFor(b.ledger(), '2025-10-20', LATER, 30)).toEqual([]);
    b.sub('2025-10-21');
    expect(summary(remindersFor(b.ledger(), '2025-10-21', LATER, 30))).toEqual([['SUBSTITUTE_NEARING_60_DAYS', 'SUBSTITUTE_60_DAYS', '2025-10-31', 10]]);
  });

  it('an upcoming duty start without training or review', () => {
    const b = new LedgerBuilder();
    b.policy('v1', '2025-08-01');
    b.assign('a1', '2026-01-05');
    expect(summary(remindersFor(b.ledger(), '2025-12-20', LATER, 30))).toEqual([
      ['POLICY_REVIEW_MISSING', 'POLICY_REVIEW_BEFORE_DUTY', '2026-01-05', 16],
      ['TRAINING_MISSING', 'TRAINING_BEFORE_DUTY', '2026-01-05', 16],
    ]);
    expect(remindersFor(b.ledger(), '2025-11-20', LATER, 30)).toEqual([]);
  });

  it('a regular SRO’s missing policy review cites what the finding cites, not the substitutes’ section (docs/decisions.md W33)', () => {
    const b = new LedgerBuilder();
    b.policy('v1', '2025-08-01');
    b.assign('a1', '2025-09-02');
    b.trained('t1', 'MN_SRO_BASIC', '2025-08-20');
    const [r] = remindersFor(b.ledger(), '2025-10-01', LATER, 0);
    const finding = officerStatus(b.ledger(), '2025-10-01', LATER).findings.find((f) => f.rule === 'POLICY_REVIEW_BEFORE_DUTY')!;
    expect([r.kind, r.citation, finding.citation]).toEqual(['POLICY_REVIEW_MISSING', CITATION_PRODUCT_READING, CITATION_PRODUCT_READING]);
    expect(r.message).toContain(`(${CITATION_PRODUCT_READING})`);
    expect(r.message).not.toContain('Substitute SROs');
    // A substitute's cites the policy's section on substitutes, as its finding does.
    const sub = new LedgerBuilder();
    sub.policy('v1', '2025-08-01');
    sub.sub('2025-09-03');
    const [s] = remindersFor(sub.ledger(), '2025-09-10', LATER, 0);
    expect([s.kind, s.citation]).toEqual(['POLICY_REVIEW_MISSING', CITATION_SUBSTITUTE]);
    expect(officerStatus(sub.ledger(), '2025-09-10', LATER).findings.find((f) => f.rule === 'POLICY_REVIEW_BEFORE_DUTY')!.citation).toBe(CITATION_SUBSTITUTE);
  });

  it('compareReminders orders by dueDate then officer', () => {
    const r = (dueDate: string, officerId: string) => ({ officerId, rule: 'REFRESHER_3_YEARS', kind: 'REFRESHER_DUE', dueDate, daysLeft: 0, message: '' }) as Reminder;
    expect([r('2026-02-01', 'b'), r('2026-01-01', 'z'), r('2026-02-01', 'a')].sort(compareReminders).map((x) => x.officerId)).toEqual(['z', 'a', 'b']);
  });
});

describe('agencyStatus', () => {
  it('counts every status and lists officers with findings', () => {
    const compliant = withPolicy();
    compliant.assign('a1', '2025-09-02');
    compliant.trained('t1', 'MN_SRO_BASIC', '2025-08-01');
    const violating = new LedgerBuilder('off-2', 'Sam Untrained');
    violating.policy('v1', '2025-08-01');
    violating.assign('a1', '2025-09-02');
    const idle = new LedgerBuilder('off-3', 'Idle');
    const a = agencyStatus([compliant.ledger(), violating.ledger(), idle.ledger()], '2025-10-01', LATER);
    expect(a.counts).toEqual({ NOT_ASSIGNED: 1, EXEMPT: 0, NON_COMPLIANT: 1, CONDITIONAL: 0, COMPLIANT: 1 });
    expect(a.officers.map((o) => [o.officerId, o.name, o.status, o.findings.length])).toEqual([
      ['off-1', 'Pat Officer', 'COMPLIANT', 7],
      ['off-2', 'Sam Untrained', 'NON_COMPLIANT', 7],
      ['off-3', 'Idle', 'NOT_ASSIGNED', 7],
    ]);
  });
});

describe('statusIntervals', () => {
  it('shows the violated interval of a late training, then the refresher expiry', () => {
    const b = withPolicy();
    b.assign('a1', '2024-08-20');
    b.trained('t1', 'MN_SRO_BASIC', '2025-10-06');
    expect(statusIntervals(b.ledger(), LATER).map((i) => [i.from, i.to, i.status])).toEqual([
      ['2024-08-20', '2025-08-31', 'COMPLIANT'],
      ['2025-09-01', '2025-10-05', 'NON_COMPLIANT'],
      ['2025-10-06', '2028-10-06', 'COMPLIANT'],
      ['2028-10-07', null, 'NON_COMPLIANT'],
    ]);
  });

  it('splits on rule outcomes, clips to a range, and closes at range.to', () => {
    const b = withPolicy();
    b.assign('a1', '2025-10-15');
    b.unavailable('a1', '2025-10-15');
    b.trained('t1', 'MN_SRO_BASIC', '2026-05-01');
    const got = statusIntervals(b.ledger(), LATER, { from: '2025-10-01', to: '2026-12-31' });
    expect(got.map((i) => [i.from, i.to, i.status, i.restrictedDuties.length])).toEqual([
      ['2025-10-01', '2025-10-14', 'NOT_ASSIGNED', 0],
      ['2025-10-15', '2026-04-15', 'CONDITIONAL', 2],
      ['2026-04-16', '2026-04-30', 'NON_COMPLIANT', 2],
      ['2026-05-01', '2026-12-31', 'COMPLIANT', 0],
    ]);
    expect(got[1].rules.find((r) => r.rule === 'TRAINING_GRACE_6_MONTHS')!.outcome).toBe('PENDING');
    expect(statusIntervals(b.ledger(), LATER, { from: '2026-01-01', to: '2025-12-31' })).toEqual([]);
  });
});
