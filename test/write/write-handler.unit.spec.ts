/**
 * A write slice's command handler made from its descriptor (src/write/write-handler.ts): the
 * decision gets the body with the path's fields besides the officer, on the officer the path (or,
 * for a registration, the body) names. On the in-memory store.
 */
import { randomUUID } from 'node:crypto';
import { officerStream } from '../../events/streams';
import { RegisterAgencyCommand, RegisterAgencyHandler } from '../../src/agencies/register-agency';
import { AssignOfficerCommand } from '../../src/officers/assign-officer';
import { END_ASSIGNMENT_SLICE, EndAssignmentCommand } from '../../src/officers/end-assignment';
import { REGISTER_OFFICER_SLICE, RegisterOfficerCommand } from '../../src/officers/register-officer';
import { ASSIGN_OFFICER_SLICE } from '../../src/officers/assign-officer';
import { MemoryEventStore } from '../../src/store/memory/memory-event-store';
import { LedgerWriter } from '../../src/write/ledger-writer';
import { writeHandler } from '../../src/write/write-handler';

const ctx = () => ({ agencyId: 'ramsey-so', recordedBy: 'unit', correlationId: randomUUID() });

it('runs the slice’s decision with the body and the path’s fields, on the officer of the path or of the body', async () => {
  const store = new MemoryEventStore();
  const writer = new LedgerWriter(store);
  await new RegisterAgencyHandler(writer).execute(new RegisterAgencyCommand(ctx(), 'Ramsey County Sheriff'));
  const Register = writeHandler(REGISTER_OFFICER_SLICE);
  const Assign = writeHandler(ASSIGN_OFFICER_SLICE);
  const End = writeHandler(END_ASSIGNMENT_SLICE);
  expect(Register.name).toBe('RegisterOfficerHandler');
  await new Register(writer).execute(new RegisterOfficerCommand(ctx(), { officerId: 'o1', name: 'Lee' }));
  await new Assign(writer).execute(new AssignOfficerCommand(ctx(), 'o1', { assignmentId: 'a1', schools: ['Central High'], startDate: '2025-09-02' }));
  await new End(writer).execute(new EndAssignmentCommand(ctx(), 'o1', 'a1', { endDate: '2026-06-10' }));
  const events = await store.readStream(officerStream('ramsey-so', 'o1'));
  expect(events.map((e) => [e.type, e.data])).toEqual([
    ['OfficerRegistered', expect.objectContaining({ officerId: 'o1', name: 'Lee' })],
    ['OfficerAssigned', expect.objectContaining({ assignmentId: 'a1', schools: ['Central High'], startDate: '2025-09-02' })],
    ['AssignmentEnded', expect.objectContaining({ assignmentId: 'a1', endDate: '2026-06-10' })],
  ]);
});
