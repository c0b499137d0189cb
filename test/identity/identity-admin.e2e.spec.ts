/**
 * The admin's side of sign-in through providers, over real HTTP on a SQLite file (no provider is
 * contacted: adding one records it; discovery happens at the first sign-in): the Identity
 * providers page adds (a refusal names each field, and never sends the secret back), lists and
 * removes; password sign-in turned off refuses a correct password with the provider's name, and
 * comes back when the last provider goes; `idp` on the command line does the same; People signs
 * another person out everywhere; Who read what shows one person's sign-ins.
 */
import type { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegisterAgencyCommand } from '../../src/agencies/register-agency';
import { AccessRegistry } from '../../src/auth/access-registry';
import { Accounts } from '../../src/auth/accounts';
import { SessionStore } from '../../src/console/sessions';
import { createHttpApp } from '../../src/http/create-http-app';
import { runMain } from '../support/cli-in-process';

const PASSWORD = 'lilac tractor mustard canyon';
let dir: string;
let app: INestApplication;
let base: string;
let env: NodeJS.ProcessEnv;

class Visitor {
  cookie = '';
  async request(path: string, form?: Record<string, string>) {
    const res = await fetch(`${base}${path}`, {
      method: form ? 'POST' : 'GET',
      headers: { cookie: this.cookie, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form ? new URLSearchParams(form) : undefined,
      redirect: 'manual',
    });
    const set = res.headers.getSetCookie().find((c) => c.startsWith('sro_session='));
    if (set) this.cookie = set.split(';')[0];
    return { status: res.status, body: await res.text(), location: res.headers.get('location') };
  }
  async csrf(path: string) {
    return /name="_csrf" value="([^"]+)"/.exec((await this.request(path)).body)![1];
  }
  async signIn(email: string) {
    return this.request('/sign-in', { _csrf: await this.csrf('/sign-in'), email, password: PASSWORD, next: '/' });
  }
}

async function person(role: 'admin' | 'auditor', email: string) {
  const invitation = await app.get(Accounts).invite({ agencyId: 'pd', role, email, name: `Person ${email.split('@')[0]}` }, 'test');
  await app.get(Accounts).setPassword(invitation.secret, PASSWORD, PASSWORD);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sro-idp-admin-'));
  const store = `sqlite:${join(dir, 'sro.db')}`;
  const keyFile = join(dir, 'ledger-key.pem');
  env = { SRO_STORE: store, SRO_KEY_FILE: keyFile, PATH: process.env.PATH, NODE_ENV: 'test' };
  app = await createHttpApp({ store, logger: false, ledger: { keyFile } });
  await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  await app.get(CommandBus).execute(new RegisterAgencyCommand({ agencyId: 'pd', recordedBy: 'test', correlationId: randomUUID() }, 'Test PD'));
  await person('admin', 'admin@pd.example.gov');
  await person('auditor', 'audrey@pd.example.gov');
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the Identity providers page', () => {
  const admin = new Visitor();
  beforeAll(async () => void (await admin.signIn('admin@pd.example.gov')));

  it('refuses a provider with each problem named, keeping what was typed but never the secret', async () => {
    const csrf = await admin.csrf('/identity-providers');
    const answer = await admin.request('/identity-providers/add', { _csrf: csrf, name: 'City IT', issuer: 'http://idp.example', clientId: 'abc', clientSecret: 'do-not-echo-me', groupsClaim: 'groups', roles: 'SRO-Admins=root' });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('must start with https://');
    expect(answer.body).toContain('the role must be one of admin, auditor, chief, investigator');
    expect(answer.body).toContain('value="City IT"');
    expect(answer.body).not.toContain('do-not-echo-me');
    expect(await app.get(AccessRegistry).identityProviders('pd')).toEqual([]);
  });

  it('adds, lists, turns passwords off (a correct password is then refused), and removes', async () => {
    let csrf = await admin.csrf('/identity-providers');
    const added = await admin.request('/identity-providers/add', { _csrf: csrf, name: 'City IT', issuer: 'https://login.example.gov/tenant/v2.0', clientId: 'abc', clientSecret: 'a-secret', groupsClaim: 'roles', roles: 'SRO.Admin=admin\r\nSRO.Auditor=auditor' });
    expect(added.status).toBe(303);
    const page = await admin.request('/identity-providers');
    expect(page.body).toContain('Provider City IT added');
    expect(page.body).toContain(`${base}/auth/oidc/callback`);
    expect(page.body).toContain('SRO.Auditor → Auditor');
    expect(page.body).not.toContain('a-secret');
    csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
    expect((await admin.request('/identity-providers/passwords', { _csrf: csrf, allowed: 'no' })).status).toBe(303);
    const withPassword = await new Visitor().signIn('audrey@pd.example.gov');
    expect(withPassword.status).toBe(403);
    expect(withPassword.body).toContain('Sign in with City IT');
    expect((await admin.request('/identity-providers/remove', { _csrf: csrf, name: 'City IT' })).status).toBe(303);
    expect((await admin.request('/identity-providers')).body).toContain('It was the last one: password sign-in is on again.');
    // Removed twice: the refusal is shown once, with its status, on the page the redirect opens.
    expect((await admin.request('/identity-providers/remove', { _csrf: csrf, name: 'City IT' })).status).toBe(303);
    const refused = await admin.request('/identity-providers');
    expect(refused.status).toBe(404);
    expect(refused.body).toContain('has no identity provider named');
    expect((await admin.request('/identity-providers')).status).toBe(200);
    expect((await new Visitor().signIn('audrey@pd.example.gov')).status).toBe(303);
  });

  it('is the admin’s only', async () => {
    const auditor = new Visitor();
    await auditor.signIn('audrey@pd.example.gov');
    expect((await auditor.request('/identity-providers')).status).toBe(403);
  });
});

describe('idp on the command line', () => {
  it('add, list, passwords off and on, remove; a second provider of the same name is refused', async () => {
    const add = (name: string) =>
      runMain(env, 'idp', 'add', '--agency', 'pd', '--name', name, '--issuer', 'https://accounts.google.com', '--client-id', 'g-client', '--client-secret', 'g-secret', '--groups-claim', 'hd', '--role', 'district.example.org=auditor');
    expect((await add('District Google')).status).toBe(0);
    const again = await add('District Google');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('already has a provider named');
    expect((await runMain(env, 'idp', 'passwords', '--agency', 'pd', '--off')).status).toBe(0);
    expect((await new Visitor().signIn('audrey@pd.example.gov')).status).toBe(403);
    expect((await runMain(env, 'idp', 'passwords', '--agency', 'pd', '--on')).status).toBe(0);
    expect((await runMain(env, 'idp', 'passwords', '--agency', 'pd')).status).toBe(2);
    const list = await runMain(env, 'idp', 'list', '--agency', 'pd', '--csv');
    expect(list.stdout).toContain('District Google');
    expect(list.stdout).not.toContain('g-secret');
    expect((await runMain(env, 'idp', 'remove', '--agency', 'pd', '--name', 'District Google')).status).toBe(0);
    expect((await runMain(env, 'idp', 'remove', '--agency', 'pd', '--name', 'District Google')).status).toBe(1);
  });

  it('turning passwords off without a provider is refused', async () => {
    const answer = await runMain(env, 'idp', 'passwords', '--agency', 'pd', '--off');
    expect(answer.status).toBe(1);
    expect(answer.stderr).toContain('has no identity provider');
  });
});

describe('sessions and sign-ins, for an admin', () => {
  it('People signs another person out everywhere', async () => {
    const auditor = new Visitor();
    await auditor.signIn('audrey@pd.example.gov');
    expect((await auditor.request('/')).status).toBe(200);
    const admin = new Visitor();
    await admin.signIn('admin@pd.example.gov');
    const csrf = await admin.csrf('/people');
    const ended = await admin.request('/people/action', { _csrf: csrf, email: 'audrey@pd.example.gov', action: 'end-sessions' });
    expect(ended.status).toBe(303);
    expect((await admin.request('/people')).body).toMatch(/session(s)? of audrey@pd.example.gov ended/);
    const audrey = (await app.get(AccessRegistry).account({ email: 'audrey@pd.example.gov' }))!;
    expect(await app.get(SessionStore).listOf(audrey.userId)).toEqual([]);
    expect((await auditor.request('/')).status).toBe(303);
  });

  it('Who read what shows one person’s sign-ins, accepted and refused', async () => {
    const guesser = new Visitor();
    expect((await guesser.request('/sign-in', { _csrf: await guesser.csrf('/sign-in'), email: 'audrey@pd.example.gov', password: 'not the password at all', next: '/' })).status).toBe(401);
    const admin = new Visitor();
    await admin.signIn('admin@pd.example.gov');
    const audrey = (await app.get(AccessRegistry).account({ email: 'audrey@pd.example.gov' }))!;
    const page = await admin.request(`/access-log?person=${audrey.userId}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Signed in');
    expect(page.body).toContain('Sign-in refused');
    expect(page.body).not.toContain('admin@pd.example.gov&gt; (admin)');
  });
});
