/**
 * Sign-in through an identity provider over real HTTP, against a real OpenID Connect provider
 * (oidc-provider 9, in this process: test/support/oidc-provider.ts) and a real SQLite store: the
 * provider is added by the CLI (`idp add`), and a person signs in with the role their group maps
 * to; is refused without a mapped group (a page naming the agency's admins, no session), without
 * a verified email, or when disabled here; a role changed at the provider applies at the next
 * sign-in; a local account of the same email is linked. The callback is refused when replayed,
 * when its `state` is forged, when the ID token carries another `nonce` or is signed by another
 * key. Each attempt is in the agency's access log. A restarted server keeps the session.
 */
import type { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessLog } from '../../src/access-log/access-log';
import { RegisterAgencyCommand } from '../../src/agencies/register-agency';
import { AccessRegistry } from '../../src/auth/access-registry';
import { Accounts } from '../../src/auth/accounts';
import { SessionStore } from '../../src/console/sessions';
import { createHttpApp } from '../../src/http/create-http-app';
import { EVENT_STORE, type EventStore } from '../../src/store/event-store.port';
import { ACCESS_STREAM } from '../../events/streams';
import { runMain } from '../support/cli-in-process';
import { startTestProvider, tokenParts, type TestProvider } from '../support/oidc-provider';

const PASSWORD = 'lilac tractor mustard canyon';

let dir: string;
let store: string;
let keyFile: string;
let app: INestApplication;
let base: string;
let idp: TestProvider;

async function startApp(port = 0): Promise<void> {
  app = await createHttpApp({ store, logger: false, ledger: { keyFile } });
  await app.listen(port, '127.0.0.1');
  base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
}

/** A browser's cookie jar (cookies are per host, not per port: the app's and the provider's share it, as in a browser). */
export class Visitor {
  cookies = new Map<string, string>();
  constructor(private readonly origin: () => string) {}
  get session(): string | undefined {
    return this.cookies.get('sro_session');
  }
  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const send = () =>
      fetch(url.startsWith('http') ? url : `${this.origin()}${url}`, {
        method: init.method ?? (init.form ? 'POST' : 'GET'),
        headers: { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        body: init.form ? new URLSearchParams(init.form) : undefined,
        redirect: 'manual',
      });
    // A kept-alive connection to a server that was restarted is closed under us: once more, on a new one.
    const res = await send().catch(() => send());
    const setCookies = res.headers.getSetCookie();
    for (const c of setCookies) {
      const [pair] = c.split(';');
      const at = pair.indexOf('=');
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return { status: res.status, body: await res.text(), location: res.headers.get('location'), setCookies };
  }
  /** The sign-in page's form token and the provider's button. */
  async signInPage() {
    const page = await this.request('/sign-in');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
    const provider = /name="provider" value="([^"]+)"/.exec(page.body)?.[1];
    return { page, csrf, provider };
  }
  /** Clicks "Sign in with ..." and signs in at the provider as `login`; returns the callback URL the provider sends back (not yet opened). */
  async throughProvider(login: string, next = '/'): Promise<string> {
    const { csrf, provider } = await this.signInPage();
    const start = await this.request('/auth/oidc/start', { form: { _csrf: csrf, provider: provider!, next } });
    expect(start.status).toBe(303);
    let location = start.location!;
    expect(location.startsWith(idp.issuer)).toBe(true);
    for (let hop = 0; hop < 10; hop++) {
      const url = new URL(location, idp.issuer).href;
      if (url.startsWith(`${this.origin()}/auth/oidc/callback`)) return url;
      const interaction = /\/interaction\/[^/?]+$/.test(new URL(url).pathname);
      const res = interaction ? await this.request(url, { form: { login } }) : await this.request(url);
      if (!res.location) throw new Error(`the provider stopped at ${url}: ${res.status} ${res.body.slice(0, 300)}`);
      location = res.location;
    }
    throw new Error('too many redirects at the provider');
  }
  async signIn(login: string, next = '/') {
    return this.request(await this.throughProvider(login, next));
  }
}

const visitor = () => new Visitor(() => base);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sro-oidc-'));
  store = `sqlite:${join(dir, 'data', 'sro.db')}`;
  keyFile = join(dir, 'keys', 'ledger-key.pem');
  await startApp();
  await app.get(CommandBus).execute(new RegisterAgencyCommand({ agencyId: 'pd', recordedBy: 'test', correlationId: randomUUID() }, 'Test PD'));
  idp = await startTestProvider([`http://127.0.0.1:${new URL(base).port}/auth/oidc/callback`]);
  idp.people.set('alice', { email: 'alice@city.example', email_verified: true, name: 'Alice Admin', groups: ['SRO-Admins', 'Everyone'] });
  idp.people.set('carol', { email: 'carol@city.example', email_verified: true, name: 'Carol Chief', groups: ['SRO-Chiefs'] });
  idp.people.set('bob', { email: 'bob@city.example', email_verified: true, name: 'Bob Cafeteria', groups: ['Cafeteria'] });
  idp.people.set('erin', { email: 'erin@city.example', email_verified: false, name: 'Erin Unverified', groups: ['SRO-Admins'] });
  idp.people.set('lee', { email: 'lee@city.example', email_verified: true, name: 'Lee Local', groups: ['SRO-Auditors'] });
  idp.people.set('dave', { email: 'dave@city.example', email_verified: true, name: 'Dave Disabled', groups: ['SRO-Auditors'] });
  const cli = await runMain(
    { SRO_STORE: store, SRO_KEY_FILE: keyFile, PATH: process.env.PATH, NODE_ENV: 'test' },
    'idp', 'add', '--agency', 'pd', '--name', 'City IT', '--issuer', idp.issuer, '--client-id', idp.clientId, '--client-secret', idp.clientSecret,
    '--role', 'SRO-Admins=admin', '--role', 'SRO-Chiefs=chief', '--role', 'SRO-Auditors=auditor',
  );
  expect(cli.stderr).toBe('');
  expect(cli.status).toBe(0);
  // The secret is never printed, and not in the store in clear.
  expect(cli.stdout).not.toContain(idp.clientSecret);
  expect(cli.stdout).toContain('/auth/oidc/callback');
}, 60_000);

afterAll(async () => {
  await app?.close();
  await idp?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the provider as recorded', () => {
  it('is an access-stream event whose client secret is sealed, with the key beside the ledger key (mode 0600)', async () => {
    const events = await app.get<EventStore>(EVENT_STORE).readStream(ACCESS_STREAM);
    const added = events.find((e) => e.type === 'IdentityProviderAdded')!;
    expect(added.data).toMatchObject({ agencyId: 'pd', name: 'City IT', issuer: idp.issuer, clientId: idp.clientId, groupsClaim: 'groups' });
    expect(JSON.stringify(added.data)).not.toContain(idp.clientSecret);
    expect(readFileSync(join(dir, 'data', 'sro.db')).includes(Buffer.from(idp.clientSecret))).toBe(false);
    const secretKey = join(dir, 'keys', 'idp-secret-key');
    expect(statSync(secretKey).mode & 0o777).toBe(0o600);
    const list = await runMain({ SRO_STORE: store, SRO_KEY_FILE: keyFile, PATH: process.env.PATH, NODE_ENV: 'test' }, 'idp', 'list', '--agency', 'pd');
    expect(list.status).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: 'City IT', roles: 'SRO-Admins=admin SRO-Chiefs=chief SRO-Auditors=auditor' })]);
    expect(list.stdout).not.toContain(idp.clientSecret);
  });

  it('shows a button "Sign in with City IT" beside the local form', async () => {
    const { page } = await visitor().signInPage();
    expect(page.body).toContain('Sign in with City IT</button>');
    expect(page.body).toContain('<label for="password">Password</label>');
  });
});

describe('who gets in', () => {
  it('a person whose group maps to admin is signed in as admin; the account is created on first sign-in', async () => {
    const v = visitor();
    const before = v.session;
    const done = await v.signIn('alice', '/people');
    expect(done.status).toBe(303);
    expect(done.location).toBe('/people');
    expect(v.session).toBeDefined();
    expect(v.session).not.toBe(before);
    const people = await v.request('/people');
    expect(people.status).toBe(200);
    expect(people.body).toContain('alice@city.example');
    const account = await app.get(AccessRegistry).account({ email: 'alice@city.example' });
    expect(account).toMatchObject({ role: 'admin', agencyId: 'pd', name: 'Alice Admin' });
    expect(account!.password).toBeUndefined();
  });

  it('the first mapping the person has decides the role; a role changed at the provider applies at the next sign-in', async () => {
    const v = visitor();
    await v.signIn('carol');
    expect((await app.get(AccessRegistry).account({ email: 'carol@city.example' }))!.role).toBe('chief');
    expect((await v.request('/people')).status).toBe(403);
    idp.people.get('carol')!.groups = ['SRO-Auditors'];
    const again = visitor();
    await again.signIn('carol');
    expect((await app.get(AccessRegistry).account({ email: 'carol@city.example' }))!.role).toBe('auditor');
  });

  it('no mapped group: a page that says so and names the agency admins, and no session', async () => {
    const v = visitor();
    const callback = await v.throughProvider('bob');
    const anonymous = v.session;
    const answer = await v.request(callback);
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('No access yet');
    expect(answer.body).toContain('none of your groups there gives access');
    expect(answer.body).toContain('alice@city.example');
    expect(answer.setCookies.filter((c) => c.startsWith('sro_session='))).toEqual([]);
    expect(v.session).toBe(anonymous);
    expect((await v.request('/')).status).toBe(303);
    expect(await app.get(AccessRegistry).account({ email: 'bob@city.example' })).toBeUndefined();
  });

  it('an email the provider does not mark verified is refused', async () => {
    const answer = await visitor().signIn('erin');
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('verified email');
  });

  it('a local account of the same email is linked, and takes the role the provider gives', async () => {
    const accounts = app.get(Accounts);
    const invitation = await accounts.invite({ agencyId: 'pd', role: 'chief', email: 'lee@city.example', name: 'Lee Local' }, 'test');
    await accounts.setPassword(invitation.secret, PASSWORD, PASSWORD);
    const answer = await visitor().signIn('lee');
    expect(answer.status).toBe(303);
    const account = await app.get(AccessRegistry).account({ email: 'lee@city.example' });
    expect(account).toMatchObject({ userId: invitation.account.userId, role: 'auditor' });
    expect(account!.subjects?.get(expect.anything())).toBeUndefined();
    expect([...account!.subjects!.values()]).toEqual(['lee']);
  });

  it('a disabled account stays out, whatever the provider says; disabling ends its sessions at once', async () => {
    const v = visitor();
    await v.signIn('dave');
    expect((await v.request('/')).status).toBe(200);
    const dave = (await app.get(AccessRegistry).account({ email: 'dave@city.example' }))!;
    // An admin disables Dave on People.
    const admin = visitor();
    await admin.signIn('alice');
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await admin.request('/people')).body)![1];
    const disabled = await admin.request('/people/action', { form: { _csrf: csrf, email: 'dave@city.example', action: 'disable', reason: 'left the city' } });
    expect(disabled.status).toBe(303);
    expect(await app.get(SessionStore).listOf(dave.userId)).toEqual([]);
    expect((await v.request('/')).status).toBe(303);
    const again = await visitor().signIn('dave');
    expect(again.status).toBe(403);
    expect(again.body).toContain('disabled');
  });
});

describe('a forged or replayed answer is refused', () => {
  it('a replayed callback: the answer is used once', async () => {
    const v = visitor();
    const callback = await v.throughProvider('alice');
    expect((await v.request(callback)).status).toBe(303);
    const replay = await v.request(callback);
    expect(replay.status).toBe(400);
    expect(replay.body).toContain('No sign-in through a provider is under way');
    const elsewhere = visitor();
    await elsewhere.signInPage();
    const stolen = await elsewhere.request(callback);
    expect(stolen.status).toBe(400);
    expect(elsewhere.session).toBeDefined();
    expect((await elsewhere.request('/')).status).toBe(303);
  });

  it('a forged state', async () => {
    const v = visitor();
    const callback = new URL(await v.throughProvider('alice'));
    callback.searchParams.set('state', 'forged-state-value');
    const answer = await v.request(callback.href);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(/could not be accepted/);
    expect((await v.request('/')).status).toBe(303);
  });

  it('an ID token with another nonce, signed by the provider', async () => {
    idp.tamper = async (token) => idp.signWithProviderKey({ ...tokenParts(token).claims, nonce: 'another-nonce' });
    const v = visitor();
    const answer = await v.signIn('alice');
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(/could not be accepted \(unexpected JWT claim value/);
    expect((await v.request('/')).status).toBe(303);
  });

  it('an ID token signed by another key', async () => {
    idp.tamper = async (token) => idp.signWithOtherKey(tokenParts(token).claims);
    const v = visitor();
    const answer = await v.signIn('alice');
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(/could not be accepted/);
    expect((await v.request('/')).status).toBe(303);
  });
});

describe('evidence and sessions', () => {
  it('each sign-in, accepted or refused, is in the agency access log with the provider and the subject', async () => {
    const entries = await app.get(AccessLog).find({ agencyId: 'pd', limit: 1000 });
    const signIns = entries.filter((e) => e.kind.startsWith('sign-in'));
    expect(signIns.some((e) => e.kind === 'sign-in' && e.route.includes('"City IT"') && e.route.includes('(subject "alice")'))).toBe(true);
    expect(signIns.some((e) => e.kind === 'sign-in-refused' && e.route.includes('no-mapped-group') && e.principal.name.includes('bob@city.example'))).toBe(true);
  });

  it('a restarted server keeps the session', async () => {
    const v = visitor();
    await v.signIn('alice');
    expect((await v.request('/people')).status).toBe(200);
    const port = Number(new URL(base).port);
    await app.close();
    // A new process would open the same store: a new app, its session store opened afresh.
    await startApp(port);
    expect((await v.request('/people')).status).toBe(200);
  });

  it('"Sign out everywhere" ends every session of the person', async () => {
    const first = visitor();
    const second = visitor();
    await first.signIn('alice');
    await second.signIn('alice');
    const page = await first.request('/account/sessions');
    expect(page.status).toBe(200);
    expect(page.body).toContain('through City IT');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
    const ended = await first.request('/account/sessions/end-all', { form: { _csrf: csrf } });
    expect(ended.status).toBe(303);
    expect((await second.request('/people')).status).toBe(303);
    expect((await first.request('/people')).status).toBe(303);
  });
});
