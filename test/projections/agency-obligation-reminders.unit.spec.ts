/**
 * The agency's own obligations in the reminders (docs/decisions.md W33): each agency finding
 * violated on asOf is an overdue item due the day it became violated; SRO_POLICY_ADOPTED and
 * CONTRACT_TERMS that will be violated within the horizon are due items. On the statute's own
 * dates: its obligations begin 2025-09-01.
 */
import {
  AGENCY_CITATIONS,
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
  type Reminder,
} from '../../projections';
import { LATER, LedgerBuilder, withPolicy } from './ledger-builder';

const ALL_CLAUSES = { dutiesPerSubd2: '§2', attire: '§3', districtRoleInSelection: '§4', deescalationResources: '§5', publicNotification: '§6', dataPractices: '§7' };
const NO_ATTIRE = { ...ALL_CLAUSES, attire: null };

function contract(b: LedgerBuilder, id: string, from: string, schools: string[], clauses: Record<string, string | null> = ALL_CLAUSES, to?: string): string {
  return b.event('agency', 'SroContractRecorded', { contractId: id, district: 'ISD 1', schools, effectiveFrom: from, ...(to ? { effectiveTo: to } : {}), clauses });
}

/** Every reminder of a one-officer agency, composed as GET .../reminders composes them (src/agencies/reminders.ts). */
function allReminders(b: LedgerBuilder, asOf: string, horizonDays: number, knownAt = LATER): Reminder[] {
  const ledger = b.ledger();
  const records = agencyRecordsKnownAt(ledger.agencyEvents, knownAt);
  const facts = factsKnownAt(ledger, knownAt);
  return [
    ...agencyRemindersOn(records, asOf, horizonDays),
    ...remindersFromFacts(facts, asOf, horizonDays),
    ...contractRemindersFor(facts, records, asOf, horizonDays),
    ...agencyObligationReminders(records, [officerOnDay(facts, asOf)], [dutyStartAhead(facts, asOf, horizonDays)], asOf, horizonDays),
  ].sort(compareReminders);
}

const agencyOwn = (rs: Reminder[]) => rs.filter((r) => r.officerId === null).map((r) => [r.kind, r.rule, r.dueDate, r.daysLeft]);

describe('the agency’s own obligations as reminders', () => {
  // [name, build the ledger, asOf, horizon, the agency's items: [kind, rule, dueDate, daysLeft]]
  const cases: [string, () => LedgerBuilder, string, number, (string | number)[][]][] = [
    [
      'an SRO assigned 2025-09-02 to a school no contract covers: overdue since the assignment’s first day',
      () => {
        const b = withPolicy();
        b.assign('a1', '2025-09-02', ['Central High']);
        contract(b, 'c1', '2025-08-01', ['North Middle']);
        return b;
      },
      '2025-10-01',
      60,
      [['SCHOOL_NOT_COVERED', 'CONTRACT_FOR_EACH_ASSIGNMENT', '2025-09-02', -29]],
    ],
    [
      'an SRO serving since 2024 without any contract: overdue since 2025-09-01, when the obligations begin',
      () => {
        const b = withPolicy();
        b.assign('a1', '2024-09-03');
        return b;
      },
      '2025-10-01',
      0,
      [['SCHOOL_NOT_COVERED', 'CONTRACT_FOR_EACH_ASSIGNMENT', '2025-09-01', -30]],
    ],
    [
      'before 2025-09-01 nothing is violated; the coverage is not an agency item yet',
      () => {
        const b = withPolicy();
        b.assign('a1', '2024-09-03');
        return b;
      },
      '2025-08-31',
      0,
      [],
    ],
    [
      'a covering contract without the attire clause (a "must"): CONTRACT_TERMS overdue since 2025-09-01',
      () => {
        const b = withPolicy();
        b.assign('a1', '2025-09-02');
        contract(b, 'c1', '2025-08-01', ['Central High'], NO_ATTIRE);
        return b;
      },
      '2025-10-01',
      60,
      [['CONTRACT_TERMS_MISSING', 'CONTRACT_TERMS', '2025-09-01', -30]],
    ],
    [
      'a contract missing only the de-escalation clause (a "should"): advisory, no reminder',
      () => {
        const b = withPolicy();
        b.assign('a1', '2025-09-02');
        contract(b, 'c1', '2025-08-01', ['Central High'], { ...ALL_CLAUSES, deescalationResources: null });
        return b;
      },
      '2025-10-01',
      60,
      [],
    ],
    [
      'an SRO from 2025-09-10 and no policy adopted: SRO_POLICY_ADOPTED overdue since the duty start',
      () => {
        const b = new LedgerBuilder();
        b.assign('a1', '2025-09-10');
        contract(b, 'c1', '2025-08-01', ['Central High']);
        return b;
      },
      '2025-10-01',
      0,
      [['POLICY_NOT_ADOPTED', 'SRO_POLICY_ADOPTED', '2025-09-10', -21]],
    ],
    [
      'no policy, an SRO starting 2025-09-02: due that day, 18 days ahead of 2025-08-15',
      () => {
        const b = new LedgerBuilder();
        b.assign('a1', '2025-09-02');
        contract(b, 'c1', '2025-08-01', ['Central High']);
        return b;
      },
      '2025-08-15',
      18,
      [['POLICY_NOT_ADOPTED', 'SRO_POLICY_ADOPTED', '2025-09-02', 18]],
    ],
    [
      '... and not within a 17-day horizon',
      () => {
        const b = new LedgerBuilder();
        b.assign('a1', '2025-09-02');
        contract(b, 'c1', '2025-08-01', ['Central High']);
        return b;
      },
      '2025-08-15',
      17,
      [],
    ],
    [
      'no policy, an SRO serving since 2024: due 2025-09-01, when the obligations begin',
      () => {
        const b = new LedgerBuilder();
        b.assign('a1', '2024-09-03');
        contract(b, 'c1', '2024-08-01', ['Central High']);
        return b;
      },
      '2025-08-15',
      30,
      [['POLICY_NOT_ADOPTED', 'SRO_POLICY_ADOPTED', '2025-09-01', 17]],
    ],
    [
      'a policy adopted before the duty starts: nothing for the agency',
      () => {
        const b = new LedgerBuilder();
        b.policy('v1', '2025-08-20');
        b.assign('a1', '2025-09-02');
        contract(b, 'c1', '2025-08-01', ['Central High']);
        return b;
      },
      '2025-08-15',
      30,
      [],
    ],
    [
      'a contract taking effect 2025-11-01 without the data practices clause: due that day',
      () => {
        const b = withPolicy();
        b.assign('a1', '2025-09-02');
        contract(b, 'c1', '2025-08-01', ['Central High'], ALL_CLAUSES, '2025-10-31');
        contract(b, 'c2', '2025-11-01', ['Central High'], { ...ALL_CLAUSES, dataPractices: null });
        return b;
      },
      '2025-10-15',
      30,
      [
        ['CONTRACT_ENDING', 'CONTRACT_FOR_EACH_ASSIGNMENT', '2025-10-31', 16],
        ['CONTRACT_TERMS_MISSING', 'CONTRACT_TERMS', '2025-11-01', 17],
      ],
    ],
    [
      'a contract in force before 2025-09-01 without the attire clause: due 2025-09-01, when the rules begin',
      () => {
        const b = withPolicy();
        b.assign('a1', '2024-09-03');
        contract(b, 'c1', '2024-08-01', ['Central High'], NO_ATTIRE);
        return b;
      },
      '2025-08-15',
      17,
      [['CONTRACT_TERMS_MISSING', 'CONTRACT_TERMS', '2025-09-01', 17]],
    ],
    [
      'an amendment dropping the attire clause from 2026-01-01: due that day',
      () => {
        const b = withPolicy();
        b.assign('a1', '2025-09-02');
        contract(b, 'c1', '2025-08-01', ['Central High']);
        b.event('agency', 'SroContractAmended', { contractId: 'c1', effectiveOn: '2026-01-01', clauses: { attire: null } });
        return b;
      },
      '2025-12-01',
      31,
      [['CONTRACT_TERMS_MISSING', 'CONTRACT_TERMS', '2026-01-01', 31]],
    ],
    [
      'everything in order: no agency item',
      () => {
        const b = withPolicy();
        b.assign('a1', '2025-09-02');
        contract(b, 'c1', '2025-08-01', ['Central High']);
        return b;
      },
      '2025-10-01',
      365,
      [],
    ],
    [
      'a separated officer’s assignment asks for no contract',
      () => {
        const b = withPolicy();
        b.assign('a1', '2025-09-02');
        b.event('officer', 'OfficerSeparated', { separatedOn: '2025-09-20', reason: 'resigned' });
        return b;
      },
      '2025-10-01',
      60,
      [],
    ],
  ];

  it.each(cases)('%s', (_name, build, asOf, horizon, expected) => {
    expect(agencyOwn(allReminders(build(), asOf, horizon))).toEqual(expected);
  });

  it('the reported scenario: a contract that does not cover the SRO’s school is overdue at 60 days, and at 365 days beside the contract’s end', () => {
    const b = withPolicy();
    b.trained('t1', 'MN_SRO_BASIC', '2025-08-20');
    b.assign('a1', '2025-09-02', ['Central High']);
    contract(b, 'c1', '2025-08-01', ['North Middle'], NO_ATTIRE, '2026-06-30');
    const at60 = allReminders(b, '2025-10-01', 60);
    expect(agencyOwn(at60)).toEqual([
      ['CONTRACT_TERMS_MISSING', 'CONTRACT_TERMS', '2025-09-01', -30],
      ['SCHOOL_NOT_COVERED', 'CONTRACT_FOR_EACH_ASSIGNMENT', '2025-09-02', -29],
    ]);
    expect(at60.every((r) => r.officerId === null)).toBe(true); // the officer has nothing of their own
    const [terms, school] = at60;
    expect(terms).toMatchObject({ scope: 'AGENCY', subject: 'The agency: SRO contract c1 with ISD 1', contractId: 'c1', citation: AGENCY_CITATIONS.CONTRACT_TERMS });
    expect(terms.message).toContain('attire');
    expect(terms.message).toContain('Was due 2025-09-01: 30 day(s) overdue.');
    expect(school).toMatchObject({ scope: 'AGENCY', subject: 'The agency', citation: AGENCY_CITATIONS.CONTRACT_FOR_EACH_ASSIGNMENT });
    expect(school.message).toMatch(/^The agency: record an SRO contract/);
    expect(school.message).toContain('Central High (officer off-1, assignment a1, uncovered since 2025-09-02)');
    expect(school.message).toContain(`(${AGENCY_CITATIONS.CONTRACT_FOR_EACH_ASSIGNMENT})`);
    expect(agencyOwn(allReminders(b, '2025-10-01', 365))).toEqual([
      ['CONTRACT_TERMS_MISSING', 'CONTRACT_TERMS', '2025-09-01', -30],
      ['SCHOOL_NOT_COVERED', 'CONTRACT_FOR_EACH_ASSIGNMENT', '2025-09-02', -29],
      ['CONTRACT_ENDING', 'CONTRACT_FOR_EACH_ASSIGNMENT', '2026-06-30', 272],
    ]);
  });

  it('every violated agency finding on asOf has its overdue item, due on the finding’s due date', () => {
    const b = new LedgerBuilder();
    b.assign('a1', '2025-09-10', ['Central High']);
    contract(b, 'c1', '2025-08-01', ['North Middle'], NO_ATTIRE);
    const ledger = b.ledger();
    const records = agencyRecordsKnownAt(ledger.agencyEvents, LATER);
    const facts = factsKnownAt(ledger, LATER);
    const violated = agencyFindingsOn(records, [officerOnDay(facts, '2025-12-01')], '2025-12-01').filter((f) => f.outcome === 'VIOLATED');
    expect(violated.map((f) => f.rule)).toEqual(['SRO_POLICY_ADOPTED', 'CONTRACT_FOR_EACH_ASSIGNMENT', 'CONTRACT_TERMS']);
    const items = allReminders(b, '2025-12-01', 0).filter((r) => r.officerId === null);
    expect(items.map((r) => [r.rule, r.dueDate]).sort()).toEqual(violated.map((f) => [f.rule, f.dueDate]).sort());
    for (const r of items) expect(r.citation).toBe(violated.find((f) => f.rule === r.rule)!.citation);
  });

  it('both time axes: the contract recorded later is not known at an earlier knownAt', () => {
    const b = withPolicy();
    b.assign('a1', '2025-09-02', ['Central High']);
    b.at('2025-10-05T12:00:00.000Z');
    contract(b, 'c1', '2025-08-01', ['Central High']);
    expect(agencyOwn(allReminders(b, '2025-10-01', 0, '2025-10-05T11:00:00.000Z'))).toEqual([['SCHOOL_NOT_COVERED', 'CONTRACT_FOR_EACH_ASSIGNMENT', '2025-09-02', -29]]);
    expect(agencyOwn(allReminders(b, '2025-10-01', 0))).toEqual([]);
  });

  it('refuses a bad asOf or horizon like the officers’ reminders', () => {
    const records = agencyRecordsKnownAt([], LATER);
    expect(() => agencyObligationReminders(records, [], [], '2025-02-30', 60)).toThrow(RangeError);
    expect(() => agencyObligationReminders(records, [], [], '2025-10-01', -1)).toThrow(RangeError);
  });
});
