/**
 * Behind a TLS proxy (SRO_TRUST_PROXY; docs/console.md "Sessions and security", decisions W38),
 * over real HTTP on an in-process server: which proxy is believed decides whether the session
 * cookie is Secure and `__Host-` (X-Forwarded-Proto) and which address the sign-in limits count
 * (X-Forwarded-For). Unset, or a proxy list that does not hold the sender, both headers are
 * ignored: the socket's address is counted, and a forged header neither locks nor frees anyone.
 */
import type { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegisterAgencyCommand } from '../../src/agencies/register-agency';
import { Accounts } from '../../src/auth/accounts';
import { DEFAULT_AUTH_FAILURE_LIMIT, loadConfig } from '../../src/config';
import { PAIR_FAILURE_LIMIT } from '../../src/console/sign-in-limits';
import { createHttpApp } from '../../src/http/create-http-app';

jest.setTimeout(120_000);

const PASSWORD = 'lilac tractor mustard canyon';

async function server(trustProxy: string | undefined): Promise<{ app: INestApplication; base: string; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'sro-proxy-'));
  const saved = process.env.SRO_TRUST_PROXY;
  if (trustProxy === undefined) delete process.env.SRO_TRUST_PROXY;
  else process.env.SRO_TRUST_PROXY = trustProxy;
  let app: INestApplication;
  try {
    app = await createHttpApp({ store: `sqlite:${join(dir, 'sro.db')}`, logger: false, ledger: { keyFile: join(dir, 'key.pem') } });
  } finally {
    if (saved === undefined) delete process.env.SRO_TRUST_PROXY;
    else process.env.SRO_TRUST_PROXY = saved;
  }
  await app.listen(0, '127.0.0.1');
  await app.get(CommandBus).execute(new RegisterAgencyCommand({ agencyId: 'pd', recordedBy: 'test', correlationId: randomUUID() }, 'Test PD'));
  const accounts = app.get(Accounts);
  for (const email of ['a@pd.example.gov', 'b@pd.example.gov']) {
    const invitation = await accounts.invite({ agencyId: 'pd', role: 'chief', email, name: `Person ${email}` }, 'test');
    await accounts.setPassword(invitation.secret, PASSWORD, PASSWORD);
  }
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  return { app, base, close: async () => (await app.close(), rmSync(dir, { recursive: true, force: true })) };
}

/** A browser behind the proxy: every request carries the headers the proxy would add. */
class Client {
  cookie = '';
  lastSetCookie = '';
  constructor(
    readonly base: string,
    readonly forwarded: Record<string, string>,
  ) {}

  async send(method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<Response> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      redirect: 'manual',
      headers: { ...this.forwarded, cookie: this.cookie, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form ? new URLSearchParams(form) : undefined,
    });
    const set = res.headers.getSetCookie().find((c) => /^(__Host-)?sro_session=/.test(c));
    if (set) {
      this.lastSetCookie = set;
      this.cookie = set.split(';')[0];
    }
    return res;
  }

  async signIn(email: string, password: string): Promise<number> {
    const page = await (await this.send('GET', '/sign-in')).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1];
    return (await this.send('POST', '/sign-in', { _csrf: csrf, email, password, next: '/' })).status;
  }
}

const HTTPS_FROM = (address: string) => ({ 'x-forwarded-proto': 'https', 'x-forwarded-for': address });

describe('SRO_TRUST_PROXY in the configuration schema', () => {
  it.each([
    [undefined, false],
    ['false', false],
    ['true', true],
    ['2', 2],
    ['loopback', ['loopback']],
    ['10.0.0.0/8, 192.168.1.7,fd00::/8', ['10.0.0.0/8', '192.168.1.7', 'fd00::/8']],
  ])('%j is %j', (value, expected) => {
    expect(loadConfig(value === undefined ? {} : { SRO_TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it.each(['0', '11', 'proxy.example.gov', '10.0.0.0/33', '10.0.0.1/8/2', 'loopback,'])('refuses %j in one line naming it', (value) => {
    expect(() => loadConfig({ SRO_TRUST_PROXY: value })).toThrow(new RegExp(`^SRO_TRUST_PROXY must be false, true, a hop count .*not "${value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"$`));
  });
});

describe('unset (the default): the headers are not believed', () => {
  let s: Awaited<ReturnType<typeof server>>;
  beforeAll(async () => (s = await server(undefined)));
  afterAll(() => s.close());

  it('X-Forwarded-Proto: https does not make the cookie Secure', async () => {
    const client = new Client(s.base, HTTPS_FROM('203.0.113.7'));
    await client.send('GET', '/sign-in');
    expect(client.lastSetCookie).toMatch(/^sro_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
  });

  it('the limits count the proxy’s (the socket’s) address, whatever X-Forwarded-For says', async () => {
    for (let i = 0; i < PAIR_FAILURE_LIMIT; i++) expect(await new Client(s.base, HTTPS_FROM(`203.0.113.${10 + i}`)).signIn('a@pd.example.gov', `wrong ${i}`)).toBe(401);
    // A "different" client by its header is the same address: locked.
    expect(await new Client(s.base, HTTPS_FROM('198.51.100.1')).signIn('a@pd.example.gov', PASSWORD)).toBe(429);
  });

  it('the API counts failed tokens per socket address too', async () => {
    expect(await failedTokens(s.base, (i) => `203.0.113.${100 + i}`)).toBe(429);
  });
});

/** Sends DEFAULT_AUTH_FAILURE_LIMIT bad tokens, each "from" the address `from(i)` says; then one more from another: its status. */
async function failedTokens(base: string, from: (i: number) => string): Promise<number> {
  const bad = (address: string) => fetch(`${base}/api/agencies/pd/status`, { headers: { authorization: 'Bearer sro_not-a-token', 'x-forwarded-for': address } });
  for (let i = 0; i < DEFAULT_AUTH_FAILURE_LIMIT; i++) expect((await bad(from(i))).status).toBe(401);
  return (await bad('192.0.2.200')).status;
}

describe('SRO_TRUST_PROXY=loopback: a TLS proxy on this machine', () => {
  let s: Awaited<ReturnType<typeof server>>;
  beforeAll(async () => (s = await server('loopback')));
  afterAll(() => s.close());

  it('over HTTPS the cookie is __Host-sro_session and Secure, and it works; over plain HTTP it is not', async () => {
    const client = new Client(s.base, HTTPS_FROM('203.0.113.7'));
    expect(await client.signIn('b@pd.example.gov', PASSWORD)).toBe(303);
    expect(client.lastSetCookie).toMatch(/^__Host-sro_session=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    expect((await client.send('GET', '/reminders')).status).toBe(200);
    const plain = new Client(s.base, {});
    await plain.send('GET', '/sign-in');
    expect(plain.lastSetCookie).toMatch(/^sro_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
  });

  it('the limits count the client’s address from X-Forwarded-For: one client’s failures do not lock another', async () => {
    for (let i = 0; i < PAIR_FAILURE_LIMIT; i++) expect(await new Client(s.base, HTTPS_FROM('203.0.113.66')).signIn('a@pd.example.gov', `wrong ${i}`)).toBe(401);
    expect(await new Client(s.base, HTTPS_FROM('203.0.113.66')).signIn('a@pd.example.gov', PASSWORD)).toBe(429);
    expect(await new Client(s.base, HTTPS_FROM('198.51.100.1')).signIn('a@pd.example.gov', PASSWORD)).toBe(303);
  });

  it('the API counts failed tokens per client address: one client blocked, another not', async () => {
    expect(await failedTokens(s.base, () => '192.0.2.1')).toBe(401);
    const again = await fetch(`${s.base}/api/agencies/pd/status`, { headers: { authorization: 'Bearer sro_not-a-token', 'x-forwarded-for': '192.0.2.1' } });
    expect(again.status).toBe(429);
  });
});

describe('SRO_TRUST_PROXY naming another proxy: a sender not on the list is not believed', () => {
  let s: Awaited<ReturnType<typeof server>>;
  beforeAll(async () => (s = await server('10.0.0.0/8')));
  afterAll(() => s.close());

  it('neither the scheme nor the address is taken from its headers', async () => {
    const client = new Client(s.base, HTTPS_FROM('203.0.113.7'));
    await client.send('GET', '/sign-in');
    expect(client.lastSetCookie).toMatch(/^sro_session=/);
    for (let i = 0; i < PAIR_FAILURE_LIMIT; i++) await new Client(s.base, HTTPS_FROM(`203.0.113.${20 + i}`)).signIn('b@pd.example.gov', `wrong ${i}`);
    expect(await new Client(s.base, HTTPS_FROM('198.51.100.2')).signIn('b@pd.example.gov', PASSWORD)).toBe(429);
  });
});
