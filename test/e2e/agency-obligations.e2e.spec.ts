/**
 * The agency findings (docs/reference.md#agency-findings) through the routes: SRO contracts
 * (recorded, amended, ended) and the agency findings and reminders they give; a policy's model
 * revision; officer corrections and separations on both time axes; the officer listing and its
 * roles. A refused write is a 4xx with field messages and appends nothing.
 */
import { Harness, startHarness, storeHeads } from './http-harness';

const A = 'scott-so';
let h: Harness;
let tokens: Awaited<ReturnType<Harness['agency']>>;
const CLAUSES = { dutiesPerSubd2: '§2', attire: '§3', districtRoleInSelection: '§4', deescalationResources: null, publicNotification: '§6', dataPractices: '§7' };

const get = (path: string, token = tokens.admin) => h.http().get(`/api/agencies/${A}${path}`).set('Authorization', `Bearer ${token}`);
const send = (path: string, body: object, token = tokens.admin) => h.http().post(`/api/agencies/${A}${path}`).set('Authorization', `Bearer ${token}`).send(body);
const post = async (path: string, body: object) => {
  const res = await send(path, body);
  expect({ path, status: res.status, body: res.body }).toMatchObject({ path, status: 201 });
  return res.body as { eventId: string; recordedAt: string };
};
/** A write that must be refused with `status` and append nothing. */
const refused = async (path: string, body: object, status: number, message: RegExp) => {
  const before = await storeHeads(h.store);
  const res = await send(path, body);
  expect({ status: res.status, message: res.body.message }).toEqual({ status, message: expect.arrayContaining([expect.stringMatching(message)]) });
  expect(await storeHeads(h.store)).toBe(before);
};

let corrected: { eventId: string; recordedAt: string };
let beforeCorrection: string;

beforeAll(async () => {
  h = await startHarness();
  tokens = await h.agency(A);
  await post('/policies', { version: 'v1', adoptedOn: '2025-08-15', modelRevision: '2024-06-01' });
  await post('/contracts', { contractId: 'isd191', district: 'ISD 191', schools: ['Burnsville High'], effectiveFrom: '2025-08-01', effectiveTo: '2026-06-30', clauses: CLAUSES });
  await post('/officers', { officerId: 'kim', name: 'Kim Smiht', licenseNumber: 'L-100' });
  await post('/officers/kim/assignments', { assignmentId: 'a1', schools: ['Burnsville High', 'Nicollet Middle'], startDate: '2025-09-02' });
  await post('/officers/kim/trainings', { trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2025-08-20' });
  await post('/officers', { officerId: 'lee', name: 'Lee Park' });
  await post('/officers', { officerId: 'oops', name: 'Registered By Mistake' });
  beforeCorrection = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 5));
  corrected = await post('/officers/kim/corrections', { name: 'Kim Smith', reason: 'misspelled at registration' });
  await post('/officers/oops/separation', { separatedOn: '2025-09-01', reason: 'ENTERED_IN_ERROR', note: 'duplicate of lee' });
});
afterAll(() => h.close());

describe('contracts and the agency findings', () => {
  it('reports a school no contract covers, the de-escalation clause as ADVISORY, and the older model revision as MET', async () => {
    const res = await get('/status?asOf=2025-10-01', tokens.auditor);
    expect(res.status).toBe(200);
    const byRule = (rule: string) => res.body.agencyFindings.filter((f: { rule: string }) => f.rule === rule);
    expect(byRule('CONTRACT_FOR_EACH_ASSIGNMENT')).toEqual([expect.objectContaining({ outcome: 'VIOLATED', dueDate: '2025-09-02', citation: 'Minn. Stat. 626.8482 subd. 1(c); policy "Definitions"' })]);
    expect(byRule('CONTRACT_FOR_EACH_ASSIGNMENT')[0].explanation).toContain('Nicollet Middle');
    expect(byRule('CONTRACT_TERMS')).toEqual([expect.objectContaining({ outcome: 'ADVISORY', contractId: 'isd191' })]);
    expect(byRule('SRO_POLICY_ADOPTED')).toEqual([expect.objectContaining({ outcome: 'MET' })]);
    expect(byRule('SRO_POLICY_ADOPTED')[0].explanation).toContain('2024-06-01');
  });

  it('refuses bad contract writes with field messages, appending nothing', async () => {
    await refused('/contracts', { contractId: 'bad', district: 'ISD 1', schools: ['X'], effectiveFrom: '2025-09-01', effectiveTo: '2025-08-31' }, 400, /^effectiveTo must be on or after/);
    await refused('/contracts', { contractId: 'isd191', district: 'ISD 1', schools: ['X'], effectiveFrom: '2025-09-01' }, 409, /already recorded/);
    await refused('/contracts', { contractId: 'c2', district: 'ISD 1', schools: ['X'], effectiveFrom: '2025-09-01', clauses: { attire: 7 } }, 400, /^clauses\.attire must be a string/);
    await refused('/contracts', { contractId: 'c2', district: 'ISD 1', schools: ['X'], effectiveFrom: '2025-09-01', clauses: { parking: '§1' } }, 400, /property parking should not exist/);
    await refused('/contracts/nope/amendments', { effectiveOn: '2025-10-01', schools: ['X'] }, 404, /no contract nope/);
    await refused('/contracts/isd191/amendments', { effectiveOn: '2025-10-01' }, 400, /must be given/);
    await refused('/contracts/isd191/amendments', { effectiveOn: '2025-07-01', schools: ['X'] }, 400, /^effectiveOn must be on or after/);
    await refused('/contracts/isd191/end', { endedOn: '2025-07-31' }, 400, /^endedOn must be on or after/);
    expect((await send('/contracts', { contractId: 'c9', district: 'ISD 1', schools: ['X'], effectiveFrom: '2025-09-01' }, tokens.chief)).status).toBe(403);
  });

  it('an amendment adding the school cures the finding from its effectiveOn; the reminder names the contract ending', async () => {
    await post('/contracts/isd191/amendments', { effectiveOn: '2025-11-01', schools: ['Burnsville High', 'Nicollet Middle'], clauses: { deescalationResources: '§5' } });
    const rule = async (asOf: string, id: string) =>
      (await get(`/status?asOf=${asOf}`)).body.agencyFindings.find((f: { rule: string }) => f.rule === id).outcome;
    expect(await rule('2025-10-31', 'CONTRACT_FOR_EACH_ASSIGNMENT')).toBe('VIOLATED');
    expect(await rule('2025-11-01', 'CONTRACT_FOR_EACH_ASSIGNMENT')).toBe('MET');
    expect(await rule('2025-11-01', 'CONTRACT_TERMS')).toBe('MET');
    const reminders = (await get('/reminders?asOf=2026-06-01&horizonDays=60', tokens.chief)).body.items;
    expect(reminders).toEqual(expect.arrayContaining([expect.objectContaining({ officerId: null, kind: 'CONTRACT_ENDING', dueDate: '2026-06-30', daysLeft: 29 })]));
    expect(reminders).toEqual(expect.arrayContaining([expect.objectContaining({ officerId: null, kind: 'POLICY_MODEL_REVISION', rule: 'SRO_POLICY_ADOPTED' })]));
  });

  it('an early end: the contract covers through endedOn; a second end is a 409', async () => {
    await post('/contracts', { contractId: 'short', district: 'ISD 194', schools: ['Lakeville North'], effectiveFrom: '2025-08-01' });
    await post('/contracts/short/end', { endedOn: '2025-12-31' });
    await refused('/contracts/short/end', { endedOn: '2026-01-31' }, 409, /already ended/);
    await refused('/contracts/short/amendments', { effectiveOn: '2025-10-01', schools: ['X'] }, 409, /already ended/);
  });
});

describe('corrections and separations', () => {
  it('the name as known at knownAt: the old one before the correction was recorded, the new one after', async () => {
    const now = await get('/status?asOf=2025-10-01');
    expect(now.body.officers.map((o: { officerId: string; name: string }) => [o.officerId, o.name])).toEqual([
      ['kim', 'Kim Smith'],
      ['lee', 'Lee Park'],
    ]);
    const then = await get(`/status?asOf=2025-10-01&knownAt=${beforeCorrection}`);
    expect(then.body.officers.find((o: { officerId: string }) => o.officerId === 'kim').name).toBe('Kim Smiht');
    const history = await get(`/officers/kim/history?knownAt=${beforeCorrection}`, tokens.investigator);
    expect(history.body.name).toBe('Kim Smiht');
    expect((await get('/officers/kim/history', tokens.investigator)).body.events.map((e: { type: string }) => e.type)).toContain('OfficerDetailsCorrected');
    expect(corrected.eventId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a correction that names nothing or changes nothing, and a second separation', async () => {
    await refused('/officers/kim/corrections', { reason: 'nothing' }, 400, /name or licenseNumber must be given/);
    await refused('/officers/kim/corrections', { name: 'Kim Smith', reason: 'again' }, 400, /nothing to correct/);
    await refused('/officers/kim/corrections', { name: 'Kim', reason: '' }, 400, /^reason should not be empty/);
    await refused('/officers/oops/separation', { separatedOn: '2025-09-05', reason: 'LEFT_AGENCY' }, 409, /already separated/);
    await refused('/officers/kim/separation', { separatedOn: '2025-09-05', reason: 'RETIRED' }, 400, /^reason must be one of LEFT_AGENCY, ENTERED_IN_ERROR/);
    await refused('/officers/ghost/separation', { separatedOn: '2025-09-05', reason: 'LEFT_AGENCY' }, 404, /not registered/);
  });

  it('a separated officer is off the report and NOT_ASSIGNED from separatedOn, and stays in the history', async () => {
    const report = await get('/status?asOf=2025-10-01');
    expect(report.body.officers.map((o: { officerId: string }) => o.officerId)).not.toContain('oops');
    const before = await get('/status?asOf=2025-08-31');
    expect(before.body.officers.map((o: { officerId: string }) => o.officerId)).toContain('oops');
    expect((await get('/officers/oops/status?asOf=2025-10-01')).body.status).toBe('NOT_ASSIGNED');
    const types = (await get('/officers/oops/history', tokens.investigator)).body.events.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['OfficerRegistered', 'OfficerSeparated']));
  });
});

describe('GET /agencies/:agencyId/officers', () => {
  it.each(['admin', 'auditor', 'chief', 'investigator'] as const)('answers %s with every officer, active or not, names as known now', async (role) => {
    const res = await get('/officers?asOf=2025-10-01', tokens[role]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ agencyId: A, page: 1, pageSize: 50, total: 3, pages: 1, q: null });
    expect(res.body.officers).toEqual([
      { officerId: 'kim', name: 'Kim Smith', licenseNumber: 'L-100', active: true },
      { officerId: 'lee', name: 'Lee Park', licenseNumber: null, active: true },
      { officerId: 'oops', name: 'Registered By Mistake', licenseNumber: null, active: false, separatedOn: '2025-09-01', separationReason: 'ENTERED_IN_ERROR' },
    ]);
  });

  it('searches the id, the name and the license number, ignoring case; pages; both time axes', async () => {
    expect((await get('/officers?q=SMITH')).body.officers.map((o: { officerId: string }) => o.officerId)).toEqual(['kim']);
    expect((await get('/officers?q=l-100')).body.officers.map((o: { officerId: string }) => o.officerId)).toEqual(['kim']);
    expect((await get(`/officers?q=smiht&knownAt=${beforeCorrection}`)).body.officers.map((o: { officerId: string }) => o.officerId)).toEqual(['kim']);
    expect((await get('/officers?q=smiht')).body.total).toBe(0);
    expect((await get('/officers?page=2')).body).toMatchObject({ page: 2, total: 3, officers: [] });
    expect((await get('/officers?asOf=2025-08-31')).body.officers.find((o: { officerId: string }) => o.officerId === 'oops').active).toBe(true);
  });

  it('refuses a bad page, no token, another agency', async () => {
    for (const page of ['0', '-1', '1e2', '']) expect({ page, status: (await get(`/officers?page=${page}`)).status }).toEqual({ page, status: 400 });
    expect((await h.http().get(`/api/agencies/${A}/officers`)).status).toBe(401);
    const other = await h.agency('other-pd');
    expect((await get('/officers', other.investigator)).status).toBe(403);
  });
});
