/**
 * Facts that cannot have happened are refused (docs/decisions.md W12), as pure decisions (each
 * slice's, e.g. src/officers/record-training.ts) with the statute's and the model policy's dates,
 * then through LedgerWriter with a fixed clock on both sides of Minnesota midnight.
 */
import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '../../events/catalogue';
import type { RecordedEvent } from '../../events/envelope';
import { officerStream } from '../../events/streams';
import { CURRENT_SCHEMA_VERSION } from '../../events/upcasters';
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
import type { OfficerDecision, Target } from '../../src/write/decision';
import { LedgerWriter, todayInMinnesota, WriteContext } from '../../src/write/ledger-writer';
import { Invalid, Refusal } from '../../src/write/refusals';
import { foldAgency, foldOfficer } from '../../src/write/write-models';

/** The slices' decisions, by name. */
const decisions = { ASSIGN_OFFICER, DECLARE_TRAINING_UNAVAILABLE, END_ASSIGNMENT, FILE_CERTIFICATE, RECORD_POLICY_REVIEW, RECORD_SUBSTITUTE_DAY, RECORD_TRAINING, REGISTER_OFFICER };

const STATUTE = '2025-09-01'; // Minn. Stat. 626.8482 subd. 3: obligations begin
const MODEL_POLICY = '2025-10-23'; // the POST Board model policy revision
const LEGACY_DEADLINE = '2027-05-31'; // subd. 3(b): "before June 1, 2027"

let revision = 0;
function recorded(stream: string, event: DomainEvent, eventId: string = randomUUID()): RecordedEvent {
  return {
    eventId,
    stream,
    revision: revision++,
    type: event.type,
    schemaVersion: CURRENT_SCHEMA_VERSION[event.type],
    data: event.data,
    recordedAt: '2026-01-01T00:00:00.000Z',
    recordedBy: 'unit',
    correlationId: 'c',
  } as unknown as RecordedEvent;
}

/** The write models of an agency that adopted `2025-10` on the model policy's date, and an officer with assignment a1 and training t1. */
function models(options: { trainingRetracted?: boolean; policyRetracted?: boolean } = {}) {
  revision = 0;
  const agencyEvents = [
    recorded('agency-ramsey', { type: 'AgencyRegistered', data: { agencyId: 'ramsey', name: 'Ramsey' } }),
    recorded('agency-ramsey', { type: 'SroPolicyAdopted', data: { version: '2025-10', adoptedOn: MODEL_POLICY } }, 'policy-event'),
  ];
  if (options.policyRetracted) agencyEvents.push(recorded('agency-ramsey', { type: 'EventRetracted', data: { retractedEventId: 'policy-event', reason: 'x' } }));
  revision = 0;
  const officerEvents = [
    recorded('o', { type: 'OfficerRegistered', data: { officerId: 'o1', name: 'Lee' } }),
    recorded('o', { type: 'OfficerAssigned', data: { assignmentId: 'a1', schools: ['S'], startDate: STATUTE } }),
    recorded('o', { type: 'TrainingCompleted', data: { trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2025-08-20' } }, 'training-event'),
  ];
  if (options.trainingRetracted) officerEvents.push(recorded('o', { type: 'EventRetracted', data: { retractedEventId: 'training-event', reason: 'x' } }));
  return { officer: foldOfficer(officerEvents), agency: foldAgency(agencyEvents) };
}

const target = (today: string): Target => ({ agencyId: 'ramsey', officerId: 'o1', today });

/** The refusal of a decision as [status, messages], or 'accepted'. */
function outcome<I>(decision: OfficerDecision<I>, input: I, today: string, options?: Parameters<typeof models>[0]): 'accepted' | [number, string[]] {
  const { officer, agency } = models(options);
  const decided = decision.decide(input, { officer, agency }, target(today));
  return decided instanceof Refusal ? [decided.status, decided.messages] : 'accepted';
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
  const file = (filedOn: string, options?: Parameters<typeof models>[0]) =>
    outcome(decisions.FILE_CERTIFICATE, { trainingId: 't1', sha256: SHA, fileName: 'c.pdf', filedOn }, '2026-12-01', options);
  it.each([
    ['the day before completedOn', '2025-08-19', [400, ["filedOn must be on or after the training's completedOn 2025-08-20 (got 2025-08-19)"]]],
    ['long before (a year)', '2024-08-20', [400, ["filedOn must be on or after the training's completedOn 2025-08-20 (got 2024-08-20)"]]],
    ['on completedOn', '2025-08-20', 'accepted'],
    ['after completedOn, on the statute date', STATUTE, 'accepted'],
  ])('%s', (_name, filedOn, expected) => {
    expect(file(filedOn)).toEqual(expected);
  });

  it('a retracted training is not there to file a certificate for (404)', () => {
    const result = file('2025-08-25', { trainingRetracted: true });
    expect(result).toEqual([404, ['trainingId: officer o1 has no training t1']]);
  });
});

describe("a policy review dated before the version's adoptedOn is refused", () => {
  const review = (reviewedOn: string, options?: Parameters<typeof models>[0]) =>
    outcome(decisions.RECORD_POLICY_REVIEW, { version: '2025-10', reviewedOn }, '2026-12-01', options);
  it.each([
    ['the statute date (before the model policy version existed)', STATUTE, [400, ['reviewedOn must be on or after the adoptedOn 2025-10-23 of policy version "2025-10" (got 2025-09-01)']]],
    ['the day before adoption', '2025-10-22', [400, ['reviewedOn must be on or after the adoptedOn 2025-10-23 of policy version "2025-10" (got 2025-10-22)']]],
    ['the adoption day', MODEL_POLICY, 'accepted'],
    ['the day after', '2025-10-24', 'accepted'],
  ])('%s', (_name, reviewedOn, expected) => {
    expect(review(reviewedOn)).toEqual(expected);
  });

  it('a retracted adoption is a version never adopted (400)', () => {
    expect(review('2025-11-01', { policyRetracted: true })).toEqual([400, ['version: agency ramsey never adopted policy version "2025-10" (adopted: none)']]);
  });
});

describe('an endDate before its assignment\'s startDate is refused (already checked; confirmed)', () => {
  const end = (endDate: string) => outcome(decisions.END_ASSIGNMENT, { assignmentId: 'a1', endDate }, '2026-12-01');
  it.each([
    ['the day before the start', '2025-08-31', [400, ["endDate must be on or after the assignment's startDate 2025-09-01"]]],
    ['the start day (one day served)', STATUTE, 'accepted'],
    ['later', '2026-06-10', 'accepted'],
  ])('%s', (_name, endDate, expected) => {
    expect(end(endDate)).toEqual(expected);
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
