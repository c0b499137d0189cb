/**
 * Sign-in limits over real HTTP (an in-process server, SQLite) and their rules on their own
 * (docs/console.md "Sessions and security"; decisions W38):
 * - a parallel burst of 100 sign-ins (99 wrong passwords and the right one last) is counted
 *   before any password is hashed: at most 5 are checked, the rest are answered 429 at once, the
 *   right one among them does not get in, and another person signs in meanwhile without waiting
 *   for the burst;
 * - failures lock an email from one address first: the owner still signs in from another address;
 *   the locked page says until when, and that an admin can give a new sign-in link;
 * - per email from everywhere only at a much higher count, with a progressive delay;
 * - the password hashes are bounded and served round-robin between emails.
 */
import type { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegisterAgencyCommand } from '../../src/agencies/register-agency';
import { Accounts } from '../../src/auth/accounts';
import { HashSlots, PasswordChecksBusy } from '../../src/auth/hash-slots';
import { createHttpApp } from '../../src/http/create-http-app';
import { ACCOUNT_FAILURE_LIMIT, ADDRESS_FAILURE_LIMIT, LOCK_MS, MAX_DELAY_MS, PAIR_FAILURE_LIMIT, SignInLimits } from '../../src/console/sign-in-limits';

jest.setTimeout(120_000);

const PASSWORD = 'lilac tractor mustard canyon';
let app: INestApplication;
let port: number;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sro-limits-'));
  app = await createHttpApp({ store: `sqlite:${join(dir, 'sro.db')}`, logger: false, ledger: { keyFile: join(dir, 'key.pem') } });
  await app.listen(0, '127.0.0.1');
  port = (app.getHttpServer().address() as { port: number }).port;
  await app.get(CommandBus).execute(new RegisterAgencyCommand({ agencyId: 'pd', recordedBy: 'test', correlationId: randomUUID() }, 'Test PD'));
  const accounts = app.get(Accounts);
  for (const [email, role] of [
    ['target@pd.example.gov', 'chief'],
    ['bystander@pd.example.gov', 'auditor'],
    ['admin@pd.example.gov', 'admin'],
  ] as const) {
    const invitation = await accounts.invite({ agencyId: 'pd', role, email, name: `Person ${email}` }, 'test');
    await accounts.setPassword(invitation.secret, PASSWORD, PASSWORD);
  }
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One browser at one source address (Linux routes all of 127.0.0.0/8 to the loopback). */
class Visitor {
  cookie = '';
  constructor(readonly from = '127.0.0.1') {}

  send(method: string, path: string, form?: Record<string, string>): Promise<Answer> {
    const body = form ? new URLSearchParams(form).toString() : undefined;
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path,
          method,
          localAddress: this.from,
          headers: { cookie: this.cookie, ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } : {}) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => {
            const set = (res.headers['set-cookie'] ?? []).find((c) => c.startsWith('sro_session='));
            if (set) this.cookie = set.split(';')[0];
            resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Opens the sign-in page (a session and its form token). */
  async open(): Promise<string> {
    const page = await this.send('GET', '/sign-in');
    return /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
  }

  async signIn(email: string, password: string, csrf?: string): Promise<Answer> {
    return this.send('POST', '/sign-in', { _csrf: csrf ?? (await this.open()), email, password, next: '/' });
  }
}

const problemsOf = (page: string): string => /<div class="problems"[^>]*>([\s\S]*?)<\/div>/.exec(page)?.[1]?.replace(/<[^>]+>/g, '') ?? page;

describe('a parallel burst of sign-ins', () => {
  it('100 at once, 99 wrong and the right one last: at most 5 checked, the rest 429, and another person is not held up', async () => {
    const burst = Array.from({ length: 100 }, () => new Visitor('127.0.0.1'));
    const forms = await Promise.all(burst.map((v) => v.open()));
    const bystander = new Visitor('127.0.0.1');
    const bystanderForm = await bystander.open();

    const started = Date.now();
    const answers = burst.map((v, i) => v.signIn('target@pd.example.gov', i === 99 ? PASSWORD : `wrong guess number ${i}`, forms[i]));
    // Someone else signs in from the same address while the burst is in flight.
    const other = bystander.signIn('bystander@pd.example.gov', PASSWORD, bystanderForm).then((a) => ({ ...a, ms: Date.now() - started }));
    const statuses = (await Promise.all(answers)).map((a) => a.status);
    const { status: otherStatus, ms: otherMs } = await other;

    const count = (s: number) => statuses.filter((x) => x === s).length;
    expect(count(401)).toBeLessThanOrEqual(PAIR_FAILURE_LIMIT);
    expect(count(401) + count(429)).toBe(100);
    expect(count(429)).toBeGreaterThanOrEqual(100 - PAIR_FAILURE_LIMIT);
    // The right password, sent last, came after the lock: it does not get in.
    expect(statuses[99]).toBe(429);
    expect(otherStatus).toBe(303);
    // Before: the burst's 100 hashes held every sign-in up for up to a minute.
    expect(otherMs).toBeLessThan(10_000);
  });
});

describe('locking without locking the owner out', () => {
  it('5 failures from one address lock the email from that address only; the owner signs in from another', async () => {
    const attacker = new Visitor('127.0.0.2');
    for (let i = 0; i < PAIR_FAILURE_LIMIT; i++) expect((await attacker.signIn('admin@pd.example.gov', `not the password ${i}`)).status).toBe(401);
    const locked = await attacker.signIn('admin@pd.example.gov', PASSWORD);
    expect(locked.status).toBe(429);
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(LOCK_MS / 1000 - 60);
    expect(retryAfter).toBeLessThanOrEqual(LOCK_MS / 1000);
    const words = problemsOf(locked.body);
    expect(words).toMatch(/Too many failed sign-ins with this email from this network address: signing in with it from here is paused until .+\. Try again after that\./);
    expect(words).toContain('ask an admin of your agency for a new sign-in link');

    const owner = new Visitor('127.0.0.3');
    expect((await owner.signIn('admin@pd.example.gov', PASSWORD)).status).toBe(303);
    // The owner's success does not unlock the attacker's address.
    expect((await attacker.signIn('admin@pd.example.gov', PASSWORD)).status).toBe(429);
  });

  it('a new sign-in link from an admin gets the person in at once, lock or not', async () => {
    const attacker = new Visitor('127.0.0.4');
    for (let i = 0; i < PAIR_FAILURE_LIMIT; i++) await attacker.signIn('target@pd.example.gov', `not the password ${i}`);
    const reset = await app.get(Accounts).issueReset('pd', 'target@pd.example.gov', 'admin@pd.example.gov');
    const owner = new Visitor('127.0.0.4');
    const page = await owner.send('GET', `/welcome?token=${encodeURIComponent(reset.secret)}`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
    const set = await owner.send('POST', '/welcome', { _csrf: csrf, token: reset.secret, password: 'a fresh passphrase here', confirm: 'a fresh passphrase here' });
    expect(set.status).toBe(303);
    expect((await owner.send('GET', '/reminders')).status).toBe(200);
  });
});

describe('the limits on their own', () => {
  const at = Date.parse('2026-12-01T15:00:00Z');

  it('per email from everywhere only at 100 failures, with a growing delay before each failure is answered', () => {
    const limits = new SignInLimits();
    const delays: number[] = [];
    let n = 0;
    for (let address = 0; n < ACCOUNT_FAILURE_LIMIT; address++) {
      for (let i = 0; i < PAIR_FAILURE_LIMIT && n < ACCOUNT_FAILURE_LIMIT; i++, n++) {
        const attempt = limits.begin('owner@pd.example.gov', `10.0.${address}.1`, at + n);
        if ('lockedUntil' in attempt) throw new Error(`locked after ${n} failures (${attempt.scope})`);
        delays.push(limits.failed(attempt, at + n));
      }
    }
    expect(delays[0]).toBe(200);
    expect(delays[4]).toBe(1000);
    expect(delays.every((d, i) => i === 0 || d >= delays[i - 1])).toBe(true);
    expect(Math.max(...delays)).toBe(MAX_DELAY_MS);
    expect(limits.begin('owner@pd.example.gov', '10.9.9.9', at + n)).toEqual({ scope: 'account', lockedUntil: at + n - 1 + LOCK_MS });
    // Another email from those addresses is not locked.
    expect('keys' in limits.begin('someone@pd.example.gov', '10.0.0.1', at + n)).toBe(true);
  });

  it(`${ADDRESS_FAILURE_LIMIT} failures from one address, whatever the emails, lock the address`, () => {
    const limits = new SignInLimits();
    for (let i = 0; i < ADDRESS_FAILURE_LIMIT; i++) {
      const attempt = limits.begin(`guess${i}@pd.example.gov`, '10.1.1.1', at + i);
      expect('keys' in attempt).toBe(true);
    }
    expect(limits.begin('anyone@pd.example.gov', '10.1.1.1', at + 100)).toMatchObject({ scope: 'address' });
    expect('keys' in limits.begin('anyone@pd.example.gov', '10.1.1.2', at + 100)).toBe(true);
  });

  it('a success takes its attempt back; the lock ends after 15 minutes', () => {
    const limits = new SignInLimits();
    for (let i = 0; i < PAIR_FAILURE_LIMIT - 1; i++) limits.begin('a@pd.example.gov', '10.2.2.2', at);
    const right = limits.begin('a@pd.example.gov', '10.2.2.2', at);
    if (!('keys' in right)) throw new Error('not begun');
    limits.succeeded(right);
    expect('keys' in limits.begin('a@pd.example.gov', '10.2.2.2', at + 1)).toBe(true);
    for (let i = 0; i < PAIR_FAILURE_LIMIT; i++) limits.begin('b@pd.example.gov', '10.2.2.2', at);
    expect(limits.begin('b@pd.example.gov', '10.2.2.2', at + LOCK_MS - 1)).toMatchObject({ scope: 'pair' });
    expect('keys' in limits.begin('b@pd.example.gov', '10.2.2.2', at + LOCK_MS)).toBe(true);
  });
});

describe('the password hash slots', () => {
  const gate = () => {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { open, opened };
  };

  it('serve waiting emails round-robin: a second email goes before the first one’s later attempts', async () => {
    const slots = new HashSlots({ concurrency: 1, perKey: 5, maxWaiting: 10 });
    const order: string[] = [];
    const first = gate();
    const running = slots.run('a', async () => {
      order.push('a0');
      await first.opened;
    });
    const waiting = [slots.run('a', async () => void order.push('a1')), slots.run('a', async () => void order.push('a2')), slots.run('b', async () => void order.push('b0'))];
    expect(slots.load).toEqual({ running: 1, waiting: 3 });
    first.open();
    await Promise.all([running, ...waiting]);
    expect(order).toEqual(['a0', 'a1', 'b0', 'a2']);
    expect(slots.load).toEqual({ running: 0, waiting: 0 });
  });

  it('refuse at once beyond the bounds: 429 for one email’s burst, 503 for the whole server', async () => {
    const slots = new HashSlots({ concurrency: 1, perKey: 1, maxWaiting: 2 });
    const held = gate();
    const running = slots.run('a', () => held.opened);
    const queued = [slots.run('a', async () => 'a1'), slots.run('b', async () => 'b1')];
    await expect(slots.run('a', async () => 'a2')).rejects.toMatchObject({ code: 429 });
    await expect(slots.run('c', async () => 'c1')).rejects.toEqual(expect.any(PasswordChecksBusy));
    await expect(slots.run('c', async () => 'c1')).rejects.toMatchObject({ code: 503 });
    held.open();
    await expect(Promise.all([running, ...queued])).resolves.toEqual([undefined, 'a1', 'b1']);
  });
});
