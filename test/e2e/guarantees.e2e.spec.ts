/**
 * Guarantees of the routes that no other end-to-end test pins (on the store SRO_STORE names):
 * - reminders answer as the records stood at `knownAt`;
 * - a revoked token, and a token of another agency, are refused on every read route;
 * - an Idempotency-Key makes agency-level writes (policy adoption, agency retraction) safe to retry;
 * - decision 8(a): a TrainingUnavailableDeclared dated after duty start covers the run from its
 *   start (and, as known before it was recorded, it did not);
 * - the default asOf is today in America/Chicago, checked in a way that holds across midnight;
 * - the CSV of the agency status quotes commas and quotes, and neutralises formulas.
 */
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { AccessRegistry } from '../../src/auth/access-registry';
import { Harness, startHarness, storeHeads } from './http-harness';

const A = 'ramsey-pd';
const B = 'hennepin-pd';
let h: Harness;
let tokens: Awaited<ReturnType<Harness['agency']>>;
let other: Awaited<ReturnType<Harness['agency']>>;

beforeAll(async () => {
  h = await startHarness();
  tokens = await h.agency(A);
  other = await h.agency(B);
  await post('/policies', { version: 'v1', adoptedOn: '2025-08-01' });
  await post('/officers', { officerId: 'reader', name: 'Rae Reader' });
});
afterAll(() => h.close());

const get = (path: string, token = tokens.admin) => h.http().get(`/api/agencies/${A}${path}`).set('Authorization', `Bearer ${token}`);
async function post(path: string, body: object, headers: Record<string, string> = {}, agency = A, token = tokens.admin) {
  const res = await h.http().post(`/api/agencies/${agency}${path}`).set('Authorization', `Bearer ${token}`).set(headers).send(body);
  expect({ path, status: res.status, body: res.body }).toMatchObject({ path, status: 201 });
  return res.body as { eventId: string; recordedAt: string };
}

/** Resolves once the clock has passed `instant`: an instant after it is then strictly later. */
async function after(instant: string): Promise<void> {
  while (Date.now() <= Date.parse(instant)) await new Promise((resolve) => setImmediate(resolve));
}

const chicagoToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Chicago' }).format(new Date());

describe('reminders on the knownAt axis', () => {
  it('list what was due as the records stood at knownAt, and not what was recorded after it', async () => {
    await post('/officers', { officerId: 'late', name: 'Lee Late' });
    await post('/officers/late/policy-reviews', { version: 'v1', reviewedOn: '2025-08-15' });
    const assigned = await post('/officers/late/assignments', { assignmentId: 'a1', schools: ['Harding High'], startDate: '2025-09-02' });
    await after(assigned.recordedAt);
    await post('/officers/late/trainings', { trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2025-10-15' });
    await post('/officers/late/trainings/t1/certificate', { sha256: 'd'.repeat(64), fileName: 'late.pdf', filedOn: '2025-10-16' });

    const knownAt = assigned.recordedAt;
    const then = await get(`/reminders?asOf=2025-12-01&horizonDays=30&knownAt=${encodeURIComponent(knownAt)}`, tokens.chief);
    expect(then.status).toBe(200);
    expect(then.body).toMatchObject({ asOf: '2025-12-01', knownAt, horizonDays: 30 });
    const lates = (body: { items: { officerId: string; rule: string; dueDate: string; daysLeft: number }[] }) =>
      body.items.filter((i) => i.officerId === 'late').map((i) => [i.rule, i.dueDate, i.daysLeft]);
    expect(lates(then.body)).toEqual([['TRAINING_BEFORE_DUTY', '2025-09-02', -90]]);
    const now = await get('/reminders?asOf=2025-12-01&horizonDays=30', tokens.chief);
    expect(Date.parse(now.body.knownAt)).toBeGreaterThan(Date.parse(knownAt));
    expect(lates(now.body)).toEqual([]);
    // Before the officer was registered, the officer was not in the records at all.
    const before = await get(`/reminders?asOf=2025-12-01&knownAt=2020-01-01T00:00:00Z`, tokens.chief);
    expect(before.body.items).toEqual([]);
  });
});

describe('tokens on the read routes', () => {
  const routes = ['/officers/reader/status', '/status', '/reminders', '/officers/reader/history', '/integrity'];

  it.each(routes)('GET %s: 401 for a revoked token, 403 for a token of another agency, 200 for the agency’s own', async (route) => {
    const name = `soon-revoked-${randomUUID().slice(0, 8)}`;
    const revoked = await h.token(A, 'admin', name);
    expect((await get(route, revoked)).status).toBe(200);
    await h.app.get(AccessRegistry).revoke({ agencyId: A, name, reason: 'test', recordedBy: 'test' });
    const refused = await get(route, revoked);
    expect({ status: refused.status, body: refused.body }).toMatchObject({ status: 401, body: { statusCode: 401, message: ['Authorization: the token is unknown or revoked'] } });

    const foreign = await get(route, other.admin);
    expect({ status: foreign.status, body: foreign.body }).toMatchObject({ status: 403, body: { statusCode: 403, message: [`this token is bound to agency ${B}, not ${A}`] } });
    expect(JSON.stringify(foreign.body)).not.toContain('Rae Reader');
    expect((await get(route)).status).toBe(200);
  });
});

describe('Idempotency-Key on agency-level writes', () => {
  it('a retried policy adoption gets the first answer and appends nothing; another request with the key is a 422', async () => {
    const key = { 'Idempotency-Key': `policy-${randomUUID()}` };
    const first = await post('/policies', { version: 'v-idem', adoptedOn: '2025-08-02' }, key);
    const before = await storeHeads(h.store);
    const again = await post('/policies', { version: 'v-idem', adoptedOn: '2025-08-02' }, key);
    expect(again).toEqual(first);
    expect(await storeHeads(h.store)).toBe(before);
    const changed = await h.http().post(`/api/agencies/${A}/policies`).set('Authorization', `Bearer ${tokens.admin}`).set(key).send({ version: 'v-idem-2', adoptedOn: '2025-08-02' });
    expect(changed.status).toBe(422);
    expect(changed.body.message[0]).toMatch(/^Idempotency-Key was already used for a different request \(event [0-9a-f-]{36}, SroPolicyAdopted\)/);
    expect(await storeHeads(h.store)).toBe(before);
    // The key is the agency's own: another agency may use it for its own adoption.
    const elsewhere = await h.http().post(`/api/agencies/${B}/policies`).set('Authorization', `Bearer ${other.admin}`).set(key).send({ version: 'v-idem', adoptedOn: '2025-08-02' });
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.body.eventId).not.toBe(first.eventId);
  });

  it('a retried agency retraction gets the first answer and appends nothing, though the event is retracted by then', async () => {
    const adopted = await post('/policies', { version: 'v-typo', adoptedOn: '2025-08-03' });
    const key = { 'Idempotency-Key': `retract-${randomUUID()}` };
    const first = await post('/retractions', { eventId: adopted.eventId, reason: 'typo in the version' }, key);
    const before = await storeHeads(h.store);
    expect(await post('/retractions', { eventId: adopted.eventId, reason: 'typo in the version' }, key)).toEqual(first);
    expect(await storeHeads(h.store)).toBe(before);
    // Without the key, the same retraction is refused as a duplicate.
    const unkeyed = await h.http().post(`/api/agencies/${A}/retractions`).set('Authorization', `Bearer ${tokens.admin}`).send({ eventId: adopted.eventId, reason: 'typo in the version' });
    expect(unkeyed.status).toBe(409);
    expect(await storeHeads(h.store)).toBe(before);
  });
});

describe('decision 8(a): a declaration dated after duty start covers the run from its start', () => {
  it('is CONDITIONAL under the grace from the first day of duty, though declared a month later; not as known before it was recorded', async () => {
    // An agency of its own, with one policy version: nothing else of this file changes its answers.
    const W = 'washington-so';
    const own = await h.agency(W);
    const write = (path: string, body: object) => post(path, body, {}, W, own.admin);
    const read = (path: string) => h.http().get(`/api/agencies/${W}${path}`).set('Authorization', `Bearer ${own.auditor}`);
    await write('/policies', { version: 'v1', adoptedOn: '2025-08-01' });
    await write('/officers', { officerId: 'grace', name: 'Gale Grace' });
    await write('/officers/grace/policy-reviews', { version: 'v1', reviewedOn: '2025-08-20' });
    const assigned = await write('/officers/grace/assignments', { assignmentId: 'a1', schools: ['Como Park High'], startDate: '2025-09-02' });
    await after(assigned.recordedAt);
    await write('/officers/grace/assignments/a1/training-unavailable', { declaredOn: '2025-10-01', reason: 'no course seats before spring' });

    const rule = (body: { findings: { rule: string }[] }, id: string) => body.findings.find((f) => f.rule === id);
    for (const asOf of ['2025-09-02', '2025-09-10', '2025-10-01', '2026-03-02']) {
      const res = await read(`/officers/grace/status?asOf=${asOf}`);
      expect({ asOf, status: res.body.status }).toEqual({ asOf, status: 'CONDITIONAL' });
      expect(rule(res.body, 'TRAINING_BEFORE_DUTY')).toMatchObject({ outcome: 'EXEMPT' });
      expect(rule(res.body, 'TRAINING_GRACE_6_MONTHS')).toMatchObject({ outcome: 'PENDING', dueDate: '2026-03-02' });
      expect(res.body.restrictedDuties.length).toBeGreaterThan(0);
    }
    expect((await read('/officers/grace/status?asOf=2026-03-03')).body.status).toBe('NON_COMPLIANT');
    // As the records stood before the declaration was recorded: untrained at duty start, no exception.
    const known = await read(`/officers/grace/status?asOf=2025-09-10&knownAt=${encodeURIComponent(assigned.recordedAt)}`);
    expect(known.body.status).toBe('NON_COMPLIANT');
    expect(rule(known.body, 'TRAINING_BEFORE_DUTY')).toMatchObject({ outcome: 'VIOLATED', dueDate: '2025-09-02' });
  });
});

describe('today in America/Chicago', () => {
  it.each([
    ['/officers/reader/status', 'auditor'],
    ['/status', 'chief'],
    ['/reminders', 'chief'],
  ] as const)('%s without asOf answers for the Minnesota date at the moment it was asked', async (route, role) => {
    // The server reads its clock between these two readings of ours: its date is one of them
    // (both the same except across midnight in Chicago).
    const before = chicagoToday();
    const res = await get(route, tokens[role]);
    const afterwards = chicagoToday();
    expect(res.status).toBe(200);
    expect([before, afterwards]).toContain(res.body.asOf);
    expect(res.body.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('the agency status as CSV', () => {
  it('quotes names with commas and quotes, neutralises a formula, and parses back to the JSON answer', async () => {
    await post('/officers', { officerId: 'quoted', name: 'Doe, "JJ" Jr.' });
    await post('/officers', { officerId: 'formula', name: '=HYPERLINK("http://example.invalid","click, here")' });
    await post('/officers/quoted/assignments', { assignmentId: 'a1', schools: ['Central, "Main" Campus'], startDate: '2025-09-02' });
    const knownAt = new Date().toISOString();
    const query = `/status?asOf=2025-10-01&knownAt=${encodeURIComponent(knownAt)}`;
    const json = (await get(query, tokens.auditor)).body;
    const csv = await get(query, tokens.auditor).set('Accept', 'text/csv');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const all = parse(csv.text, { columns: true, bom: true }) as Record<string, string>[];
    // The last row is the agency's own findings (officerId "(agency)", never an officer's id).
    expect(all[all.length - 1].officerId).toBe('(agency)');
    const rows = all.slice(0, -1);
    expect(rows.map((r) => r.officerId)).toEqual(json.officers.map((o: { officerId: string }) => o.officerId));
    const byId = new Map(rows.map((r) => [r.officerId, r]));
    expect(byId.get('quoted')).toMatchObject({ name: 'Doe, "JJ" Jr.', status: 'NON_COMPLIANT', asOf: '2025-10-01', knownAt });
    expect(byId.get('formula')!.name).toBe(`'=HYPERLINK("http://example.invalid","click, here")`);
    for (const officer of json.officers as { officerId: string; status: string; findings: { rule: string; outcome: string; dueDate?: string; citation: string }[] }[]) {
      const open = officer.findings
        .filter((f) => f.outcome === 'VIOLATED' || f.outcome === 'PENDING')
        .map((f) => `${f.rule} ${f.outcome}${f.dueDate ? ` due ${f.dueDate}` : ''} (${f.citation})`)
        .join('; ');
      expect(byId.get(officer.officerId)).toMatchObject({ status: officer.status, openFindings: open });
    }
    expect(byId.get('quoted')!.openFindings).toContain('policy "Training"');
  });
});
