/**
 * Who read what (src/access-log; decisions W27): every read of officer data over the API, the
 * console and the CLI leaves an entry (who, when, which route, which officer, or the agency and
 * the count for a report), visible to admin and investigator at GET .../access-log, filtered by
 * officerId, from and to; entries survive a restart, and a crash of the server (SIGKILL) loses
 * at most the last second. On the harness's store (SQLite here, PostgreSQL in test:postgres).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { Accounts } from '../../src/auth/accounts';
import { buildCli, lastLine, runCli, startServer } from '../support/cli-process';
import { isPostgresUrl } from '../support/postgres';
import { startHarness, type Harness } from './http-harness';

const A = 'read-pd';
const PASSWORD = 'correct horse battery staple';
let h: Harness;
let tokens: Record<string, string>;

beforeAll(async () => {
  h = await startHarness();
  tokens = await h.agency(A);
  const post = (path: string, body: object) => h.http().post(`/api/agencies/${A}${path}`).set('Authorization', `Bearer ${tokens.admin}`).send(body).expect(201);
  await post('/officers', { officerId: 'jdoe', name: 'Jordan Doe' });
  await post('/officers', { officerId: 'sroe', name: 'Sam Roe' });
  await post('/officers/jdoe/assignments', { assignmentId: 'hs', schools: ['Central High School'], startDate: '2025-09-02' });
}, 60_000);
afterAll(() => h.close());

const log = async (query = '', token = tokens.investigator) => {
  const res = await h.http().get(`/api/agencies/${A}/access-log${query}`).set('Authorization', `Bearer ${token}`);
  expect(res.status).toBe(200);
  return res.body as { entries: Record<string, any>[]; truncated: boolean };
};
/** An instant after every entry so far and before the next request's (entries are stamped when their query answers). */
const since = async () => {
  await new Promise((r) => setTimeout(r, 3));
  const at = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 3));
  return at;
};

describe('every read of officer data is recorded', () => {
  it.each([
    ['officer status', '/officers/jdoe/status?asOf=2025-10-01', 'auditor', { kind: 'officer-status', officerId: 'jdoe', officerCount: 1, asOf: '2025-10-01', route: 'GET /api/agencies/:agencyId/officers/:officerId/status' }],
    ['officer history', '/officers/jdoe/history', 'investigator', { kind: 'officer-history', officerId: 'jdoe', route: 'GET /api/agencies/:agencyId/officers/:officerId/history' }],
    ['officer changes', `/officers/jdoe/changes?from=2020-01-01T00:00:00Z`, 'auditor', { kind: 'officer-changes', officerId: 'jdoe' }],
    ['agency report', '/status?asOf=2025-10-01', 'chief', { kind: 'agency-status', officerId: null, officerCount: 2, format: 'json' }],
    ['agency report as CSV', '/status?format=csv', 'auditor', { kind: 'agency-status', officerId: null, officerCount: 2, format: 'csv' }],
    ['officer listing', '/officers', 'investigator', { kind: 'officer-list', officerId: null, officerCount: 2 }],
    ['officer listing as CSV', '/officers?format=csv', 'admin', { kind: 'officer-list', officerCount: 2, format: 'csv' }],
    ['reminders', '/reminders?asOf=2025-08-20', 'chief', { kind: 'reminders', officerId: null, officerCount: 1 }],
  ] as const)('%s', async (_, path, role, expected) => {
    const from = await since();
    const res = await h.http().get(`/api/agencies/${A}${path}`).set('Authorization', `Bearer ${tokens[role]}`).set('X-Request-Id', `read-${role}-${path.length}`);
    expect(res.status).toBe(200);
    const { entries } = await log(`?from=${encodeURIComponent(from)}`);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ agencyId: A, ...expected, principal: { kind: 'token', name: `${role}-token`, role }, requestId: `read-${role}-${path.length}` });
    expect(Date.parse(entries[0].at)).toBeGreaterThanOrEqual(Date.parse(from));
  });

  it('a refused read (403, 404) records nothing', async () => {
    const from = await since();
    expect((await h.http().get(`/api/agencies/${A}/officers/nobody/status`).set('Authorization', `Bearer ${tokens.auditor}`)).status).toBe(404);
    expect((await h.http().get(`/api/agencies/${A}/officers/jdoe/history`).set('Authorization', `Bearer ${tokens.chief}`)).status).toBe(403);
    expect((await log(`?from=${encodeURIComponent(from)}`)).entries).toEqual([]);
  });

  it("the console's pages that show officer data, as the signed-in person", async () => {
    const accounts = h.app.get(Accounts);
    const invitation = await accounts.invite({ agencyId: A, role: 'admin', email: 'ada@read-pd.example.gov', name: 'Ada Admin' }, 'test');
    await accounts.setPassword(invitation.secret, PASSWORD, PASSWORD);
    const agent = request.agent(h.app.getHttpServer());
    const page = await agent.get('/sign-in');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    expect((await agent.post('/sign-in').type('form').send({ _csrf: csrf, email: 'ada@read-pd.example.gov', password: PASSWORD, next: '/' })).status).toBe(303);
    const from = await since();
    expect((await agent.get('/')).status).toBe(200);
    expect((await agent.get('/officers/jdoe')).status).toBe(200);
    const { entries } = await log(`?from=${encodeURIComponent(from)}`);
    const person = { kind: 'person', name: 'Ada Admin', role: 'admin', id: invitation.account.userId };
    expect(entries.filter((e) => e.route === 'GET /')).toEqual([expect.objectContaining({ kind: 'agency-status', officerCount: 2, format: 'html', principal: person })]);
    const record = entries.filter((e) => e.route === 'GET /officers/:officerId');
    expect(record.length).toBeGreaterThanOrEqual(1);
    for (const e of record) expect(e).toMatchObject({ officerId: 'jdoe', format: 'html', principal: person });

    // The console's own page of the access log shows them, filtered by officer; a bad filter is a 400 with its message.
    const logPage = await agent.get('/access-log?officerId=jdoe');
    expect(logPage.status).toBe(200);
    expect(logPage.text).toContain('Who read what');
    expect(logPage.text).toContain('status of jdoe');
    expect(logPage.text).not.toContain('data-officer-id="sroe"');
    const bad = await agent.get('/access-log?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('From: an ISO instant');
  });
});

describe('GET .../access-log', () => {
  it('is for admin and investigator only', async () => {
    for (const role of ['auditor', 'chief'] as const) expect((await h.http().get(`/api/agencies/${A}/access-log`).set('Authorization', `Bearer ${tokens[role]}`)).status).toBe(403);
    expect((await log('', tokens.admin)).entries.length).toBeGreaterThan(0);
  });

  it('filters by officer and by time, newest first', async () => {
    await h.http().get(`/api/agencies/${A}/officers/sroe/status`).set('Authorization', `Bearer ${tokens.auditor}`).expect(200);
    const mid = await since();
    await h.http().get(`/api/agencies/${A}/officers/sroe/history`).set('Authorization', `Bearer ${tokens.auditor}`).expect(200);
    const sroe = (await log('?officerId=sroe')).entries;
    expect(sroe.map((e) => e.kind)).toEqual(['officer-history', 'officer-status']);
    expect(sroe.every((e) => e.officerId === 'sroe')).toBe(true);
    expect((await log(`?officerId=sroe&from=${encodeURIComponent(mid)}`)).entries.map((e) => e.kind)).toEqual(['officer-history']);
    expect((await log(`?officerId=sroe&to=${encodeURIComponent(mid)}`)).entries.map((e) => e.kind)).toEqual(['officer-status']);
    const all = (await log()).entries;
    for (let i = 1; i < all.length; i++) expect(all[i - 1].at >= all[i].at).toBe(true);
  });

  it('refuses bad parameters', async () => {
    for (const q of ['?officerId=no%20pe', '?from=yesterday', '?to=2025-01-01', '?bogus=1']) {
      expect((await h.http().get(`/api/agencies/${A}/access-log${q}`).set('Authorization', `Bearer ${tokens.admin}`)).status).toBe(400);
    }
    expect((await h.http().get(`/api/agencies/${A}/access-log?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z`).set('Authorization', `Bearer ${tokens.admin}`)).status).toBe(400);
  });
});

describe('durability', () => {
  const requested = process.env.SRO_TEST_STORE?.trim() || process.env.SRO_STORE?.trim() || 'sqlite:';
  let dir: string;
  beforeAll(() => {
    buildCli();
    dir = mkdtempSync(join(tmpdir(), 'sro-access-crash-'));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  (isPostgresUrl(requested) ? it.skip : it)('a read more than a second before a SIGKILL is in the log after the restart; the CLI records its reads too', async () => {
    const env = { ...process.env, SRO_STORE: `sqlite:${join(dir, 'sro.db')}`, SRO_KEY_FILE: join(dir, 'key.pem'), SRO_LOG_LEVEL: 'warn' };
    expect(runCli(env, 'agency', 'create', '--id', 'crash-pd', '--name', 'Crash PD').status).toBe(0);
    const investigator = lastLine(runCli(env, 'token', 'create', '--agency', 'crash-pd', '--role', 'investigator', '--name', 'inv'));
    const first = await startServer(env);
    try {
      const res = await fetch(`${first.url}/agencies/crash-pd/officers`, { headers: { Authorization: `Bearer ${investigator}` } });
      expect(res.status).toBe(200);
      await new Promise((r) => setTimeout(r, 1600));
    } finally {
      first.child.kill('SIGKILL');
    }
    await new Promise((r) => first.child.once('exit', r));
    // The CLI's own read, recorded as cli:<user>.
    expect(runCli(env, 'status', '--agency', 'crash-pd').status).toBe(0);
    const second = await startServer(env);
    try {
      const res = await fetch(`${second.url}/agencies/crash-pd/access-log`, { headers: { Authorization: `Bearer ${investigator}` } });
      const { entries } = (await res.json()) as { entries: Record<string, any>[] };
      expect(entries.map((e) => [e.kind, e.principal.kind, e.route])).toEqual([
        ['agency-status', 'cli', 'cli status'],
        ['officer-list', 'token', 'GET /api/agencies/:agencyId/officers'],
      ]);
    } finally {
      second.child.kill('SIGTERM');
    }
  });
});
