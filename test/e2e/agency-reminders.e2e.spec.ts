/**
 * The agency's own obligations in the reminders, through the route (docs/decisions.md W33): with a
 * contract that does not cover the school an SRO is assigned to, and leaves out a clause the
 * model policy requires, the agency status reports CONTRACT_FOR_EACH_ASSIGNMENT and
 * CONTRACT_TERMS violated, and GET .../reminders lists both as overdue (officerId null, due the
 * day each became violated), in JSON and CSV, at 60 days as at 365.
 */
import { parse } from 'csv-parse/sync';
import { Harness, startHarness } from './http-harness';

const A = 'dakota-so';
let h: Harness;
let tokens: Awaited<ReturnType<Harness['agency']>>;
const NO_ATTIRE = { dutiesPerSubd2: '§2', attire: null, districtRoleInSelection: '§4', deescalationResources: '§5', publicNotification: '§6', dataPractices: '§7' };

const get = (path: string, token = tokens.chief) => h.http().get(`/api/agencies/${A}${path}`).set('Authorization', `Bearer ${token}`);
const post = async (path: string, body: object) => {
  const res = await h.http().post(`/api/agencies/${A}${path}`).set('Authorization', `Bearer ${tokens.admin}`).send(body);
  expect({ path, status: res.status, body: res.body }).toMatchObject({ path, status: 201 });
};

interface Item {
  officerId: string | null;
  rule: string;
  kind: string;
  dueDate: string;
  daysLeft: number;
  message: string;
  citation: string;
  scope: string;
  subject: string;
  contractId?: string;
}

beforeAll(async () => {
  h = await startHarness({ store: 'sqlite:' });
  tokens = await h.agency(A);
  await post('/policies', { version: 'v1', adoptedOn: '2025-08-01' });
  // The contract names another school, and says nothing of attire (a "must").
  await post('/contracts', { contractId: 'isd196', district: 'ISD 196', schools: ['Valley Middle'], effectiveFrom: '2025-08-01', effectiveTo: '2026-06-30', clauses: NO_ATTIRE });
  await post('/officers', { officerId: 'ray', name: 'Ray Ortiz' });
  await post('/officers/ray/assignments', { assignmentId: 'a1', schools: ['Eastview High'], startDate: '2025-09-02' });
  await post('/officers/ray/trainings', { trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2025-08-20' });
  await post('/officers/ray/trainings/t1/certificate', { sha256: 'ab'.repeat(32), fileName: 'ray-basic.pdf', filedOn: '2025-08-25' });
  await post('/officers/ray/policy-reviews', { version: 'v1', reviewedOn: '2025-08-28' });
});
afterAll(() => h.close());

describe('GET /agencies/:agencyId/reminders: the agency’s own obligations', () => {
  it('the violated contract obligations the agency status reports are overdue reminders, due the day each became violated', async () => {
    const status = await get('/status?asOf=2025-10-01', tokens.auditor);
    expect(status.status).toBe(200);
    const violated = status.body.agencyFindings.filter((f: { outcome: string }) => f.outcome === 'VIOLATED');
    expect(violated.map((f: { rule: string }) => f.rule)).toEqual(['CONTRACT_FOR_EACH_ASSIGNMENT', 'CONTRACT_TERMS']);
    expect(status.body.officers).toEqual([expect.objectContaining({ officerId: 'ray', status: 'COMPLIANT' })]);

    const res = await get('/reminders?asOf=2025-10-01&horizonDays=60');
    expect(res.status).toBe(200);
    const items = res.body.items as Item[];
    // The officer has nothing due; the agency has both findings, overdue, sorted by due date.
    expect(items.map((i) => [i.officerId, i.rule, i.kind, i.dueDate, i.daysLeft])).toEqual([
      [null, 'CONTRACT_TERMS', 'CONTRACT_TERMS_MISSING', '2025-09-01', -30],
      [null, 'CONTRACT_FOR_EACH_ASSIGNMENT', 'SCHOOL_NOT_COVERED', '2025-09-02', -29],
    ]);
    for (const item of items) {
      const finding = violated.find((f: { rule: string }) => f.rule === item.rule);
      expect([item.dueDate, item.citation, item.scope]).toEqual([finding.dueDate, finding.citation, 'AGENCY']);
      expect(item.message).toContain(`(${finding.citation})`);
      expect(item.message).toMatch(/day\(s\) overdue\./);
    }
    expect(items[0]).toMatchObject({ subject: 'The agency: SRO contract isd196 with ISD 196', contractId: 'isd196' });
    expect(items[0].message).toContain('attire');
    expect(items[1].subject).toBe('The agency');
    expect(items[1].message).toContain('Eastview High (officer ray, assignment a1, uncovered since 2025-09-02)');
  });

  it('at 365 days the contract’s end is listed beside them, not instead of them', async () => {
    const items = (await get('/reminders?asOf=2025-10-01&horizonDays=365')).body.items as Item[];
    expect(items.map((i) => [i.kind, i.dueDate, i.daysLeft])).toEqual([
      ['CONTRACT_TERMS_MISSING', '2025-09-01', -30],
      ['SCHOOL_NOT_COVERED', '2025-09-02', -29],
      ['CONTRACT_ENDING', '2026-06-30', 272],
    ]);
  });

  it('the CSV names the agency in words and gives the citation', async () => {
    const res = await get('/reminders?asOf=2025-10-01&format=csv', tokens.admin);
    expect(res.status).toBe(200);
    const rows = parse(res.text, { columns: true, bom: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.officerId, r.subject, r.scope, r.rule, r.dueDate])).toEqual([
      ['', 'The agency: SRO contract isd196 with ISD 196', 'AGENCY', 'CONTRACT_TERMS', '2025-09-01'],
      ['', 'The agency', 'AGENCY', 'CONTRACT_FOR_EACH_ASSIGNMENT', '2025-09-02'],
    ]);
    expect(rows[1].citation).toBe('Minn. Stat. 626.8482 subd. 1(c); policy "Definitions"');
  });

  it('once an amendment covers the school and the clause, nothing is due for the agency from that day', async () => {
    await post('/contracts/isd196/amendments', { effectiveOn: '2025-10-15', schools: ['Valley Middle', 'Eastview High'], clauses: { attire: '§3' } });
    expect(((await get('/reminders?asOf=2025-10-14&horizonDays=0')).body.items as Item[]).map((i) => i.kind)).toEqual(['CONTRACT_TERMS_MISSING', 'SCHOOL_NOT_COVERED']);
    expect((await get('/reminders?asOf=2025-10-15&horizonDays=0')).body.items).toEqual([]);
  });
});
