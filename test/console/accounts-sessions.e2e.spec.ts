/**
 * Accounts and sessions of the console over real HTTP (no browser needed): passwords by NIST SP
 * 800-63B (length, common passwords, no composition rules), one-time links that expire, sessions
 * that end when idle and return the person to where they were, a role change and a disabled
 * account taking effect on the next request, a new password ending older sessions, and the
 * agency report cache giving the same answers as a fresh evaluation.
 */
import type { INestApplication } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { AccessLog } from '../../src/access-log/access-log';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetAgencyStatusQuery, type AgencyStatusView } from '../../src/agencies/agency-status';
import { RegisterAgencyCommand } from '../../src/agencies/register-agency';
import { Accounts, LINK_VALIDITY_MS } from '../../src/auth/accounts';
import { passwordProblems } from '../../src/auth/passwords';
import { AccessRegistry } from '../../src/auth/access-registry';
import { createHttpApp } from '../../src/http/create-http-app';
import { Invalid, NotFound } from '../../src/write/refusals';
import { EVENT_STORE, type EventStore } from '../../src/store/event-store.port';

const PASSWORD = 'lilac tractor mustard canyon';
const IDLE_MS = 1500;

let app: INestApplication;
let base: string;
let dir: string;
let accounts: Accounts;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sro-accounts-'));
  app = await createHttpApp({ store: `sqlite:${join(dir, 'sro.db')}`, logger: false, ledger: { keyFile: join(dir, 'key.pem') }, console: { idleMs: IDLE_MS } });
  await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  accounts = app.get(Accounts);
  await app.get(CommandBus).execute(new RegisterAgencyCommand({ agencyId: 'pd', recordedBy: 'test', correlationId: randomUUID() }, 'Test PD'));
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A browser's cookie jar for one site, enough for these pages. */
class Visitor {
  cookie = '';
  async get(path: string): Promise<{ status: number; body: string; location: string | null }> {
    const res = await fetch(`${base}${path}`, { headers: { cookie: this.cookie }, redirect: 'manual' });
    this.keep(res);
    return { status: res.status, body: await res.text(), location: res.headers.get('location') };
  }
  async post(path: string, form: Record<string, string>): Promise<{ status: number; body: string; location: string | null }> {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { cookie: this.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
      redirect: 'manual',
    });
    this.keep(res);
    return { status: res.status, body: await res.text(), location: res.headers.get('location') };
  }
  async csrf(path = '/sign-in'): Promise<string> {
    const page = await this.get(path);
    return /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
  }
  async signIn(email: string, password = PASSWORD, next = '/') {
    return this.post('/sign-in', { _csrf: await this.csrf(), email, password, next });
  }
  private keep(res: Response) {
    const set = res.headers.getSetCookie().find((c) => c.startsWith('sro_session='));
    if (set) this.cookie = set.split(';')[0];
  }
}

async function person(role: 'admin' | 'auditor' | 'chief' | 'investigator', email: string) {
  const invitation = await accounts.invite({ agencyId: 'pd', role, email, name: `Person ${email}` }, 'test');
  await accounts.setPassword(invitation.secret, PASSWORD, PASSWORD);
  return invitation;
}

describe('passwords (NIST SP 800-63B)', () => {
  it.each([
    ['short', 'eleven char'],
    ['common', 'password1234'],
    ['common, any case', 'PASSWORD1234'],
    ['repeated', 'aaaaaaaaaaaaaa'],
    ['sequential', '123456789012'],
    ['the email', 'casey@pd.example.gov'],
  ])('refuses a %s password', (_, password) => {
    expect(passwordProblems(password, { email: 'casey@pd.example.gov', name: 'Casey Chief' })).toHaveLength(1);
  });

  it.each([PASSWORD, 'lower case only and long', 'ñandú sobre el río', '🙂🙂🙂🙂 four smiles'])('takes %p without composition rules', (password) => {
    expect(passwordProblems(password)).toEqual([]);
  });

  it('stores only the scrypt hash, with its salt and parameters', async () => {
    const invitation = await person('auditor', 'hash@pd.example.gov');
    const account = await app.get(AccessRegistry).account({ userId: invitation.account.userId });
    expect(account!.password).toMatchObject({ algorithm: 'scrypt', logN: 15, r: 8, p: 3, keyLength: 32 });
    expect(JSON.stringify(account!.password)).not.toContain(PASSWORD);
  });
});

describe('one-time links', () => {
  it('an invitation works once and expires after 24 hours', async () => {
    const invitation = await accounts.invite({ agencyId: 'pd', role: 'chief', email: 'late@pd.example.gov', name: 'Late' }, 'test');
    const later = new Date(Date.now() + LINK_VALIDITY_MS + 60_000);
    await expect(accounts.setPassword(invitation.secret, PASSWORD, PASSWORD, later)).rejects.toThrow(Invalid);
    await accounts.setPassword(invitation.secret, PASSWORD, PASSWORD);
    await expect(accounts.setPassword(invitation.secret, PASSWORD, PASSWORD)).rejects.toThrow(NotFound);
  });

  it('a new link revokes the older ones: an invitation replaced by a reset, a reset by a newer reset', async () => {
    const invitation = await accounts.invite({ agencyId: 'pd', role: 'chief', email: 'relinked@pd.example.gov', name: 'Relinked' }, 'test');
    const first = await accounts.issueReset('pd', 'relinked@pd.example.gov', 'test');
    await expect(accounts.accountForLink(invitation.secret)).rejects.toThrow(NotFound);
    const second = await accounts.issueReset('pd', 'relinked@pd.example.gov', 'test');
    await expect(accounts.setPassword(first.secret, PASSWORD, PASSWORD)).rejects.toThrow(/replaced by a newer one/);
    const page = await new Visitor().get(`/welcome?token=${encodeURIComponent(first.secret)}`);
    expect(page.status).toBe(404);
    await accounts.setPassword(second.secret, PASSWORD, PASSWORD);
  });

  it('disabling revokes every open link: one issued before the disable does not work after re-enabling', async () => {
    await person('auditor', 'paused@pd.example.gov');
    const reset = await accounts.issueReset('pd', 'paused@pd.example.gov', 'test');
    await accounts.disable('pd', 'paused@pd.example.gov', 'on leave', 'test');
    await accounts.enable('pd', 'paused@pd.example.gov', 'test');
    await expect(accounts.setPassword(reset.secret, 'a new passphrase after leave', 'a new passphrase after leave')).rejects.toThrow(NotFound);
    // A link issued after re-enabling works.
    const fresh = await accounts.issueReset('pd', 'paused@pd.example.gov', 'test');
    await accounts.setPassword(fresh.secret, 'a new passphrase after leave', 'a new passphrase after leave');
  });

  it('refuses a second account for one email, in any case', async () => {
    await expect(accounts.invite({ agencyId: 'pd', role: 'chief', email: 'LATE@pd.example.gov', name: 'Again' }, 'test')).rejects.toThrow(/already exists/);
  });

  it('the welcome page says plainly when a link does not work', async () => {
    const page = await new Visitor().get('/welcome?token=not-a-link');
    expect(page.status).toBe(404);
    expect(page.body).toContain('This link does not work');
  });
});

describe('inviting an email that another agency uses', () => {
  it('answers as for a new email, records nothing, and the link shown does not work', async () => {
    await app.get(CommandBus).execute(new RegisterAgencyCommand({ agencyId: 'north', recordedBy: 'test', correlationId: randomUUID() }, 'North PD'));
    await accounts.invite({ agencyId: 'north', role: 'chief', email: 'taken@north.example.gov', name: 'North Chief' }, 'test');
    await person('admin', 'inviter@pd.example.gov');
    const v = new Visitor();
    await v.signIn('inviter@pd.example.gov');
    // Post/redirect/get: the POST answers 303 to /people, and the page it opens shows the link (or the refusal) once.
    const invite = async (email: string) => {
      const posted = await v.post('/people/invite', { _csrf: await v.csrf('/people'), name: 'Someone New', email, role: 'auditor' });
      expect({ status: posted.status, location: posted.location }).toEqual({ status: 303, location: '/people' });
      return v.get('/people');
    };
    const store = app.get<EventStore>(EVENT_STORE);
    const before = JSON.stringify(await store.listStreams(''));
    const taken = await invite('TAKEN@north.example.gov');
    expect(JSON.stringify(await store.listStreams(''))).toBe(before);
    const fresh = await invite('brand-new@pd.example.gov');
    // The same answer: status, heading and sentence; only the email and the link differ.
    const shape = (page: string, email: string) => /<section class="handover"[\s\S]*?<\/section>/.exec(page)![0].replace(email, 'EMAIL').replace(/token=[^"]+/, 'token=SECRET').replace(/until [^;]+;/, 'until WHEN;');
    expect(taken.status).toBe(200);
    expect(taken.status).toBe(fresh.status);
    expect(shape(taken.body, 'taken@north.example.gov')).toBe(shape(fresh.body, 'brand-new@pd.example.gov'));
    expect(taken.body).not.toMatch(/already exists|another agency/);
    // The link given for the taken email opens nothing; the account of the other agency is untouched.
    const secret = decodeURIComponent(/welcome\?token=([^"&]+)/.exec(taken.body)![1]);
    expect((await new Visitor().get(`/welcome?token=${encodeURIComponent(secret)}`)).status).toBe(404);
    expect((await app.get(AccessRegistry).account({ email: 'taken@north.example.gov' }))!.agencyId).toBe('north');
    // Within one's own agency the People page lists everyone anyway: a duplicate is still named.
    const again = await invite('brand-new@pd.example.gov');
    expect(again.status).toBe(409);
    expect(again.body).toContain('an account for brand-new@pd.example.gov already exists');
  });
});

describe('sessions', () => {
  it('an idle session ends; sign-in returns the person to where they were', async () => {
    await person('auditor', 'idle@pd.example.gov');
    const v = new Visitor();
    expect((await v.signIn('idle@pd.example.gov')).status).toBe(303);
    expect((await v.get('/')).status).toBe(200);
    await new Promise((r) => setTimeout(r, IDLE_MS + 300));
    const ended = await v.get('/officers/o-9?asOf=2026-03-01');
    expect(ended.status).toBe(303);
    expect(ended.location).toBe('/sign-in?next=%2Fofficers%2Fo-9%3FasOf%3D2026-03-01');
    const signIn = await v.get(ended.location!);
    expect(signIn.body).toContain('Your session ended after 30 minutes without use');
    const back = await v.post('/sign-in', { _csrf: /name="_csrf" value="([^"]+)"/.exec(signIn.body)![1], email: 'idle@pd.example.gov', password: PASSWORD, next: '/officers/o-9?asOf=2026-03-01' });
    expect(back.location).toBe('/officers/o-9?asOf=2026-03-01');
  });

  it('a new session id at sign-in; the old one names no session', async () => {
    await person('chief', 'fixation@pd.example.gov');
    const v = new Visitor();
    await v.csrf();
    const anonymous = v.cookie;
    await v.signIn('fixation@pd.example.gov');
    expect(v.cookie).not.toBe(anonymous);
    const attacker = new Visitor();
    attacker.cookie = anonymous;
    expect((await attacker.get('/')).status).toBe(303);
  });

  it('a role change applies on the next request, and a disabled account is signed out', async () => {
    await person('admin', 'boss@pd.example.gov');
    await person('admin', 'moved@pd.example.gov');
    const v = new Visitor();
    await v.signIn('moved@pd.example.gov');
    expect((await v.get('/people')).status).toBe(200);
    await accounts.changeRole('pd', 'moved@pd.example.gov', 'chief', 'boss@pd.example.gov');
    const forbidden = await v.get('/people');
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toContain('may be opened by: Admin (records clerk)');
    expect((await v.get('/reminders')).status).toBe(200);
    await accounts.disable('pd', 'moved@pd.example.gov', 'left the agency', 'boss@pd.example.gov');
    expect((await v.get('/reminders')).status).toBe(303);
    expect((await v.signIn('moved@pd.example.gov')).status).toBe(401);
  });

  it('a password set through a reset link ends the sessions begun before', async () => {
    await person('chief', 'reset@pd.example.gov');
    const v = new Visitor();
    await v.signIn('reset@pd.example.gov');
    expect((await v.get('/reminders')).status).toBe(200);
    const reset = await accounts.issueReset('pd', 'reset@pd.example.gov', 'test');
    await new Promise((r) => setTimeout(r, 5));
    await accounts.setPassword(reset.secret, 'a brand new passphrase', 'a brand new passphrase');
    expect((await v.get('/reminders')).status).toBe(303);
    expect((await v.signIn('reset@pd.example.gov')).status).toBe(401);
    expect((await v.signIn('reset@pd.example.gov', 'a brand new passphrase')).status).toBe(303);
  });

  it('a sign-in form from another site (no token of this session) is refused', async () => {
    await person('chief', 'csrf@pd.example.gov');
    const v = new Visitor();
    const refused = await v.post('/sign-in', { email: 'csrf@pd.example.gov', password: PASSWORD });
    expect(refused.status).toBe(403);
  });

  it('a form body that is not a form, or too large, is refused before any page', async () => {
    const json = await fetch(`${base}/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"x"}' });
    expect(json.status).toBe(415);
    expect(await json.text()).toContain('<!doctype html>');
    const big = await fetch(`${base}/sign-in`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `x=${'a'.repeat(70 * 1024)}` });
    expect(big.status).toBe(413);
  });

  it('an unknown page is an HTML 404; an unknown API route stays JSON', async () => {
    const page = await fetch(`${base}/no-such-page`);
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const api = await fetch(`${base}/api/no-such-route`);
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ statusCode: 404 });
  });
});

describe('the agency report cache', () => {
  it('answers "now" from the report that knew every event, and a write or a past knownAt is evaluated afresh', async () => {
    const token = (await app.get(AccessRegistry).issue({ agencyId: 'pd', role: 'admin', name: 'cache-test', recordedBy: 'test' })).token;
    const post = (path: string, body: unknown) =>
      fetch(`${base}/api/agencies/pd${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/officers', { officerId: 'c-1', name: 'Cached One' })).status).toBe(201);
    const queries = app.get(QueryBus);
    // A read of officer data names its reader (docs/decisions.md W43): here the test, as a CLI user would be.
    const reader = { principal: { kind: 'cli' as const, id: 'test', name: 'test', role: 'cli' }, route: 'test', format: 'json', requestId: null };
    const report = (knownAt: string): Promise<AgencyStatusView> => app.get(AccessLog).runAs(reader, () => queries.execute(new GetAgencyStatusQuery('pd', { asOf: '2026-03-01', knownAt })));
    const first = await report(new Date().toISOString());
    const second = await report(new Date().toISOString());
    expect(second.officers).toBe(first.officers); // the same report object: served from the cache
    const before = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    expect((await post('/officers', { officerId: 'c-2', name: 'Cached Two' })).status).toBe(201);
    const third = await report(new Date().toISOString());
    expect(third.officers.map((o) => o.officerId)).toContain('c-2');
    const past = await report(before);
    expect(past.officers.map((o) => o.officerId)).not.toContain('c-2');
    expect(past.officers.map((o) => o.officerId)).toContain('c-1');
  });
});
