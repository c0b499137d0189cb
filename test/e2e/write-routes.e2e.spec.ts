/**
 * End-to-end tests of every write route (docs/reference.md#http-routes) against the real app on a
 * temporary SQLite file: 201 answers, field-level 400s, 401, 403, 404, 409, idempotent retries, and
 * that every refused write leaves the store untouched.
 */
import { randomUUID } from 'node:crypto';
import { AccessRegistry } from '../../src/auth/access-registry';
import { Harness, startHarness, storeHeads } from './http-harness';

const A = 'anoka-pd';
const SHA = 'a'.repeat(64);

let h: Harness;
let tokens: Awaited<ReturnType<Harness['agency']>>;
let admin: string;

beforeAll(async () => {
  h = await startHarness();
  tokens = await h.agency(A);
  admin = tokens.admin;
  await h.agency('other-pd');
});
afterAll(() => h.close());

const post = (path: string, body: unknown, token = admin, headers: Record<string, string> = {}) =>
  h.http().post(`/api${path}`).set('Authorization', `Bearer ${token}`).set(headers).send(body as object);

async function registerOfficer(officerId = `o-${randomUUID().slice(0, 8)}`): Promise<string> {
  const res = await post(`/agencies/${A}/officers`, { officerId, name: 'Pat Example', licenseNumber: 'L-1234' });
  expect(res.status).toBe(201);
  return officerId;
}

/** Sends a write that must be refused with `status`, and checks that no stream changed. */
async function refused(status: number, path: string, body: unknown, token = admin, headers: Record<string, string> = {}) {
  const before = await storeHeads(h.store);
  const res = await post(path, body, token, headers);
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { statusCode: status } });
  expect(Array.isArray(res.body.message)).toBe(true);
  expect(await storeHeads(h.store)).toBe(before);
  return res.body.message as string[];
}

describe('health', () => {
  it('answers 200 without a token', async () => {
    const res = await h.http().get('/api/health');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.projections.map((p: { name: string }) => p.name)).toEqual(['officer-ledgers.v4', 'agency-summaries']);
  });
});

describe('every write route answers 201 with eventId and recordedAt', () => {
  it('records a full officer record, visible in history with recordedBy = token name', async () => {
    const policy = await post(`/agencies/${A}/policies`, { version: '2025-10', adoptedOn: '2025-08-15' });
    expect(policy.status).toBe(201);
    const officerId = await registerOfficer();
    const o = `/agencies/${A}/officers/${officerId}`;
    const writes: [string, object][] = [
      [`${o}/assignments`, { assignmentId: 'as-1', schools: ['Anoka High School'], startDate: '2025-09-02' }],
      [`${o}/assignments/as-1/training-unavailable`, { declaredOn: '2025-08-20', reason: 'no course seats before September' }],
      [`${o}/substitute-days`, { date: '2025-10-01', school: 'Anoka Middle School' }],
      [`${o}/trainings`, { trainingId: 'tr-1', course: 'MN_SRO_BASIC', completedOn: '2025-11-14', provider: 'POST-approved provider', courseNumber: 'C-77' }],
      [`${o}/trainings/tr-1/certificate`, { sha256: SHA, fileName: 'certificate.pdf', filedOn: '2025-11-20' }],
      [`${o}/policy-reviews`, { version: '2025-10', reviewedOn: '2025-09-01' }],
      [`${o}/assignments/as-1/end`, { endDate: '2026-06-10' }],
    ];
    const ids: string[] = [];
    for (const [path, body] of writes) {
      const res = await post(path, body);
      expect({ path, status: res.status }).toEqual({ path, status: 201 });
      expect(Object.keys(res.body).sort()).toEqual(['eventId', 'recordedAt']);
      expect(res.body.recordedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      ids.push(res.body.eventId);
    }
    const retraction = await post(`${o}/retractions`, { eventId: ids[2], reason: 'recorded for the wrong officer' });
    expect(retraction.status).toBe(201);

    const history = await h.http().get(`/api${o}/history`).set('Authorization', `Bearer ${tokens.auditor}`);
    expect(history.status).toBe(200);
    const own = history.body.events.filter((e: { stream: string }) => e.stream === 'officer');
    const types = own.map((e: { type: string }) => e.type);
    expect(types).toEqual([
      'OfficerRegistered',
      'OfficerAssigned',
      'TrainingUnavailableDeclared',
      'SubstituteDayServed',
      'TrainingCompleted',
      'CertificateFiled',
      'PolicyReviewed',
      'AssignmentEnded',
      'EventRetracted',
    ]);
    const substitute = history.body.events.find((e: { eventId: string }) => e.eventId === ids[2]);
    expect(substitute).toMatchObject({ retracted: true, retractedBy: retraction.body.eventId, effectiveDate: '2025-10-01', recordedBy: 'admin-token' });
    const training = history.body.events.find((e: { type: string }) => e.type === 'TrainingCompleted');
    expect(training.data).toEqual({ trainingId: 'tr-1', course: 'MN_SRO_BASIC', completedOn: '2025-11-14', provider: 'POST-approved provider', courseNumber: 'C-77' });
  });

  it('retracts an agency-wide event through the agency retraction route', async () => {
    const adopted = await post(`/agencies/${A}/policies`, { version: 'draft-typo', adoptedOn: '2026-01-05' });
    expect(adopted.status).toBe(201);
    const res = await post(`/agencies/${A}/retractions`, { eventId: adopted.body.eventId, reason: 'wrong version label' });
    expect(res.status).toBe(201);
    await refused(409, `/agencies/${A}/retractions`, { eventId: adopted.body.eventId, reason: 'again' });
    // The retracted version no longer counts: a review of it is refused.
    const officerId = await registerOfficer();
    await refused(400, `/agencies/${A}/officers/${officerId}/policy-reviews`, { version: 'draft-typo', reviewedOn: '2026-01-06' });
  });
});

describe('400: field-level messages, nothing appended', () => {
  let o: string;
  beforeAll(async () => {
    o = `/agencies/${A}/officers/${await registerOfficer()}`;
  });

  it.each([
    ['an impossible date', `assignments`, { assignmentId: 'x1', schools: ['S'], startDate: '2025-02-30' }, 'startDate must be a real calendar date'],
    ['a date in another format', `assignments`, { assignmentId: 'x1', schools: ['S'], startDate: '09/02/2025' }, 'startDate must be a real calendar date'],
    ['an empty schools list', `assignments`, { assignmentId: 'x1', schools: [], startDate: '2025-09-02' }, 'schools must list at least one'],
    ['an unknown field', `assignments`, { assignmentId: 'x1', schools: ['S'], startDate: '2025-09-02', extra: 1 }, 'property extra should not exist'],
    ['a missing field', `trainings`, { trainingId: 't1', completedOn: '2025-09-02' }, 'course must be one of MN_SRO_BASIC'],
    ['an unknown course', `trainings`, { trainingId: 't1', course: 'ONLINE_VIDEO', completedOn: '2025-09-02' }, 'course must be one of'],
    ['Feb 29 of a common year', `trainings`, { trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2026-02-29' }, 'completedOn must be a real calendar date'],
    ['a bad identifier', `trainings`, { trainingId: 'has space', course: 'MN_SRO_BASIC', completedOn: '2025-09-02' }, 'trainingId must be 1-64 letters'],
    ['a bad substitute day', `substitute-days`, { date: '2025-13-01', school: 'S' }, 'date must be a real calendar date'],
    ['a non-UUID retraction target', `retractions`, { eventId: 'nope', reason: 'r' }, 'eventId must be a UUID'],
    ['an empty reason', `retractions`, { eventId: randomUUID(), reason: '' }, 'reason should not be empty'],
  ])('refuses %s', async (_case, path, body, message) => {
    const messages = await refused(400, `${o}/${path}`, body);
    expect(messages.join('\n')).toContain(message);
  });

  it('refuses a non-hex certificate hash', async () => {
    await post(`${o}/trainings`, { trainingId: 'cert-t', course: 'MN_SRO_BASIC', completedOn: '2025-09-02' }).expect(201);
    const messages = await refused(400, `${o}/trainings/cert-t/certificate`, { sha256: 'xyz', fileName: 'c.pdf', filedOn: '2025-09-03' });
    expect(messages).toContain('sha256 must be 64 hexadecimal characters');
  });

  it('refuses a review of a policy version the agency never adopted', async () => {
    const messages = await refused(400, `${o}/policy-reviews`, { version: 'never-adopted', reviewedOn: '2025-09-01' });
    expect(messages[0]).toMatch(/^version: agency anoka-pd never adopted policy version "never-adopted"/);
  });

  it('refuses an end date before the start date', async () => {
    await post(`${o}/assignments`, { assignmentId: 'early', schools: ['S'], startDate: '2025-09-02' }).expect(201);
    const messages = await refused(400, `${o}/assignments/early/end`, { endDate: '2025-09-01' });
    expect(messages).toEqual(["endDate must be on or after the assignment's startDate 2025-09-02"]);
  });

  it('refuses retracting an unknown event, a registration, or a retraction', async () => {
    await refused(400, `${o}/retractions`, { eventId: randomUUID(), reason: 'typo' });
    const history = await h.http().get(`/api${o}/history`).set('Authorization', `Bearer ${admin}`);
    const registration = history.body.events.find((e: { stream: string }) => e.stream === 'officer');
    expect(registration.type).toBe('OfficerRegistered');
    await refused(400, `${o}/retractions`, { eventId: registration.eventId, reason: 'typo' });
  });

  it('refuses a malformed path identifier and a non-JSON body', async () => {
    await refused(400, `/agencies/${A}/officers/bad%20id/substitute-days`, { date: '2025-10-01', school: 'S' });
    const before = await storeHeads(h.store);
    const res = await h.http().post(`/api${o}/substitute-days`).set('Authorization', `Bearer ${admin}`).set('Content-Type', 'application/json').send('{"date":');
    expect(res.status).toBe(400);
    expect(await storeHeads(h.store)).toBe(before);
  });
});

describe('401 and 403', () => {
  it('401 without a token, with an unknown token, and with a revoked token', async () => {
    const path = `/agencies/${A}/officers`;
    const temp = await h.token(A, 'admin', 'temporary-admin');
    await post(path, { officerId: 'before-revocation', name: 'X' }, temp).expect(201);
    await h.app.get(AccessRegistry).revoke({ agencyId: A, name: 'temporary-admin', reason: 'test', recordedBy: 'test' });
    const before = await storeHeads(h.store);
    expect((await h.http().post(`/api${path}`).send({ officerId: 'x', name: 'X' })).status).toBe(401);
    expect((await post(path, { officerId: 'x', name: 'X' }, 'sro_not-a-real-token')).status).toBe(401);
    const res = await post(path, { officerId: 'x', name: 'X' }, temp);
    expect(res.status).toBe(401);
    expect(res.body.message).toEqual(['Authorization: the token is unknown or revoked']);
    expect(await storeHeads(h.store)).toBe(before);
  });

  it.each(['auditor', 'chief', 'investigator'] as const)('403 for a %s token on a write route', async (role) => {
    await refused(403, `/agencies/${A}/officers`, { officerId: 'x', name: 'X' }, tokens[role]);
  });

  it("403 for another agency's path", async () => {
    const messages = await refused(403, `/agencies/other-pd/officers`, { officerId: 'x', name: 'X' });
    expect(messages).toEqual(['this token is bound to agency anoka-pd, not other-pd']);
  });

  it('403 on the history route for a chief', async () => {
    const officerId = await registerOfficer();
    const res = await h.http().get(`/api/agencies/${A}/officers/${officerId}/history`).set('Authorization', `Bearer ${tokens.chief}`);
    expect(res.status).toBe(403);
  });
});

describe('404: unknown officer, assignment or training', () => {
  it('404 for writes to an officer that is not registered', async () => {
    const messages = await refused(404, `/agencies/${A}/officers/nobody/substitute-days`, { date: '2025-10-01', school: 'S' });
    expect(messages).toEqual(['officer nobody is not registered with agency anoka-pd']);
    const history = await h.http().get(`/api/agencies/${A}/officers/nobody/history`).set('Authorization', `Bearer ${admin}`);
    expect(history.status).toBe(404);
  });

  it('404 for an unknown assignment and an unknown training', async () => {
    const o = `/agencies/${A}/officers/${await registerOfficer()}`;
    await refused(404, `${o}/assignments/none/end`, { endDate: '2026-01-01' });
    await refused(404, `${o}/assignments/none/training-unavailable`, { declaredOn: '2025-08-01', reason: 'r' });
    const messages = await refused(404, `${o}/trainings/none/certificate`, { sha256: SHA, fileName: 'c.pdf', filedOn: '2025-09-03' });
    expect(messages[0]).toMatch(/has no training none/);
  });

  it('a retracted training no longer takes a certificate', async () => {
    const o = `/agencies/${A}/officers/${await registerOfficer()}`;
    const training = await post(`${o}/trainings`, { trainingId: 'wrong', course: 'NASRO_BASIC', completedOn: '2024-05-01' });
    await post(`${o}/retractions`, { eventId: training.body.eventId, reason: 'entered twice' }).expect(201);
    await refused(404, `${o}/trainings/wrong/certificate`, { sha256: SHA, fileName: 'c.pdf', filedOn: '2025-09-03' });
    // ...and the trainingId may be recorded again, correctly.
    await post(`${o}/trainings`, { trainingId: 'wrong', course: 'MN_SRO_BASIC', completedOn: '2024-05-01' }).expect(201);
  });
});

describe('409: duplicates, ended assignments, retracted events, concurrency', () => {
  it('refuses a duplicate officerId, assignmentId, trainingId, policy version', async () => {
    const officerId = await registerOfficer();
    const o = `/agencies/${A}/officers/${officerId}`;
    await refused(409, `/agencies/${A}/officers`, { officerId, name: 'Someone Else' });
    await post(`${o}/assignments`, { assignmentId: 'dup', schools: ['S'], startDate: '2025-09-02' }).expect(201);
    await refused(409, `${o}/assignments`, { assignmentId: 'dup', schools: ['T'], startDate: '2025-09-03' });
    await post(`${o}/trainings`, { trainingId: 'dup', course: 'MN_SRO_BASIC', completedOn: '2025-08-01' }).expect(201);
    await refused(409, `${o}/trainings`, { trainingId: 'dup', course: 'MN_SRO_REFRESHER', completedOn: '2025-08-02' });
    await post(`/agencies/${A}/policies`, { version: 'v-dup', adoptedOn: '2025-08-01' }).expect(201);
    await refused(409, `/agencies/${A}/policies`, { version: 'v-dup', adoptedOn: '2025-08-02' });
  });

  it('refuses ending an assignment twice and retracting an event twice', async () => {
    const o = `/agencies/${A}/officers/${await registerOfficer()}`;
    await post(`${o}/assignments`, { assignmentId: 'a', schools: ['S'], startDate: '2025-09-02' }).expect(201);
    const ended = await post(`${o}/assignments/a/end`, { endDate: '2026-06-01' }).expect(201);
    const messages = await refused(409, `${o}/assignments/a/end`, { endDate: '2026-06-02' });
    expect(messages).toEqual(['assignmentId: assignment a already ended on 2026-06-01']);
    await post(`${o}/retractions`, { eventId: ended.body.eventId, reason: 'still assigned' }).expect(201);
    await refused(409, `${o}/retractions`, { eventId: ended.body.eventId, reason: 'still assigned' });
    // With the end retracted, the assignment can be ended again.
    await post(`${o}/assignments/a/end`, { endDate: '2026-06-05' }).expect(201);
  });

  it('concurrent writers on one stream: the losers get 409, nothing is lost or doubled', async () => {
    const officerId = `race-${randomUUID().slice(0, 8)}`;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => post(`/agencies/${A}/officers`, { officerId, name: `Racer ${i}` })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
    const o = `/agencies/${A}/officers/${officerId}`;
    const days = await Promise.all(
      Array.from({ length: 8 }, (_, i) => post(`${o}/substitute-days`, { date: `2025-10-${String(i + 10)}`, school: 'S' })),
    );
    const won = days.filter((r) => r.status === 201).length;
    expect(won).toBeGreaterThanOrEqual(1);
    expect(days.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    expect(await h.store.readStream(`officer-${A}/${officerId}`)).toHaveLength(1 + won);
  });
});

describe('Idempotency-Key', () => {
  it('a retried write returns the first answer and appends nothing', async () => {
    const o = `/agencies/${A}/officers/${await registerOfficer()}`;
    const key = { 'Idempotency-Key': `retry-${randomUUID()}` };
    const body = { trainingId: 'idem', course: 'MN_SRO_BASIC', completedOn: '2025-08-01' };
    const first = await post(`${o}/trainings`, body, admin, key).expect(201);
    const before = await storeHeads(h.store);
    const second = await post(`${o}/trainings`, body, admin, key).expect(201);
    expect(second.body).toEqual(first.body);
    expect(await storeHeads(h.store)).toBe(before);
  });

  it('concurrent retries with one key append exactly once', async () => {
    const officerId = `idem-${randomUUID().slice(0, 8)}`;
    const key = { 'Idempotency-Key': `reg-${officerId}` };
    const results = await Promise.all(Array.from({ length: 6 }, () => post(`/agencies/${A}/officers`, { officerId, name: 'Once' }, admin, key)));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
    expect(new Set(results.map((r) => r.body.eventId)).size).toBe(1);
    expect(await h.store.readStream(`officer-${A}/${officerId}`)).toHaveLength(1);
  });

  it('the same key with a different request is a 422, and keys are per agency', async () => {
    const o = `/agencies/${A}/officers/${await registerOfficer()}`;
    const key = { 'Idempotency-Key': `k-${randomUUID()}` };
    await post(`${o}/substitute-days`, { date: '2025-10-01', school: 'S' }, admin, key).expect(201);
    const messages = await refused(422, `${o}/substitute-days`, { date: '2025-10-02', school: 'S' }, admin, key);
    expect(messages[0]).toMatch(/Idempotency-Key was already used for a different request/);
    // Another agency may use the same key for its own write.
    const otherAdmin = await h.token('other-pd', 'admin', 'other-admin');
    await post(`/agencies/other-pd/officers`, { officerId: 'someone', name: 'S' }, otherAdmin, key).expect(201);
  });

  it('a malformed key is a 400', async () => {
    const o = `/agencies/${A}/officers/${await registerOfficer()}`;
    await refused(400, `${o}/substitute-days`, { date: '2025-10-01', school: 'S' }, admin, { 'Idempotency-Key': 'x'.repeat(300) });
  });
});
