/**
 * The agency status in pages, and the verification one at a time per principal
 * (docs/decisions.md W40): the JSON answer is a page of officers with the officer listing's
 * paging fields, the counts and agency findings stay whole; the CSV stays whole; a second
 * verification by the same token while its first runs, or a seventh in a minute, is 429 with
 * Retry-After, and another token is not held back.
 */
import { Harness, startHarness } from './http-harness';

const A = 'pages-pd';
let h: Harness;
let tokens: Awaited<ReturnType<Harness['agency']>>;

beforeAll(async () => {
  h = await startHarness();
  tokens = await h.agency(A);
  for (let i = 1; i <= 7; i++) {
    await h.http().post(`/api/agencies/${A}/officers`).set('Authorization', `Bearer ${tokens.admin}`).send({ officerId: `o${i}`, name: `Officer ${i}` }).expect(201);
  }
  await h.http().post(`/api/agencies/${A}/officers/o1/assignments`).set('Authorization', `Bearer ${tokens.admin}`).send({ assignmentId: 'a1', schools: ['Central High'], startDate: '2025-09-02' }).expect(201);
}, 60_000);
afterAll(() => h.close());

const status = (query: string, token = tokens.auditor) => h.http().get(`/api/agencies/${A}/status${query}`).set('Authorization', `Bearer ${token}`);

it('answers one page of officers, the counts and agency findings of the whole agency, and the paging', async () => {
  const whole = await status('?asOf=2025-10-01').expect(200);
  expect(whole.body).toMatchObject({ page: 1, pageSize: 500, total: 7, pages: 1 });
  expect(whole.body.officers.map((o: { officerId: string }) => o.officerId)).toEqual(['o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7']);
  expect(whole.body.counts).toMatchObject({ NON_COMPLIANT: 1, NOT_ASSIGNED: 6 });

  const second = await status('?asOf=2025-10-01&page=2&pageSize=3').expect(200);
  expect(second.body).toMatchObject({ agencyId: A, asOf: '2025-10-01', knownAt: expect.any(String), page: 2, pageSize: 3, total: 7, pages: 3 });
  expect(second.body.officers.map((o: { officerId: string }) => o.officerId)).toEqual(['o4', 'o5', 'o6']);
  expect(second.body.counts).toEqual(whole.body.counts);
  expect(second.body.agencyFindings).toEqual(whole.body.agencyFindings);
  expect((await status('?asOf=2025-10-01&page=3&pageSize=3').expect(200)).body.officers.map((o: { officerId: string }) => o.officerId)).toEqual(['o7']);
  expect((await status('?asOf=2025-10-01&page=4&pageSize=3').expect(200)).body).toMatchObject({ officers: [], total: 7, pages: 3 });
});

it('refuses a bad page or pageSize with one message each, and keeps the CSV whole', async () => {
  for (const [query, message] of [
    ['?pageSize=0', 'pageSize must be from 1 to 2000 officers'],
    ['?pageSize=2001', 'pageSize must be from 1 to 2000 officers'],
    ['?page=0', 'page must be from 1 to 100000 pages'],
    ['?page=1.5', 'page must be a whole number of pages'],
  ]) {
    const res = await status(query);
    expect({ query, status: res.status, message: res.body.message }).toEqual({ query, status: 400, message: [message] });
  }
  const csv = await status('?asOf=2025-10-01&format=csv&page=2&pageSize=3').expect(200);
  expect(csv.headers['content-type']).toMatch(/^text\/csv/);
  // The CSV starts with the UTF-8 byte-order mark (docs/decisions.md W34).
  expect(csv.text.charCodeAt(0)).toBe(0xfeff);
  const lines = csv.text.slice(1).trimEnd().split('\r\n');
  expect(lines[0]).toBe('officerId,name,status,restrictedDuties,openFindings,asOf,knownAt');
  expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7', '(agency)']);
});

it('runs one verification at a time per token, at most 6 a minute; another token is not held back', async () => {
  const integrity = (token: string) => h.http().get(`/api/agencies/${A}/integrity`).set('Authorization', `Bearer ${token}`);
  const [first, second, other] = await Promise.all([integrity(tokens.investigator), integrity(tokens.investigator), integrity(tokens.admin)]);
  expect([first.status, second.status].sort()).toEqual([200, 429]);
  const refused = first.status === 429 ? first : second;
  expect(refused.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
  expect(refused.body.message).toEqual([expect.stringMatching(/^a verification reads the whole store: one at a time and at most 6 a minute/)]);
  expect(other.status).toBe(200);
  // 1 counted above; 5 more in a row are fine, the next is refused until the minute has passed.
  for (let i = 0; i < 5; i++) expect((await integrity(tokens.investigator)).status).toBe(200);
  const seventh = await integrity(tokens.investigator);
  expect({ status: seventh.status, retryAfter: Number(seventh.headers['retry-after']) }).toEqual({ status: 429, retryAfter: expect.any(Number) });
  expect(Number(seventh.headers['retry-after'])).toBeGreaterThan(0);
  expect(Number(seventh.headers['retry-after'])).toBeLessThanOrEqual(60);
});
