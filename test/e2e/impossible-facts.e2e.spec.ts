/**
 * A fact that cannot have happened is refused through the route (docs/decisions.md W12): 400 with
 * the field message and no stream changed (the table of such facts is in the unit tier,
 * docs/decisions.md W46). And the query parameters that cannot be answered: `horizonDays`
 * that is not plain digits from 0 to 3650, `knownAt` after now.
 *
 * "Today" is computed with the server's own function; a date two days ahead is after today even
 * if Minnesota midnight passes during the test, and a message naming today may name either day.
 */
import { addDays } from '../../projections';
import { KNOWN_AT_CLOCK_SKEW_MS, resolveTimeAxes } from '../../src/read/time-axes';
import { todayInMinnesota } from '../../src/write/ledger-writer';
import { Harness, startHarness, storeHeads } from './http-harness';

const A = 'wright-so';
let h: Harness;
let tokens: Awaited<ReturnType<Harness['agency']>>;
/** Today in Minnesota when the tests start, the day after (in case midnight passes), and a date after both. */
let today: string;
let tomorrow: string;
let future: string;

const o = `/agencies/${A}/officers/jdoe`;
const post = (path: string, body: unknown) => h.http().post(`/api${path}`).set('Authorization', `Bearer ${tokens.admin}`).send(body as object);
const get = (path: string, token = tokens.admin) => h.http().get(`/api/agencies/${A}${path}`).set('Authorization', `Bearer ${token}`);

/** The message with "today" replaced by a marker, after checking that it named today or (past midnight) tomorrow. */
function normalized(message: string): string {
  const match = /today in Minnesota, (\d{4}-\d\d-\d\d)/.exec(message);
  if (match) expect([today, tomorrow]).toContain(match[1]);
  return message.replace(/today in Minnesota, \d{4}-\d\d-\d\d/, 'today in Minnesota, <today>');
}

/** A write that must be refused with 400 and change no stream; returns its messages, normalized. */
async function refused(path: string, body: unknown): Promise<string[]> {
  const before = await storeHeads(h.store);
  const res = await post(path, body);
  expect({ status: res.status, body: res.body }).toMatchObject({ status: 400, body: { statusCode: 400 } });
  expect(Array.isArray(res.body.message)).toBe(true);
  expect(await storeHeads(h.store)).toBe(before);
  return (res.body.message as string[]).map(normalized);
}

beforeAll(async () => {
  h = await startHarness();
  tokens = await h.agency(A);
  today = todayInMinnesota(new Date());
  tomorrow = addDays(today, 1);
  future = addDays(today, 2);
  for (const [path, body] of [
    [`/agencies/${A}/policies`, { version: 'v1', adoptedOn: '2025-08-15' }],
    [`/agencies/${A}/officers`, { officerId: 'jdoe', name: 'Jordan Doe' }],
    [`${o}/assignments`, { assignmentId: 'a1', schools: ['Buffalo High'], startDate: '2025-09-02' }],
    [`${o}/trainings`, { trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2025-08-20' }],
  ] as const) {
    expect((await post(path, body)).status).toBe(201);
  }
});
afterAll(() => h.close());

describe('a fact that cannot have happened, through the route', () => {
  // The table of these refusals (each command, each date rule, today allowed, the import alike) is
  // pure: test/write/impossible-facts.unit.spec.ts and test/import/impossible-facts.unit.spec.ts.
  // Here, once: the edge answers a decision's refusal with 400 and its message, on the server's
  // own today, and appends nothing.
  it('400 for a training completed after today, nothing appended', async () => {
    expect(await refused(`${o}/trainings`, { trainingId: 't2', course: 'MN_SRO_REFRESHER', completedOn: future })).toEqual([
      `completedOn must not be after today in Minnesota, <today> (got ${future})`,
    ]);
  });
});

describe('horizonDays: plain digits from 0 to 3650', () => {
  it.each([
    ['', 'horizonDays must be a whole number of days'],
    ['1e3', 'horizonDays must be a whole number of days'],
    ['-1', 'horizonDays must be a whole number of days'],
    ['1.5', 'horizonDays must be a whole number of days'],
    ['0x10', 'horizonDays must be a whole number of days'],
    ['%2030', 'horizonDays must be a whole number of days'],
    ['3651', 'horizonDays must be from 0 to 3650 days'],
    ['99999999999999999999', 'horizonDays must be from 0 to 3650 days'],
  ])('400 for horizonDays=%s', async (value, message) => {
    const res = await get(`/reminders?horizonDays=${value}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, message: [message] });
  });

  it('400 for a repeated horizonDays', async () => {
    const res = await get('/reminders?horizonDays=1&horizonDays=2');
    expect(res.body).toMatchObject({ statusCode: 400, message: ['horizonDays must be a whole number of days'] });
  });

  it.each([
    ['0', 0],
    ['007', 7],
    ['3650', 3650],
  ])('200 for horizonDays=%s', async (value, days) => {
    const res = await get(`/reminders?asOf=2026-02-01&horizonDays=${value}`);
    expect(res.status).toBe(200);
    expect(res.body.horizonDays).toBe(days);
  });
});

describe('knownAt after now', () => {
  const routes = ['/officers/jdoe/status', '/status', '/reminders', '/officers/jdoe/history'];

  it.each(routes)('400 on %s for a knownAt a minute ahead', async (route) => {
    const ahead = new Date(Date.now() + 60_000).toISOString();
    const res = await get(`${route}?knownAt=${encodeURIComponent(ahead)}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, message: [expect.stringMatching(/^knownAt must not be after now \(\d{4}-\d\d-\d\dT[\d:.]+Z\)/)] });
  });

  it("a knownAt up to 5 s ahead (a client's clock slightly fast) is answered as of now, and now is echoed", async () => {
    const sent = Date.now();
    const res = await get(`/officers/jdoe/status?knownAt=${encodeURIComponent(new Date(sent + 2_000).toISOString())}`);
    const received = Date.now();
    expect(res.status).toBe(200);
    const echoed = Date.parse(res.body.knownAt);
    expect(echoed).toBeGreaterThanOrEqual(sent);
    expect(echoed).toBeLessThanOrEqual(received);
  });

  it('a knownAt not after now is echoed as given (in UTC)', async () => {
    const past = new Date(); // after the officer's registration, and not after the server's now
    const res = await get(`/officers/jdoe/status?knownAt=${encodeURIComponent(past.toISOString().replace('Z', '+00:00'))}`);
    expect(res.status).toBe(200);
    expect(res.body.knownAt).toBe(past.toISOString());
  });
});

describe('resolveTimeAxes at the tolerance boundary (a fixed now)', () => {
  const now = new Date('2026-03-02T05:59:59.000Z'); // 23:59:59 on 2026-03-01 in Minnesota
  it.each([
    ['2026-03-01T23:59:59.000-06:00', '2026-03-02T05:59:59.000Z'], // now itself
    ['2026-03-01T12:00:00-06:00', '2026-03-01T18:00:00.000Z'], // the past: echoed as given, in UTC
    ['2026-03-02T06:00:00.000Z', now.toISOString()], // 1 s ahead: answered and echoed as now
    [new Date(now.getTime() + KNOWN_AT_CLOCK_SKEW_MS).toISOString(), now.toISOString()], // exactly the tolerance
  ])('knownAt %s is answered as %s', (knownAt, echoed) => {
    expect(resolveTimeAxes({ knownAt }, now)).toEqual({ asOf: '2026-03-01', knownAt: echoed });
  });

  it('one millisecond past the tolerance is a 400', () => {
    const knownAt = new Date(now.getTime() + KNOWN_AT_CLOCK_SKEW_MS + 1).toISOString();
    expect(() => resolveTimeAxes({ knownAt }, now)).toThrow(
      expect.objectContaining({ status: 400, messages: [expect.stringContaining('knownAt must not be after now (2026-03-02T05:59:59.000Z)')] }),
    );
  });
});
