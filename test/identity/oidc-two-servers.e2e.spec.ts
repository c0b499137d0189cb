/**
 * Two servers on one PostgreSQL database, as behind a load balancer without sticky routing
 * (docs/decisions.md W55): a sign-in through the provider started on one server is finished on
 * the other (the state, nonce and PKCE verifier are in the shared session row), the session then
 * works on both, and disabling the account on one ends it on the other at once. The provider is
 * oidc-provider 9 in this process; both servers have one public address (SRO_PUBLIC_URL), as
 * behind a proxy, so the redirect URI is the same whichever server answers.
 */
import type { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegisterAgencyCommand } from '../../src/agencies/register-agency';
import { Accounts } from '../../src/auth/accounts';
import { createHttpApp } from '../../src/http/create-http-app';
import { IdentityProviders } from '../../src/identity/identity-providers';
import { SessionStore } from '../../src/console/sessions';
import { AccessRegistry } from '../../src/auth/access-registry';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';
import { startTestProvider, type TestProvider } from '../support/oidc-provider';

const PUBLIC = 'http://sro.test';

describeWithPostgres('two servers on one PostgreSQL share sign-ins and sessions', () => {
  let db: TestDatabase;
  let dir: string;
  let idp: TestProvider;
  const servers: { app: INestApplication; origin: string }[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'sro-oidc-pg-'));
    for (let i = 0; i < 2; i++) {
      const app = await createHttpApp({ store: db.url, logger: false, ledger: { keyFile: join(dir, 'ledger-key.pem') }, console: { publicUrl: PUBLIC } });
      await app.listen(0, '127.0.0.1');
      servers.push({ app, origin: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}` });
    }
    await servers[0].app.get(CommandBus).execute(new RegisterAgencyCommand({ agencyId: 'pd', recordedBy: 'test', correlationId: randomUUID() }, 'Test PD'));
    idp = await startTestProvider([`${PUBLIC}/auth/oidc/callback`]);
    idp.people.set('alice', { email: 'alice@city.example', email_verified: true, name: 'Alice', groups: ['admins'] });
    idp.people.set('sam', { email: 'sam@city.example', email_verified: true, name: 'Sam', groups: ['readers'] });
    await servers[1].app.get(IdentityProviders).add({ agencyId: 'pd', name: 'City IT', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, roles: ['admins=admin', 'readers=auditor'] }, 'test');
  }, 60_000);

  afterAll(async () => {
    for (const s of servers) await s.app.close();
    await idp?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Cookies per host, as a browser keeps them (the servers and the provider share 127.0.0.1). */
  const jar = new Map<string, string>();
  async function open(url: string, form?: Record<string, string>) {
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form ? new URLSearchParams(form) : undefined,
      redirect: 'manual',
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    return { status: res.status, body: await res.text(), location: res.headers.get('location') };
  }

  /** Starts on server `from`, signs in at the provider as `login`, and gives the provider's answer to server `to`. */
  async function signIn(login: string, from: number, to: number) {
    jar.clear();
    const page = await open(`${servers[from].origin}/sign-in`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
    const provider = /name="provider" value="([^"]+)"/.exec(page.body)![1];
    let location = (await open(`${servers[from].origin}/auth/oidc/start`, { _csrf: csrf, provider, next: '/' })).location!;
    for (let hop = 0; !location.startsWith(PUBLIC); hop++) {
      if (hop > 10) throw new Error('too many redirects');
      const url = new URL(location, idp.issuer).href;
      location = (/\/interaction\/[^/?]+$/.test(new URL(url).pathname) ? await open(url, { login }) : await open(url)).location!;
    }
    return open(location.replace(PUBLIC, servers[to].origin));
  }

  it('a sign-in started on one server is finished on the other, and the session works on both', async () => {
    const done = await signIn('alice', 0, 1);
    expect(done.status).toBe(303);
    expect((await open(`${servers[0].origin}/people`)).status).toBe(200);
    expect((await open(`${servers[1].origin}/people`)).status).toBe(200);
  });

  it('disabling an account on one server ends its sessions on the other at once', async () => {
    expect((await signIn('sam', 1, 0)).status).toBe(303);
    expect((await open(`${servers[1].origin}/`)).status).toBe(200);
    const sam = (await servers[0].app.get(AccessRegistry).account({ email: 'sam@city.example' }))!;
    expect(await servers[1].app.get(SessionStore).listOf(sam.userId)).toHaveLength(1);
    await servers[0].app.get(Accounts).disable('pd', 'sam@city.example', 'left', 'test');
    expect(await servers[1].app.get(SessionStore).listOf(sam.userId)).toEqual([]);
    expect((await open(`${servers[1].origin}/`)).status).toBe(303);
  });
});
