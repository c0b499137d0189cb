/**
 * The agency findings (docs/reference.md#agency-findings; docs/decisions.md 25-28) with their
 * boundaries (a contract ending on D, one starting on D+1, a school added by an amendment), the
 * model-revision reminder, the contract reminders; corrections and separations on both time axes;
 * POLICY_REVIEW_BEFORE_DUTY's citation per case.
 */
import {
  agencyFindingsOn,
  agencyRecordsKnownAt,
  agencyRemindersOn,
  agencyStatus,
  contractRemindersFor,
  factsKnownAt,
  officerOnDay,
  officerStatus,
  remindersFor,
  type AgencyFinding,
} from '../../projections';
import { CITATION_GRACE, CITATION_PRODUCT_READING, CITATION_SUBSTITUTE } from '../../projections/rules/policy-review-before-duty';
import { LATER, LedgerBuilder, withPolicy } from './ledger-builder';

const ALL_CLAUSES = { dutiesPerSubd2: '§2', attire: '§3', districtRoleInSelection: '§4', deescalationResources: '§5', publicNotification: '§6', dataPractices: '§7' };

function contract(b: LedgerBuilder, id: string, from: string, to?: string, schools = ['Central High'], clauses: Record<string, string | null> = ALL_CLAUSES): string {
  return b.event('agency', 'SroContractRecorded', { contractId: id, district: 'ISD 1', schools, effectiveFrom: from, ...(to ? { effectiveTo: to } : {}), clauses });
}

function findingsOn(b: LedgerBuilder, day: string, knownAt = LATER): AgencyFinding[] {
  const ledger = b.ledger();
  const records = agencyRecordsKnownAt(ledger.agencyEvents, knownAt);
  return agencyFindingsOn(records, [officerOnDay(factsKnownAt(ledger, knownAt), day)], day);
}
const outcome = (fs: AgencyFinding[], rule: string) => fs.filter((f) => f.rule === rule).map((f) => f.outcome);

describe('CONTRACT_FOR_EACH_ASSIGNMENT', () => {
  const base = () => {
    const b = withPolicy();
    b.assign('a1', '2025-09-02', ['Central High']);
    return b;
  };
  it.each([
    ['a contract ending on D covers D', '2026-06-30', 'MET'],
    ['... and not the day after', '2026-07-01', 'VIOLATED'],
    ['a contract starting on D+1 does not cover D', '2025-09-01', 'NOT_APPLICABLE'], // no assignment in force yet
  ])('%s (%s)', (_n, day, expected) => {
    const b = base();
    contract(b, 'c1', '2025-08-01', '2026-06-30');
    expect(outcome(findingsOn(b, day), 'CONTRACT_FOR_EACH_ASSIGNMENT')).toEqual([expected]);
  });

  it('a contract starting the day after the assignment: VIOLATED on the start day, MET on the next', () => {
    const b = base();
    contract(b, 'c1', '2025-09-03');
    const f = findingsOn(b, '2025-09-02').find((x) => x.rule === 'CONTRACT_FOR_EACH_ASSIGNMENT')!;
    expect([f.outcome, f.dueDate]).toEqual(['VIOLATED', '2025-09-02']);
    expect(f.explanation).toContain('Central High (officer off-1, assignment a1, uncovered since 2025-09-02)');
    expect(outcome(findingsOn(b, '2025-09-03'), 'CONTRACT_FOR_EACH_ASSIGNMENT')).toEqual(['MET']);
  });

  it('a school added by an amendment is covered from its effectiveOn, not before', () => {
    const b = withPolicy();
    b.assign('a1', '2025-09-02', ['Central High', 'North Middle']);
    contract(b, 'c1', '2025-08-01');
    b.event('agency', 'SroContractAmended', { contractId: 'c1', effectiveOn: '2025-10-01', schools: ['Central High', 'north  middle'] });
    expect(outcome(findingsOn(b, '2025-09-30'), 'CONTRACT_FOR_EACH_ASSIGNMENT')).toEqual(['VIOLATED']);
    expect(outcome(findingsOn(b, '2025-10-01'), 'CONTRACT_FOR_EACH_ASSIGNMENT')).toEqual(['MET']); // case and spacing do not matter
  });

  it('an early end: covered through endedOn; the uncovered stretch starts the day after', () => {
    const b = base();
    contract(b, 'c1', '2025-08-01', '2027-06-30');
    b.event('agency', 'SroContractEnded', { contractId: 'c1', endedOn: '2026-01-31' });
    expect(outcome(findingsOn(b, '2026-01-31'), 'CONTRACT_FOR_EACH_ASSIGNMENT')).toEqual(['MET']);
    const f = findingsOn(b, '2026-03-01').find((x) => x.rule === 'CONTRACT_FOR_EACH_ASSIGNMENT')!;
    expect([f.outcome, f.dueDate]).toEqual(['VIOLATED', '2026-02-01']);
  });

  it('both time axes: a contract recorded after knownAt does not count then', () => {
    const b = base();
    b.at('2025-10-01T12:00:00.000Z');
    contract(b, 'c1', '2025-08-01');
    expect(outcome(findingsOn(b, '2025-09-15', '2025-10-01T11:59:59.000Z'), 'CONTRACT_FOR_EACH_ASSIGNMENT')).toEqual(['VIOLATED']);
    expect(outcome(findingsOn(b, '2025-09-15', LATER), 'CONTRACT_FOR_EACH_ASSIGNMENT')).toEqual(['MET']);
  });

  it('a retracted contract covers nothing', () => {
    const b = base();
    const c = contract(b, 'c1', '2025-08-01');
    b.retract(c, 'agency');
    expect(outcome(findingsOn(b, '2025-09-15'), 'CONTRACT_FOR_EACH_ASSIGNMENT')).toEqual(['VIOLATED']);
  });

  it('before 2025-09-01 every agency finding is NOT_APPLICABLE', () => {
    const b = withPolicy();
    b.assign('a1', '2025-08-20');
    expect(findingsOn(b, '2025-08-31').map((f) => f.outcome)).toEqual(['NOT_APPLICABLE', 'NOT_APPLICABLE', 'NOT_APPLICABLE']);
  });
});

describe('CONTRACT_TERMS', () => {
  const run = (clauses: Record<string, string | null>, day = '2025-10-01') => {
    const b = withPolicy();
    b.assign('a1', '2025-09-02');
    contract(b, 'c1', '2025-08-01', undefined, ['Central High'], clauses);
    return findingsOn(b, day).filter((f) => f.rule === 'CONTRACT_TERMS');
  };
  it.each([
    ['every clause addressed', {}, 'MET'],
    ['no de-escalation clause ("should")', { deescalationResources: null }, 'ADVISORY'],
    ['no attire clause ("must")', { attire: null }, 'VIOLATED'],
    ['no role in selection ("shall")', { districtRoleInSelection: null }, 'VIOLATED'],
    ['no public notification ("shall")', { publicNotification: null }, 'VIOLATED'],
    ['no data practices ("must")', { dataPractices: null }, 'VIOLATED'],
    ['no duties per subd. 2 ("shall")', { dutiesPerSubd2: null }, 'VIOLATED'],
    ['data practices and de-escalation missing', { dataPractices: null, deescalationResources: null }, 'VIOLATED'],
  ])('%s: %s', (_n, missing, expected) => {
    const [f] = run({ ...ALL_CLAUSES, ...missing });
    expect([f.outcome, f.contractId]).toEqual([expected, 'c1']);
    if (expected === 'VIOLATED') expect(f.dueDate).toBe('2025-09-01');
    if (expected === 'ADVISORY') expect(f.dueDate).toBeUndefined();
  });

  it('an amendment that adds the missing clause cures it from its effectiveOn', () => {
    const b = withPolicy();
    b.assign('a1', '2025-09-02');
    contract(b, 'c1', '2025-08-01', undefined, ['Central High'], { ...ALL_CLAUSES, attire: null });
    b.event('agency', 'SroContractAmended', { contractId: 'c1', effectiveOn: '2025-11-01', clauses: { attire: '§9' } });
    expect(outcome(findingsOn(b, '2025-10-31'), 'CONTRACT_TERMS')).toEqual(['VIOLATED']);
    expect(outcome(findingsOn(b, '2025-11-01'), 'CONTRACT_TERMS')).toEqual(['MET']);
  });

  it('one finding per contract in force; none in force: one NOT_APPLICABLE', () => {
    const b = withPolicy();
    b.assign('a1', '2025-09-02');
    contract(b, 'c1', '2025-08-01');
    contract(b, 'c2', '2025-08-01', '2025-12-31', ['North Middle'], { ...ALL_CLAUSES, deescalationResources: null });
    expect(findingsOn(b, '2025-10-01').filter((f) => f.rule === 'CONTRACT_TERMS').map((f) => [f.contractId, f.outcome])).toEqual([
      ['c1', 'MET'],
      ['c2', 'ADVISORY'],
    ]);
    expect(outcome(new LedgerBuilder().ledger() && findingsOn(withPolicy(), '2025-10-01'), 'CONTRACT_TERMS')).toEqual(['NOT_APPLICABLE']);
  });
});

describe('SRO_POLICY_ADOPTED', () => {
  const policy = (modelRevision?: string) => {
    const b = new LedgerBuilder();
    b.event('agency', 'SroPolicyAdopted', { version: 'v1', adoptedOn: '2025-08-01', ...(modelRevision ? { modelRevision } : {}) });
    b.review('v1', '2025-08-15');
    b.assign('a1', '2025-09-02');
    return b;
  };
  it.each([
    ['the latest model revision', '2025-10-23', 'MET', false],
    ['an older model revision: a reminder, not a violation', '2024-06-01', 'MET', true],
    ['no model revision recorded', undefined, 'MET', false],
  ])('%s', (_n, revision, expected, reminder) => {
    const b = policy(revision);
    expect(outcome(findingsOn(b, '2025-10-01'), 'SRO_POLICY_ADOPTED')).toEqual([expected]);
    const records = agencyRecordsKnownAt(b.ledger().agencyEvents, LATER);
    expect(agencyRemindersOn(records, '2025-10-01', 60).some((r) => r.kind === 'POLICY_MODEL_REVISION')).toBe(reminder);
  });

  it('no policy while an SRO serves: VIOLATED, due the duty start; the officer finding points to it', () => {
    const b = new LedgerBuilder();
    b.assign('a1', '2025-09-10');
    const f = findingsOn(b, '2025-10-01').find((x) => x.rule === 'SRO_POLICY_ADOPTED')!;
    expect([f.outcome, f.dueDate]).toEqual(['VIOLATED', '2025-09-10']);
    const review = officerStatus(b.ledger(), '2025-10-01', LATER).findings.find((x) => x.rule === 'POLICY_REVIEW_BEFORE_DUTY')!;
    expect(review.outcome).toBe('VIOLATED');
    expect(review.explanation).toContain('see the agency finding SRO_POLICY_ADOPTED');
  });

  it('a policy adopted on D+1 is not in force on D', () => {
    const b = new LedgerBuilder();
    b.assign('a1', '2025-09-02');
    b.policy('v1', '2025-10-02');
    expect(outcome(findingsOn(b, '2025-10-01'), 'SRO_POLICY_ADOPTED')).toEqual(['VIOLATED']);
    expect(outcome(findingsOn(b, '2025-10-02'), 'SRO_POLICY_ADOPTED')).toEqual(['MET']);
  });
});

describe('contract reminders', () => {
  it('a contract ending within the horizon (its last day, daysLeft 0 included); not past the horizon', () => {
    const b = withPolicy();
    contract(b, 'c1', '2025-08-01', '2026-06-30');
    const records = agencyRecordsKnownAt(b.ledger().agencyEvents, LATER);
    expect(agencyRemindersOn(records, '2026-06-30', 0).map((r) => [r.kind, r.dueDate, r.daysLeft, r.officerId])).toEqual([['CONTRACT_ENDING', '2026-06-30', 0, null]]);
    expect(agencyRemindersOn(records, '2026-05-01', 59)).toEqual([]); // 60 days left
    expect(agencyRemindersOn(records, '2026-05-01', 60).map((r) => r.dueDate)).toEqual(['2026-06-30']);
    expect(agencyRemindersOn(records, '2026-07-01', 60)).toEqual([]); // ended: not in force
  });

  it('an amendment extending the contract moves the reminder', () => {
    const b = withPolicy();
    contract(b, 'c1', '2025-08-01', '2026-06-30');
    b.event('agency', 'SroContractAmended', { contractId: 'c1', effectiveOn: '2026-06-01', effectiveTo: '2027-06-30' });
    const records = agencyRecordsKnownAt(b.ledger().agencyEvents, LATER);
    expect(agencyRemindersOn(records, '2026-05-15', 60)).toEqual([]);
  });

  it('an assignment starting within the horizon at a school no contract covers', () => {
    const b = withPolicy();
    contract(b, 'c1', '2025-08-01', undefined, ['Central High']);
    b.assign('a2', '2026-01-05', ['Central High', 'East Elementary']);
    const ledger = b.ledger();
    const records = agencyRecordsKnownAt(ledger.agencyEvents, LATER);
    const rs = contractRemindersFor(factsKnownAt(ledger, LATER), records, '2025-12-01', 60);
    expect(rs.map((r) => [r.kind, r.officerId, r.dueDate, r.daysLeft])).toEqual([['CONTRACT_MISSING', 'off-1', '2026-01-05', 35]]);
    expect(rs[0].message).toContain('East Elementary');
    expect(rs[0].message).not.toContain('Central High,');
    expect(contractRemindersFor(factsKnownAt(ledger, LATER), records, '2025-12-01', 34)).toEqual([]);
  });
});

describe('corrections and separations, on both time axes', () => {
  const corrected = () => {
    const b = withPolicy();
    b.event('officer', 'OfficerRegistered', { officerId: 'off-1', name: 'Pat Ofiser', licenseNumber: 'L-1' });
    b.assign('a1', '2025-09-02');
    b.at('2026-02-01T12:00:00.000Z');
    b.event('officer', 'OfficerDetailsCorrected', { name: 'Pat Officer', reason: 'misspelled' });
    b.event('officer', 'OfficerDetailsCorrected', { licenseNumber: 'L-2', reason: 'typo' });
    return b;
  };

  it('a name corrected after knownAt still shows the old name at knownAt', () => {
    const ledger = corrected().ledger();
    expect([factsKnownAt(ledger, '2026-02-01T11:59:59.999Z').name, factsKnownAt(ledger, '2026-02-01T11:59:59.999Z').licenseNumber]).toEqual(['Pat Ofiser', 'L-1']);
    expect([factsKnownAt(ledger, LATER).name, factsKnownAt(ledger, LATER).licenseNumber]).toEqual(['Pat Officer', 'L-2']);
    // The correction is effective when recorded, whatever the asOf: the agency report of an earlier day, as known now, shows the new name.
    expect(agencyStatus([ledger], '2025-10-01', LATER).officers.map((o) => o.name)).toEqual(['Pat Officer']);
    expect(agencyStatus([ledger], '2025-10-01', '2026-01-01T00:00:00.000Z').officers.map((o) => o.name)).toEqual(['Pat Ofiser']);
  });

  it('a retracted correction no longer shows', () => {
    const b = corrected();
    const last = b.officerEvents.find((e) => e.type === 'OfficerDetailsCorrected')!.eventId;
    b.retract(last);
    expect(factsKnownAt(b.ledger(), LATER).name).toBe('Pat Ofiser');
  });

  const separated = (reason = 'LEFT_AGENCY') => {
    const b = withPolicy();
    b.trained('t1', 'MN_SRO_BASIC', '2025-08-20');
    b.assign('a1', '2025-09-02');
    b.at('2026-03-05T12:00:00.000Z');
    const id = b.event('officer', 'OfficerSeparated', { separatedOn: '2026-03-01', reason });
    return { b, id };
  };

  it.each(['LEFT_AGENCY', 'ENTERED_IN_ERROR'])('separated (%s): NOT_ASSIGNED and off the report from separatedOn, not the day before', (reason) => {
    const { b, id } = separated(reason);
    const ledger = b.ledger();
    expect(officerStatus(ledger, '2026-02-28', LATER).status).toBe('COMPLIANT');
    const s = officerStatus(ledger, '2026-03-01', LATER);
    expect(s.status).toBe('NOT_ASSIGNED');
    expect(s.findings.every((f) => f.outcome === 'NOT_APPLICABLE' && f.evidence.includes(id))).toBe(true);
    expect(agencyStatus([ledger], '2026-02-28', LATER).officers).toHaveLength(1);
    expect(agencyStatus([ledger], '2026-03-01', LATER).officers).toHaveLength(0);
    expect(agencyStatus([ledger], '2026-03-01', LATER).counts.NOT_ASSIGNED).toBe(0);
    // As the records stood before the separation was recorded, the officer is on the report.
    expect(agencyStatus([ledger], '2026-03-01', '2026-03-05T11:59:59.999Z').officers).toHaveLength(1);
  });

  it('a separated officer has no reminders, and counts for no agency finding', () => {
    const { b } = separated();
    const ledger = b.ledger();
    expect(remindersFor(ledger, '2028-08-01', LATER, 60)).toEqual([]);
    expect(officerOnDay(factsKnownAt(ledger, LATER), '2026-03-01')).toBeNull();
  });

  it('a retracted separation puts the officer back', () => {
    const { b, id } = separated();
    b.retract(id);
    expect(officerStatus(b.ledger(), '2026-03-01', LATER).status).toBe('COMPLIANT');
  });
});

describe('POLICY_REVIEW_BEFORE_DUTY cites the sentence of each case (part 4)', () => {
  const citation = (b: LedgerBuilder, day: string) => officerStatus(b.ledger(), day, LATER).findings.find((f) => f.rule === 'POLICY_REVIEW_BEFORE_DUTY')!.citation;
  it('an officer in the six-month grace: subd. 3(c)', () => {
    const b = withPolicy();
    b.assign('a1', '2025-09-02');
    b.unavailable('a1', '2025-09-02');
    expect(citation(b, '2025-10-01')).toBe(CITATION_GRACE);
  });
  it('a substitute: the policy\'s "Substitute SROs"', () => {
    const b = withPolicy();
    b.sub('2025-09-10');
    expect(citation(b, '2025-10-01')).toBe(CITATION_SUBSTITUTE);
  });
  it("any other SRO: the product's reading, said plainly", () => {
    const b = withPolicy();
    b.trained('t1', 'MN_SRO_BASIC', '2025-08-20');
    b.assign('a1', '2025-09-02');
    expect(citation(b, '2025-10-01')).toBe(CITATION_PRODUCT_READING);
    expect(CITATION_PRODUCT_READING).toMatch(/product's reading/);
  });
});
