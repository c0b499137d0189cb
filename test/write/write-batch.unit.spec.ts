/**
 * The one write engine (src/write/write-batch.ts, docs/decisions.md W41): a single write and an
 * import are the same batch, so the clock, the Idempotency-Key, the registration checks and the
 * roster enrolment behave alike on both entry points. On the in-memory store.
 */
import { randomUUID } from 'node:crypto';
import { officerStream, rosterStream } from '../../events/streams';
import { REGISTER_AGENCY } from '../../src/agencies/register-agency';
import { BulkImporter } from '../../src/import/bulk-import';
import { RECORD_TRAINING } from '../../src/officers/record-training';
import { REGISTER_OFFICER } from '../../src/officers/register-officer';
import { MemoryEventStore } from '../../src/store/memory/memory-event-store';
import { LedgerWriter } from '../../src/write/ledger-writer';
import { NotFound } from '../../src/write/refusals';
import { WriteBatch } from '../../src/write/write-batch';

const A = 'ramsey-so';
const metadata = { recordedBy: 'unit', correlationId: 'c' };
const ctx = () => ({ agencyId: A, recordedBy: 'unit', correlationId: randomUUID() });
/** Noon in Minnesota on 2025-09-01. */
const clock = () => new Date('2025-09-01T17:00:00Z');

async function agency() {
  const store = new MemoryEventStore();
  await new LedgerWriter(store).agencyCommand(ctx(), REGISTER_AGENCY, { name: 'Ramsey County Sheriff' });
  return store;
}

describe('WriteBatch', () => {
  it('decides each command against the ones before it and appends them with the roster enrolment in one commit', async () => {
    const store = await agency();
    const batch = new WriteBatch(store, { agencyId: A, metadata, today: '2025-09-01' });
    const registered = await batch.add({ scope: 'officer', decision: REGISTER_OFFICER as never, officerId: 'o1', input: { officerId: 'o1', name: 'Lee' } });
    const trained = await batch.add({ scope: 'officer', decision: RECORD_TRAINING as never, officerId: 'o1', input: { trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2025-08-20' } });
    expect([registered.kind, trained.kind]).toEqual(['accepted', 'accepted']);
    const again = await batch.add({ scope: 'officer', decision: RECORD_TRAINING as never, officerId: 'o1', input: { trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2025-08-20' } });
    expect(again).toMatchObject({ kind: 'refused', keyUnused: true, refusal: { status: 409 } });
    expect(await store.readStream(officerStream(A, 'o1'))).toEqual([]);
    const results = await batch.commit();
    expect(results.map((r) => r.events.length)).toEqual([2, 1]);
    expect((await store.readStream(officerStream(A, 'o1'))).map((e) => e.type)).toEqual(['OfficerRegistered', 'TrainingCompleted']);
    expect((await store.readStream(rosterStream(A))).map((e) => e.data)).toEqual([{ officerId: 'o1' }]);
  });

  it('refuses an officer who is not registered, and a key already used answers with its first event', async () => {
    const store = await agency();
    const first = new WriteBatch(store, { agencyId: A, metadata, today: '2025-09-01' });
    const unknown = await first.add({ scope: 'officer', decision: RECORD_TRAINING as never, officerId: 'nobody', input: { trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2025-08-20' } });
    expect(unknown.kind === 'refused' && unknown.refusal).toBeInstanceOf(NotFound);
    const register = { scope: 'officer' as const, decision: REGISTER_OFFICER as never, officerId: 'o1', input: { officerId: 'o1', name: 'Lee' }, idempotencyKey: 'k1' };
    expect((await first.add(register)).kind).toBe('accepted');
    const [result] = await first.commit();
    const retry = new WriteBatch(store, { agencyId: A, metadata, today: '2025-09-01' });
    expect(await retry.add(register)).toEqual({ kind: 'duplicate', answer: { eventId: result.events[0].eventId, recordedAt: result.events[0].recordedAt } });
    expect(retry.pending).toBe(0);
  });
});

describe('one clock for both entry points', () => {
  it('the import reads today from the writers’ clock, as a single write does', async () => {
    const store = await agency();
    const training = { trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2025-09-05' };
    const single = new LedgerWriter(store, clock);
    await single.officerCommand(ctx(), 'o1', REGISTER_OFFICER, { officerId: 'o1', name: 'Lee' });
    await expect(single.officerCommand(ctx(), 'o1', RECORD_TRAINING, training as never)).rejects.toMatchObject({ messages: ['completedOn must not be after today in Minnesota, 2025-09-01 (got 2025-09-05)'] });
    const report = await new BulkImporter(store, clock).import([{ command: 'RecordTraining', officerId: 'o1', body: training }], { agencyId: A, recordedBy: 'unit' });
    expect(report.rejected).toEqual([{ index: 0, command: 'RecordTraining', statusCode: 400, messages: ['completedOn must not be after today in Minnesota, 2025-09-01 (got 2025-09-05)'] }]);
  });
});
