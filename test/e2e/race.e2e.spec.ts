/**
 * The expected-revision guard, proven through the routes: a competing append is made to land
 * exactly between the writer's read of its stream and its own append (a hook in front of the
 * real store, test/support/store-wrapper.ts), so the race is lost every time, not now and then.
 * The write must answer exactly 409 with the "record changed" message and append nothing; the
 * competitor's event stays; a retry then succeeds. A competing append elsewhere (another
 * officer's enrolment on the shared roster) must not make the write fail.
 */
import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../../events/envelope';
import { agencyStream, officerStream, rosterStream } from '../../events/streams';
import { openEventStore } from '../../src/store/backends';
import type { EventStore } from '../../src/store/event-store.port';
import { interceptAppends, Interference } from '../support/store-wrapper';
import { Harness, startHarness, storeHeads } from './http-harness';

const A = 'race-pd';
const CHANGED = { statusCode: 409, error: 'Conflict', message: ['the record changed while this write was being made; reload and try again'] };

let h: Harness;
let admin: string;
const interference = new Interference();

beforeAll(async () => {
  h = await startHarness({ openStore: async (url) => interceptAppends(await openEventStore(url), interference) });
  admin = (await h.agency(A)).admin;
});
afterAll(() => h.close());

const post = (path: string, body: object, headers: Record<string, string> = {}) =>
  h.http().post(`/api/agencies/${A}${path}`).set('Authorization', `Bearer ${admin}`).set(headers).send(body);

const event = (type: string, data: object): NewEvent => ({
  eventId: randomUUID(),
  type,
  schemaVersion: 1,
  data,
  metadata: { recordedBy: 'competitor', correlationId: randomUUID() },
});

/**
 * Arms a competing append on `stream`, sends the write, and checks that it lost: exactly the
 * 409 body, the store exactly as the competitor left it, the competitor's events there.
 */
async function loses(stream: string, compete: (inner: EventStore) => Promise<string[]>, write: () => Promise<{ status: number; body: unknown }>) {
  let afterCompetitor: string | undefined;
  let competitorIds: string[] = [];
  interference.arm(stream, async (inner) => {
    competitorIds = await compete(inner);
    afterCompetitor = await storeHeads(inner);
  });
  const res = await write();
  expect(interference.fired).toBe(true);
  expect({ status: res.status, body: res.body }).toEqual({ status: 409, body: CHANGED });
  expect(await storeHeads(h.store)).toBe(afterCompetitor);
  for (const id of competitorIds) expect(await h.store.readEvent(id, { stream })).toMatchObject({ eventId: id, recordedBy: 'competitor' });
}

afterEach(() => interference.disarm());

it('a registration that loses to a competing registration of the same officer: 409, no second registration, one enrolment', async () => {
  const officerId = 'contested';
  const stream = officerStream(A, officerId);
  await loses(
    stream,
    async (inner) => {
      const registered = event('OfficerRegistered', { officerId, name: 'First Writer' });
      const enrolled = event('OfficerEnrolled', { officerId });
      await inner.appendMany([
        { stream, events: [registered], expectedRevision: 'no_stream' },
        { stream: rosterStream(A), events: [enrolled], expectedRevision: 'any' },
      ]);
      return [registered.eventId];
    },
    () => post('/officers', { officerId, name: 'Second Writer' }),
  );
  expect((await h.store.readStream(stream)).map((e) => [e.type, (e.data as { name?: string }).name])).toEqual([['OfficerRegistered', 'First Writer']]);
  const enrolments = (await h.store.readStream(rosterStream(A))).filter((e) => (e.data as { officerId: string }).officerId === officerId);
  expect(enrolments).toHaveLength(1);
  // Reload and try again: the officer exists now, so the retry is the ordinary duplicate (409, another message).
  const retry = await post('/officers', { officerId, name: 'Second Writer' });
  expect(retry.body).toMatchObject({ statusCode: 409, message: [`officerId: officer ${officerId} is already registered`] });
});

it('a substitute day that loses to a competing append to the officer stream: 409, nothing appended; the retry is recorded', async () => {
  await post('/officers', { officerId: 'sub', name: 'Sam Sub' }).expect(201);
  const stream = officerStream(A, 'sub');
  await loses(
    stream,
    async (inner) => {
      const competing = event('SubstituteDayServed', { date: '2025-10-01', school: 'Competing School' });
      await inner.appendToStream(stream, [competing], { expectedRevision: 0 });
      return [competing.eventId];
    },
    () => post('/officers/sub/substitute-days', { date: '2025-10-02', school: 'Our School' }),
  );
  expect((await h.store.readStream(stream)).map((e) => e.type)).toEqual(['OfficerRegistered', 'SubstituteDayServed']);
  const retry = await post('/officers/sub/substitute-days', { date: '2025-10-02', school: 'Our School' });
  expect(retry.status).toBe(201);
  expect((await h.store.readStream(stream)).map((e) => (e.data as { school?: string }).school)).toEqual([undefined, 'Competing School', 'Our School']);
});

it('a keyed write that loses the race is a 409 too, and leaves its Idempotency-Key unused', async () => {
  await post('/officers', { officerId: 'keyed', name: 'Kim Keyed' }).expect(201);
  const stream = officerStream(A, 'keyed');
  const key = { 'Idempotency-Key': `keyed-${randomUUID()}` };
  const body = { trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2025-08-20' };
  await loses(
    stream,
    async (inner) => {
      const competing = event('PolicyReviewed', { version: 'v0', reviewedOn: '2025-08-01' });
      await inner.appendToStream(stream, [competing], { expectedRevision: 'any' });
      return [competing.eventId];
    },
    () => post('/officers/keyed/trainings', body, key),
  );
  const first = await post('/officers/keyed/trainings', body, key);
  expect(first.status).toBe(201);
  const again = await post('/officers/keyed/trainings', body, key);
  expect(again.body).toEqual(first.body);
  expect((await h.store.readStream(stream)).filter((e) => e.type === 'TrainingCompleted')).toHaveLength(1);
});

it('a policy adoption that loses to a competing append to the agency stream: 409, nothing appended', async () => {
  const stream = agencyStream(A);
  await loses(
    stream,
    async (inner) => {
      const competing = event('SroPolicyAdopted', { version: 'competing', adoptedOn: '2025-08-01' });
      await inner.appendToStream(stream, [competing], { expectedRevision: 'any' });
      return [competing.eventId];
    },
    () => post('/policies', { version: 'ours', adoptedOn: '2025-08-02' }),
  );
  expect((await h.store.readStream(stream)).map((e) => (e.data as { version?: string }).version)).toEqual([undefined, 'competing']);
});

it('a registration is not refused when another officer enrols on the shared roster between its read and its append', async () => {
  const stream = officerStream(A, 'calm');
  let before = -1;
  interference.arm(stream, async (inner) => {
    before = (await inner.readStream(rosterStream(A))).length;
    const other = officerStream(A, 'meanwhile');
    await inner.appendMany([
      { stream: other, events: [event('OfficerRegistered', { officerId: 'meanwhile', name: 'Meanwhile' })], expectedRevision: 'no_stream' },
      { stream: rosterStream(A), events: [event('OfficerEnrolled', { officerId: 'meanwhile' })], expectedRevision: 'any' },
    ]);
  });
  const res = await post('/officers', { officerId: 'calm', name: 'Cal Calm' });
  expect(interference.fired).toBe(true);
  expect(res.status).toBe(201);
  const roster = (await h.store.readStream(rosterStream(A))).map((e) => (e.data as { officerId: string }).officerId);
  expect(roster.slice(before)).toEqual(['meanwhile', 'calm']);
});
