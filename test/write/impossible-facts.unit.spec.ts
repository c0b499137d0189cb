/**
 * Facts that cannot have happened are refused (docs/decisions.md W12), as pure decisions (each
 * slice's, e.g. src/officers/record-training.ts, through test/support/decide.ts) with the
 * statute's and the model policy's dates: the one table of these refusals (the HTTP edge keeps one
 * case, test/e2e/impossible-facts.e2e.spec.ts; the import's parity with the writer is
 * test/import/impossible-facts.unit.spec.ts),
 * then through LedgerWriter with a fixed clock on both sides of Minnesota midnight.
 */
import { randomUUID } from 'node:crypto';
import { officerStream } from '../../events/streams';
import { RegisterAgencyCommand, RegisterAgencyHandler } from '../../src/agencies/register-agency';
import { ASSIGN_OFFICER } from '../../src/officers/assign-officer';
import { DECLARE_TRAINING_UNAVAILABLE } from '../../src/officers/declare-training-unavailable';
import { END_ASSIGNMENT } from '../../src/officers/end-assignment';
import { FILE_CERTIFICATE } from '../../src/officers/file-certificate';
import { RECORD_POLICY_REVIEW } from '../../src/officers/record-policy-review';
import { RECORD_SUBSTITUTE_DAY } from '../../src/officers/record-substitute-day';
import { RECORD_TRAINING } from '../../src/officers/record-training';
import { REGISTER_OFFICER } from '../../src/officers/register-officer';
import { MemoryEventStore } from '../../src/store/memory/memory-event-store';
import type { OfficerDecision } from '../../src/write/decision';
import { LedgerWriter, todayInMinnesota, WriteContext } from '../../src/write/ledger-writer';
import { Invalid } from '../../src/write/refusals';
import { accepted, agency, type Fact, given, officer, type Outcome, refused } from '../support/decide';

/** The slices' decisions, by name. */
const decisions = { ASSIGN_OFFICER, DECLARE_TRAINING_UNAVAILABLE, END_ASSIGNMENT, FILE_CERTIFICATE, RECORD_POLICY_REVIEW, RECORD_SUBSTITUTE_DAY, RECORD_TRAINING, REGISTER_OFFICER };

const STATUTE = '2025-09-01'; // Minn. Stat. 626.8482 subd. 3: obligations begin
const MODEL_POLICY = '2025-10-23'; // the POST Board model policy revision
const LEGACY_DEADLINE = '2027-05-31'; // subd. 3(b): "before June 1, 2027"

/** An agency that adopted `2025-10` on the model policy's date, and an officer with assignment a1 and training t1. */
function ramsey(options: { trainingRetracted?: boolean; policyRetracted?: boolean } = {}): Fact[] {
  return [
    agency({ type: 'AgencyRegistered', data: { agencyId: 'ramsey', name: 'Ramsey' } }),
    agency({ type: 'SroPolicyAdopted', data: { version: '2025-10', adoptedOn: MODEL_POLICY } }, 'policy-event'),
    ...(options.policyRetracted ? [agency({ type: 'EventRetracted', data: { retractedEventId: 'policy-event', reason: 'x' } })] : []),
    officer({ type: 'OfficerRegistered', data: { officerId: 'o1', name: 'Lee' } }),
    officer({ type: 'OfficerAssigned', data: { assignmentId: 'a1', schools: ['S'], startDate: STATUTE } }),
    officer({ type: 'TrainingCompleted', data: { trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2025-08-20' } }, 'training-event'),
    ...(options.trainingRetracted ? [officer({ type: 'EventRetracted', data: { retractedEventId: 'training-event', reason: 'x' } })] : []),
  ];
}

/** given(the agency and officer above).on(today).when(decision, input): its refusal as [status, messages], or 'accepted'. */
function outcome<I>(decision: OfficerDecision<I>, input: I, today: string, options?: Parameters<typeof ramsey>[0]): Outcome {
  return given(...ramsey(options)).on(today).when(decision, input).outcome;
}

const future = (field: string, today: string, date: string) => [400, [`${field} must not be after today in Minnesota, ${today} (got ${date})`]];
const SHA = 'a'.repeat(64);

describe('a date after today in Minnesota is refused; today itself is allowed', () => {
  // "Today" is the last day of the 2027 legacy deadline: the statute's own date, as a value.
  const TODAY = LEGACY_DEADLINE;
  const cases: [string, (date: string) => 'accepted' | [number, string[]], string][] = [
    ['completedOn', (d) => outcome(decisions.RECORD_TRAINING, { trainingId: 't2', course: 'MN_SRO_BASIC', completedOn: d }, TODAY), 'completedOn'],
    ['filedOn', (d) => outcome(decisions.FILE_CERTIFICATE, { trainingId: 't1', sha256: SHA, fileName: 'c.pdf', filedOn: d }, TODAY), 'filedOn'],
    ['reviewedOn', (d) => outcome(decisions.RECORD_POLICY_REVIEW, { version: '2025-10', reviewedOn: d }, TODAY), 'reviewedOn'],
    ['declaredOn', (d) => outcome(decisions.DECLARE_TRAINING_UNAVAILABLE, { assignmentId: 'a1', declaredOn: d, reason: 'no seats' }, TODAY), 'declaredOn'],
    ['substitute date', (d) => outcome(decisions.RECORD_SUBSTITUTE_DAY, { date: d, school: 'S' }, TODAY), 'date'],
  ];
  it.each(cases)('%s', (_name, run, field) => {
    expect(run('2027-05-30')).toBe('accepted');
    expect(run(LEGACY_DEADLINE)).toBe('accepted');
    expect(run('2027-06-01')).toEqual(future(field, TODAY, '2027-06-01'));
    expect(run('2099-01-01')).toEqual(future(field, TODAY, '2099-01-01'));
  });

  it('checks the date before looking the referent up (a body-only 400 before a 404)', () => {
    expect(outcome(decisions.FILE_CERTIFICATE, { trainingId: 'none', sha256: SHA, fileName: 'c.pdf', filedOn: '2027-06-01' }, TODAY)).toEqual(
      future('filedOn', TODAY, '2027-06-01'),
    );
    expect(outcome(decisions.RECORD_POLICY_REVIEW, { version: 'never', reviewedOn: '2027-06-01' }, TODAY)).toEqual(future('reviewedOn', TODAY, '2027-06-01'));
  });

  it('a future startDate (a planned assignment) and a future endDate stay allowed', () => {
    expect(outcome(decisions.ASSIGN_OFFICER, { assignmentId: 'a2', schools: ['S'], startDate: '2027-09-01' }, '2026-12-01')).toBe('accepted');
    expect(outcome(decisions.END_ASSIGNMENT, { assignmentId: 'a1', endDate: '2027-06-10' }, '2026-12-01')).toBe('accepted');
  });
});

describe('a certificate filed before its training was completed is refused', () => {
  const file = (filedOn: string, options?: Parameters<typeof ramsey>[0]) =>
    given(...ramsey(options)).on('2026-12-01').when(decisions.FILE_CERTIFICATE, { trainingId: 't1', sha256: SHA, fileName: 'c.pdf', filedOn });
  it.each([
    ['the day before completedOn', '2025-08-19', refused(400, "filedOn must be on or after the training's completedOn 2025-08-20 (got 2025-08-19)")],
    ['long before (a year)', '2024-08-20', refused(400, "filedOn must be on or after the training's completedOn 2025-08-20 (got 2024-08-20)")],
    ['on completedOn', '2025-08-20', accepted],
    ['after completedOn, on the statute date', STATUTE, accepted],
  ] as const)('%s', (_name, filedOn, expected) => {
    file(filedOn).then(expected);
  });

  it('a retracted training is not there to file a certificate for (404)', () => {
    file('2025-08-25', { trainingRetracted: true }).then(refused(404, 'trainingId: officer o1 has no training t1'));
  });
});

describe("a policy review dated before the version's adoptedOn is refused", () => {
  const review = (reviewedOn: string, options?: Parameters<typeof ramsey>[0]) =>
    given(...ramsey(options)).on('2026-12-01').when(decisions.RECORD_POLICY_REVIEW, { version: '2025-10', reviewedOn });
  it.each([
    ['the statute date (before the model policy version existed)', STATUTE, refused(400, 'reviewedOn must be on or after the adoptedOn 2025-10-23 of policy version "2025-10" (got 2025-09-01)')],
    ['the day before adoption', '2025-10-22', refused(400, 'reviewedOn must be on or after the adoptedOn 2025-10-23 of policy version "2025-10" (got 2025-10-22)')],
    ['the adoption day', MODEL_POLICY, accepted],
    ['the day after', '2025-10-24', accepted],
  ] as const)('%s', (_name, reviewedOn, expected) => {
    review(reviewedOn).then(expected);
  });

  it('a retracted adoption is a version never adopted (400)', () => {
    review('2025-11-01', { policyRetracted: true }).then(refused(400, 'version: agency ramsey never adopted policy version "2025-10" (adopted: none)'));
  });
});

describe('an endDate before its assignment\'s startDate is refused (already checked; confirmed)', () => {
  const end = (endDate: string) => given(...ramsey()).on('2026-12-01').when(decisions.END_ASSIGNMENT, { assignmentId: 'a1', endDate });
  it.each([
    ['the day before the start', '2025-08-31', refused(400, "endDate must be on or after the assignment's startDate 2025-09-01")],
    ['the start day (one day served)', STATUTE, accepted],
    ['later', '2026-06-10', accepted],
  ] as const)('%s', (_name, endDate, expected) => {
    end(endDate).then(expected);
  });

  it('the event recorded is the end as given', () => {
    end('2026-06-10').then({ type: 'AssignmentEnded', data: { assignmentId: 'a1', endDate: '2026-06-10' } });
  });

  it('an assignment already ended is a conflict (409), the day after it too', () => {
    given(...ramsey(), officer({ type: 'AssignmentEnded', data: { assignmentId: 'a1', endDate: '2026-06-10' } }))
      .on('2026-12-01')
      .when(decisions.END_ASSIGNMENT, { assignmentId: 'a1', endDate: '2026-06-11' })
      .then(refused(409, 'assignmentId: assignment a1 already ended on 2026-06-10'));
  });
});

describe("today in Minnesota, not in UTC nor the machine's zone", () => {
  it.each([
    // CST (UTC-6): 05:59:59.999Z is still the evening before in Minnesota.
    ['2026-03-01T05:59:59.999Z', '2026-02-28'],
    ['2026-03-01T06:00:00.000Z', '2026-03-01'],
    // CDT (UTC-5) in summer.
    ['2026-07-01T04:59:59.999Z', '2026-06-30'],
    ['2026-07-01T05:00:00.000Z', '2026-07-01'],
  ])('%s is %s', (instant, date) => {
    expect(todayInMinnesota(new Date(instant))).toBe(date);
  });
});

describe('through LedgerWriter: the writer reads its clock once per command and passes today in', () => {
  const ctx = (): WriteContext => ({ agencyId: 'ramsey', recordedBy: 'unit', correlationId: randomUUID() });

  async function setup(instant: string) {
    const store = new MemoryEventStore();
    const writer = new LedgerWriter(store, () => new Date(instant));
    await new RegisterAgencyHandler(writer).execute(new RegisterAgencyCommand(ctx(), 'Ramsey County Sheriff'));
    await writer.officerCommand(ctx(), 'o1', decisions.REGISTER_OFFICER, { officerId: 'o1', name: 'Lee' });
    return { store, writer };
  }

  it('at 23:59:59.999 in Minnesota (05:59:59.999Z) the UTC date is still tomorrow: refused, nothing appended', async () => {
    const { store, writer } = await setup('2026-03-01T05:59:59.999Z');
    const before = await store.readStream(officerStream('ramsey', 'o1'));
    const training = { trainingId: 't1', course: 'MN_SRO_BASIC' as const, completedOn: '2026-03-01' };
    await expect(writer.officerCommand(ctx(), 'o1', decisions.RECORD_TRAINING, training)).rejects.toThrow(Invalid);
    await expect(writer.officerCommand(ctx(), 'o1', decisions.RECORD_TRAINING, training)).rejects.toMatchObject({
      messages: ['completedOn must not be after today in Minnesota, 2026-02-28 (got 2026-03-01)'],
    });
    expect(await store.readStream(officerStream('ramsey', 'o1'))).toEqual(before);
    await writer.officerCommand(ctx(), 'o1', decisions.RECORD_TRAINING, { ...training, completedOn: '2026-02-28' });
  });

  it('from Minnesota midnight (06:00Z) the same fact is accepted', async () => {
    const { writer } = await setup('2026-03-01T06:00:00.000Z');
    await expect(
      writer.officerCommand(ctx(), 'o1', decisions.RECORD_TRAINING, { trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2026-03-01' }),
    ).resolves.toMatchObject({ eventId: expect.any(String) });
  });

  it('a certificate before its training through the writer: 400, nothing appended', async () => {
    const { store, writer } = await setup('2026-03-01T12:00:00.000Z');
    await writer.officerCommand(ctx(), 'o1', decisions.RECORD_TRAINING, { trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2026-02-20' });
    const before = (await store.readStream(officerStream('ramsey', 'o1'))).length;
    await expect(
      writer.officerCommand(ctx(), 'o1', decisions.FILE_CERTIFICATE, { trainingId: 't1', sha256: SHA, fileName: 'c.pdf', filedOn: '2026-02-19' }),
    ).rejects.toMatchObject({ status: 400, messages: ["filedOn must be on or after the training's completedOn 2026-02-20 (got 2026-02-19)"] });
    expect(await store.readStream(officerStream('ramsey', 'o1'))).toHaveLength(before);
  });

  it('without a clock given, the writer uses the system clock', async () => {
    const store = new MemoryEventStore();
    const writer = new LedgerWriter(store);
    await new RegisterAgencyHandler(writer).execute(new RegisterAgencyCommand(ctx(), 'Ramsey County Sheriff'));
    await writer.officerCommand(ctx(), 'o1', decisions.REGISTER_OFFICER, { officerId: 'o1', name: 'Lee' });
    // Far enough ahead that no midnight between these lines can make it today.
    await expect(
      writer.officerCommand(ctx(), 'o1', decisions.RECORD_SUBSTITUTE_DAY, { date: '2199-12-31', school: 'S' }),
    ).rejects.toMatchObject({ status: 400 });
    // A date that is in the past whatever the clock says (the statute's start).
    await expect(writer.officerCommand(ctx(), 'o1', decisions.RECORD_SUBSTITUTE_DAY, { date: STATUTE, school: 'S' })).resolves.toBeDefined();
  });
});
