/**
 * The agency report cache (src/agencies/agency-status.ts; decisions W20): after every write, the
 * report for "now" refreshed from the cache (only the officers written evaluated again) equals a
 * whole evaluation by a handler with no cache, for a sequence of writes of every kind; and the
 * refresh is what answers (the whole agency is not read again).
 */
import { QueryBus } from '@nestjs/cqrs';
import { AccessLog } from '../../src/access-log/access-log';
import { GetAgencyStatusHandler, GetAgencyStatusQuery, type AgencyStatusView } from '../../src/agencies/agency-status';
import { LedgerReader } from '../../src/read/ledger-reader';
import { Harness, startHarness } from '../e2e/http-harness';

const A = 'cache-pd';
let h: Harness;
let admin: string;

beforeAll(async () => {
  h = await startHarness({ store: 'sqlite:' });
  admin = (await h.agency(A)).admin;
});
afterAll(() => h.close());

const post = async (path: string, body: object) => {
  const res = await h.http().post(`/api/agencies/${A}${path}`).set('Authorization', `Bearer ${admin}`).send(body);
  if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
};

it('refreshes only the officers written, and answers as a whole evaluation would after every kind of write', async () => {
  const reader = h.app.get(LedgerReader);
  const whole = (asOf: string) => new GetAgencyStatusHandler(reader).execute(new GetAgencyStatusQuery(A, { asOf, knownAt: new Date().toISOString() }));
  // A read of officer data names its reader (docs/decisions.md W43): here the test, as a CLI user would be.
  const cached = (asOf: string): Promise<AgencyStatusView> =>
    h.app.get(AccessLog).runAs({ principal: { kind: 'cli', id: 'test', name: 'test', role: 'cli' }, route: 'test', format: 'json', requestId: null }, () =>
      h.app.get(QueryBus).execute(new GetAgencyStatusQuery(A, { asOf, knownAt: new Date().toISOString() })),
    );
  await post('/policies', { version: 'v1', adoptedOn: '2025-08-01' });
  for (let i = 1; i <= 12; i++) await post('/officers', { officerId: `o${String(i).padStart(2, '0')}`, name: `Officer ${i}` });
  const asOf = '2026-03-02';
  await cached(asOf); // evaluated whole, and kept

  const pages = jest.spyOn(reader, 'agencyFactsPages');
  const writes: [string, object][] = [
    ['/officers/o03/assignments', { assignmentId: 'a3', schools: ['North High'], startDate: '2025-09-02' }],
    ['/officers/o03/trainings', { trainingId: 't3', course: 'MN_SRO_BASIC', completedOn: '2025-08-20' }],
    ['/officers/o03/policy-reviews', { version: 'v1', reviewedOn: '2025-08-25' }],
    ['/officers', { officerId: 'o00', name: 'First By Id' }],
    ['/officers', { officerId: 'o99', name: 'Last By Id' }],
    ['/officers/o00/assignments', { assignmentId: 'a0', schools: ['South Middle'], startDate: '2026-01-05' }],
    ['/officers/o07/substitute-days', { date: '2026-02-02', school: 'East Elementary' }],
    ['/officers/o03/separation', { separatedOn: '2026-02-01', reason: 'LEFT_AGENCY' }],
    ['/officers/o05/corrections', { name: 'Officer Five-Corrected', reason: 'typo' }],
    ['/officers/o00/assignments/a0/training-unavailable', { declaredOn: '2026-01-05', reason: 'no course' }],
  ];
  for (const [path, body] of writes) {
    await post(path, body);
    const refreshed = await cached(asOf);
    const evaluated = await whole(asOf);
    expect({ path, counts: refreshed.counts, officers: refreshed.officers, agencyFindings: refreshed.agencyFindings }).toEqual({
      path,
      counts: evaluated.counts,
      officers: evaluated.officers,
      agencyFindings: evaluated.agencyFindings,
    });
  }
  // One whole read per check by the uncached handler; none by the refreshing one.
  expect(pages).toHaveBeenCalledTimes(writes.length);

  // An agency-wide write (a policy) is evaluated whole again.
  await post('/policies', { version: 'v2', adoptedOn: '2026-01-15' });
  pages.mockClear();
  const afterPolicy = await cached(asOf);
  expect(pages).toHaveBeenCalledTimes(1);
  expect(afterPolicy.officers).toEqual((await whole(asOf)).officers);
});
