/**
 * Unit tests of the write side's invariants (docs/reference.md#records-and-events) through
 * LedgerWriter and the command handlers, on the in-memory store: what is refused, with which error,
 * and that a refused or conflicting write appends nothing.
 */
import { randomUUID } from 'node:crypto';
import { officerStream } from '../../events/streams';
import { RecordedEvent } from '../../events/envelope';
import { RegisterAgencyHandler, RegisterAgencyCommand } from '../../src/agencies/register-agency';
import { EndAssignmentCommand, EndAssignmentHandler } from '../../src/officers/end-assignment';
import { RegisterOfficerCommand, RegisterOfficerHandler } from '../../src/officers/register-officer';
import { AssignOfficerCommand, AssignOfficerHandler } from '../../src/officers/assign-officer';
import { RETRACT_OFFICER_EVENT } from '../../src/officers/retract-event';
import { EventStore, WrongExpectedRevisionError } from '../../src/store/event-store.port';
import { MemoryEventStore } from '../../src/store/memory/memory-event-store';
import { LedgerWriter, WriteContext } from '../../src/write/ledger-writer';
import { Conflict, NotFound } from '../../src/write/refusals';
import { foldOfficer } from '../../src/write/write-models';

const ctx = (overrides: Partial<WriteContext> = {}): WriteContext => ({
  agencyId: 'ramsey-so',
  recordedBy: 'unit',
  correlationId: randomUUID(),
  ...overrides,
});

async function setup(store: EventStore = new MemoryEventStore()) {
  const writer = new LedgerWriter(store);
  await new RegisterAgencyHandler(writer).execute(new RegisterAgencyCommand(ctx(), 'Ramsey County Sheriff'));
  await new RegisterOfficerHandler(writer).execute(new RegisterOfficerCommand(ctx(), { officerId: 'o1', name: 'Lee' }));
  return { store, writer };
}

describe('LedgerWriter invariants', () => {
  it('refuses a second registration of an agency with 409', async () => {
    const { writer } = await setup();
    await expect(new RegisterAgencyHandler(writer).execute(new RegisterAgencyCommand(ctx(), 'Again'))).rejects.toBeInstanceOf(Conflict);
  });

  it('404 for an agency that is not registered', async () => {
    const { writer } = await setup();
    const command = new RegisterOfficerCommand(ctx({ agencyId: 'nowhere' }), { officerId: 'o2', name: 'N' });
    await expect(new RegisterOfficerHandler(writer).execute(command)).rejects.toBeInstanceOf(NotFound);
  });

  it('ends an assignment once; an end date before the start is refused', async () => {
    const { store, writer } = await setup();
    await new AssignOfficerHandler(writer).execute(new AssignOfficerCommand(ctx(), 'o1', { assignmentId: 'a', schools: ['S'], startDate: '2025-09-02' }));
    const end = new EndAssignmentHandler(writer);
    await expect(end.execute(new EndAssignmentCommand(ctx(), 'o1', 'a', { endDate: '2025-09-01' }))).rejects.toMatchObject({ status: 400 });
    await end.execute(new EndAssignmentCommand(ctx(), 'o1', 'a', { endDate: '2025-12-19' }));
    await expect(end.execute(new EndAssignmentCommand(ctx(), 'o1', 'a', { endDate: '2025-12-20' }))).rejects.toBeInstanceOf(Conflict);
    const model = foldOfficer(await store.readStream(officerStream('ramsey-so', 'o1')));
    expect(model.assignments.get('a')).toEqual({ startDate: '2025-09-02', endDate: '2025-12-19' });
    expect(model.revision).toBe(2);
  });

  it('a writer that lost a race between its read and its append gets WrongExpectedRevisionError and appends nothing', async () => {
    const inner = new MemoryEventStore();
    const { writer } = await setup(inner);
    // A store whose reads of o1's stream let a competing write land right after the read.
    let compete = true;
    const racing: EventStore = Object.assign(Object.create(inner) as EventStore, {
      async readStream(stream: string, options?: { fromRevision?: number }): Promise<RecordedEvent[]> {
        const events = await inner.readStream(stream, options);
        if (compete && stream === officerStream('ramsey-so', 'o1')) {
          compete = false;
          await new AssignOfficerHandler(writer).execute(new AssignOfficerCommand(ctx(), 'o1', { assignmentId: 'first', schools: ['S'], startDate: '2025-09-02' }));
        }
        return events;
      },
    });
    const loser = new AssignOfficerHandler(new LedgerWriter(racing));
    await expect(
      loser.execute(new AssignOfficerCommand(ctx(), 'o1', { assignmentId: 'second', schools: ['S'], startDate: '2025-09-03' })),
    ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    const model = foldOfficer(await inner.readStream(officerStream('ramsey-so', 'o1')));
    expect([...model.assignments.keys()]).toEqual(['first']);
  });

  it('an idempotent retry returns the first answer even after later writes', async () => {
    const { store, writer } = await setup();
    const handler = new AssignOfficerHandler(writer);
    const body = { assignmentId: 'x', schools: ['S'], startDate: '2025-09-02' };
    const first = await handler.execute(new AssignOfficerCommand(ctx({ idempotencyKey: 'k1' }), 'o1', body));
    await handler.execute(new AssignOfficerCommand(ctx(), 'o1', { ...body, assignmentId: 'y' }));
    const retry = await handler.execute(new AssignOfficerCommand(ctx({ idempotencyKey: 'k1' }), 'o1', body));
    expect(retry).toEqual(first);
    expect((await store.readStream(officerStream('ramsey-so', 'o1'))).length).toBe(3);
  });
});

describe('foldOfficer', () => {
  it('leaves retracted events out, and a retracted end re-opens the assignment', async () => {
    const { store, writer } = await setup();
    await new AssignOfficerHandler(writer).execute(new AssignOfficerCommand(ctx(), 'o1', { assignmentId: 'a', schools: ['S'], startDate: '2025-09-02' }));
    const ended = await new EndAssignmentHandler(writer).execute(new EndAssignmentCommand(ctx(), 'o1', 'a', { endDate: '2025-12-19' }));
    await writer.officerCommand(ctx(), 'o1', RETRACT_OFFICER_EVENT, { eventId: ended.eventId, reason: 'typo' });
    const model = foldOfficer(await store.readStream(officerStream('ramsey-so', 'o1')));
    expect(model.assignments.get('a')).toEqual({ startDate: '2025-09-02' });
    expect(model.retracted).toEqual(new Set([ended.eventId]));
  });
});
