/**
 * Decision 23 through the routes: a supplemental course recorded for an officer who had no SSC or
 * NASRO basic course before 2025-09-01 is accepted (the record is a fact), and the officer's
 * status says why it does not satisfy subd. 3(a), naming the course and its POST number.
 */
import { Harness, startHarness } from './http-harness';

let h: Harness;
let tokens: Awaited<ReturnType<Harness['agency']>>;
const A = 'courses-pd';

beforeAll(async () => {
  h = await startHarness();
  tokens = await h.agency(A);
});
afterAll(async () => {
  await h.close();
});

const post = (path: string, body: object) => h.http().post(`/api/agencies/${A}${path}`).set('Authorization', `Bearer ${tokens.admin}`).send(body);

it('accepts MN_SRO_SUPPLEMENTAL for a non-legacy officer and explains that it does not meet subd. 3(a)', async () => {
  await post('/policies', { version: '2025-10', adoptedOn: '2025-08-15' }).expect(201);
  await post('/officers', { officerId: 'sup', name: 'Sam Supplemental' }).expect(201);
  await post('/officers/sup/assignments', { assignmentId: 'hs', schools: ['Central High'], startDate: '2025-09-02' }).expect(201);
  await post('/officers/sup/policy-reviews', { version: '2025-10', reviewedOn: '2025-08-20' }).expect(201);
  const training = await post('/officers/sup/trainings', { trainingId: 'sup-1', course: 'MN_SRO_SUPPLEMENTAL', completedOn: '2025-08-20', courseNumber: 'S-77' });
  expect(training.status).toBe(201);

  const status = await h.http().get(`/api/agencies/${A}/officers/sup/status?asOf=2025-10-01`).set('Authorization', `Bearer ${tokens.auditor}`);
  expect(status.status).toBe(200);
  const finding = status.body.findings.find((f: { rule: string }) => f.rule === 'TRAINING_BEFORE_DUTY');
  expect(finding.outcome).toBe('VIOLATED');
  expect(finding.explanation).toMatch(/MN_SRO_SUPPLEMENTAL \(POST course S-77\).*does not satisfy subd\. 3\(a\).*MN_SRO_BASIC is required/);
  expect(finding.evidence).toContain(training.body.eventId);
});
